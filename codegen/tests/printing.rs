//! The impls and definitions the Rust emitter writes as text (without
//! parsing and printing tokens) print exactly as prettyplease prints them,
//! whatever the lengths of the names around its 89-column margin.
//!
//! Debug builds of the emitter print both and report any difference as an
//! emitter bug, so generating these documents is the check; the test also
//! makes sure the documents hold the shapes written as text.

use chanx_codegen::Options;
use chanx_codegen::internal::{generate_rust, load_api};

/// A document whose schema, property and enum-value names take every length
/// up to past the margin, with docs, defaults and optional fields.
fn sweep_document(max: usize) -> String {
    let mut doc = String::from(
        "asyncapi: 3.0.0\ninfo:\n  title: Sweep\n  version: 1.0.0\nchannels:\n  sweep:\n    address: /ws/sweep\n    messages:\n",
    );
    let mut schemas = String::new();
    for len in 1..=max {
        let schema = format!("S{}", "x".repeat(len));
        let property = format!("p{}", "y".repeat(len));
        let value = format!("v{}", "z".repeat(len));
        doc.push_str(&format!(
            "      m{len}:\n        payload:\n          $ref: '#/components/schemas/{schema}'\n"
        ));
        schemas.push_str(&format!(
            "    {schema}:\n      type: object\n      description: A schema {len} columns longer than the first.\n      required: [{property}]\n      properties:\n        {property}:\n          type: string\n          description: Property of length {len}.\n        n{len}:\n          type: integer\n          default: {len}\n        o{len}:\n          type: array\n          items:\n            type: string\n        e{len}:\n          type: string\n          enum: [{value}, w, '{len}']\n          default: w\n        t{len}:\n          type: boolean\n          default: true\n        r{len}:\n          type: number\n          default: 1.5\n"
        ));
        // Several required fields of this length: constructors with long
        // parameter lists, and `StructWriter` counts of many terms.
        schemas.push_str(&format!(
            "    T{schema}:\n      type: object\n      required: [a{len}, b{len}]\n      properties:\n        a{len}:\n          type: string\n        b{len}:\n          type: boolean\n        c{len}:\n          type: number\n        d{len}:\n          type: boolean\n        f{len}:\n          type: string\n          default: {property}\n"
        ));
        // Two required fields and a defaulted one, named at this length:
        // every way prettyplease breaks `let (Some(…), …) = (…) else {`.
        schemas.push_str(&format!(
            "    V{schema}:\n      type: object\n      required: [h{y}, j{y}]\n      properties:\n        h{y}:\n          type: string\n        j{y}:\n          type: string\n        g{y}:\n          type: string\n          default: w\n",
            y = "y".repeat(len)
        ));
        // Three required fields: the patterns broken, the reads on one line.
        schemas.push_str(&format!(
            "    X{schema}:\n      type: object\n      required: [h{y}, j{y}, k{y}]\n      properties:\n        h{y}:\n          type: string\n        j{y}:\n          type: string\n        k{y}:\n          type: string\n",
            y = "y".repeat(len)
        ));
        // A required field and a defaulted one: the reads broken alone.
        schemas.push_str(&format!(
            "    W{schema}:\n      type: object\n      required: [h{y}]\n      properties:\n        h{y}:\n          type: string\n        g{y}:\n          type: string\n          default: w\n",
            y = "y".repeat(len)
        ));
        // One field: `Self { … }` literals of every width around the
        // 35 columns prettyplease keeps on one line.
        schemas.push_str(&format!(
            "    U{schema}:\n      type: object\n      properties:\n        q{}:\n          type: integer\n",
            "y".repeat(len)
        ));
        // String enums without a default: a short name with values of
        // this length (every way the `variant_index(…).map(…)` chain
        // breaks), and a name of this length (`unit_enum_impls!` broken).
        schemas.push_str(&format!(
            "    E{len}:\n      type: string\n      enum: [a{z}, b{z}, c{z}, d]\n    F{x}:\n      type: string\n      enum: [a]\n",
            z = "z".repeat(len),
            x = "x".repeat(len)
        ));
    }
    // The narrowest string enum: its `Serialize` call is still broken.
    schemas.push_str("    Q:\n      type: string\n      enum: [a]\n");
    doc.push_str("components:\n  schemas:\n");
    doc.push_str(&schemas);
    doc
}

