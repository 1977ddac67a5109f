//! Property tests of the CSV reader over random bytes and random quoting: it never panics, it
//! reads back what a CSV writer wrote, and a quoted field cut off before its closing quote
//! refuses the file at the line the field opens on.

use super::*;
use proptest::prelude::*;

/// Pieces CSV files are made of, hostile ones included, strung together at random.
pub(crate) fn piece() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        4 => Just(b"\"".to_vec()),
        1 => Just(b"\"\"".to_vec()),
        4 => Just(b",".to_vec()),
        3 => Just(b"\n".to_vec()),
        1 => Just(b"\r\n".to_vec()),
        1 => Just(b"\r".to_vec()),
        1 => Just(BOM.to_vec()),
        1 => Just(b" ".to_vec()),
        3 => prop_oneof![Just("M1"), Just("M2"), Just("Ann"), Just("Lee, Ann"), Just("2026-01-01"),
            Just("03/15/1985"), Just("9999-12-31"), Just("Zoë")].prop_map(|s| s.as_bytes().to_vec()),
        2 => prop_oneof![Just('\u{0}'), Just('\t'), Just('\u{1b}'), Just('\u{7f}'), Just('\u{85}'),
            Just('\u{9b}'), Just('\u{202e}'), Just('\u{2066}'), Just('\u{200f}')]
            .prop_map(|c| c.to_string().into_bytes()),
        1 => Just(b"\xFF".to_vec()),
        1 => proptest::collection::vec(any::<u8>(), 1..4),
    ]
}

/// A file of random pieces.
pub(crate) fn quoted_mess() -> impl Strategy<Value = Vec<u8>> {
    proptest::collection::vec(piece(), 0..60).prop_map(|p| p.concat())
}

/// One field a spreadsheet could hold: no surrounding white space (the reader trims), and not
/// blank (a row of blank fields is skipped).
fn field() -> impl Strategy<Value = String> {
    "[a-zA-Z0-9 ,\"\n\r;é]{0,12}".prop_map(|s| {
        let t = s.trim();
        if t.is_empty() {
            "x".to_string()
        } else {
            t.to_string()
        }
    })
}

fn written(rows: &[Vec<String>], style: csv::QuoteStyle) -> Vec<u8> {
    let mut w = csv::WriterBuilder::new()
        .quote_style(style)
        .from_writer(Vec::new());
    for row in rows {
        w.write_record(row).unwrap();
    }
    w.into_inner().unwrap()
}

fn check_table(bytes: &[u8], table: &CsvTable) -> Result<(), TestCaseError> {
    let last_line = 1 + bytes.iter().filter(|b| **b == b'\n').count() as u64;
    prop_assert!(!table.headers.is_empty());
    for row in &table.rows {
        prop_assert_eq!(row.fields.len(), table.headers.len());
        prop_assert!(
            (1..=last_line).contains(&row.line),
            "line {} of {}",
            row.line,
            last_line
        );
    }
    for problem in &table.problems {
        prop_assert!((0..=last_line).contains(&problem.line));
    }
    prop_assert!(
        table.rows.windows(2).all(|w| w[0].line <= w[1].line),
        "rows in file order"
    );
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1024))]

    #[test]
    fn random_bytes_are_read_or_refused_never_a_panic(
        bytes in proptest::collection::vec(any::<u8>(), 0..300),
    ) {
        match read(&bytes) {
            Ok(table) => check_table(&bytes, &table)?,
            Err(e) => prop_assert!(!e.to_string().is_empty()),
        }
    }

    #[test]
    fn random_quoting_is_read_or_refused_never_a_panic(bytes in quoted_mess()) {
        match read(&bytes) {
            Ok(table) => {
                check_table(&bytes, &table)?;
                let body = bytes.strip_prefix(BOM).unwrap_or(&bytes);
                prop_assert_eq!(unclosed_quote(body), None);
            }
            Err(Unreadable::UnclosedQuote(line)) => {
                let last_line = 1 + bytes.iter().filter(|b| **b == b'\n').count() as u64;
                prop_assert!((1..=last_line).contains(&line));
            }
            Err(e) => prop_assert!(!e.to_string().is_empty()),
        }
    }

    #[test]
    fn what_a_csv_writer_wrote_reads_back(
        width in 1usize..5,
        // At least two rows of the widest: a header and one row, with nothing to reject.
        cells in proptest::collection::vec(field(), 8..40),
        always in any::<bool>(),
    ) {
        let rows: Vec<Vec<String>> = cells.chunks(width).filter(|c| c.len() == width)
            .map(<[String]>::to_vec).collect();
        prop_assume!(rows.len() >= 2);
        let style = if always { csv::QuoteStyle::Always } else { csv::QuoteStyle::Necessary };
        let bytes = written(&rows, style);
        let table = read(&bytes).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(&table.headers, &rows[0]);
        let read_back: Vec<Vec<String>> = table.rows.iter().map(|r| r.fields.clone()).collect();
        prop_assert_eq!(read_back, rows[1..].to_vec());
        prop_assert!(table.problems.is_empty());
    }

    #[test]
    fn a_quoted_field_cut_off_refuses_the_file_at_its_line(
        width in 1usize..4,
        cells in proptest::collection::vec(field(), 2..30),
        always in any::<bool>(),
        cut in field(),
        first_in_row in any::<bool>(),
    ) {
        let rows: Vec<Vec<String>> = cells.chunks(width).filter(|c| c.len() == width)
            .map(<[String]>::to_vec).collect();
        prop_assume!(!rows.is_empty());
        let style = if always { csv::QuoteStyle::Always } else { csv::QuoteStyle::Necessary };
        let mut bytes = written(&rows, style);
        if !first_in_row {
            bytes.extend_from_slice(b"x,");
        }
        let line = 1 + bytes.iter().filter(|b| **b == b'\n').count() as u64;
        bytes.push(b'"');
        bytes.extend_from_slice(cut.replace('"', "\"\"").as_bytes());
        prop_assert_eq!(read(&bytes), Err(Unreadable::UnclosedQuote(line)));
    }
}
