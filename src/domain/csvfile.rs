//! CSV files people bring in (payer rosters, spreadsheets of history) read into rows that know
//! the file line they start on, and cells made safe to open in a spreadsheet on the way out.
//! Pure: bytes in, rows out. No file system, no database, and no cell value in any message
//! except what the caller chooses to quote.

use std::borrow::Cow;
use std::fmt;

/// The UTF-8 byte order mark some spreadsheet programs put at the start of a file.
const BOM: &[u8] = b"\xEF\xBB\xBF";

/// A problem with one row, by the file line the row starts on (the header is line 1; a quoted
/// field holding line breaks makes the next row start further down).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineProblem {
    pub line: u64,
    pub message: String,
}

impl LineProblem {
    pub fn new(line: u64, message: impl Into<String>) -> LineProblem {
        LineProblem {
            line,
            message: message.into(),
        }
    }
}

/// One data row: its fields (trimmed) and the line it starts on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CsvRow {
    pub line: u64,
    pub fields: Vec<String>,
}

/// A whole file: the header, the rows that could be read, and the rows that could not.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CsvTable {
    pub headers: Vec<String>,
    pub rows: Vec<CsvRow>,
    pub problems: Vec<LineProblem>,
}

/// Why a file cannot be read at all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unreadable {
    /// No bytes, only a byte order mark, or only blank lines.
    Empty,
    /// The header row itself is broken.
    Header(String),
    /// A quoted field that opens on this line is never closed, so it runs to the end of the file
    /// and swallows every row after it.
    UnclosedQuote(u64),
}

impl fmt::Display for Unreadable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Unreadable::Empty => {
                f.write_str("the file is empty (a header row and data rows are expected)")
            }
            Unreadable::Header(why) => write!(f, "line 1 (the header): {why}"),
            Unreadable::UnclosedQuote(line) => write!(
                f,
                "line {line}: a quoted field is never closed (a \" opens it and no \" ends it before the end of the file)"
            ),
        }
    }
}

/// Reads an RFC 4180 file: UTF-8 with or without a byte order mark, LF or CRLF line ends, a
/// final newline or not, quoted fields holding commas, quotes or line breaks. The first row is
/// the header. Every row must have as many fields as the header and be UTF-8; rows that are
/// not are listed in `problems` (all of them, not just the first). Rows whose every field is
/// blank (`,,,` lines spreadsheets leave behind) are skipped. A quoted field that is never
/// closed refuses the whole file (the reader underneath would take the rest of the file as that
/// one field).
pub fn read(bytes: &[u8]) -> Result<CsvTable, Unreadable> {
    let bytes = bytes.strip_prefix(BOM).unwrap_or(bytes);
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(Unreadable::Empty);
    }
    if let Some(line) = unclosed_quote(bytes) {
        return Err(Unreadable::UnclosedQuote(line));
    }
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(bytes);
    let mut records = reader.byte_records();
    let mut table = CsvTable::default();
    // Blank lines before the header are skipped by the reader; the header is the first record.
    let header = loop {
        match records.next() {
            None => return Err(Unreadable::Empty),
            Some(Err(e)) => return Err(Unreadable::Header(e.to_string())),
            Some(Ok(record)) if is_blank(&record) => continue,
            Some(Ok(record)) => break record,
        }
    };
    for (i, field) in header.iter().enumerate() {
        match std::str::from_utf8(field) {
            Ok(text) => table.headers.push(text.trim().to_string()),
            Err(_) => {
                return Err(Unreadable::Header(format!(
                    "column {} is not UTF-8 text; save the file as UTF-8 (CSV UTF-8)",
                    i + 1
                )));
            }
        }
    }
    if let Some(i) = table.headers.iter().position(String::is_empty) {
        return Err(Unreadable::Header(format!("column {} has no name", i + 1)));
    }
    let width = table.headers.len();
    let mut lines = LineCounter::new(bytes);
    for record in records {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map_or(0, |p| lines.line_at(p.byte()));
                table
                    .problems
                    .push(LineProblem::new(line, format!("unreadable row: {e}")));
                continue;
            }
        };
        if is_blank(&record) {
            continue;
        }
        let line = record.position().map_or(0, |p| lines.line_at(p.byte()));
        if record.len() != width {
            table.problems.push(LineProblem::new(
                line,
                format!("{} fields where the header has {width}", record.len()),
            ));
            continue;
        }
        let mut fields = Vec::with_capacity(width);
        let mut bad_column = None;
        for (i, field) in record.iter().enumerate() {
            match std::str::from_utf8(field) {
                Ok(text) => fields.push(text.trim().to_string()),
                Err(_) => {
                    bad_column = Some(i);
                    break;
                }
            }
        }
        if let Some(i) = bad_column {
            table.problems.push(LineProblem::new(
                line,
                format!(
                    "column '{}' is not UTF-8 text; save the file as UTF-8 (CSV UTF-8)",
                    super::text::sanitize(&table.headers[i])
                ),
            ));
            continue;
        }
        table.rows.push(CsvRow { line, fields });
    }
    Ok(table)
}

