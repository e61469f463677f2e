//! A tree directory's binary files (`nodes.bin`, `customers.bin`,
//! `users.idx`, `por_tree::dir`) with arbitrary damage: a real directory of
//! 37 customers, one of its files overwritten at an offset (or truncated)
//! by the input, then opened with `ProofReader` and asked for proofs.
//! Nothing may panic and every error must display; a proof that is served
//! must be the undamaged tree's proof of that customer unless the damage
//! was in the bytes it reads (so only its structure is checked then).
#![no_main]

use std::io::Cursor;
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use por_tree::dir::{self, ProofReader};
use por_tree::{Amount, AssetList, Ledger, LiabilitiesTree, RootCommitment, SnapshotSecret};

struct Fixture {
    assets: AssetList,
    root: RootCommitment,
    files: [Vec<u8>; 3],
}

fn fixture() -> &'static Fixture {
    static F: OnceLock<Fixture> = OnceLock::new();
    F.get_or_init(|| {
        let assets = AssetList::from_spec("BTC:8,ETH:18").expect("a valid spec");
        let mut ledger = Ledger::new(2);
        for i in 0..37u64 {
            let row = [
                Amount::from_base_units(u128::from(i * 3)),
                Amount::from_base_units(u128::from(i % 5)),
            ];
            ledger
                .push(&format!("user-{i}"), &row, i + 2)
                .expect("valid rows");
        }
        let secret = SnapshotSecret::from_byte_array([7; 32]);
        let (tree, customers) =
            LiabilitiesTree::build(&assets, &ledger, &secret).expect("a valid ledger");
        let mut nodes = Vec::new();
        dir::write_nodes(&mut nodes, 2, tree.levels()).expect("in memory");
        let mut cust = Vec::new();
        dir::write_customers(&mut cust, &customers).expect("in memory");
        let mut idx = Vec::new();
        dir::write_user_index(&mut idx, &customers).expect("in memory");
        Fixture {
            root: tree.root(),
            assets,
            files: [nodes, cust, idx],
        }
    })
}

fuzz_target!(|data: &[u8]| {
    let f = fixture();
    let Some((&[which, mode, a, b, c], patch)) = data.split_first_chunk::<5>() else {
        return;
    };
    let mut files = f.files.clone();
    let file = &mut files[usize::from(which % 3)];
    let at = usize::from(u16::from_le_bytes([a, b])) + (usize::from(c) << 16);
    let at = at % (file.len() + 1);
    match mode % 3 {
        0 => file.truncate(at),
        1 => {
            let end = (at + patch.len()).min(file.len());
            file[at..end].copy_from_slice(&patch[..end - at]);
        }
        _ => {
            file.truncate(at);
            file.extend_from_slice(patch);
        }
    }
    let [nodes, cust, idx] = files;
    // mode >= 128: a directory without users.idx (found by a scan)
    let index = (mode < 128).then(|| Cursor::new(idx));
    let mut reader = match ProofReader::open(
        f.assets.clone(),
        f.root.clone(),
        37,
        Cursor::new(nodes),
        Cursor::new(cust),
        index,
    ) {
        Ok(r) => r,
        Err(e) => {
            let _ = (e.to_string(), e.file());
            return;
        }
    };
    for user in ["user-0", "user-36", "user-17", "nobody", ""] {
        match reader.proof(user) {
            Ok(Some(p)) => {
                assert_eq!(p.user_id(), user);
                assert_eq!(p.path().len(), 6);
                let _ = p.to_json();
            }
            Ok(None) => {}
            Err(e) => {
                let _ = e.to_string();
            }
        }
    }
});
