//! `caseload flags` and `client show` through the real binary: a small practice built only with
//! the CLI, compared field by field with what SPEC section 4 says it must show; and the demo
//! practice, which must show every kind of flag.
#![allow(clippy::unwrap_used)] // A failed unwrap in a test is a failed test, with its message.

mod common;
use common::Practice;
use serde_json::{Value, json};

const TODAY: &str = "2026-06-30";

/// Runs `caseload ARGS` on the practice, one command per line of `script`.
fn run_script(db: &Practice, script: &str) {
    for line in script.lines().map(str::trim).filter(|l| !l.is_empty()) {
        let args: Vec<String> = split(line);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        db.ok(&args);
    }
}

/// Splits a line on spaces, keeping "quoted words" together.
fn split(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut word = String::new();
    let mut quoted = false;
    for c in line.chars() {
        match c {
            '"' => quoted = !quoted,
            ' ' if !quoted => {
                if !word.is_empty() {
                    out.push(std::mem::take(&mut word));
                }
            }
            c => word.push(c),
        }
    }
    if !word.is_empty() {
        out.push(word);
    }
    out
}

/// A practice where each client exercises one or two rules, as of 2026-06-30.
fn practice() -> Practice {
    let db = Practice::on(TODAY);
    run_script(
        &db,
        r#"
        clinician add "Dana Reyes"
        clinician add "Sam Okafor"
        client add "Ann Lee" --external-id M-1001 --tier high --clinician "Dana Reyes" --since 2026-01-05
        log Ann --kind intake --minutes 60 --date 2026-01-05
        measure Ann --instrument phq9 --score 20 --date 2026-01-05
        log Ann --kind session --minutes 50 --date 2026-06-20
        measure Ann --instrument phq9 --items 2,2,2,2,1,1,1,0,1 --date 2026-06-20
        client add "Bo Diaz" --external-id M-1002 --clinician "Sam Okafor" --since 2026-05-01
        log Bo --kind intake --date 2026-05-02
        event Bo --kind inpatient-discharge --date 2026-06-20
        log Bo --kind session --date 2026-06-20
        measure Bo --instrument phq9 --score 8 --date 2026-06-20
        client add "Cy Young" --external-id M-1003 --tier low --clinician "Dana Reyes" --since 2026-06-01
        log Cy --kind outreach --minutes 5 --date 2026-06-05
        client add "Di Park" --clinician "Sam Okafor" --since 2026-03-01
        log Park --kind intake --date 2026-03-02
        log Park --kind session --date 2026-06-25
        log Park --kind session --status no-show --date 2026-06-26
        log Park --kind telehealth --status cancelled --date 2026-06-28
        client add "Ed Stone" --clinician "Dana Reyes" --since 2026-01-01
        log Ed --kind intake --date 2026-01-02
        measure Ed --instrument phq9 --score 18 --date 2026-01-02
        log Ed --kind session --date 2026-06-29
        measure Ed --instrument phq9 --score 4 --date 2026-06-29
        client add "Flo Grant" --clinician "Sam Okafor" --since 2026-01-01
        log Flo --kind intake --date 2026-01-02
        measure Flo --instrument gad7 --score 12 --date 2026-04-01
        log Flo --kind session --date 2026-06-29
        client add "Gus Hall" --clinician "Dana Reyes" --since 2026-01-01
        log Gus --kind intake --date 2026-01-02
        client discharge Gus --date 2026-02-01
        client add "Ivy Jones" --tier high --clinician "Dana Reyes" --since 2026-06-01
        log Ivy --kind intake --date 2026-06-23
        measure Ivy --instrument phq9 --score 5 --date 2026-06-23
        client add "Kim Nash" --tier low --clinician "Dana Reyes" --since 2026-06-01
        client add "Jo Nash" --tier low --clinician "Dana Reyes" --since 2026-06-01
        "#,
    );
    db
}

