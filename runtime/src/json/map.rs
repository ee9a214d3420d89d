//! A JSON object's members.
//!
//! Frames are small objects: `{"action": "ping"}`, a payload of a few
//! fields. Hashing each key on every insert and lookup, and allocating a
//! hash table per object, cost more than reading a short list in order, so
//! an object of up to [`SMALL`] members is a list searched from the front.
//! A larger one (a hostile frame may have thousands of keys) is an
//! `IndexMap`, so inserting and looking up stay constant-time.

use std::fmt;

use indexmap::IndexMap;

use super::string::JsonStr;
use super::value::Json;

/// The hasher of a large [`JsonMap`]: foldhash's quality hasher, seeded at
/// random per process (several times faster than SipHash on short keys).
pub type JsonHasher = foldhash::quality::RandomState;

/// Members an object holds as a list before it is hashed.
const SMALL: usize = 16;

/// An object: keys in the order they first appeared (a repeated key keeps
/// its first position and takes its last value, as a Python `dict` does).
/// Two objects are equal when they hold the same members, whatever their
/// order (as two `dict`s are).
#[derive(Clone, Default)]
pub struct JsonMap(Repr);

#[derive(Clone)]
enum Repr {
    Small(Vec<(JsonStr, Json)>),
    // Boxed: most objects are small, and a `Json` is as large as its
    // largest variant (32 bytes with this boxed, 64 without).
    Large(Box<IndexMap<JsonStr, Json, JsonHasher>>),
}

impl Default for Repr {
    fn default() -> Self {
        Repr::Small(Vec::new())
    }
}

impl JsonMap {
    /// An empty object.
    pub fn new() -> Self {
        JsonMap::default()
    }

    /// An empty object with room for `capacity` members.
    pub fn with_capacity(capacity: usize) -> Self {
        JsonMap(if capacity <= SMALL {
            Repr::Small(Vec::with_capacity(capacity))
        } else {
            Repr::Large(Box::new(IndexMap::with_capacity_and_hasher(
                capacity,
                JsonHasher::default(),
            )))
        })
    }

    /// How many members it has.
    pub fn len(&self) -> usize {
        match &self.0 {
            Repr::Small(entries) => entries.len(),
            Repr::Large(map) => map.len(),
        }
    }

    /// Whether it has no members.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn position(entries: &[(JsonStr, Json)], key: &str) -> Option<usize> {
        entries.iter().position(|(k, _)| k == key)
    }

    /// The value of `key`.
    #[inline]
    pub fn get(&self, key: &str) -> Option<&Json> {
        match &self.0 {
            Repr::Small(entries) => entries.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            Repr::Large(map) => map.get(key),
        }
    }

    /// The value of `key`, to change.
    pub fn get_mut(&mut self, key: &str) -> Option<&mut Json> {
        match &mut self.0 {
            Repr::Small(entries) => entries.iter_mut().find(|(k, _)| k == key).map(|(_, v)| v),
            Repr::Large(map) => map.get_mut(key),
        }
    }

    /// Whether `key` is a member.
    pub fn contains_key(&self, key: &str) -> bool {
        self.get(key).is_some()
    }

    /// Sets `key` to `value`: a new key goes last, a present one keeps its
    /// place. Returns the value it replaced.
    pub fn insert(&mut self, key: impl Into<JsonStr>, value: Json) -> Option<Json> {
        let key = key.into();
        match &mut self.0 {
            Repr::Small(entries) => {
                if let Some(at) = Self::position(entries, &key) {
                    return Some(std::mem::replace(&mut entries[at].1, value));
                }
                if entries.len() < SMALL {
                    entries.push((key, value));
                    return None;
                }
                let mut map =
                    IndexMap::with_capacity_and_hasher(entries.len() * 2, JsonHasher::default());
                map.extend(std::mem::take(entries));
                map.insert(key, value);
                self.0 = Repr::Large(Box::new(map));
                None
            }
            Repr::Large(map) => map.insert(key, value),
        }
    }

    /// Removes `key`, keeping the order of the others; returns its value.
    pub fn shift_remove(&mut self, key: &str) -> Option<Json> {
        match &mut self.0 {
            Repr::Small(entries) => Self::position(entries, key).map(|at| entries.remove(at).1),
            Repr::Large(map) => map.shift_remove(key),
        }
    }

    /// Keeps only the members `keep` says yes to, in their order.
    pub fn retain(&mut self, mut keep: impl FnMut(&JsonStr, &mut Json) -> bool) {
        match &mut self.0 {
            Repr::Small(entries) => entries.retain_mut(|(k, v)| keep(k, v)),
            Repr::Large(map) => map.retain(|k, v| keep(k, v)),
        }
    }

    /// The members in order.
    pub fn iter(&self) -> Iter<'_> {
        Iter(match &self.0 {
            Repr::Small(entries) => IterRepr::Small(entries.iter()),
            Repr::Large(map) => IterRepr::Large(map.iter()),
        })
    }

    /// The members in order, values to change.
    pub fn iter_mut(&mut self) -> IterMut<'_> {
        IterMut(match &mut self.0 {
            Repr::Small(entries) => IterMutRepr::Small(entries.iter_mut()),
            Repr::Large(map) => IterMutRepr::Large(map.iter_mut()),
        })
    }

    /// The keys in order.
    pub fn keys(&self) -> impl Iterator<Item = &JsonStr> + '_ {
        self.iter().map(|(k, _)| k)
    }

    /// The values in order.
    pub fn values(&self) -> impl Iterator<Item = &Json> + '_ {
        self.iter().map(|(_, v)| v)
    }
}

