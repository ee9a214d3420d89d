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
        2,
        "a code-generation and a runtime table: {titles:?}"
    );

    let (codegen_header, codegen_rows) = &tables[0];
    let documents: Vec<&str> = codegen_rows.iter().map(|r| r[0].as_str()).collect();
    assert_eq!(documents, ["specs/chat.yaml", "synthetic 1k"]);
    let (runtime_header, runtime_rows) = &tables[1];
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
