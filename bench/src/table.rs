//! Markdown tables and the number formats they use.

use std::fmt::Write as _;
use std::time::Duration;

/// A Markdown table.
#[derive(Debug, Clone)]
pub struct Table {
    pub title: String,
    pub header: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

impl Table {
    pub fn new(title: &str, header: &[&str]) -> Self {
        Table {
            title: title.to_string(),
            header: header.iter().map(|h| h.to_string()).collect(),
            rows: Vec::new(),
        }
    }

    pub fn push(&mut self, row: Vec<String>) {
        self.rows.push(row);
    }

    pub fn markdown(&self) -> String {
        let mut out = format!("### {}\n\n", self.title);
        let line = |cells: &[String]| format!("| {} |\n", cells.join(" | "));
        out.push_str(&line(&self.header));
        let _ = writeln!(out, "|{}", "---|".repeat(self.header.len()));
        for row in &self.rows {
            out.push_str(&line(row));
        }
        out
    }
}

/// A duration with a unit that keeps 3 significant digits.
pub fn duration(d: Duration) -> String {
    micros(d.as_secs_f64() * 1e6)
}

pub fn micros(us: f64) -> String {
    if us < 1_000.0 {
        format!("{} µs", sig3(us))
    } else if us < 1_000_000.0 {
        format!("{} ms", sig3(us / 1_000.0))
    } else {
        format!("{} s", sig3(us / 1_000_000.0))
    }
}

/// KiB as MiB.
pub fn mib(kib: u64) -> String {
    format!("{} MiB", sig3(kib as f64 / 1024.0))
}

/// A rate with thousands separators.
pub fn rate(per_second: f64) -> String {
    let whole = per_second.round() as u64;
    let digits = whole.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

pub fn ratio(value: f64) -> String {
    format!("{}×", sig3(value))
}

/// Three significant digits, no exponent.
pub fn sig3(value: f64) -> String {
    let magnitude = if value == 0.0 {
        0
    } else {
        value.abs().log10().floor() as i32
    };
    let decimals = (2 - magnitude).clamp(0, 6) as usize;
    format!("{value:.decimals$}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats() {
        assert_eq!(sig3(1234.4), "1234");
        assert_eq!(sig3(12.345), "12.3");
        assert_eq!(sig3(0.01234), "0.0123");
        assert_eq!(micros(850.0), "850 µs");
        assert_eq!(micros(12_345.0), "12.3 ms");
        assert_eq!(duration(Duration::from_millis(2500)), "2.50 s");
        assert_eq!(rate(1_234_567.4), "1,234,567");
        assert_eq!(rate(999.0), "999");
        assert_eq!(mib(2048), "2.00 MiB");
    }

    #[test]
    fn markdown_layout() {
        let mut table = Table::new("T", &["a", "b"]);
        table.push(vec!["1".into(), "2".into()]);
        assert_eq!(
            table.markdown(),
            "### T\n\n| a | b |\n|---|---|\n| 1 | 2 |\n"
        );
    }
}
