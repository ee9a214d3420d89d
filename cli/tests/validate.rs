//! The `chanx validate` binary: exit codes and output formats.

mod common;

use common::{chanx, text};

#[test]
fn a_valid_document_exits_zero_with_a_summary() {
    let out = chanx(&["validate", "specs/chat.yaml"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), "specs/chat.yaml: valid (0 warnings)\n");
    assert_eq!(text(&out.stderr), "");
}

#[test]
fn errors_exit_one_with_located_diagnostics_on_stderr() {
    let out = chanx(&[
        "validate",
        "specs/chat.yaml",
        "tests/broken/dangling-ref.yaml",
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        text(&out.stderr),
        "error[ref-not-found]: $ref '#/channels/chat/messages/chatt' not found\n  \
         --> tests/broken/dangling-ref.yaml:25:15\n   \
         |\n\
         25 |       - $ref: '#/channels/chat/messages/chatt'\n   \
         |               ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ /operations/handle_chat/messages/0\n   \
         |\n   \
         = help: did you mean 'chat'?\n\n"
    );
    assert_eq!(
        text(&out.stdout),
        "specs/chat.yaml: valid (0 warnings)\ntests/broken/dangling-ref.yaml: invalid (1 error, 0 warnings)\n"
    );
}

#[test]
fn json_format_is_parseable_and_complete() {
    let out = chanx(&[
        "validate",
        "--format",
        "json",
        "tests/broken/param-undeclared.yaml",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("stdout is JSON");
    let file = &report["files"][0];
    assert_eq!(file["file"], "tests/broken/param-undeclared.yaml");
    assert_eq!(file["valid"], false);
    assert_eq!(file["errors"], 3);
    let first = &file["diagnostics"][0];
    assert_eq!(first["severity"], "error");
    assert_eq!(first["code"], "address-parameter-undeclared");
    assert_eq!(first["location"]["line"], 7);
    assert_eq!(first["pointer"], "/channels/room/address");
}

#[test]
fn warnings_fail_only_when_denied() {
    let allowed = chanx(&["validate", "tests/warnings/required-typo.yaml"]);
    assert_eq!(allowed.status.code(), Some(0));
    assert!(text(&allowed.stdout).contains("valid (1 warning)"));
    assert!(text(&allowed.stderr).contains("warning[required-unknown-property]: "));
    let denied = chanx(&[
        "validate",
        "--deny-warnings",
        "tests/warnings/required-typo.yaml",
    ]);
    assert_eq!(denied.status.code(), Some(1));
}

#[test]
fn remote_refs_can_be_mapped_to_a_local_directory() {
    let corpus = "../shared/specs-corpus/asyncapi-spec";
    let doc = format!("{corpus}/adeo-kafka-request-reply-asyncapi.yml");
    let plain = chanx(&["validate", "--format", "json", &doc]);
    let plain: serde_json::Value = serde_json::from_slice(&plain.stdout).unwrap();
    assert_eq!(plain["files"][0]["errors"], 4);
    let local = format!("{corpus}/adeo-remote-refs/");
    let mapped = chanx(&[
        "validate",
        "--format",
        "json",
        &doc,
        "--map-url",
        &format!("https://www.asyncapi.com/resources/casestudies/adeo/={local}"),
        "--map-url",
        &format!(
            "https://deploy-preview-921--asyncapi-website.netlify.app/resources/casestudies/adeo/={local}"
        ),
    ]);
    let mapped: serde_json::Value = serde_json::from_slice(&mapped.stdout).unwrap();
    assert_eq!(mapped["files"][0]["errors"], 1, "{mapped}");
    assert_eq!(mapped["files"][0]["diagnostics"][0]["code"], "schema");
}

#[test]
fn usage_errors_exit_two_and_help_has_examples() {
    assert_eq!(chanx(&["validate"]).status.code(), Some(2));
    assert_eq!(
        chanx(&["validate", "--format", "xml", "specs/chat.yaml"])
            .status
            .code(),
        Some(2)
    );
    assert_eq!(
        chanx(&["validate", "--map-url", "nodir", "specs/chat.yaml"])
            .status
            .code(),
        Some(2)
    );
    let help = chanx(&["validate", "--help"]);
    assert_eq!(help.status.code(), Some(0));
    assert!(text(&help.stdout).contains("chanx validate specs/chat.yaml"));
}

#[test]
fn short_format_prints_one_line_per_diagnostic() {
    let out = chanx(&[
        "validate",
        "--format",
        "short",
        "tests/broken/dangling-ref.yaml",
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        text(&out.stderr),
        "tests/broken/dangling-ref.yaml:25:15: /operations/handle_chat/messages/0: \
         $ref '#/channels/chat/messages/chatt' not found (did you mean 'chat'?)\n"
    );
}
