//! The strings of a parsed frame: keys and string values.
//!
//! A frame's strings are mostly short (`"action"`, `"ping"`, a field name):
//! held in place, parsing and dropping one costs no allocation, where a
//! `String` cost a `malloc` and a `free` each (a tenth of a small frame's
//! handling). A longer string is a `String`, taken as the parser made it.

use std::borrow::Borrow;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::ops::Deref;

/// Bytes held in place: a `String`'s 24 and the 8 its tag takes beside it,
/// less the length byte; so a [`JsonStr`] is no larger than the enum a
/// `String` would need anyway.
const INLINE: usize = 30;

/// A string of a [`Json`](super::Json) value or object key. It reads as a
/// `&str` (`Deref`), compares and hashes as one, and turns into a `String`.
#[derive(Clone)]
pub struct JsonStr(Repr);

#[derive(Clone)]
enum Repr {
    Inline { len: u8, bytes: [u8; INLINE] },
    Heap(String),
}

impl JsonStr {
    /// The empty string.
    pub const fn new() -> Self {
        JsonStr(Repr::Inline {
            len: 0,
            bytes: [0; INLINE],
        })
    }

    /// The string, copied into place when it is short.
    fn copy_of(text: &str) -> Self {
        match Self::inline(text) {
            Some(short) => short,
            None => JsonStr(Repr::Heap(text.to_owned())),
        }
    }

    fn inline(text: &str) -> Option<Self> {
        let len = text.len();
        if len > INLINE {
            return None;
        }
        let mut bytes = [0; INLINE];
        bytes[..len].copy_from_slice(text.as_bytes());
        Some(JsonStr(Repr::Inline {
            len: len as u8,
            bytes,
        }))
    }

    /// The string as a `&str`.
    #[inline]
    pub fn as_str(&self) -> &str {
        match &self.0 {
            Repr::Inline { len, bytes } => {
                let len = usize::from(*len);
                debug_assert!(len <= INLINE && std::str::from_utf8(&bytes[..len]).is_ok());
                // SAFETY: `inline` is the only maker of this variant: `len`
                // is at most `INLINE`, and the bytes before it were copied
                // whole from a `&str`, so they are valid UTF-8.
                unsafe { std::str::from_utf8_unchecked(bytes.get_unchecked(..len)) }
            }
            Repr::Heap(text) => text,
        }
    }

    /// The string as a `String` (no copy when it was one).
    pub fn into_string(self) -> String {
        match self.0 {
            Repr::Inline { .. } => self.as_str().to_owned(),
            Repr::Heap(text) => text,
        }
    }
}

impl Default for JsonStr {
    fn default() -> Self {
        JsonStr::new()
    }
}

impl Deref for JsonStr {
    type Target = str;

    #[inline]
    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl AsRef<str> for JsonStr {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

/// So a map keyed by `JsonStr` is looked up with a `&str`.
impl Borrow<str> for JsonStr {
    fn borrow(&self) -> &str {
        self.as_str()
    }
}

impl From<&str> for JsonStr {
    fn from(text: &str) -> Self {
        JsonStr::copy_of(text)
    }
}

impl From<&String> for JsonStr {
    fn from(text: &String) -> Self {
        JsonStr::copy_of(text)
    }
}

/// A short string is copied into place (and its buffer freed at once); a
/// long one is kept as it is.
impl From<String> for JsonStr {
    fn from(text: String) -> Self {
        match Self::inline(&text) {
            Some(short) => short,
            None => JsonStr(Repr::Heap(text)),
        }
    }
}

impl From<JsonStr> for String {
    fn from(text: JsonStr) -> Self {
        text.into_string()
    }
}

impl PartialEq for JsonStr {
    fn eq(&self, other: &Self) -> bool {
        self.as_str() == other.as_str()
    }
}

impl Eq for JsonStr {}

impl PartialEq<str> for JsonStr {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for JsonStr {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl PartialEq<String> for JsonStr {
    fn eq(&self, other: &String) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<JsonStr> for str {
    fn eq(&self, other: &JsonStr) -> bool {
        self == other.as_str()
    }
}

impl PartialEq<JsonStr> for &str {
    fn eq(&self, other: &JsonStr) -> bool {
        *self == other.as_str()
    }
}

impl PartialEq<JsonStr> for String {
    fn eq(&self, other: &JsonStr) -> bool {
        self == other.as_str()
    }
}

impl PartialOrd for JsonStr {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for JsonStr {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.as_str().cmp(other.as_str())
    }
}

/// Hashed as its `&str`, as `Borrow<str>` requires.
impl Hash for JsonStr {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.as_str().hash(state);
    }
}

impl fmt::Debug for JsonStr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl fmt::Display for JsonStr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self.as_str(), f)
    }
}

impl serde::Serialize for JsonStr {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn short_and_long_strings_read_compare_and_hash_as_their_text() {
        let long = "x".repeat(INLINE + 1);
        let texts = [
            "",
            "a",
            "action",
            "é漢🦀",
            &"y".repeat(INLINE),
            &long,
            "\u{fffd}\u{fffd}\u{fffd}\u{fffd}\u{fffd}\u{fffd}\u{fffd}\u{fffd}\u{fffd}\u{fffd}",
        ];
        for text in texts {
            for made in [JsonStr::from(text), JsonStr::from(text.to_owned())] {
                assert_eq!(made.as_str(), text);
                assert_eq!(made, *text);
                assert_eq!(made.len(), text.len());
                assert_eq!(made.clone().into_string(), text);
                assert_eq!(format!("{made:?}"), format!("{text:?}"));
                assert_eq!(made.to_string(), text);
                let mut set = HashSet::new();
                set.insert(made.clone());
                assert!(set.contains(text), "{text:?} looked up as &str");
            }
        }
        // Short strings are held in place; longer ones keep their buffer.
        assert!(matches!(
            JsonStr::from("y".repeat(INLINE)).0,
            Repr::Inline { .. }
        ));
        let buffer = long.clone();
        let at = buffer.as_ptr();
        let kept = JsonStr::from(buffer);
        assert!(matches!(kept.0, Repr::Heap(_)));
        let back = kept.into_string();
        assert_eq!(back.as_ptr(), at);
        // A value is no larger for it: the tag's spare values are `Json`'s.
        assert_eq!(size_of::<JsonStr>(), 32);
        assert_eq!(size_of::<super::super::Json>(), 32);
        let (a, b) = (JsonStr::from("a"), JsonStr::from("b"));
        assert!(a < b && b.cmp(&a).is_gt());
        assert_eq!(JsonStr::default(), "");
    }
}
