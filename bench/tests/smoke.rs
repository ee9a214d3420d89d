//! Runs the whole benchmark at smoke sizes, so it cannot rot: every row of
//! every table must come out with positive numbers for chanx and its peers.

use std::process::Command;

/// The leading number of a cell (`"1,234"`, `"3.8 ms"`, `"0.9×"`).
fn leading_number(cell: &str) -> Option<f64> {
    let number: String = cell
        .trim()
        .chars()
        .take_while(|c| c.is_ascii_digit() || *c == '.' || *c == ',')
        .filter(|c| *c != ',')
        .collect();
    number.parse().ok()
}

/// The Markdown tables in `text`: header cells and row cells.
fn tables(text: &str) -> Vec<(Vec<String>, Vec<Vec<String>>)> {
    let mut tables = Vec::new();
    let mut lines = text.lines().peekable();
    while let Some(line) = lines.next() {
        if !line.starts_with('|') {
            continue;
        }
        let cells = |l: &str| -> Vec<String> {
            l.trim()
                .trim_matches('|')
                .split(" | ")
                .map(|c| c.trim().to_string())
                .collect()
        };
        let header = cells(line);
        lines.next(); // |---|---|
        let mut rows = Vec::new();
        while let Some(row) = lines.next_if(|l| l.starts_with('|')) {
            rows.push(cells(row));
        }
        tables.push((header, rows));
    }
    tables
}

