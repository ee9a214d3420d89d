//! Loading a document and every file it `$ref`s, and resolving references.
//!
//! Files stay separate (no bundling): a node is addressed by [`NodeRef`] —
//! file and JSON pointer — so recursive schemas need no special handling and
//! every diagnostic can name the file and line a node really comes from.
//! Relative refs resolve against the directory of the file holding the
//! `$ref`, never the working directory.

use foldhash::{HashMap, HashSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use serde_json::{Map, Value};

use crate::diag::{Code, Diagnostic, Diagnostics, Location};
use crate::read::{ReadError, read_limited};
use crate::source::{self, Limits, ParsedFile};

/// How to treat `http(s)://` references.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RemoteRefs {
    /// URL prefix → local directory: `https://example.com/schemas/` served from
    /// an offline copy. Nothing is ever fetched over the network.
    pub mappings: Vec<(String, PathBuf)>,
}

/// Options for [`load`].
#[derive(Debug, Clone, Default)]
pub struct LoadOptions {
    pub limits: Limits,
    pub remote: RemoteRefs,
}

/// Index of a file in [`Document::files`]; the root document is always 0.
pub type FileId = usize;

/// A node of the document: a file and a JSON pointer inside it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct NodeRef {
    pub file: FileId,
    pub pointer: String,
}

impl NodeRef {
    pub fn new(file: FileId, pointer: impl Into<String>) -> Self {
        NodeRef {
            file,
            pointer: pointer.into(),
        }
    }

    /// The child at `token` (unescaped key or index).
    pub fn child(&self, token: &str) -> NodeRef {
        NodeRef::new(self.file, source::push_token(&self.pointer, token))
    }
}

/// One loaded file.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// Canonical path on disk (used to avoid loading a file twice).
    pub path: PathBuf,
    /// The path as shown to the user: relative to the working directory when possible.
    pub display: String,
    /// Shared, so the root file can be checked while the files it
    /// references are still being loaded (see [`RootFile::alone`]).
    pub parsed: Arc<ParsedFile>,
}

/// A document with all the files it references.
#[derive(Debug, Clone)]
pub struct Document {
    pub files: Vec<SourceFile>,
    /// Remote URL prefixes served from local copies.
    pub remote: RemoteRefs,
    /// Where each `$ref` of every file leads, worked out once when the
    /// document is loaded (see [`Resolver`]).
    resolved: HashMap<NodeRef, Result<NodeRef, RefError>>,
    /// Work left for "did you mean …?" hints (see [`Document::did_you_mean`]).
    suggestion_budget: SuggestionBudget,
}

/// Candidates and edit-distance cells all hints of one document may cost:
/// hints are a courtesy, so a document with a million misspelt names costs
/// no more than one with a few hundred.
const SUGGESTION_BUDGET: u64 = 20_000_000;

/// What is left of [`SUGGESTION_BUDGET`]; shared by the threads that
/// check a document and build its model.
#[derive(Debug)]
pub struct SuggestionBudget(AtomicU64);

impl SuggestionBudget {
    pub fn new() -> Self {
        SuggestionBudget(AtomicU64::new(SUGGESTION_BUDGET))
    }

    /// Takes `cost` from what is left; false (and nothing taken) when not enough is.
    fn take(&self, cost: u64) -> bool {
        self.0
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |left| {
                left.checked_sub(cost)
            })
            .is_ok()
    }
}

impl Default for SuggestionBudget {
    fn default() -> Self {
        Self::new()
    }
}

impl Clone for SuggestionBudget {
    fn clone(&self) -> Self {
        SuggestionBudget(AtomicU64::new(self.0.load(Ordering::Relaxed)))
    }
}

/// Names longer than this get no hint (and are no hint).
const SUGGESTION_MAX_CHARS: usize = 64;

/// Why a `$ref` could not be followed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RefError {
    /// A pointer token names nothing; the keys of `parent` are what exists
    /// at that level.
    NotFound {
        reference: String,
        missing: String,
        parent: Option<NodeRef>,
    },
    /// The ref names a file that could not be loaded (already reported when loading).
    FileNotLoaded { reference: String },
    /// Following the ref comes back to a ref still being followed: `cycle`
    /// holds those refs (the nodes holding them), in the order followed.
    /// The ref that hit the error is either one of them or leads into them.
    Cycle { cycle: Vec<NodeRef> },
    /// Following the ref takes more nested refs than [`MAX_REF_HOPS`].
    TooDeep,
    /// A remote URL with no local mapping.
    Remote { reference: String },
    /// A ref whose syntax we cannot follow (e.g. not a string).
    Invalid { reference: String, why: String },
}

