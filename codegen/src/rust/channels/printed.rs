//! Items of a channel module written straight as the text `prettyplease`
//! prints for them (see [`super::super::printed`], which does the same for
//! the types module): the `From` conversions into the message enums and
//! the `Consumer` trait, most of a large channel's lines.
//!
//! A channel's items sit two levels in (`pub mod channels { pub mod x {`),
//! so their own level is 2. Where a line's layout is not written out here
//! (a name too long for its line, a width at the margin) the writer returns
//! `None` and the item is printed from tokens. Debug builds print the
//! tokens too and check the two agree.

use super::super::printed::{FITS, Fit, Lines, fit, width};

/// The level of a channel module's items.
const ITEM: usize = 2;

/// `impl ::std::convert::From<TY> for NAME` converting `TY` into the
/// variant `VARIANT` of the message enum `NAME`.
pub(super) fn from_impl(name: &str, ty: &str, variant: &str) -> Option<String> {
    let mut out = Lines::new();
    impl_header(&mut out, &format!("::std::convert::From<{ty}>"), name)?;
    let signature = format!("fn from(message: {ty}) -> Self {{");
    match fit(ITEM + 1, &signature) {
        Fit::OneLine => out.line(ITEM + 1, &signature)?,
        Fit::AtMargin => return None,
        Fit::Broken => {
            out.line(ITEM + 1, "fn from(")?;
            out.line(ITEM + 2, &format!("message: {ty},"))?;
            out.line(ITEM + 1, ") -> Self {")?;
        }
    }
    out.line(ITEM + 2, &format!("Self::{variant}(message)"))?;
    out.line(ITEM + 1, "}")?;
    out.line(ITEM, "}")?;
    Some(out.text)
}

/// `impl TRAIT for NAME {` on one line if it fits, else broken before `for`.
fn impl_header(out: &mut Lines, trait_path: &str, name: &str) -> Option<()> {
    let space = if trait_path.starts_with('<') { "" } else { " " };
    let one_line = format!("impl{space}{trait_path} for {name} {{");
    match fit(ITEM, &one_line) {
        Fit::OneLine => out.line(ITEM, &one_line),
        Fit::AtMargin => None,
        Fit::Broken => {
            out.line(ITEM, &format!("impl{space}{trait_path}"))?;
            out.line(ITEM, &format!("for {name} {{"))
        }
    }
}

/// One handler method of the `Consumer` trait (declared, no default body).
pub(super) struct Method<'a> {
    /// The value of its doc attribute.
    pub doc: &'a str,
    pub name: &'a str,
    /// The message type it receives.
    pub input: &'a str,
    /// What it replies (`()` for nothing).
    pub reply: &'a str,
}

/// The `Consumer` trait of a channel hosting no topics, its handler
/// methods declared without default bodies.
pub(super) fn consumer_trait(methods: &[Method]) -> Option<String> {
    let mut out = Lines::new();
    out.text.push_str(CONSUMER_HEADER);
    for method in methods {
        handler_method(&mut out, method)?;
    }
    out.text.push_str(CONSUMER_DEFAULTS);
    out.line(ITEM, "}")?;
    Some(out.text)
}

/// `fn NAME(&self, ctx: &mut Ctx, message: INPUT) -> impl Future<…> + Send;`
/// as prettyplease breaks it: never on one line (the return type alone
/// is too long), its parameters one per line.
fn handler_method(out: &mut Lines, method: &Method) -> Option<()> {
    let level = ITEM + 1;
    out.doc(level, method.doc)?;
    out.line(level, &format!("fn {}(", method.name))?;
    out.line(level + 1, "&self,")?;
    out.line(level + 1, "ctx: &mut Ctx,")?;
    out.line(level + 1, &format!("message: {},", method.input))?;
    out.line(level, ") -> impl ::std::future::Future<")?;
    let output = format!(
        "Output = ::std::result::Result<{}, ::chanx_runtime::HandlerError>,",
        method.reply
    );
    match fit(level + 1, &output) {
        Fit::OneLine => out.line(level + 1, &output)?,
        Fit::AtMargin => return None,
        Fit::Broken => {
            out.line(level + 1, "Output = ::std::result::Result<")?;
            out.line(level + 2, &format!("{},", method.reply))?;
            out.line(level + 2, "::chanx_runtime::HandlerError,")?;
            out.line(level + 1, ">,")?;
        }
    }
    out.line(level, "> + ::std::marker::Send;")
}

/// The `Consumer` trait's docs, opening line and associated type.
const CONSUMER_HEADER: &str =
    "        /// The application side of the channel: one method per receive operation.
        pub trait Consumer: ::std::marker::Send + ::std::marker::Sync + 'static {
            /// Events this consumer receives through the channel layer (`()` when unused).
            type Event: ::chanx_runtime::Event;
