//! Closing the loop (SPEC sections 10 and 11) through the real binary: booking (one, a series,
//! a clash), the agenda with each state at its boundaries, cancelling and moving, flags and the
//! check-in knowing the plan, and reviews that sign off or snooze a flag.
#![allow(clippy::unwrap_used)] // A failed unwrap in a test is a failed test, with its message.

mod common;

use common::Practice;
use serde_json::Value;

/// Today is 2026-11-23 (a Monday). Ann (high tier) was last seen 2026-11-20: contact due
/// 2026-11-27. Bo has a safety flag from a PHQ-9 with item 9 = 1.
fn practice() -> Practice {
    let p = Practice::new();
    p.admin("Dana Reyes", "90");
    p.ok(&[
        "client",
        "add",
        "Ann Lee",
        "--tier",
        "high",
        "--since",
        "2026-09-01",
    ]);
    p.ok(&["client", "add", "Bo Chen", "--since", "2026-09-01"]);
    p.log("ann", "session", "2026-11-20", "50", "completed");
    p.log("bo", "session", "2026-11-20", "50", "completed");
    p.ok(&[
        "measure",
        "bo",
        "--instrument",
        "phq9",
        "--items",
        "1,1,1,1,1,1,1,1,1",
        "--date",
        "2026-11-20",
    ]);
    p
}

