//! BENCHMARKS.md: the tables of one run, the machine, how to reproduce.

use std::fmt::Write as _;

use crate::run::Sizes;
use crate::table::Table;

/// `old` with each of `tables` in place of the table of the same title, or
/// before the method section when it has none, each dated: a run of one
/// section updates its own figures and keeps the others'. The fixed text
/// (how to reproduce, how each number is measured) is brought up to date.
pub fn replace_tables(old: &str, tables: &[Table]) -> String {
    let mut text = old.to_string();
    let date = crate::sys::machine()
        .into_iter()
        .find(|(k, _)| k == "date")
        .map_or_else(String::new, |(_, v)| v);
    for table in tables {
        let new = format!(
            "{}\n*Measured on its own, {date}, on the machine above.*\n\n",
            table.markdown()
        );
        let heading = format!("### {}\n", table.title);
        match text.find(&heading) {
            Some(start) => {
                let rest = &text[start + heading.len()..];
                let end = rest
                    .find("\n### ")
                    .or_else(|| rest.find("\n## "))
                    .map_or(text.len(), |i| start + heading.len() + i + 1);
                text.replace_range(start..end, &new);
            }
            None => {
                let at = text
                    .find("## How each number is measured")
                    .unwrap_or(text.len());
                text.insert_str(at, &new);
            }
        }
    }
    if let (Some(start), Some(end)) = (text.find("## Reproduce"), text.find("## Machine")) {
        text.replace_range(start..end, REPRODUCE);
    }
    if let Some(start) = text.find("## How each number is measured") {
        // The hostile-client section after it is `hostile`'s, kept as it is.
        let end = text
            .find(HOSTILE_MARK)
            .map_or(text.len(), |at| at.max(start));
        let method = if end < text.len() {
            format!("{METHOD}\n")
        } else {
            METHOD.to_owned()
        };
        text.replace_range(start..end, &method);
    }
    text
}

/// BENCHMARKS.md's hostile-client section starts at this line; it is
/// written by `chanx-bench hostile`, and `all` keeps it.
pub const HOSTILE_MARK: &str =
    "<!-- Written by `cargo run --release -p chanx-bench -- hostile`; `all` keeps it. -->";

/// `text` followed by the hostile-client section of the file it replaces.
pub fn keep_hostile(mut text: String, previous: Option<&str>) -> String {
    if let Some(previous) = previous
        && let Some(at) = previous.find(HOSTILE_MARK)
    {
        text.push('\n');
        text.push_str(&previous[at..]);
    }
    text
}

/// `previous` (the whole file) with its hostile-client section replaced by
/// `section`, or added at the end.
pub fn with_hostile(previous: Option<&str>, section: &str) -> String {
    let kept = previous.map_or("", |p| p.find(HOSTILE_MARK).map_or(p, |at| &p[..at]));
    let mut text = kept.trim_end().to_owned();
    if !text.is_empty() {
        text.push_str("\n\n");
    }
    text.push_str(section);
    text
}

/// The hostile-client section: the table of one run and how it is measured.
pub fn hostile_section(table: &Table, sizes: Sizes) -> String {
    let mut out = format!("{HOSTILE_MARK}\n\n## Hostile clients\n\n");
    if sizes.smoke {
        out.push_str("**Smoke run: tiny sizes, not representative.**\n\n");
    }
    let date = crate::sys::machine()
        .into_iter()
        .find(|(key, _)| key == "date")
        .map_or_else(String::new, |(_, date)| format!(" ({date})"));
    let _ = write!(
        out,
        "What misbehaving clients cost each entry point, with its default limits, \
         on the machine above{date}. Reproduce with \
         `cargo run --release -p chanx-bench -- hostile`.\n\n"
    );
    out.push_str(&table.markdown());
    out.push_str(HOSTILE_METHOD);
    out
}