impl RefError {
    /// The error as a diagnostic located at `at` (where the `$ref` is written).
    pub fn diagnostic(&self, doc: &Document, at: &NodeRef) -> Diagnostic {
        let (code, message, hint) = match self {
            RefError::NotFound {
                reference,
                missing,
                parent,
            } => {
                let keys = parent
                    .as_ref()
                    .and_then(|p| doc.raw(p))
                    .and_then(Value::as_object)
                    .into_iter()
                    .flat_map(|map| map.keys().map(String::as_str));
                (
                    Code::RefNotFound,
                    format!("$ref '{reference}' not found"),
                    doc.did_you_mean(missing, keys)
                        .map(|s| format!("did you mean '{s}'?")),
                )
            }
            RefError::FileNotLoaded { reference } => (
                Code::RefFileMissing,
                format!("$ref '{reference}': the file could not be loaded"),
                None,
            ),
            RefError::Cycle { cycle } => (Code::RefCycle, cycle_message(doc, at, cycle), None),
            RefError::TooDeep => (
                Code::RefTooDeep,
                format!(
                    "$ref '{}': reaching its value takes more than {MAX_REF_HOPS} nested references",
                    doc.ref_of(at).unwrap_or_default()
                ),
                None,
            ),
            RefError::Remote { reference } => (
                Code::RefRemote,
                format!("remote $ref '{reference}' is not fetched (chanx never uses the network)"),
                Some("map the URL to a local copy with --map-url PREFIX=DIR".to_string()),
            ),
            RefError::Invalid { reference, why } => {
                (Code::RefInvalid, format!("$ref '{reference}': {why}"), None)
            }
        };
        // At the reference string itself (the error is about its value);
        // the pointer still names the node holding it.
        let value = at.child("$ref");
        let location = if doc.raw(&value).is_some() {
            doc.location(&value)
        } else {
            doc.location(at)
        };
        let d = Diagnostic::error(code, message).at(location, at.pointer.clone());
        match hint {
            Some(h) => d.with_hint(h),
            None => d,
        }
    }
}

/// What a cycle of refs means for the ref at `at`: each other ref of the
/// cycle is named with its location, so every end of a loop can be found.
fn cycle_message(doc: &Document, at: &NodeRef, cycle: &[NodeRef]) -> String {
    let reference = doc.ref_of(at).unwrap_or_default();
    let describe = |node: &NodeRef| {
        let location = doc
            .location(node)
            .map(|l| format!("{}:{}:{}", l.file, l.line, l.col))
            .unwrap_or_default();
        format!(
            "the $ref at {location} ('{}')",
            doc.ref_of(node).unwrap_or_default()
        )
    };
    match cycle.iter().position(|node| node == at) {
        Some(_) if cycle.len() == 1 => format!(
            "$ref '{reference}' never reaches a value: the way to its target passes through this same $ref"
        ),
        Some(position) => {
            let others: Vec<String> = cycle[position + 1..]
                .iter()
                .chain(&cycle[..position])
                .map(describe)
                .collect();
            format!(
                "$ref '{reference}' never reaches a value: it leads to {}, which leads back here",
                others.join(", then to ")
            )
        }
        None => {
            let members: Vec<String> = cycle.iter().map(describe).collect();
            format!(
                "$ref '{reference}' never reaches a value: it leads into a cycle of $refs: {}, which leads back to the first",
                members.join(", then ")
            )
        }
    }
}

/// Closest candidate by edit distance, when close enough to be a likely
/// typo. Names over [`SUGGESTION_MAX_CHARS`] are left out; `budget` is
/// charged a unit per candidate and per cell of edit distance, and no
/// candidate is looked at once it is spent.
pub fn did_you_mean_within<'a>(
    wanted: &str,
    candidates: impl IntoIterator<Item = &'a str>,
    budget: &SuggestionBudget,
) -> Option<&'a str> {
    let wanted_len = wanted.chars().count();
    if wanted_len > SUGGESTION_MAX_CHARS {
        return None;
    }
    let wanted = wanted.to_lowercase();
    let mut best: Option<(usize, &'a str)> = None;
    for candidate in candidates {
        let len = candidate.chars().count();
        let cost = 1 + (len.min(SUGGESTION_MAX_CHARS) * wanted_len) as u64;
        if !budget.take(cost) {
            break;
        }
        let limit = (len.max(wanted_len) / 3).max(1);
        // The distance is at least the difference in length.
        if len > SUGGESTION_MAX_CHARS || len.abs_diff(wanted_len) > limit {
            continue;
        }
        let d = levenshtein(&wanted, &candidate.to_lowercase());
        if d <= limit && best.is_none_or(|(b, _)| d < b) {
            best = Some((d, candidate));
        }
    }
    best.map(|(_, c)| c)
}

/// [`did_you_mean_within`] with a budget of its own.
pub fn did_you_mean<'a>(wanted: &str, candidates: &'a [String]) -> Option<&'a str> {
    let budget = SuggestionBudget::new();
    did_you_mean_within(wanted, candidates.iter().map(String::as_str), &budget)
}

fn levenshtein(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = (prev + usize::from(ca != *cb)).min(row[j] + 1).min(cur + 1);
            prev = cur;
        }
    }
    row[b.len()]
}

/// Splits a JSON pointer into unescaped tokens (`~1` → `/`, `~0` → `~`).
pub fn pointer_tokens(pointer: &str) -> impl Iterator<Item = String> + '_ {
    pointer_tokens_raw(pointer).map(|t| unescape_token(t).into_owned())
}

