//! Printing the generated module an item at a time.
//!
//! Each item is parsed with `syn` and printed with `prettyplease` on its
//! own, inside a stand-in module so it is indented and wrapped exactly as in
//! the whole file, and its tokens and syntax tree are dropped before the
//! next item is built. Memory stays close to the size of the printed text
//! instead of many times the size of the whole module's syntax tree.
//!
//! The items every type has, and most of a channel module's, are not
//! printed this way but written as text ([`Piece::Printed`], from
//! [`super::printed`] and `channels::printed`): the same text, without the
//! parse.

use proc_macro2::{Delimiter, Group, Ident, Span, TokenStream, TokenTree};

use super::layout::{push_split_doc_lines, split_doc_lines};
use crate::diag::{Code, Diagnostic, Diagnostics};

/// An item of a module: tokens to print, or text already printed as
/// prettyplease prints it ([`super::printed`]). Debug builds keep the
/// tokens the text stands for, and check that they print the same.
pub enum Piece {
    Tokens(TokenStream),
    Printed {
        text: String,
        tokens: Option<TokenStream>,
    },
}

impl Piece {
    /// `text` if there is one, else `tokens()`; debug builds also build the
    /// tokens for the text, to check it.
    pub fn printed_or(text: Option<String>, tokens: impl FnOnce() -> TokenStream) -> Piece {
        match text {
            Some(text) => Piece::Printed {
                text,
                tokens: cfg!(debug_assertions).then(tokens),
            },
            None => Piece::Tokens(tokens()),
        }
    }
}

/// A module being printed: its opening line (attributes and `mod NAME {`)
/// and the printed items so far.
pub struct Module {
    text: String,
    /// Where the items start in `text`.
    body_start: usize,
}

impl Module {
    /// Opens the module `header` declares (attributes and `mod NAME {}`).
    pub fn open(header: TokenStream) -> Result<Self, Diagnostics> {
        let printed = print(header)?;
        // An empty module prints as `… {}`.
        let text = match printed.trim_end().strip_suffix("{}") {
            Some(open) => format!("{open}{{\n"),
            None => return Err(bug("a module header did not print as `mod NAME {}`".into())),
        };
        Ok(Module {
            body_start: text.len(),
            text,
        })
    }

    /// Goes on with a module whose opening another `Module` printed (and
    /// took with [`take_text`](Self::take_text)): what this one prints
    /// follows that one's text.
    pub fn continued() -> Self {
        Module {
            text: String::new(),
            body_start: 0,
        }
    }

    /// Prints `item` (one or more items) into the module.
    pub fn item(&mut self, item: TokenStream) -> Result<(), Diagnostics> {
        if item.is_empty() {
            return Ok(());
        }
        let printed = print(in_module(item))?;
        push_split_doc_lines(module_body(&printed)?, &mut self.text);
        Ok(())
    }

    /// Adds `piece` to the module.
    pub fn piece(&mut self, piece: Piece) -> Result<(), Diagnostics> {
        match piece {
            Piece::Tokens(item) => self.item(item),
            Piece::Printed { text, tokens } => {
                check_printed(&text, tokens)?;
                push_split_doc_lines(&text, &mut self.text);
                Ok(())
            }
        }
    }

    /// Adds a module nested in this one: `header` (its attributes and
    /// `mod NAME {}`) and `items`, each printed (or checked, in debug
    /// builds) one level deeper, as in the whole file.
    pub fn nested(&mut self, header: TokenStream, items: Vec<Piece>) -> Result<(), Diagnostics> {
        let printed = print(in_module(header))?;
        let header = module_body(&printed)?;
        let open = header
            .strip_suffix("{}\n")
            .ok_or_else(|| bug("a module header did not print as `mod NAME {}`".into()))?;
        // The items go straight after the opening line (a body of its own,
        // grown from empty and then copied, was 8 MB of allocations for
        // the 2.4 MB of channel modules of a 100,000-line document).
        let start = self.text.len();
        push_split_doc_lines(open, &mut self.text);
        self.text.push_str("{\n");
        let body_start = self.text.len();
        for piece in items {
            match piece {
                Piece::Tokens(item) if item.is_empty() => {}
                Piece::Tokens(item) => {
                    let printed = print(in_module(in_module(item)))?;
                    push_split_doc_lines(nested_body(&printed)?, &mut self.text);
                }
                Piece::Printed { text, tokens } => {
                    if let Some(tokens) = tokens {
                        let printed = print(in_module(in_module(tokens)))?;
                        same_as_printed(&text, nested_body(&printed)?)?;
                    }
                    push_split_doc_lines(&text, &mut self.text);
                }
            }
        }
        if self.text.len() == body_start {
            // No items: the module as its header printed it.
            self.text.truncate(start);
            push_split_doc_lines(header, &mut self.text);
            return Ok(());
        }
        self.text.push_str("    }\n");
        Ok(())
    }

    /// Room for `additional` more bytes of text: reserved, not touched, so
    /// a generous guess costs no memory, where growing a large module a
    /// doubling at a time copied it at each step.
    pub fn reserve(&mut self, additional: usize) {
        self.text.reserve(additional);
    }

    /// Adds `piece` before the items printed so far.
    pub fn piece_first(&mut self, piece: Piece) -> Result<(), Diagnostics> {
        let text = match piece {
            Piece::Tokens(item) => module_body(&print(in_module(item))?)?.to_owned(),
            Piece::Printed { text, tokens } => {
                check_printed(&text, tokens)?;
                text
            }
        };
        // The validator program runs to megabytes: split in place (no
        // copy when it has no doc lines to split), then inserted.
        let text = split_doc_lines(text);
        self.text.insert_str(self.body_start, &text);
        Ok(())
    }

