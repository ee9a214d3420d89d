//! A large YAML file parsed in two parts at once.
//!
//! Loading a document is the one step of a generation no other core
//! shares, and scanning YAML is most of it. A large document is mostly one
//! long mapping (`components/schemas`, say): its members from a cut line on
//! are parsed on a thread of their own, while the rest of the file, those
//! lines left blank, is parsed here; the second part's members are then
//! added to the mapping. Blank lines keep every line number, and nothing
//! moves sideways, so every position is the one the whole file gives.
//!
//! The cut is found from indentation alone, and whatever the lines hold,
//! the result is either the whole file's or nothing: any error in either
//! part, a key in both, an anchor or alias in the second part, or a shape
//! other than expected, and the file is parsed in one piece, which also
//! gives the error its usual message.

use serde_json::Value;

use super::{Limits, ParsedFile, PathKey, TreeBuilder};

/// Files from this size are parsed in two parts: below it a thread costs
/// about what it saves.
const FROM_BYTES: usize = 64 * 1024;

/// Where the file is cut.
#[derive(Debug, PartialEq)]
struct Cut {
    /// The keys from the root to the mapping that is split.
    path: Vec<String>,
    /// The first line (0-based) of the second part.
    from_line: usize,
    /// The line after the mapping's last member.
    to_line: usize,
}

/// Whether the file at `path` is large enough to be parsed in two parts.
pub(crate) fn large_enough(path: &std::path::Path) -> bool {
    std::fs::metadata(path).is_ok_and(|meta| meta.len() >= FROM_BYTES as u64)
}

/// The file parsed in two parts at once, or `None` to parse it whole.
pub(super) fn parse_in_two(text: &str, limits: &Limits) -> Option<ParsedFile> {
    if text.len() < FROM_BYTES || text.starts_with('%') || text.contains("\n%") {
        // Directives (`%TAG`) would change how the second part reads.
        return None;
    }
    let lines = line_starts(text);
    let cut = find_cut(text, &lines)?;
    parse_cut(text, &lines, &cut, limits)
}

/// The file parsed in the two parts `cut` makes, or `None`.
fn parse_cut(text: &str, lines: &[usize], cut: &Cut, limits: &Limits) -> Option<ParsedFile> {
    let (first_text, second_text) = part_texts(text, lines, cut);
    let mut base = PathKey::root();
    for key in &cut.path {
        base = base.child(key);
    }
    // Each part's positions have room for its own lines' nodes: the
    // second part's are kept beside the first's (see `Positions::absorb`).
    let second_lines = cut.to_line - cut.from_line;
    let second_nodes = super::nodes_for_lines(second_lines);
    let first_nodes = super::nodes_for_lines(lines.len() - second_lines);
    let (first, second) = std::thread::scope(|scope| {
        let second = scope.spawn(|| {
            let base = base.clone();
            parse_part(&second_text, limits, base, cut.path.len(), second_nodes)
        });
        let first = parse_part(&first_text, limits, PathKey::root(), 0, first_nodes);
        (first, second.join().ok().flatten())
    });
    let (first, second) = (first?, second?);
    // An alias in the second part may name an anchor of the first, and
    // the limits on what aliases copy hold for the whole file.
    if !second.anchors.is_empty() || second.copied != (0, 0) {
        return None;
    }
    let mut value = first.root?;
    let Value::Object(members) = second.root? else {
        return None;
    };
    let mut mapping = &mut value;
    for key in &cut.path {
        mapping = mapping.as_object_mut()?.get_mut(key)?;
    }
    let mapping = mapping.as_object_mut()?;
    for (key, member) in members {
        if mapping.contains_key(&key) {
            // A duplicate key: the whole file's error.
            return None;
        }
        mapping.insert(key, member);
    }
    let mut positions = first.positions;
    // Where the mapping starts is the first part's: the second part's
    // top node starts at its first member.
    positions.absorb(second.positions, &base);
    Some(ParsedFile { value, positions })
}

