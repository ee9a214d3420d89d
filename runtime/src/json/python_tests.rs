//! Differential tests against the real thing: one `python3` process reads
//! every input with `json.loads` and writes every value with `json.dumps`,
//! and our parser and writer must agree byte for byte (error messages
//! included).
//!
//! Python's answers are normalised in one documented place only: lone
//! surrogates become U+FFFD (a Rust string cannot hold them). A typed description of each parsed value (ints
//! vs floats, `repr` of every float, `NaN` included) is compared as well.

use std::io::Write;
use std::process::{Command, Stdio};

use serde::Serialize;
use serde_json::{Value, json};

use super::{Json, parse, to_string, write_float_repr};

const SCRIPT: &str = r#"
import json, math, struct, sys

def fix_str(s):
    return ''.join('\ufffd' if 0xd800 <= ord(c) <= 0xdfff else c for c in s)

def fix(v):
    if isinstance(v, str):
        return fix_str(v)
    if isinstance(v, list):
        return [fix(x) for x in v]
    if isinstance(v, dict):
        out = {}
        for k, x in v.items():
            out[fix_str(k)] = fix(x)
        return out
    return v

def desc(v):
    if v is None or isinstance(v, bool):
        return json.dumps(v)
    if isinstance(v, int):
        return 'int:' + str(v)
    if isinstance(v, float):
        return 'float:' + repr(v)
    if isinstance(v, str):
        return 'str:' + fix_str(v)
    if isinstance(v, list):
        return ['list', [desc(x) for x in v]]
    return ['dict', [[fix_str(k), desc(x)] for k, x in v.items()]]

request = json.loads(sys.stdin.buffer.read().decode('utf-8'))
loads = []
for text in request['loads']:
    try:
        value = json.loads(text)
    except Exception as e:
        loads.append({'err': str(e), 'type': type(e).__name__})
    else:
        loads.append({'dumps': json.dumps(fix(value)), 'desc': json.dumps(desc(value))})
dumps = [json.dumps(json.loads(text)) for text in request['dumps']]
floats = [repr(struct.unpack('<d', struct.pack('<Q', int(bits)))[0]) for bits in request['floats']]
sys.stdout.write(json.dumps({'loads': loads, 'dumps': dumps, 'floats': floats}))
"#;

/// Runs the script over the request; `None` (after a loud notice) only when
/// there is no `python3` at all.
fn ask_python(request: &Value) -> Option<Value> {
    let child = Command::new("python3")
        .arg("-c")
        .arg(SCRIPT)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn();
    let mut child = match child {
        Ok(child) => child,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            eprintln!("\n!!!!! python3 not found: SKIPPING the differential JSON tests !!!!!\n");
            return None;
        }
        Err(e) => panic!("starting python3: {e}"),
    };
    let input = serde_json::to_vec(request).unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let writer = std::thread::spawn(move || stdin.write_all(&input));
    let output = child.wait_with_output().unwrap();
    writer.join().unwrap().unwrap();
    assert!(
        output.status.success(),
        "python3 failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    Some(serde_json::from_slice(&output.stdout).expect("python3 printed JSON"))
}

fn float_repr(f: f64) -> String {
    let mut out = String::new();
    write_float_repr(&mut out, f);
    out
}

/// The description the script builds, from our value.
fn describe(value: &Json) -> Value {
    match value {
        Json::Null => json!("null"),
        Json::Bool(b) => json!(b.to_string()),
        Json::Int(i) => json!(format!("int:{i}")),
        Json::BigInt(digits) => json!(format!("int:{digits}")),
        Json::Float(f) => json!(format!("float:{}", float_repr(*f))),
        Json::Str(s) => json!(format!("str:{s}")),
        Json::Array(items) => json!(["list", items.iter().map(describe).collect::<Vec<_>>()]),
        Json::Object(map) => json!([
            "dict",
            map.iter()
                .map(|(k, v)| json!([k, describe(v)]))
                .collect::<Vec<_>>()
        ]),
    }
}

