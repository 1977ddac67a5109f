//! `caseload today` through the real binary on a small hand-built practice (today is Monday
//! 2026-11-23): the JSON field by field, `--as` for one clinician's panel, roles with
//! passphrases, and the text fitting one screen.
#![allow(clippy::unwrap_used)] // A failed unwrap in a test is a failed test, with its message.

mod common;
use common::Practice;
use serde_json::{Value, json};

/// Dana ($90/h) has Ann, Bo and Cy; Sam ($60/h) has Di and Ed. Harbor pays $45 PMPM
/// (first-of-month) for Ann, Cy and Di since January and for Bo from 9 November.
fn practice() -> Practice {
    let p = Practice::new();
    p.ok(&["clinician", "add", "Dana", "--hourly-cost", "90"]);
    p.ok(&["clinician", "add", "Sam", "--hourly-cost", "60"]);
    p.capitation("Harbor", "45", &[]);
    let client = |name: &str, tier: &str, who: &str, since: &str, contract: bool| {
        let mut args = vec![
            "client",
            "add",
            name,
            "--tier",
            tier,
            "--clinician",
            who,
            "--since",
            since,
        ];
        if contract {
            args.extend(["--contract", "Harbor"]);
        }
        p.ok(&args);
    };
    client("Ann Able", "high", "Dana", "2026-01-01", true);
    client("Bo Baker", "moderate", "Dana", "2026-11-09", true);
    client("Cy Cole", "low", "Dana", "2026-01-01", true);
    client("Di Dunn", "moderate", "Sam", "2026-01-01", true);
    client("Ed Eads", "moderate", "Sam", "2026-01-01", false);
    // Ann: high tier, last contact 17 Nov → next contact due tomorrow; PHQ-9 on 25 Oct →
    // next measurement due tomorrow.
    p.log("Ann", "session", "2026-11-17", "50", "completed");
    p.measure("Ann", "phq9", "12", "2026-10-25");
    // Di: an ED visit on 20 Nov and a session the same day (which does not count): a
    // critical post-discharge flag; no measurement yet (no baseline).
    p.ok(&["event", "Di", "--kind", "ed-visit", "--date", "2026-11-20"]);
    p.log("Di", "session", "2026-11-20", "50", "completed");
    // Cy: PHQ-9 item 9 = 1 on 20 Nov: a critical safety flag.
    p.ok(&[
        "measure",
        "Cy",
        "--instrument",
        "phq9",
        "--items",
        "2,2,2,2,2,2,2,1,1",
        "--date",
        "2026-11-20",
    ]);
    // Today, in this order: Ann's documentation (Dana), Cy's session (Dana), Di's missed
    // phone call (Sam).
    p.log("Ann", "documentation", "2026-11-23", "10", "completed");
    p.log("Cy", "session", "2026-11-23", "50", "completed");
    p.log("Di", "phone", "2026-11-23", "5", "no-show");
    p
}

fn due(name: &str, kind: &str, due: &str, days_until: i64) -> Value {
    json!({"name": name, "kind": kind, "due": due, "days_until": days_until})
}

/// The fields of `expected` in `got` (arrays element by element).
fn check(got: &Value, expected: &Value) {
    match expected {
        Value::Object(fields) => {
            for (k, w) in fields {
                check(&got[k], w);
            }
        }
        Value::Array(items) => {
            let got = got
                .as_array()
                .unwrap_or_else(|| panic!("not an array: {got}"));
            assert_eq!(got.len(), items.len(), "{got:?}");
            for (g, w) in got.iter().zip(items) {
                check(g, w);
            }
        }
        _ => assert_eq!(got, expected),
    }
}

