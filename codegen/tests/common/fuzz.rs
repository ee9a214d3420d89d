//! Mutation fuzzing of the loader and both generators, on stable Rust.
//!
//! Mutants of the seed documents (`specs/`, `tests/broken/`, `tests/corpus/`,
//! the shared corpus) are written to a scratch directory and run through the
//! whole pipeline (load, validate, model, Rust, TypeScript) on a worker
//! thread.
//! Half the mutants change the text (bytes, lines, splices of other seeds,
//! YAML anchors); the other half change the parsed document and write it
//! back as JSON (refs into themselves, nasty strings, copies of subtrees,
//! deep nesting, wide objects). A finding is a panic, an error without a
//! location, an emitter bug, generated code holding characters that end
//! comments or lines early, or an input that takes longer than the limit.
//!
//! The input being run is always at `scratch/current.*`, so one that aborts
//! the process (a stack overflow cannot be caught) is left behind.
//!
//! The test suite runs a short campaign (`codegen/tests/fuzz.rs`);
//! `chanx-bench fuzz` runs a long one and records its totals.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use chanx_codegen::internal::load_api;
use chanx_codegen::internal::source::{Limits, parse};
use chanx_codegen::{Code, Diagnostics, Options, Targets, generate};
use serde_json::{Map, Value};

/// Mutants larger than this are not run: the limits themselves are tested
/// elsewhere, and small inputs keep the executions many.
const MAX_MUTANT_BYTES: usize = 1 << 20;

/// What a campaign did.
#[derive(Debug, Default)]
pub struct Campaign {
    pub executions: u64,
    /// Mutants the pipeline refused with located errors.
    pub rejected: u64,
    /// How many refusals each error code led.
    pub refused_by: BTreeMap<String, u64>,
    /// Mutants that generated Rust and TypeScript.
    pub generated: u64,
    pub findings: Vec<Finding>,
    /// Inputs that ran longer than the limit (the campaign stops at the first).
    pub hangs: u64,
    pub slowest: Duration,
    pub elapsed: Duration,
}

/// An input that broke a rule, kept in the scratch directory.
#[derive(Debug)]
pub struct Finding {
    pub input: PathBuf,
    pub what: String,
}

/// How a campaign runs.
pub struct Settings {
    pub seeds: Vec<PathBuf>,
    pub scratch: PathBuf,
    /// Wall time for the whole campaign.
    pub budget: Duration,
    /// Wall time one input may take before it counts as a hang.
    pub per_input: Duration,
    pub seed: u64,
    /// An extra check of the generated Rust and TypeScript.
    pub check_output: fn(&str, &str) -> Result<(), String>,
}

/// The documents of `specs/` and `tests/broken/` under `repo`, and the
/// documents of the repository's corpus (`tests/corpus/`) and of the corpus
/// at `corpus` when it is there.
pub fn seed_documents(repo: &Path, corpus: &Path) -> Vec<PathBuf> {
    let mut seeds = Vec::new();
    for dir in [repo.join("specs"), repo.join("tests/broken")] {
        documents_in(&dir, false, &mut seeds);
    }
    documents_in(&repo.join("tests/corpus"), true, &mut seeds);
    documents_in(corpus, true, &mut seeds);
    seeds.sort();
    seeds
}

fn documents_in(dir: &Path, recurse: bool, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for path in entries.flatten().map(|e| e.path()) {
        if path.is_dir() {
            if recurse {
                documents_in(&path, true, out);
            }
            continue;
        }
        let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
        if matches!(ext, "yaml" | "yml" | "json")
            && std::fs::metadata(&path).is_ok_and(|m| m.len() < MAX_MUTANT_BYTES as u64)
        {
            out.push(path);
        }
    }
}