const HOSTILE_METHOD: &str = "
**Idle connections.** As in the runtime table: the server's RSS grows by this
much per upgraded connection that then sends nothing. Both chanx entry points
read the socket 8 KiB at a time (`READ_BUFFER_BYTES`: the `Server` into a
buffer of its own that is never cleared, the axum adapter through
tungstenite's); tungstenite's default, 128 KiB zero-filled on the first
read, would cost each idle connection that much.

**Stalled handshakes.** Connections that send half an upgrade request and
then nothing, opened at once; *RSS per stalled handshake* is what the server
holds for each while they wait; *all shed after* is the longest any of them
stayed open, from its TCP connection until the server ended it (end of
stream); *a new client's ping answered after* is the time for a client that
connects meanwhile to upgrade and get its `pong`. The hand-written server has
no handshake timeout: it holds them until the client gives up.
";

pub fn document(tables: &[Table], sizes: Sizes) -> String {
    let mut out = String::from(
        "# Benchmarks\n\n\
         <!-- Written by `cargo run --release -p chanx-bench -- all`; edit bench/src/report.rs, not this file. -->\n\n\
         The numbers of one run of the benchmark command, on the machine below. \
         Each measurement stands beside a peer measured in the same run: \
         code generation beside [Modelina](https://github.com/asyncapi/modelina) \
         (its Rust and TypeScript generators), the runtime beside a minimal \
         hand-written tokio-tungstenite server doing the same work with no framework.\n\n",
    );
    if sizes.smoke {
        out.push_str("**Smoke run: tiny sizes, not representative.**\n\n");
    }
    out.push_str(REPRODUCE);
    out.push_str("## Machine\n\n| | |\n|---|---|\n");
    for (key, value) in crate::sys::machine() {
        let _ = writeln!(out, "| {key} | {value} |");
    }
    out.push_str(
        "\nClient and server share the machine's cores, as do the chanx and \
         Modelina processes: ratios measured in the same run are more telling \
         than absolute numbers.\n\n## Results\n\n",
    );
    for table in tables {
        out.push_str(&table.markdown());
        out.push('\n');
    }
    out.push_str(METHOD);
    out
}

const REPRODUCE: &str = "## Reproduce\n\n```sh\ncargo run --release -p chanx-bench -- all          # this file\n\
                  cargo run --release -p chanx-bench -- codegen      # code generation only (prints)\n\
                  cargo run --release -p chanx-bench -- instructions --write  # rustc's instructions checking generated Rust (valgrind); updates its table\n\
                  cargo run --release -p chanx-bench -- runtime      # runtime only (prints)\n\
                  cargo run --release -p chanx-bench -- logging --write  # logging under load only; updates its table\n\
                  cargo run --release -p chanx-bench -- documents --write  # hostile documents only; updates their table\n\
                  cargo run --release -p chanx-bench -- hostile      # the hostile-client section below\n\
                  cargo run --release -p chanx-bench -- fuzz --write     # a 10-minute fuzzing campaign; updates its table\n\
                  cargo run --release -p chanx-bench -- all --smoke  # a few seconds; what the test suite runs\n```\n\n\
                  Node.js and npm are needed for the Modelina columns (`npm ci` runs in \
                  `bench/modelina/` when its `node_modules` is missing), valgrind for the \
                  instruction counts. All traffic is on loopback.\n\n";

const METHOD: &str = "## How each number is measured

**Code generation.** Each document is generated (load, validate against the
AsyncAPI meta-schema, build the model, emit Rust and TypeScript: the
pipeline `chanx generate` runs, checking the document on one thread while
the model and both languages are made on others) in a fresh child process
of the bench. *first run* includes compiling the meta-schema; *median* is
the median of up to 20 further runs in the same process (3 s budget);
*µs/line* is the median over the document's line count. *process* and *peak
RSS* are those of the `chanx` command itself (`chanx generate DOC --lang all
--out DIR`, into an empty directory, built beside the bench when missing),
waited for with `wait4`: the median wall time of the runs, and the largest
peak RSS. Modelina runs in Node (`bench/modelina/bench.mjs`):
*median* is its `RustGenerator` plus its `TypeScriptGenerator` `generate()`
median after a first, warming call; *process* includes Node's start-up and
module loading. A cell reads \"fails\" with the first line of Modelina's error
when it cannot generate a document. The synthetic documents
(`bench/src/synth.rs`) are chanx-style: channels of ten action-tagged
messages, half of them requests with a reply, payloads with nested objects,
enums, arrays and `$ref`s.

**Hostile documents.** Documents near the 16 MiB file limit, each built to
cost more than its size (`bench/src/hostile.rs`): long text (a schema title
of two million lines was the case that took 2 GB), a long const, wide
objects and enums, many channels, schemas that `allOf` one big schema, many
operations that each carry every message, chains of schemas, a long key
over many children, and for comparison a synthetic chanx-style document of
the same size. Each is loaded, checked, modelled and generated in both
languages once, in a fresh child process; *wall time* is the child's whole
life, *peak RSS* its `VmHWM`. The limits that refuse some of them are listed
in `docs/diagnostics.md` (`too-many-members`, `model-too-large`,
`path-too-long`). Wall times grow with other work on the machine (on two
shared cores, up to three times); peak memory does not.

**Fuzzing.** The campaign the test suite runs for 20 s
(`codegen/tests/common/fuzz.rs`), run for longer in a release build: mutants
of every document in `specs/`, `tests/broken/` and the shared corpus (text
mutations, and changes to the parsed document such as refs into
themselves, odd strings, copies, deep nesting) through the whole pipeline,
each on its own thread with a 30 s limit. A crash is a panic, an error
without a location, a failure to generate from a model that loaded, or
generated code holding a raw control, separator or bidirectional
character; a hang is an input over the limit. *refused* counts mutants
rejected with located errors. The campaign runs in a child process, so an
abort would count too.

**Compiling generated Rust.** The Rust generated from the largest corpus
document, and from the 10,000-line synthetic one, is put in a throw-away
crate depending on chanx-runtime, serde and serde_json (path dependencies,
the workspace's lockfile and target directory, so dependencies are built
once); the figures are the median `cargo check` and `cargo build` (dev
profile, incremental compilation as cargo sets it) of three clean builds of
that crate (`cargo clean -p` before each, dependencies kept built): what a
user pays on every clean build, and about what a changed document costs.
(Runs recorded before 2026-11-29 22:37 UTC touched a comment instead of cleaning, so
incremental compilation reused most of the previous build: their figures
were 2–3× too low.) *rustc's instructions* are those of the one `rustc`
process that checks the same crate from nothing (`cargo check`,
incremental as cargo sets it), counted by valgrind's cachegrind without
cache simulation: a `RUSTC_WRAPPER` script runs only that crate's
compiler under valgrind, in a target directory of its own. Unlike times,
they are the same on any machine (to 0.05 % between runs), so they are
what a change to the generated code is judged by.

**Runtime.** Servers run as child processes on a free loopback port; the load
generator (`bench/src/load.rs`) is tokio-tungstenite in the bench process.
*chanx* is the chat example's consumer (`examples/chat`, generated from
`specs/chat.yaml`) served by `chanx_runtime::Server` with default settings and
no log subscriber; *hand-written* parses the JSON, matches the action and
replies, and broadcasts through per-connection bounded queues
(`bench/src/servers.rs`). Ping → pong is closed-loop, one frame in flight per
connection, 0.5 s warm-up then 3 s measured. The paired rows run the two
servers in seven rounds, each first in every other round, and give each
server's median round (the
machine's load from its neighbours moved single runs by a tenth either way);
their ratio is the median of the rounds' own ratios, a round's two runs
being back to back, so that a slow spell of the machine weighs on both
sides of a round rather than on one server's median.
The broadcast is the chat
example's: one publisher sends `chat`, the server relays `chat_notification`
to every connection in the room; at most 8 broadcasts are in flight so no
queue overflows; latency is from the publisher's send to each subscriber's
receive. Idle memory is the server's RSS growth over 10,000 connections that
each completed one ping → pong, divided by the count. The Redis rows run two
servers on one `redis-server` (started by the bench on a free loopback port)
with the channels_redis format (`RedisChannelLayer`, msgpack), subscribers
split between them, the publisher on the first (Rust) server: *Rust + Rust*
is two chanx-runtime servers, *Rust + Python* a chanx-runtime server and the
Python chanx chat of the interop tests (`tests/interop/chanx_redis_chat.py`:
FastAPI, uvicorn, fast-channels). There is no hand-written peer for them.

