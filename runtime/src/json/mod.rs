//! JSON as the Python chanx reads and writes it.
//!
//! chanx parses frames with Python's `json.loads` and writes them with
//! `json.dumps` defaults, and pydantic validates the Python values in
//! between. [`Json`] holds what `json.loads` can produce (integers of any
//! size, `NaN` and infinities), so validation sees the same values chanx does.

mod value;

pub use value::{Json, JsonMap};
