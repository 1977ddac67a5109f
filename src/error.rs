//! The one error type of the library, with messages written for the therapist reading them.
//!
//! Messages must never carry client data beyond what the user typed themselves (no names from
//! the database in panics or logs); `Db` wraps SQLite errors, which name tables, not values.

use thiserror::Error;

/// Everything that can refuse an operation. Every variant maps to exit status 1 on the CLI.
#[derive(Debug, Error)]
pub enum Error {
    /// A value the user gave is not acceptable (out of range, unknown name, bad date, …);
    /// `field` names the entry field at fault when one is (`minutes`, `date`, …), so a form
    /// can point at it without reading the message.
    #[error("{problem}")]
    Invalid {
        field: Option<&'static str>,
        problem: String,
    },
    /// A referenced record does not exist: "no {what} {reference}{hint}", e.g. "no client
    /// with id 7", "no contract named 'Acme' (the contracts are …)". `reference` is what the
    /// user typed or an id, never data read from the database.
    #[error("no {what} {reference}{hint}")]
    NotFound {
        what: &'static str,
        reference: String,
        hint: String,
    },
    /// A reference matches more than one record.
    #[error("{0}")]
    Ambiguous(String),
    /// The acting clinician may not do this.
    #[error("{0}")]
    Denied(String),
    /// The database is from a newer caseload, corrupt, or otherwise unusable.
    #[error("{0}")]
    Database(String),
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("{0}")]
    Io(#[from] std::io::Error),
    /// The command cannot run as invoked (exit status 2, like a usage error).
    #[error("{0}")]
    Usage(String),
    /// Standard output could not be written (a full disk, a closed pipe).
    #[error("cannot write the output ({0}); anything the command changed is saved")]
    Output(std::io::Error),
}

impl Error {
    pub fn invalid(message: impl Into<String>) -> Self {
        Error::Invalid {
            field: None,
            problem: message.into(),
        }
    }

    /// The same refusal, said to be about the entry field `name` (when nothing more precise
    /// named a field already).
    pub fn in_field(self, name: &'static str) -> Self {
        match self {
            Error::Invalid {
                field: None,
                problem,
            } => Error::Invalid {
                field: Some(name),
                problem,
            },
            other => other,
        }
    }

    /// "no {what} with id {id}".
    pub fn no_id(what: &'static str, id: impl std::fmt::Display) -> Self {
        Error::NotFound {
            what,
            reference: format!("with id {id}"),
            hint: String::new(),
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
