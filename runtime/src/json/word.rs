//! Eight bytes of text checked at once (SWAR): the parser and the writer
//! both look for the bytes a JSON string cannot hold as they are.

/// The high bit of every byte.
pub(super) const HIGHS: u64 = 0x8080_8080_8080_8080;
const ONES: u64 = 0x0101_0101_0101_0101;

/// The high bit of each byte of the little-endian word equal to `byte`.
/// A byte after the first match may be marked falsely (the subtraction's
/// borrow runs on into the next byte), but none before it is.
#[inline]
pub(super) fn marks_byte(word: u64, byte: u8) -> u64 {
    let zeroed = word ^ (ONES * u64::from(byte));
    zeroed.wrapping_sub(ONES) & !zeroed & HIGHS
}

/// The high bit of each byte of the little-endian word that is `"`, `\`
/// or below 0x20; zero when there is none. Bytes after the first stop may
/// be marked falsely, but no byte before it is, so the lowest mark is
/// exact.
#[inline]
pub(super) fn stops(word: u64) -> u64 {
    // A byte below 0x20: subtracting 0x20 borrows into its high bit (for
    // bytes already >= 0x80 the `!word` mask clears the false hit).
    let control = word.wrapping_sub(ONES * 0x20) & !word & HIGHS;
    marks_byte(word, b'"') | marks_byte(word, b'\\') | control
}
