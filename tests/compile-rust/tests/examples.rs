//! Every message example of every document deserializes into the generated
//! payload type and serializes back to the same JSON.

use chanx_compile_rust::EXAMPLES;

/// Examples whose document contradicts itself or that the types cannot give
/// back byte for byte, by (document, message, example), with the reason.
const KNOWN: &[(&str, &str, &str, &str)] = &[
    (SLACK, "event", "0", SLACK_WHY),
    (SLACK, "event", "1", SLACK_WHY),
    (SLACK, "event", "2", SLACK_WHY),
    (KRAKEN_FILTER, "subscriptionStatus", "0", KRAKEN_WHY),
    (KRAKEN_FILTER, "subscriptionStatus", "1", KRAKEN_WHY),
    (KRAKEN_CHANNELS, "subscriptionStatus", "0", KRAKEN_WHY),
    (KRAKEN_CHANNELS, "subscriptionStatus", "1", KRAKEN_WHY),
];
const SLACK: &str = "corpus_asyncapi_generator_asyncapi_slack_client";
const SLACK_WHY: &str = "the example's event has properties its schema forbids \
    (`additionalProperties: false`, e.g. `is_ext_shared_channel`)";
const KRAKEN_FILTER: &str =
    "corpus_asyncapi_spec_kraken_websocket_request_reply_message_filter_in_reply_asyncapi";
const KRAKEN_CHANNELS: &str =
    "corpus_asyncapi_spec_kraken_websocket_request_reply_multiple_channels_asyncapi";
const KRAKEN_WHY: &str = "the example matches neither branch of the schema's `oneOf`";

/// JSON equality where numbers compare by value: `0` and `0.0` are the same
/// JSON number, and an `f64` field writes the latter.
fn same_json(a: &serde_json::Value, b: &serde_json::Value) -> bool {
    use serde_json::Value;
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => match (x.as_i64(), y.as_i64()) {
            (Some(x), Some(y)) => x == y,
            _ => x.as_f64() == y.as_f64(),
        },
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(x, y)| same_json(x, y))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k).is_some_and(|w| same_json(v, w)))
        }
        _ => a == b,
    }
}

#[test]
fn every_example_round_trips() {
    assert!(
        EXAMPLES.len() > 20,
        "examples were collected ({})",
        EXAMPLES.len()
    );
    let mut failures = Vec::new();
    let mut known_seen = Vec::new();
    for example in EXAMPLES {
        let json: serde_json::Value =
            serde_json::from_str(example.json).expect("examples are JSON");
        let outcome = (example.check)(json.clone()).and_then(|back| {
            if same_json(&back, &json) {
                Ok(())
            } else {
                Err(format!("comes back as {back}"))
            }
        });
        let key = (example.document, example.message, example.example);
        let known = KNOWN.iter().find(|(d, m, e, _)| (*d, *m, *e) == key);
        match (outcome, known) {
            (Ok(()), None) => {}
            (Ok(()), Some(_)) => failures.push(format!(
                "{key:?} is listed as known but now round-trips: remove it"
            )),
            (Err(why), None) => failures.push(format!("{key:?}: {} {why}", example.json)),
            (Err(_), Some(k)) => known_seen.push(k),
        }
    }
    assert!(
        failures.is_empty(),
        "{} example(s) fail:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert_eq!(
        known_seen.len(),
        KNOWN.len(),
        "every known case is still present"
    );
}
