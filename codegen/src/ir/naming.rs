//! Identifier-safe, collision-free names derived from what a document says.
//!
//! A spec name is split into words (punctuation and case changes are word
//! boundaries), non-ASCII letters are transliterated when a plain-ASCII form
//! is obvious and dropped otherwise, and a leading digit gets a prefix.
//! Keywords are left alone: each emitter escapes its own language's keywords.

use foldhash::{HashMap, HashSet};

use heck::{ToSnakeCase, ToUpperCamelCase};

use crate::ir::Name;

/// The identifier forms of `raw`: `(pascal, snake)`, or `None` when nothing
/// identifier-like is left (e.g. only punctuation or untransliterable script).
/// `digit_prefix` is put in front when the name would start with a digit.
pub fn ident_forms(raw: &str, digit_prefix: &str) -> Option<(String, String)> {
    let (pascal, snake) = if raw.is_ascii() {
        ascii_case_forms(raw)
    } else {
        ascii_case_forms(&ascii_words(raw))
    };
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

/// An ASCII name (as written, or as [`ascii_words`] spells another) in
/// `UpperCamelCase` and `snake_case`: what heck's `to_upper_camel_case`
/// and `to_snake_case` make of its words (a test compares them), in one
/// pass over the bytes with no intermediate text. Naming was a tenth of
/// building a large document's model, most of it in heck's Unicode-aware
/// case tests, then in making the words first.
fn ascii_case_forms(raw: &str) -> (String, String) {
    let mut pascal = String::with_capacity(raw.len());
    let mut snake = String::with_capacity(raw.len() + 8);
    // Each word copied whole, then its case changed in place.
    let mut push_word = |word: &str| {
        if !snake.is_empty() {
            snake.push('_');
        }
        let at = pascal.len();
        pascal.push_str(word);
        pascal[at..].make_ascii_lowercase();
        pascal[at..at + 1].make_ascii_uppercase();
        let at = snake.len();
        snake.push_str(word);
        snake[at..].make_ascii_lowercase();
    };
    // The runs of letters and digits, split again where a capital follows
    // a digit (`ascii_words` puts a space there).
    let bytes = raw.as_bytes();
    let mut start = 0;
    while start < bytes.len() {
        if !bytes[start].is_ascii_alphanumeric() {
            start += 1;
            continue;
        }
        let mut end = start + 1;
        while end < bytes.len()
            && bytes[end].is_ascii_alphanumeric()
            && !(bytes[end].is_ascii_uppercase() && bytes[end - 1].is_ascii_digit())
        {
            end += 1;
        }
        let run = &raw[start..end];
        split_case_words(run.as_bytes(), &mut |range| push_word(&run[range]));
        start = end;
    }
    (pascal, snake)
}

/// Hands where each word of `word` (ASCII letters and digits) is to `push_word`,
/// split by heck's rules: a word ends after a lowercase letter followed by
/// a capital, and before a capital that follows a capital and precedes a
/// lowercase letter (`XMLHttp` is `XML Http`).
fn split_case_words(word: &[u8], push_word: &mut impl FnMut(std::ops::Range<usize>)) {
    #[derive(Clone, Copy, PartialEq)]
    enum Mode {
        Boundary,
        Lower,
        Upper,
    }
    let mut start = 0;
    let mut mode = Mode::Boundary;
    for i in 0..word.len() {
        let c = word[i];
        let Some(&next) = word.get(i + 1) else {
            push_word(start..word.len());
            break;
        };
        let next_mode = if c.is_ascii_lowercase() {
            Mode::Lower
        } else if c.is_ascii_uppercase() {
            Mode::Upper
        } else {
            mode
        };
        if next_mode == Mode::Lower && next.is_ascii_uppercase() {
            push_word(start..i + 1);
            start = i + 1;
            mode = Mode::Boundary;
        } else if mode == Mode::Upper && c.is_ascii_uppercase() && next.is_ascii_lowercase() {
            push_word(start..i);
            start = i;
            mode = Mode::Boundary;
        } else {
            mode = next_mode;
        }
    }
}

/// `raw` as ASCII letters and digits separated by spaces.
fn ascii_words(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    for c in raw.chars() {
        // A capital after a digit starts a word: `Object_2Data` is
        // `Object 2 Data` (a suffixed name followed by a word).
        if c.is_ascii_uppercase() && out.ends_with(|p: char| p.is_ascii_digit()) {
            out.push(' ');
        }
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

/// The name a clash gives the `n`th claim of `base`: `base` itself first,
/// then `base_2`, `base_3`, … (`UserName_2`, `user_name_2`). The one suffix
/// style of every generated name.
pub fn suffixed(base: &str, n: usize) -> String {
    if n <= 1 {
        base.to_string()
    } else {
        format!("{base}_{n}")
    }
}

/// One namespace of names (the types of a module, the fields of one struct,
/// a module's declarations, …): the one allocator the model builder and
/// both emitters use. A name is handed out once; a later claim of a taken
/// name gets the first free [`suffixed`] form.
///
/// [`Namespace::new`] compares names after case folding and removing `_`
/// (what the model needs, so `userName`, `user_name` and `UserName` cannot
/// all be `user_name`); [`Namespace::exact`] compares them as spelled (what
/// an emitter needs for its own language's identifiers).
#[derive(Debug, Default, Clone)]
pub struct Namespace {
    taken: HashSet<String>,
    /// For each family handed out (keyed by its first names), the n to
    /// try next: names are never given back, so the ones before it are
    /// still taken, and a thousand claims of `Item` cost a thousand
    /// lookups, not half a million.
    next: HashMap<String, usize>,
    exact: bool,
}

impl Namespace {
    /// Names collide when equal after case folding and removing `_`.
    pub fn new() -> Self {
        Namespace::default()
    }

    /// Names collide only when spelled the same.
    pub fn exact() -> Self {
        Namespace {
            exact: true,
            ..Namespace::default()
        }
    }

    fn key(&self, name: &str) -> String {
        if self.exact {
            name.to_string()
        } else {
            fold(name)
        }
    }

    /// Room for `additional` more names: a namespace that will hold
    /// thousands (a module's types) is sized once instead of rehashing
    /// every name at each doubling.
    pub fn reserve_capacity(&mut self, additional: usize) {
        self.taken.reserve(additional);
        self.next.reserve(additional);
    }

    /// Marks names as used without handing them out (fixed or reserved names).
    pub fn reserve<S: AsRef<str>>(&mut self, names: impl IntoIterator<Item = S>) {
        for name in names {
            let key = self.key(name.as_ref());
            self.taken.insert(key);
        }
    }

    /// Whether `name` (or a name it collides with) is taken.
    pub fn is_taken(&self, name: &str) -> bool {
        self.taken.contains(&self.key(name))
    }

    /// Takes `name` when it is free. Returns whether it was.
    pub fn try_take(&mut self, name: &str) -> bool {
        let key = self.key(name);
        self.taken.insert(key)
    }

    /// Takes `wanted`, or its first free [`suffixed`] form.
    pub fn take(&mut self, wanted: &str) -> String {
        // `take_family` of the one-name family, without its vectors: every
        // field and variant name of a module goes through here.
        let family_key = self.key(wanted);
        let mut n = self.next.get(&family_key).copied().unwrap_or(1);
        // Most names are asked for once, and are free: taken as they are.
        if n == 1 && self.taken.insert(family_key.clone()) {
            self.next.insert(family_key, 2);
            return wanted.to_string();
        }
        loop {
            let name = suffixed(wanted, n);
            if self.try_take(&name) {
                self.next.insert(family_key, n + 1);
                return name;
            }
            n += 1;
        }
    }

    /// Takes a family of names at once: for n = 1, 2, …, the names
    /// `family(n)` gives, as soon as every one of them is free and
    /// `allowed`. Returns that n.
    pub fn take_family_where(
        &mut self,
        family: impl Fn(usize) -> Vec<String>,
        allowed: impl Fn(&str) -> bool,
    ) -> usize {
        let family_key = family(1)
            .iter()
            .map(|name| self.key(name))
            .collect::<Vec<_>>()
            .join("\0");
        let mut n = self.next.get(&family_key).copied().unwrap_or(1);
        loop {
            let names = family(n);
            let free = names
                .iter()
                .all(|name| allowed(name) && !self.is_taken(name));
            if free {
                self.reserve(&names);
                self.next.insert(family_key, n + 1);
                return n;
            }
            n += 1;
        }
    }

    /// [`Self::take_family_where`] with every name allowed.
    pub fn take_family(&mut self, family: impl Fn(usize) -> Vec<String>) -> usize {
        self.take_family_where(family, |_| true)
    }

    /// Claims a name for `spec`; `fallback` is used when `spec` has no
    /// identifier-like content. `digit_prefix` prefixes a leading digit.
    pub fn claim(&mut self, spec: &str, fallback: &str, digit_prefix: &str) -> Name {
        let (pascal, snake) = ident_forms(spec, digit_prefix)
            .or_else(|| ident_forms(fallback, digit_prefix))
            .unwrap_or_else(|| ("Unnamed".to_string(), "unnamed".to_string()));
        self.claim_forms(spec, pascal, snake)
    }

    /// Claims already computed forms: both free, or both with the same suffix.
    pub fn claim_forms(&mut self, spec: &str, pascal: String, snake: String) -> Name {
        // `take_family` of the pair, without building each candidate
        // name and folding it again: a suffixed name's key is its base's
        // key with the suffix's key appended.
        let pascal_key = self.key(&pascal);
        // The two forms of a name usually fold to one key (`FooBar`,
        // `foo_bar`): it is then looked up and taken once, and the snake
        // form's key is never made.
        let snake_key = (!self.has_key(&snake, &pascal_key)).then(|| self.key(&snake));
        let second_key = snake_key.as_deref().unwrap_or(&pascal_key);
        let mut family_key = String::with_capacity(pascal_key.len() + second_key.len() + 1);
        family_key.push_str(&pascal_key);
        family_key.push('\0');
        family_key.push_str(second_key);
        let mut n = self.next.get(&family_key).copied().unwrap_or(1);
        let free = |ns: &Self, key: &str| !ns.taken.contains(key);
        // The unsuffixed keys are taken as they are, the suffixed ones made.
        let (pascal_taken, snake_taken) = if n <= 1
            && free(self, &pascal_key)
            && snake_key.as_deref().is_none_or(|k| free(self, k))
        {
            (pascal_key, snake_key)
        } else {
            n = n.max(2);
            loop {
                let pascal_taken = self.suffixed_key(&pascal_key, n);
                let snake_taken = snake_key.as_ref().map(|key| self.suffixed_key(key, n));
                if free(self, &pascal_taken) && snake_taken.as_deref().is_none_or(|k| free(self, k))
                {
                    break (pascal_taken, snake_taken);
                }
                n += 1;
            }
        };
        self.taken.insert(pascal_taken);
        if let Some(snake_taken) = snake_taken {
            self.taken.insert(snake_taken);
        }
        self.next.insert(family_key, n + 1);
        Name {
            spec: spec.to_string(),
            pascal: if n <= 1 { pascal } else { suffixed(&pascal, n) },
            snake: if n <= 1 { snake } else { suffixed(&snake, n) },
        }
    }

    /// Whether `self.key(name) == key`, without making the key.
    fn has_key(&self, name: &str, key: &str) -> bool {
        if self.exact {
            return name == key;
        }
        let mut folded = name
            .bytes()
            .filter(|&b| b != b'_')
            .map(|b| b.to_ascii_lowercase());
        key.bytes().all(|b| folded.next() == Some(b)) && folded.next().is_none()
    }

    /// `self.key(&suffixed(name, n))` from `key = self.key(name)`.
    fn suffixed_key(&self, key: &str, n: usize) -> String {
        if n <= 1 {
            key.to_string()
        } else if self.exact {
            format!("{key}_{n}")
        } else {
            // Folding drops the `_` and leaves the digits.
            format!("{key}{n}")
        }
    }
}

fn fold(s: &str) -> String {
    // Lowered a byte at a time (ASCII only, as before), then the
    // underscores taken out where there are any.
    let mut folded = s.to_ascii_lowercase();
    if folded.contains('_') {
        folded.retain(|c| c != '_');
    }
    folded
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Words from a small alphabet that hits every rule: case changes,
    /// runs of capitals, digits, separators (xorshift, fixed seed).
    fn random_words(count: usize) -> Vec<String> {
        let alphabet = b"aAbBxXyY019 _-.";
        let mut state = 0x9e37_79b9_7f4a_7c15_u64;
        (0..count)
            .map(|_| {
                let state = crate::test_files::xorshift(&mut state);
                let len = (state % 12) as usize;
                (0..len)
                    .map(|i| {
                        let pick = (state >> (i * 5)) as usize % alphabet.len();
                        char::from(alphabet[pick])
                    })
                    .collect()
            })
            .collect()
    }

    #[test]
    fn ascii_case_forms_are_hecks() {
        let mut inputs: Vec<String> = [
            "",
            " ",
            "a",
            "A",
            "XMLHttpRequest",
            "userName",
            "user_name2x",
            "ABC",
            "aBC",
            "Object 2 Data",
            "HTTPServer2Go",
            "x1Y2z3",
            "__a__B__",
            "already_snake",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        inputs.extend(random_words(20_000));
        for words in &inputs {
            let words = ascii_words(words);
            assert_eq!(
                ascii_case_forms(&words),
                (words.to_upper_camel_case(), words.to_snake_case()),
                "{words:?}"
            );
        }
    }

    /// The one-pass forms of an ASCII name are those of its words.
    #[test]
    fn ascii_names_take_the_forms_of_their_words() {
        let mut inputs: Vec<String> = ["", "_", "9", "a9B", "2Data", "x-Y.z", "ABc1Def", "a__b"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        inputs.extend(random_words(20_000));
        let mut state = 0x2545_f491_4f6c_dd1d;
        let alphabet = b"aZ0_-. bQ9Xy";
        inputs.extend((0..20_000).map(|_| {
            let len = (crate::test_files::xorshift(&mut state) % 12) as usize;
            (0..len)
                .map(|_| {
                    let pick = crate::test_files::xorshift(&mut state) as usize % alphabet.len();
                    char::from(alphabet[pick])
                })
                .collect()
        }));
        for raw in &inputs {
            assert_eq!(
                ascii_case_forms(raw),
                ascii_case_forms(&ascii_words(raw)),
                "{raw:?}"
            );
        }
    }

    #[test]
    fn claiming_forms_takes_the_names_a_family_would() {
        // The pair taken as a two-name family, as before the shortcut.
        fn by_family(ns: &mut Namespace, pascal: &str, snake: &str) -> (String, String) {
            let n = ns.take_family(|n| vec![suffixed(pascal, n), suffixed(snake, n)]);
            (suffixed(pascal, n), suffixed(snake, n))
        }
        for exact in [false, true] {
            let fresh = || {
                if exact {
                    Namespace::exact()
                } else {
                    Namespace::new()
                }
            };
            let (mut fast, mut reference) = (fresh(), fresh());
            let mut clashes = 0;
            for raw in random_words(3_000) {
                let Some((pascal, snake)) = ident_forms(&raw, "N") else {
                    continue;
                };
                // Reserved names in between, as emitters make them.
                if raw.len() % 7 == 0 {
                    fast.reserve([format!("{pascal}_2")]);
                    reference.reserve([format!("{pascal}_2")]);
                }
                let name = fast.claim_forms(&raw, pascal.clone(), snake.clone());
                let expected = by_family(&mut reference, &pascal, &snake);
                clashes += usize::from(name.pascal.contains('_'));
                assert_eq!(
                    (name.pascal, name.snake),
                    expected,
                    "{raw:?} (exact: {exact})"
                );
            }
            assert!(
                clashes > 500,
                "only {clashes} suffixed names (exact: {exact})"
            );
        }
    }

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
        assert_eq!(
            pascal,
            ["UserName", "UserName_2", "UserName_3", "UserName_4"]
        );
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
        assert_eq!(got[2], ("Self_2".into(), "self_2".into()));
        assert_eq!(got[3], ("Async".into(), "async".into()));
        assert_eq!(got[4], ("Fn".into(), "fn".into()));
    }

    #[test]
    fn exact_namespaces_and_families() {
        let mut ns = Namespace::exact();
        ns.reserve(["Params"]);
        assert_eq!(ns.take("Params"), "Params_2");
        assert_eq!(ns.take("params"), "params");
        assert_eq!(ns.take("x"), "x");
        assert_eq!(ns.take("x"), "x_2");
        assert!(ns.try_take("Chat"));
        let n = ns.take_family(|n| vec![suffixed("Chat", n), suffixed("Chat", n) + "Client"]);
        assert_eq!(n, 2);
        assert!(ns.is_taken("Chat_2Client"));
        assert!(!ns.is_taken("ChatClient"));
    }

    #[test]
    fn a_suffixed_name_keeps_the_words_after_it() {
        assert_eq!(
            ident_forms("Object_2Data", "N"),
            Some(("Object2Data".into(), "object_2_data".into()))
        );
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