fn on(p: &Practice, today: &'static str, args: &[&str]) -> Value {
    let out = p
        .cmd()
        .env("CASELOAD_TODAY", today)
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn states(p: &Practice, today: &'static str) -> Vec<(String, String)> {
    on(
        p,
        today,
        &[
            "appointments",
            "--from",
            "2026-11-23",
            "--to",
            "2026-12-31",
            "--json",
        ],
    )
    .as_array()
    .unwrap()
    .iter()
    .map(|a| {
        (
            a["date"].as_str().unwrap().to_string(),
            a["state"].as_str().unwrap().to_string(),
        )
    })
    .collect()
}

#[test]
fn an_appointments_state_follows_what_was_logged_that_day() {
    let p = practice();
    let out = p.ok(&["book", "ann", "--date", "2026-11-25", "--time", "10:00"]);
    assert!(
        out.starts_with("Booked appointment 1: session (50 min) on 2026-11-25 at 10:00"),
        "{out}"
    );
    // Without --minutes a booking lasts the kind's usual length, as the TUI's form fills in.
    // (Booked after the weeks the rest of this test lists.)
    let phone = p.ok(&["book", "ann", "--date", "2027-01-04", "--kind", "phone"]);
    let usual = caseload::domain::EncounterKind::Phone.typical_minutes();
    assert!(
        phone.contains(&format!("phone ({usual} min)")) && usual != 50,
        "{phone}"
    );
    // The day before and the day itself: booked; the day after with nothing logged: unlogged.
    assert_eq!(
        states(&p, "2026-11-24"),
        [("2026-11-25".into(), "booked".into())]
    );
    assert_eq!(
        states(&p, "2026-11-25"),
        [("2026-11-25".into(), "booked".into())]
    );
    assert_eq!(
        states(&p, "2026-11-26"),
        [("2026-11-25".into(), "unlogged".into())]
    );
    // A no-show logged on the day; then a completed contact the same day wins.
    let later = |args: &[&str]| {
        let out = p
            .cmd()
            .env("CASELOAD_TODAY", "2026-11-26")
            .args(args)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    later(&[
        "log",
        "ann",
        "--kind",
        "session",
        "--status",
        "no-show",
        "--date",
        "2026-11-25",
    ]);
    assert_eq!(
        states(&p, "2026-11-26"),
        [("2026-11-25".into(), "no-show".into())]
    );
    later(&[
        "log",
        "ann",
        "--kind",
        "phone",
        "--minutes",
        "10",
        "--date",
        "2026-11-25",
    ]);
    assert_eq!(
        states(&p, "2026-11-26"),
        [("2026-11-25".into(), "kept".into())]
    );
}

#[test]
fn series_clashes_cancels_and_moves() {
    let p = practice();
    let out = p.ok(&[
        "book",
        "ann",
        "--date",
        "2026-11-24",
        "--time",
        "09:00",
        "--every",
        "7",
        "--count",
        "3",
    ]);
    assert_eq!(out.lines().count(), 3, "{out}");
    assert!(out.lines().last().unwrap().contains("2026-12-08"), "{out}");
    let out = p.ok(&[
        "book",
        "bo",
        "--date",
        "2026-11-25",
        "--every",
        "14",
        "--until",
        "2026-12-23",
    ]);
    assert_eq!(out.lines().count(), 3, "{out}");
    // The agenda defaults to today … today + 6, by date, time, name.
    let week = p.json(&["appointments", "--json"]);
    let days: Vec<&str> = week
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["date"].as_str().unwrap())
        .collect();
    assert_eq!(days, ["2026-11-24", "2026-11-25"]);
    assert_eq!(week[0]["name"], "Ann Lee");
    assert_eq!(week[0]["clinician"], "Dana Reyes");
    assert_eq!(week[0]["kind"], "session");
    assert_eq!(week[0]["minutes"], 50);
    assert_eq!(week[0]["time"], "09:00");
    let id = week[0]["id"].as_i64().unwrap().to_string();

    let before = p.dump();
    for (args, why) in [
        (
            vec!["book", "bo", "--date", "2026-12-01", "--time", "09:00"],
            "already has appointment",
        ),
        (vec!["book", "bo", "--date", "2026-11-22"], "has passed"),
        (
            vec![
                "book",
                "bo",
                "--date",
                "2026-11-30",
                "--kind",
                "documentation",
            ],
            "not one",
        ),
        (
            vec!["book", "bo", "--date", "2026-11-30", "--time", "9am"],
            "not a time",
        ),
        (
            vec![
                "book",
                "bo",
                "--date",
                "2026-11-30",
                "--every",
                "7",
                "--count",
                "105",
            ],
            "1 to 104",
        ),
        (
            vec![
                "book",
                "bo",
                "--date",
                "2026-11-30",
                "--every",
                "91",
                "--count",
                "2",
            ],
            "1 to 90",
        ),
        (
            vec!["appointment", "move", "999", "--date", "2026-12-02"],
            "no appointment",
        ),
        (
            vec!["appointment", "move", &id, "--date", "2026-12-01"],
            "already has appointment",
        ),
    ] {
        let err = p.refused(&args);
        assert!(err.contains(why), "{args:?}: {err}");
    }
    assert_eq!(p.dump(), before, "a refused booking writes nothing");

    p.ok(&[
        "appointment",
        "move",
        &id,
        "--date",
        "2026-11-26",
        "--time",
        "11:30",
    ]);
    p.ok(&["appointment", "cancel", &id, "--reason", "client asked"]);
    let week = p.json(&["appointments", "--json"]);
    let moved = week
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["id"].as_i64().map(|i| i.to_string()).as_deref() == Some(id.as_str()))
        .unwrap();
    assert_eq!(
        (moved["date"].as_str(), moved["state"].as_str()),
        (Some("2026-11-26"), Some("cancelled"))
    );
    let err = p.refused(&["appointment", "cancel", &id]);
    assert!(err.contains("cancelled"), "{err}");
    assert!(p.ok(&["audit", "report"]).contains("appointment.cancel"));
}

#[test]
fn flags_and_the_check_in_know_the_plan() {
    let p = practice();
    // Nothing booked: Ann's contact falls due 2026-11-27 and she is due and unbooked.
    let today = p.json(&["today", "--json"]);
    let unbooked: Vec<&str> = today["due_unbooked"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["name"].as_str().unwrap())
        .collect();
    assert!(unbooked.contains(&"Ann Lee"), "{today}");
    // A booking after the due day still leaves her unbooked for it; one on or before does not.
    p.ok(&["book", "ann", "--date", "2026-11-30"]);
    let today = p.json(&["today", "--json"]);
    assert!(
        today["due_unbooked"].to_string().contains("Ann Lee"),
        "{today}"
    );
    p.ok(&["book", "ann", "--date", "2026-11-27"]);
    let today = p.json(&["today", "--json"]);
    assert!(
        !today["due_unbooked"].to_string().contains("Ann Lee"),
        "{today}"
    );
    // flags --json: Bo's next appointment, and Ann's earliest booked one.
    p.ok(&["book", "bo", "--date", "2026-11-24"]);
    let flags = p.json(&["flags", "--json"]);
    let bo = flags
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "Bo Chen")
        .unwrap();
    assert_eq!(bo["next_appointment"], "2026-11-24");
    // The day after Bo's appointment passes unlogged: the check-in asks whether it happened.
    let later = on(&p, "2026-11-25", &["today", "--json"]);
    let unlogged = later["unlogged"].as_array().unwrap();
    assert_eq!(unlogged.len(), 1, "{later}");
    assert_eq!(unlogged[0]["name"], "Bo Chen");
    assert_eq!(unlogged[0]["state"], "unlogged");
}

