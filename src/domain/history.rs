//! History from a spreadsheet (encounters, measurements) checked row by row with the same entry
//! rules as `caseload log` and `caseload measure`, so a row is accepted or refused exactly as the
//! command would be. Pure: the practice's clients and clinicians arrive as a [`Directory`] the
//! store fills; nothing here reads the clock or the database.

use super::csvfile::{self, LineProblem, normalize_header};
use super::entry::{self, EncounterEntry, MeasurementEntry};
use super::text::sanitize;
use super::{ClientId, ClinicianId, validate};
use crate::error::Error;
use chrono::NaiveDate;
use std::collections::HashMap;

/// The columns of an encounters file, and whether each is required.
pub const ENCOUNTER_COLUMNS: &[(&str, bool)] = &[
    ("client", true),
    ("date", true),
    ("kind", true),
    ("status", false),
    ("minutes", false),
    ("clinician", false),
    ("note", false),
];

/// The columns of a measurements file, and whether each is required (`score` or `items` must
/// be given on each row, not both).
pub const MEASUREMENT_COLUMNS: &[(&str, bool)] = &[
    ("client", true),
    ("date", true),
    ("instrument", true),
    ("score", false),
    ("items", false),
];

/// A client as a history file may name them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DirectoryClient {
    pub id: ClientId,
    pub clinician: Option<ClinicianId>,
}

/// Who is in the practice, for resolving what a file names.
#[derive(Debug, Clone, Default)]
pub struct Directory {
    pub clients: HashMap<i64, DirectoryClient>,
    pub by_external: HashMap<String, i64>,
    /// Lower-cased full names; a name several clients share lists them all.
    pub by_name: HashMap<String, Vec<i64>>,
    /// Lower-cased clinician names.
    pub clinicians: HashMap<String, ClinicianId>,
}

impl Directory {
    /// A client by internal id, external (payer) id, or full name (any case) that exactly one
    /// client has. Name fragments, which `caseload log` accepts, are not: in a file nobody is
    /// there to pick among candidates. A reference holding a control or text-direction character
    /// is refused as such (no client could be meant by it) and never echoed.
    pub fn client(&self, reference: &str) -> Result<DirectoryClient, String> {
        let reference = reference.trim();
        if reference.is_empty() {
            return Err("missing client".into());
        }
        validate::plain("client", reference)?;
        let by_id = reference
            .parse::<i64>()
            .ok()
            .and_then(|id| self.clients.get(&id));
        let by_external = self
            .by_external
            .get(reference)
            .and_then(|id| self.clients.get(id));
        match (by_id, by_external) {
            (Some(a), Some(b)) if a.id != b.id => {
                return Err(format!(
                    "client '{}' is both client {} (id) and client {} (external id); use the other one",
                    sanitize(reference),
                    a.id,
                    b.id
                ));
            }
            (Some(c), _) | (None, Some(c)) => return Ok(*c),
            (None, None) => {}
        }
        match self
            .by_name
            .get(&reference.to_lowercase())
            .map(Vec::as_slice)
        {
            Some([one]) => self
                .clients
                .get(one)
                .copied()
                .ok_or_else(|| format!("no client matches '{}'", sanitize(reference))),
            Some(many) if many.len() > 1 => {
                let ids: Vec<String> = many.iter().map(|i| format!("#{i}")).collect();
                Err(format!(
                    "{} clients are named '{}' ({}); use the id or external id",
                    many.len(),
                    sanitize(reference),
                    ids.join(", ")
                ))
            }
            _ => Err(format!(
                "no client matches '{}' (use the id, external id or full name)",
                sanitize(reference)
            )),
        }
    }