impl PartialEq for JsonMap {
    fn eq(&self, other: &Self) -> bool {
        self.len() == other.len() && self.iter().all(|(k, v)| other.get(k) == Some(v))
    }
}

impl fmt::Debug for JsonMap {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

/// Written as a JSON object, members in order.
impl serde::Serialize for JsonMap {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_map(self.iter())
    }
}

impl<K: Into<JsonStr>> FromIterator<(K, Json)> for JsonMap {
    fn from_iter<I: IntoIterator<Item = (K, Json)>>(members: I) -> Self {
        let members = members.into_iter();
        let mut map = JsonMap::with_capacity(members.size_hint().0);
        map.extend(members);
        map
    }
}

impl<K: Into<JsonStr>> Extend<(K, Json)> for JsonMap {
    fn extend<I: IntoIterator<Item = (K, Json)>>(&mut self, members: I) {
        for (key, value) in members {
            self.insert(key, value);
        }
    }
}

/// The members of a [`JsonMap`] in order.
pub struct Iter<'a>(IterRepr<'a>);

enum IterRepr<'a> {
    Small(std::slice::Iter<'a, (JsonStr, Json)>),
    Large(indexmap::map::Iter<'a, JsonStr, Json>),
}

impl<'a> Iterator for Iter<'a> {
    type Item = (&'a JsonStr, &'a Json);

    fn next(&mut self) -> Option<Self::Item> {
        match &mut self.0 {
            IterRepr::Small(entries) => entries.next().map(|(k, v)| (k, v)),
            IterRepr::Large(members) => members.next(),
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        match &self.0 {
            IterRepr::Small(entries) => entries.size_hint(),
            IterRepr::Large(members) => members.size_hint(),
        }
    }
}

impl ExactSizeIterator for Iter<'_> {}

/// The members of a [`JsonMap`] in order, values to change.
pub struct IterMut<'a>(IterMutRepr<'a>);

enum IterMutRepr<'a> {
    Small(std::slice::IterMut<'a, (JsonStr, Json)>),
    Large(indexmap::map::IterMut<'a, JsonStr, Json>),
}

impl<'a> Iterator for IterMut<'a> {
    type Item = (&'a JsonStr, &'a mut Json);

    fn next(&mut self) -> Option<Self::Item> {
        match &mut self.0 {
            IterMutRepr::Small(entries) => entries.next().map(|(k, v)| (&*k, v)),
            IterMutRepr::Large(members) => members.next(),
        }
    }
}

/// The members of a [`JsonMap`] in order, taken.
pub struct IntoIter(IntoIterRepr);

enum IntoIterRepr {
    Small(std::vec::IntoIter<(JsonStr, Json)>),
    Large(indexmap::map::IntoIter<JsonStr, Json>),
}

impl Iterator for IntoIter {
    type Item = (JsonStr, Json);

    fn next(&mut self) -> Option<Self::Item> {
        match &mut self.0 {
            IntoIterRepr::Small(entries) => entries.next(),
            IntoIterRepr::Large(members) => members.next(),
        }
    }
}

impl IntoIterator for JsonMap {
    type Item = (JsonStr, Json);
    type IntoIter = IntoIter;

    fn into_iter(self) -> IntoIter {
        IntoIter(match self.0 {
            Repr::Small(entries) => IntoIterRepr::Small(entries.into_iter()),
            Repr::Large(map) => IntoIterRepr::Large((*map).into_iter()),
        })
    }
}

impl<'a> IntoIterator for &'a JsonMap {
    type Item = (&'a JsonStr, &'a Json);
    type IntoIter = Iter<'a>;

    fn into_iter(self) -> Iter<'a> {
        self.iter()
    }
}

impl<'a> IntoIterator for &'a mut JsonMap {
    type Item = (&'a JsonStr, &'a mut Json);
    type IntoIter = IterMut<'a>;

    fn into_iter(self) -> IterMut<'a> {
        self.iter_mut()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(i: usize) -> String {
        format!("k{i}")
    }

    /// Small and large alike: first position kept, last value taken,
    /// removal keeps the order, lookups find every key.
    #[test]
    fn members_keep_their_first_place_across_the_switch_to_hashing() {
        for count in [0, 1, 2, SMALL - 1, SMALL, SMALL + 1, 3 * SMALL] {
            let mut map = JsonMap::new();
            for i in 0..count {
                assert_eq!(map.insert(key(i), Json::Int(i as i64)), None);
            }
            // A repeated key: its old place, its new value.
            for i in (0..count).step_by(3) {
                assert_eq!(map.insert(key(i), Json::Int(-1)), Some(Json::Int(i as i64)));
            }
            assert_eq!(map.len(), count);
            let keys: Vec<String> = map.keys().map(|k| k.to_string()).collect();
            assert_eq!(keys, (0..count).map(key).collect::<Vec<_>>());
            for i in 0..count {
                let expected = if i % 3 == 0 { -1 } else { i as i64 };
                assert_eq!(map.get(&key(i)), Some(&Json::Int(expected)), "{count}: {i}");
            }
            assert_eq!(map.get("absent"), None);
            if count > 1 {
                assert!(map.shift_remove(&key(1)).is_some());
                assert!(!map.contains_key(&key(1)));
                let keys: Vec<String> = map.keys().map(|k| k.to_string()).collect();
                let expected: Vec<String> = (0..count).filter(|&i| i != 1).map(key).collect();
                assert_eq!(keys, expected);
            }
            map.retain(|k, _| k != &key(0));
            assert!(!map.contains_key(&key(0)));
            let rebuilt: JsonMap = map.clone().into_iter().collect();
            assert_eq!(rebuilt, map);
        }
    }

    #[test]
    fn equality_ignores_order_as_a_dicts_does() {
        let ab: JsonMap = [("a", Json::Int(1)), ("b", Json::Int(2))]
            .into_iter()
            .collect();
        let ba: JsonMap = [("b", Json::Int(2)), ("a", Json::Int(1))]
            .into_iter()
            .collect();
        assert_eq!(ab, ba);
        let other: JsonMap = [("a", Json::Int(1)), ("b", Json::Int(3))]
            .into_iter()
            .collect();
        assert_ne!(ab, other);
        assert_ne!(ab, JsonMap::new());
        assert_eq!(format!("{ab:?}"), r#"{"a": Int(1), "b": Int(2)}"#);
    }

    #[test]
    fn values_change_in_place() {
        let mut map: JsonMap = (0..SMALL + 2).map(|i| (key(i), Json::Null)).collect();
        for (_, value) in map.iter_mut() {
            *value = Json::Bool(true);
        }
        if let Some(value) = map.get_mut(&key(0)) {
            *value = Json::Int(0);
        }
        assert_eq!(
            map.values().filter(|v| **v == Json::Bool(true)).count(),
            SMALL + 1
        );
        assert_eq!(map.get(&key(0)), Some(&Json::Int(0)));
    }
}