#[test]
fn a_safety_review_holds_for_the_phq9_that_raised_it() {
    let p = practice();
    let before = p.dump();
    for (args, why) in [
        (
            vec!["review", "bo", "--flag", "post_discharge", "--note", "x"],
            "only a contact",
        ),
        (
            vec!["review", "ann", "--flag", "safety", "--note", "x"],
            "does not carry",
        ),
        (
            vec![
                "review",
                "bo",
                "--flag",
                "safety",
                "--note",
                "x",
                "--until",
                "2026-12-01",
            ],
            "leave out --until",
        ),
        (
            vec!["review", "bo", "--flag", "sleepy", "--note", "x"],
            "not a flag",
        ),
    ] {
        let err = p.refused(&args);
        assert!(err.contains(why), "{args:?}: {err}");
    }
    assert_eq!(p.dump(), before);
    p.ok(&[
        "--as",
        "Dana Reyes",
        "review",
        "bo",
        "--flag",
        "safety",
        "--note",
        "assessed: no plan or intent; safety plan updated",
    ]);
    let flags = p.json(&["flags", "--json"]);
    assert!(
        !flags.to_string().contains("\"safety\""),
        "silenced: {flags}"
    );
    let all = p.json(&["flags", "--all", "--json"]);
    let bo = all
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "Bo Chen")
        .unwrap();
    let safety = bo["flags"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["kind"] == "safety")
        .unwrap();
    assert_eq!(safety["review"]["by"], "Dana Reyes");
    assert_eq!(safety["review"]["date"], "2026-11-23");
    assert_eq!(safety["review"]["until"], Value::Null);
    assert!(
        p.ok(&["audit", "report", "--client", "bo"])
            .contains("flag.review")
    );
    // A later PHQ-9 with item 9 ≥ 1 raises it again.
    p.ok(&[
        "measure",
        "bo",
        "--instrument",
        "phq9",
        "--items",
        "2,1,1,1,1,1,1,1,1",
        "--date",
        "2026-11-23",
    ]);
    let flags = p.json(&["flags", "--json"]);
    assert!(
        flags.to_string().contains("\"safety\""),
        "raised again: {flags}"
    );
}

#[test]
fn a_snooze_is_silent_through_its_day_and_capped_at_90_days() {
    let p = practice();
    // Ann: high tier, last contact 2026-11-20 → contact overdue from 2026-11-28.
    let late = "2026-11-30";
    let flags = on(&p, late, &["flags", "--json"]);
    assert!(flags.to_string().contains("contact_overdue"), "{flags}");
    let review = |until: &str| {
        p.cmd()
            .env("CASELOAD_TODAY", late)
            .args([
                "review",
                "ann",
                "--flag",
                "contact_overdue",
                "--note",
                "away until the 5th",
                "--until",
                until,
            ])
            .output()
            .unwrap()
    };
    let out = review("2027-03-01");
    assert_eq!(out.status.code(), Some(1), "91 days is one too many");
    assert!(String::from_utf8_lossy(&out.stderr).contains("at most 90 days"));
    assert!(review("2026-12-05").status.success());
    for (day, silent) in [
        ("2026-11-30", true),
        ("2026-12-05", true),
        ("2026-12-06", false),
    ] {
        let flags = on(&p, day, &["flags", "--json"]);
        let ann_flagged =
            flags.as_array().unwrap().iter().any(|c| {
                c["name"] == "Ann Lee" && c["flags"].to_string().contains("contact_overdue")
            });
        assert_eq!(ann_flagged, !silent, "{day}: {flags}");
    }
    let out = p
        .cmd()
        .env("CASELOAD_TODAY", late)
        .args([
            "review",
            "ann",
            "--flag",
            "disengaged",
            "--note",
            "x",
            "--until",
            "2026-12-01",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "a flag Ann does not carry");
}
