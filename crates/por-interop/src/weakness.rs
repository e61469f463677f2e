//! What a format cannot show, whatever the verdict: por's findings, with
//! stable ids and one sentence each in English and Japanese. A weakness is
//! reported beside the verdict and never changes it.

/// A weakness of a proof format (or of the exchange's own check of it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Weakness {
    /// Node hashes are SHA-256 cut to 64 bits (Bitget).
    HashTruncated64,
    /// Node hashes are SHA-256 cut to 128 bits (MEXC).
    HashTruncated128,
    /// A parent hash commits to the sum of its children only.
    SiblingSumsNotBound,
    /// Nothing refuses a negative balance.
    NegativeBalancesNotExcluded,
    /// The leaf hashes the account id with no secret nonce.
    UserIdUnsalted,
    /// The root does not commit to the asset list or its decimals.
    AssetsOrDecimalsNotCommitted,
    /// No signature or attestation binds the root to the exchange.
    RootNotSigned,
    /// The exchange's check compares the path with the root in the same file.
    ProofCarriesOwnRoot,
    /// Each sum is truncated to a fixed number of decimals.
    SumsTruncated,
    /// The exchange's check does not recompute the tree's internal nodes.
    InternalNodesNotChecked,
    /// The exchange's check compares the root hash, not the totals stated.
    StatedTotalsNotChecked,
}

impl Weakness {
    /// Every weakness, in a stable order.
    pub const ALL: [Weakness; 11] = [
        Weakness::HashTruncated64,
        Weakness::HashTruncated128,
        Weakness::SiblingSumsNotBound,
        Weakness::NegativeBalancesNotExcluded,
        Weakness::UserIdUnsalted,
        Weakness::AssetsOrDecimalsNotCommitted,
        Weakness::RootNotSigned,
        Weakness::ProofCarriesOwnRoot,
        Weakness::SumsTruncated,
        Weakness::InternalNodesNotChecked,
        Weakness::StatedTotalsNotChecked,
    ];

    /// The stable kebab-case id.
    #[must_use]
    pub fn id(self) -> &'static str {
        match self {
            Weakness::HashTruncated64 => "hash-truncated-64",
            Weakness::HashTruncated128 => "hash-truncated-128",
            Weakness::SiblingSumsNotBound => "sibling-sums-not-bound",
            Weakness::NegativeBalancesNotExcluded => "negative-balances-not-excluded",
            Weakness::UserIdUnsalted => "user-id-unsalted",
            Weakness::AssetsOrDecimalsNotCommitted => "assets-or-decimals-not-committed",
            Weakness::RootNotSigned => "root-not-signed",
            Weakness::ProofCarriesOwnRoot => "proof-carries-own-root",
            Weakness::SumsTruncated => "sums-truncated",
            Weakness::InternalNodesNotChecked => "internal-nodes-not-checked",
            Weakness::StatedTotalsNotChecked => "stated-totals-not-checked",
        }
    }

    /// One sentence in English.
    #[must_use]
    pub fn en(self) -> &'static str {
        match self {
            Weakness::HashTruncated64 => "Hashes are SHA-256 cut to 64 bits, so two different nodes with the same hash can be found with about 2^32 work.",
            Weakness::HashTruncated128 => "Hashes are SHA-256 cut to 128 bits, so two different nodes with the same hash can be found with about 2^64 work.",
            Weakness::SiblingSumsNotBound => "A parent's hash commits only to the total of its two children, so value can be moved between siblings (and the total lowered) without any single customer's proof failing.",
            Weakness::NegativeBalancesNotExcluded => "Nothing in the format or its check refuses a negative balance, which can hide other customers' liabilities.",
            Weakness::UserIdUnsalted => "The leaf hashes the account id without a secret nonce, so anyone who knows or guesses an account id can test which leaf is that account's.",
            Weakness::AssetsOrDecimalsNotCommitted => "The root does not commit to the list of assets or their decimals, so the same tree can be shown with other assets or scales.",
            Weakness::RootNotSigned => "Nothing signs or attests the root, so only a root you got from the exchange's own publication means anything.",
            Weakness::ProofCarriesOwnRoot => "The exchange's check compares your path with the root written in the same file; unless you compare that root with the published one, any self-consistent file passes.",
            Weakness::SumsTruncated => "Each sum is truncated to a fixed number of decimals, so the total can be below the sum of the balances it covers.",
            Weakness::InternalNodesNotChecked => "The exchange's check only looks for your leaves in the tree file and never recomputes its internal nodes or root.",
            Weakness::StatedTotalsNotChecked => "The exchange's check compares the root hash only, not the root totals written in the file, so the totals shown there are not checked.",
        }
    }

    /// One sentence in Japanese.
    #[must_use]
    pub fn ja(self) -> &'static str {
        match self {
            Weakness::HashTruncated64 => "ハッシュはSHA-256を64ビットに切り詰めたもので、同じハッシュを持つ別のノードを約2^32回の計算で見つけられます。",
            Weakness::HashTruncated128 => "ハッシュはSHA-256を128ビットに切り詰めたもので、同じハッシュを持つ別のノードを約2^64回の計算で見つけられます。",
            Weakness::SiblingSumsNotBound => "親ノードのハッシュは二つの子の合計だけを固定するため、どの顧客の証明も失敗させずに兄弟ノード間で金額を移す（合計を減らす）ことができます。",
            Weakness::NegativeBalancesNotExcluded => "形式にも検証にも負の残高を拒む仕組みがなく、負の残高で他の顧客の負債を隠すことができます。",
            Weakness::UserIdUnsalted => "リーフは秘密のノンスなしにアカウントIDをハッシュするため、アカウントIDを知る（推測する）人は誰でも、どのリーフがそのアカウントかを確かめられます。",
            Weakness::AssetsOrDecimalsNotCommitted => "ルートは資産の一覧や小数桁数を固定しないため、同じツリーを別の資産や桁数で見せることができます。",
            Weakness::RootNotSigned => "ルートには署名も証明もないため、取引所自身の公表から得たルートと照合して初めて意味を持ちます。",
            Weakness::ProofCarriesOwnRoot => "取引所の検証は、あなたのパスを同じファイルに書かれたルートと比べるだけです。そのルートを公表されたルートと照合しない限り、つじつまの合ったファイルはすべて合格します。",
            Weakness::SumsTruncated => "各合計は決まった小数桁で切り捨てられるため、総額が含まれる残高の合計より小さくなることがあります。",
            Weakness::InternalNodesNotChecked => "取引所の検証はツリーファイルからあなたのリーフを探すだけで、内部ノードやルートを再計算しません。",
            Weakness::StatedTotalsNotChecked => "取引所の検証はルートハッシュだけを比べ、ファイルに書かれたルートの合計は比べないため、そこに示された合計は確認されていません。",
        }
    }
}