";

/// The methods every `Consumer` trait ends with, as prettyplease prints them.
const CONSUMER_DEFAULTS: &str = "            /// Runs after the connection is accepted (join groups here).
            fn on_connect(
                &self,
                ctx: &mut Ctx,
            ) -> impl ::std::future::Future<
                Output = ::std::result::Result<(), ::chanx_runtime::HandlerError>,
            > + ::std::marker::Send {
                let _ = ctx;
                async { ::std::result::Result::Ok(()) }
            }
            /// An event from `send_event` / `broadcast_event`; a returned message goes to the client.
            fn on_event(
                &self,
                ctx: &mut Ctx,
                event: Self::Event,
            ) -> impl ::std::future::Future<
                Output = ::std::result::Result<
                    ::std::option::Option<Outgoing>,
                    ::chanx_runtime::HandlerError,
                >,
            > + ::std::marker::Send {
                let _ = (ctx, event);
                async { ::std::result::Result::Ok(::std::option::Option::None) }
            }
            /// Runs once the connection has ended (every topic already
            /// unsubscribed): release what `on_connect` took.
            fn on_disconnect(
                &self,
                ctx: &mut Ctx,
            ) -> impl ::std::future::Future<Output = ()> + ::std::marker::Send {
                let _ = ctx;
                async {}
            }
";

/// What a dispatch arm does with its handler's result.
pub(super) enum ArmReply<'a> {
    /// Nothing to send back.
    None,
    /// Sends it as this variant of `Outgoing`.
    Single(&'a str),
}

/// One arm of `Handler::dispatch`: `Incoming::VARIANT(message) => …`.
pub(super) struct Arm<'a> {
    pub variant: &'a str,
    pub method: &'a str,
    /// What the handler method is passed (`message`, `Enum::Variant(message)`).
    pub argument: &'a str,
    pub reply: ArmReply<'a>,
}

/// What `<Channel>Server` is built from.
pub(super) struct Server<'a> {
    pub name: &'a str,
    pub address: Option<&'a str>,
    pub tag_key: Option<&'a str>,
    /// Whether the module has a `DOCUMENT` the glue serves.
    pub document: bool,
    pub arms: &'a [Arm<'a>],
}

/// `<Channel>Server`, its constructor and `Clone`, and its `Handler` impl
/// for a consumer hosting no topics.
pub(super) fn server(server: &Server) -> Option<String> {
    if server.arms.is_empty() {
        return None;
    }
    let name = server.name;
    let mut out = Lines::new();
    out.line(ITEM, "/// Runs a [`Consumer`] on the chanx runtime:")?;
    out.doc(
        ITEM,
        &format!(" `chanx_runtime::Route::new({name}::new(consumer))`."),
    )?;
    out.line(ITEM, &format!("pub struct {name}<C: Consumer> {{"))?;
    out.line(ITEM + 1, "consumer: ::std::sync::Arc<C>,")?;
    out.line(ITEM, "}")?;
    out.line(ITEM, &format!("impl<C: Consumer> {name}<C> {{"))?;
    out.text.push_str(SERVER_NEW);
    out.line(ITEM, "}")?;
    generic_impl_header(&mut out, "::std::clone::Clone", name)?;
    out.text.push_str(SERVER_CLONE);
    out.line(ITEM, "}")?;
    generic_impl_header(&mut out, "::chanx_runtime::Handler", name)?;
    out.text.push_str(HANDLER_TYPES);
    option_const(&mut out, "ADDRESS", server.address)?;
    option_const(&mut out, "TAG_KEY", server.tag_key)?;
    if server.document {
        out.text.push_str(HANDLER_DOCUMENT);
    }
    out.text.push_str(HANDLER_DISPATCH_OPEN);
    for arm in server.arms {
        dispatch_arm(&mut out, arm)?;
    }
    out.text.push_str(HANDLER_DISPATCH_CLOSE);
    out.line(ITEM, "}")?;
    Some(out.text)
}

/// `impl<C: Consumer> TRAIT for NAME<C> {`, on one line if it fits, else
/// broken before `for`.
fn generic_impl_header(out: &mut Lines, trait_path: &str, name: &str) -> Option<()> {
    impl_header(
        out,
        &format!("<C: Consumer> {trait_path}"),
        &format!("{name}<C>"),
    )
}

