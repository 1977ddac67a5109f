//! Plain-text tables for the terminal: columns sized by display width, numbers right-aligned,
//! and every cell sanitised so stored text cannot drive the terminal.

use crate::domain::text::sanitize;
use unicode_width::UnicodeWidthStr;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Align {
    Left,
    Right,
}

pub struct Table {
    headers: Vec<String>,
    aligns: Vec<Align>,
    rows: Vec<Vec<String>>,
}

impl Table {
    /// Columns whose header starts with '>' are right-aligned (the '>' is dropped).
    pub fn new(headers: &[&str]) -> Table {
        let aligns = headers
            .iter()
            .map(|h| {
                if h.starts_with('>') {
                    Align::Right
                } else {
                    Align::Left
                }
            })
            .collect();
        let headers = headers
            .iter()
            .map(|h| h.trim_start_matches('>').to_string())
            .collect();
        Table {
            headers,
            aligns,
            rows: Vec::new(),
        }
    }

    pub fn row(&mut self, cells: Vec<String>) {
        self.rows.push(cells.iter().map(|c| sanitize(c)).collect());
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    pub fn render(&self) -> String {
        let columns = self.headers.len();
        let mut widths: Vec<usize> = self.headers.iter().map(|h| h.width()).collect();
        for row in &self.rows {
            for (i, cell) in row.iter().enumerate().take(columns) {
                widths[i] = widths[i].max(cell.width());
            }
        }
        let line = |cells: &[String]| -> String {
            let mut out = String::new();
            for (i, width) in widths.iter().enumerate() {
                let cell = cells.get(i).map(String::as_str).unwrap_or("");
                let pad = width.saturating_sub(cell.width());
                if i > 0 {
                    out.push_str("  ");
                }
                match self.aligns[i] {
                    Align::Left => {
                        out.push_str(cell);
                        if i + 1 < columns {
                            out.push_str(&" ".repeat(pad));
                        }
                    }
                    Align::Right => {
                        out.push_str(&" ".repeat(pad));
                        out.push_str(cell);
                    }
                }
            }
            out.trim_end().to_string()
        };
        let mut out = line(&self.headers);
        out.push('\n');
        let rule: Vec<String> = widths.iter().map(|w| "─".repeat(*w)).collect();
        out.push_str(&line(&rule));
        out.push('\n');
        for row in &self.rows {
            out.push_str(&line(row));
            out.push('\n');
        }
        out
    }

    pub fn print(&self) -> crate::error::Result<()> {
        out!("{}", self.render());
        Ok(())
    }
}

/// An optional value for a table cell.
pub fn or_dash<T: std::fmt::Display>(value: Option<T>) -> String {
    value.map_or("—".to_string(), |v| v.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_align_and_cells_are_sanitised() {
        let mut t = Table::new(&["name", ">minutes"]);
        t.row(vec!["Zoë".into(), "5".into()]);
        t.row(vec!["A\x1b[2J".into(), "120".into()]);
        let text = t.render();
        assert!(!text.contains('\x1b'));
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], "name   minutes");
        assert_eq!(lines[2], format!("Zoë{}5", " ".repeat(10)));
        assert_eq!(lines[3], "A\u{FFFD}[2J      120");
    }
}
