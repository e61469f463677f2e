//! The iteration order of a `java.util.HashMap<String, _>`: Bitget's and
//! Bitunix's verifiers serialise balances maps in that order before hashing
//! them, so the bytes hashed depend on it.
//!
//! A key's bucket is `(h ^ (h >>> 16)) & (capacity - 1)` with `h` Java's
//! `String.hashCode` (over UTF-16 code units); the capacity starts at 16 and
//! doubles whenever the size exceeds three quarters of it; within a bucket,
//! keys keep their insertion order (a resize keeps the relative order of the
//! keys it splits). A bucket of more than 8 keys becomes a red-black tree in
//! Java, whose order is not modelled: [`order`] returns `None` then.

fn string_hash(s: &str) -> i32 {
    s.encode_utf16()
        .fold(0i32, |h, c| h.wrapping_mul(31).wrapping_add(i32::from(c)))
}

fn spread(h: i32) -> u32 {
    let u = u32::from_ne_bytes(h.to_ne_bytes());
    u ^ (u >> 16)
}

/// `keys` (distinct) in the order a Java `HashMap` iterates them, or `None`
/// when two keys share a bucket (their order would depend on the order they
/// were inserted in).
#[must_use]
pub fn order<'a>(keys: &[&'a str]) -> Option<Vec<&'a str>> {
    let mut capacity: usize = 16;
    while keys.len() * 4 > capacity * 3 {
        capacity *= 2;
    }
    let mut buckets: Vec<Vec<&'a str>> = vec![Vec::new(); capacity];
    for k in keys {
        let b = (spread(string_hash(k)) as usize) & (capacity - 1);
        buckets[b].push(k);
    }
    // Keys sharing a bucket iterate in insertion order, which for a parsed
    // map is the file's key order; por's JSON reader does not keep it, so
    // it does not guess.
    if buckets.iter().any(|b| b.len() > 1) {
        return None;
    }
    Some(buckets.into_iter().flatten().collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_hashes() {
        // Java: "BTC".hashCode() == 66097, "USDT".hashCode() == 2614190.
        assert_eq!(string_hash("BTC"), 66097);
        assert_eq!(string_hash("USDT"), 2614190);
        assert_eq!(string_hash(""), 0);
    }

    #[test]
    fn bitget_order() {
        // The order Bitget's published proof hashes (checked against its root).
        assert_eq!(
            order(&["USDC", "USDT", "ETH", "BTC"]),
            Some(vec!["BTC", "ETH", "USDT", "USDC"])
        );
    }
}