/// Compares our reading of each input with Python's; returns how many
/// were errors, to check the corpus exercises both sides.
fn compare_loads(inputs: &[String], answers: &[Value]) -> usize {
    assert_eq!(inputs.len(), answers.len());
    let mut failures = Vec::new();
    let mut errors = 0;
    for (text, answer) in inputs.iter().zip(answers) {
        let ours = parse(text);
        match (&ours, answer.get("err")) {
            (Err(e), Some(expected)) => {
                errors += 1;
                if e.to_string() != expected.as_str().unwrap()
                    || e.kind.python_exception() != answer["type"]
                {
                    failures.push(format!(
                        "{text:?}\n  ours:   {} ({})\n  python: {} ({})",
                        e,
                        e.kind.python_exception(),
                        expected,
                        answer["type"]
                    ));
                }
            }
            (Ok(value), None) => {
                let dumped = to_string(value).unwrap();
                if dumped != answer["dumps"].as_str().unwrap() {
                    failures.push(format!(
                        "{text:?}\n  ours dumps:   {dumped}\n  python dumps: {}",
                        answer["dumps"]
                    ));
                }
                // As text: deep documents would exceed serde_json's nesting limit.
                let description = to_string(&describe(value)).unwrap();
                if description != answer["desc"].as_str().unwrap() {
                    failures.push(format!(
                        "{text:?}\n  ours:   {description}\n  python: {}",
                        answer["desc"]
                    ));
                }
            }
            (Ok(value), Some(expected)) => failures.push(format!(
                "{text:?}\n  ours:   parsed {value:?}\n  python: {expected}"
            )),
            (Err(e), None) => failures.push(format!(
                "{text:?}\n  ours:   {e}\n  python: {}",
                answer["dumps"]
            )),
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} inputs differ from Python:\n{}",
        failures.len(),
        inputs.len(),
        failures[..failures.len().min(30)].join("\n")
    );
    errors
}

/// Values, valid or not, that the corpus places in several contexts.
const FRAGMENTS: &[&str] = &[
    // Literals and near misses.
    "null",
    "true",
    "false",
    "NaN",
    "Infinity",
    "-Infinity",
    "nul",
    "tru",
    "fals",
    "nan",
    "inf",
    "-inf",
    "-NaN",
    "+1",
    "None",
    "True",
    "undefined",
    // Integers.
    "0",
    "-0",
    "7",
    "-7",
    "00",
    "-01",
    "9223372036854775807",
    "9223372036854775808",
    "-9223372036854775808",
    "-9223372036854775809",
    "18446744073709551615",
    "18446744073709551616",
    "123456789012345678901234567890",
    "-123456789012345678901234567890",
    // Floats.
    "0.0",
    "-0.0",
    "1.0",
    "1e5",
    "1E5",
    "1e+5",
    "1e-5",
    "1.5e-05",
    "0.0001",
    "0.00001",
    "1e16",
    "1e15",
    "1.5e16",
    "9999999999999998",
    "9999999999999998.0",
    "123456789012345678.0",
    "123456789.123456789",
    "5e-324",
    "2e-324",
    "1e-400",
    "1.7976931348623157e308",
    "1.7976931348623159e308",
    "1e400",
    "-1e400",
    "0.30000000000000004",
    "0.1",
    "100.0",
    "1.",
    "1.e1",
    ".5",
    "1e",
    "1e+",
    "1e-",
    "1ee5",
    "-",
    "--1",
    "1.5.5",
    "0x10",
    "1_000",
    "2.5E-3",
    "12345678901234567890e-10",
    // Strings.
    r#""""#,
    r#""a""#,
    r#""é😀中""#,
    r#""\u00e9\u00E9""#,
    r#""\ud83d\ude00""#,
    r#""\ud800""#,
    r#""\udc00""#,
    r#""\ud800\u0041""#,
    r#""\ud800\ud800""#,
    r#""\ude00\ud83d""#,
    r#""\ud800x""#,
    r#""\u0000\u001f\u007f""#,
    r#""\"\\\/\b\f\n\r\t""#,
    r#""/""#,
    "\"\u{7f}\u{2028}\u{feff}\"",
    "\"a\u{1}b\"",
    "\"a\tb\"",
    "\"a\nb\"",
    r#""\x41""#,
    r#""\'""#,
    r#""\u12""#,
    r#""\u123""#,
    r#""\u12g4""#,
    r#""\U0041""#,
    r#""\ud800\u12""#,
    r#""\ud800\uzzzz""#,
    r#""\ud800\""#,
    "\"abc",
    "\"abc\\",
    "\"\\u1234",
    "'single'",
    r#""\u0041\u0042""#,
    r#""tab	inside""#,
    // Containers.
    "[]",
    "{}",
    "[ ]",
    "{ }",
    "[1]",
    "[1,]",
    "[,1]",
    "[1 2]",
    "[1,,2]",
    "[",
    "]",
    "{",
    "}",
    r#"{"a"}"#,
    r#"{"a":}"#,
    r#"{"a":1,}"#,
    r#"{"a" 1}"#,
    r#"{a:1}"#,
    r#"{'a':1}"#,
    r#"{1:1}"#,
    r#"{"a":1 "b":2}"#,
    r#"{"a":1,"a":2}"#,
    r#"{"b":1,"a":2,"b":3}"#,
    r#"{"":0}"#,
    r#"[[[[]]]]"#,
    r#"[{"a":[{"b":{}}]}]"#,
    r#"{"a":[1,{"b":null}],"c":"d"}"#,
    "[1]]",
    "{}}",
    r#"{"é": "ü", "😀": [1.5]}"#,
    r#"[1, "two", 3.0, [4], {"five": 5}]"#,
    "[\"a\"\n,\n\"b\"]",
];

