//! Many processes, one database: concurrent writers never see "database is locked" and lose
//! nothing; a writer killed with SIGKILL at random moments never corrupts the database or
//! loses a write it had acknowledged. The writer is this test binary re-run as a child
//! (`child_writer`, ignored in normal runs), so no helper ships in the product; the CLI itself
//! is exercised by the `caseload log` race below.
#![allow(clippy::unwrap_used)] // A failed unwrap in a test is a failed test, with its message.

use caseload::domain::{ClientId, ClinicianId, EncounterKind, EncounterStatus, Money, Role, Tier};
use caseload::store::{Store, audit, clients, clinicians, encounters};
use std::collections::BTreeSet;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const DB_VAR: &str = "CASELOAD_TEST_CHILD_DB";
const WRITES_VAR: &str = "CASELOAD_TEST_CHILD_WRITES";

/// Run only as a child of the tests below: writes encounters one transaction at a time and
/// prints `ack N` (N = the encounter id) after each commit; `0` writes means forever.
#[test]
#[ignore = "a helper process, started by the other tests"]
fn child_writer() {
    use std::io::Write;
    let Ok(db) = std::env::var(DB_VAR) else {
        return;
    };
    let writes: u64 = std::env::var(WRITES_VAR).unwrap().parse().unwrap();
    let mut store = Store::open(Path::new(&db)).unwrap();
    let date = caseload::domain::parse_date("2026-03-01").unwrap();
    let out = std::io::stdout();
    let mut n = 0;
    while writes == 0 || n < writes {
        let new = encounters::NewEncounter {
            client_id: ClientId(1),
            clinician_id: ClinicianId(1),
            date,
            kind: EncounterKind::Session,
            status: EncounterStatus::Completed,
            minutes: (n % 90) as i64,
            note: None,
        };
        match store.write(|tx| encounters::insert(tx, &new)) {
            Ok(id) => {
                let mut out = out.lock();
                writeln!(out, "ack {id}").unwrap();
                out.flush().unwrap();
            }
            Err(e) => {
                eprintln!("write failed: {e}");
                std::process::exit(3);
            }
        }
        n += 1;
    }
}

