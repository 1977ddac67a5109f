//! Payer rosters read into members: which column holds what (common header names, or
//! `--map COLUMN=FIELD`), and each row checked and parsed with the line it came from. Pure; the
//! comparison with the practice's attributions is `roster_plan`'s.

mod columns;

use super::csvfile::{self, LineProblem};
use super::text::sanitize;
use super::validate::{self, NAME_MAX_CHARS};
use crate::error::Error;
use chrono::NaiveDate;
pub use columns::{Columns, Field, Mapping, map_columns};
use std::collections::HashMap;

/// A payer's date: `YYYY-MM-DD`, `MM/DD/YYYY` (US order, one-digit month and day allowed) or
/// `YYYYMMDD`. Impossible dates (2026-02-30) are refused.
pub fn parse_payer_date(text: &str) -> Option<NaiveDate> {
    let text = text.trim();
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if text.len() == 10 && text.as_bytes()[4] == b'-' {
        return super::parse_date(text).ok();
    }
    if text.len() == 8 && digits(text) {
        return NaiveDate::parse_from_str(text, "%Y%m%d").ok();
    }
    let parts: Vec<&str> = text.split('/').collect();
    if let [m, d, y] = parts.as_slice()
        && digits(m)
        && digits(d)
        && digits(y)
        && m.len() <= 2
        && d.len() <= 2
        && y.len() == 4
    {
        return NaiveDate::from_ymd_opt(y.parse().ok()?, m.parse().ok()?, d.parse().ok()?);
    }
    None
}

/// Name suffixes that may follow a comma in "First Last, Jr." (compared without the dot).
const SUFFIXES: &[&str] = &["jr", "sr", "ii", "iii", "iv", "v", "md", "phd"];

/// A one-column name in the order the practice writes names: "Lee, Ann" (exactly one comma,
/// words on both sides) becomes "Ann Lee", so a roster in "Last, First" form matches the
/// client the practice already has. "Ann Lee, Jr." and names without one comma are kept.
pub fn natural_order(full: &str) -> String {
    let mut parts = full.split(',');
    let (Some(last), Some(first), None) = (parts.next(), parts.next(), parts.next()) else {
        return full.to_string();
    };
    let (last, first) = (last.trim(), first.trim());
    let suffix = SUFFIXES.contains(&first.trim_end_matches('.').to_lowercase().as_str());
    if last.is_empty() || first.is_empty() || suffix {
        return full.to_string();
    }
    format!("{first} {last}")
}

/// Payers write "no end" as a date in the year 9999 (9999-12-31); that is an open end.
pub(crate) fn is_open_end(date: NaiveDate) -> bool {
    chrono::Datelike::year(&date) == 9999
}

/// One member as the roster gives them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RosterRow {
    pub line: u64,
    pub member_id: String,
    /// Empty when the row gives no name.
    pub name: String,
    pub dob: Option<NaiveDate>,
    pub start: Option<NaiveDate>,
    pub end: Option<NaiveDate>,
}

/// A parsed roster: the good rows, and every problem of the bad ones.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Roster {
    pub headers: Vec<String>,
    pub columns: Columns,
    pub rows: Vec<RosterRow>,
    pub problems: Vec<LineProblem>,
}

/// Reads a roster file. Fatal problems (an empty file, a broken header, a quoted field never
/// closed, no member id column) are an error; problems with rows are collected, every one, in
/// `problems` — among them a member id or name holding a control or text-direction character,
/// which is never stored.
pub fn parse(bytes: &[u8], mappings: &[Mapping], today: NaiveDate) -> Result<Roster, Error> {
    let table = csvfile::read(bytes).map_err(|e| Error::invalid(format!("roster refused: {e}")))?;
    let columns = map_columns(&table.headers, mappings)
        .map_err(|e| Error::invalid(format!("roster refused: {e}")))?;
    if table.rows.is_empty() && table.problems.is_empty() {
        return Err(Error::invalid(
            "roster refused: the file has a header but no members; an empty roster would end every attribution, so it is not applied",
        ));
    }
    let mut problems = table.problems;
    let mut rows = Vec::with_capacity(table.rows.len());
    let mut first_seen: HashMap<String, u64> = HashMap::with_capacity(table.rows.len());
    for row in table.rows {
        let field = |c: Option<usize>| c.map_or("", |i| row.fields[i].as_str());
        let mut bad = Vec::new();
        let member_id = field(Some(columns.member_id)).to_string();
        if member_id.is_empty() {
            bad.push("missing member id".to_string());
        } else if member_id.chars().count() > NAME_MAX_CHARS {
            bad.push(format!(
                "member id is longer than {NAME_MAX_CHARS} characters"
            ));
        } else if let Err(why) = validate::plain("member id", &member_id) {
            bad.push(why);
        } else if let Some(first) = first_seen.get(&member_id) {
            bad.push(format!(
                "duplicate member id '{}' (first on line {first})",
                sanitize(&member_id)
            ));
        } else {
            first_seen.insert(member_id.clone(), row.line);
        }
        let name = {
            let full = field(columns.full_name);
            if full.is_empty() {
                [field(columns.first_name), field(columns.last_name)]
                    .iter()
                    .filter(|p| !p.is_empty())
                    .copied()
                    .collect::<Vec<_>>()
                    .join(" ")
            } else {
                natural_order(full)
            }
        };
        if name.chars().count() > NAME_MAX_CHARS {
            bad.push(format!("name is longer than {NAME_MAX_CHARS} characters"));
        }
        if let Err(why) = validate::plain("name", &name) {
            bad.push(why);
        }
        let mut date = |c: Option<usize>| -> Option<NaiveDate> {
            let text = field(c);
            if text.is_empty() {
                return None;
            }
            let parsed = parse_payer_date(text);
            if parsed.is_none() {
                let header = c.map_or("", |i| table.headers[i].as_str());
                bad.push(format!(
                    "bad date '{}' in column '{}' (use YYYY-MM-DD or MM/DD/YYYY)",
                    sanitize(text),
                    sanitize(header)
                ));
            }
            parsed
        };
        let dob = date(columns.dob);
        let start = date(columns.start);
        let end = date(columns.end).filter(|d| !is_open_end(*d));
        if let Some(dob) = dob
            && dob > today
        {
            bad.push(format!("date of birth {dob} is after today ({today})"));
        }
        if let (Some(s), Some(e)) = (start, end)
            && e < s
        {
            bad.push(format!("term date {e} is before the effective date {s}"));
        }
        if bad.is_empty() {
            rows.push(RosterRow {
                line: row.line,
                member_id,
                name,
                dob,
                start,
                end,
            });
        } else {
            problems.extend(bad.into_iter().map(|m| LineProblem::new(row.line, m)));
        }
    }
    problems.sort_by_key(|p| p.line);
    Ok(Roster {
        headers: table.headers,
        columns,
        rows,
        problems,
    })
}

#[cfg(test)]
mod props;
#[cfg(test)]
mod tests;