/// `const NAME: Option<&'static str> = Some("…")` (or `None`).
fn option_const(out: &mut Lines, name: &str, value: Option<&str>) -> Option<()> {
    let level = ITEM + 1;
    let declared = format!("const {name}: ::std::option::Option<&'static str> = ");
    match value {
        // Past the margin, but nothing in it can break.
        None => out.text.push_str(&format!(
            "            {declared}::std::option::Option::None;\n"
        )),
        // Never fits on one line: the literal goes on a line of its own.
        Some(value) => {
            let literal = super::super::printed::string(value)?;
            out.text.push_str(&format!(
                "            {declared}::std::option::Option::Some(\n"
            ));
            out.line(level + 1, &format!("{literal},"))?;
            out.line(level, ");")?;
        }
    }
    Some(())
}

/// One arm of `dispatch`: call the handler, send back what it returns.
fn dispatch_arm(out: &mut Lines, arm: &Arm) -> Option<()> {
    let level = ITEM + 3;
    out.line(level, &format!("Incoming::{}(message) => {{", arm.variant))?;
    let binding = match arm.reply {
        ArmReply::None => "",
        ArmReply::Single(_) => "let reply = ",
    };
    let call = format!("{binding}<C as Consumer>::{}(", arm.method);
    let args = format!("{call}&*self.consumer, ctx, {})", arm.argument);
    // The whole statement on one line; else the call on one line and
    // `.await?` on the next; else the arguments one per line (indented
    // as prettyplease indents a broken method chain).
    match fit(level + 1, &format!("{args}.await?;")) {
        Fit::OneLine => out.line(level + 1, &format!("{args}.await?;"))?,
        Fit::AtMargin => return None,
        Fit::Broken => match fit(level + 1, &format!("{args};")) {
            Fit::OneLine if width(level + 1, &args) < FITS - 1 => {
                out.line(level + 1, &args)?;
                out.line(level + 2, ".await?;")?;
            }
            Fit::OneLine | Fit::AtMargin => return None,
            Fit::Broken => {
                out.line(level + 1, &call)?;
                out.line(level + 3, "&*self.consumer,")?;
                out.line(level + 3, "ctx,")?;
                out.line(level + 3, &format!("{},", arm.argument))?;
                out.line(level + 2, ")")?;
                out.line(level + 2, ".await?;")?;
            }
        },
    }
    match arm.reply {
        ArmReply::None => out.line(
            level + 1,
            "::std::result::Result::Ok(::std::option::Option::None)",
        )?,
        ArmReply::Single(variant) => {
            out.line(level + 1, "::std::result::Result::Ok(")?;
            let some = format!("::std::option::Option::Some(Outgoing::{variant}(reply)),");
            match fit(level + 2, &some) {
                Fit::OneLine => out.line(level + 2, &some)?,
                Fit::AtMargin => return None,
                Fit::Broken => {
                    out.line(level + 2, "::std::option::Option::Some(")?;
                    out.line(level + 3, &format!("Outgoing::{variant}(reply),"))?;
                    out.line(level + 2, "),")?;
                }
            }
            out.line(level + 1, ")")?;
        }
    }
    out.line(level, "}")
}

const SERVER_NEW: &str = "            /// Serves `consumer`; clones share it.
            pub fn new(consumer: C) -> Self {
                Self {
                    consumer: ::std::sync::Arc::new(consumer),
                }
            }
";

const SERVER_CLONE: &str = "            fn clone(&self) -> Self {
                Self {
                    consumer: ::std::sync::Arc::clone(&self.consumer),
                }
            }
";

const HANDLER_TYPES: &str = "            type Incoming = Incoming;
            type Outgoing = Outgoing;
            type Params = Params;
            type Event = <C as Consumer>::Event;
";

const HANDLER_DOCUMENT: &str = "            const DOCUMENT: ::std::option::Option<&'static ::chanx_runtime::Document> = ::std::option::Option::Some(
                &super::super::DOCUMENT,
            );
";

const HANDLER_DISPATCH_OPEN: &str = "            async fn on_connect(
                &self,
                ctx: &mut Ctx,
            ) -> ::std::result::Result<(), ::chanx_runtime::HandlerError> {
                <C as Consumer>::on_connect(&*self.consumer, ctx).await
            }
            async fn dispatch(
                &self,
                ctx: &mut Ctx,
                message: Incoming,
            ) -> ::std::result::Result<
                ::std::option::Option<Outgoing>,
                ::chanx_runtime::HandlerError,
            > {
                match message {
";

const HANDLER_DISPATCH_CLOSE: &str = "                }
            }
            async fn on_event(
                &self,
                ctx: &mut Ctx,
                event: <C as Consumer>::Event,
            ) -> ::std::result::Result<
                ::std::option::Option<Outgoing>,
                ::chanx_runtime::HandlerError,
            > {
                <C as Consumer>::on_event(&*self.consumer, ctx, event).await
            }
            async fn on_disconnect(&self, ctx: &mut Ctx) {
                <C as Consumer>::on_disconnect(&*self.consumer, ctx).await
            }
";

/// One variant of a message enum.
pub(super) struct Variant<'a> {
    /// The value of its doc attribute, if it has one.
    pub doc: Option<&'a str>,
    pub name: &'a str,
    /// The payload type.
    pub ty: &'a str,
}