    /// Who the work is recorded for: the row's clinician, else the client's primary clinician,
    /// else the practice's only clinician (as `caseload log` without `--as`: whoever runs an
    /// import did not necessarily do the work).
    fn worker(&self, named: &str, client: DirectoryClient) -> Result<ClinicianId, String> {
        if !named.is_empty() {
            validate::plain("clinician", named)?;
            return self
                .clinicians
                .get(&named.to_lowercase())
                .copied()
                .ok_or_else(|| format!("no clinician named '{}'", sanitize(named)));
        }
        let mut all: Vec<ClinicianId> = self.clinicians.values().copied().collect();
        all.sort();
        entry::worker(None, client.clinician, &all, client.id)
            .map_err(|_| "no clinician named, and the client has no primary clinician (fill the clinician column)".to_string())
    }
}

/// Which column (by index) holds each documented column name.
fn columns(
    headers: &[String],
    expected: &[(&'static str, bool)],
    what: &str,
) -> Result<HashMap<&'static str, usize>, Error> {
    let refuse = |why: String| Error::invalid(format!("{what} refused: {why}"));
    let names: Vec<&str> = expected.iter().map(|(n, _)| *n).collect();
    let mut found = HashMap::new();
    for (i, header) in headers.iter().enumerate() {
        let key = normalize_header(header).replace(' ', "_");
        let Some(name) = names.iter().find(|n| **n == key) else {
            return Err(refuse(format!(
                "unknown column '{}' (the columns are: {})",
                sanitize(header),
                names.join(", ")
            )));
        };
        if found.insert(*name, i).is_some() {
            return Err(refuse(format!("column '{name}' appears twice")));
        }
    }
    let missing: Vec<&str> = expected
        .iter()
        .filter(|(n, required)| *required && !found.contains_key(n))
        .map(|(n, _)| *n)
        .collect();
    if !missing.is_empty() {
        return Err(refuse(format!(
            "missing column{} {} (the columns are: {})",
            if missing.len() == 1 { "" } else { "s" },
            missing.join(", "),
            names.join(", ")
        )));
    }
    Ok(found)
}

/// A checked encounter row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EncounterRow {
    pub line: u64,
    pub client: ClientId,
    pub clinician: ClinicianId,
    pub entry: EncounterEntry,
}

/// A checked measurement row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MeasurementRow {
    pub line: u64,
    pub client: ClientId,
    pub entry: MeasurementEntry,
}

/// Rows that passed, and every problem of those that did not.
#[derive(Debug, Clone)]
pub struct Checked<T> {
    pub rows: Vec<T>,
    pub problems: Vec<LineProblem>,
}

fn table(bytes: &[u8], what: &str) -> Result<csvfile::CsvTable, Error> {
    let table = csvfile::read(bytes).map_err(|e| Error::invalid(format!("{what} refused: {e}")))?;
    if table.rows.is_empty() && table.problems.is_empty() {
        return Err(Error::invalid(format!(
            "{what} refused: the file has a header but no rows"
        )));
    }
    Ok(table)
}

/// One row's cells by column name ("" for a column the file does not have).
struct Fields<'a> {
    cols: &'a HashMap<&'static str, usize>,
    row: &'a csvfile::CsvRow,
}

impl<'a> Fields<'a> {
    fn get(&self, name: &str) -> &'a str {
        self.cols
            .get(name)
            .map_or("", |&i| self.row.fields[i].as_str())
    }
}

/// Checks every row with `check`: the rows that pass, and every failing row's problem with its
/// line, in line order (the file's own parse problems included).
fn check_rows<T>(
    table: csvfile::CsvTable,
    cols: &HashMap<&'static str, usize>,
    check: impl Fn(&Fields) -> Result<T, String>,
) -> Checked<T> {
    let mut out = Checked {
        rows: Vec::with_capacity(table.rows.len()),
        problems: table.problems,
    };
    for row in &table.rows {
        match check(&Fields { cols, row }) {
            Ok(r) => out.rows.push(r),
            Err(message) => out.problems.push(LineProblem::new(row.line, message)),
        }
    }
    out.problems.sort_by_key(|p| p.line);
    out
}

/// A date is required in a history file (a blank one would otherwise mean today).
fn dated(text: &str) -> Result<&str, String> {
    if text.is_empty() {
        Err("missing date".into())
    } else {
        Ok(text)
    }
}

