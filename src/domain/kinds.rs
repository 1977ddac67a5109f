//! The closed vocabularies of SPEC section 1–2 (tier, status, role, encounter kind, …) as enums
//! that parse from and print as the exact words the SPEC and the database use.

use crate::error::Error;
use serde::Serialize;
use std::fmt;
use std::str::FromStr;

/// Declares a fieldless enum with one canonical spelling per variant, `ALL`, `as_str`,
/// `Display`, `FromStr` (case-insensitive, error naming the allowed values) and `Serialize`.
macro_rules! word_enum {
    ($(#[$meta:meta])* $name:ident, $what:literal { $($variant:ident => $word:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $word),+ }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl FromStr for $name {
            type Err = Error;
            fn from_str(s: &str) -> Result<Self, Error> {
                let wanted = s.trim().to_ascii_lowercase();
                $name::ALL
                    .iter()
                    .copied()
                    .find(|v| v.as_str() == wanted)
                    .ok_or_else(|| {
                        let allowed: Vec<&str> = $name::ALL.iter().map(|v| v.as_str()).collect();
                        Error::invalid(format!(
                            "unknown {} '{}' (expected one of: {})",
                            $what,
                            crate::domain::text::sanitize(s),
                            allowed.join(", ")
                        ))
                    })
            }
        }

        impl Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }
    };
}

word_enum!(
    /// Risk tier; decides the contact interval.
    Tier, "tier" { High => "high", Moderate => "moderate", Low => "low" }
);

word_enum!(
    /// Whether a client is on the working panel. Flags are computed for `Active` only.
    ClientStatus, "status" { Active => "active", Discharged => "discharged", OnHold => "on-hold" }
);

word_enum!(
    /// What a clinician may see and change (issue 7 enforces it).
    Role, "role" { Clinician => "clinician", Supervisor => "supervisor", Admin => "admin" }
);

word_enum!(
    /// What an encounter was. The first seven are contact kinds (SPEC section 2).
    EncounterKind, "encounter kind" {
        Intake => "intake",
        Session => "session",
        Telehealth => "telehealth",
        Phone => "phone",
        Group => "group",
        Family => "family",
        Crisis => "crisis",
        Outreach => "outreach",
        Coordination => "coordination",
        CaseManagement => "case-management",
        Documentation => "documentation",
    }
);

impl EncounterKind {
    /// Kinds in which the client is reached; only these (when completed) count as contacts.
    pub fn is_contact_kind(self) -> bool {
        matches!(
            self,
            EncounterKind::Intake
                | EncounterKind::Session
                | EncounterKind::Telehealth
                | EncounterKind::Phone
                | EncounterKind::Group
                | EncounterKind::Family
                | EncounterKind::Crisis
        )
    }

    /// The usual length of this kind of encounter, offered as the default in the UI's form.
    pub fn typical_minutes(self) -> i64 {
        match self {
            EncounterKind::Intake => 60,
            EncounterKind::Session => 50,
            EncounterKind::Telehealth => 45,
            EncounterKind::Phone => 15,
            EncounterKind::Group => 90,
            EncounterKind::Family => 60,
            EncounterKind::Crisis => 75,
            EncounterKind::Outreach => 5,
            EncounterKind::Coordination => 20,
            EncounterKind::CaseManagement => 30,
            EncounterKind::Documentation => 15,
        }
    }

    /// The contact kinds, as the SQL list the store's partial indexes are declared with.
    pub const CONTACT_KINDS_SQL: &'static str =
        "('intake','session','telehealth','phone','group','family','crisis')";
}

word_enum!(
    /// Whether an encounter happened.
    EncounterStatus, "encounter status" {
        Completed => "completed",
        NoShow => "no-show",
        Cancelled => "cancelled",
    }
);

word_enum!(
    /// An acute-care event that calls for follow-up.
    EventKind, "event kind" { InpatientDischarge => "inpatient-discharge", EdVisit => "ed-visit" }
);

word_enum!(
    /// How a contract pays: per member per month, or per episode.
    ContractModel, "contract model" { Capitation => "capitation", CaseRate => "case-rate" }
);

word_enum!(
    /// How a partial month counts under capitation.
    Proration, "proration" {
        FirstOfMonth => "first-of-month",
        Daily => "daily",
        MidMonth => "mid-month",
    }
);

/// True when an encounter of this kind and status is a contact (SPEC section 2).
pub fn is_contact(kind: EncounterKind, status: EncounterStatus) -> bool {
    kind.is_contact_kind() && status == EncounterStatus::Completed
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_round_trip_and_unknown_words_name_the_choices() {
        for kind in EncounterKind::ALL {
            assert_eq!(kind.as_str().parse::<EncounterKind>().unwrap(), *kind);
        }
        assert_eq!(
            "On-Hold".parse::<ClientStatus>().unwrap(),
            ClientStatus::OnHold
        );
        let err = "urgent".parse::<Tier>().unwrap_err().to_string();
        assert_eq!(
            err,
            "unknown tier 'urgent' (expected one of: high, moderate, low)"
        );
    }

    #[test]
    fn only_completed_contact_kinds_are_contacts() {
        assert!(is_contact(
            EncounterKind::Session,
            EncounterStatus::Completed
        ));
        assert!(!is_contact(EncounterKind::Session, EncounterStatus::NoShow));
        assert!(!is_contact(
            EncounterKind::Outreach,
            EncounterStatus::Completed
        ));
        assert!(!is_contact(
            EncounterKind::Coordination,
            EncounterStatus::Completed
        ));
        let listed = EncounterKind::ALL
            .iter()
            .filter(|k| k.is_contact_kind())
            .map(|k| format!("'{}'", k.as_str()))
            .collect::<Vec<_>>()
            .join(",");
        assert_eq!(format!("({listed})"), EncounterKind::CONTACT_KINDS_SQL);
    }
}