    /// The text printed since the module was opened or this was last
    /// called, for writing a module out as it is made (with
    /// [`piece_first`](Self::piece_first) not used).
    pub fn take_text(&mut self) -> String {
        self.body_start = 0;
        std::mem::take(&mut self.text)
    }

    /// [`take_text`](Self::take_text), lent to `use_text` instead of given:
    /// the buffer is kept for the next items (a buffer grown from empty
    /// for each item was 4 % of a large document's instructions).
    pub fn drain_text(&mut self, use_text: impl FnOnce(&str)) {
        self.body_start = 0;
        use_text(&self.text);
        self.text.clear();
    }

    /// The printed module.
    pub fn close(mut self) -> String {
        self.text.push_str("}\n");
        // Grown by doubling: up to twice its size (a large block, which the
        // allocator shrinks in place).
        self.text.shrink_to_fit();
        self.text
    }
}

/// That `text` is what `tokens` (kept by debug builds) print as, in a module.
fn check_printed(text: &str, tokens: Option<TokenStream>) -> Result<(), Diagnostics> {
    if let Some(tokens) = tokens {
        let printed = print(in_module(tokens))?;
        same_as_printed(text, module_body(&printed)?)?;
    }
    Ok(())
}

/// A bug unless `text`, written as text, is `expected`, printed from tokens.
fn same_as_printed(text: &str, expected: &str) -> Result<(), Diagnostics> {
    if text == expected {
        return Ok(());
    }
    Err(bug(format!(
        "an item written as text differs from its printed tokens:\n{text}\nprettyplease:\n{expected}"
    )))
}

/// Top-level items written as text as prettyplease prints `tokens`; debug
/// builds print the tokens too and report any difference.
pub fn checked_text(
    text: String,
    tokens: impl FnOnce() -> TokenStream,
) -> Result<String, Diagnostics> {
    if cfg!(debug_assertions) {
        same_as_printed(&text, &print(tokens())?)?;
    }
    Ok(text)
}

/// `mod m { item }`, built around `item` without copying it: interpolated
/// with `quote!`, a token stream is cloned and then copied whole when the
/// parser first touches it (a tenth of generating a large document).
fn in_module(item: TokenStream) -> TokenStream {
    let span = Span::call_site();
    TokenStream::from_iter([
        TokenTree::Ident(Ident::new("mod", span)),
        TokenTree::Ident(Ident::new("m", span)),
        TokenTree::Group(Group::new(Delimiter::Brace, item)),
    ])
}

/// The body of a printed `mod m { … }`: its items, indented one level.
fn module_body(printed: &str) -> Result<&str, Diagnostics> {
    printed
        .strip_prefix("mod m {\n")
        .and_then(|rest| rest.strip_suffix("}\n"))
        .ok_or_else(|| bug("an item did not print inside its module".into()))
}

/// `item` printed two levels in, as a channel module's items are.
#[cfg(test)]
pub fn print_nested(item: TokenStream) -> String {
    let printed = print(in_module(in_module(item))).expect("tokens that parse");
    nested_body(&printed).expect("a nested module").to_owned()
}

/// The body of a printed `mod m { mod m { … } }`: items two levels in.
fn nested_body(printed: &str) -> Result<&str, Diagnostics> {
    module_body(printed)?
        .strip_prefix("    mod m {\n")
        .and_then(|rest| rest.strip_suffix("    }\n"))
        .ok_or_else(|| bug("an item did not print inside its module".into()))
}

fn print(tokens: TokenStream) -> Result<String, Diagnostics> {
    let file: syn::File = syn::parse2(tokens).map_err(|err| {
        bug(format!(
            "the Rust emitter produced code that does not parse: {err}"
        ))
    })?;
    Ok(prettyplease::unparse(&file))
}

fn bug(message: String) -> Diagnostics {
    Diagnostic::error(Code::RustEmit, message)
        .with_hint("this is a bug in chanx-codegen; please report it with the document")
        .into()
}

#[cfg(test)]
mod tests {
    use quote::quote;

    use super::*;

    #[test]
    fn items_print_as_in_the_whole_module() {
        let header = quote!(
            #[allow(dead_code)]
            pub mod types {}
        );
        let items = [
            quote!(
                pub struct A {
                    pub a: u8,
                }
            ),
            quote!(
                fn long() {
                    let value =
                        ::std::vec::Vec::<::std::string::String>::with_capacity(1_000_000_000);
                }
            ),
        ];
        let mut module = Module::open(header).unwrap();
        for item in items.clone() {
            module.item(item).unwrap();
        }
        module.item(TokenStream::new()).unwrap();
        module
            .piece_first(Piece::Tokens(quote!(
                static FIRST: u8 = 1;
            )))
            .unwrap();
        let whole = prettyplease::unparse(
            &syn::parse2(quote!(#[allow(dead_code)] pub mod types {
                static FIRST: u8 = 1;
                #(#items)*
            }))
            .unwrap(),
        );
        assert_eq!(module.close(), whole);
    }

    #[test]
    fn tokens_that_do_not_parse_are_a_located_bug() {
        let mut module = Module::open(quote!(
            mod m {}
        ))
        .unwrap();
        let e = module.item(quote!(struct {})).unwrap_err();
        assert_eq!(e.0[0].code, Code::RustEmit);
    }
}
