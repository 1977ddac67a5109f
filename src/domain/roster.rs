//! Payer rosters read into members: which column holds what (common header names, or
//! `--map COLUMN=FIELD`), and each row checked and parsed with the line it came from. Pure; the
//! comparison with the practice's attributions is `roster_plan`'s.

use super::csvfile::{self, LineProblem, normalize_header};
use super::text::sanitize;
use super::validate::NAME_MAX_CHARS;
use crate::error::Error;
use chrono::NaiveDate;
use std::collections::HashMap;
use std::fmt;
use std::str::FromStr;

/// What a roster column can hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Field {
    MemberId,
    FirstName,
    LastName,
    FullName,
    Dob,
    Start,
    End,
    /// A column to leave out even though its header looks like one we know.
    Ignore,
}

impl Field {
    pub const NAMES: &'static str =
        "member_id, first_name, last_name, name, dob, start, end, ignore";

    fn as_str(self) -> &'static str {
        match self {
            Field::MemberId => "member_id",
            Field::FirstName => "first_name",
            Field::LastName => "last_name",
            Field::FullName => "name",
            Field::Dob => "dob",
            Field::Start => "start",
            Field::End => "end",
            Field::Ignore => "ignore",
        }
    }

    /// Header names that mean this field, best first (already normalised).
    fn aliases(self) -> &'static [&'static str] {
        match self {
            Field::MemberId => &[
                "member id",
                "memberid",
                "member number",
                "member no",
                "member num",
                "mbr id",
                "member",
                "subscriber id",
                "subscriberid",
                "subscriber number",
                "subscriber",
                "medicaid id",
                "external id",
                "patient id",
                "id",
            ],
            Field::FirstName => &[
                "first name",
                "firstname",
                "member first name",
                "given name",
                "first",
                "fname",
            ],
            Field::LastName => &[
                "last name",
                "lastname",
                "member last name",
                "surname",
                "family name",
                "last",
                "lname",
            ],
            Field::FullName => &[
                "name",
                "full name",
                "fullname",
                "member name",
                "patient name",
            ],
            Field::Dob => &[
                "dob",
                "date of birth",
                "birth date",
                "birthdate",
                "member dob",
                "birthday",
            ],
            Field::Start => &[
                "effective date",
                "effective",
                "eff date",
                "start date",
                "start",
                "enrollment date",
                "attribution start",
                "eligibility start",
                "elig start",
                "begin date",
                "from",
            ],
            Field::End => &[
                "term date",
                "termination date",
                "term",
                "end date",
                "end",
                "attribution end",
                "eligibility end",
                "elig end",
                "through",
                "thru",
                "to",
            ],
            Field::Ignore => &[],
        }
    }

    const MAPPED: [Field; 7] = [
        Field::MemberId,
        Field::FirstName,
        Field::LastName,
        Field::FullName,
        Field::Dob,
        Field::Start,
        Field::End,
    ];
}

impl fmt::Display for Field {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Field {
    type Err = String;
    fn from_str(text: &str) -> Result<Field, String> {
        match normalize_header(text).as_str() {
            "member id" | "memberid" | "id" => Ok(Field::MemberId),
            "first name" | "first" => Ok(Field::FirstName),
            "last name" | "last" => Ok(Field::LastName),
            "name" | "full name" => Ok(Field::FullName),
            "dob" | "date of birth" => Ok(Field::Dob),
            "start" | "effective" => Ok(Field::Start),
            "end" | "term" => Ok(Field::End),
            "ignore" => Ok(Field::Ignore),
            _ => Err(format!(
                "'{}' is not a roster field (one of: {})",
                sanitize(text),
                Field::NAMES
            )),
        }
    }
}

/// One `--map COLUMN=FIELD`; COLUMN is a header name (compared without regard to case,
/// spaces or punctuation) or `#N`, the N-th column counting from 1 (for repeated headers).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mapping {
    pub column: String,
    pub field: Field,
}

impl FromStr for Mapping {
    type Err = String;
    fn from_str(text: &str) -> Result<Mapping, String> {
        let (column, field) = text
            .rsplit_once('=')
            .ok_or_else(|| format!("'{}' is not COLUMN=FIELD", sanitize(text)))?;
        if column.trim().is_empty() {
            return Err(format!("'{}' names no column", sanitize(text)));
        }
        Ok(Mapping {
            column: column.trim().to_string(),
            field: field.parse()?,
        })
    }
}

/// Which column (by index) holds each field.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Columns {
    pub member_id: usize,
    pub first_name: Option<usize>,
    pub last_name: Option<usize>,
    pub full_name: Option<usize>,
    pub dob: Option<usize>,
    pub start: Option<usize>,
    pub end: Option<usize>,
}

impl Columns {
    fn get(&self, field: Field) -> Option<usize> {
        match field {
            Field::MemberId => Some(self.member_id),
            Field::FirstName => self.first_name,
            Field::LastName => self.last_name,
            Field::FullName => self.full_name,
            Field::Dob => self.dob,
            Field::Start => self.start,
            Field::End => self.end,
            Field::Ignore => None,
        }
    }

