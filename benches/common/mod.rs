//! What the scale and engines benches share: the demo practice of a size (generated once,
//! kept in the temporary folder), the TUI's first frame of a store, and how a figure is
//! taken and shown. Nothing here times anything by itself.
#![allow(dead_code)] // Each bench uses its part.

use caseload::store::Store;
use caseload::tui::app::{App, Viewer};
use caseload::tui::theme::Theme;
use caseload::tui::{ui, update};
use chrono::NaiveDate;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use std::ffi::OsStr;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

pub const TODAY: &str = "2026-11-23";
pub const SIZE: (u16, u16) = (120, 40);

pub fn today() -> NaiveDate {
    NaiveDate::parse_from_str(TODAY, "%Y-%m-%d").expect("the bench's today is a date")
}

/// The demo practice of this size (seed 7, today [`TODAY`]), generated on first use into
/// `$TMPDIR/caseload-bench-scale-CLIENTS/bench.db`.
pub fn demo(clients: u32) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("caseload-bench-scale-{clients}"));
    std::fs::create_dir_all(&dir).expect("the bench's temp folder");
    let path = dir.join("bench.db");
    if path.exists() {
        return path;
    }
    // Written under another name and renamed when complete, so an interrupted generation is
    // never mistaken for a finished demo.
    let building = dir.join("building.db");
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", building.display()));
    }
    eprintln!(
        "generating the {clients}-client demo (once) in {}",
        dir.display()
    );
    let started = Instant::now();
    {
        let mut store = Store::open(&building).expect("open the demo database");
        caseload::demo::generate(&mut store, clients, 7, today(), &mut |_, _| {})
            .expect("generate the demo");
    }
    for suffix in ["-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", building.display()));
    }
    std::fs::rename(&building, &path).expect("move the finished demo into place");
    eprintln!("  generated in {:.1?}", started.elapsed());
    path
}

/// Loads the panel of an open store and draws it at [`SIZE`]: what the TUI does before its
/// first paint.
pub fn first_frame(mut store: Store) -> (App, Store, Terminal<TestBackend>) {
    let mut app = App::new(today(), Theme::fallback(), Viewer::practice());
    app.size = SIZE;
    update::reload(&mut app, &mut store).expect("load the panel");
    let mut terminal = Terminal::new(TestBackend::new(SIZE.0, SIZE.1)).expect("a test terminal");
    terminal.draw(|f| ui::draw(f, &app)).expect("draw");
    (app, store, terminal)
}

/// This process's peak resident set, from /proc/self/status (Linux).
pub fn vm_hwm_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// The median of `runs` timings of `f`.
pub fn median(runs: usize, mut f: impl FnMut() -> Duration) -> Duration {
    let mut times: Vec<Duration> = (0..runs).map(|_| f()).collect();
    times.sort();
    times[times.len() / 2]
}

pub fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

/// The release binary (built by cargo alongside the bench) on `target` (a file or a server
/// URL) as of [`TODAY`], with nothing on stdin and no `CASELOAD_DB` from the environment.
pub fn caseload(target: &OsStr, args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_caseload"));
    command
        .arg("--db")
        .arg(target)
        .args(["--today", TODAY])
        .args(args)
        .env_remove("CASELOAD_DB")
        .stdin(Stdio::null());
    command
}

/// Stops the bench with caseload's own error line when a command it times failed.
pub fn assert_ran(out: &std::process::Output, args: &[&str]) {
    assert!(
        out.status.success(),
        "caseload {} failed: {}",
        args.join(" "),
        String::from_utf8_lossy(&out.stderr)
    );
}