**Logging under load.** The same chanx server and ping → pong load at 10
connections, started without a log subscriber, then with chat-server's
(`chanx_runtime::logging`: its non-blocking writer, here into a file) in text
and in JSON, at the default filter `info` (connects and disconnects) and with
a debug line per frame in and out plus a `handled` line
(`chanx_runtime::frames=debug`). The five setups run in turn, three rounds;
each row is its median round, compared with the median without a subscriber.

On a machine shared with other work, rates move by ±20 % between runs; the
ratios of one run are the figures to compare.

## What limits the numbers

**Code generation.** Profiles (`perf` over `chanx generate`; `valgrind
--tool=callgrind` for instruction counts, which unlike times do not vary
with the machine; `chanx-bench __codegen-one FILE RUNS BUDGET_MS` for one
document in process) split the work as follows. `chanx generate` uses two
cores: it checks the document against the AsyncAPI meta-schema on one
thread while the model is built on another; the Rust types module, the Rust
channel modules and the TypeScript module are then made at once. The
meta-schema is compiled with only what the document can reach: protocol
bindings and schema formats it never uses, and every `properties` entry for
a key no object of the document has, are left out (358–493 subschemas for
the corpus documents instead of 1,692; a test compares the verdicts, error
for error, on every document). A Schema Object is draft-07's meta-schema
plus AsyncAPI's additions, and both checked a schema's subschemas, so one
`d` levels deep was checked against draft-07 `d + 1` times; the Schema
Object now checks draft-07 in a copy that leaves those subschemas to the
additions (the same verdict and the same errors on every document and on
documents broken under each keyword, which a test compares with the
meta-schema as published; a tenth less work checking the 100k
document). The embedded meta-schema itself is parsed
on a thread started with the run, while the document is still being
read. The items every type has (struct and string-enum definitions,
their `Serialize`, `FromJson` and `Deserialize`, constructors, and a
field's default function when its value is an enum variant, a number, a
boolean or a plain string: these had been 2 % of the 100k document's CPU,
and the synthetic 10k document went from 282.8 to 277.9 million
instructions) are written straight as the text prettyplease prints for them, broken over lines as
prettyplease breaks them when a line passes its margin (long impl headers,
lists of wire names, generic field types, `StructWriter` calls, the
`variant_index` chain of a string enum); debug builds print both and
compare, so every test that generates code checks that text, and a sweep
of name, value and list lengths across the 89-column margin does too. Of
the Binance document's types, two structs (serde attributes) still go
through the printer. The channel modules are written the same way
(`channels/printed.rs`): the message enums with their `Serialize`,
`Deserialize` and `ChannelMessage` impls, the `From` conversions, the
`Consumer` trait, the server glue and a consumer's constants, each
compared with prettyplease by a sweep of name, type, tag and address
lengths; what is left to the printer (channels with address parameters,
topic modules, per-operation enums, clients, operations with several
replies) is printed item by item, two levels in. That took the channel
modules from 20 % of the synthetic 10k document's instructions to 6 %;
they are made on a thread of their own, which also spaces them. A types
module of 200 to 20,000 types is made in two halves at once, the second
on a thread of its own, spaced from where the first half is expected to
leave off (checked at the join; the one possible difference, a blank line
before its first item, is fixed, anything else makes it again in place).
The second half's text is held until the join (about 11 MB on the 100k
document, whose peak stays at 94 MiB), so a module of more than 20,000
types is made in one part. The module is spaced (one blank
line between items) as it is
printed and written straight into its output, reserved up front, so no
second copy of it is ever made; items written as text are spaced by their
indentation, without the lexer the printed ones need (debug builds space
them both ways and compare), a run of lines at a time; doc comments are
split into lines as each item is added. Line ends and the doc-line
separator are found with memchr (a vector at a time, where a byte at a
time was 4 % of the 100k document's instructions). The static `DOCUMENT` and the validator program, literals
of up to megabytes, are written as text, never lexed. The bundled document
and the model are made on two threads, beside the meta-schema check, and
the validator program on a third: it starts from the payloads the
channels' and the components' messages name, in the order the model
meets them, checks that order against the payloads the model then sends,
and is built again from what the model sent if they differ (a test sends
six orders). TypeScript's type declarations are written in Rust; the
template lays out the rest of the module (through minijinja, the
declarations took 127 of the 1,732 million instructions of `--lang ts`
on the 100k document).
Identifier forms are made from ASCII words in one pass (heck's rules; a
test compares them on 20,000 inputs). JSON Pointers walk from their
file's root, but a small object (8 members or fewer) is read in order
instead of hashing the token, tokens are split and unescaped a byte at a
time, the model's builders keep what each pointer found (seven reads in
eight were repeats), and the generator's own maps hash with foldhash.
Refs are followed a pointer step at a time from the value in hand, where
each prefix of a ref's pointer had been walked again from the file's root
to see whether it was a ref (3 % of the 100k document's instructions), and
the tables that grow to thousands of names or types are sized once from
counts known up front instead of rehashed at each doubling.
Loading hashes each mapping key once and appends pointer tokens in
place; the model's builders and the schema checks read a schema's
keywords (`type`, `properties`, `enum`, ...) the same way, in order on
small objects, where `serde_json`'s own lookup hashes each key with
SipHash (2.5 % of the 10k document's instructions). YAML written in the
plain block shapes documents are mostly written in (block mappings and
sequences indented with spaces, one-line plain or quoted scalars (double-quoted
with escapes), or plain or quoted over several lines, one-line flow sequences and
mappings of such scalars and of each other, literal
and folded block scalars in their common shapes, comments, with LF or CRLF
line breaks) is read by the generator's
own scanner (`source/fast.rs`) straight into the tree, with the places
yaml-rust2 gives; anything else (an anchor, a tag, a tab, an escape in a scalar over
several lines, an empty value) makes it
give up, and the file is read by yaml-rust2 from the start, so meaning and
errors are always yaml-rust2's. A test reads every YAML document of the
repository and the shared corpus (194 of 212 are read by the scanner) and
80 mutants of each both ways, and compares trees and positions. That took
the YAML of the synthetic 10k document from 65 to 27 million
instructions. Block scalars were added because descriptions are written
so in most real documents, and one sent the whole file to yaml-rust2: a
12,000-line document whose schemas each carry a four-line `description: |`
now takes 298 million instructions to generate instead of 341. Quoted
scalars over several lines are how PyYAML writes long descriptions, so
the documents the Python chanx emits have them: its sandbox document
(878 lines) went from 74.7 to 71.5 million. Flow collections nested on
one line (`{type: array, items: {type: string}}`, as the repository's
own examples write schemas) sent their files to yaml-rust2 too:
`specs/types.yaml` now takes 57.7 million instructions instead of 59.3,
`specs/tagged.yaml` 59.9 instead of 61.7. So did one escape in a
double-quoted scalar (`\"…\\n\\U0001F303\"`, as js-yaml writes them): the
streetlights documents of the AsyncAPI examples take 1.1-1.3 % fewer.
So did one plain scalar continued on the lines below: a 1,061-line
document of the corpus (tanagraspace `Parameter.yaml`) went from 125.9
to 119.8 million, and one written with CRLF line breaks (891 lines)
from 64.9 to 62.1. A YAML file of 64 KiB
or more is parsed in two parts on two threads: the members of its
longest block mapping from a line near the middle of the file on, and the
rest of the file, each from a copy with the other part's lines left blank
so that every line and column is the whole file's; the second part's
members are then added to the mapping. The cut is found from indentation
alone, and any doubt (an error in either part, a key in both, an anchor
or alias in the second part, a directive) parses the file whole; a test
makes every member line of a sample the cut, for documents built to break
a part, and checks that the result is the whole file's or none. The
checks of the root file's own text (its version, the meta-schema) then
start at once, on a document of that file alone, beside the loading of
the files it references, and make the meta-schema ready themselves; the
checks that follow references come after them on the same thread. The
position tables are sized from the line count (one node a line), the
model's tables from the node count, and pointers are hashed with FNV-1a a
token at a time (SipHash's per-call cost was a twentieth of parsing). Work no other core
can share was taken off the main thread, which a timeline of phases showed
it waiting on: output files are no longer flushed to disk before their
rename (1.5 ms for the Binance document; a generated file is remade from
its document), and the parsed document and the model are freed on a thread
of their own (0.7 and 1.3 ms on the synthetic 10k document). The command
ends with `_exit` once its files are written, skipping mimalloc's exit
handler, which freed every page the kernel takes back anyway (1.5 ms on
the 10k document). Release builds use fat LTO and one codegen unit:
inlining across yaml-rust2, `serde_json`, indexmap and the generator made
a run 4-7 % faster. The validation program's nodes are built by moving
their parts in, each object with room for exactly its members (`json!`
copied a node's children by serializing them, so a definition was copied
once per level of its depth), and its text is written into one buffer
instead of a string per definition joined: that halved the program's
share. Printed lines are put together with `[…].concat()` rather than
`format!`, whose formatting machinery cost several times the copying
(`format!` had grown to a tenth of the 100k document's instructions; it
is now 3 %), a pointer whose parent was read before is read one step
from it instead of from the file's root, and a document of one file,
which is its own bundle but for its references, has its bundled text
written straight from the parsed tree with each `$ref` rewritten on the
way (the bundle had been a copy of the whole tree: 5 % of the 10k
document's instructions). On the synthetic 10k document the whole
process executes 306 million instructions (callgrind; 353 million at the
build the tables above measured, 403 million before
the YAML scanner and memchr, 618 million before
the channel modules were written as text, 515 million before LTO, 484
million before the program, `format!`, pointer and bundle changes),
split: loading (YAML with positions, references) about an
eighth, on two cores for its YAML, building the model 17 % (of which the
validation program 4 %), checking the document 20 % (on its own thread;
compiling the meta-schema is half of that, the same on every document),
the types module about a quarter (two halves at once), the channel modules
5 %, TypeScript 6 %; hashing is still about a fifteenth of it (SipHash:
the `serde_json` objects' index of large objects). The two cores do not
give two cores' speed: after loading, the model and the meta-schema check
(with the bundled document) each keep a core busy, then the four modules
share both, and what is left is the total. This run: 220× Modelina on
the 10k document (37.3 ms against 8.22 s) and 99.8× on the 100k one (316
ms against 31.6 s), at the edge of the 100× target. That ratio is the
machine's as much as the code's: the run before, on a machine of the
same kind, took 281 ms against 18.1 s (64.2×), this machine running
Modelina 1.7 times slower and chanx 1.1 times; and Modelina's own time
moves by a tenth between runs. Holding 100× on the faster machine would
take the 100k document about 1.5× less time still,
which means less work in every phase rather than more threads, and what
is left is spread thin: the allocator (14 % of the 100k document's
instructions: millions of small strings, vectors and tables), SipHash in
large `serde_json` objects (6 %), pointers walked from the root (3 %), the
remaining `format!` (3 %), and writing the 24 MB module (the kernel's
copy into the page cache, 5-8 % of the wall time at the end, on one core:
writes to one file are serialized); and a fifth of its CPU time is the
kernel's, taking back and faulting in again the memory returned at once
to keep the peak under 100 MiB. The types are named once for the whole
Rust module and shared by the three threads that write it (each had
named them all, a tenth of making the module).
The validator program on its own thread was tried twice before and not
kept: built as the model asks, it started only after the types and
gained nothing; built ahead, it put the 100k document's peak at 96 to 114
MiB, with the bundled document's tree alive beside it. Now that the
bundled document is written as text and struct fields are text too, it
is kept: the 100k document executes 2,622 million instructions (3,079
million before the program thread, struct fields as text, the draft-07
check once, TypeScript declarations and names taken in one lookup), its
peak is 91.0-91.6 MiB over twenty runs, at the end of the model rather
than of the output. With the root file checked beside the loading, the
types named once, the tables sized up front, FNV-1a positions and fewer
`format!` calls, it executes 2,431 million instructions (7.3 % fewer;
the 10k document 292 million, from 306); the medians of alternating
runs fell 4-10 % (the machine's own speed moved as much between runs).
Read with callgrind again on 2026-12-02, that build against the next: the
100k document executes 2,175 million instructions instead of 2,367 (8.1 %
fewer; the 10k document 261 million instead of 279), and the main
thread's work before the output (parsing, references, the model) 516
million instead of 642. Schema keywords are read in order on small
objects instead of through `serde_json`'s SipHash lookup (the model 298
million instead of 380, the validator program 205 instead of 223), a
type's two name forms are claimed under one key when they fold alike,
and a small object's keys are passed over by length and first byte
before the full comparison;
whether a schema is a component is read from the end of its pointer
instead of unescaping every token into a vector (that had been 67
million); the walk that finds references keeps its path as steps and
writes a pointer only for a ref it keeps, and a reference with no `%` is
not decoded byte by byte (loading the references 51 million instead of
77); the cut of a large YAML file is found by bytes and memchr (the work
before the second part can start, when the other core is idle, 14
million instead of 37); the lexer that spaces the channel modules skips
the runs of code it does not act on (31 million instead of 56); and the
channel modules' text is reserved up front, each nested module written
straight into it (it had been 21 MB of allocations for 4 MB of text:
1,100 fewer page faults, the same peak). Alternating runs that day (30 of each) gave
medians of 431 against 436 ms on the 100k document (CPU time 703 against
751 ms) and 55.7 against 60.8 ms on the 10k one (CPU 87.7 against 97.2
ms): the 100k document's wall time moves less than its instructions, a
fifth of its CPU time being the kernel's page faults, which this leaves
as they were. The machine's speed moved by a fifth between runs of one
build that day, so the tables above are from the run before. Also tried:
advising transparent huge pages for the output buffer alone (5,400 fewer
page faults, no faster beyond the spread, and a fault may then wait on
the kernel compacting memory); lowering the priority (nice) of the threads
that check the document, so that the model keeps a core to itself (7 %
faster, but the check then ran late, keeping the parsed document alive
through the output: a peak of up to 117 MiB); moving the cut of the types module
from half its types to 55, 60 or 65 % (no change beyond the run-to-run
spread); transparent huge pages for mimalloc (fewer page faults, 3-5 %
faster on the 100k document, but a peak of 107-129 MiB); returning freed
memory after 1 to 10 ms instead of at once (no faster beyond the spread,
up to 107 MiB).
Read with callgrind on 2026-12-02 again, this run's build against the
one before: the 100k document executes 2,093 million instructions
instead of 2,171 (the 10k document 251.8 million instead of 262.6), and
the main thread, whose work the others wait on, 757 million instead of
829. A timeline of the phases (timestamps at each step's end) showed
where one core waits: the last third of building the model, after the
checks, the bundled document and the validator program are done (30-50
ms of a 270 ms run), the cut of a large YAML file before its second part
starts, the merge of the two parts' positions, and the write at the
end. So the work taken out is the main thread's: naming (a quarter of
the model: an ASCII name's two forms are made from its bytes in one
pass, a pair of forms is claimed without making the snake form's key
when both fold alike, and each property name's forms are made once per
document), a struct of one part takes its properties as they are and
borrows its required names, a reference's pointer is sized up front
instead of reallocated a token at a time (loading the references 42
million instead of 51), the second YAML part's hundred thousand
positions are kept beside the first part's instead of copied into them
while both parts wait (read_root 158 million instead of 168), the fence
of a raw string is found with memmem instead of a byte at a time, and
the document and validator literals are written once, straight into
their item's text, where the document had been copied three times (12
MB of fresh memory on the main thread: 2,000 fewer page faults, 41,800
instead of 43,800). The model is 252 million instructions instead of
290. Alternating runs (40 of each) gave medians of 257 against 268 ms on
the 100k document (user time 322 against 337 ms, system time 129
against 132 ms) and 34.4 against 35.7 ms on the 10k one; the peak is
unchanged (median 88-91 MiB). The kernel's share is still about 28 % of
the CPU time: counting page faults by where they happen (`perf record
-e page-faults`), 42 % are the first touch of a buffer being copied
into (texts, the output) and 39 % mimalloc making the blocks of a fresh
small-object page, so they follow the memory a run allocates in all
(about 170 MB for a 92 MiB peak), not the purging: a minimal purge size
of 4 KiB to 8 MiB left their number as it was. Writing the 24 MB module
took 8-9 ms in most runs and up to 115 ms in a few, the kernel taking
pages for the page cache. Memory: the
`chanx` command runs on mimalloc (no transparent huge pages); for inputs
of 1 MiB or more, freed memory is returned to the system at once, so the
100k document's peak stays near 95 MiB (160 MiB without: a generation's
phases each free most of what the previous one made). Returning memory
has its price, pages faulted in again and the other core's address caches
flushed on each return, so smaller inputs keep mimalloc's own delay
(1 s in the mimalloc 3 the command links, so none is returned during a run):
that made the Binance and 10k documents' runs 12-14 % faster, for 5-8 MiB
more peak. The parsed document is freed as soon as the model is built and
checked, and the bundled document is kept as its JSON text (made beside
the model). On the 100k document the peak RSS is 92 to 98 MiB in most
runs, at the end of building the model, and now and then a few MiB more
(depending on how the threads' work overlaps: over 90 runs of this run's
build, a median of 95 MiB and once above 100 MiB, at 104 MiB): the model
and validation program (about 40 MB, live to the end because Rust and
TypeScript are both generated from them) and the 22 MB module. The
library (`chanx_codegen` in a build script) runs on whatever allocator
its program uses: on glibc's, one generation of the 100k document peaks
at 135 to 138 MiB (four runs on this machine), since glibc keeps freed
memory for reuse rather than returning it, and the output's buffers
reuse only part of what the parsed document leaves.

**Compiling generated Rust.** Per-item experiments (one kind of item
replaced by a trivial one at a time, `cargo check` timed) showed serde's
`Deserialize` derive at about 60–75 % of checking a generated module, and its
`Serialize` derive at 10–15 %. Generated types now read the validated JSON
tree through `chanx_runtime::FromJson` (one short function per type) and
write through `StructWriter` calls, keeping `Serialize`/`Deserialize` (as
small delegating impls). From rustc's own profile
(`RUSTC_BOOTSTRAP=1 cargo rustc --profile check -- -Zself-profile` on the
synthetic 10k module, self time per query and item kind): type and borrow
checking of about 16,700 small function bodies. The largest kind was
`FromJson::from_json` at 1.4 s (type checking 0.80 s, borrow checking
0.48 s, building MIR 0.16 s): a `?` after each field read is a return path
that drops the fields read before it, so every struct carried a drop ladder
per field (a `match` per field instead of `?` kept the ladders and was no
faster). Each field is now read into one tuple (a read that fails keeps the
first error) and all are taken in one `let (Some(f0), …) = (…) else`, one
failure path per struct: `from_json` fell to 0.9 s (type checking 0.45 s,
borrow checking 0.34 s, MIR 0.10 s), the same error for every input. What
is left: `Serialize::serialize` 0.45 s, the `Debug` derive 0.4 s,
`PartialEq` and `Clone` 0.2 s each, the delegating `Deserialize` 0.2 s;
well-formedness checks (0.5 s over 38,000 items), trait solving (0.4 s),
lowering and macro expansion (0.7 s), and incremental compilation's own
bookkeeping. Since rustc's times move with the machine too, changes are now measured by
the instructions rustc executes checking the module of the synthetic 1k
document (valgrind, repeatable to 0.05 %): serde's `Serialize` derive on
string enums (a rename per value and a `match`) is replaced by one call of
`__private::unit_variant`, the same `serialize_unit_variant` call the derive
makes (checked with a serializer that records it): 2.015 to 1.974 billion
instructions, −2.0 %. Then two kinds of item moved into the runtime. A
string constant (every message's tag) is an alias of the generic
`ConstStr<V>`, whose ten impls are compiled once in the runtime, instead of
a unit struct with ten impls of its own (each constant cost about 9.5
million instructions, as much as a small struct). A string enum derives
only `Debug` and `PartialEq`; its `Clone`, `Copy`, `Eq`, `Hash` and
`Default` are one `unit_enum_impls!` line that writes what those derives
write (a test checks the hashes are the derive's), without an expansion
per derive or `Eq`'s assertion function: about 1.25 million instructions
less per enum. The 1k module went from 1.974 to 1.846 billion
instructions (−6.5 %); the 10k module, whose 990 types include 292 string
enums and share 10 constants among all channels, from 15.55 to 15.24
billion (−2.0 %). Writing `PartialEq` by hand too would save another
1 %, but only a derived `PartialEq` lets constants of the enum be match
patterns, so it stays; writing the structs' `Debug`, `Clone` and
`PartialEq` by hand saves nothing (0.05 %). What those counts say is left: an impl with a trivial
body costs about a million instructions to check whatever it holds,
incremental compilation's bookkeeping is a quarter of the total, and
dropping the `Debug` derive entirely would save 9.6 % (a one-line `Debug`
through `Serialize` saves 3.9 %, but prints wire names, not the Rust ones,
so it was not made). Reading the fields through one generic call per struct
(a trait per read mode) instead of the `let … else` cost 2.3 % more.
Measured as clean builds on this run's machine, the public exchange
document (3.5 generated lines per document line) checks in 0.28 ms per
document line and the synthetic 10k document (5.8 generated lines per
document line: every message has its own nested payload types) in 0.52 ms,
both under the 0.7 ms target (0.23 and 0.41 ms on the machine of the run
before). That margin is the machine's as much as the
code's: an earlier run, on a machine of the same kind whose rustc
ran about half as fast, measured 0.44 and 0.87 ms for modules that took
2 % more instructions, and the 10k module as generated before this run's
changes checks in 4.0–4.5 s here too (0.40–0.45 ms per line). In
instructions, which do not move with the machine, rustc executes 15.2
billion checking the synthetic 10k module, about 1.5 million per document
line; holding 0.7 ms per line on a machine as slow as the earlier one needs
about a fifth fewer, which means fewer impls per type (every type has six to
ten): moving more work from each type into generic runtime code without
losing what each type offers. Beyond about 100,000 document lines (500,000 generated
lines) the compiler's own memory use grows faster than the module; splitting
a document that large into several crates is the way out.

Where those instructions go, by kind of item: removing one kind at a time
from the types module of the synthetic 1k document (98 types, 1.529
billion instructions alone) saves 31 % for `FromJson` with the
`Deserialize` that goes through it (8.3 % for that `Deserialize` alone),
17 % for `Serialize`, 14 % for the `Debug` derive, 6.7 % for `Clone` and
2.3 % for the `new` constructors; the channels module is the other 17 % of
the crate. Naming each field read's type (`take::<T>`) changed nothing
(+0.1 %), and gathering a struct's reads through one generic call on the
tuple, which leaves one drop per struct instead of a ladder, cost 4.6 %
more. Each kind is one impl with one small body per type, at one to three
million instructions whatever the body holds (rustc's self-profile of the
10k module: `typeck`, `mir_borrowck` and `mir_built` of about 15,000
bodies are its three largest queries, 38 % of its time), so the floor is the number of impls
a type needs for what it offers. Machines of the same kind differ widely
in how fast rustc runs: on a later one, `cargo check` of the 10k module
took 10.9 s (10.2 s of CPU for the same 15.26 billion instructions, 1.09 ms
per document line; 0.63 for the exchange document), 3.4 times the
recorded run's, while chanx's generation there was 2.3 times slower and
Modelina's 3.6 times.

**Runtime.** Kernel time (one `recvfrom` and one `sendto` per round trip,
the same for both servers: `strace -c` counts them) is most of each server's
CPU. At 100 connections `perf` puts about 70 % of the chanx server's CPU in
the kernel and 78 % of the hand-written one's: the gap is user time, about
30 % of chanx's CPU against 22 %. The framework's own work is the
in-process rows: parsing the frame into a Python-compatible JSON tree, the
pydantic-compatible validation program, decoding the typed message, the
reply written in `json.dumps` layout, the outgoing queue and the
connection's select over client frames, its inbox, timers and stop signals.
Where the rest of the gap sits was measured at 1,000 connections with
callgrind's cache simulation (32 KiB first level, 2 MiB last level; this VM
has no hardware counters) over 20 s of load. Per round trip the
hand-written server executes about 5,700 instructions outside the kernel
and chanx about 11,500, and chanx misses the last level about 46 times on
reads against 21. (Both also zeroed tungstenite's 8 KiB read buffer before
every read, twice per round trip: about 16,000 more counted instructions
and most of either server's write misses. chanx no longer does: see this
run below.) A chanx build that answered
every ping with a fixed pong, skipping parsing, validation, decoding, the
handler and the reply, ran 7,600 instructions with 44 read misses, and used
6.9 µs of server CPU per round trip, against 7.5 µs for the full path and
6.0 µs for the hand-written server in the same run. So the framework's work
per frame is about 40 % of the gap, mostly instructions and
instruction-cache misses (its code does not stay in a 32 KiB cache between
frames). The rest is the connection's plumbing: data misses on
per-connection state that is cold when the connection's next frame comes.
An earlier run removed three layers of it. A text frame is read in
tungstenite's buffer instead of being copied into a `String`. One sink
adapter replaces `With` and `SinkMapErr`, which made a future per frame.
The connection runs as a task of its own instead of inside the accepting
task's 5.4 KB future of handshake and routing state; it is still awaited
and aborted with it. A topic frame's work is boxed, which took every
frame's future from 1,408 to 928 bytes. Tried then and not kept, each
measured the same way: boxing every frame's future (10 fewer write misses
per round trip at 1,000 connections, but 300 more instructions per frame,
which the loads whose state stays in cache pay for nothing); boxing the
writer's batch (7 fewer write misses, the same cost); boxing the wait for a
frame or an inbox message (no change: it lasts through the idle time and
goes cold anyway). This run cut the framework's own work per frame. A
frame's keys and string values are held in place up to 30 bytes
(`JsonStr`), where each was a `String`: an allocation and a free per
string. A large object's hash table is boxed, so a JSON value is 32 bytes
instead of 64. The defaults a model takes are noted as bits instead of
listed (a ping leaves out its `payload`, and the list cost an allocation
and a copy per frame). Strings are checked eight bytes at a time when
written, and the parser finds a string's end within its word; a parsed
object starts with room for four members; the writer checks that its queue
is empty before trying to take a second frame into a batch. In process, a
ping's handling went from 9,758 to 9,033 instructions (harness included)
and its allocations from six to two. A fresh simulation at 1,000
connections, as above, counts about 10,900 instructions per round trip
outside the kernel and the buffer zeroing, against 11,300 for the build
before these changes and 5,800 for the hand-written server (the
simulation moves by a few per cent from run to run). What is left is the reader's loop
state and the writer's (about 12 and 9 read misses per round trip, against
4 and 3 for the hand-written server's two tasks), which a hand-written
state machine in place of the nested async functions would make compact,
and the framework's instructions: parsing, validating and decoding a ping
take about 2,400, the reply about 1,200 (the hand-written
server's typed decode about 800). Earlier runs took a fifth off a ping's
instructions in process: a batch the socket takes at once is written
without arming a timer; validation works on the frame in place; JSON
objects of up to 16 members are a list, not a hash table; the layer inbox,
the stop signals, keep-alive ping and idle timer are polled only after they
woke the connection (`WhenWoken`); the topic lock is taken only for topic
frames; the JSON parser's stack is kept per thread; a reply is copied out
of a per-thread scratch text at its exact length. Tried then and not kept:
running the writer in the reader's task (the same CPU per round trip at 100
connections, 7 % less throughput at 1,000 and a third less at 1
connection). A writer that writes every queued frame before one flush is
why broadcasts beat the hand-written server, which flushes per frame; a
group send also hands every member the same `Bytes` instead of a copy each.
This run stops the zeroing. tungstenite clears the free space of its read
buffer, up to its read size, before each read. The `Server` now reads the
socket 8 KiB at a time into a buffer of its own that is never cleared, and
gives tungstenite a 1 KiB read size over it, so tungstenite clears 1 KiB,
mostly in cache. In the same simulation at 1,000 connections the server's
last-level write misses went from 151 to 25 per round trip, and its counted
instructions from 27,950 to 10,840 (the zeroing included: valgrind counts
it store by store). In paired rounds at 1,000 connections (each chanx round
beside a hand-written one, ten rounds) the median ratio went from 0.900× to
0.938×; at 1 and 10 connections, where the buffer stays in cache, no change
stood out of the spread. Idle memory went from 27.5 to 24.6 KiB per
connection. The axum adapter does the same under `chanx_runtime::axum::serve`
(idle memory 26.4 → 23.5 KiB per connection); under another server it gives
tungstenite the 8 KiB read size, since its socket is read by whatever serves
it. The cost falls on large messages: tungstenite reads at most its read
size at once, so a 1 MiB message takes a thousand copies of a kilobyte from
the buffer where it took 128 reads of the socket. Timed round trips of 64
KiB and 1 MiB messages through the `Server` (0.12–0.19 ms and 3.6–4.1 ms)
did not move beyond their spread between runs with tungstenite's read size
at 1, 2, 4 or 8 KiB. The
connection loop's rare paths (stop signals, the idle timer firing, read
errors, oversized or unreadable frames) were also moved into cold functions
out of the loop: 614 → 596 instruction-cache misses per round trip in the
same simulation. A run of the build with only the read buffer gave 1.00×,
0.931×, 0.919× and 0.890×; the run of the final build was 1.14×, 0.913×,
0.902× and 0.903× on ping → pong for 1, 10, 100 and 1,000 connections,
each the median of seven rounds' ratios, and the run in the table above,
of the same runtime on another machine of the kind (2026-12-02), 0.921×,
0.874×, 0.909× and 0.897×. Two runs of
the same build with the earlier method (each server's median of five
rounds) gave 1.05×, 1.07×, 0.930× and 1.03×, then 0.797×, 0.925×, 0.872×
and 0.988×: the machine's speed moves within and between runs by more than
the margin, so 0.9× is at the edge, not held at every load, and 1,000
connections, where neither the connections' state nor the framework's code
stays in cache between frames, is the load most often below it.

**Redis.** The channels_redis format costs per broadcast what its design
does: `group_send` lists the group's members (one `ZRANGE` of every channel
name), and the message written to each process queue names all that
process's members in `__asgi_channel__`, which the reading process decodes.
Both grow with the group; the previous layer published one message per
process and kept membership out of the message. The Rust + Python rows are
bounded by the Python process.

Fixed in earlier runs: a relayed frame is forwarded as the text it was
serialized to (it was parsed into a `Value` and serialized again for every
member); one lock per group send instead of one per member; one idle timer
per connection, re-armed lazily (a new timer per frame cost a timer-wheel
insert and removal); replies are serialized straight to text, the `ref`
envelope appended to the text (they went through a `Value` tree);
8 KiB read buffers (tungstenite's default 128 KiB buffer is zero-filled on the
first read, which cost every idle connection about 140 KiB).

";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_hostile_section_survives_a_rewrite() {
        let previous = format!(
            "# Benchmarks\n\nold tables\n\n{HOSTILE_MARK}\n\n## Hostile clients\n\nfigures\n"
        );
        let text = keep_hostile("# Benchmarks\n\nnew tables\n".into(), Some(&previous));
        assert_eq!(
            text,
            format!(
                "# Benchmarks\n\nnew tables\n\n{HOSTILE_MARK}\n\n## Hostile clients\n\nfigures\n"
            )
        );
        assert_eq!(keep_hostile("new".into(), Some("no marker")), "new");
        assert_eq!(keep_hostile("new".into(), None), "new");
    }

    #[test]
    fn the_hostile_section_is_replaced_or_added() {
        let section = format!("{HOSTILE_MARK}\n\nnew figures\n");
        let previous = format!("# Benchmarks\n\ntables\n\n{HOSTILE_MARK}\n\nold figures\n");
        assert_eq!(
            with_hostile(Some(&previous), &section),
            format!("# Benchmarks\n\ntables\n\n{section}")
        );
        assert_eq!(
            with_hostile(Some("# Benchmarks\n\ntables\n"), &section),
            format!("# Benchmarks\n\ntables\n\n{section}")
        );
        assert_eq!(with_hostile(None, &section), section);
    }
}