#[test]
fn today_json_for_the_whole_practice_field_by_field() {
    let p = practice();
    let v = p.json(&["today", "--json"]);
    check(
        &v,
        &json!({
            "clinician": null,
            "date": "2026-11-23",
            "logged": [
                {"client_id": 1, "name": "Ann Able", "kinds": ["documentation"], "minutes": 10,
                 "encounters": [{"kind": "documentation", "status": "completed", "minutes": 10}]},
                {"client_id": 3, "name": "Cy Cole", "kinds": ["session"], "minutes": 50},
                {"client_id": 4, "name": "Di Dunn", "kinds": ["phone"], "minutes": 5,
                 "encounters": [{"kind": "phone", "status": "no-show", "minutes": 5}]},
            ],
            "encounters": 3,
            "minutes": 65,
            // 60 min at $90/h + 5 min at $60/h = $95.00.
            "cost_cents": 9500,
            // Ann, Cy and Di count for November (Bo joined after the 1st): 3 × $45 = $135,
            // over 30 days = $4.50 a day.
            "capitation_month_cents": 13500,
            "capitation_today_cents": 450,
            "days_in_month": 30,
            // Cy's safety flag is 3 days old, Di's follow-up is due in 4: Cy first.
            "critical": [
                {"client_id": 3, "name": "Cy Cole", "tier": "low",
                 "flags": [{"kind": "safety", "severity": "critical", "due": "2026-11-20",
                            "days_overdue": 3}]},
                {"client_id": 4, "name": "Di Dunn", "tier": "moderate",
                 "flags": [{"kind": "post_discharge", "severity": "critical",
                            "due": "2026-11-27", "days_overdue": 0}]},
            ],
            // Ed was never seen (a warning); Di's no-baseline warning is behind her critical flag.
            "clients_with_warnings": 1,
            // Bo joined 14 days ago: first contact due today, overdue from tomorrow.
            "due_today": [due("Bo Baker", "first_contact", "2026-11-23", 0)],
            "due_tomorrow": [
                due("Ann Able", "contact", "2026-11-24", 1),
                due("Ann Able", "measurement", "2026-11-24", 1),
            ],
            "due_in_2_to_7_days": [],
            "measurements": {"overdue": 0, "no_baseline": 1, "due_today": 0,
                             "due_tomorrow": 1, "due_in_2_to_7_days": 0},
        }),
    );
    assert_eq!(
        v["due_tomorrow"][0]["reason"],
        "last contact 2026-11-17; high tier: every 7 days"
    );
    assert_eq!(v["due_today"][0]["tier"], "moderate");
    assert!(v["critical"][0]["flags"][0]["reason"].is_string());
}

#[test]
fn with_as_today_is_that_clinicians_panel_and_time() {
    let p = practice();
    let v = p.json(&["--as", "Dana", "today", "--json"]);
    check(
        &v,
        &json!({
            "clinician": "Dana",
            "logged": [{"name": "Ann Able"}, {"name": "Cy Cole"}],
            "encounters": 2,
            "minutes": 60,
            "cost_cents": 9000,
            // Ann and Cy: $90 for November, $3.00 a day.
            "capitation_month_cents": 9000,
            "capitation_today_cents": 300,
            "critical": [{"name": "Cy Cole"}],
            "clients_with_warnings": 0,
            "due_today": [{"name": "Bo Baker"}],
            "due_tomorrow": [{"kind": "contact"}, {"kind": "measurement"}],
        }),
    );
    // --clinician names another panel; the same as --as for it.
    let sam = p.json(&["today", "--clinician", "Sam", "--json"]);
    assert_eq!(sam["clinician"], "Sam");
    assert_eq!(sam["cost_cents"], 500);
    assert_eq!(sam["critical"][0]["name"], "Di Dunn");
    assert_eq!(sam["clients_with_warnings"], 1);
}

#[test]
fn today_reads_in_one_screen() {
    let p = practice();
    let text = p.ok(&["today"]);
    assert!(
        text.starts_with("Today, Monday 23 November 2026 — the whole practice"),
        "{text}"
    );
    assert!(text.lines().count() <= 40, "{text}");
    for expected in [
        "Logged today: 3 encounters for 3 clients, 65 min",
        "Cy Cole",
        "(1 missed)",
        "65 min cost $95.00; today's share of capitation $4.50 ($135.00 this month / 30 days): -$90.50",
        "Critical flags (2 clients):",
        "safety: PHQ-9 item 9",
        "Due today (overdue from tomorrow) (1):",
        "Bo Baker",
        "Due tomorrow (2):",
        "Due in the next 7 days: none.",
        "Measurements: 0 overdue, 1 seen but never measured",
        "1 more client carries warning flags",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in\n{text}");
    }
}

#[test]
fn a_busy_day_is_cut_short_with_and_n_more() {
    let p = Practice::new();
    p.ok(&["demo", "--clients", "400", "--seed", "3"]);
    let text = p.ok(&["today"]);
    assert!(
        text.lines().count() <= 40,
        "{} lines:\n{text}",
        text.lines().count()
    );
    assert!(text.contains("… and "), "{text}");
    let v = p.json(&["today", "--json"]);
    assert!(v["due_in_2_to_7_days"].as_array().unwrap().len() > 4);
}