/// File line numbers of records. The reader reports where it stood when a record began, which
/// is just after the previous record's terminator (before a CRLF's LF and any blank lines), so
/// the record's own first byte is found by skipping line ends, and lines are counted up to it.
struct LineCounter<'a> {
    bytes: &'a [u8],
    offset: usize,
    line: u64,
}

impl<'a> LineCounter<'a> {
    fn new(bytes: &'a [u8]) -> LineCounter<'a> {
        LineCounter {
            bytes,
            offset: 0,
            line: 1,
        }
    }

    /// The line of the record the reader started at byte `at` (offsets only move forward).
    fn line_at(&mut self, at: u64) -> u64 {
        let mut start = (at as usize).min(self.bytes.len());
        while start < self.bytes.len() && matches!(self.bytes[start], b'\r' | b'\n') {
            start += 1;
        }
        if start >= self.offset {
            self.line += self.bytes[self.offset..start]
                .iter()
                .filter(|b| **b == b'\n')
                .count() as u64;
            self.offset = start;
        }
        self.line
    }
}

/// The line on which a quoted field opens that is still open at the end of the file, if one is.
/// Quotes are read as the `csv` reader reads them (RFC 4180): a `"` opens a quoted field only as
/// the field's first byte; inside, `""` is a quote and a lone `"` closes it; a `"` anywhere else
/// is an ordinary character. Records end at LF, CR or CRLF; lines are counted by LF, as
/// [`LineCounter`] counts them.
fn unclosed_quote(bytes: &[u8]) -> Option<u64> {
    let mut line = 1;
    let mut opened = None;
    let mut field_start = true;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b == b'\n' {
            line += 1;
        }
        if opened.is_some() {
            if b == b'"' {
                if bytes.get(i + 1) == Some(&b'"') {
                    i += 1;
                } else {
                    opened = None;
                    field_start = false;
                }
            }
        } else {
            match b {
                b'"' if field_start => opened = Some(line),
                b',' | b'\n' | b'\r' => field_start = true,
                _ => field_start = false,
            }
        }
        i += 1;
    }
    opened
}

fn is_blank(record: &csv::ByteRecord) -> bool {
    record
        .iter()
        .all(|f| f.iter().all(|b| b.is_ascii_whitespace()))
}

/// A header as compared with the names we know: lower case, every run of anything but letters
/// and digits one space ("Member_ID", "member-id" and "MEMBER ID" are all "member id").
pub fn normalize_header(header: &str) -> String {
    let mut out = String::with_capacity(header.len());
    let mut gap = false;
    for c in header.chars() {
        if c.is_alphanumeric() {
            if gap && !out.is_empty() {
                out.push(' ');
            }
            gap = false;
            out.extend(c.to_lowercase());
        } else {
            gap = true;
        }
    }
    out
}

/// How many problems a refusal spells out before it lists only the remaining line numbers.
const DETAILED: usize = 20;

