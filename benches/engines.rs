//! Issue 20's side by side: one practice on SQLite and on PostgreSQL. Run with
//! `CASELOAD_BENCH_POSTGRES=postgresql://USER@HOST:PORT/DB cargo bench --bench engines --
//! [CLIENTS...]` (default 100000; `CASELOAD_TEST_POSTGRES` is used when the first is unset).
//! The URL names a database it may create others beside.
//!
//! For each size the scale bench's demo practice (seed 7, today 2026-11-23; generated once)
//! is copied with `caseload copy --to` into a fresh server database `caseload_bench_CLIENTS`
//! (dropped first if there, dropped again at the end), which is then vacuumed and analysed, as
//! a server's autovacuum would have it after a day. Then, on each engine:
//!
//! - the TUI's first frame (open the store, listen for changes on a server, load the panel,
//!   draw 120×40 on a TestBackend) in a fresh child process each time (median of 5);
//! - `flags`, `report revenue`, `report value`, `today` and `client list`, each `--json`,
//!   through the release binary (wall time, median of 3), with their outputs compared: the
//!   last column says whether both engines printed the same bytes.
//!
//! The server is whatever the URL names: on this bench's usual setup, the throwaway cluster of
//! `.ci/postgres.sh` on the same machine (loopback, fsync off), so its figures include no
//! network and no disk flush.

mod common;

use caseload::store::Store;
use caseload::store::pg::Server;
use common::{demo, median, ms};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The child-process mode: draw the first frame of this practice and report on stdout.
const CHILD: &str = "--engines-first-frame";
const FIRST_FRAME_RUNS: usize = 5;
const CLI_RUNS: usize = 3;

const COMMANDS: [&[&str]; 5] = [
    &["flags", "--json"],
    &["report", "revenue", "--json"],
    &["report", "value", "--json"],
    &["today", "--json"],
    &["client", "list", "--json"],
];

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if let Some(i) = args.iter().position(|a| a == CHILD) {
        let target = args.get(i + 1).expect("the child is given a practice");
        first_frame_child(target);
        return;
    }
    let Some(admin) = ["CASELOAD_BENCH_POSTGRES", "CASELOAD_TEST_POSTGRES"]
        .iter()
        .find_map(|v| std::env::var(v).ok().filter(|u| !u.trim().is_empty()))
    else {
        eprintln!(
            "skipped: set CASELOAD_BENCH_POSTGRES to a PostgreSQL 15+ server this bench may \
             create a database on (or source .ci/postgres.sh for a throwaway one)"
        );
        return;
    };
    // `cargo bench` passes `--bench`; anything that is not a number is ignored.
    let mut sizes: Vec<u32> = args.iter().filter_map(|a| a.parse().ok()).collect();
    if sizes.is_empty() {
        sizes = vec![100_000];
    }
    for clients in sizes {
        let file = demo(clients).to_string_lossy().into_owned();
        let server = ServerCopy::make(&admin, clients, &file);
        let mut rows = first_frames(&file, &server.url);
        rows.extend(COMMANDS.iter().map(|c| cli(&file, &server.url, c)));
        print_table(clients, server.copied, &rows);
    }
}

/// One measure on both engines, and whether their outputs were the same (`None`: no output).
struct Row {
    label: String,
    sqlite: Duration,
    postgres: Duration,
    same: Option<bool>,
}

/// The demo copied into a server database of its own, dropped when the bench is done.
struct ServerCopy {
    admin: String,
    name: String,
    url: String,
    copied: Duration,
}

