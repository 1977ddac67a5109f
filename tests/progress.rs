//! Progress on long jobs, through the real binary: a bar with the rate and the time left on a
//! terminal's stderr (a real pseudo-terminal), and nothing at all on stderr when it is a pipe.
#![allow(clippy::unwrap_used)] // A failed unwrap in a test is a failed test, with its message.

mod common;
use common::Practice;
use portable_pty::{CommandBuilder, PtySize, native_pty_system};
use std::io::Read;

#[test]
fn nothing_on_stderr_when_it_is_not_a_terminal() {
    let p = Practice::new();
    // The database exists first, so its "created" note is not part of what is checked.
    p.ok(&["clinician", "add", "Dana"]);
    let out = p
        .cmd()
        .args(["demo", "--clients", "2500", "--seed", "1"])
        .output()
        .unwrap();
    assert!(out.status.success());
    assert_eq!(String::from_utf8_lossy(&out.stderr), "", "demo");
    let mut rows = String::from("client,date,kind,minutes\n");
    for i in 0..5_000 {
        rows.push_str(&format!(
            "{},2026-11-{:02},phone,5\n",
            1 + i % 2500,
            1 + i % 20
        ));
    }
    let file = p.write("history.csv", &rows);
    let out = p
        .cmd()
        .args(["import", "encounters", file.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(String::from_utf8_lossy(&out.stderr), "", "import");
}

#[test]
fn a_terminal_sees_a_bar_with_the_rate_and_the_time_left() {
    let p = Practice::new();
    let pty = native_pty_system()
        .openpty(PtySize {
            rows: 24,
            cols: 100,
            pixel_width: 0,
            pixel_height: 0,
        })
        .unwrap();
    let mut cmd = CommandBuilder::new(env!("CARGO_BIN_EXE_caseload"));
    cmd.args(["demo", "--clients", "3000", "--seed", "1"]);
    cmd.env("CASELOAD_DB", &p.db);
    cmd.env("CASELOAD_TODAY", common::TODAY);
    cmd.env("HOME", p.dir.path());
    cmd.env("TERM", "xterm-256color");
    let mut child = pty.slave.spawn_command(cmd).unwrap();
    drop(pty.slave);
    let mut reader = pty.master.try_clone_reader().unwrap();
    let reading = std::thread::spawn(move || {
        let mut all = Vec::new();
        let _ = reader.read_to_end(&mut all);
        all
    });
    assert!(child.wait().unwrap().success());
    drop(pty.master);
    let text = String::from_utf8_lossy(&reading.join().unwrap()).to_string();
    assert!(text.contains("generating demo practice:"), "{text}");
    assert!(text.contains("/s · ") && text.contains(" left"), "{text}");
    assert!(text.contains("Wrote a demo practice"), "{text}");
}