/// [`pointer_tokens`] as written (escaped).
pub(crate) fn pointer_tokens_raw(pointer: &str) -> impl Iterator<Item = &str> {
    tokens(pointer).skip(1)
}

/// A JSON pointer token unescaped (`~1` → `/`, `~0` → `~`); most have no
/// `~`, and are looked at byte by byte (tokens are short: searching them
/// as text costs more than reading them).
pub(crate) fn unescape_token(token: &str) -> std::borrow::Cow<'_, str> {
    if token.bytes().any(|b| b == b'~') {
        token.replace("~1", "/").replace("~0", "~").into()
    } else {
        token.into()
    }
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    // Most references escape nothing: copied whole (a byte at a time, and
    // checked as UTF-8 again, was half the cost of following a reference).
    if memchr::memchr(b'%', bytes).is_none() {
        return s.to_owned();
    }
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            let hex = |b: u8| (b as char).to_digit(16);
            if let (Some(h), Some(l)) = (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                out.push((h * 16 + l) as u8);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// `value.pointer(pointer)` without a `String` per segment: a segment is
/// unescaped (`~1`, `~0`) only when it holds a `~`. Models read every node
/// through its pointer, so on a large document this walk is hot.
fn pointer_get<'a>(value: &'a Value, pointer: &str) -> Option<&'a Value> {
    let rest = pointer.strip_prefix('/')?;
    let mut target = value;
    for segment in tokens(rest) {
        target = pointer_step(target, segment)?;
    }
    Some(target)
}

/// A JSON pointer and each of its ancestors, nearest first, down to the
/// document's root `""`.
pub(crate) fn pointer_ancestors(pointer: &str) -> impl Iterator<Item = &str> {
    std::iter::successors(Some(pointer), |up| last_slash(up).map(|slash| &up[..slash]))
}

/// A JSON pointer's parent and its last (still escaped) token; `None` for
/// the root.
pub(crate) fn pointer_parent(pointer: &str) -> Option<(&str, &str)> {
    let slash = last_slash(pointer)?;
    Some((&pointer[..slash], &pointer[slash + 1..]))
}

/// Where the last `/` of `text` is, read a byte at a time from the end:
/// pointers are short, and `rfind`'s searcher cost several times as much
/// (the model asks for parents hundreds of thousands of times).
fn last_slash(text: &str) -> Option<usize> {
    text.as_bytes().iter().rposition(|&b| b == b'/')
}

/// The value one (still escaped) pointer token below `value`.
pub(crate) fn pointer_step<'a>(value: &'a Value, token: &str) -> Option<&'a Value> {
    let key = unescape_token(token);
    let key = key.as_ref();
    match value {
        Value::Object(map) => member(map, key),
        Value::Array(items) => items.get(array_index(key)?),
        _ => None,
    }
}

/// The `/`-separated tokens of `text`, found byte by byte (see
/// [`unescape_token`]).
fn tokens(text: &str) -> impl Iterator<Item = &str> {
    let mut rest = Some(text);
    std::iter::from_fn(move || {
        let text = rest?;
        match text.bytes().position(|b| b == b'/') {
            Some(at) => {
                rest = Some(&text[at + 1..]);
                Some(&text[..at])
            }
            None => {
                rest = None;
                Some(text)
            }
        }
    })
}

/// `map.get(key)`, reading small objects (most of them: a schema, its
/// properties) in order instead of hashing the key: pointers are walked
/// from the root for every node the model reads, and hashing each segment
/// was a tenth of generating a large document.
fn member<'a>(map: &'a Map<String, Value>, key: &str) -> Option<&'a Value> {
    if map.len() <= 8 {
        // Length and first byte first: most keys differ there, and the
        // full comparison is a call (`$ref` is asked of every schema read).
        let first = key.as_bytes().first();
        map.iter()
            .find(|(k, _)| {
                k.len() == key.len() && k.as_bytes().first() == first && k.as_str() == key
            })
            .map(|(_, v)| v)
    } else {
        map.get(key)
    }
}

/// [`member`] as a method: what the model's builders and the checks read
/// a schema's keywords with (`type`, `properties`, `enum`, …), on objects
/// of a few keys, where serde_json's `get` hashes the key with SipHash.
pub(crate) trait Members {
    /// The value of `key`, if this is an object that has it.
    fn member(&self, key: &str) -> Option<&Value>;

    /// Whether this is an object that has `key`.
    fn has(&self, key: &str) -> bool {
        self.member(key).is_some()
    }
}

impl Members for Map<String, Value> {
    fn member(&self, key: &str) -> Option<&Value> {
        member(self, key)
    }
}

impl Members for Value {
    fn member(&self, key: &str) -> Option<&Value> {
        member(self.as_object()?, key)
    }
}

/// The `$ref` string `value` holds, if it is a Reference Object.
pub(crate) fn reference_in(value: &Value) -> Option<&str> {
    value.member("$ref")?.as_str()
}

/// An array index as JSON Pointer writes it (no sign, no leading zero).
fn array_index(token: &str) -> Option<usize> {
    if token.starts_with('+') || (token.starts_with('0') && token.len() > 1) {
        return None;
    }
    token.parse().ok()
}