impl ServerCopy {
    fn make(admin: &str, clients: u32, file: &str) -> ServerCopy {
        let name = format!("caseload_bench_{clients}");
        let (server, _) = admin.rsplit_once('/').expect("a URL naming a database");
        let url = format!("{server}/{name}");
        let mut client = postgres::Client::connect(admin, postgres::NoTls)
            .expect("connect to the bench's server");
        // One statement each: several in one batch would run as one transaction, where
        // neither may run.
        for statement in [
            format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"),
            format!("CREATE DATABASE {name}"),
        ] {
            client
                .batch_execute(&statement)
                .expect("a fresh database for the bench");
        }
        eprintln!("copying the {clients}-client demo to the server…");
        let started = Instant::now();
        let out = caseload(file, &["copy", "--to", &url]);
        let copied = started.elapsed();
        assert!(
            out.status.success(),
            "copy failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        postgres::Client::connect(&url, postgres::NoTls)
            .and_then(|mut c| c.batch_execute("VACUUM ANALYZE"))
            .expect("vacuum and analyse the copy");
        ServerCopy {
            admin: admin.to_string(),
            name,
            url,
            copied,
        }
    }
}

impl Drop for ServerCopy {
    fn drop(&mut self) {
        if let Ok(mut client) = postgres::Client::connect(&self.admin, postgres::NoTls) {
            let _ = client.batch_execute(&format!(
                "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                self.name
            ));
        }
    }
}

/// Child process: one first frame of `target` (a file or a server URL), its time on stdout.
fn first_frame_child(target: &str) {
    let started = Instant::now();
    let store = if caseload::store::pg::is_url(target) {
        let store = Store::open_server(&Server::parse(target).expect("a server URL"))
            .expect("open the server's practice");
        // As the TUI does before its first load on a server.
        store.watch_changes().expect("listen for changes");
        store
    } else {
        Store::open(std::path::Path::new(target)).expect("open the demo database")
    };
    let shown = common::first_frame(store);
    let took = started.elapsed();
    drop(shown);
    println!("{}", took.as_nanos());
}

fn first_frames(file: &str, url: &str) -> Vec<Row> {
    let exe = std::env::current_exe().expect("the bench's own executable");
    let frame = |target: &str| {
        median(FIRST_FRAME_RUNS, || {
            let out = Command::new(&exe)
                .args([CHILD, target])
                .stderr(Stdio::inherit())
                .output()
                .expect("run the first-frame child");
            assert!(out.status.success(), "the first-frame child failed");
            let nanos: u64 = String::from_utf8_lossy(&out.stdout)
                .trim()
                .parse()
                .expect("the child reports nanoseconds");
            Duration::from_nanos(nanos)
        })
    };
    vec![Row {
        label: format!("TUI first frame (median of {FIRST_FRAME_RUNS})"),
        sqlite: frame(file),
        postgres: frame(url),
        same: None,
    }]
}

/// One command on both engines: the median wall time of each, and whether every run printed
/// the same bytes on both.
fn cli(file: &str, url: &str, args: &[&str]) -> Row {
    let mut outputs = Vec::new();
    let mut timed = |target: &str| {
        median(CLI_RUNS, || {
            let started = Instant::now();
            let out = caseload(target, args);
            let took = started.elapsed();
            common::assert_ran(&out, args);
            outputs.push(out.stdout);
            took
        })
    };
    let sqlite = timed(file);
    let postgres = timed(url);
    let same = outputs.windows(2).all(|pair| pair[0] == pair[1]);
    Row {
        label: format!("{} (median of {CLI_RUNS})", args.join(" ")),
        sqlite,
        postgres,
        same: Some(same),
    }
}

/// The release binary on this practice, its output captured.
fn caseload(target: &str, args: &[&str]) -> std::process::Output {
    common::caseload(target.as_ref(), args)
        .output()
        .expect("run caseload")
}

fn print_table(clients: u32, copied: Duration, rows: &[Row]) {
    println!();
    println!("{clients} clients — SQLite file beside PostgreSQL (copy --to took {copied:.1?})");
    println!(
        "{:<44} {:>12} {:>12} {:>8}  same output",
        "measure", "SQLite", "PostgreSQL", "ratio"
    );
    for row in rows {
        let ratio = row.postgres.as_secs_f64() / row.sqlite.as_secs_f64().max(f64::MIN_POSITIVE);
        let same = match row.same {
            Some(true) => "yes",
            Some(false) => "NO",
            None => "",
        };
        println!(
            "{:<44} {:>12} {:>12} {:>7.2}×  {same}",
            row.label,
            ms(row.sqlite),
            ms(row.postgres),
            ratio
        );
    }
}
