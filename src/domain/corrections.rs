//! Corrections (SPEC section 9): which records can be voided, the reason every correction
//! needs, and the field-by-field description of what changed that the audit trail keeps.
//! Pure: no database, no clock. Whether a value is acceptable is `entry`'s and `validate`'s
//! business, exactly as on entry.

use crate::error::Error;
use std::fmt;
use std::str::FromStr;

/// Longest reason kept with a correction.
pub const REASON_MAX_CHARS: usize = 500;

/// A kind of record that can be voided and unvoided.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecordKind {
    Encounter,
    Measurement,
    Event,
    Attribution,
}

impl RecordKind {
    pub const ALL: [RecordKind; 4] = [
        RecordKind::Encounter,
        RecordKind::Measurement,
        RecordKind::Event,
        RecordKind::Attribution,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            RecordKind::Encounter => "encounter",
            RecordKind::Measurement => "measurement",
            RecordKind::Event => "event",
            RecordKind::Attribution => "attribution",
        }
    }

    /// The table the records are stored in.
    pub fn table(self) -> &'static str {
        match self {
            RecordKind::Encounter => "encounters",
            RecordKind::Measurement => "measurements",
            RecordKind::Event => "events",
            RecordKind::Attribution => "attributions",
        }
    }
}

impl fmt::Display for RecordKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for RecordKind {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self, Error> {
        RecordKind::ALL
            .into_iter()
            .find(|k| k.as_str() == s.trim().to_ascii_lowercase())
            .ok_or_else(|| {
                Error::invalid(format!(
                    "'{}' is not a kind of record (encounter, measurement, event, attribution)",
                    super::text::sanitize(s)
                ))
            })
    }
}

/// The reason for a correction: 1–500 characters of plain text after trimming.
pub fn reason(text: &str) -> Result<String, Error> {
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return Err(Error::invalid(
            "say why (--reason): the audit trail keeps the reason for every correction",
        ));
    }
    let chars = trimmed.chars().count();
    if chars > REASON_MAX_CHARS {
        return Err(Error::invalid(format!(
            "the reason is {chars} characters; at most {REASON_MAX_CHARS}"
        )));
    }
    if let Some(c) = super::text::find_control(trimmed) {
        return Err(Error::invalid(format!(
            "the reason holds {}; write it on one line of plain text",
            super::text::describe_control(c)
        )));
    }
    Ok(trimmed.to_string())
}

/// One field of a record, before and after a correction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldChange {
    pub field: &'static str,
    pub old: String,
    pub new: String,
}

/// The fields whose value differs, in the order given: `(field, old, new)` for each field.
pub fn changes<const N: usize>(fields: [(&'static str, String, String); N]) -> Vec<FieldChange> {
    fields
        .into_iter()
        .filter(|(_, old, new)| old != new)
        .map(|(field, old, new)| FieldChange { field, old, new })
        .collect()
}

/// An optional value as the audit trail writes it ("—" for none).
pub fn shown<T: fmt::Display>(value: Option<T>) -> String {
    value.map_or("—".to_string(), |v| v.to_string())
}

/// The audit detail of a correction: "minutes 500 → 50; date 2026-11-02 → 2026-11-03;
/// reason: typed an extra zero".
pub fn describe(changes: &[FieldChange], reason: &str) -> String {
    let mut parts: Vec<String> = changes
        .iter()
        .map(|c| format!("{} {} → {}", c.field, c.old, c.new))
        .collect();
    parts.push(format!("reason: {reason}"));
    parts.join("; ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reason_is_one_to_five_hundred_plain_characters() {
        assert!(reason("").is_err());
        assert!(reason("   ").is_err());
        assert_eq!(reason(" typo ").unwrap(), "typo");
        assert!(reason(&"x".repeat(500)).is_ok());
        assert!(reason(&"x".repeat(501)).is_err());
        assert!(reason("two\nlines").is_err());
    }

    #[test]
    fn only_changed_fields_are_described() {
        let c = changes([
            ("minutes", "500".into(), "50".into()),
            ("kind", "session".into(), "session".into()),
            ("note", shown(None::<&str>), "late".into()),
        ]);
        assert_eq!(c.len(), 2);
        assert_eq!(
            describe(&c, "typed an extra zero"),
            "minutes 500 → 50; note — → late; reason: typed an extra zero"
        );
    }

    #[test]
    fn record_kinds_read_as_written() {
        for k in RecordKind::ALL {
            assert_eq!(k.as_str().parse::<RecordKind>().unwrap(), k);
        }
        assert!("client".parse::<RecordKind>().is_err());
    }
}