/// Runs mutants until the budget is spent or an input hangs.
pub fn run(settings: &Settings) -> Campaign {
    let mut campaign = Campaign::default();
    std::fs::create_dir_all(&settings.scratch).expect("create the scratch directory");
    let seeds: Vec<Seed> = settings
        .seeds
        .iter()
        .filter_map(|p| Seed::read(p))
        .collect();
    assert!(!seeds.is_empty(), "no seed documents");
    // The budget is the campaign's: reading the seeds (each one loaded, to
    // know which are valid) is not part of it.
    let started = Instant::now();
    let mut rng = Rng(settings.seed.max(1));
    let silent = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    while started.elapsed() < settings.budget {
        let (text, ext) = mutant(&seeds, &mut rng);
        if text.len() > MAX_MUTANT_BYTES {
            continue;
        }
        let input = settings.scratch.join(format!("current.{ext}"));
        if std::fs::write(&input, &text).is_err() {
            continue;
        }
        campaign.executions += 1;
        let ran = Instant::now();
        let outcome = run_one(&input, settings.per_input, settings.check_output);
        campaign.slowest = campaign.slowest.max(ran.elapsed());
        match outcome {
            Outcome::Generated => campaign.generated += 1,
            Outcome::Rejected(code) => {
                campaign.rejected += 1;
                *campaign.refused_by.entry(code).or_default() += 1;
            }
            Outcome::Finding(what) => {
                let kept = settings
                    .scratch
                    .join(format!("finding-{}.{ext}", campaign.findings.len()));
                let _ = std::fs::write(&kept, &text);
                campaign.findings.push(Finding { input: kept, what });
            }
            Outcome::Hang => {
                campaign.hangs += 1;
                let kept = settings.scratch.join(format!("hang.{ext}"));
                let _ = std::fs::write(&kept, &text);
                campaign.findings.push(Finding {
                    input: kept,
                    what: format!("ran longer than {:?}", settings.per_input),
                });
                // Its thread cannot be stopped; the campaign ends here.
                break;
            }
        }
    }
    std::panic::set_hook(silent);
    campaign.elapsed = started.elapsed();
    campaign
}

enum Outcome {
    Generated,
    /// Refused; the code of the first error.
    Rejected(String),
    Finding(String),
    Hang,
}

/// The pipeline on one input, on its own thread (8 MiB of stack, as a
/// program's main thread has).
fn run_one(input: &Path, limit: Duration, check: fn(&str, &str) -> Result<(), String>) -> Outcome {
    let (tx, rx) = mpsc::channel();
    let path = input.to_path_buf();
    let spawned = std::thread::Builder::new()
        .stack_size(8 << 20)
        .spawn(move || {
            let result = std::panic::catch_unwind(|| pipeline(&path, check));
            let outcome = match result {
                Ok(outcome) => outcome,
                Err(panic) => {
                    let message = panic
                        .downcast_ref::<&str>()
                        .map(|s| s.to_string())
                        .or_else(|| panic.downcast_ref::<String>().cloned())
                        .unwrap_or_default();
                    Outcome::Finding(format!("panic: {message}"))
                }
            };
            let _ = tx.send(outcome);
        });
    if spawned.is_err() {
        return Outcome::Rejected("no thread".into());
    }
    rx.recv_timeout(limit).unwrap_or(Outcome::Hang)
}

fn pipeline(path: &Path, check: fn(&str, &str) -> Result<(), String>) -> Outcome {
    let options = Options::default();
    // `chanx generate`'s pipeline, which builds the model and emits while
    // the document is validated: a refused mutant goes through the model
    // too, and a panic there is a finding like any other.
    let targets = Targets {
        rust: Some(PathBuf::new()),
        typescript: Some(PathBuf::new()),
    };
    let (rust, ts) = match generate(path, &options, &targets) {
        Ok(generated) => {
            let mut files = generated.files.into_iter().map(|file| file.contents);
            (
                files.next().unwrap_or_default(),
                files.next().unwrap_or_default(),
            )
        }
        Err(diags) if diags.errors().any(|d| d.code == Code::RustEmit) => {
            return emitter_failed("Rust", &diags);
        }
        Err(diags) if diags.errors().any(|d| d.code == Code::TsTemplate) => {
            return emitter_failed("TypeScript", &diags);
        }
        Err(diags) => return judge_errors(&diags),
    };
    if let Err(what) = safe_text(&rust, &ts).and_then(|()| check(&rust, &ts)) {
        return Outcome::Finding(what);
    }
    Outcome::Generated
}

/// Refused documents must say where each problem is.
fn judge_errors(diags: &Diagnostics) -> Outcome {
    if !diags.has_errors() {
        return Outcome::Finding(format!("refused without an error: {diags}"));
    }
    match diags.errors().find(|d| d.location.is_none()) {
        Some(d) => Outcome::Finding(format!("error without a location: {d}")),
        None => Outcome::Rejected(
            diags
                .errors()
                .next()
                .map(|d| d.code.as_str().to_string())
                .unwrap_or_default(),
        ),
    }
}

/// A model that loaded must generate: anything else is a bug in chanx.
fn emitter_failed(language: &str, diags: &Diagnostics) -> Outcome {
    let bug = diags.errors().any(|d| d.code == Code::RustEmit);
    Outcome::Finding(format!(
        "{language} generation failed{}: {diags}",
        if bug { " (emitter bug)" } else { "" }
    ))
}