/// A message enum (`Incoming` / `Outgoing`) and its `Serialize`,
/// `Deserialize` and `ChannelMessage` impls, for an enum of at least two
/// variants decoded by a `match` on the program's choice.
pub(super) struct MessageEnum<'a> {
    pub name: &'a str,
    /// The value of its doc attribute.
    pub doc: &'a str,
    pub variants: &'a [Variant<'a>],
    /// Each variant's tag, when the channel's messages are tagged.
    pub tags: Option<&'a [&'a str]>,
    /// The program root `decode` validates against.
    pub root: usize,
    /// Variant indices in the order of the program's choices.
    pub order: &'a [usize],
}

pub(super) fn message_enum(e: &MessageEnum) -> Option<String> {
    let (Some((&last, rest)), [_, _, ..]) = (e.order.split_last(), e.variants) else {
        return None;
    };
    if rest.is_empty() {
        return None;
    }
    let name = e.name;
    let mut out = Lines::new();
    out.doc(ITEM, e.doc)?;
    out.line(
        ITEM,
        "#[derive(::std::fmt::Debug, ::std::clone::Clone, ::std::cmp::PartialEq)]",
    )?;
    out.line(ITEM, &format!("pub enum {name} {{"))?;
    for variant in e.variants {
        if let Some(doc) = variant.doc {
            out.doc(ITEM + 1, doc)?;
        }
        out.line(ITEM + 1, &format!("{}({}),", variant.name, variant.ty))?;
    }
    out.line(ITEM, "}")?;
    // Serialize: each arm's one-line form is always past the margin.
    impl_header(&mut out, "::serde::Serialize", name)?;
    out.text.push_str(SERIALIZE_OPEN);
    for variant in e.variants {
        out.line(ITEM + 3, &format!("Self::{}(message) => {{", variant.name))?;
        out.line(
            ITEM + 4,
            "::serde::Serialize::serialize(message, serializer)",
        )?;
        out.line(ITEM + 3, "}")?;
    }
    out.line(ITEM + 2, "}")?;
    out.line(ITEM + 1, "}")?;
    out.line(ITEM, "}")?;
    out.line(
        ITEM,
        &format!("impl<'de> ::serde::Deserialize<'de> for {name} {{"),
    )?;
    out.text.push_str(DESERIALIZE_BODY);
    out.line(ITEM, "}")?;
    impl_header(&mut out, "::chanx_runtime::ChannelMessage", name)?;
    tags_const(&mut out, e.tags.unwrap_or_default())?;
    out.line(
        ITEM + 1,
        "fn tag(&self) -> ::std::option::Option<&'static str> {",
    )?;
    match e.tags {
        Some(tags) => {
            out.line(ITEM + 2, "match self {")?;
            for (variant, tag) in e.variants.iter().zip(tags) {
                let tag = super::super::printed::string(tag)?;
                let pattern = format!("Self::{}(_)", variant.name);
                let some = format!("::std::option::Option::Some({tag})");
                if !match_arm(&mut out, ITEM + 3, &pattern, &some)? {
                    return None;
                }
            }
            out.line(ITEM + 2, "}")?;
        }
        None => out.line(ITEM + 2, "::std::option::Option::None")?,
    }
    out.line(ITEM + 1, "}")?;
    out.text.push_str(DECODE_OPEN);
    out.line(
        ITEM + 2,
        &format!(
            "let choice = super::PROGRAM.validate_in_place({}, value)?;",
            e.root
        ),
    )?;
    out.line(ITEM + 2, "match choice {")?;
    for (choice, &i) in rest.iter().enumerate() {
        decode_arm(&mut out, &choice.to_string(), e.variants.get(i)?.name)?;
    }
    decode_arm(&mut out, "_", e.variants.get(last)?.name)?;
    out.line(ITEM + 2, "}")?;
    out.line(ITEM + 1, "}")?;
    out.line(ITEM, "}")?;
    Some(out.text)
}

