//! PostgreSQL as a place a practice can live (SPEC section 15): recognising a server URL,
//! connecting with one clear line for each way that fails, and showing a URL without its
//! password. It must never print, log or put in an error the password of a URL, and it holds
//! no SQL of the practice's tables (`migrate` and `store::copy` do).

pub mod migrate;
mod open;
#[cfg(test)]
pub(crate) mod scratch;

use crate::error::{Error, Result};
use postgres::error::SqlState;
use postgres::{Client, Config, NoTls};
use std::time::Duration;

/// The oldest server caseload runs on (SPEC section 15).
const MIN_SERVER: i32 = 150_000;
/// How long connecting may take before the server counts as unreachable.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// True when `text` names a PostgreSQL server rather than a file.
pub fn is_url(text: &str) -> bool {
    let lower = text.trim_start().to_ascii_lowercase();
    lower.starts_with("postgres://") || lower.starts_with("postgresql://")
}

/// A parsed server URL and how it may be shown: `postgresql://USER@HOST:PORT/DB`, never with
/// the password.
#[derive(Clone)]
pub struct Server {
    config: Config,
    shown: String,
}

impl std::fmt::Debug for Server {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.shown)
    }
}

impl Server {
    /// Parses `url`. A malformed URL is refused without echoing it (it may hold a password).
    pub fn parse(url: &str) -> Result<Server> {
        let mut config: Config = url.trim().parse().map_err(|_| {
            Error::invalid(
                "that PostgreSQL URL cannot be read; write it as \
                 postgresql://USER[:PASSWORD]@HOST[:PORT]/DBNAME",
            )
        })?;
        if config.get_dbname().is_none() {
            return Err(Error::invalid(
                "the PostgreSQL URL names no database; end it with /DBNAME",
            ));
        }
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(CONNECT_TIMEOUT);
        }
        config.application_name("caseload");
        let shown = shown(&config);
        Ok(Server { config, shown })
    }

    /// The URL without its password, safe for any message.
    pub fn shown(&self) -> &str {
        &self.shown
    }

    /// Connects and checks the server's version: one line for an unreachable server, a
    /// refused login, a missing database or an old server.
    pub fn connect(&self) -> Result<Client> {
        let mut client = self
            .config
            .connect(NoTls)
            .map_err(|e| connect_error(self, &e))?;
        let version: String = client
            .query_one("SHOW server_version_num", &[])
            .and_then(|row| row.try_get(0))
            .map_err(|e| self.failed(&e))?;
        if version.trim().parse::<i32>().unwrap_or(0) < MIN_SERVER {
            return Err(Error::Database(format!(
                "the PostgreSQL server at {} is older than version 15, which caseload needs",
                self.shown
            )));
        }
        Ok(client)
    }

    /// A failure while talking to the server, as one line naming it (not its password).
    pub fn failed(&self, e: &postgres::Error) -> Error {
        Error::Database(format!("PostgreSQL at {}: {}", self.shown, describe(e)))
    }
}

/// `postgresql://USER@HOST:PORT/DB` from the parts the URL gave.
fn shown(config: &Config) -> String {
    let user = config
        .get_user()
        .map(|u| format!("{u}@"))
        .unwrap_or_default();
    let host = config
        .get_hosts()
        .first()
        .map(|h| match h {
            postgres::config::Host::Tcp(name) => name.clone(),
            #[cfg(unix)]
            postgres::config::Host::Unix(path) => path.display().to_string(),
        })
        .unwrap_or_else(|| "localhost".into());
    let port = config
        .get_ports()
        .first()
        .map(|p| format!(":{p}"))
        .unwrap_or_default();
    let db = config.get_dbname().unwrap_or_default();
    crate::domain::text::sanitize(&format!("postgresql://{user}{host}{port}/{db}"))
}

fn connect_error(server: &Server, e: &postgres::Error) -> Error {
    let at = server.shown();
    let line = match e.code() {
        Some(c) if *c == SqlState::INVALID_PASSWORD => format!(
            "the PostgreSQL server at {at} refused the password (check the URL or ~/.pgpass)"
        ),
        Some(c) if *c == SqlState::INVALID_AUTHORIZATION_SPECIFICATION => {
            format!("the PostgreSQL server at {at} does not let this user in")
        }
        Some(c) if *c == SqlState::INVALID_CATALOG_NAME => format!(
            "the PostgreSQL server at {at} has no such database; create it first (createdb)"
        ),
        Some(_) => format!("PostgreSQL at {at}: {}", describe(e)),
        None => format!(
            "cannot reach the PostgreSQL server at {at} (is it running, and is the host and \
             port right?)"
        ),
    };
    Error::Database(line)
}

/// A server error's own message (never the statement's values), or the client's.
pub fn describe(e: &postgres::Error) -> String {
    match e.as_db_error() {
        Some(db) => crate::domain::text::sanitize(db.message()),
        None => crate::domain::text::sanitize(&e.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_url_is_shown_without_its_password() {
        let s = Server::parse("postgresql://ann:s3cret@db.example:6543/practice").unwrap();
        assert_eq!(s.shown(), "postgresql://ann@db.example:6543/practice");
        assert!(!format!("{s:?}").contains("s3cret"));
    }

    #[test]
    fn a_bad_url_is_refused_without_echoing_it() {
        let e = Server::parse("postgresql://ann:s3cret@db:notaport/x")
            .unwrap_err()
            .to_string();
        assert!(!e.contains("s3cret"), "{e}");
        let e = Server::parse("postgresql://ann:s3cret@db:5432")
            .unwrap_err()
            .to_string();
        assert!(e.contains("names no database"), "{e}");
    }

    #[test]
    fn urls_are_told_from_paths() {
        assert!(is_url("postgres://h/db"));
        assert!(is_url("PostgreSQL://h/db"));
        assert!(!is_url("/home/ann/postgres://x"));
        assert!(!is_url("practice.db"));
    }

    /// Nothing listens on port 1: the one line says the server cannot be reached.
    #[test]
    fn an_unreachable_server_is_one_line() {
        let s = Server::parse("postgresql://ann:pw@127.0.0.1:1/practice").unwrap();
        let e = s.connect().err().unwrap().to_string();
        assert!(
            e.starts_with(
                "cannot reach the PostgreSQL server at postgresql://ann@127.0.0.1:1/practice"
            ),
            "{e}"
        );
        assert!(!e.contains("pw"), "{e}");
    }
}
