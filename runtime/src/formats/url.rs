//! `uri`: pydantic's URL types, which parse with the Rust url crate (the
//! WHATWG URL standard) and write the crate's serialization.

use super::FormatError;
use crate::json::Json;

/// The schemes `AnyHttpUrl` and `HttpUrl` allow.
pub(crate) const HTTP_SCHEMES: &[&str] = &["http", "https"];

fn parsing(error: String) -> FormatError {
    FormatError {
        kind: "url_parsing",
        message: format!("Input should be a valid URL, {error}"),
        ctx: vec![("error", Json::from(error))],
    }
}

/// pydantic's list of schemes in a message: `'a'`, `'a' or 'b'`,
/// `'a', 'b' or 'c'`.
fn schemes_repr(schemes: &[&str]) -> String {
    let quoted: Vec<String> = schemes.iter().map(|s| format!("'{s}'")).collect();
    match quoted.split_last() {
        None => String::new(),
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
    }
}

/// `AnyUrl` (`{"type": "string", "format": "uri", "minLength": 1}`), and
/// with `allowed_schemes` = [`HTTP_SCHEMES`] `AnyHttpUrl` (same schema) or,
/// with `max_length` 2083 too, `HttpUrl` (`"maxLength": 2083`): the URL as
/// the url crate serializes it (`http://example.com/`).
///
/// `max_length` is the schema's `maxLength`, checked against the input's
/// UTF-8 length before parsing (pydantic's `url_too_long`); `minLength: 1`
/// is pydantic's "input is empty", checked here too.
pub(crate) fn url(
    input: &Json,
    max_length: Option<usize>,
    allowed_schemes: Option<&[&str]>,
) -> Result<Json, FormatError> {
    let Json::Str(text) = input else {
        return Err(FormatError::new(
            "url_type",
            "URL input should be a string or URL",
        ));
    };
    if let Some(max_length) = max_length
        && text.len() > max_length
    {
        return Err(FormatError {
            kind: "url_too_long",
            message: format!(
                "URL should have at most {max_length} character{}",
                if max_length == 1 { "" } else { "s" }
            ),
            ctx: vec![("max_length", Json::Int(max_length as i64))],
        });
    }
    if text.is_empty() {
        return Err(parsing("input is empty".to_owned()));
    }
    let url = ::url::Url::parse(text).map_err(|e| parsing(e.to_string()))?;
    if let Some(schemes) = allowed_schemes
        && !schemes.contains(&url.scheme())
    {
        let expected = schemes_repr(schemes);
        return Err(FormatError {
            kind: "url_scheme",
            message: format!("URL scheme should be {expected}"),
            ctx: vec![("expected_schemes", Json::from(expected))],
        });
    }
    Ok(Json::from(String::from(url)))
}
