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

    /// Checks `text` against the printed `tokens`; counts it among the
    /// shapes that must be written (`expected`) and those that were.
    fn check(text: Option<String>, tokens: TokenStream, expected: bool, counts: &mut [usize; 2]) {
        if let Some(text) = &text {
            assert_eq!(*text, print_nested(tokens));
        }
        if expected {
            counts[0] += 1;
            counts[1] += usize::from(text.is_some());
        }
    }

    #[test]
    fn from_impls_print_as_prettyplease_prints_them() {
        let mut counts = [0, 0];
        for ty_len in 1..=90 {
            for variant_len in [1, 20, 40, 60, 70, 75, 80] {
                let ty = format_ident!("{}", name('T', ty_len));
                let variant = format_ident!("{}", name('V', variant_len));
                let text = from_impl("Incoming", &format!("types::{ty}"), &variant.to_string());
                let tokens = quote! {
                    impl ::std::convert::From<types::#ty> for Incoming {
                        fn from(message: types::#ty) -> Self {
                            Self::#variant(message)
                        }
                    }
                };
                check(text, tokens, ty_len <= 40 && variant_len <= 40, &mut counts);
            }
        }
        let [total, written] = counts;
        assert!(written * 10 >= total * 9, "{written} of {total}");
    }

    #[test]
    fn consumer_traits_print_as_prettyplease_prints_them() {
        let mut counts = [0, 0];
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
                    let tokens = quote! {
                        /// The application side of the channel: one method per receive operation.
                        pub trait Consumer: ::std::marker::Send + ::std::marker::Sync + 'static {
                            /// Events this consumer receives through the channel layer (`()` when unused).
                            type Event: ::chanx_runtime::Event;
                            #[doc = #doc]
                            fn #method(&self, ctx: &mut Ctx, message: types::#input)
                                -> impl ::std::future::Future<Output = ::std::result::Result<#reply, ::chanx_runtime::HandlerError>> + ::std::marker::Send;
                            /// Runs after the connection is accepted (join groups here).
                            fn on_connect(&self, ctx: &mut Ctx)
                                -> impl ::std::future::Future<Output = ::std::result::Result<(), ::chanx_runtime::HandlerError>> + ::std::marker::Send
                            {
                                let _ = ctx;
                                async { ::std::result::Result::Ok(()) }
                            }
                            /// An event from `send_event` / `broadcast_event`; a returned message goes to the client.
                            fn on_event(&self, ctx: &mut Ctx, event: Self::Event)
                                -> impl ::std::future::Future<Output = ::std::result::Result<::std::option::Option<Outgoing>, ::chanx_runtime::HandlerError>> + ::std::marker::Send
                            {
                                let _ = (ctx, event);
                                async { ::std::result::Result::Ok(::std::option::Option::None) }
                            }
                            /// Runs once the connection has ended (every topic already
                            /// unsubscribed): release what `on_connect` took.
                            fn on_disconnect(&self, ctx: &mut Ctx)
                                -> impl ::std::future::Future<Output = ()> + ::std::marker::Send
                            {
                                let _ = ctx;
                                async {}
                            }
                        }
                    };
                    let expected = method_len <= 60 && input_len <= 60 && reply_len <= 50;
                    check(text, tokens, expected, &mut counts);
                }
            }
        }
        let [total, written] = counts;
        assert!(written * 10 >= total * 9, "{written} of {total}");
    }

    #[test]
    fn servers_print_as_prettyplease_prints_them() {
        let mut counts = [0, 0];
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
                        check(
                            text,
                            tokens,
                            name_len <= 40 && method_len <= 35,
                            &mut counts,
                        );
                    }
                }
            }
        }
        let [total, written] = counts;
        assert!(written * 10 >= total * 9, "{written} of {total}");
    }
}