fn spawn_writer(db: &Path, writes: u64) -> Child {
    Command::new(std::env::current_exe().unwrap())
        .args([
            "child_writer",
            "--exact",
            "--ignored",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(DB_VAR, db)
        .env(WRITES_VAR, writes.to_string())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

/// The acknowledged encounter ids in a child's output (the test harness may print its own
/// "test child_writer ... " at the start of the first line).
fn acks(output: &str) -> Vec<i64> {
    output
        .lines()
        .filter_map(|l| l.split_once("ack ").map(|(_, n)| n))
        .map(|n| n.trim().parse().unwrap())
        .collect()
}

/// A practice with one clinician (id 1) and one client (id 1).
fn practice(db: &Path) {
    let mut store = Store::open(db).unwrap();
    store
        .write(|tx| {
            let dana = clinicians::insert(tx, "Dana", Role::Admin, Money(0))?;
            clients::insert(
                tx,
                &clients::NewClient {
                    external_id: None,
                    name: "Ann".into(),
                    dob: None,
                    tier: Tier::Moderate,
                    since: caseload::domain::parse_date("2026-01-01")?,
                    diagnosis: None,
                    clinician_id: Some(dana),
                },
            )?;
            Ok(())
        })
        .unwrap();
}

fn integrity(db: &Path) -> String {
    let conn = rusqlite::Connection::open(db).unwrap();
    conn.query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap()
}

fn encounter_ids(db: &Path) -> BTreeSet<i64> {
    let conn = rusqlite::Connection::open(db).unwrap();
    let mut stmt = conn.prepare("SELECT id FROM encounters").unwrap();
    stmt.query_map([], |r| r.get(0))
        .unwrap()
        .map(|r| r.unwrap())
        .collect()
}

#[test]
fn two_processes_with_a_thousand_writes_each_lose_nothing_and_never_see_locked() {
    const WRITES: u64 = 1000;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("busy.db");
    practice(&db);
    let started = Instant::now();
    let children = [spawn_writer(&db, WRITES), spawn_writer(&db, WRITES)];
    // A third connection watches the others' commits arrive while they write.
    let watcher = Store::open(&db).unwrap();
    let mut seen = Vec::new();
    let readers: Vec<_> = children
        .into_iter()
        .map(|child| std::thread::spawn(move || child.wait_with_output().unwrap()))
        .collect();
    while !readers.iter().all(|r| r.is_finished()) {
        let n: i64 = watcher
            .read(|c| Ok(c.query_row("SELECT count(*) FROM encounters", [], |r| r.get(0))?))
            .unwrap();
        seen.push(n);
        std::thread::sleep(Duration::from_millis(20));
    }
    let mut all = Vec::new();
    for reader in readers {
        let out = reader.join().unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "writer failed: {stderr}");
        assert!(!stderr.contains("locked") && !stdout.contains("locked"));
        let mine = acks(&stdout);
        assert_eq!(mine.len() as u64, WRITES);
        all.extend(mine);
    }
    let elapsed = started.elapsed();
    let ids = encounter_ids(&db);
    assert_eq!(ids.len() as u64, 2 * WRITES, "exact count");
    assert_eq!(all.iter().copied().collect::<BTreeSet<_>>(), ids);
    assert_eq!(integrity(&db), "ok");
    assert!(
        seen.windows(2).all(|w| w[0] <= w[1]),
        "the watcher saw commits in order"
    );
    let verified = watcher.read(|c| audit::verify(c)).unwrap().unwrap();
    assert_eq!(
        verified.rows,
        2 + 2 * WRITES,
        "one audit row per write, chain intact"
    );
    eprintln!(
        "concurrency: 2 processes x {WRITES} writes in {:.2}s; watcher polled {} times",
        elapsed.as_secs_f64(),
        seen.len()
    );
}

/// A small deterministic generator for the kill moments (seeded, so a failure can be rerun).
struct Moments(u64);

impl Moments {
    fn next_ms(&mut self, low: u64, high: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        low + self.0 % (high - low)
    }
}

#[test]
fn a_writer_killed_at_random_moments_never_corrupts_or_loses_an_acknowledged_write() {
    const KILLS: usize = 40;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("crash.db");
    practice(&db);
    let seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(1, |d| d.as_nanos() as u64 | 1);
    let mut moments = Moments(seed);
    let started = Instant::now();
    let mut acknowledged = BTreeSet::new();
    for round in 0..KILLS {
        let mut child = spawn_writer(&db, 0);
        let stdout = child.stdout.take().unwrap();
        let reader = std::thread::spawn(move || {
            let mut lines = Vec::new();
            for line in BufReader::new(stdout).lines() {
                match line {
                    Ok(l) => lines.push(l),
                    Err(_) => break,
                }
            }
            lines.join("\n")
        });
        std::thread::sleep(Duration::from_millis(moments.next_ms(40, 260)));
        child.kill().unwrap(); // SIGKILL on Unix
        child.wait().unwrap();
        let output = reader.join().unwrap();
        acknowledged.extend(acks(&output));
        assert_eq!(integrity(&db), "ok", "round {round}, seed {seed}");
        let present = encounter_ids(&db);
        let lost: Vec<&i64> = acknowledged.difference(&present).collect();
        assert!(lost.is_empty(), "round {round}, seed {seed}: lost {lost:?}");
        let store = Store::open(&db).unwrap();
        assert!(
            store.read(|c| audit::verify(c)).unwrap().is_ok(),
            "round {round}, seed {seed}: audit chain broken"
        );
    }
    assert!(
        acknowledged.len() > KILLS,
        "the writer should have written between kills"
    );
    eprintln!(
        "crash: {KILLS} SIGKILLs, {} acknowledged writes all present, {:.2}s (seed {seed})",
        acknowledged.len(),
        started.elapsed().as_secs_f64()
    );
}

/// The real binary: a fresh database opened by several processes at once (creation and
/// migration race), then two shells' worth of `caseload log` at the same time.
#[test]
fn concurrent_cli_processes_create_migrate_and_log_without_errors() {
    const PER_PROCESS: usize = 60;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("cli.db");
    let caseload = assert_cmd::cargo::cargo_bin("caseload");
    let run = |args: &[&str]| {
        Command::new(&caseload)
            .env("CASELOAD_DB", &db)
            .env("CASELOAD_TODAY", "2026-03-10")
            .env_remove("CASELOAD_PASSPHRASE")
            .args(args)
            .output()
            .unwrap()
    };
    let openers: Vec<_> = (0..6)
        .map(|_| {
            Command::new(&caseload)
                .env("CASELOAD_DB", &db)
                .args(["clinician", "list"])
                .output()
        })
        .collect();
    for o in openers {
        let o = o.unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    }
    assert!(run(&["clinician", "add", "Dana Reyes"]).status.success());
    assert!(
        run(&["client", "add", "Ann Lee", "--since", "2026-01-01"])
            .status
            .success()
    );
    let started = Instant::now();
    std::thread::scope(|s| {
        for _ in 0..2 {
            s.spawn(|| {
                for _ in 0..PER_PROCESS {
                    let out = run(&["log", "Ann", "--kind", "phone", "--minutes", "5"]);
                    let err = String::from_utf8_lossy(&out.stderr);
                    assert!(out.status.success(), "{err}");
                    assert!(!err.contains("locked"));
                }
            });
        }
    });
    assert_eq!(encounter_ids(&db).len(), 2 * PER_PROCESS);
    assert_eq!(integrity(&db), "ok");
    eprintln!(
        "cli: 2 x {PER_PROCESS} `caseload log` processes in {:.2}s",
        started.elapsed().as_secs_f64()
    );
}