#[test]
fn text_items_print_as_prettyplease_at_every_length() {
    let dir = std::env::temp_dir().join(format!("chanx-printing-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("sweep.yaml");
    std::fs::write(&path, sweep_document(90)).unwrap();
    let options = Options::default();
    let loaded = load_api(&path, &options).unwrap_or_else(|d| panic!("sweep loads:\n{d}"));
    let code = generate_rust(&loaded, &options).unwrap_or_else(|d| panic!("{d}"));
    std::fs::remove_dir_all(&dir).ok();
    // The shapes written as text are all there, short and long.
    for expected in [
        "impl ::serde::Serialize for Sx {",
        "impl ::chanx_runtime::__private::FromJson for Sx {",
        "::chanx_runtime::__private::deserialize_through_from_json!(Sx);",
        &format!(
            "::chanx_runtime::__private::deserialize_through_from_json!(\n        S{}\n    );",
            "x".repeat(40)
        ),
        "pub fn new(",
        "pub enum SxE1 {",
        "::std::result::Result::Ok(Self { qyy: f0 })",
        &format!(
            "::std::result::Result::Ok(Self {{\n                q{}: f0,\n",
            "y".repeat(30)
        ),
        // `let … else` on one line, the reads broken, the patterns broken,
        // then `) = (…) else {`, `) = (…)` and `else {`, and the reads.
        "            let (::std::option::Option::Some(f0),) = (fields.take_or_default(0),) else {\n",
        " = (\n                fields.take(0),\n                fields.take_or_else(1, default_",
        "            let (\n                ::std::option::Option::Some(f0),\n",
        "),\n            ) = (fields.take(0), fields.take(1), fields.take_or_else(2, default_",
        "            ) = (fields.take(0), fields.take(1), fields.take(2)) else {\n",
        "))\n            else {\n",
        "\n            ) = (\n                fields.take(0),\n",
        &format!("pub struct S{} {{", "x".repeat(90)),
        // Impl headers broken before `for`.
        "    impl ::chanx_runtime::__private::FromJson\n    for S",
        "    impl ::serde::Serialize\n    for S",
        // The wire names broken one per line.
        "                &[\n                    \"h",
        // A field's type broken around its generic argument.
        ": ::std::option::Option<\n            i64,\n        >,\n",
        // A `StructWriter` call broken one argument per line.
        "            out.optional(\n                \"q",
        // A string enum's `variant_index` chain, broken every way.
        "\n                .map(|index| [Self::",
        "            ::chanx_runtime::__private::variant_index(\n                    value,\n                    &[\"a",
        "                    &[\n                        \"a",
        "\n                .map(|index| {\n                    [Self::",
        "\n                    ][index]\n                })\n",
        "    ::chanx_runtime::__private::unit_enum_impls!(\n        Fxx",
        // Default functions of each kind of value written as text.
        "() -> bool {\n        true\n    }\n",
        "() -> f64 {\n        1.5f64\n    }\n",
        "() -> i64 {\n        90i64\n    }\n",
        "() -> SxE1 {\n        SxE1::W\n    }\n",
        // A string enum's `Serialize`.
        "::chanx_runtime::__private::unit_variant(\n                serializer,\n                \"Q\",\n                *self as usize,\n                &[\"a\"],\n            )\n",
    ] {
        assert!(code.contains(expected), "no {expected:?} in the module");
    }
    syn::parse_file(&code).expect("the module parses");
}
