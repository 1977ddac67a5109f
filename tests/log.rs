//! `caseload log` through the real binary: without `--minutes` the encounter gets the kind's
//! usual length (the TUI form's pre-fill, `domain::entry::usual_minutes`), and says so.
#![allow(clippy::unwrap_used)] // A failed unwrap in a test is a failed test, with its message.

mod common;
use common::Practice;

fn practice() -> Practice {
    let p = Practice::new();
    p.ok(&["clinician", "add", "Dana", "--hourly-cost", "60"]);
    p.ok(&["client", "add", "Ann Lee"]);
    p
}

/// The minutes of every encounter stored for the client, oldest first.
fn minutes(p: &Practice) -> Vec<i64> {
    let v = p.json(&["client", "show", "ann", "--json"]);
    let mut all: Vec<(i64, i64)> = v["encounters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["id"].as_i64().unwrap(), e["minutes"].as_i64().unwrap()))
        .collect();
    all.sort();
    all.into_iter().map(|(_, m)| m).collect()
}

#[test]
fn without_minutes_a_log_records_the_kinds_usual_length_and_prints_it() {
    let p = practice();
    let said = p.ok(&["log", "ann", "--kind", "session"]);
    assert!(said.contains("session (completed, 50 min)"), "{said}");
    assert!(said.contains("the usual minutes for session"), "{said}");
    let said = p.ok(&["log", "ann", "--kind", "phone"]);
    assert!(said.contains("15 min"), "{said}");
    // A missed contact took no time.
    let said = p.ok(&["log", "ann", "--kind", "session", "--status", "no-show"]);
    assert!(said.contains("0 min"), "{said}");
    assert!(said.contains("none for a missed contact"), "{said}");
    // Minutes given are kept, with no note about the usual length.
    let said = p.ok(&["log", "ann", "--kind", "session", "--minutes", "0"]);
    assert!(!said.contains("usual"), "{said}");
    assert_eq!(minutes(&p), [50, 15, 0, 0]);
}

#[test]
fn a_bad_kind_without_minutes_is_still_one_line_and_writes_nothing() {
    let p = practice();
    let before = p.dump();
    let said = p.refused(&["log", "ann", "--kind", "therapy"]);
    assert!(said.contains("therapy"), "{said}");
    p.refused(&["log", "ann", "--kind", "session", "--status", "late"]);
    assert_eq!(before, p.dump());
}