/// One line refusing a whole file: every bad row's line number, the first ones with what is
/// wrong. `what` names the file ("roster", "encounters").
pub fn refusal(what: &str, problems: &[LineProblem]) -> String {
    refusal_by(what, "line", "row", problems)
}

/// [`refusal`] for a file whose problems are numbered in `unit`s ("segment" for an X12 file)
/// and counted as bad `item`s.
pub fn refusal_by(what: &str, unit: &str, item: &str, problems: &[LineProblem]) -> String {
    let mut problems = problems.to_vec();
    problems.sort_by_key(|p| p.line);
    let rows = {
        let mut lines: Vec<u64> = problems.iter().map(|p| p.line).collect();
        lines.dedup();
        lines.len()
    };
    let plural = if rows == 1 { "" } else { "s" };
    let mut out = format!("{what} refused, nothing was written ({rows} bad {item}{plural}): ");
    let detailed: Vec<String> = problems
        .iter()
        .take(DETAILED)
        .map(|p| format!("{unit} {}: {}", p.line, p.message))
        .collect();
    out.push_str(&detailed.join("; "));
    if problems.len() > DETAILED {
        let mut rest: Vec<u64> = problems[DETAILED..].iter().map(|p| p.line).collect();
        rest.dedup();
        let listed: Vec<String> = rest.iter().map(u64::to_string).collect();
        let more = problems.len() - DETAILED;
        let (problem, line) = match (more, listed.len()) {
            (1, _) | (_, 1) => (
                if more == 1 { "problem" } else { "problems" },
                unit.to_string(),
            ),
            _ => ("problems", format!("{unit}s")),
        };
        out.push_str(&format!(
            "; and {more} more {problem} on {line} {}",
            listed.join(", ")
        ));
    }
    super::text::sanitize(&out)
}

/// A cell made safe for a spreadsheet: text that a spreadsheet would take for a formula (it
/// begins with `=`, `+`, `-`, `@`, a tab or a carriage return) gets a leading `'`, which
/// spreadsheets show as text and do not run.
pub fn neutralize(cell: &str) -> Cow<'_, str> {
    match cell.as_bytes().first() {
        Some(b'=' | b'+' | b'-' | b'@' | b'\t' | b'\r') => Cow::Owned(format!("'{cell}")),
        _ => Cow::Borrowed(cell),
    }
}

/// A text cell for CSV printed by a command: control characters replaced (it may go to a
/// terminal) and formulas neutralised (it may go to a spreadsheet).
pub fn printable_cell(text: &str) -> String {
    neutralize(&super::text::sanitize(text)).into_owned()
}