/// Reads an encounters file: `client,date,kind[,status][,minutes][,clinician][,note]`.
pub fn encounters(
    bytes: &[u8],
    directory: &Directory,
    today: NaiveDate,
) -> Result<Checked<EncounterRow>, Error> {
    let table = table(bytes, "encounters")?;
    let cols = columns(&table.headers, ENCOUNTER_COLUMNS, "encounters")?;
    Ok(check_rows(table, &cols, |f| {
        let get = |name: &str| f.get(name);
        let client = directory.client(get("client"))?;
        let status = match get("status") {
            "" => "completed",
            s => s,
        };
        let entry = entry::encounter(
            get("kind"),
            status,
            get("minutes"),
            Some(dated(get("date"))?),
            Some(get("note")),
            today,
        )
        .map_err(|e| e.to_string())?;
        let clinician = directory.worker(get("clinician"), client)?;
        Ok(EncounterRow {
            line: f.row.line,
            client: client.id,
            clinician,
            entry,
        })
    }))
}

/// Reads a measurements file: `client,date,instrument,score` or `…,items` (or both columns,
/// one filled per row).
pub fn measurements(
    bytes: &[u8],
    directory: &Directory,
    today: NaiveDate,
) -> Result<Checked<MeasurementRow>, Error> {
    let table = table(bytes, "measurements")?;
    let cols = columns(&table.headers, MEASUREMENT_COLUMNS, "measurements")?;
    if !cols.contains_key("score") && !cols.contains_key("items") {
        return Err(Error::invalid(
            "measurements refused: the file needs a score or an items column",
        ));
    }
    Ok(check_rows(table, &cols, |f| {
        let get = |name: &str| f.get(name);
        let client = directory.client(get("client"))?;
        let entry = entry::measurement(
            get("instrument"),
            Some(get("score")),
            Some(get("items")),
            Some(dated(get("date"))?),
            today,
        )
        .map_err(|e| e.to_string())?;
        Ok(MeasurementRow {
            line: f.row.line,
            client: client.id,
            entry,
        })
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        super::super::parse_date("2026-11-23").unwrap()
    }

    fn directory() -> Directory {
        let mut d = Directory::default();
        for (id, ext, name, clinician) in [
            (1, "M-1", "Ann Lee", Some(1)),
            (2, "M-2", "Bo Diaz", None),
            (3, "7", "Cy Young", Some(2)),
            (4, "M-4", "Bo Diaz", None),
        ] {
            d.clients.insert(
                id,
                DirectoryClient {
                    id: ClientId(id),
                    clinician: clinician.map(ClinicianId),
                },
            );
            d.by_external.insert(ext.into(), id);
            d.by_name.entry(name.to_lowercase()).or_default().push(id);
        }
        d.clinicians.insert("dana reyes".into(), ClinicianId(1));
        d.clinicians.insert("sam okafor".into(), ClinicianId(2));
        d
    }

    #[test]
    fn clients_resolve_by_id_external_id_or_full_name() {
        let d = directory();
        assert_eq!(d.client("1").unwrap().id, ClientId(1));
        assert_eq!(d.client("M-2").unwrap().id, ClientId(2));
        assert_eq!(d.client("ann lee").unwrap().id, ClientId(1));
        assert!(d.client("Ann").is_err(), "no fragments in files");
        assert!(d.client("Bo Diaz").unwrap_err().contains("#2, #4"));
        assert_eq!(
            d.client("7").unwrap().id,
            ClientId(3),
            "a numeric external id"
        );
        let mut clash = directory();
        clash.by_external.insert("2".into(), 3);
        assert!(clash.client("2").unwrap_err().contains("both client 2"));
    }

    #[test]
    fn encounter_rows_are_checked_like_the_log_command() {
        let text = "Client,Date,Kind,Status,Minutes,Clinician,Note\n\
                    M-1,2026-11-02,session,,50,,\"fine, thanks\"\n\
                    Ann Lee,2026-11-03,chat,,50,,\n\
                    M-2,2026-11-04,phone,no-show,5,,\n\
                    M-2,2026-11-04,phone,,5,Sam Okafor,\n\
                    M-1,,session,,50,,\n\
                    M-1,2026-12-01,session,,50,,\n\
                    M-9,2026-11-01,session,,2000,,\n";
        let checked = encounters(text.as_bytes(), &directory(), today()).unwrap();
        let lines: Vec<u64> = checked.problems.iter().map(|p| p.line).collect();
        assert_eq!(lines, vec![3, 4, 6, 7, 8], "{:?}", checked.problems);
        assert!(checked.problems[1].message.contains("clinician column"));
        assert_eq!(checked.rows.len(), 2);
        assert_eq!(checked.rows[0].entry.note.as_deref(), Some("fine, thanks"));
        assert_eq!(checked.rows[1].clinician, ClinicianId(2));
    }

    #[test]
    fn measurement_rows_take_a_score_or_items() {
        let text = "client,date,instrument,score,items\n\
                    M-1,2026-11-02,phq9,12,\n\
                    M-1,2026-11-02,phq9,,\"1,1,1,1,1,1,1,1,1\"\n\
                    M-1,2026-11-02,phq9,30,\n\
                    M-1,2026-11-02,phq9,3,\"1,1,1\"\n";
        let checked = measurements(text.as_bytes(), &directory(), today()).unwrap();
        let lines: Vec<u64> = checked.problems.iter().map(|p| p.line).collect();
        assert_eq!(lines, vec![4, 5]);
        assert_eq!(checked.rows[1].entry.total, 9);
    }

    #[test]
    fn control_characters_in_client_and_clinician_refuse_the_row() {
        let text = "client,date,kind,clinician\n\
                    M-1,2026-11-02,session,\n\
                    M-1\u{1b}[2J,2026-11-02,session,\n\
                    \"Ann\nLee\",2026-11-02,session,\n\
                    M-1,2026-11-02,session,Dana\u{202e} Reyes\n";
        let checked = encounters(text.as_bytes(), &directory(), today()).unwrap();
        let got: Vec<(u64, &str)> = checked
            .problems
            .iter()
            .map(|p| (p.line, p.message.as_str()))
            .collect();
        let tail = "; names and ids cannot hold control or text-direction characters";
        assert_eq!(
            got,
            vec![
                (
                    3,
                    format!("client holds an escape character (U+001B){tail}").as_str()
                ),
                (
                    4,
                    format!("client holds a line break (U+000A){tail}").as_str()
                ),
                (
                    6,
                    format!("clinician holds a text-direction character (U+202E){tail}").as_str()
                ),
            ]
        );
        let text = "client,date,instrument,score\nM\u{85}-1,2026-11-02,phq9,3\n";
        let checked = measurements(text.as_bytes(), &directory(), today()).unwrap();
        assert_eq!(checked.problems[0].line, 2);
        assert!(checked.problems[0].message.contains("U+0085"));
        assert!(
            encounters(
                b"client,date,kind\n\"M-1,2026-11-02,session\n",
                &directory(),
                today()
            )
            .unwrap_err()
            .to_string()
            .starts_with("encounters refused: line 2: a quoted field is never closed")
        );
    }

    #[test]
    fn headers_must_be_the_documented_ones() {
        let d = directory();
        let err = encounters(
            b"client,date,kind,mood\nM-1,2026-11-02,session,ok\n",
            &d,
            today(),
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("unknown column 'mood'"), "{err}");
        let err = encounters(b"client,kind\nM-1,session\n", &d, today())
            .unwrap_err()
            .to_string();
        assert!(err.contains("missing column date"), "{err}");
        assert!(
            measurements(
                b"client,date,instrument\nM-1,2026-11-02,phq9\n",
                &d,
                today()
            )
            .is_err()
        );
        assert!(encounters(b"client,date,kind\n", &d, today()).is_err());
    }
}