/// One part parsed, its top node at `base`; `None` on any error.
fn parse_part<'l>(
    text: &str,
    limits: &'l Limits,
    base: PathKey,
    base_depth: usize,
    nodes: usize,
) -> Option<TreeBuilder<'l>> {
    let (builder, scanned) = super::read_tree(text, || {
        TreeBuilder::part(limits, base.clone(), base_depth, nodes)
    });
    scanned.ok()?;
    (builder.error.is_none() && builder.documents == 1).then_some(builder)
}

/// Where each line starts, and the end of the text.
fn line_starts(text: &str) -> Vec<usize> {
    // memchr finds a newline a vector at a time: a byte at a time this was
    // most of the time before the second part could start.
    let mut starts = vec![0];
    starts.extend(memchr::memchr_iter(b'\n', text.as_bytes()).map(|at| at + 1));
    if *starts.last().unwrap_or(&0) != text.len() {
        starts.push(text.len());
    }
    starts
}

/// The text of line `i` (its newline aside).
fn line<'t>(text: &'t str, lines: &[usize], i: usize) -> &'t str {
    let line = &text[lines[i]..lines[i + 1]];
    // Bytes, not characters: this runs over every line before the second
    // part can start.
    let mut end = line.len();
    while end > 0 && matches!(line.as_bytes()[end - 1], b'\n' | b'\r') {
        end -= 1;
    }
    &line[..end]
}

/// How far a line with content is indented; `None` for a blank or
/// comment line.
fn indent_of(line: &str) -> Option<usize> {
    let bytes = line.as_bytes();
    let indent = bytes.iter().take_while(|&&b| b == b' ').count();
    matches!(bytes.get(indent), Some(&b) if b != b'#').then_some(indent)
}

/// A line's indentation (`None` for a blank or comment line), and whether
/// it may start a member: a plain or quoted key, not a sequence item, an
/// explicit key (`? `, `: `), a flow collection, a tag, an anchor or an
/// alias.
fn shape(line: &str) -> Option<(usize, bool)> {
    let indent = indent_of(line)?;
    let first = line.as_bytes()[indent];
    let member =
        first.is_ascii_alphanumeric() || matches!(first, b'_' | b'$' | b'"' | b'\'' | b'/' | b'.');
    Some((indent, member))
}

/// The key of a line that opens a block collection (`  name:`), when the
/// key reads as the same string in a JSON pointer: plain, and not a
/// null, boolean or number.
fn block_key(line: &str, indent: usize) -> Option<&str> {
    let key = line[indent..].trim_end().strip_suffix(':')?;
    let first = key.bytes().next()?;
    let plain = (first.is_ascii_alphabetic() || first == b'_' || first == b'$')
        && key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'$' | b'-'));
    let special = ["null", "true", "false"]
        .iter()
        .any(|word| key.eq_ignore_ascii_case(word));
    (plain && !special).then_some(key)
}

/// A cut that leaves each part about half the text: among the members of
/// the root mapping, or of the member holding more than half the text, and
/// so on down.
fn find_cut(text: &str, lines: &[usize]) -> Option<Cut> {
    let line_count = lines.len() - 1;
    let half = text.len() / 2;
    let shapes: Vec<Option<(usize, bool)>> = (0..line_count)
        .map(|i| shape(line(text, lines, i)))
        .collect();
    let mut path = Vec::new();
    let (mut from, mut to, mut indent) = (0, line_count, 0);
    loop {
        let members: Vec<usize> = (from..to)
            .filter(|&i| shapes[i] == Some((indent, true)))
            .collect();
        if members.len() < 2 {
            return None;
        }
        let bytes_from = |i: usize| lines[to] - lines[i];
        // The second part starts at a member after the first, so that the
        // first part keeps the mapping.
        let best = *members[1..]
            .iter()
            .min_by_key(|&&i| bytes_from(i).abs_diff(half))?;
        if bytes_from(best).abs_diff(half) <= text.len() / 8 {
            return Some(Cut {
                path,
                from_line: best,
                to_line: to,
            });
        }
        let ends = members[1..].iter().copied().chain([to]);
        let (largest, end) = members
            .iter()
            .copied()
            .zip(ends)
            .max_by_key(|&(start, end)| lines[end] - lines[start])?;
        if lines[end] - lines[largest] < half {
            return (bytes_from(best) >= text.len() / 4).then_some(Cut {
                path,
                from_line: best,
                to_line: to,
            });
        }
        let key = block_key(line(text, lines, largest), indent)?;
        let (inner, _) = shapes[largest + 1..end].iter().find_map(|shape| *shape)?;
        if inner <= indent {
            return None;
        }
        path.push(key.to_owned());
        (from, to, indent) = (largest + 1, end, inner);
    }
}