/// Characters that would end a line or a comment early, or make code read
/// differently from what it is, never appear raw in generated code.
pub fn safe_text(rust: &str, ts: &str) -> Result<(), String> {
    let bad = |c: char| {
        (c.is_control() && c != '\n' && c != '\t')
            || matches!(c, '\u{2028}' | '\u{2029}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
    };
    for (language, text) in [("Rust", rust), ("TypeScript", ts)] {
        if let Some((line, c)) = text
            .lines()
            .enumerate()
            .find_map(|(i, l)| l.chars().find(|&c| bad(c)).map(|c| (i + 1, c)))
        {
            return Err(format!(
                "generated {language} holds {c:?} raw on line {line}"
            ));
        }
    }
    Ok(())
}

/// One seed: its text, its parsed value when it parses, and its extension.
struct Seed {
    text: String,
    value: Option<Value>,
    ext: &'static str,
    /// Whether the seed itself generates (mutants of these reach the emitters).
    valid: bool,
}

impl Seed {
    fn read(path: &Path) -> Option<Seed> {
        let text = std::fs::read_to_string(path).ok()?;
        let value = parse(&text, "seed", &Limits::default())
            .ok()
            .map(|f| f.value);
        let ext = if path.extension().is_some_and(|e| e == "json") {
            "json"
        } else {
            "yaml"
        };
        let valid = load_api(path, &Options::default()).is_ok();
        Some(Seed {
            text,
            value,
            ext,
            valid,
        })
    }
}

/// A mutant of a random seed: its text and extension.
fn mutant(seeds: &[Seed], rng: &mut Rng) -> (String, &'static str) {
    // Mostly seeds that generate, so most mutants get past the checks.
    let mut seed = &seeds[rng.below(seeds.len())];
    for _ in 0..4 {
        if seed.valid || rng.chance(1, 5) {
            break;
        }
        seed = &seeds[rng.below(seeds.len())];
    }
    match &seed.value {
        Some(value) if rng.chance(2, 3) => {
            let mut value = value.clone();
            if rng.chance(1, 2) {
                // Text where the document holds text: the document stays
                // valid, so the generators see it.
                for _ in 0..1 + rng.below(8) {
                    nasty_text(&mut value, rng);
                }
            } else {
                for _ in 0..1 + rng.below(4) {
                    mutate_value(&mut value, rng);
                }
            }
            let text = if rng.chance(1, 2) {
                serde_json::to_string_pretty(&value)
            } else {
                serde_json::to_string(&value)
            };
            (text.unwrap_or_default(), "json")
        }
        _ => {
            let mut bytes = seed.text.clone().into_bytes();
            for _ in 0..1 + rng.below(4) {
                mutate_text(&mut bytes, seeds, rng);
            }
            (String::from_utf8_lossy(&bytes).into_owned(), seed.ext)
        }
    }
}

/// Tokens that mean something to YAML, JSON, `$ref`s or the emitters.
const TOKENS: &[&str] = &[
    "$ref: '#/'",
    "$ref: '#'",
    "$ref: '#/channels'",
    "$ref: '#/components/schemas'",
    "$ref: /dev/zero",
    "$ref: ./missing.yaml",
    "$ref: 'http://example.com/x.yaml'",
    "\"$ref\": \"#/\"",
    "&a ",
    "*a",
    "<<: *a",
    "!!binary ",
    "!!str ",
    "---\n",
    "...\n",
    "{",
    "}",
    "[",
    "]",
    ": ",
    ", ",
    "- ",
    "\n",
    "\r",
    "\r\n",
    "\t",
    "#",
    "'",
    "\"",
    "\\",
    "~0",
    "~1",
    "*/",
    "/*",
    "//",
    "\u{2028}",
    "\u{2029}",
    "\u{202e}",
    "\u{0}",
    "\u{85}",
    "r#\"",
    "\"#",
    "${x}",
    "`",
    "{id}",
    "{",
    "1e999",
    "-0",
    "0x10",
    "18446744073709551616",
    "null",
    "true",
    "allOf",
    "oneOf",
    "anyOf",
    "enum",
    "const",
    "properties",
    "required",
    "additionalProperties",
    "items",
    "type: object",
    "type: [string, 'null']",
    "x-topic",
    "action",
    "address: /ws/{a}/{a}",
    "messages",
    "operations",
    "channels",
    "reply",
];

/// Strings that have broken code generators.
fn nasty_string(rng: &mut Rng) -> String {
    const NASTY: &[&str] = &[
        "a\rb",
        "a\r\nb",
        "line\u{2028}sep",
        "para\u{2029}sep",
        "*/ x /*",
        "end */",
        "\"#; fn main() {} r#\"",
        "\"",
        "'",
        "\\",
        "\\u0000",
        "\u{0}",
        "\u{1b}[31m",
        "\u{7f}",
        "\u{85}",
        "\u{202e}evil\u{202c}",
        "\u{2066}iso\u{2069}",
        "```rust\nfn x() {}\n```",
        "    indented code",
        "/// doc",
        "//! inner",
        "#[doc = \"x\"]",
        "{{ template }}",
        "{% raw %}",
        "</script>",
        "${injection}",
        "`tick`",
        "🦀 crab",
        "日本語",
        "",
        " ",
        "type",
        "self",
        "Self",
        "crate",
        "r#type",
        "__proto__",
        "constructor",
        "0",
        "-1",
        "1.5",
        "a/b~c",
        "{a}",
        "{}",
        "#/components",
        "x\u{feff}y",
        "\t",
    ];
    match rng.below(5) {
        0 => NASTY[rng.below(NASTY.len())].repeat(1 + rng.below(2000)),
        1 => (0..1 + rng.below(40))
            .map(|_| NASTY[rng.below(NASTY.len())])
            .collect(),
        2 => (0..1 + rng.below(64))
            .filter_map(|_| char::from_u32(rng.below(0x3000) as u32))
            .collect(),
        _ => NASTY[rng.below(NASTY.len())].to_string(),
    }
}

fn mutate_text(bytes: &mut Vec<u8>, seeds: &[Seed], rng: &mut Rng) {
    let at = rng.below(bytes.len() + 1);
    match rng.below(7) {
        0 if !bytes.is_empty() => {
            let end = (at + 1 + rng.below(64)).min(bytes.len());
            bytes.drain(at.min(end)..end);
        }
        1 => {
            let token = TOKENS[rng.below(TOKENS.len())].as_bytes();
            bytes.splice(at..at, token.iter().copied());
        }
        2 if !bytes.is_empty() => {
            // A slice repeated: wide mappings, long lines, repeated keys.
            let start = rng.below(bytes.len());
            let end = (start + 1 + rng.below(200)).min(bytes.len());
            let piece = bytes[start..end].to_vec();
            let times = 1 + rng.below(1 + MAX_MUTANT_BYTES / (2 * piece.len().max(1)));
            let times = times.min(1 + rng.below(500));
            let repeated: Vec<u8> = piece
                .iter()
                .copied()
                .cycle()
                .take(piece.len() * times)
                .collect();
            bytes.splice(start..start, repeated);
        }
        3 => {
            // A slice of another seed.
            let other = &seeds[rng.below(seeds.len())].text;
            let start = rng.below(other.len() + 1);
            let end = (start + rng.below(400)).min(other.len());
            bytes.splice(at..at, other.as_bytes()[start..end].iter().copied());
        }
        4 if !bytes.is_empty() => {
            let i = rng.below(bytes.len());
            bytes[i] = rng.below(256) as u8;
        }
        5 => {
            let nasty = nasty_string(rng);
            bytes.splice(at..at, nasty.into_bytes());
        }
        _ => {
            // A line indented more or less: YAML structure changes.
            let line_start = bytes[..at.min(bytes.len())]
                .iter()
                .rposition(|&b| b == b'\n')
                .map_or(0, |i| i + 1);
            if rng.chance(1, 2) {
                bytes.splice(line_start..line_start, *b"  ");
            } else if bytes.get(line_start) == Some(&b' ') {
                bytes.remove(line_start);
            }
        }
    }
}

/// Replaces a random string of the document (a title, a key, an enum
/// value, a const, an address) with a nasty one.
fn nasty_text(root: &mut Value, rng: &mut Rng) {
    let mut all = Vec::new();
    pointers(root, String::new(), &mut all);
    let strings: Vec<&String> = all
        .iter()
        .filter(|p| root.pointer(p).is_some_and(Value::is_string))
        .collect();
    if rng.chance(1, 3) {
        // A key: property, message, channel, operation or parameter names.
        let parent = all[rng.below(all.len())].clone();
        if let Some(Value::Object(map)) = root.pointer_mut(&parent)
            && !map.is_empty()
        {
            let index = rng.below(map.len());
            let key = map.keys().nth(index).cloned().unwrap_or_default();
            if !key.starts_with('$') && key != "asyncapi" {
                let child = map.shift_remove(&key).unwrap_or(Value::Null);
                map.insert(nasty_string(rng), child);
            }
        }
        return;
    }
    if strings.is_empty() {
        return;
    }
    let target = strings[rng.below(strings.len())].clone();
    let keep = ["/asyncapi", "$ref", "/action", "/type", "/version"];
    if keep.iter().any(|k| target.ends_with(k)) {
        return;
    }
    let nasty = nasty_string(rng);
    if let Some(Value::String(s)) = root.pointer_mut(&target) {
        if rng.chance(1, 2) {
            s.push_str(&nasty);
        } else {
            *s = nasty;
        }
    }
}

/// Pointers of every node of `value`, up to a few thousand.
fn pointers(value: &Value, at: String, out: &mut Vec<String>) {
    if out.len() > 4000 {
        return;
    }
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                pointers(
                    v,
                    format!("{at}/{}", k.replace('~', "~0").replace('/', "~1")),
                    out,
                );
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                pointers(v, format!("{at}/{i}"), out);
            }
        }
        _ => {}
    }
    out.push(at);
}

