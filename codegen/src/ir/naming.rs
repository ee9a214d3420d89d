//! Identifier-safe, collision-free names derived from what a document says.
//!
//! A spec name is split into words (punctuation and case changes are word
//! boundaries), non-ASCII letters are transliterated when a plain-ASCII form
//! is obvious and dropped otherwise, and a leading digit gets a prefix.
//! Keywords are left alone: each emitter escapes its own language's keywords.

use std::collections::BTreeSet;

use heck::{ToSnakeCase, ToUpperCamelCase};

use crate::ir::Name;

/// The identifier forms of `raw`: `(pascal, snake)`, or `None` when nothing
/// identifier-like is left (e.g. only punctuation or untransliterable script).
/// `digit_prefix` is put in front when the name would start with a digit.
pub fn ident_forms(raw: &str, digit_prefix: &str) -> Option<(String, String)> {
    let words = ascii_words(raw);
    let pascal = words.to_upper_camel_case();
    let snake = words.to_snake_case();
    if pascal.is_empty() || snake.is_empty() {
        return None;
    }
    if pascal.starts_with(|c: char| c.is_ascii_digit()) {
        let prefix = digit_prefix.to_upper_camel_case();
        let snake_prefix = digit_prefix.to_snake_case();
        return Some((
            format!("{prefix}{pascal}"),
            format!("{snake_prefix}_{snake}"),
        ));
    }
    Some((pascal, snake))
}

/// `raw` as ASCII letters and digits separated by spaces.
fn ascii_words(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    for c in raw.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if let Some(t) = transliterate(c) {
            out.push_str(t);
        } else {
            out.push(' ');
        }
    }
    out
}

/// A plain-ASCII spelling of common accented Latin letters.
fn transliterate(c: char) -> Option<&'static str> {
    let lower = c.to_lowercase().next().unwrap_or(c);
    let plain = match lower {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' | 'ă' | 'ą' => "a",
        'æ' => "ae",
        'ç' | 'ć' | 'č' | 'ĉ' | 'ċ' => "c",
        'ď' | 'đ' | 'ð' => "d",
        'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ė' | 'ę' | 'ě' => "e",
        'ğ' | 'ĝ' | 'ġ' | 'ģ' => "g",
        'ì' | 'í' | 'î' | 'ï' | 'ī' | 'į' | 'ı' => "i",
        'ĳ' => "ij",
        'ķ' => "k",
        'ł' | 'ľ' | 'ĺ' | 'ļ' => "l",
        'ñ' | 'ń' | 'ň' | 'ņ' => "n",
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ō' | 'ő' => "o",
        'œ' => "oe",
        'ŕ' | 'ř' | 'ŗ' => "r",
        'ś' | 'š' | 'ş' | 'ș' | 'ŝ' => "s",
        'ß' => "ss",
        'ť' | 'ţ' | 'ț' => "t",
        'þ' => "th",
        'ù' | 'ú' | 'û' | 'ü' | 'ū' | 'ů' | 'ű' | 'ų' => "u",
        'ý' | 'ÿ' => "y",
        'ź' | 'ż' | 'ž' => "z",
        _ => return None,
    };
    if lower == c {
        return Some(plain);
    }
    // Keep a capital so the word boundary survives (`Ärger` → `Aerger` style).
    Some(match plain {
        "a" => "A",
        "ae" => "Ae",
        "c" => "C",
        "d" => "D",
        "e" => "E",
        "g" => "G",
        "i" => "I",
        "ij" => "Ij",
        "k" => "K",
        "l" => "L",
        "n" => "N",
        "o" => "O",
        "oe" => "Oe",
        "r" => "R",
        "s" => "S",
        "ss" => "Ss",
        "t" => "T",
        "th" => "Th",
        "u" => "U",
        "y" => "Y",
        "z" => "Z",
        other => other,
    })
}

/// One namespace of names (the types, the fields of one struct, …).
///
/// Names collide when they are equal after case folding and removing `_`,
/// so `userName`, `user_name` and `UserName` cannot all be `user_name`.
/// The first name claimed keeps its plain form; later ones get `2`, `3`, ….
#[derive(Debug, Default, Clone)]
pub struct Namespace {
    taken: BTreeSet<String>,
}

impl Namespace {
    pub fn new() -> Self {
        Namespace::default()
    }