fn is_remote(reference: &str) -> bool {
    reference.starts_with("http://") || reference.starts_with("https://")
}

/// Maximum `$ref` hops followed before declaring a cycle.
const MAX_REF_HOPS: usize = 64;

impl Document {
    pub fn root(&self) -> NodeRef {
        NodeRef::new(0, "")
    }

    /// Every file read, for `cargo:rerun-if-changed`.
    pub fn paths(&self) -> impl Iterator<Item = &Path> {
        self.files.iter().map(|f| f.path.as_path())
    }

    /// The raw value at `node` (no `$ref` followed).
    pub fn raw(&self, node: &NodeRef) -> Option<&Value> {
        let file = self.files.get(node.file)?;
        if node.pointer.is_empty() {
            return Some(&file.parsed.value);
        }
        pointer_get(&file.parsed.value, &node.pointer)
    }

    /// Where the key naming `node` is written (for an error about the key:
    /// not allowed, misspelt), or where `node` is when it has no key.
    pub fn key_location(&self, node: &NodeRef) -> Option<Location> {
        let file = self.files.get(node.file)?;
        match file.parsed.positions.key(&node.pointer) {
            Some((line, col)) => Some(Location {
                file: file.display.clone(),
                line,
                col,
            }),
            None => self.location(node),
        }
    }

    /// Where `node` is written: its own position, or its nearest ancestor's.
    pub fn location(&self, node: &NodeRef) -> Option<Location> {
        let file = self.files.get(node.file)?;
        let (line, col) = pointer_ancestors(&node.pointer)
            .find_map(|pointer| file.parsed.positions.get(pointer))
            .unwrap_or((1, 1));
        Some(Location {
            file: file.display.clone(),
            line,
            col,
        })
    }

    /// The `$ref` string of `node`, if `node` is a Reference Object.
    pub fn ref_of(&self, node: &NodeRef) -> Option<&str> {
        reference_in(self.raw(node)?)
    }

    /// Where `reference`, written at `from`, points: one hop, so the target
    /// may be another ref (the bundler keeps refs as refs).
    pub fn target_of(&self, from: &NodeRef, reference: &str) -> Result<NodeRef, RefError> {
        Resolver::new(self).target_of(from, reference)
    }

    /// Follows `$ref`s from `node` until a non-reference value.
    pub fn resolve(&self, node: &NodeRef) -> Result<NodeRef, RefError> {
        // The table holds every ref of a loaded document, and only refs:
        // looked at first, a ref is not walked to from its file's root.
        if let Some(found) = self.resolved.get(node) {
            return found.clone();
        }
        if self.ref_of(node).is_none() {
            return Ok(node.clone());
        }
        // A node the table was not built with.
        Resolver::new(self).follow(node)
    }

    /// Resolves `node` and returns its value.
    pub fn value(&self, node: &NodeRef) -> Result<(NodeRef, &Value), RefError> {
        // Most nodes are no reference: one walk from the root, not three.
        if let Some(value) = self.raw(node)
            && reference_in(value).is_none()
        {
            return Ok((node.clone(), value));
        }
        let target = self.resolve(node)?;
        let value = self.raw(&target).ok_or_else(|| RefError::NotFound {
            reference: target.pointer.clone(),
            missing: target.pointer.clone(),
            parent: None,
        })?;
        Ok((target, value))
    }

    /// The closest of `candidates` to `wanted` (see [`did_you_mean_within`]),
    /// from the budget all hints of this document share.
    pub fn did_you_mean<'a>(
        &self,
        wanted: &str,
        candidates: impl IntoIterator<Item = &'a str>,
    ) -> Option<&'a str> {
        did_you_mean_within(wanted, candidates, &self.suggestion_budget)
    }

    /// The file id of an already loaded canonical path.
    fn file_id(&self, path: &Path) -> Option<FileId> {
        let canonical = path.canonicalize().ok()?;
        self.files.iter().position(|f| f.path == canonical)
    }
}

/// Works out where refs lead, each ref once.
///
/// A ref's target is found by walking its pointer from the top of a file,
/// and any node on the way may itself be a ref, to be followed first: the
/// pointer of `channels: {$ref: '#/channels/x'}` runs through the ref
/// itself. Refs being followed are kept on a stack, so such a ref, or two
/// that point into each other's targets, is a cycle instead of endless
/// recursion; the stack is bounded ([`MAX_REF_HOPS`]), and each result is
/// kept, so work stays proportional to the refs and their pointers however
/// they point into each other.
struct Resolver<'d> {
    doc: &'d Document,
    done: HashMap<NodeRef, Result<NodeRef, RefError>>,
    /// The refs being followed, outermost first.
    active: Vec<NodeRef>,
    /// The file each path a ref names is, found once (finding it asks the
    /// file system).
    files: HashMap<PathBuf, Option<FileId>>,
}

impl<'d> Resolver<'d> {
    fn new(doc: &'d Document) -> Self {
        Resolver {
            doc,
            done: HashMap::default(),
            active: Vec::new(),
            files: HashMap::default(),
        }
    }

