//! JSON as the Python chanx reads and writes it.
//!
//! chanx parses frames with Python's `json.loads` and writes them with
//! `json.dumps` defaults, and pydantic validates the Python values in
//! between. [`Json`] holds what `json.loads` can produce (integers of any
//! size, `NaN` and infinities), so validation sees the same values chanx does.
//!
//! - [`parse`]: text to [`Json`], as `json.loads` (same errors, same messages);
//! - [`to_string`]: any `Serialize` value to text, as `json.dumps`;
//! - [`from_json`]: a [`Json`] to a generated type, through serde.

mod de;
mod dump;
pub mod map;
mod parse;
mod string;
mod value;
mod word;

pub use de::{DeError, from_json};
pub use dump::{DumpError, MAX_DUMP_DEPTH, to_frame, to_string, write_float_repr, write_string};
pub use map::{JsonHasher, JsonMap};
pub use parse::{
    DEFAULT_MAX_DEPTH, INT_MAX_STR_DIGITS, ParseError, ParseErrorKind, parse, parse_measured,
    parse_with_limit,
};
pub use string::JsonStr;
pub use value::Json;

/// Runs `work` on this thread's buffer in `slot`, kept between calls for
/// its capacity (a frame's parse or write otherwise allocates a fresh one
/// every time). The buffer is taken while `work` runs, so a nested call
/// starts an empty one. `emptied` clears it and says whether it is small
/// enough to keep for the next call.
fn with_reused<T: Default, R>(
    slot: &'static std::thread::LocalKey<std::cell::Cell<T>>,
    work: impl FnOnce(&mut T) -> R,
    emptied: impl FnOnce(&mut T) -> bool,
) -> R {
    let mut buffer = slot.take();
    let result = work(&mut buffer);
    if emptied(&mut buffer) {
        slot.set(buffer);
    }
    result
}

#[cfg(test)]
mod python_tests;

/// A frame's text for a group relay: as `json.dumps` writes it, wrapped so
/// the layer carries it untouched. A frame holding a non-finite float (not
/// valid JSON text, though Python writes it) goes as its `serde_json` form,
/// where such a float is `null`.
#[cfg(feature = "server")]
pub(crate) fn relay_text<T: serde::Serialize + ?Sized>(
    message: &T,
) -> Result<Box<serde_json::value::RawValue>, DumpError> {
    let text = to_frame(message)?;
    match serde_json::value::RawValue::from_string(text) {
        Ok(raw) => Ok(raw),
        Err(_) => {
            let value = crate::secret::masking(|| serde_json::to_value(message))
                .map_err(<DumpError as serde::ser::Error>::custom)?;
            serde_json::value::RawValue::from_string(to_string(&value)?)
                .map_err(<DumpError as serde::ser::Error>::custom)
        }
    }
}
