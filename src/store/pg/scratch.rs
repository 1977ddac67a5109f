//! For the library's own tests on PostgreSQL: a database of its own on the server that
//! `CASELOAD_TEST_POSTGRES` names, made for one test and dropped after it. Test-only; it never
//! touches a database it did not make.

use super::Server;
use postgres::{Client, NoTls};

/// A database made for one test, dropped (with any session left on it) when it goes.
pub struct ScratchDb {
    admin_url: String,
    name: String,
}

impl ScratchDb {
    /// A new empty database, or `None` (saying so on stderr) when no server is configured.
    /// Under `CI=true` a missing server is a failure: CI starts one, so its absence means
    /// that setup broke and a skipped test would hide it.
    pub fn new() -> Option<ScratchDb> {
        let admin_url = match std::env::var("CASELOAD_TEST_POSTGRES") {
            Ok(url) if !url.trim().is_empty() => url,
            _ if std::env::var("CI").is_ok_and(|ci| ci == "true") => {
                panic!("CASELOAD_TEST_POSTGRES is not set under CI=true")
            }
            _ => {
                eprintln!("skipped: CASELOAD_TEST_POSTGRES is not set");
                return None;
            }
        };
        use std::hash::{BuildHasher, RandomState};
        let random = RandomState::new().hash_one(std::time::SystemTime::now());
        let name = format!("caseload_lib_{}_{random:016x}", std::process::id());
        let mut admin = Client::connect(&admin_url, NoTls).expect("the test server");
        admin
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .expect("a database of the test's own");
        Some(ScratchDb { admin_url, name })
    }

    pub fn server(&self) -> Server {
        let (server, _) = self
            .admin_url
            .rsplit_once('/')
            .expect("a URL with a database");
        Server::parse(&format!("{server}/{}", self.name)).expect("the scratch database's URL")
    }
}

impl Drop for ScratchDb {
    fn drop(&mut self) {
        if let Ok(mut admin) = Client::connect(&self.admin_url, NoTls) {
            let _ = admin.batch_execute(&format!(
                "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                self.name
            ));
        }
    }
}