/// `const TAGS: &'static [&'static str] = &[…];`, one tag per line when
/// the list does not fit on one.
fn tags_const(out: &mut Lines, tags: &[&str]) -> Option<()> {
    let literals = tags
        .iter()
        .map(|tag| super::super::printed::string(tag))
        .collect::<Option<Vec<_>>>()?;
    let open = "const TAGS: &'static [&'static str] = &[";
    let one_line = format!("{open}{}];", literals.join(", "));
    match fit(ITEM + 1, &one_line) {
        Fit::OneLine => out.line(ITEM + 1, &one_line),
        Fit::AtMargin => None,
        Fit::Broken => {
            out.line(ITEM + 1, open)?;
            for literal in &literals {
                out.line(ITEM + 2, &format!("{literal},"))?;
            }
            out.line(ITEM + 1, "];")
        }
    }
}

/// `CHOICE => from_json(value).map(Self::VARIANT),`: on one line, else
/// in a block, its method chain broken when it does not fit either.
fn decode_arm(out: &mut Lines, choice: &str, variant: &str) -> Option<()> {
    let level = ITEM + 3;
    let call = "::chanx_runtime::__private::from_json(value)";
    let chain = format!("{call}.map(Self::{variant})");
    if match_arm(out, level, choice, &chain)? {
        return Some(());
    }
    out.line(level + 1, call)?;
    out.line(level + 2, &format!(".map(Self::{variant})"))?;
    out.line(level, "}")
}

/// `PATTERN => EXPR,` on one line (its comma may pass the margin), else
/// `PATTERN => {` and EXPR on a line of its own, if it fits there:
/// `Some(true)` once the arm is written, `Some(false)` when only its
/// opening line is (EXPR is the caller's to break).
fn match_arm(out: &mut Lines, level: usize, pattern: &str, expr: &str) -> Option<bool> {
    let one_line = format!("{pattern} => {expr},");
    if width(level, &one_line) <= FITS + 1 {
        out.text.push_str(&"    ".repeat(level));
        out.text.push_str(&one_line);
        out.text.push('\n');
        return Some(true);
    }
    out.line(level, &format!("{pattern} => {{"))?;
    if width(level + 1, expr) > FITS {
        return Some(false);
    }
    out.line(level + 1, expr)?;
    out.line(level, "}")?;
    Some(true)
}

const SERIALIZE_OPEN: &str = "            fn serialize<S: ::serde::Serializer>(
                &self,
                serializer: S,
            ) -> ::std::result::Result<S::Ok, S::Error> {
                match self {
";

const DESERIALIZE_BODY: &str = "            fn deserialize<D: ::serde::Deserializer<'de>>(
                deserializer: D,
            ) -> ::std::result::Result<Self, D::Error> {
                ::chanx_runtime::__private::deserialize_message(deserializer)
            }
";

const DECODE_OPEN: &str = "            fn decode(
                value: &mut ::chanx_runtime::json::Json,
            ) -> ::std::result::Result<Self, ::chanx_runtime::DecodeError> {
";

/// The items a consumer's module opens with when its address has no
/// parameters: the `types` import (when used), `ADDRESS`, `TAG_KEY`, `Ctx`
/// and the empty `Params` with its impl.
pub(super) fn consumer_head(
    import: bool,
    address: Option<&str>,
    tag_key: Option<&str>,
) -> Option<String> {
    let mut out = Lines::new();
    if import {
        out.line(ITEM, "use super::super::types;")?;
    }
    if let Some(address) = address {
        let literal = super::super::printed::string(address)?;
        out.line(ITEM, "/// The channel address as written in the document.")?;
        let line = format!("pub const ADDRESS: &str = {literal};");
        match fit(ITEM, &line) {
            Fit::OneLine => out.line(ITEM, &line)?,
            Fit::AtMargin | Fit::Broken => return None,
        }
    }
    out.line(ITEM, "/// The property that tags this channel's messages.")?;
    let declared = "pub const TAG_KEY: ::std::option::Option<&str> = ::std::option::Option::";
    match tag_key {
        None => out.line(ITEM, &format!("{declared}None;"))?,
        // Never fits on one line: the literal goes on a line of its own.
        Some(tag_key) => {
            let literal = super::super::printed::string(tag_key)?;
            out.line(ITEM, &format!("{declared}Some("))?;
            out.line(ITEM + 1, &format!("{literal},"))?;
            out.line(ITEM, ");")?;
        }
    }
    out.text.push_str(CONSUMER_CTX_AND_PARAMS);
    Some(out.text)
}

const CONSUMER_CTX_AND_PARAMS: &str = "        /// The context every handler of this channel gets.
        pub type Ctx = ::chanx_runtime::Context<Outgoing, Params>;
        /// The address parameters of a connection.
        #[derive(
            ::std::fmt::Debug,
            ::std::clone::Clone,
            ::std::cmp::PartialEq,
            ::std::cmp::Eq
        )]
        pub struct Params {}
        impl ::chanx_runtime::Params for Params {
            fn from_path(
                _path: &::chanx_runtime::PathParams,
            ) -> ::std::result::Result<Self, ::chanx_runtime::ParamError> {
                ::std::result::Result::Ok(Self {})
            }
        }
