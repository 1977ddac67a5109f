//! `flags --json` of the active panel written as the priority index is walked (issue 19): the
//! order is cut in two (`store::flagged::split_point`); the first part is written as it is
//! read, while the second is read side by side on the store's second connection and
//! serialised into memory, then written after it. Each part is read, judged and serialised on
//! one thread, so nothing crosses between threads but the second part's bytes. The text is
//! exactly `print_json`'s of the whole list (a test holds it to that). It decides no flag.

use super::FlaggedJson;
use crate::error::{Error, Result};
use crate::store::Store;
use crate::store::flagged::{self, Part};
use crate::store::panel::PanelQuery;
use chrono::NaiveDate;
use std::io::Write;

/// Writes the flagged clients of `query` on `today` to `out` as one pretty-printed JSON array,
/// then a line break.
pub(super) fn write(
    store: &Store,
    query: &PanelQuery,
    today: NaiveDate,
    out: &mut impl Write,
) -> Result<()> {
    // Any key cuts correctly (the two parts are read on one state): this one only balances
    // them, so it may come from a state of its own.
    let split = store.read(|c| flagged::split_point(c, query, today))?;
    let (first, second) = match &split {
        Some(key) => (Part::Before(key), Some(Part::From(key))),
        None => (Part::Whole, None),
    };
    out.write_all(b"[").map_err(Error::Output)?;
    let (head, tail) = store.read_pair(
        |a| {
            let mut head = Elements::new(&mut *out, false);
            flagged::each(a, query, today, first, |e| {
                head.push(&FlaggedJson::of(&e, false))
            })?;
            Ok(head.count)
        },
        |b| {
            let mut tail = Elements::new(Vec::new(), true);
            if let Some(part) = second {
                flagged::each(b, query, today, part, |e| {
                    tail.push(&FlaggedJson::of(&e, false))
                })?;
            }
            Ok((tail.count, tail.out))
        },
    )?;
    let (tail_count, bytes) = tail;
    // The second part was written as if after others: without any, its first comma goes.
    let bytes = match bytes.split_first() {
        Some((b',', rest)) if head == 0 => rest,
        _ => &bytes[..],
    };
    out.write_all(bytes).map_err(Error::Output)?;
    let end: &[u8] = if head + tail_count > 0 {
        b"\n]\n"
    } else {
        b"]\n"
    };
    out.write_all(end)
        .and_then(|()| out.flush())
        .map_err(Error::Output)
}

/// The elements of a pretty-printed array (after its `[`), each as serde_json's pretty printer
/// writes an element at depth one.
struct Elements<W> {
    out: W,
    count: usize,
    /// True when elements were written before this writer's first.
    after_others: bool,
    scratch: Vec<u8>,
}

impl<W: Write> Elements<W> {
    fn new(out: W, after_others: bool) -> Elements<W> {
        Elements {
            out,
            count: 0,
            after_others,
            scratch: Vec::with_capacity(1024),
        }
    }

    fn push(&mut self, value: &impl serde::Serialize) -> Result<()> {
        self.scratch.clear();
        serde_json::to_writer_pretty(&mut self.scratch, value)
            .map_err(|e| Error::invalid(format!("could not write JSON: {e}")))?;
        let first = self.count == 0 && !self.after_others;
        let out = &mut self.out;
        let written = (|| {
            out.write_all(if first { b"\n  " } else { b",\n  " })?;
            // A line break in the text is structure (a string escapes its own): each line
            // one level deeper.
            let mut lines = self.scratch.split(|b| *b == b'\n');
            if let Some(line) = lines.next() {
                out.write_all(line)?;
            }
            for line in lines {
                out.write_all(b"\n  ")?;
                out.write_all(line)?;
            }
            Ok(())
        })();
        written.map_err(Error::Output)?;
        self.count += 1;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{ClinicianId, parse_date};
    use crate::store::panel;

    /// What `print_json` writes for the whole list.
    fn printed(store: &Store, query: &PanelQuery, today: NaiveDate) -> Vec<u8> {
        let entries = store.read(|c| panel::load(c, query, today)).unwrap();
        let rows: Vec<FlaggedJson> = entries
            .iter()
            .filter(|e| !e.flags.is_empty())
            .map(|e| FlaggedJson::of(e, false))
            .collect();
        let mut text = serde_json::to_vec_pretty(&rows).unwrap();
        text.push(b'\n');
        text
    }

    /// Cut in two and read side by side, the text is the whole list's, for the practice, a
    /// clinician, a clinician without clients, and a day the windows do not answer for.
    #[test]
    fn the_parts_written_side_by_side_are_the_whole_list_as_print_json_writes_it() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("p.db")).unwrap();
        let day = parse_date("2026-11-23").unwrap();
        crate::demo::generate(&mut store, 120, 7, day, &mut |_, _| {}).unwrap();
        store.pair_from_bytes(0);
        for (today, clinician) in [
            (day, None),
            (day, Some(ClinicianId(2))),
            (day, Some(ClinicianId(999))),
            (parse_date("2026-06-01").unwrap(), None),
        ] {
            let query = PanelQuery {
                clinician,
                include_inactive: false,
            };
            let before = store.pairs_side_by_side();
            let mut text = Vec::new();
            write(&store, &query, today, &mut text).unwrap();
            assert_eq!(store.pairs_side_by_side(), before + 1);
            let expected = printed(&store, &query, today);
            assert_eq!(
                String::from_utf8(text).unwrap(),
                String::from_utf8(expected).unwrap(),
                "{today} {clinician:?}"
            );
        }
    }
}
