//! Topic patterns (`room:{room_id}`), matched and filled as chanx does.

use regex::Regex;

/// A compiled topic pattern.
///
/// Each `{name}` (a run of word characters) matches one or more characters
/// other than `:`; the rest matches literally; the whole topic must match.
/// This is chanx's `Topic` regex, down to Python's `$`, which also matches
/// before a final newline.
#[derive(Debug, Clone)]
pub struct TopicPattern {
    pattern: &'static str,
    regex: Regex,
    names: Vec<&'static str>,
}

impl TopicPattern {
    /// Compiles `pattern`.
    pub fn new(pattern: &'static str) -> Self {
        let mut source = String::from(r"\A");
        let mut names = Vec::new();
        for part in parts(pattern) {
            match part {
                Part::Literal(text) => source.push_str(&regex::escape(text)),
                Part::Param(name) => {
                    names.push(name);
                    source.push_str("([^:]+)");
                }
            }
        }
        source.push_str(r"\n?\z");
        // Escaped literals and fixed groups always compile; the fallback
        // (matching nothing) only guards against a regex size limit.
        let regex = Regex::new(&source)
            .unwrap_or_else(|_| Regex::new(r"[^\s\S]").expect("an empty class compiles"));
        TopicPattern {
            pattern,
            regex,
            names,
        }
    }

    /// The pattern as written.
    pub fn as_str(&self) -> &'static str {
        self.pattern
    }

    /// The parameter names, in pattern order.
    pub fn names(&self) -> &[&'static str] {
        &self.names
    }

    /// The parameter values of `topic`, in pattern order, or `None` when it
    /// does not match.
    pub fn matches(&self, topic: &str) -> Option<Vec<String>> {
        let captures = self.regex.captures(topic)?;
        Some(
            (1..captures.len())
                .map(|i| captures.get(i).map_or("", |m| m.as_str()).to_owned())
                .collect(),
        )
    }

    /// The topic with each `{name}` replaced by its value (`values` in
    /// pattern order, as [`TopicPattern::matches`] gives them).
    pub fn fill<S: AsRef<str>>(&self, values: &[S]) -> String {
        let mut out = String::with_capacity(self.pattern.len());
        let mut values = values.iter();
        for part in parts(self.pattern) {
            match part {
                Part::Literal(text) => out.push_str(text),
                Part::Param(_) => out.push_str(values.next().map_or("", AsRef::as_ref)),
            }
        }
        out
    }
}

enum Part<'a> {
    Literal(&'a str),
    Param(&'a str),
}

/// Splits a pattern as Python's `re.split(r"\{(\w+)\}", pattern)` does: a
/// `{` not followed by word characters and `}` is literal.
fn parts(pattern: &str) -> Vec<Part<'_>> {
    let mut parts = Vec::new();
    let mut literal_start = 0;
    let mut i = 0;
    while i < pattern.len() {
        if pattern.as_bytes()[i] == b'{' {
            let rest = &pattern[i + 1..];
            let word = rest
                .char_indices()
                .find(|(_, c)| !(c.is_alphanumeric() || *c == '_'))
                .map_or(rest.len(), |(at, _)| at);
            if word > 0 && rest[word..].starts_with('}') {
                if literal_start < i {
                    parts.push(Part::Literal(&pattern[literal_start..i]));
                }
                parts.push(Part::Param(&rest[..word]));
                i += word + 2;
                literal_start = i;
                continue;
            }
        }
        i += 1;
    }
    if literal_start < pattern.len() {
        parts.push(Part::Literal(&pattern[literal_start..]));
    }
    parts
}

#[cfg(test)]
mod tests {
    use super::TopicPattern;

    fn values(pattern: &'static str, topic: &str) -> Option<Vec<String>> {
        TopicPattern::new(pattern).matches(topic)
    }

    #[test]
    fn matches_as_chanx_does() {
        assert_eq!(values("room:{room_id}", "room:42"), Some(vec!["42".into()]));
        assert_eq!(values("room:{room_id}", "room:"), None);
        assert_eq!(values("room:{room_id}", "room:a:b"), None);
        assert_eq!(values("room:{room_id}", "rooms:1"), None);
        assert_eq!(values("room:{room_id}", "xroom:1"), None);
        assert_eq!(
            values("run:{run_id}:step:{step}", "run:7:step:2"),
            Some(vec!["7".into(), "2".into()])
        );
        // Python's `$` also matches before a final newline.
        assert_eq!(values("room:{id}", "room:4\n"), Some(vec!["4\n".into()]));
        assert_eq!(values("{id}:x", "1:x\n"), Some(vec!["1".into()]));
        assert_eq!(values("{id}:x", "1:x\n\n"), None);
        // Greedy parameters, as with Python's backtracking.
        assert_eq!(values("{a}{b}", "xyz"), Some(vec!["xy".into(), "z".into()]));
        assert_eq!(
            values("{a}x{b}", "axbxc"),
            Some(vec!["axb".into(), "c".into()])
        );
        // Regex metacharacters in literals are literal.
        assert_eq!(values("a.b+{x}", "a.b+1"), Some(vec!["1".into()]));
        assert_eq!(values("a.b+{x}", "aXbb1"), None);
        assert_eq!(values("é {x}", "é ü"), Some(vec!["ü".into()]));
        assert_eq!(values("x{}{y}", "x{}1"), Some(vec!["1".into()]));
        assert_eq!(values("fixed", "fixed"), Some(vec![]));
    }

    #[test]
    fn fills_parameters_in_pattern_order() {
        let pattern = TopicPattern::new("run:{run_id}:step:{step}");
        assert_eq!(pattern.names(), ["run_id", "step"]);
        assert_eq!(pattern.fill(&["7", "2"]), "run:7:step:2");
        let topic = pattern.fill(&["a b", "é"]);
        assert_eq!(
            pattern.matches(&topic),
            Some(vec!["a b".into(), "é".into()])
        );
    }
}
