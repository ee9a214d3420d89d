//! String formats pydantic validates (dates, UUIDs, URLs, …), dispatched
//! by the JSON Schema `format` the document gives (see `crate::formats`).

use super::engine::{Exactness, State};
use super::errors::LineError;
use crate::formats::{self, FormatError};
use crate::json::Json;

/// The `maxLength` of pydantic's `HttpUrl` (and of its `WebsocketUrl`,
/// whose `ws`/`wss` schemes are then refused: `HttpUrl` is far more common).
const HTTP_URL_MAX_LENGTH: usize = 2083;

/// The validator name pydantic-core gives the type behind `format`; it
/// labels union choices in error locations.
pub fn validator_name(format: &str, constrained: bool) -> String {
    let ip = |kind: &str, class: &str| {
        format!(
            "lax-or-strict[lax=function-plain[ip_v{kind}_validator()],strict=json-or-python[json=function-after[{class}(), str],python=is-instance[{class}]]]"
        )
    };
    match format {
        "date" => "date".into(),
        "date-time" => "datetime".into(),
        "time" => "time".into(),
        "duration" => "timedelta".into(),
        f if f.starts_with("uuid") => "uuid".into(),
        "uri" => "function-wrap[wrap_val()]".into(),
        "ipv4" => ip("4_address", "IPv4Address"),
        "ipv6" => ip("6_address", "IPv6Address"),
        "ipv4network" => ip("4_network", "IPv4Network"),
        "ipv6network" => ip("6_network", "IPv6Network"),
        "ipv4interface" => ip("4_interface", "IPv4Interface"),
        "ipv6interface" => ip("6_interface", "IPv6Interface"),
        "ipvanyaddress" | "ipvanynetwork" | "ipvanyinterface" => {
            "function-plain[_validate()]".into()
        }
        "decimal" => "decimal".into(),
        "binary" if constrained => "constrained-bytes".into(),
        "binary" => "bytes".into(),
        _ => "str".into(),
    }
}

/// Validates `input` as the type behind `format`; a string of an unknown
/// format is a plain string.
pub fn validate(
    format: &str,
    input: &Json,
    min_length: Option<usize>,
    max_length: Option<usize>,
    st: &mut State,
) -> Result<Json, LineError> {
    let result = match format {
        "date" => formats::date(input),
        "date-time" => formats::datetime(input),
        "time" => formats::time(input),
        "duration" => formats::timedelta(input),
        "uuid" => formats::uuid(input, None),
        f if f.starts_with("uuid") => {
            let version = f[4..].parse::<u8>().ok();
            formats::uuid(input, version)
        }
        // `HttpUrl` is the URL type pydantic writes with `maxLength: 2083`.
        "uri" if max_length == Some(HTTP_URL_MAX_LENGTH) => {
            formats::url(input, max_length, Some(formats::HTTP_SCHEMES))
        }
        "uri" => formats::url(input, max_length, None),
        "ipv4" => formats::ipv4(input),
        "ipv6" => formats::ipv6(input),
        "ipvanyaddress" => formats::ip_any(input),
        "ipv4network" => formats::ipv4_network(input),
        "ipv6network" => formats::ipv6_network(input),
        "ipvanynetwork" => formats::ip_any_network(input),
        "ipv4interface" => formats::ipv4_interface(input),
        "ipv6interface" => formats::ipv6_interface(input),
        "ipvanyinterface" => formats::ip_any_interface(input),
        "binary" => formats::bytes(input, min_length, max_length),
        "decimal" => formats::decimal(input, None, None),
        _ => {
            return match input {
                Json::Str(_) => Ok(input.clone()),
                _ => Err(super::errors::simple("string_type")),
            };
        }
    };
    // In python mode every one of these is a coercion from a string.
    st.floor(Exactness::Lax);
    result.map_err(line_error)
}

fn line_error(error: FormatError) -> LineError {
    let mut line = LineError::new(error.kind, error.message);
    line.ctx = error.ctx;
    line
}
