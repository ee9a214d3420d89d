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

/// A channel with no `parameters` object at all may use parameters in its
/// address (the official parser accepts it, and real documents do): each is
/// a string parameter, with a warning. A `parameters` object that misses one
/// stays an error (`tests/broken/param-undeclared.yaml`).
#[test]
fn address_parameters_without_a_parameters_object_are_a_warning() {
    use chanx_codegen::{Options, internal::load_api};

    let path = common::repo_root().join("tests/warnings/address-parameter-undeclared.yaml");
    let loaded = load_api(&path, &Options::default()).expect("loads with a warning");
    assert_eq!(
        common::render(&loaded.warnings),
        "tests/warnings/address-parameter-undeclared.yaml:7:14: warning: /channels/profile/address: \
         address parameter '{userId}' of channel 'profile' is not declared (the channel has no \
         parameters); it is read as a string parameter (declare it under channels.profile.parameters)\n"
    );
    let parameters: Vec<&str> = loaded.api.channels[0]
        .parameters
        .iter()
        .map(|p| p.name.spec.as_str())
        .collect();
    assert_eq!(parameters, ["userId"]);
}