#[test]
fn every_row_of_a_smoke_run_has_positive_numbers() {
    let output = Command::new(env!("CARGO_BIN_EXE_chanx-bench"))
        .args(["all", "--smoke"])
        .output()
        .expect("the bench runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "bench failed:\n{stderr}");

    let tables = tables(&stdout);
    let titles: Vec<&str> = stdout
        .lines()
        .filter_map(|l| l.strip_prefix("### "))
        .collect();
    assert_eq!(
        tables.len(),
        6,
        "code-generation, rustc-instructions, hostile-document, fuzzing, runtime and logging tables: {titles:?}"
    );
    let table = |prefix: &str| {
        let i = titles
            .iter()
            .position(|t| t.starts_with(prefix))
            .unwrap_or_else(|| panic!("no table {prefix:?} in {titles:?}"));
        &tables[i]
    };

    let (codegen_header, codegen_rows) = table("Code generation: Rust");
    let documents: Vec<&str> = codegen_rows.iter().map(|r| r[0].as_str()).collect();
    assert_eq!(documents, ["specs/chat.yaml", "synthetic 1k"]);

    // rustc itself, counted by valgrind, checking the chat module: hundreds
    // of millions of instructions, not a count of something else.
    let (_, instruction_rows) = table("Compiling the generated Rust: rustc's instructions");
    assert_eq!(instruction_rows.len(), 1, "{instruction_rows:?}");
    assert_eq!(instruction_rows[0][0], "specs/chat.yaml");
    assert!(
        leading_number(&instruction_rows[0][3]).is_some_and(|billions| billions > 0.1),
        "{instruction_rows:?}"
    );

    let (_, hostile_rows) = table("Code generation: hostile documents");
    assert!(hostile_rows.len() >= 10, "{hostile_rows:?}");
    for row in hostile_rows {
        let outcome = &row[2];
        assert!(
            outcome.starts_with("refused: `") || outcome.contains("MB of Rust"),
            "{row:?}"
        );
        assert!(leading_number(&row[3]).is_some_and(|v| v > 0.0), "{row:?}");
        assert!(leading_number(&row[4]).is_some_and(|v| v > 0.0), "{row:?}");
    }

    let (fuzz_header, fuzz_rows) = table("Fuzzing:");
    assert_eq!(fuzz_rows.len(), 1, "{fuzz_rows:?}");
    let fuzz = |name: &str| {
        let i = fuzz_header
            .iter()
            .position(|h| h.starts_with(name))
            .unwrap();
        fuzz_rows[0][i].as_str()
    };
    assert!(leading_number(fuzz("executions")).is_some_and(|v| v > 0.0));
    assert_eq!(fuzz("crashes"), "0");
    assert_eq!(fuzz("hangs"), "0");

    let (runtime_header, runtime_rows) = table("Runtime:");
    assert_eq!(
        runtime_rows.len(),
        11,
        "2 ping loads × 2 rows, 1 broadcast × 2 rows, 3 per-frame costs, idle on Server and axum"
    );
    let loads: Vec<&str> = runtime_rows.iter().map(|r| r[0].as_str()).collect();
    assert!(loads.iter().any(|l| l.starts_with("ping")), "{loads:?}");
    assert!(loads.iter().any(|l| l.contains("broadcast")), "{loads:?}");
    assert_eq!(
        loads.iter().filter(|l| l.contains("idle")).count(),
        2,
        "{loads:?}"
    );
    assert!(loads.iter().any(|l| l.contains("axum")), "{loads:?}");
    assert_eq!(
        loads.iter().filter(|l| l.contains("in process")).count(),
        3,
        "{loads:?}"
    );
    let (logging_header, logging_rows) = table("Logging under load:");
    let subscribers: Vec<&str> = logging_rows.iter().map(|r| r[0].as_str()).collect();
    assert_eq!(subscribers.len(), 5, "{subscribers:?}");
    assert!(subscribers[0].starts_with("none"), "{subscribers:?}");
    assert_eq!(
        subscribers
            .iter()
            .filter(|s| s.contains("every frame"))
            .count(),
        2,
        "{subscribers:?}"
    );
    for row in logging_rows {
        assert_eq!(row.len(), logging_header.len(), "{row:?}");
        for cell in &row[1..4] {
            assert!(
                leading_number(cell).is_some_and(|v| v > 0.0),
                "{cell:?} in {row:?}"
            );
        }
    }
    assert_eq!(logging_rows[0][3], "1.00×");

    let modelina_ran = codegen_rows.iter().all(|r| !r[7].starts_with("not run"));
    for (header, rows) in [
        (codegen_header, codegen_rows),
        (runtime_header, runtime_rows),
    ] {
        for row in rows {
            assert_eq!(row.len(), header.len(), "{row:?}");
            for (column, cell) in header.iter().zip(row) {
                // Per-frame costs are chanx-runtime's alone.
                let in_process = row[0].contains("in process");
                let measured = (column.starts_with("chanx")
                    && !(in_process && column.contains('/')))
                    || column == "lines"
                    || (column == "hand-written" && !in_process)
                    || (modelina_ran
                        && column.starts_with("Modelina")
                        && !cell.starts_with("fails"));
                if measured {
                    let value = leading_number(cell);
                    assert!(
                        value.is_some_and(|v| v > 0.0),
                        "{column} = {cell:?} in {row:?}"
                    );
                }
            }
        }
    }
}

#[test]
fn cells_are_read_as_numbers() {
    assert_eq!(leading_number("1,234"), Some(1234.0));
    assert_eq!(leading_number("3.83 ms"), Some(3.83));
    assert_eq!(leading_number("fails: x"), None);
}

#[test]
fn a_smoke_run_of_the_hostile_figures_sheds_every_stalled_handshake() {
    let output = Command::new(env!("CARGO_BIN_EXE_chanx-bench"))
        .args(["hostile", "--smoke"])
        .output()
        .expect("the bench runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "bench failed:\n{stderr}");
    let tables = tables(&stdout);
    assert_eq!(tables.len(), 1, "{stdout}");
    let (header, rows) = &tables[0];
    let servers: Vec<&str> = rows.iter().map(|r| r[0].as_str()).collect();
    assert_eq!(
        servers,
        [
            "chanx-runtime `Server`",
            "chanx-runtime `axum::serve`",
            "hand-written tokio-tungstenite"
        ]
    );
    for row in rows {
        assert_eq!(row.len(), header.len(), "{row:?}");
        let cell = |name: &str| {
            let column = header.iter().position(|h| h == name).expect(name);
            row[column].as_str()
        };
        let idle = leading_number(cell("server RSS per idle connection"));
        assert!(idle.is_some_and(|v| v > 0.0), "{row:?}");
        assert!(
            leading_number(cell("a new client's ping answered after")).is_some_and(|v| v > 0.0),
            "a new client connects while handshakes stall: {row:?}"
        );
        let shed = leading_number(cell("all stalled shed after"));
        if row[0].starts_with("chanx") {
            assert!(shed.is_some_and(|v| v > 0.0), "every one shed: {row:?}");
        } else {
            assert!(
                shed.is_none(),
                "the hand-written server keeps them: {row:?}"
            );
        }
    }
}
