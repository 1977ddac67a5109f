//! What every handler needs: the open store, "today", and who is acting.

use super::args::Cli;
use crate::domain::{Client, ClientId, Clinician, parse_date};
use crate::error::{Error, Result};
use crate::store::{Actor, Store, clients, clinicians};
use chrono::NaiveDate;
use std::path::PathBuf;

pub struct Context {
    pub store: Store,
    pub today: NaiveDate,
    /// The clinician named by `--as`, if any.
    pub acting: Option<Clinician>,
}

/// The database path: `--db`, `CASELOAD_DB`, or caseload.db in the platform's data directory.
pub fn database_path(cli: &Cli) -> Result<PathBuf> {
    if let Some(path) = &cli.db {
        return Ok(path.clone());
    }
    Ok(data_dir()?.join("caseload.db"))
}

/// The platform's data directory for caseload (`~/.local/share/caseload` on Linux).
pub fn data_dir() -> Result<PathBuf> {
    directories::ProjectDirs::from("", "", "caseload")
        .map(|p| p.data_dir().to_path_buf())
        .ok_or_else(|| Error::invalid("cannot find a home directory; pass --db PATH"))
}

/// Today: `--today` / `CASELOAD_TODAY`, else the local date. The only clock read of the CLI.
pub fn today(cli: &Cli) -> Result<NaiveDate> {
    match &cli.today {
        Some(text) => parse_date(text).map_err(|e| Error::Invalid(format!("--today: {e}"))),
        None => Ok(chrono::Local::now().date_naive()),
    }
}

impl Context {
    pub fn open(cli: &Cli) -> Result<Context> {
        let today = today(cli)?;
        let mut store = Store::open(&database_path(cli)?)?;
        let acting = match &cli.acting {
            Some(name) => Some(clinicians::by_name(store.conn(), name)?),
            None => None,
        };
        if let Some(c) = &acting {
            store.set_actor(Actor {
                clinician_id: Some(c.id),
                name: c.name.clone(),
            });
        }
        Ok(Context {
            store,
            today,
            acting,
        })
    }

    /// Resolves a client reference.
    pub fn client(&self, reference: &str) -> Result<Client> {
        clients::resolve(self.store.conn(), reference)
    }

    /// A date option, defaulting to today; dates after today are refused.
    pub fn past_date(&self, text: Option<&str>, what: &str) -> Result<NaiveDate> {
        crate::domain::entry::past_date(text, what, self.today)
    }

    /// Who the work on this client is recorded for (`domain::entry::worker`).
    pub fn worker_for(&self, client: &Client) -> Result<Clinician> {
        let all: Vec<_> = clinicians::list(self.store.conn())?
            .iter()
            .map(|c| c.id)
            .collect();
        let id = crate::domain::entry::worker(
            self.acting.as_ref().map(|c| c.id),
            client.clinician_id,
            &all,
            client.id,
        )?;
        clinicians::get(self.store.conn(), id)
    }

    pub fn client_by_id(&self, id: ClientId) -> Result<Client> {
        clients::get(self.store.conn(), id)
    }
}