    /// "member_id ← 'Member ID', name ← 'First Name' + 'Last Name', …" for the import summary.
    pub fn describe(&self, headers: &[String]) -> String {
        Field::MAPPED
            .iter()
            .filter_map(|&f| {
                self.get(f)
                    .map(|i| format!("{f} ← '{}'", sanitize(&headers[i])))
            })
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// Decides which column holds each field: `--map` first, then the best-matching header name.
pub fn map_columns(headers: &[String], mappings: &[Mapping]) -> Result<Columns, Error> {
    let normalized: Vec<String> = headers.iter().map(|h| normalize_header(h)).collect();
    let listed = || {
        headers
            .iter()
            .map(|h| format!("'{}'", sanitize(h)))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mut chosen: HashMap<Field, usize> = HashMap::new();
    let mut taken = vec![false; headers.len()];
    for m in mappings {
        let by_number = m
            .column
            .strip_prefix('#')
            .and_then(|n| n.parse::<usize>().ok())
            .filter(|n| (1..=headers.len()).contains(n))
            .map(|n| n - 1);
        let want = normalize_header(&m.column);
        let index = by_number
            .or_else(|| normalized.iter().position(|h| *h == want))
            .ok_or_else(|| {
                Error::Invalid(format!(
                    "--map: the roster has no column '{}' (columns: {})",
                    sanitize(&m.column),
                    listed()
                ))
            })?;
        if taken[index] {
            return Err(Error::Invalid(format!(
                "--map: column '{}' is mapped twice",
                sanitize(&m.column)
            )));
        }
        taken[index] = true;
        if m.field != Field::Ignore && chosen.insert(m.field, index).is_some() {
            return Err(Error::Invalid(format!(
                "--map: more than one column is mapped to {}",
                m.field
            )));
        }
    }
    for field in Field::MAPPED {
        if chosen.contains_key(&field) {
            continue;
        }
        let best = field.aliases().iter().find_map(|alias| {
            let hits: Vec<usize> = (0..headers.len())
                .filter(|&i| !taken[i] && normalized[i] == *alias)
                .collect();
            (!hits.is_empty()).then_some(hits)
        });
        match best.as_deref() {
            None => {}
            Some([one]) => {
                taken[*one] = true;
                chosen.insert(field, *one);
            }
            Some(many) => {
                let names: Vec<String> = many
                    .iter()
                    .map(|&i| format!("'{}'", sanitize(&headers[i])))
                    .collect();
                return Err(Error::Invalid(format!(
                    "columns {} all look like the {field}; say which with --map COLUMN={field} (and COLUMN=ignore for the others)",
                    names.join(" and ")
                )));
            }
        }
    }
    let member_id = *chosen.get(&Field::MemberId).ok_or_else(|| {
        Error::Invalid(format!(
            "the roster has no member id column (columns: {}); name it with --map COLUMN=member_id",
            listed()
        ))
    })?;
    let columns = Columns {
        member_id,
        first_name: chosen.get(&Field::FirstName).copied(),
        last_name: chosen.get(&Field::LastName).copied(),
        full_name: chosen.get(&Field::FullName).copied(),
        dob: chosen.get(&Field::Dob).copied(),
        start: chosen.get(&Field::Start).copied(),
        end: chosen.get(&Field::End).copied(),
    };
    if columns.full_name.is_none() && columns.first_name.is_none() && columns.last_name.is_none() {
        return Err(Error::Invalid(format!(
            "the roster has no name column (columns: {}); name one with --map COLUMN=name (or first_name, last_name)",
            listed()
        )));
    }
    Ok(columns)
}

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
fn is_open_end(date: NaiveDate) -> bool {
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

/// Reads a roster file. Fatal problems (an empty file, a broken header, no member id column)
/// are an error; problems with rows are collected, every one, in `problems`.
pub fn parse(bytes: &[u8], mappings: &[Mapping], today: NaiveDate) -> Result<Roster, Error> {
    let table = csvfile::read(bytes).map_err(|e| Error::Invalid(format!("roster refused: {e}")))?;
    let columns = map_columns(&table.headers, mappings)
        .map_err(|e| Error::Invalid(format!("roster refused: {e}")))?;
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
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        super::super::parse_date("2026-03-15").unwrap()
    }

    fn d(s: &str) -> NaiveDate {
        super::super::parse_date(s).unwrap()
    }

    fn headers(h: &[&str]) -> Vec<String> {
        h.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn common_header_names_are_recognised() {
        let h = headers(&[
            "Subscriber ID",
            "Member ID",
            "Last Name",
            "First Name",
            "DOB",
            "Eff Date",
            "Term Date",
            "Plan",
        ]);
        let c = map_columns(&h, &[]).unwrap();
        assert_eq!(c.member_id, 1, "member id beats subscriber id");
        assert_eq!(
            (
                c.last_name,
                c.first_name,
                c.dob,
                c.start,
                c.end,
                c.full_name
            ),
            (Some(2), Some(3), Some(4), Some(5), Some(6), None)
        );
        let c = map_columns(
            &headers(&["member_id", "name", "start_date", "end_date"]),
            &[],
        )
        .unwrap();
        assert_eq!((c.full_name, c.start, c.end), (Some(1), Some(2), Some(3)));
    }

    #[test]
    fn maps_override_and_ambiguity_is_refused() {
        let h = headers(&["Mbr", "Patient", "Begins"]);
        assert!(map_columns(&h, &[]).is_err());
        let maps: Vec<Mapping> = ["Mbr=member_id", "patient=name", "BEGINS=start"]
            .iter()
            .map(|m| m.parse().unwrap())
            .collect();
        let c = map_columns(&h, &maps).unwrap();
        assert_eq!((c.member_id, c.full_name, c.start), (0, Some(1), Some(2)));
        let twice = headers(&["id", "ID", "name"]);
        let err = map_columns(&twice, &[]).unwrap_err().to_string();
        assert!(err.contains("--map"), "{err}");
        let maps = vec!["#2=ignore".parse::<Mapping>().unwrap()];
        assert_eq!(map_columns(&twice, &maps).unwrap().member_id, 0);
        assert!("nonsense".parse::<Mapping>().is_err());
        assert!("a=shoe size".parse::<Mapping>().is_err());
        let missing = vec!["Nope=name".parse::<Mapping>().unwrap()];
        assert!(map_columns(&h, &missing).is_err());
        assert!(
            map_columns(&headers(&["member id", "dob"]), &[])
                .unwrap_err()
                .to_string()
                .contains("no name column")
        );
    }

    #[test]
    fn payer_dates() {
        assert_eq!(parse_payer_date("2026-03-01"), Some(d("2026-03-01")));
        assert_eq!(parse_payer_date("03/01/2026"), Some(d("2026-03-01")));
        assert_eq!(parse_payer_date("3/1/2026"), Some(d("2026-03-01")));
        assert_eq!(parse_payer_date("20260301"), Some(d("2026-03-01")));
        for bad in [
            "2026-02-30",
            "13/01/2026",
            "3/1/26",
            "March 1",
            "2026-3-1",
            "",
        ] {
            assert_eq!(parse_payer_date(bad), None, "{bad}");
        }
    }

    #[test]
    fn rows_are_checked_and_every_problem_kept() {
        let text = "Member ID,First Name,Last Name,Effective,Term\n\
                    M-1,Ann,Lee,2026-01-01,\n\
                    ,Bo,Diaz,2026-01-01,\n\
                    M-3,Cy,Young,2026-02-30,\n\
                    M-1,Ann,Again,2026-01-01,\n\
                    M-5,Di,Ng,2026-03-01,2026-02-01\n\
                    M-6,Ed,Oh,2026-01-01,12/31/9999\n";
        let r = parse(text.as_bytes(), &[], today()).unwrap();
        let got: Vec<(u64, &str)> = r
            .problems
            .iter()
            .map(|p| (p.line, p.message.as_str()))
            .collect();
        assert_eq!(got[0], (3, "missing member id"));
        assert_eq!(got[1].0, 4);
        assert!(
            got[1]
                .1
                .starts_with("bad date '2026-02-30' in column 'Effective'")
        );
        assert_eq!(got[2], (5, "duplicate member id 'M-1' (first on line 2)"));
        assert_eq!(got[3].0, 6);
        assert_eq!(r.rows.len(), 2);
        assert_eq!(r.rows[0].name, "Ann Lee");
        assert_eq!(r.rows[1].end, None, "9999-12-31 is an open end");
    }

    #[test]
    fn a_name_in_last_first_form_is_stored_first_last() {
        assert_eq!(natural_order("Lee, Ann"), "Ann Lee");
        assert_eq!(
            natural_order("  Lee-Park ,  Ann Marie "),
            "Ann Marie Lee-Park"
        );
        assert_eq!(natural_order("Ann Lee"), "Ann Lee");
        assert_eq!(natural_order("Ann Lee, Jr."), "Ann Lee, Jr.");
        assert_eq!(natural_order("Ann Lee, III"), "Ann Lee, III");
        assert_eq!(
            natural_order("Lee, Ann, Jr."),
            "Lee, Ann, Jr.",
            "two commas: kept"
        );
        assert_eq!(natural_order("Lee,"), "Lee,");
        assert_eq!(natural_order(", Ann"), ", Ann");
        let text = "Member ID,Member Name,First Name\nM-1,\"Lee, Ann\",\nM-2,,\"Diaz, Bo\"\n";
        let r = parse(text.as_bytes(), &[], today()).unwrap();
        assert_eq!(r.rows[0].name, "Ann Lee");
        assert_eq!(
            r.rows[1].name, "Diaz, Bo",
            "only a one-column name is reordered"
        );
    }

    #[test]
    fn a_header_without_members_is_refused() {
        let err = parse(b"member id,name\n", &[], today()).unwrap_err();
        assert!(err.to_string().contains("no members"));
        assert!(
            parse(b"", &[], today())
                .unwrap_err()
                .to_string()
                .contains("empty")
        );
    }
}
