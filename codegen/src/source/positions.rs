//! Where each node of a file starts, keyed by its JSON pointer.
//!
//! Keys are 64-bit hashes of the pointer, worked out a token at a time
//! while parsing ([`PathKey::child`]): a node costs its own key, never its
//! whole path, so a long key above many nodes (a 8 MB property name over a
//! million children) costs its bytes once instead of once per child.
//! A collision could only misplace a diagnostic.
//!
//! The hash is FNV-1a: a byte at a time, so a pointer hashed a token at a
//! time gets the hash of the pointer written out whole, and with no
//! per-call overhead for the short tokens of a document (SipHash's was a
//! twentieth of parsing).

use foldhash::HashMap;

/// Line and column (1-based) by pointer key.
type Table = HashMap<u64, (u32, u32)>;

/// Line and column (1-based) of every node of one file.
#[derive(Debug, Clone, Default)]
pub struct Positions {
    by_key: Table,
    /// Where the key naming each member of a mapping is written, so an
    /// error about a key (not allowed, repeated) points at the key.
    keys: Table,
    /// The positions of parts of the same file parsed on their own
    /// ([`absorb`](Self::absorb)), looked up after these: kept whole
    /// rather than copied in, since the copy (a hundred thousand entries
    /// on a large document) waited on both parts.
    parts: Vec<Positions>,
}

impl Positions {
    /// Room for the positions of `nodes` nodes (and as many keys).
    pub fn with_capacity(nodes: usize) -> Self {
        Positions {
            by_key: HashMap::with_capacity_and_hasher(nodes, Default::default()),
            keys: HashMap::with_capacity_and_hasher(nodes, Default::default()),
            parts: Vec::new(),
        }
    }

    /// Where the node at `pointer` (escaped, as in [`super::push_token`])
    /// starts.
    pub fn get(&self, pointer: &str) -> Option<(u32, u32)> {
        self.node_at(PathKey::of(pointer).finish())
    }

    fn node_at(&self, key: u64) -> Option<(u32, u32)> {
        std::iter::once(self)
            .chain(&self.parts)
            .find_map(|p| p.by_key.get(&key).copied())
    }

    /// Where the key of the mapping member at `pointer` is written.
    pub fn key(&self, pointer: &str) -> Option<(u32, u32)> {
        self.key_at(PathKey::of(pointer).finish())
    }

    fn key_at(&self, key: u64) -> Option<(u32, u32)> {
        std::iter::once(self)
            .chain(&self.parts)
            .find_map(|p| p.keys.get(&key).copied())
    }

    pub(super) fn insert_key(&mut self, member: &PathKey, at: (u32, u32)) {
        self.keys.insert(member.finish(), at);
    }

    pub(super) fn insert(&mut self, key: &PathKey, at: (u32, u32)) {
        self.by_key.insert(key.finish(), at);
    }

    /// Adds the positions of a part of the same file parsed on its own
    /// (`split`), but that of its top node `except`.
    pub(super) fn absorb(&mut self, mut part: Positions, except: &PathKey) {
        part.by_key.remove(&except.finish());
        self.parts.extend(std::mem::take(&mut part.parts));
        self.parts.push(part);
    }

    /// Every node's position and every key's, these first: what
    /// [`get`](Self::get) and [`key`](Self::key) answer.
    fn flattened(&self) -> (Table, Table) {
        let (mut by_key, mut keys) = (Table::default(), Table::default());
        for p in std::iter::once(self).chain(&self.parts).rev() {
            by_key.extend(p.by_key.iter().map(|(&k, &at)| (k, at)));
            keys.extend(p.keys.iter().map(|(&k, &at)| (k, at)));
        }
        (by_key, keys)
    }

    /// Moves the node at `key` earlier when `at` is before where it is.
    pub(super) fn move_earlier(&mut self, key: &PathKey, at: (u32, u32)) {
        let key = key.finish();
        let own = self.by_key.get_mut(&key);
        let found = own.or_else(|| self.parts.iter_mut().find_map(|p| p.by_key.get_mut(&key)));
        if let Some(old) = found
            && at < *old
        {
            *old = at;
        }
    }

