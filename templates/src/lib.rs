//! Templates embedded at compile time.
//!
//! The files live under `ts/` and `docs/` in this crate so they ship with
//! it; the emitters in `chanx-codegen` render the TypeScript one with
//! minijinja, and the runtime and `chanx docs` fill the docs page.

/// One TypeScript module per document: types, the shared client runtime and
/// one client class per channel.
pub const TS_MODULE: &str = include_str!("../ts/module.ts.j2");

/// The runtime's topic declarations, which `TS_MODULE` includes for
/// documents with chanx topics.
pub const TS_TOPICS: &str = include_str!("../ts/topics.ts.j2");

/// The client base class's topic members, which `TS_MODULE` includes for
/// documents with chanx topics.
pub const TS_TOPIC_MEMBERS: &str = include_str!("../ts/topic-members.ts.j2");

/// The docs page: HTML, CSS and script in one file, no network needed.
/// [`docs_page`] puts a document in it.
pub const DOCS_PAGE: &str = include_str!("../docs/page.html");

/// Where the document goes in [`DOCS_PAGE`].
const SLOT: &str = "__CHANX_DOCUMENT__";

/// The docs page of `document_json` (an AsyncAPI document, bundled into one,
/// as JSON), ready to serve or write to a file.
pub fn docs_page(document_json: &str) -> String {
    // Inside <script>, `<` could end the element or open a comment; as a
    // JSON escape it is the same character to the parser.
    let embedded = document_json.replace('<', "\\u003c");
    DOCS_PAGE.replacen(SLOT, &embedded, 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_document_fills_its_slot_and_cannot_close_the_script() {
        let page = docs_page(r#"{"info":{"title":"</script><b>"}}"#);
        assert!(!page.contains(SLOT));
        assert!(page.contains(r#"{"info":{"title":"\u003c/script>\u003cb>"}}"#));
        assert_eq!(page.matches("</script>").count(), 2, "only the page's own");
    }
}