fn mutate_value(root: &mut Value, rng: &mut Rng) {
    let mut all = Vec::new();
    pointers(root, String::new(), &mut all);
    let target = all[rng.below(all.len())].clone();
    let other = all[rng.below(all.len())].clone();
    let donor = root.pointer(&other).cloned().unwrap_or(Value::Null);
    let Some(node) = root.pointer_mut(&target) else {
        return;
    };
    match rng.below(10) {
        // A ref to anywhere: itself, an ancestor, a descendant, a sibling.
        0 | 1 => {
            let pointer = match rng.below(3) {
                0 => target.clone(),
                1 => format!(
                    "{target}/{}",
                    ["properties", "0", "messages", "x"][rng.below(4)]
                ),
                _ => other.clone(),
            };
            *node = serde_json::json!({ "$ref": format!("#{pointer}") });
        }
        2 => *node = Value::String(nasty_string(rng)),
        3 => {
            *node = match rng.below(7) {
                0 => Value::Null,
                1 => serde_json::json!(1e308),
                2 => serde_json::json!(-0.0),
                3 => serde_json::json!(u64::MAX),
                4 => serde_json::json!([]),
                5 => serde_json::json!({}),
                _ => Value::Bool(rng.chance(1, 2)),
            }
        }
        4 => *node = donor,
        5 => {
            let keyword = ["allOf", "oneOf", "anyOf"][rng.below(3)];
            let copies = 1 + rng.below(8);
            let parts = vec![node.clone(); copies];
            *node = serde_json::json!({ keyword: parts });
        }
        6 => {
            if let Value::Object(map) = node
                && !map.is_empty()
            {
                let key = map
                    .keys()
                    .nth(rng.below(map.len()))
                    .cloned()
                    .unwrap_or_default();
                let child = map.shift_remove(&key).unwrap_or(Value::Null);
                if rng.chance(1, 2) {
                    map.insert(nasty_string(rng), child);
                }
            }
        }
        7 => {
            // Many siblings: a wide object or a long list.
            let copies = 1 + rng.below(300);
            match node {
                Value::Object(map) if !map.is_empty() => {
                    let (key, child) = map
                        .iter()
                        .next()
                        .map(|(k, v)| (k.clone(), v.clone()))
                        .unwrap_or_default();
                    for i in 0..copies {
                        map.insert(format!("{key}{i}"), child.clone());
                    }
                }
                Value::Array(items) if !items.is_empty() => {
                    let child = items[0].clone();
                    items.extend(std::iter::repeat_n(child, copies));
                }
                _ => {}
            }
        }
        8 => {
            // Deep nesting, around the depth limit.
            let depth = 1 + rng.below(140);
            let mut inner = node.take();
            for _ in 0..depth {
                let mut map = Map::new();
                map.insert(
                    ["properties", "items", "x", "allOf"][rng.below(4)].to_string(),
                    inner,
                );
                inner = Value::Object(map);
            }
            *node = inner;
        }
        _ => {
            if let Value::Object(map) = node {
                map.insert(
                    [
                        "description",
                        "title",
                        "summary",
                        "const",
                        "default",
                        "enum",
                        "address",
                        "pattern",
                    ][rng.below(8)]
                    .to_string(),
                    Value::String(nasty_string(rng)),
                );
            }
        }
    }
}

/// A small deterministic generator (xorshift64*): campaigns repeat exactly
/// for a given seed.
pub struct Rng(pub u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// A number in `0..n` (0 when `n` is 0).
    pub fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }

    fn chance(&mut self, k: usize, n: usize) -> bool {
        self.below(n) < k
    }
}