#[test]
fn refusals_write_nothing() {
    let p = practice();
    let before = p.dump();
    p.refused(&["today", "--clinician", "Nobody"]);
    p.refused(&["--as", "Nobody", "today"]);
    assert_eq!(before, p.dump());
}

#[test]
fn with_passphrases_a_clinician_sees_only_their_own_day() {
    let p = practice();
    p.ok(&["clinician", "add", "Boss", "--role", "admin"]);
    assert!(
        p.run_as("boss secret", None, &["clinician", "passphrase", "Boss"])
            .status
            .success()
    );
    let set = p.run_as(
        "boss secret",
        Some("sam secret"),
        &["--as", "Boss", "clinician", "passphrase", "Sam"],
    );
    assert!(
        set.status.success(),
        "{}",
        String::from_utf8_lossy(&set.stderr)
    );
    let out = p.run_as("sam secret", None, &["--as", "Sam", "today", "--json"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["clinician"], "Sam");
    assert_eq!(v["logged"].as_array().unwrap().len(), 1);
    // Sam may not look at Dana's day, nor anyone's without saying who he is.
    for args in [
        vec!["--as", "Sam", "today", "--clinician", "Dana"],
        vec!["today"],
    ] {
        let out = p.run_as("sam secret", None, &args);
        assert_eq!(out.status.code(), Some(1), "{args:?}");
    }
    // The admin may.
    let out = p.run_as(
        "boss secret",
        None,
        &["--as", "Boss", "today", "--clinician", "Dana", "--json"],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // And the value report follows the same rule.
    let out = p.run_as(
        "sam secret",
        None,
        &["--as", "Sam", "report", "value", "--json"],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["clinician"], "Sam");
    let out = p.run_as(
        "sam secret",
        None,
        &["--as", "Sam", "report", "value", "--clinician", "Dana"],
    );
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn every_critical_client_is_listed_and_the_other_lists_make_room() {
    // Twelve clients with a safety flag (the old check-in named five and "… and 7 more"),
    // each also due for a contact tomorrow-ish, so the other lists compete for the room.
    let p = Practice::new();
    p.ok(&["clinician", "add", "Dana", "--hourly-cost", "90"]);
    for i in 0..12 {
        let name = format!("Client{i:02} Safety");
        p.ok(&[
            "client",
            "add",
            &name,
            "--tier",
            "high",
            "--since",
            "2026-10-01",
        ]);
        p.ok(&[
            "measure",
            &name,
            "--instrument",
            "phq9",
            "--items",
            "2,2,2,2,2,2,2,1,1",
            "--date",
            "2026-11-20",
        ]);
        p.log(&name, "session", "2026-11-17", "50", "completed");
        p.log(&name, "phone", "2026-11-23", "10", "completed");
    }
    let text = p.ok(&["today"]);
    assert!(text.contains("Critical flags (12 clients):"), "{text}");
    for i in 0..12 {
        assert!(
            text.contains(&format!("Client{i:02} Safety (high) — safety")),
            "{text}"
        );
    }
    let critical: Vec<&str> = text
        .lines()
        .skip_while(|l| !l.starts_with("Critical flags"))
        .skip(1)
        .take_while(|l| l.starts_with("  #"))
        .collect();
    assert_eq!(critical.len(), 12, "{text}");
    // The logged list (12 clients) is cut to make room, and the whole still fits a screen.
    assert!(text.contains("… and "), "{text}");
    assert!(
        text.lines().count() <= 40,
        "{} lines:\n{text}",
        text.lines().count()
    );
}

#[test]
fn counts_read_in_the_singular_for_one() {
    let p = Practice::new();
    p.ok(&["clinician", "add", "Dana"]);
    p.ok(&["client", "add", "Ann Able", "--since", "2026-01-01"]);
    p.ok(&["client", "add", "Bo Baker", "--since", "2026-01-01"]);
    p.log("Ann", "session", "2026-11-23", "50", "completed");
    p.measure("Ann", "phq9", "3", "2026-11-23");
    let text = p.ok(&["today"]);
    assert!(
        text.contains("Logged today: 1 encounter for 1 client, 50 min"),
        "{text}"
    );
    // Bo (never seen since January) carries a warning: "1 more client carries".
    assert!(
        text.contains("1 more client carries warning flags"),
        "{text}"
    );
    p.log("Bo", "session", "2026-11-23", "50", "completed");
    p.log("Bo", "phone", "2026-11-23", "5", "completed");
    let text = p.ok(&["today"]);
    assert!(
        text.contains("Logged today: 3 encounters for 2 clients, 105 min"),
        "{text}"
    );
}