/// The two texts: the file with the second part's lines left blank, and
/// blank lines followed by the second part's.
fn part_texts(text: &str, lines: &[usize], cut: &Cut) -> (String, String) {
    let blank = cut.to_line - cut.from_line;
    let (from, to) = (lines[cut.from_line], lines[cut.to_line]);
    let mut first = String::with_capacity(text.len() - (to - from) + blank);
    first.push_str(&text[..from]);
    first.extend(std::iter::repeat_n('\n', blank));
    first.push_str(&text[to..]);
    let mut second = String::with_capacity(cut.from_line + (to - from));
    second.extend(std::iter::repeat_n('\n', cut.from_line));
    second.push_str(&text[from..to]);
    (first, second)
}

#[cfg(test)]
mod tests {
    use yaml_rust2::parser::Parser;

    use super::*;

    /// A document like the large ones: a long `components/schemas`.
    fn document(schemas: usize) -> String {
        let mut text = String::from(
            "asyncapi: 3.0.0\ninfo:\n  title: t\n  version: '1'\ncomponents:\n  schemas:\n",
        );
        for i in 0..schemas {
            text.push_str(&format!(
                "    S{i}:\n      type: object\n      description: |\n        line one\n\n        line {i}\n  # a comment\n      properties:\n        a: {{type: string}}\n"
            ));
        }
        text.push_str(
            "  messages:\n    M:\n      payload:\n        $ref: '#/components/schemas/S0'\n",
        );
        text
    }

    fn whole(text: &str) -> Option<ParsedFile> {
        let limits = Limits::default();
        let mut builder = TreeBuilder::new(&limits);
        Parser::new_from_str(text).load(&mut builder, true).ok()?;
        if builder.error.is_some() {
            return None;
        }
        Some(ParsedFile {
            value: builder.root?,
            positions: builder.positions,
        })
    }

    fn same(a: &ParsedFile, b: &ParsedFile) -> bool {
        a.value == b.value && a.positions == b.positions
    }

    #[test]
    fn a_large_mapping_is_cut_near_its_middle_and_parsed_as_the_whole() {
        let text = document(2000);
        let lines = line_starts(&text);
        let cut = find_cut(&text, &lines).unwrap();
        assert_eq!(cut.path, ["components", "schemas"]);
        let second = lines[cut.to_line] - lines[cut.from_line];
        assert!(second.abs_diff(text.len() / 2) <= text.len() / 8);
        let parsed = parse_in_two(&text, &Limits::default()).expect("parsed in two parts");
        let expected = whole(&text).unwrap();
        assert!(same(&parsed, &expected));
        let pointer = "/components/schemas/S1999/description";
        assert_eq!(
            parsed.positions.get(pointer),
            expected.positions.get(pointer)
        );
        assert_eq!(parsed.positions.get("/components/schemas"), Some((7, 5)));
    }

