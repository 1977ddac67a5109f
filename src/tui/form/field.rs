//! A form's fields — which one each is (`FieldId`), what it accepts (`FieldKind`), its value
//! as typed — and why a submitted form was refused (`Refusal`, naming the field at fault).
//! Plain data: the form's handling and validation live in `form`.

use crate::tui::edit::TextInput;
use std::borrow::Cow;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FieldKind {
    Text {
        max: usize,
    },
    /// Digits (and separators) only.
    Digits {
        max: usize,
    },
    /// Fixed words (kinds, tiers) or names from the practice (clinicians, contracts).
    Choice(Vec<Cow<'static, str>>),
    /// Shown, not changed (a corrected measurement keeps its instrument); focus skips it.
    Fixed,
}

/// Which field of a form: code finds a field by what it is, never by its label or position.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldId {
    Kind,
    Status,
    Date,
    Minutes,
    Note,
    Instrument,
    Items,
    Total,
    Event,
    Tier,
    Reason,
    Time,
    Every,
    Count,
    Flag,
    Until,
    Name,
    Clinician,
    Contract,
}

impl FieldId {
    /// The form field for an entry field named by a domain rule (`entry::encounter` and the
    /// others name them as the command line's options do).
    pub(super) fn of_entry(name: &str) -> Option<FieldId> {
        Some(match name {
            "kind" => FieldId::Kind,
            "status" => FieldId::Status,
            "minutes" => FieldId::Minutes,
            "date" => FieldId::Date,
            "note" => FieldId::Note,
            "instrument" => FieldId::Instrument,
            "items" => FieldId::Items,
            "total" => FieldId::Total,
            "event" => FieldId::Event,
            _ => return None,
        })
    }

    /// The field's name on screen.
    pub fn label(self) -> &'static str {
        match self {
            FieldId::Kind => "kind",
            FieldId::Status => "status",
            FieldId::Date => "date",
            FieldId::Minutes => "minutes",
            FieldId::Note => "note",
            FieldId::Instrument => "instrument",
            FieldId::Items => "items",
            FieldId::Total => "or total",
            FieldId::Event => "event",
            FieldId::Tier => "tier",
            FieldId::Reason => "reason",
            FieldId::Time => "time",
            FieldId::Every => "every",
            FieldId::Count => "count",
            FieldId::Flag => "flag",
            FieldId::Until => "until",
            FieldId::Name => "name",
            FieldId::Clinician => "clinician",
            FieldId::Contract => "contract",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field {
    pub id: FieldId,
    pub kind: FieldKind,
    /// The text and its cursor (empty for a choice).
    pub value: TextInput,
    /// For choices: the index chosen.
    pub choice: usize,
    /// Greyed text after the field (units, format).
    pub hint: String,
    /// Whether the user has typed here (defaults may then follow other fields).
    pub edited: bool,
}

impl Field {
    pub(super) fn text(id: FieldId, value: &str, max: usize, hint: &str) -> Field {
        Field {
            id,
            kind: FieldKind::Text { max },
            value: TextInput::new(value),
            choice: 0,
            hint: hint.into(),
            edited: false,
        }
    }

    pub(super) fn digits(id: FieldId, max: usize, hint: &str) -> Field {
        Field {
            id,
            kind: FieldKind::Digits { max },
            value: TextInput::default(),
            choice: 0,
            hint: hint.into(),
            edited: false,
        }
    }

    pub(super) fn choice(id: FieldId, options: Vec<&'static str>, chosen: usize) -> Field {
        Field {
            id,
            kind: FieldKind::Choice(options.into_iter().map(Cow::Borrowed).collect()),
            value: TextInput::default(),
            choice: chosen,
            hint: "←/→".into(),
            edited: false,
        }
    }

    /// The text shown for the field's value.
    pub fn shown(&self) -> String {
        match &self.kind {
            FieldKind::Choice(options) => options
                .get(self.choice)
                .map(|o| o.to_string())
                .unwrap_or_default(),
            _ => self.value.value().to_string(),
        }
    }
}

/// Why a form was not accepted, and which of its fields is at fault when the rule says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub message: String,
    pub field: Option<FieldId>,
}

impl From<String> for Refusal {
    fn from(message: String) -> Refusal {
        Refusal {
            message,
            field: None,
        }
    }
}

impl From<crate::error::Error> for Refusal {
    /// The entry rules name their fields as the command line does (`minutes`, `date`, …).
    fn from(e: crate::error::Error) -> Refusal {
        let field = match &e {
            crate::error::Error::Invalid { field, .. } => field.and_then(FieldId::of_entry),
            _ => None,
        };
        Refusal {
            message: e.to_string(),
            field,
        }
    }
}