    /// Where the ref at `node` (a Reference Object) finally leads.
    fn follow(&mut self, node: &NodeRef) -> Result<NodeRef, RefError> {
        let doc = self.doc;
        self.follow_at(node, doc.raw(node))
    }

    /// [`Resolver::follow`] for a node whose value (`doc.raw(node)`) is
    /// already in hand: the refs of a file are found by walking its tree,
    /// and a pointer is walked a step at a time, so neither is walked again
    /// from the root of its file.
    fn follow_at(&mut self, node: &NodeRef, value: Option<&'d Value>) -> Result<NodeRef, RefError> {
        let Some(reference) = value.and_then(reference_in) else {
            return Ok(node.clone());
        };
        if let Some(found) = self.doc.resolved.get(node).or_else(|| self.done.get(node)) {
            return found.clone();
        }
        if let Some(position) = self.active.iter().position(|n| n == node) {
            return Err(RefError::Cycle {
                cycle: self.active[position..].to_vec(),
            });
        }
        if self.active.len() >= MAX_REF_HOPS {
            return Err(RefError::TooDeep);
        }
        self.active.push(node.clone());
        let result = self
            .target_at(node, reference)
            .and_then(|(target, value)| self.follow_at(&target, value));
        self.active.pop();
        self.done.insert(node.clone(), result.clone());
        result
    }

    /// Where `reference`, written at `from`, points: one hop, so the
    /// target may be another ref.
    fn target_of(&mut self, from: &NodeRef, reference: &str) -> Result<NodeRef, RefError> {
        self.target_at(from, reference).map(|(target, _)| target)
    }

    /// [`Resolver::target_of`], with the target's value (`None` when the
    /// last token names an array index `doc.raw` would not read, such as
    /// `01`).
    fn target_at(
        &mut self,
        from: &NodeRef,
        reference: &str,
    ) -> Result<(NodeRef, Option<&'d Value>), RefError> {
        let doc = self.doc;
        let (file_part, fragment) = match reference.split_once('#') {
            Some((f, frag)) => (f, frag),
            None => (reference, ""),
        };
        let file = if file_part.is_empty() {
            from.file
        } else {
            let base = &doc.files[from.file].path;
            let path = match target_path(base, file_part, Some(&doc.remote)) {
                Some(p) => p,
                None => {
                    return Err(RefError::Remote {
                        reference: reference.to_string(),
                    });
                }
            };
            let id = match self.files.get(&path) {
                Some(&id) => id,
                None => {
                    let id = doc.file_id(&path);
                    self.files.insert(path, id);
                    id
                }
            };
            id.ok_or_else(|| RefError::FileNotLoaded {
                reference: reference.to_string(),
            })?
        };
        let fragment = percent_decode(fragment);
        if !fragment.is_empty() && !fragment.starts_with('/') {
            return Err(RefError::Invalid {
                reference: reference.to_string(),
                why: "only JSON-pointer fragments ('#/...') are supported".into(),
            });
        }
        // The pointer is walked from the top, following refs met on the
        // way, so it may pass through a part that comes from another file.
        // Room for the whole pointer (escapes aside) up front: grown a
        // token at a time, it was reallocated three or four times a ref.
        let mut at = NodeRef::new(file, String::with_capacity(fragment.len()));
        let mut value = doc.files.get(file).map(|f| &f.parsed.value);
        // Tokens are unescaped only where they hold an escape (a string
        // each was a tenth of following a reference).
        for token in pointer_tokens_raw(&fragment).map(unescape_token) {
            if value.is_some_and(|v| reference_in(v).is_some()) {
                let resolved = self.follow_at(&at, value)?;
                value = doc.raw(&resolved);
                at = resolved;
            }
            let child = match value {
                Some(Value::Object(map)) => member(map, &token).map(Some),
                Some(Value::Array(items)) => token
                    .parse::<usize>()
                    .ok()
                    .filter(|&i| i < items.len())
                    .map(|_| array_index(&token).and_then(|i| items.get(i))),
                _ => None,
            };
            let Some(child) = child else {
                return Err(RefError::NotFound {
                    reference: reference.to_string(),
                    missing: token.into_owned(),
                    parent: Some(at),
                });
            };
            source::append_token(&mut at.pointer, &token);
            value = child;
        }
        Ok((at, value))
    }
}

/// The local file a ref's file part names, or `None` for an unmapped remote URL.
fn target_path(base_file: &Path, file_part: &str, remote: Option<&RemoteRefs>) -> Option<PathBuf> {
    let file_part = percent_decode(file_part);
    if is_remote(&file_part) {
        return remote?.mappings.iter().find_map(|(prefix, dir)| {
            file_part
                .strip_prefix(prefix.as_str())
                .map(|rest| dir.join(rest))
        });
    }
    let file_part = file_part.strip_prefix("file://").unwrap_or(&file_part);
    let dir = base_file.parent().unwrap_or(Path::new("."));
    Some(dir.join(file_part))
}