    /// Claims a name for `spec`; `fallback` is used when `spec` has no
    /// identifier-like content. `digit_prefix` prefixes a leading digit.
    pub fn claim(&mut self, spec: &str, fallback: &str, digit_prefix: &str) -> Name {
        let (pascal, snake) = ident_forms(spec, digit_prefix)
            .or_else(|| ident_forms(fallback, digit_prefix))
            .unwrap_or_else(|| ("Unnamed".to_string(), "unnamed".to_string()));
        self.claim_forms(spec, pascal, snake)
    }

    /// Claims already computed forms, adding a numeric suffix on collision.
    pub fn claim_forms(&mut self, spec: &str, pascal: String, snake: String) -> Name {
        let mut n = 1usize;
        loop {
            let (p, s) = if n == 1 {
                (pascal.clone(), snake.clone())
            } else {
                (format!("{pascal}{n}"), format!("{snake}_{n}"))
            };
            let key = fold(&p);
            if !self.taken.contains(&key) && !self.taken.contains(&fold(&s)) {
                self.taken.insert(key);
                self.taken.insert(fold(&s));
                return Name {
                    spec: spec.to_string(),
                    pascal: p,
                    snake: s,
                };
            }
            n += 1;
        }
    }
}

fn fold(s: &str) -> String {
    s.chars()
        .filter(|c| *c != '_')
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claim_all(specs: &[&str]) -> Vec<(String, String)> {
        let mut ns = Namespace::new();
        specs
            .iter()
            .map(|s| {
                let n = ns.claim(s, "Fallback", "N");
                (n.pascal, n.snake)
            })
            .collect()
    }

    #[test]
    fn case_and_punctuation_variants_get_suffixes_in_order() {
        let got = claim_all(&["userName", "user_name", "UserName", "user-name"]);
        let pascal: Vec<&str> = got.iter().map(|(p, _)| p.as_str()).collect();
        let snake: Vec<&str> = got.iter().map(|(_, s)| s.as_str()).collect();
        assert_eq!(pascal, ["UserName", "UserName2", "UserName3", "UserName4"]);
        assert_eq!(
            snake,
            ["user_name", "user_name_2", "user_name_3", "user_name_4"]
        );
    }

    #[test]
    fn keywords_are_kept_for_emitters_to_escape() {
        let got = claim_all(&["type", "self", "Self", "async", "fn"]);
        assert_eq!(got[0], ("Type".into(), "type".into()));
        assert_eq!(got[1], ("Self".into(), "self".into()));
        // `Self` folds onto `self`, so it is suffixed rather than clashing.
        assert_eq!(got[2], ("Self2".into(), "self_2".into()));
        assert_eq!(got[3], ("Async".into(), "async".into()));
        assert_eq!(got[4], ("Fn".into(), "fn".into()));
    }

    #[test]
    fn leading_digits_are_prefixed() {
        assert_eq!(
            ident_forms("1st-place", "N"),
            Some(("N1stPlace".into(), "n_1st_place".into()))
        );
        assert_eq!(ident_forms("1", "V"), Some(("V1".into(), "v_1".into())));
        assert_eq!(ident_forms("_1", "V"), Some(("V1".into(), "v_1".into())));
    }

    #[test]
    fn non_ascii_is_transliterated_or_dropped() {
        assert_eq!(
            ident_forms("café_crème", "N"),
            Some(("CafeCreme".into(), "cafe_creme".into()))
        );
        assert_eq!(
            ident_forms("Straße", "N"),
            Some(("Strasse".into(), "strasse".into()))
        );
        assert_eq!(ident_forms("名前", "N"), None);
        let mut ns = Namespace::new();
        let n = ns.claim("名前", "ProfileName", "N");
        assert_eq!(
            (n.spec.as_str(), n.pascal.as_str()),
            ("名前", "ProfileName")
        );
    }

    #[test]
    fn punctuation_splits_words() {
        assert_eq!(
            ident_forms("in-progress", "V"),
            Some(("InProgress".into(), "in_progress".into()))
        );
        assert_eq!(
            ident_forms("subscribe.message.0", "N"),
            Some(("SubscribeMessage0".into(), "subscribe_message_0".into()))
        );
        assert_eq!(ident_forms("", "V"), None);
        assert_eq!(ident_forms("$%", "V"), None);
    }
}