/// A flag as `flags --json` prints it; unreviewed (SPEC section 11: `"review": null`).
fn flag(kind: &str, severity: &str, due: Option<&str>, overdue: i64, reason: &str) -> Value {
    json!({"kind": kind, "severity": severity, "due": due, "days_overdue": overdue, "reason": reason, "review": null})
}

fn client(
    name: &str,
    external_id: Option<&str>,
    tier: &str,
    clinician: &str,
    flags: Vec<Value>,
) -> Value {
    // Nothing is booked in this practice (SPEC section 10: `"next_appointment": null`).
    json!({"external_id": external_id, "name": name, "tier": tier, "clinician": clinician, "flags": flags, "next_appointment": null})
}

fn expected() -> Vec<Value> {
    let never_seen = |name: &str, ext: Option<&str>| {
        client(
            name,
            ext,
            "low",
            "Dana Reyes",
            vec![flag(
                "never_seen",
                "warning",
                Some("2026-06-15"),
                15,
                "on the panel since 2026-06-01 (29 days) with no contact; first contact due within 14",
            )],
        )
    };
    vec![
        client(
            "Ann Lee",
            Some("M-1001"),
            "high",
            "Dana Reyes",
            vec![
                flag(
                    "safety",
                    "critical",
                    Some("2026-06-20"),
                    10,
                    "PHQ-9 item 9 (self-harm) = 1 on 2026-06-20 (total 12); review safety",
                ),
                flag(
                    "contact_overdue",
                    "warning",
                    Some("2026-06-27"),
                    3,
                    "last contact 2026-06-20 (10 days ago; high tier: every 7)",
                ),
                flag(
                    "not_improving",
                    "warning",
                    Some("2026-03-16"),
                    106,
                    "PHQ-9 20 → 12 (−40%) at week 23; target −50% by week 10",
                ),
            ],
        ),
        client(
            "Bo Diaz",
            Some("M-1002"),
            "moderate",
            "Sam Okafor",
            vec![flag(
                "post_discharge",
                "critical",
                Some("2026-06-27"),
                3,
                "discharged 2026-06-20; follow-up due by 2026-06-27 (7-day)",
            )],
        ),
        client(
            "Di Park",
            None,
            "moderate",
            "Sam Okafor",
            vec![
                flag(
                    "no_baseline",
                    "warning",
                    Some("2026-03-02"),
                    120,
                    "first contact 2026-03-02; no outcome measure recorded since",
                ),
                flag(
                    "disengaged",
                    "warning",
                    Some("2026-06-28"),
                    2,
                    "last two scheduled contacts missed: no-show 2026-06-26, cancelled 2026-06-28",
                ),
            ],
        ),
        client(
            "Flo Grant",
            None,
            "moderate",
            "Sam Okafor",
            vec![
                flag(
                    "measure_overdue",
                    "warning",
                    Some("2026-05-01"),
                    60,
                    "last measured 2026-04-01 (90 days ago; every 30)",
                ),
                flag(
                    "not_improving",
                    "warning",
                    Some("2026-06-10"),
                    20,
                    "GAD-7 baseline 12 on 2026-04-01, not re-measured in 12 weeks; target −50% by week 10",
                ),
            ],
        ),
        never_seen("Cy Young", Some("M-1003")),
        never_seen("Jo Nash", None),
        never_seen("Kim Nash", None),
        client(
            "Ed Stone",
            None,
            "moderate",
            "Dana Reyes",
            vec![flag(
                "remission",
                "info",
                None,
                0,
                "PHQ-9 18 → 4 (below 5) on 2026-06-29; consider step-down",
            )],
        ),
    ]
}

/// The JSON without the database ids, which depend on insertion order.
fn without_ids(rows: &Value) -> Vec<Value> {
    rows.as_array()
        .unwrap()
        .iter()
        .map(|row| {
            let mut row = row.clone();
            let id = row.as_object_mut().unwrap().remove("client_id");
            assert!(id.is_some_and(|id| id.is_i64()), "client_id is a number");
            row
        })
        .collect()
}