    /// How many nodes have a position.
    pub fn len(&self) -> usize {
        self.by_key.len() + self.parts.iter().map(|p| p.by_key.len()).sum::<usize>()
    }

    /// Whether no node has a position.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// The same positions, however they were put together.
impl PartialEq for Positions {
    fn eq(&self, other: &Self) -> bool {
        self.flattened() == other.flattened()
    }
}

/// The JSON pointer of a node while parsing: a running hash of it, and its
/// length in bytes (escaped).
#[derive(Debug, Clone)]
pub struct PathKey {
    hash: Fnv1a,
    len: usize,
}

/// The 64-bit FNV-1a hash of the bytes written so far.
#[derive(Debug, Clone, Copy)]
struct Fnv1a(u64);

impl Fnv1a {
    fn new() -> Self {
        Fnv1a(0xcbf2_9ce4_8422_2325)
    }

    fn write(&mut self, bytes: &[u8]) {
        for &byte in bytes {
            self.0 = (self.0 ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3);
        }
    }
}

impl PathKey {
    /// The pointer of the root (`""`).
    pub fn root() -> Self {
        PathKey {
            hash: Fnv1a::new(),
            len: 0,
        }
    }

    /// The key of an escaped pointer as a whole.
    fn of(pointer: &str) -> Self {
        let mut key = PathKey::root();
        key.hash.write(pointer.as_bytes());
        key.len = pointer.len();
        key
    }

    /// The pointer of the child at `token` (unescaped key or index): the
    /// same hash as the escaped pointer written out whole.
    pub fn child(&self, token: &str) -> Self {
        let mut key = self.clone();
        key.hash.write(b"/");
        key.len += 1;
        let mut rest = token;
        while let Some(at) = rest.find(['~', '/']) {
            key.hash.write(&rest.as_bytes()[..at]);
            key.hash.write(if rest.as_bytes()[at] == b'~' {
                b"~0"
            } else {
                b"~1"
            });
            key.len += at + 2;
            rest = &rest[at + 1..];
        }
        key.hash.write(rest.as_bytes());
        key.len += rest.len();
        key
    }

    /// The child at array index `index`.
    pub fn index(&self, index: usize) -> Self {
        self.child(&index.to_string())
    }

    /// The pointer's length in bytes, escaped.
    pub fn bytes(&self) -> usize {
        self.len
    }

    fn finish(&self) -> u64 {
        self.hash.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_hash_is_fnv_1a() {
        // The published test vectors of 64-bit FNV-1a.
        for (text, hash) in [
            ("", 0xcbf2_9ce4_8422_2325),
            ("a", 0xaf63_dc4c_8601_ec8c),
            ("foobar", 0x8594_4171_f739_67e8),
        ] {
            let mut fnv = Fnv1a::new();
            fnv.write(text.as_bytes());
            assert_eq!(fnv.0, hash, "{text:?}");
        }
    }

    #[test]
    fn a_pointer_built_token_by_token_is_found_by_its_text() {
        let key = PathKey::root().child("a/b~c").index(3).child("");
        assert_eq!(key.bytes(), "/a~1b~0c/3/".len());
        let mut positions = Positions::default();
        positions.insert(&key, (4, 2));
        positions.insert(&PathKey::root(), (1, 1));
        assert_eq!(positions.get("/a~1b~0c/3/"), Some((4, 2)));
        assert_eq!(positions.get(""), Some((1, 1)));
        assert_eq!(positions.get("/a~1b~0c/3"), None);
        assert_eq!(positions.get("/a~1b~0c"), None);
    }

    #[test]
    fn an_index_is_its_decimal_token() {
        for index in [0, 7, 10, 99, 1234, usize::MAX] {
            let key = PathKey::root().child("items").index(index);
            let pointer = format!("/items/{index}");
            assert_eq!(key.finish(), PathKey::of(&pointer).finish(), "{pointer}");
            assert_eq!(key.bytes(), pointer.len(), "{pointer}");
        }
    }
}
