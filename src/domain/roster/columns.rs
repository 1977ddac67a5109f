//! Which roster column holds what: the fields a roster can give, the `--map COLUMN=FIELD`
//! the person importing can say, and the common header names payers use for each.

use crate::domain::csvfile::normalize_header;
use crate::domain::text::sanitize;
use crate::error::Error;
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
                Error::invalid(format!(
                    "--map: the roster has no column '{}' (columns: {})",
                    sanitize(&m.column),
                    listed()
                ))
            })?;
        if taken[index] {
            return Err(Error::invalid(format!(
                "--map: column '{}' is mapped twice",
                sanitize(&m.column)
            )));
        }
        taken[index] = true;
        if m.field != Field::Ignore && chosen.insert(m.field, index).is_some() {
            return Err(Error::invalid(format!(
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
                return Err(Error::invalid(format!(
                    "columns {} all look like the {field}; say which with --map COLUMN={field} (and COLUMN=ignore for the others)",
                    names.join(" and ")
                )));
            }
        }
    }
    let member_id = *chosen.get(&Field::MemberId).ok_or_else(|| {
        Error::invalid(format!(
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
        return Err(Error::invalid(format!(
            "the roster has no name column (columns: {}); name one with --map COLUMN=name (or first_name, last_name)",
            listed()
        )));
    }
    Ok(columns)
}