#[test]
fn flags_json_matches_the_spec_field_by_field() {
    let db = practice();
    let got = without_ids(&db.json(&["flags", "--json"]));
    let want = expected();
    assert_eq!(got.len(), want.len(), "{got:#?}");
    for (got, want) in got.iter().zip(&want) {
        assert_eq!(got, want);
    }
    // The ids are the clients' own.
    let rows = db.json(&["flags", "--json"]);
    let ann = db.json(&["client", "show", "M-1001", "--json"]);
    assert_eq!(rows[0]["client_id"], ann["client"]["id"]);
}

#[test]
fn flags_follow_the_intervals_in_the_database() {
    let db = practice();
    db.ok(&["config", "set", "contact-days.high", "10"]);
    let rows = db.json(&["flags", "--json"]);
    let ann = &rows[0];
    assert_eq!(ann["name"], "Ann Lee");
    let kinds: Vec<&str> = ann["flags"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        ["safety", "not_improving"],
        "day 10 of 10 is not overdue"
    );
    db.ok(&["config", "set", "contact-days.high", "9"]);
    assert_eq!(
        db.json(&["flags", "--json"])[0]["flags"][1]["reason"],
        "last contact 2026-06-20 (10 days ago; high tier: every 9)"
    );
}

#[test]
fn a_follow_up_contact_the_next_day_clears_post_discharge() {
    let db = practice();
    db.ok(&["log", "Bo", "--kind", "phone", "--date", "2026-06-21"]);
    let rows = db.json(&["flags", "--json"]);
    assert!(
        rows.as_array()
            .unwrap()
            .iter()
            .all(|r| r["name"] != "Bo Diaz")
    );
}

#[test]
fn a_score_only_phq9_after_an_item_nine_positive_one_clears_safety() {
    let db = practice();
    db.measure("Ann", "phq9", "12", "2026-06-21");
    let rows = db.json(&["flags", "--json"]);
    let ann = rows
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == "Ann Lee")
        .unwrap();
    let kinds: Vec<&str> = ann["flags"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["contact_overdue", "not_improving"]);
    assert_eq!(rows[0]["name"], "Bo Diaz", "Ann is no longer critical");
}

#[test]
fn flags_for_one_clinician() {
    let db = practice();
    let rows = db.json(&["flags", "--clinician", "sam okafor", "--json"]);
    let names: Vec<&str> = rows
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Bo Diaz", "Di Park", "Flo Grant"]);
}

#[test]
fn flags_as_a_table_and_as_csv() {
    let db = practice();
    let text = db.ok(&["flags"]);
    let lines: Vec<&str> = text.lines().collect();
    for header in [
        "severity",
        "client",
        "tier",
        "flag",
        "due",
        "days overdue",
        "reason",
    ] {
        assert!(lines[0].contains(header), "{}", lines[0]);
    }
    assert!(lines[2].starts_with("critical") && lines[2].contains("Ann Lee"));
    assert!(text.contains("follow-up due by 2026-06-27 (7-day)"));
    assert_eq!(
        lines.last().unwrap(),
        &"12 flags on 8 of 9 active clients: 1 safety, 1 post-discharge follow-up, \
          3 never seen, 1 contact overdue, 1 no baseline, 1 measure overdue, 2 not improving, \
          1 disengaged, 1 remission"
    );

    let csv = db.ok(&["flags", "--csv"]);
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    let headers: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    assert_eq!(
        headers,
        [
            "client_id",
            "external_id",
            "name",
            "tier",
            "clinician",
            "kind",
            "severity",
            "due",
            "days_overdue",
            "reason"
        ]
    );
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.unwrap()).collect();
    assert_eq!(rows.len(), 12, "one row per flag");
    assert_eq!(&rows[0][2], "Ann Lee");
    assert_eq!(&rows[0][5], "safety");
    let remission = rows.last().unwrap();
    assert_eq!(
        (&remission[5], &remission[7], &remission[8]),
        ("remission", "", "0")
    );
}