    /// Every member line of the split mapping as the cut, in documents the parts
    /// cannot all read alone: the result is the whole file's, or none.
    #[test]
    fn any_cut_gives_the_whole_file_or_nothing() {
        let text = document(12);
        let anchored = text.replacen("    S0:\n", "    S0: &zero\n", 1);
        let variants = [
            ("plain", text.clone()),
            ("duplicate key", text.replacen("    S5:", "    S4:", 1)),
            (
                "alias",
                anchored.replacen("    S9:\n", "    S9: *zero\n    S9b:\n", 1),
            ),
            ("anchor", anchored.clone()),
            (
                "open string",
                text.replacen("    S5:\n", "    Open: \"a\n    S5: b\"\n    S5:\n", 1),
            ),
            (
                "open flow",
                text.replacen("    S5:\n", "    Open: [a,\n    S5: b]\n    S5:\n", 1),
            ),
            (
                "document end",
                text.replacen("    S7:\n", "---\n    S7:\n", 1),
            ),
            (
                "plain continuation",
                text.replacen("    S5:\n", "    Plain: abc\n    def\n    S5:\n", 1),
            ),
            (
                "explicit key",
                text.replacen("    S5:\n", "    ? S5\n    :\n", 1),
            ),
            ("quoted key", text.replacen("    S5:\n", "    \"S5\":\n", 1)),
            (
                "indentation indicator",
                text.replacen("      description: |\n", "      description: |2\n", 3),
            ),
            (
                "comment at column 0",
                text.replace("  # a comment\n", "# a comment\n"),
            ),
            ("crlf", text.replace('\n', "\r\n")),
            ("tab", text.replacen("    S6:\n", "    S6:\n\t\n", 1)),
        ];
        for (case, text) in variants {
            let lines = line_starts(&text);
            let expected = whole(&text);
            let mut two_parts = 0;
            // Lines a cut may start at: indented as the mapping's members.
            let to_line = (0..lines.len() - 1)
                .find(|&i| line(&text, &lines, i) == "  messages:")
                .unwrap();
            let cuts = (7..to_line).filter(|&i| shape(line(&text, &lines, i)) == Some((4, true)));
            for from_line in cuts {
                let cut = Cut {
                    path: vec!["components".into(), "schemas".into()],
                    from_line,
                    to_line,
                };
                let Some(parsed) = parse_cut(&text, &lines, &cut, &Limits::default()) else {
                    continue;
                };
                two_parts += 1;
                let expected = expected
                    .as_ref()
                    .unwrap_or_else(|| panic!("{case}: parsed in two, not whole"));
                assert!(same(&parsed, expected), "{case}, cut at line {from_line}");
            }
            if case == "plain" {
                assert_eq!(two_parts, 11, "a cut at every member but the first");
            }
            if case == "duplicate key" || case == "document end" {
                assert_eq!(two_parts, 0, "{case}");
            }
        }
    }

    #[test]
    fn small_files_and_directives_are_parsed_whole() {
        let limits = Limits::default();
        assert!(parse_in_two(&document(10), &limits).is_none());
        assert!(parse_in_two(&format!("%YAML 1.2\n---\n{}", document(2000)), &limits).is_none());
    }

    /// The repository's YAML documents, cut wherever a cut is found
    /// whatever their size: two parts give the whole file.
    #[test]
    fn the_corpus_parses_the_same_in_two_parts() {
        let files = crate::test_files::under(&["tests/corpus", "specs"], &["yaml", "yml"]);
        let mut two_parts = 0;
        for path in &files {
            let text = std::fs::read_to_string(path).unwrap();
            let lines = line_starts(&text);
            let Some(cut) = find_cut(&text, &lines) else {
                continue;
            };
            if let Some(parsed) = parse_cut(&text, &lines, &cut, &Limits::default()) {
                two_parts += 1;
                let expected = whole(&text).expect("parsed whole");
                assert!(same(&parsed, &expected), "{}", path.display());
            }
        }
        assert!(
            files.len() >= 20 && two_parts >= files.len() / 2,
            "{two_parts} of {}",
            files.len()
        );
    }
}