";

/// Every width the writers handle, swept across the margin: what they write
/// is what prettyplease prints, and they write most shapes (not only the
/// easy ones).
#[cfg(test)]
mod tests {
    use proc_macro2::TokenStream;
    use quote::{format_ident, quote};

    use super::*;
    use crate::rust::format::print_nested;

    fn name(letter: char, len: usize) -> String {
        std::iter::repeat_n(letter, len).collect()
    }

    /// Shapes a sweep tried: each written one must print as its tokens do,
    /// and nine in ten of those that must be written were.
    #[derive(Default)]
    struct Sweep {
        expected: usize,
        written: usize,
    }

    impl Sweep {
        /// Checks `text` against the printed `tokens`; counts it among the
        /// shapes that must be written (`expected`) and those that were.
        fn check(&mut self, text: Option<String>, tokens: TokenStream, expected: bool) {
            if let Some(text) = &text {
                assert_eq!(*text, print_nested(tokens));
            }
            if expected {
                self.expected += 1;
                self.written += usize::from(text.is_some());
            }
        }

        fn most_written(self) {
            let Sweep { expected, written } = self;
            assert!(written * 10 >= expected * 9, "{written} of {expected}");
        }
    }

    #[test]
    fn from_impls_print_as_prettyplease_prints_them() {
        let mut sweep = Sweep::default();
        for ty_len in 1..=90 {
            for variant_len in [1, 20, 40, 60, 70, 75, 80] {
                let ty = format_ident!("{}", name('T', ty_len));
                let variant = format_ident!("{}", name('V', variant_len));
                let text = from_impl("Incoming", &format!("types::{ty}"), &variant.to_string());
                let tokens = super::super::from_impl_tokens(
                    &format_ident!("Incoming"),
                    &quote!(types::#ty),
                    &variant,
                );
                sweep.check(text, tokens, ty_len <= 40 && variant_len <= 40);
            }
        }
        sweep.most_written();
    }

    #[test]
    fn consumer_traits_print_as_prettyplease_prints_them() {
        let mut sweep = Sweep::default();
        for method_len in [1, 30, 60, 70, 75, 80] {
            for input_len in (1..=80).step_by(3) {
                for reply_len in 0..=70 {
                    let method = format_ident!("{}", name('m', method_len));
                    let input = format_ident!("{}", name('I', input_len));
                    let (reply, reply_text) = if reply_len == 0 {
                        (quote!(()), "()".to_owned())
                    } else {
                        let reply = format_ident!("{}", name('R', reply_len));
                        (quote!(types::#reply), format!("types::{reply}"))
                    };
                    let doc = " Request/reply operation `x`.";
                    let text = consumer_trait(&[Method {
                        doc,
                        name: &method.to_string(),
                        input: &format!("types::{input}"),
                        reply: &reply_text,
                    }]);
                    let doc_attr = quote!(#[doc = #doc]);
                    let input = quote!(types::#input);
                    let signature = super::super::handler_signature_tokens(&method, &input, &reply);
                    let tokens = super::super::consumer_trait_tokens(
                        TokenStream::new(),
                        &[quote!(#doc_attr #signature;)],
                    );
                    let expected = method_len <= 60 && input_len <= 60 && reply_len <= 50;
                    sweep.check(text, tokens, expected);
                }
            }
        }
        sweep.most_written();
    }

    #[test]
    fn servers_print_as_prettyplease_prints_them() {
        let mut sweep = Sweep::default();
        for name_len in [1, 20, 40, 50, 60] {
            for method_len in 1..=75 {
                for (reply, argument) in
                    [(false, false), (true, false), (false, true), (true, true)]
                {
                    for address in [None, Some("/ws/x"), Some("a-long/address/{with}/params")] {
                        let server = format_ident!("{}", name('S', name_len));
                        let method = format_ident!("{}", name('m', method_len));
                        let variant = format_ident!("{}", name('V', (method_len % 37) + 1));
                        let argument_tokens = if argument {
                            quote!(Several::#variant(message))
                        } else {
                            quote!(message)
                        };
                        let argument_text = argument_tokens.to_string().replace(' ', "");
                        let reply_variant = format_ident!("R{}", name('V', method_len % 23 + 1));
                        let call = quote!(<C as Consumer>::#method(&*self.consumer, ctx, #argument_tokens).await?);
                        let body = if reply {
                            quote! {
                                let reply = #call;
                                ::std::result::Result::Ok(::std::option::Option::Some(Outgoing::#reply_variant(reply)))
                            }
                        } else {
                            quote! {
                                #call;
                                ::std::result::Result::Ok(::std::option::Option::None)
                            }
                        };
                        let address_tokens = match address {
                            Some(address) => quote!(::std::option::Option::Some(#address)),
                            None => quote!(::std::option::Option::None),
                        };
                        let doc = format!(" `chanx_runtime::Route::new({server}::new(consumer))`.");
                        let tokens = quote! {
                            /// Runs a [`Consumer`] on the chanx runtime:
                            #[doc = #doc]
                            pub struct #server<C: Consumer> {
                                consumer: ::std::sync::Arc<C>,
                            }
                            impl<C: Consumer> #server<C> {
                                /// Serves `consumer`; clones share it.
                                pub fn new(consumer: C) -> Self {
                                    Self { consumer: ::std::sync::Arc::new(consumer) }
                                }
                            }
                            impl<C: Consumer> ::std::clone::Clone for #server<C> {
                                fn clone(&self) -> Self {
                                    Self { consumer: ::std::sync::Arc::clone(&self.consumer) }
                                }
                            }
                            impl<C: Consumer> ::chanx_runtime::Handler for #server<C> {
                                type Incoming = Incoming;
                                type Outgoing = Outgoing;
                                type Params = Params;
                                type Event = <C as Consumer>::Event;
                                const ADDRESS: ::std::option::Option<&'static str> = #address_tokens;
                                const TAG_KEY: ::std::option::Option<&'static str> = ::std::option::Option::Some("action");
                                const DOCUMENT: ::std::option::Option<&'static ::chanx_runtime::Document> =
                                    ::std::option::Option::Some(&super::super::DOCUMENT);
                                async fn on_connect(&self, ctx: &mut Ctx) -> ::std::result::Result<(), ::chanx_runtime::HandlerError> {
                                    <C as Consumer>::on_connect(&*self.consumer, ctx).await
                                }
                                async fn dispatch(&self, ctx: &mut Ctx, message: Incoming)
                                    -> ::std::result::Result<::std::option::Option<Outgoing>, ::chanx_runtime::HandlerError>
                                {
                                    match message {
                                        Incoming::#variant(message) => { #body }
                                    }
                                }
                                async fn on_event(&self, ctx: &mut Ctx, event: <C as Consumer>::Event)
                                    -> ::std::result::Result<::std::option::Option<Outgoing>, ::chanx_runtime::HandlerError>
                                {
                                    <C as Consumer>::on_event(&*self.consumer, ctx, event).await
                                }
                                async fn on_disconnect(&self, ctx: &mut Ctx) {
                                    <C as Consumer>::on_disconnect(&*self.consumer, ctx).await
                                }
                            }
                        };
                        let arm = Arm {
                            variant: &variant.to_string(),
                            method: &method.to_string(),
                            argument: &argument_text,
                            reply: if reply {
                                ArmReply::Single(&reply_variant.to_string())
                            } else {
                                ArmReply::None
                            },
                        };
                        let text = super::server(&Server {
                            name: &server.to_string(),
                            address,
                            tag_key: Some("action"),
                            document: true,
                            arms: &[arm],
                        });
                        sweep.check(text, tokens, name_len <= 40 && method_len <= 35);
                    }
                }
            }
        }
        sweep.most_written();
    }

    #[test]
    fn message_enums_print_as_prettyplease_prints_them() {
        let mut sweep = Sweep::default();
        for variant_len in 1..=60 {
            for (tagged, tag_len, count) in [
                (false, 0, 2),
                (true, 3, 2),
                (true, 12, 5),
                (true, 20, 2),
                (true, 30, 3),
                (true, 45, 2),
            ] {
                for ty_len in [1, 30, 60] {
                    let names: Vec<String> = (0..count)
                        .map(|i| format!("{}{i}", name('V', variant_len)))
                        .collect();
                    let ty_names: Vec<String> = (0..count)
                        .map(|i| format!("types::{}{i}", name('T', ty_len)))
                        .collect();
                    let tags: Vec<String> = (0..count)
                        .map(|i| format!("{}{i}", name('t', tag_len)))
                        .collect();
                    let tag_refs: Vec<&str> = tags.iter().map(String::as_str).collect();
                    let order: Vec<usize> = (0..count).rev().collect();
                    let variants: Vec<Variant> = names
                        .iter()
                        .zip(&ty_names)
                        .enumerate()
                        .map(|(i, (name, ty))| Variant {
                            doc: (i == 0).then_some(" The first."),
                            name,
                            ty,
                        })
                        .collect();
                    let text = message_enum(&MessageEnum {
                        name: "Incoming",
                        doc: " Messages this side receives on the channel.",
                        variants: &variants,
                        tags: tagged.then_some(&tag_refs[..]),
                        root: 12,
                        order: &order,
                    });
                    let idents: Vec<proc_macro2::Ident> =
                        names.iter().map(|n| format_ident!("{n}")).collect();
                    let tys: Vec<TokenStream> =
                        ty_names.iter().map(|t| t.parse().unwrap()).collect();
                    let docs = (0..count).map(|i| (i == 0).then(|| quote!(#[doc = " The first."])));
                    let (tags_const, tag_fn) = if tagged {
                        (
                            quote!(&[#(#tag_refs),*]),
                            quote!(match self { #(Self::#idents(_) => ::std::option::Option::Some(#tag_refs),)* }),
                        )
                    } else {
                        (quote!(&[]), quote!(::std::option::Option::None))
                    };
                    let (last, rest) = order.split_last().unwrap();
                    let arms = rest.iter().enumerate().map(|(choice, &i)| {
                        let variant = &idents[i];
                        let choice = proc_macro2::Literal::usize_unsuffixed(choice);
                        quote!(#choice => ::chanx_runtime::__private::from_json(value).map(Self::#variant),)
                    });
                    let last = &idents[*last];
                    let tokens = quote! {
                        #[doc = " Messages this side receives on the channel."]
                        #[derive(::std::fmt::Debug, ::std::clone::Clone, ::std::cmp::PartialEq)]
                        pub enum Incoming {
                            #(#docs #idents(#tys),)*
                        }
                        impl ::serde::Serialize for Incoming {
                            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> ::std::result::Result<S::Ok, S::Error> {
                                match self {
                                    #(Self::#idents(message) => ::serde::Serialize::serialize(message, serializer),)*
                                }
                            }
                        }
                        impl<'de> ::serde::Deserialize<'de> for Incoming {
                            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> ::std::result::Result<Self, D::Error> {
                                ::chanx_runtime::__private::deserialize_message(deserializer)
                            }
                        }
                        impl ::chanx_runtime::ChannelMessage for Incoming {
                            const TAGS: &'static [&'static str] = #tags_const;
                            fn tag(&self) -> ::std::option::Option<&'static str> {
                                #tag_fn
                            }
                            fn decode(value: &mut ::chanx_runtime::json::Json) -> ::std::result::Result<Self, ::chanx_runtime::DecodeError> {
                                let choice = super::PROGRAM.validate_in_place(12, value)?;
                                match choice {
                                    #(#arms)*
                                    _ => ::chanx_runtime::__private::from_json(value).map(Self::#last),
                                }
                            }
                        }
                    };
                    let expected = variant_len <= 40 && ty_len <= 30 && tag_len <= 20;
                    sweep.check(text, tokens, expected);
                }
            }
        }
        sweep.most_written();
    }

    #[test]
    fn consumer_heads_print_as_prettyplease_prints_them() {
        let mut sweep = Sweep::default();
        for address_len in (0..=90).step_by(3) {
            for tag_len in 0..=80 {
                let address = (address_len > 0).then(|| name('a', address_len));
                let tag_key = (tag_len > 0).then(|| name('k', tag_len));
                for import in [false, true] {
                    let text = consumer_head(import, address.as_deref(), tag_key.as_deref());
                    let import_tokens = import.then(|| {
                        quote!(
                            use super::super::types;
                        )
                    });
                    let address_tokens = address.as_deref().map(|address| {
                        quote! {
                            /// The channel address as written in the document.
                            pub const ADDRESS: &str = #address;
                        }
                    });
                    let tag_tokens = match tag_key.as_deref() {
                        Some(tag) => quote!(::std::option::Option::Some(#tag)),
                        None => quote!(::std::option::Option::None),
                    };
                    let tokens = quote! {
                        #import_tokens
                        #address_tokens
                        /// The property that tags this channel's messages.
                        pub const TAG_KEY: ::std::option::Option<&str> = #tag_tokens;
                        /// The context every handler of this channel gets.
                        pub type Ctx = ::chanx_runtime::Context<Outgoing, Params>;
                        /// The address parameters of a connection.
                        #[derive(::std::fmt::Debug, ::std::clone::Clone, ::std::cmp::PartialEq, ::std::cmp::Eq)]
                        pub struct Params {}
                        impl ::chanx_runtime::Params for Params {
                            fn from_path(
                                _path: &::chanx_runtime::PathParams,
                            ) -> ::std::result::Result<Self, ::chanx_runtime::ParamError> {
                                ::std::result::Result::Ok(Self {})
                            }
                        }
                    };
                    sweep.check(text, tokens, address_len <= 50 && tag_len <= 60);
                }
            }
        }
        sweep.most_written();
    }
}