/// Places each fragment at the top level, inside containers, after
/// non-ASCII text and after newlines, so errors land at varied positions.
fn corpus() -> Vec<String> {
    let mut inputs = Vec::new();
    for fragment in FRAGMENTS {
        inputs.push(fragment.to_string());
        inputs.push(format!("[{fragment}]"));
        inputs.push(format!("{{\"k\": {fragment}}}"));
        inputs.push(format!(" \n\t[\"é😀\", \r\n  {fragment} ,\n\"ü\"]\n"));
        inputs.push(format!("{{\"中文\":\n [1, {fragment}]}}  "));
        inputs.push(format!("{fragment} "));
    }
    inputs.extend(
        [
            "",
            " ",
            "\n",
            " \t\r\n",
            "\u{feff}",
            "\u{feff}{}",
            "\u{a0}1",
            "\u{3000}[]",
            "1 2",
            "[] []",
            "{} x",
            "\"a\" \"b\"",
            "1\n\n   x",
            "[1]\n\n\n]",
            "\u{0}",
            "\u{b}1",
            "\u{c}1",
            "[1,\n 2,\n 3,\n]",
            "{\n  \"a\": 1,\n  \"b\": [\n    true,\n    fals\n  ]\n}",
            "\"é\" x",
            "[\"😀😀\" \"x\"]",
            "{\"😀\": 1 \"x\": 2}",
            "{\"a\": \"\u{1}\"}",
            "[\"\\ud83d\\ude00\", \"\\ud83d\\ude00\"]",
            "{\"\\ud800\": 1}",
            "{\"x\\ud800y\": [\"\\udfff\"]}",
        ]
        .map(String::from),
    );
    let nest = |depth: usize, open: &str, close: &str| open.repeat(depth) + &close.repeat(depth);
    inputs.push(nest(100, "[", "]"));
    inputs.push(nest(300, "[", "]"));
    inputs.push(nest(300, r#"{"a": "#, "}"));
    inputs.push(nest(200, r#"[{"a": "#, "}]"));
    inputs.push("[".repeat(300));
    inputs.push(r#"{"a": ["#.repeat(150));
    // Deeper than either side allows: both raise the recursion error.
    inputs.push("[".repeat(5000));
    inputs.push(nest(5000, "[", "]"));
    inputs.push(r#"{"a": "#.repeat(5000));
    // Integer size limit.
    inputs.push("1".repeat(4300));
    inputs.push("1".repeat(4301));
    inputs.push(format!("[-{}]", "9".repeat(5000)));
    inputs.push(format!("{}.5", "9".repeat(5000)));
    inputs.push(format!("[\"{}\", {}, x]", "é".repeat(50), "1".repeat(4400)));
    // Long strings around the eight-byte scan.
    for n in 0..20 {
        inputs.push(format!("\"{}\"", "x".repeat(n)));
        inputs.push(format!(
            "\"{}\\n{}\u{1}\"",
            "y".repeat(n),
            "é".repeat(n % 5)
        ));
        inputs.push(format!("\"{}", "z".repeat(n)));
    }
    inputs
}

#[test]
fn corpus_reads_and_writes_as_python() {
    let inputs = corpus();
    assert!(inputs.len() >= 300, "{} inputs", inputs.len());
    let Some(answer) = ask_python(&json!({"loads": inputs, "dumps": [], "floats": []})) else {
        return;
    };
    let errors = compare_loads(&inputs, answer["loads"].as_array().unwrap());
    assert!(
        errors > 100 && errors < inputs.len() - 100,
        "{errors} errors of {}",
        inputs.len()
    );
}

/// A small deterministic generator (splitmix64).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len())]
    }

    fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }
}

fn random_whitespace(rng: &mut Rng, out: &mut String) {
    if rng.chance(30) {
        for _ in 0..rng.below(3) + 1 {
            out.push(rng.pick(&[' ', '\t', '\n', '\r', ' ']));
        }
    }
}

fn random_digits(rng: &mut Rng, out: &mut String, count: usize) {
    for _ in 0..count {
        out.push((b'0' + rng.below(10) as u8) as char);
    }
}

fn random_number(rng: &mut Rng, out: &mut String) {
    match rng.below(10) {
        // Floats with the exact digits of a random double.
        0 | 1 => {
            let f = f64::from_bits(rng.next());
            if f.is_finite() {
                out.push_str(&if rng.chance(50) {
                    format!("{f:e}")
                } else {
                    format!("{f:?}")
                });
            } else {
                out.push_str("1e999");
            }
        }
        2 => out.push_str(rng.pick(&["NaN", "Infinity", "-Infinity", "-0.0", "0.0", "-0"])),
        _ => {
            if rng.chance(30) {
                out.push('-');
            }
            let digits = rng.pick(&[1, 1, 2, 5, 15, 18, 19, 20, 25, 40]);
            if digits == 1 || rng.chance(10) {
                random_digits(rng, out, 1);
            } else {
                out.push((b'1' + rng.below(9) as u8) as char);
                random_digits(rng, out, digits - 1);
            }
            if rng.chance(30) {
                out.push('.');
                let n = rng.below(20) + 1;
                random_digits(rng, out, n);
            }
            if rng.chance(25) {
                out.push(rng.pick(&['e', 'E']));
                if rng.chance(60) {
                    out.push(rng.pick(&['+', '-']));
                }
                let n = rng.below(3) + 1;
                random_digits(rng, out, n);
            }
        }
    }
}

fn random_string(rng: &mut Rng, out: &mut String, lone_surrogates: bool) {
    out.push('"');
    for _ in 0..rng.below(12) {
        match rng.below(14) {
            0 => {
                out.push_str(rng.pick(&[r"\n", r#"\""#, r"\\", r"\/", r"\b", r"\f", r"\r", r"\t"]))
            }
            1 => out.push_str(
                &format!("\\u{:04x}", rng.below(0x10000))
                    .replace(|c: char| !lone_surrogates && c == 'd', "0"),
            ),
            2 => out.push_str(rng.pick(&[r"\ud83d\ude00", r"\uD834\uDD1E", r"\u00e9"])),
            3 => out.push(rng.pick(&['é', '😀', '中', '\u{7f}', '\u{2028}', 'ü', '\u{10ffff}'])),
            4 => {
                let n = rng.below(30);
                for _ in 0..n {
                    out.push((b'a' + rng.below(26) as u8) as char);
                }
            }
            _ => match (b' ' + rng.below(95) as u8) as char {
                '"' | '\\' => out.push('q'),
                c => out.push(c),
            },
        }
    }
    out.push('"');
}

fn random_value(rng: &mut Rng, out: &mut String, depth: usize) {
    random_whitespace(rng, out);
    let choice = if depth >= 5 {
        rng.below(6)
    } else {
        rng.below(9)
    };
    match choice {
        0 => out.push_str(rng.pick(&["null", "true", "false"])),
        1 | 2 => random_number(rng, out),
        3..=5 => random_string(rng, out, true),
        6 | 7 => {
            out.push('[');
            let n = rng.below(5);
            for i in 0..n {
                if i > 0 {
                    out.push(',');
                }
                random_value(rng, out, depth + 1);
            }
            random_whitespace(rng, out);
            out.push(']');
        }
        _ => {
            out.push('{');
            let n = rng.below(5);
            for i in 0..n {
                if i > 0 {
                    out.push(',');
                }
                random_whitespace(rng, out);
                if rng.chance(70) {
                    out.push_str(rng.pick(&[r#""a""#, r#""b""#, r#""é""#, r#""\u00e9""#, r#""""#]));
                } else {
                    random_string(rng, out, false);
                }
                random_whitespace(rng, out);
                out.push(':');
                random_value(rng, out, depth + 1);
            }
            random_whitespace(rng, out);
            out.push('}');
        }
    }
    random_whitespace(rng, out);
}

/// Breaks a document in one place: a character removed, inserted or
/// replaced, or the rest cut off.
fn corrupt(rng: &mut Rng, text: &str) -> String {
    let boundaries: Vec<usize> = text
        .char_indices()
        .map(|(i, _)| i)
        .chain([text.len()])
        .collect();
    let at = rng.pick(&boundaries);
    let next = text[at..].chars().next().map_or(at, |c| at + c.len_utf8());
    let insert = rng.pick(&[
        ",", ":", "[", "]", "{", "}", "\"", "\\", " ", "x", "0", "-", ".", "e", "\n", "\u{1}", "é",
        "'",
    ]);
    match rng.below(4) {
        0 => format!("{}{}", &text[..at], &text[next..]),
        1 => format!("{}{insert}{}", &text[..at], &text[at..]),
        2 => format!("{}{insert}{}", &text[..at], &text[next..]),
        _ => text[..at].to_owned(),
    }
}

#[test]
fn random_documents_read_and_write_as_python() {
    let mut rng = Rng(0x5EED_C4A4);
    let mut inputs = Vec::new();
    while inputs.len() < 2000 {
        let mut text = String::new();
        random_value(&mut rng, &mut text, 0);
        if rng.chance(40) {
            text = corrupt(&mut rng, &text);
        }
        inputs.push(text);
    }
    let Some(answer) = ask_python(&json!({"loads": inputs, "dumps": [], "floats": []})) else {
        return;
    };
    let errors = compare_loads(&inputs, answer["loads"].as_array().unwrap());
    assert!(
        errors > 300 && errors < 1500,
        "{errors} errors of {}",
        inputs.len()
    );
}

#[test]
fn float_repr_matches_python_for_random_doubles() {
    let mut rng = Rng(42);
    let mut bits: Vec<u64> = (0..20_000).map(|_| rng.next()).collect();
    // Doubles with few digits, and around the layout switches.
    bits.extend((0..2_000).map(|i| (i as f64 * 0.1).to_bits()));
    for exponent in -330..=310 {
        for mantissa in [
            1.0,
            1.5,
            9.999999999999999,
            2.2250738585072014,
            4.940656458412465,
        ] {
            bits.push(
                format!("{mantissa}e{exponent}")
                    .parse::<f64>()
                    .unwrap()
                    .to_bits(),
            );
        }
    }
    bits.extend([0u64, 1 << 63, 1, u64::MAX >> 12, 0x7fef_ffff_ffff_ffff]);
    bits.retain(|b| f64::from_bits(*b).is_finite());
    let Some(answer) = ask_python(
        &json!({"loads": [], "dumps": [], "floats": bits.iter().map(u64::to_string).collect::<Vec<_>>()}),
    ) else {
        return;
    };
    let expected = answer["floats"].as_array().unwrap();
    let mismatches: Vec<String> = bits
        .iter()
        .zip(expected)
        .filter_map(|(bits, python)| {
            let ours = float_repr(f64::from_bits(*bits));
            (ours != python.as_str().unwrap())
                .then(|| format!("{bits:#x}: ours {ours}, python {python}"))
        })
        .collect();
    assert!(
        mismatches.is_empty(),
        "{} mismatches:\n{}",
        mismatches.len(),
        mismatches[..mismatches.len().min(20)].join("\n")
    );
}

#[derive(Serialize)]
#[serde(rename_all = "snake_case")]
enum Kind {
    Text,
    Image { width: u32, height: u32 },
    Link(String),
}

#[derive(Serialize)]
struct Attachment {
    kind: Kind,
    size: Option<u64>,
    ratio: f32,
}

#[derive(Serialize)]
struct ChatMessage {
    action: &'static str,
    text: String,
    score: f64,
    scores: Vec<f64>,
    big: u64,
    small: i64,
    flags: (bool, bool),
    attachments: Vec<Attachment>,
    meta: std::collections::BTreeMap<String, Option<i32>>,
    nothing: Option<String>,
}

#[test]
fn serialized_values_write_as_python_dumps() {
    let mut rng = Rng(7);
    let mut texts_ours = Vec::new();
    let mut texts_python = Vec::new();
    let mut add = |value: &dyn erased::Serializable| {
        texts_ours.push(value.ours());
        texts_python.push(value.serde_json());
    };
    for i in 0..50 {
        let message = ChatMessage {
            action: "chat_message",
            text: format!("héllo 😀 \"quoted\" \\ / \n\t\u{1}\u{7f} number {i}"),
            score: f64::from_bits(rng.next() >> 2),
            scores: (0..5)
                .map(|_| f64::from_bits(rng.next()) % 1e6)
                .filter(|f| f.is_finite())
                .collect(),
            big: u64::MAX - i,
            small: i64::MIN + i as i64,
            flags: (i % 2 == 0, i % 3 == 0),
            attachments: vec![
                Attachment {
                    kind: Kind::Text,
                    size: None,
                    ratio: 0.1,
                },
                Attachment {
                    kind: Kind::Image {
                        width: 640,
                        height: 480,
                    },
                    size: Some(i),
                    ratio: 1e20,
                },
                Attachment {
                    kind: Kind::Link("https://example.com/a?b=c".into()),
                    size: Some(0),
                    ratio: -0.0,
                },
            ],
            meta: [
                ("z".to_owned(), Some(1)),
                ("a".to_owned(), None),
                ("中".to_owned(), Some(-1)),
            ]
            .into(),
            nothing: None,
        };
        add(&message);
    }
    add(&json!({"empty_list": [], "empty_object": {}, "nested": [[], [{}], {"a": [[]]}]}));
    add(&json!([
        1e16,
        1e15,
        1e-5,
        0.0001,
        5e-324,
        1.7976931348623157e308,
        123456789012345678.0,
        -0.0,
        0.1
    ]));
    add(
        &json!({"\u{0}": "\u{1f}\u{20}\u{7e}\u{7f}\u{80}\u{ff}\u{100}\u{ffff}\u{10000}\u{10ffff}"}),
    );
    add(&json!(["astral 𝄞", "bmp \u{2028}\u{2029}", "", " "]));
    add(&json!(null));
    add(&json!("just a string"));
    add(&json!(-12.5));
    let Some(answer) = ask_python(&json!({"loads": [], "dumps": texts_python, "floats": []}))
    else {
        return;
    };
    for ((ours, input), python) in texts_ours
        .iter()
        .zip(&texts_python)
        .zip(answer["dumps"].as_array().unwrap())
    {
        assert_eq!(ours, python.as_str().unwrap(), "data: {input}");
    }
}

/// Object-safe access to the two writers, so the test can list values of
/// different types.
mod erased {
    use serde::Serialize;

    pub trait Serializable {
        fn ours(&self) -> String;
        fn serde_json(&self) -> String;
    }

    impl<T: Serialize> Serializable for T {
        fn ours(&self) -> String {
            crate::json::to_string(self).unwrap()
        }

        fn serde_json(&self) -> String {
            serde_json::to_string(self).unwrap()
        }
    }
}
