//! `validate` on documents that load: the project's own spec and warnings.

mod common;

use chanx_codegen::internal::load::{LoadOptions, load};
use chanx_codegen::internal::validate::{load_and_validate, validate};

#[test]
fn the_chat_spec_is_valid_without_warnings() {
    let (doc, load_warnings) = load(
        &common::repo_root().join("specs/chat.yaml"),
        &LoadOptions::default(),
    )
    .unwrap();
    assert!(load_warnings.is_empty());
    let diags = validate(&doc);
    assert!(diags.is_empty(), "{diags}");
}

#[test]
fn warnings_are_returned_beside_the_document() {
    let path = common::repo_root().join("tests/warnings/required-typo.yaml");
    let (_, warnings) =
        load_and_validate(&path, &LoadOptions::default()).expect("warnings do not fail");
    assert_eq!(
        common::render(&warnings),
        "tests/warnings/required-typo.yaml:12:30: warning: /channels/chat/messages/ping/payload/required/1: \
         'paylod' is required but not declared in properties (did you mean 'payload'?)\n"
    );
}