/// Drops `.` components and folds `dir/..` for display (the path may not exist).
fn tidy(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for part in path.components() {
        match part {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir if out.file_name().is_some() => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

fn display_path(path: &Path) -> String {
    let path = &tidy(path);
    let cwd = std::env::current_dir()
        .ok()
        .and_then(|c| c.canonicalize().ok());
    if let Some(cwd) = cwd
        && let Ok(rel) = path.strip_prefix(&cwd)
    {
        return rel.display().to_string();
    }
    path.display().to_string()
}

/// Reads and parses one file: a regular file of at most the size limit,
/// never more than that read (see [`crate::read`]).
fn read_file(path: &Path, display: &str, limits: &Limits) -> Result<ParsedFile, Diagnostic> {
    let bytes = read_limited(path, limits.max_file_bytes).map_err(|e| {
        let code = match e {
            ReadError::Io(_) | ReadError::Directory => Code::Io,
            ReadError::NotRegular(_) => Code::NotAFile,
            ReadError::TooLarge { .. } => Code::FileTooLarge,
        };
        Diagnostic::error(code, format!("{display}: {e}"))
    })?;
    let text = String::from_utf8(bytes).map_err(|e| {
        let offset = e.utf8_error().valid_up_to();
        let bytes = e.as_bytes();
        let byte = bytes[offset];
        // The text before the bad byte is valid: count lines and characters in it.
        let before = std::str::from_utf8(&bytes[..offset]).unwrap_or_default();
        let line = before.matches('\n').count() + 1;
        let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
        Diagnostic::error(
            Code::NotUtf8,
            format!(
                "not UTF-8 text: byte 0x{byte:02x} (at offset {offset}) starts no UTF-8 character"
            ),
        )
        .at(
            Some(crate::diag::Location {
                file: display.to_string(),
                line: u32::try_from(line).unwrap_or(u32::MAX),
                col: u32::try_from(col).unwrap_or(u32::MAX),
            }),
            "",
        )
        .with_hint("save the file as UTF-8; is this a binary file?")
    })?;
    source::parse(&text, display, limits)
}

/// A `$ref` found in a file: the pointer of the object holding it, the
/// reference, and that object.
type FoundRef<'v> = (String, &'v str, &'v Value);

/// Collects the `$ref`s in a value: all of them, or with `to_other_files`
/// only those naming a file. The walk keeps the path as steps and writes a
/// pointer only for a ref it keeps (writing every node's pointer as it
/// went was most of the walk's cost), and does not descend into scalars.
fn collect_refs<'v>(
    value: &'v Value,
    path: &mut Vec<Step<'v>>,
    to_other_files: bool,
    out: &mut Vec<FoundRef<'v>>,
) {
    let holds_refs = |v: &Value| matches!(v, Value::Object(_) | Value::Array(_));
    match value {
        Value::Object(map) => {
            if let Some(Value::String(r)) = member(map, "$ref")
                && !(to_other_files && r.starts_with('#'))
            {
                out.push((pointer_of(path), r, value));
            }
            for (k, v) in map.iter().filter(|(_, v)| holds_refs(v)) {
                path.push(Step::Key(k));
                collect_refs(v, path, to_other_files, out);
                path.pop();
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate().filter(|(_, v)| holds_refs(v)) {
                path.push(Step::Index(i));
                collect_refs(v, path, to_other_files, out);
                path.pop();
            }
        }
        _ => {}
    }
}

/// One step from a node to a child: a member's key or an item's index.
enum Step<'v> {
    Key(&'v str),
    Index(usize),
}

/// The JSON pointer of the node `path` leads to from the root.
fn pointer_of(path: &[Step<'_>]) -> String {
    // Sized once (escapes and long indexes aside) rather than grown a
    // token at a time.
    let len = path
        .iter()
        .map(|step| match step {
            Step::Key(key) => key.len() + 1,
            Step::Index(_) => 4,
        })
        .sum();
    let mut pointer = String::with_capacity(len);
    for step in path {
        match step {
            Step::Key(key) => source::append_token(&mut pointer, key),
            Step::Index(index) => {
                pointer.push('/');
                let _ = write!(pointer, "{index}");
            }
        }
    }
    pointer
}

/// Loads `path` and every local file it references, transitively.
///
/// Returns the document and non-fatal diagnostics, or every error found.
/// Unresolvable refs inside loaded files are reported here (located at the
/// `$ref`), so later stages can assume loading problems were already said.
pub fn load(path: &Path, options: &LoadOptions) -> Result<(Document, Diagnostics), Diagnostics> {
    match load_collecting(path, options) {
        (Some(doc), diags) if !diags.has_errors() => Ok((doc, diags)),
        (_, diags) => Err(diags),
    }
}

/// Like [`load`], but keeps the document when some of its refs are broken,
/// so later checks can still report everything else in the same run.
/// The document is `None` only when the root file itself cannot be parsed.
pub(crate) fn load_collecting(
    path: &Path,
    options: &LoadOptions,
) -> (Option<Document>, Diagnostics) {
    match read_root(path, options) {
        Ok(root) => {
            let (doc, diags) = load_references(root, options);
            (Some(doc), diags)
        }
        Err(diags) => (None, diags),
    }
}

/// A document's root file, parsed, before the files it references are.
pub(crate) struct RootFile {
    canonical: PathBuf,
    display: String,
    parsed: Arc<ParsedFile>,
}

impl RootFile {
    /// A document of the root file alone, its references not followed:
    /// what the checks of the root file's own text (its version, the
    /// AsyncAPI meta-schema) read, so they can start before the rest is
    /// loaded.
    pub fn alone(&self, options: &LoadOptions) -> Document {
        Document {
            files: vec![SourceFile {
                path: self.canonical.clone(),
                display: self.display.clone(),
                parsed: Arc::clone(&self.parsed),
            }],
            remote: options.remote.clone(),
            resolved: HashMap::default(),
            suggestion_budget: SuggestionBudget::new(),
        }
    }
}

/// Reads and parses the root file of the document at `path`.
pub(crate) fn read_root(path: &Path, options: &LoadOptions) -> Result<RootFile, Diagnostics> {
    let display = path.display().to_string();
    let canonical = match path.canonicalize() {
        Ok(c) => c,
        Err(e) => {
            let d = Diagnostic::error(Code::Io, format!("{display}: cannot read file: {e}"));
            return Err(d.into());
        }
    };
    match read_file(&canonical, &display, &options.limits) {
        Ok(parsed) => Ok(RootFile {
            canonical,
            display,
            parsed: Arc::new(parsed),
        }),
        Err(d) => Err(d.into()),
    }
}

/// Loads every file the already parsed root references, transitively, and
/// reports each ref that cannot be followed.
pub(crate) fn load_references(root: RootFile, options: &LoadOptions) -> (Document, Diagnostics) {
    let mut diags = Diagnostics::default();
    let mut doc = Document {
        files: vec![SourceFile {
            path: root.canonical,
            display: root.display,
            parsed: root.parsed,
        }],
        remote: options.remote.clone(),
        resolved: HashMap::default(),
        suggestion_budget: SuggestionBudget::new(),
    };
    let mut index: HashMap<PathBuf, FileId> =
        [(doc.files[0].path.clone(), 0)].into_iter().collect();
    let mut failed: HashSet<PathBuf> = HashSet::default();
    let mut canonical_paths: HashMap<PathBuf, Option<PathBuf>> = HashMap::default();
    let mut next = 0;
    while next < doc.files.len() {
        let mut refs = Vec::new();
        collect_refs(
            &doc.files[next].parsed.value,
            &mut Vec::new(),
            true,
            &mut refs,
        );
        let mut to_load = Vec::new();
        for (pointer, reference, _) in refs {
            let file_part = reference.split_once('#').map_or(reference, |(f, _)| f);
            if file_part.is_empty() {
                continue;
            }
            let at = NodeRef::new(next, pointer);
            match target_path(&doc.files[next].path, file_part, Some(&options.remote)) {
                None => diags.push(
                    RefError::Remote {
                        reference: reference.to_string(),
                    }
                    .diagnostic(&doc, &at),
                ),
                Some(target) => to_load.push((at, reference.to_string(), target)),
            }
        }
        for (at, reference, target) in to_load {
            // Many refs name the same few files: each path is looked up once.
            let canonical = canonical_paths
                .entry(target.clone())
                .or_insert_with(|| target.canonicalize().ok())
                .clone();
            let canonical = match canonical {
                Some(c) => c,
                None => {
                    diags.push(
                        Diagnostic::error(
                            Code::RefFileMissing,
                            format!(
                                "$ref '{reference}': file '{}' does not exist",
                                display_path(&target)
                            ),
                        )
                        .at(doc.location(&at), at.pointer.clone()),
                    );
                    continue;
                }
            };
            if index.contains_key(&canonical) || failed.contains(&canonical) {
                continue;
            }
            if doc.files.len() >= options.limits.max_files {
                diags.push(
                    Diagnostic::error(
                        Code::TooManyFiles,
                        format!("more than {} files referenced", options.limits.max_files),
                    )
                    .at(doc.location(&at), at.pointer.clone()),
                );
                failed.insert(canonical);
                continue;
            }
            let display = display_path(&canonical);
            match read_file(&canonical, &display, &options.limits) {
                Ok(parsed) => {
                    index.insert(canonical.clone(), doc.files.len());
                    doc.files.push(SourceFile {
                        path: canonical,
                        display,
                        parsed: Arc::new(parsed),
                    });
                }
                Err(mut d) => {
                    if d.location.is_none() {
                        d = d.at(doc.location(&at), at.pointer.clone());
                    }
                    diags.push(d);
                    failed.insert(canonical);
                }
            }
        }
        next += 1;
    }
    // Every ref is followed once, and must land somewhere; each one that
    // does not is reported where it is written.
    let mut resolver = Resolver::new(&doc);
    let mut reported = Vec::new();
    for file in 0..doc.files.len() {
        let mut refs = Vec::new();
        collect_refs(
            &doc.files[file].parsed.value,
            &mut Vec::new(),
            false,
            &mut refs,
        );
        // One result per ref at least: sized once, not rehashed as it grows.
        resolver.done.reserve(refs.len());
        for (pointer, reference, value) in refs {
            let at = NodeRef::new(file, pointer);
            let result = resolver.follow_at(&at, Some(value));
            if is_remote(reference.split_once('#').map_or(reference, |(f, _)| f)) {
                let mapped = options
                    .remote
                    .mappings
                    .iter()
                    .any(|(p, _)| reference.starts_with(p.as_str()));
                if !mapped {
                    continue; // already reported above
                }
            }
            match result {
                Ok(_) | Err(RefError::FileNotLoaded { .. }) => {}
                Err(e) => reported.push(e.diagnostic(&doc, &at)),
            }
        }
    }
    let resolved = resolver.done;
    doc.resolved = resolved;
    for d in reported {
        diags.push(d);
    }
    diags.sort();
    (doc, diags)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `%XX` escapes in a reference are decoded; anything else is kept.
    #[test]
    fn references_are_percent_decoded() {
        for (written, decoded) in [
            ("plain/#/a", "plain/#/a"),
            ("", ""),
            ("a%20b", "a b"),
            ("%7e%7E", "~~"),
            ("%C3%A9t%C3%A9", "été"),
            ("%", "%"),
            ("%2", "%2"),
            ("a%2", "a%2"),
            ("%zz", "%zz"),
            ("%2%41", "%2A"),
            ("%FF", "\u{FFFD}"),
            ("é%41", "éA"),
        ] {
            assert_eq!(percent_decode(written), decoded, "{written:?}");
        }
    }

    #[test]
    fn pointers_walk_up_to_the_root_token_by_token() {
        let up: Vec<&str> = pointer_ancestors("/a/b~1c/0").collect();
        assert_eq!(up, ["/a/b~1c/0", "/a/b~1c", "/a", ""]);
        assert_eq!(pointer_ancestors("").collect::<Vec<_>>(), [""]);
        assert_eq!(pointer_parent("/a/b~1c"), Some(("/a", "b~1c")));
        assert_eq!(pointer_parent("/a"), Some(("", "a")));
        assert_eq!(pointer_parent("/"), Some(("", "")));
        assert_eq!(pointer_parent(""), None);
    }

    #[test]
    fn refs_are_followed_through_refs_on_their_way() {
        let dir = crate::test_files::scratch_dir("refs");
        let root = dir.join("root.yaml");
        std::fs::write(
            &root,
            "a: {$ref: '#/b'}\n\
             b: {list: [x, {k: v}], c: {$ref: '#/a/list'}, d: {$ref: 'other.yaml#/e'}}\n\
             through: {$ref: '#/a/list/1/k'}\n\
             twice: {$ref: '#/b/c/0'}\n\
             zero: {$ref: '#/a/list/01'}\n\
             below_zero: {$ref: '#/a/list/01/k'}\n\
             plus: {$ref: '#/a/list/+1'}\n\
             far: {$ref: '#/a/list/2'}\n\
             other_file: {$ref: '#/b/d/f'}\n",
        )
        .unwrap();
        std::fs::write(dir.join("other.yaml"), "e: {f: 1}\n").unwrap();
        let (doc, diags) = load_collecting(&root, &LoadOptions::default());
        let doc = doc.unwrap();
        let at = |pointer: &str| NodeRef::new(0, pointer);
        let resolved = |pointer: &str| doc.resolve(&at(pointer));
        assert_eq!(resolved("/through"), Ok(at("/b/list/1/k")));
        assert_eq!(resolved("/twice"), Ok(at("/b/list/0")));
        assert_eq!(resolved("/other_file"), Ok(NodeRef::new(1, "/e/f")));
        // An index with a leading zero or sign names an element when found,
        // as before, but there is no value there to walk on from.
        assert_eq!(resolved("/zero"), Ok(at("/b/list/01")));
        assert_eq!(resolved("/plus"), Ok(at("/b/list/+1")));
        for (pointer, missing, parent) in
            [("/below_zero", "k", "/b/list/01"), ("/far", "2", "/b/list")]
        {
            match resolved(pointer) {
                Err(RefError::NotFound {
                    missing: m,
                    parent: Some(p),
                    ..
                }) => assert_eq!((m.as_str(), p), (missing, at(parent)), "{pointer}"),
                other => panic!("{pointer}: {other:?}"),
            }
        }
        // Each broken ref is reported once, where it is written.
        let located: Vec<_> = diags.0.iter().map(|d| d.pointer.as_str()).collect();
        assert_eq!(located, ["/below_zero", "/far"], "{diags}");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn pointer_get_agrees_with_serde_json() {
        let value = serde_json::json!({
            "a": {"b/c": [10, {"~d": 1, "e": null}], "": 2, "0": 3},
            "list": [[1], [2, 3]]
        });
        for pointer in [
            "/a",
            "/a/b~1c",
            "/a/b~1c/0",
            "/a/b~1c/1/~0d",
            "/a/b~1c/1/e",
            "/a/",
            "/a/0",
            "/list/1/1",
            "/list/01",
            "/list/+1",
            "/list/2",
            "/list/1/-",
            "/missing",
            "/a/b~1c/1/e/x",
            "a",
        ] {
            assert_eq!(
                pointer_get(&value, pointer),
                value.pointer(pointer),
                "{pointer:?}"
            );
        }
    }
}