#[cfg(test)]
pub(crate) mod props;

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(t: &CsvTable) -> Vec<u64> {
        t.rows.iter().map(|r| r.line).collect()
    }

    #[test]
    fn rows_know_their_lines_through_crlf_and_quoted_line_breaks() {
        let text = "id,name\r\n1,\"Lee, Ann\"\r\n2,\"two\nlines\"\r\n3,x";
        let t = read(text.as_bytes()).unwrap();
        assert_eq!(t.headers, vec!["id", "name"]);
        assert_eq!(lines(&t), vec![2, 3, 5]);
        assert_eq!(t.rows[0].fields[1], "Lee, Ann");
        assert_eq!(t.rows[1].fields[1], "two\nlines");
        assert!(t.problems.is_empty());
    }

    #[test]
    fn a_byte_order_mark_is_not_part_of_the_first_header() {
        let t = read(b"\xEF\xBB\xBFid,name\n1,a\n").unwrap();
        assert_eq!(t.headers[0], "id");
    }

    #[test]
    fn ragged_and_non_utf8_rows_are_all_listed() {
        let t = read(b"id,name\n1,a\n2\n3,b,c\n4,\xE9t\xE9\n5,ok\n").unwrap();
        let bad: Vec<u64> = t.problems.iter().map(|p| p.line).collect();
        assert_eq!(bad, vec![3, 4, 5]);
        assert_eq!(lines(&t), vec![2, 6]);
        assert!(t.problems[2].message.contains("UTF-8"));
    }

    #[test]
    fn empty_files_and_blank_rows() {
        assert_eq!(read(b""), Err(Unreadable::Empty));
        assert_eq!(read(b"\xEF\xBB\xBF"), Err(Unreadable::Empty));
        assert_eq!(read(b"\n\r\n  \n"), Err(Unreadable::Empty));
        let t = read(b"id,name\n\n1,a\n,\n , \n2,b\n").unwrap();
        assert_eq!(lines(&t), vec![3, 6]);
        assert!(matches!(read(b"id,\n1,2\n"), Err(Unreadable::Header(_))));
        assert!(matches!(read(b"i\xFFd,x\n"), Err(Unreadable::Header(_))));
    }

    #[test]
    fn a_quoted_field_never_closed_refuses_the_file_at_its_line() {
        // The file: before, M3 vanished into M2's name.
        let text = b"member id,name\nM1,Ann Lee\nM2,\"Ray, Bob\nM3,Dee Cy\n";
        assert_eq!(read(text), Err(Unreadable::UnclosedQuote(3)));
        assert_eq!(
            Unreadable::UnclosedQuote(3).to_string(),
            "line 3: a quoted field is never closed (a \" opens it and no \" ends it before the end of the file)"
        );
        assert_eq!(read(b"\"id,name\n1,a\n"), Err(Unreadable::UnclosedQuote(1)));
        assert_eq!(
            read(b"id,name\r\n1,a\r\n2,\""),
            Err(Unreadable::UnclosedQuote(3))
        );
        // A closed field after an escaped quote, and a field closed on a later line, are fine.
        assert!(read(b"id,name\n1,\"a \"\"b\"\"\"\n2,\"x\ny\"\n").is_ok());
        // An open quote after line breaks inside an earlier, closed field: its own line.
        assert_eq!(
            read(b"id,name\n1,\"x\n\ny\"\n2,\"z\n"),
            Err(Unreadable::UnclosedQuote(5))
        );
        // Quotes that do not open a field are ordinary characters, as the reader takes them.
        let t = read(b"id,name\n1,O\"Brien\n2, \"x\n").unwrap();
        assert_eq!(t.rows[0].fields[1], "O\"Brien");
        assert_eq!(t.rows[1].fields[1], "\"x");
        // A closing quote followed by more text does not reopen anything.
        assert!(read(b"id,name\n1,\"a\"b\"\n2,c\n").is_ok());
    }

    #[test]
    fn headers_normalize() {
        assert_eq!(normalize_header(" Member_ID "), "member id");
        assert_eq!(normalize_header("MemberID"), "memberid");
        assert_eq!(normalize_header("Date of Birth"), "date of birth");
        assert_eq!(normalize_header("Subscriber #"), "subscriber");
    }

    #[test]
    fn refusals_list_every_line() {
        let problems: Vec<LineProblem> =
            (2..30).rev().map(|l| LineProblem::new(l, "bad")).collect();
        let text = refusal("roster", &problems);
        assert!(
            text.starts_with("roster refused, nothing was written (28 bad rows): line 2: bad;")
        );
        assert!(
            text.ends_with("on lines 22, 23, 24, 25, 26, 27, 28, 29"),
            "{text}"
        );
        assert!(!text.contains('\n'));
        let one_more: Vec<LineProblem> = (2..23).map(|l| LineProblem::new(l, "bad")).collect();
        let text = refusal("roster", &one_more);
        assert!(text.ends_with("; and 1 more problem on line 22"), "{text}");
        let same_line = vec![LineProblem::new(5, "bad"); 22];
        let text = refusal("roster", &same_line);
        assert!(text.ends_with("; and 2 more problems on line 5"), "{text}");
    }

    #[test]
    fn formulas_are_neutralised() {
        for hostile in ["=1+1", "+1", "-2", "@SUM(A1)", "\tx", "\rx"] {
            assert_eq!(neutralize(hostile), format!("'{hostile}"));
        }
        assert_eq!(neutralize("Ann"), "Ann");
        assert_eq!(neutralize(""), "");
        assert_eq!(neutralize("a=b"), "a=b");
    }
}