#[test]
fn client_show_gives_flags_and_outcomes() {
    let db = practice();
    let text = db.ok(&["client", "show", "Ann"]);
    assert!(text.contains("Flags"));
    assert!(text.contains("PHQ-9 20 → 12 (−40%) at week 23; target −50% by week 10"));
    assert!(text.contains("20 severe (2026-01-05)"), "{text}");
    assert!(text.contains("12 moderate (2026-06-20)"), "{text}");

    let show = db.json(&["client", "show", "Ann", "--json"]);
    // The same flags as `flags --json`, each with its review (null: none silenced it).
    assert_eq!(show["flags"], json!(expected()[0]["flags"]));
    assert_eq!(
        show["outcomes"][0],
        json!({"instrument": "phq9", "name": "PHQ-9", "count": 2,
               "baseline": 20, "baseline_date": "2026-01-05", "baseline_band": "severe",
               "latest": 12, "latest_date": "2026-06-20", "latest_band": "moderate",
               "change": -8, "improvement": 8,
               "response": false, "remission": false, "reliable_improvement": true})
    );
    let ed = db.json(&["client", "show", "Ed Stone", "--json"]);
    assert_eq!(ed["outcomes"][0]["remission"], true);
    assert_eq!(ed["outcomes"][0]["response"], true);
    let gus = db.ok(&["client", "show", "Gus"]);
    assert!(
        gus.contains("none (discharged clients carry no flags)"),
        "{gus}"
    );
}

#[test]
fn bad_input_is_refused_cleanly() {
    let db = practice();
    let out = db
        .cmd()
        .args(["flags", "--clinician", "Nobody"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(stderr.trim_end().lines().count(), 1, "{stderr}");
    let out = db
        .cmd()
        .args(["flags", "--json", "--csv"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "a usage error");
    let out = db
        .cmd()
        .args(["flags", "--today", "2026-02-30"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn an_empty_practice_has_no_flags() {
    let db = Practice::on(TODAY);
    assert_eq!(db.json(&["flags", "--json"]), json!([]));
    assert!(db.ok(&["flags"]).starts_with("No flags"));
}

#[test]
fn the_demo_practice_shows_every_kind_of_flag() {
    let db = Practice::on(TODAY);
    db.ok(&["demo"]);
    let rows = db.json(&["flags", "--json"]);
    let rows = rows.as_array().unwrap();
    let mut seen = std::collections::BTreeSet::new();
    for row in rows {
        for f in row["flags"].as_array().unwrap() {
            seen.insert(f["kind"].as_str().unwrap().to_string());
            assert!(f["days_overdue"].as_i64().unwrap() >= 0);
        }
    }
    let all = [
        "safety",
        "post_discharge",
        "never_seen",
        "contact_overdue",
        "no_baseline",
        "measure_overdue",
        "not_improving",
        "disengaged",
        "remission",
    ];
    for kind in all {
        assert!(
            seen.contains(kind),
            "the demo shows no {kind} flag: {seen:?}"
        );
    }
    // Priority order: severities never get better further down.
    let rank = |row: &Value| {
        row["flags"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| match f["severity"].as_str().unwrap() {
                "critical" => 0,
                "warning" => 1,
                _ => 2,
            })
            .min()
            .unwrap()
    };
    assert!(rows.windows(2).all(|w| rank(&w[0]) <= rank(&w[1])));
}

#[test]
fn the_flags_summary_counts_in_words_that_agree() {
    let p = Practice::on(TODAY);
    assert_eq!(
        p.ok(&["flags"]).trim_end(),
        "No flags: there are no active clients."
    );
    p.ok(&["clinician", "add", "Solo Practitioner"]);
    p.ok(&["client", "add", "Una Ward", "--since", "2026-06-28"]);
    assert_eq!(
        p.ok(&["flags"]).trim_end(),
        "No flags: the one active client is up to date."
    );
    p.ok(&["client", "add", "Vic Orr", "--since", "2026-06-01"]);
    let text = p.ok(&["flags"]);
    assert_eq!(
        text.lines().last().unwrap(),
        "1 flag on 1 of 2 active clients: 1 never seen"
    );
}
