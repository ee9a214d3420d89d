//! The order CPython iterates a `set`, so a validated `set[int]` is written
//! in the order chanx writes it (`model_dump` lists a set as it iterates).
//!
//! CPython places each element by its hash in an open-addressed table
//! (`Objects/setobject.c`); integers, floats and booleans hash the same in
//! every process, so their order is reproducible. Strings (and `None`) hash
//! differently in every Python process (`PYTHONHASHSEED`): for sets holding
//! them no order is reproducible, and first-seen order is kept.

use crate::json::Json;

const MIN_SIZE: usize = 8;
const LINEAR_PROBES: usize = 9;
const PERTURB_SHIFT: u32 = 5;
/// `sys.hash_info.modulus`: 2**61 - 1.
const MODULUS: u64 = (1 << 61) - 1;
const HASH_BITS: u32 = 61;
const HASH_INF: i64 = 314_159;

/// `items` (distinct, first-seen order) in CPython's iteration order when
/// their hashes are reproducible; unchanged otherwise.
pub fn python_set_order(items: Vec<Json>) -> Vec<Json> {
    let hashes: Option<Vec<i64>> = items.iter().map(python_hash).collect();
    let Some(hashes) = hashes else {
        return items;
    };
    let mut table = Table::new(MIN_SIZE);
    for (index, hash) in hashes.into_iter().enumerate() {
        table.add(index, hash);
    }
    let mut slots: Vec<Option<Json>> = items.into_iter().map(Some).collect();
    table
        .order()
        .into_iter()
        .filter_map(|i| slots.get_mut(i).and_then(Option::take))
        .collect()
}

struct Table {
    slots: Vec<Option<(usize, i64)>>,
    used: usize,
}

impl Table {
    fn new(size: usize) -> Table {
        Table {
            slots: vec![None; size],
            used: 0,
        }
    }

    fn mask(&self) -> usize {
        self.slots.len() - 1
    }

    /// `set_add_entry` for a key known to be new.
    fn add(&mut self, item: usize, hash: i64) {
        let slot = self.free_slot(hash);
        self.slots[slot] = Some((item, hash));
        self.used += 1;
        // No deletions happen, so `fill` equals `used`.
        if self.used * 5 >= self.mask() * 3 {
            let min_used = if self.used > 50_000 {
                self.used * 2
            } else {
                self.used * 4
            };
            self.resize(min_used);
        }
    }

    fn free_slot(&self, hash: i64) -> usize {
        let mask = self.mask();
        let mut perturb = hash as u64;
        let mut i = (hash as u64 as usize) & mask;
        loop {
            let probes = if i + LINEAR_PROBES <= mask {
                LINEAR_PROBES
            } else {
                0
            };
            for j in 0..=probes {
                if self.slots[i + j].is_none() {
                    return i + j;
                }
            }
            perturb >>= PERTURB_SHIFT;
            i = (i
                .wrapping_mul(5)
                .wrapping_add(1)
                .wrapping_add(perturb as usize))
                & mask;
        }
    }

    fn resize(&mut self, min_used: usize) {
        let mut size = MIN_SIZE;
        while size <= min_used {
            size <<= 1;
        }
        let old = std::mem::replace(&mut self.slots, vec![None; size]);
        for (item, hash) in old.into_iter().flatten() {
            let slot = self.free_slot(hash);
            self.slots[slot] = Some((item, hash));
        }
    }

    fn order(&self) -> Vec<usize> {
        self.slots.iter().flatten().map(|(item, _)| *item).collect()
    }
}

/// `hash(value)` where CPython's is the same in every process.
fn python_hash(value: &Json) -> Option<i64> {
    match value {
        Json::Bool(b) => Some(i64::from(*b)),
        Json::Int(i) => Some(int_hash(*i < 0, i.unsigned_abs() as u128 % MODULUS as u128)),
        Json::BigInt(digits) => {
            let negative = digits.starts_with('-');
            let mut rem: u128 = 0;
            for b in digits.trim_start_matches('-').bytes() {
                rem = (rem * 10 + u128::from(b - b'0')) % MODULUS as u128;
            }
            Some(int_hash(negative, rem))
        }
        Json::Float(f) => float_hash(*f),
        _ => None,
    }
}

fn int_hash(negative: bool, magnitude_mod: u128) -> i64 {
    let h = magnitude_mod as i64;
    let h = if negative { -h } else { h };
    if h == -1 { -2 } else { h }
}

/// `_Py_HashDouble`; NaN hashes by identity, so it has no stable hash.
fn float_hash(v: f64) -> Option<i64> {
    if v.is_nan() {
        return None;
    }
    if v.is_infinite() {
        return Some(if v > 0.0 { HASH_INF } else { -HASH_INF });
    }
    let (mut m, mut e) = frexp(v);
    let mut sign: i64 = 1;
    if m < 0.0 {
        sign = -1;
        m = -m;
    }
    let mut x: u64 = 0;
    while m != 0.0 {
        x = ((x << 28) & MODULUS) | (x >> (HASH_BITS - 28));
        m *= 268_435_456.0;
        e -= 28;
        let y = m as u64;
        m -= y as f64;
        x += y;
        if x >= MODULUS {
            x -= MODULUS;
        }
    }
    let e = if e >= 0 {
        (e as u32) % HASH_BITS
    } else {
        HASH_BITS - 1 - (((-1 - e) as u32) % HASH_BITS)
    };
    x = ((x << e) & MODULUS) | (x >> (HASH_BITS - e));
    let x = (x as i64).wrapping_mul(sign);
    Some(if x == -1 { -2 } else { x })
}

/// C's `frexp`: `v = m * 2^e` with `0.5 <= |m| < 1`.
fn frexp(v: f64) -> (f64, i32) {
    if v == 0.0 {
        return (v, 0);
    }
    let bits = v.to_bits();
    let exponent = ((bits >> 52) & 0x7ff) as i32;
    if exponent == 0 {
        // Subnormal: scale up first.
        let (m, e) = frexp(v * 2f64.powi(64));
        return (m, e - 64);
    }
    let e = exponent - 1022;
    let m_bits = (bits & !(0x7ff << 52)) | (1022 << 52);
    (f64::from_bits(m_bits), e)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn order(values: &[i64]) -> Vec<i64> {
        let items = values.iter().map(|v| Json::Int(*v)).collect();
        python_set_order(items)
            .into_iter()
            .map(|v| match v {
                Json::Int(i) => i,
                _ => unreachable!(),
            })
            .collect()
    }

    #[test]
    fn integers_iterate_as_cpython_iterates_them() {
        // Observed with CPython 3.11: list({3, 1, 2}) and friends.
        assert_eq!(order(&[3, 1, 2]), vec![1, 2, 3]);
        assert_eq!(order(&[8, 1]), vec![8, 1]);
        assert_eq!(order(&[100, 1, 9]), vec![1, 100, 9]);
    }

    #[test]
    fn float_hashes_match_cpython() {
        assert_eq!(float_hash(1.5), Some(1_152_921_504_606_846_977));
        assert_eq!(float_hash(2.0), Some(2));
        assert_eq!(float_hash(-0.5), Some(-1_152_921_504_606_846_976));
    }
}
