//! Unique names and random bytes, as channels_redis draws them (uuid4 hex,
//! `random.getrandbits`), without a random-number crate.
//!
//! Every value comes from one counter run through a bijective mixer
//! (splitmix64) seeded from the standard library's per-process hash keys,
//! the pid and the time: values never repeat within a process, and two
//! processes draw unrelated ones.

use std::{
    hash::{BuildHasher, Hasher},
    sync::atomic::{AtomicU64, Ordering},
    time::{SystemTime, UNIX_EPOCH},
};

/// A source of unique 64-bit values.
#[derive(Debug)]
pub(super) struct Ids {
    seed: u64,
    counter: AtomicU64,
}

impl Ids {
    pub(super) fn new() -> Self {
        let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
        hasher.write_u32(std::process::id());
        hasher.write_u128(
            SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map_or(0, |d| d.as_nanos()),
        );
        Ids {
            seed: hasher.finish(),
            counter: AtomicU64::new(0),
        }
    }

    fn next(&self) -> u64 {
        let n = self.counter.fetch_add(1, Ordering::Relaxed);
        splitmix64(n.wrapping_add(self.seed))
    }

    fn next_u128(&self) -> u128 {
        (u128::from(self.next()) << 64) | u128::from(self.next())
    }

    /// 32 hex digits laid out as a UUID of version 8 (RFC 9562's
    /// vendor-specific version): Python processes use version 4, so the
    /// 13th digit, `8`, tells a chanx-runtime process apart (see
    /// `scripts::group_members`).
    pub(super) fn process_prefix(&self) -> String {
        let mut bits = self.next_u128();
        bits &= !(0xf << 76);
        bits |= 0x8 << 76;
        bits &= !(0x3 << 62);
        bits |= 0x2 << 62;
        format!("{bits:032x}")
    }

    /// 32 hex digits, as `uuid4().hex` for the part of a channel name after `!`.
    pub(super) fn hex32(&self) -> String {
        format!("{:032x}", self.next_u128())
    }

    /// `len` bytes to put before a serialized message, so that equal
    /// messages are distinct members of a sorted set.
    pub(super) fn fill(&self, out: &mut Vec<u8>, len: usize) {
        let mut left = len;
        while left > 0 {
            let bytes = self.next().to_be_bytes();
            let take = left.min(bytes.len());
            out.extend_from_slice(&bytes[..take]);
            left -= take;
        }
    }
}

/// Whether `process` (the 32 hex digits before `!`) was drawn by
/// [`Ids::process_prefix`].
#[cfg(test)]
pub(super) fn is_runtime_process(process: &str) -> bool {
    process.len() == 32 && process.as_bytes()[12] == b'8'
}

fn splitmix64(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn names_are_hex_unique_and_marked() {
        let ids = Ids::new();
        let prefix = ids.process_prefix();
        assert_eq!(prefix.len(), 32);
        assert!(prefix.bytes().all(|b| b.is_ascii_hexdigit()));
        assert!(is_runtime_process(&prefix));
        // A Python process prefix (uuid4().hex) is not one of ours.
        assert!(!is_runtime_process("e9965943f5a140d88f990c54e7d83975"));
        let names: HashSet<String> = (0..1000).map(|_| ids.hex32()).collect();
        assert_eq!(names.len(), 1000);
        let mut bytes = Vec::new();
        ids.fill(&mut bytes, 12);
        assert_eq!(bytes.len(), 12);
    }
}
