//! `caseload report value` through the real binary on a small hand-built practice whose every
//! figure is worked out by hand (SPEC section 7), including each boundary the issue names.
#![allow(clippy::unwrap_used)] // A failed unwrap in a test is a failed test, with its message.

mod common;
use common::Practice;
use serde_json::json;

fn practice() -> Practice {
    let p = Practice::new();
    p.ok(&["clinician", "add", "Solo"]);
    for (name, since) in [
        ("Ann Able", "2026-10-01"),
        ("Bo Baker", "2026-10-01"),
        ("Cy Cole", "2026-01-01"),
        ("Di Dunn", "2026-02-01"),
        ("Ed Eads", "2026-03-01"),
    ] {
        p.ok(&["client", "add", name, "--since", since]);
    }
    // Every visit takes 50 minutes.
    let log =
        |who: &str, kind: &str, date: &str, status: &str| p.log(who, kind, date, "50", status);
    log("Able", "intake", "2026-10-15", "completed"); // first seen on day 14
    log("Baker", "intake", "2026-10-16", "completed"); // first seen on day 15
    log("Cole", "intake", "2026-01-05", "completed");
    log("Cole", "session", "2026-10-05", "completed"); // on the event day: does not count
    log("Cole", "session", "2026-10-13", "completed"); // event + 8 days
    log("Dunn", "intake", "2026-02-02", "completed");
    log("Dunn", "session", "2026-10-10", "no-show");
    log("Dunn", "session", "2026-10-12", "cancelled");
    log("Dunn", "session", "2026-10-20", "completed");
    log("Dunn", "phone", "2026-11-17", "completed"); // event + 7 days
    log("Eads", "intake", "2026-03-02", "completed");
    log("Dunn", "coordination", "2026-10-21", "completed"); // not a contact kind: not in show rate
    p.ok(&[
        "event",
        "Cole",
        "--kind",
        "ed-visit",
        "--date",
        "2026-10-05",
    ]);
    p.ok(&[
        "event",
        "Dunn",
        "--kind",
        "inpatient-discharge",
        "--date",
        "2026-11-10",
    ]);
    p.measure("Cole", "phq9", "20", "2026-01-05");
    p.measure("Cole", "phq9", "10", "2026-11-01");
    p.measure("Dunn", "phq9", "12", "2026-02-02");
    p.measure("Dunn", "phq9", "4", "2026-11-02");
    p.measure("Able", "srs", "36", "2026-10-15");
    p.measure("Able", "srs", "37", "2026-11-01");
    p.ok(&["client", "discharge", "Eads", "--date", "2026-06-01"]);
    p
}

#[test]
fn report_value_json_figure_by_figure() {
    let p = practice();
    let v = p.json(&[
        "report",
        "value",
        "--from",
        "2026-10-01",
        "--to",
        "2026-11-23",
        "--json",
    ]);
    assert_eq!(v["from"], "2026-10-01");
    assert_eq!(v["to"], "2026-11-23");
    // Ann (14 days) and Bo (15 days) were first seen in the period.
    assert_eq!(
        v["access"],
        json!({"first_seen": 2, "median_days_to_first_contact": 14.5, "seen_within_14": {"n": 1, "of": 2}})
    );
    // 8 contact-kind encounters in the period, 6 completed; the 4 active clients all contacted.
    assert_eq!(
        v["engagement"],
        json!({"show_rate": {"n": 6, "of": 8}, "contacted": {"n": 4, "of": 4}})
    );
    // Measured: Ann (SRS), Cy, Di of the 4 active. Cy 20→10 (exactly 50%: a response, not a
    // remission, reliable), Di 12→4 (response, remission, reliable).
    assert_eq!(
        v["outcomes"],
        json!({"measured": {"n": 3, "of": 4}, "response": {"n": 2, "of": 2},
               "remission": {"n": 1, "of": 2}, "reliable_improvement": {"n": 2, "of": 2}})
    );
    assert_eq!(v["experience"], json!({"srs_mean": 36.5, "srs_count": 2}));
    // Cy's ED visit: contact on the day (ignored) and on day 8; Di's discharge: contact on day 7.
    assert_eq!(
        v["post_discharge"],
        json!({"events": 2, "followed_7": {"n": 1, "of": 2}, "followed_30": {"n": 2, "of": 2}})
    );
    // The previous period of equal length (54 days) holds nothing but two active clients.
    let prev = &v["previous"];
    assert_eq!(prev["from"], "2026-08-08");
    assert_eq!(prev["to"], "2026-09-30");
    assert_eq!(prev["access"]["first_seen"], 0);
    assert_eq!(
        prev["access"]["median_days_to_first_contact"],
        serde_json::Value::Null
    );
    assert_eq!(prev["engagement"]["show_rate"], json!({"n": 0, "of": 0}));
    assert_eq!(prev["engagement"]["contacted"], json!({"n": 0, "of": 2}));
    assert_eq!(prev["outcomes"]["response"], json!({"n": 0, "of": 0}));
    assert_eq!(prev["experience"]["srs_mean"], serde_json::Value::Null);
}

#[test]
fn report_value_reads_as_rates_with_their_counts() {
    let p = practice();
    let text = p.ok(&[
        "report",
        "value",
        "--from",
        "2026-10-01",
        "--to",
        "2026-11-23",
    ]);
    assert!(text.contains("6 of 8, 75%"), "{text}");
    assert!(
        text.contains("n/a"),
        "an empty denominator reads n/a: {text}"
    );
    assert!(!text.contains("NaN"), "{text}");
}

#[test]
fn report_value_refuses_bad_periods() {
    let p = practice();
    let before = p.dump();
    p.refused(&[
        "report",
        "value",
        "--from",
        "2026-11-24",
        "--to",
        "2026-11-23",
    ]);
    p.refused(&["report", "value", "--from", "2026-02-30"]);
    p.refused(&["report", "value", "--clinician", "Nobody"]);
    assert_eq!(before, p.dump());
}

#[test]
fn an_empty_period_is_all_n_a() {
    let p = Practice::new();
    p.ok(&["clinician", "add", "Solo"]);
    let v = p.json(&["report", "value", "--json"]);
    assert_eq!(v["engagement"]["contacted"], json!({"n": 0, "of": 0}));
    assert_eq!(v["experience"]["srs_mean"], serde_json::Value::Null);
    let text = p.ok(&["report", "value"]);
    assert!(!text.contains("NaN") && !text.contains("0%"), "{text}");
}

#[test]
fn report_value_csv_has_a_row_per_measure_then_the_fairness_rows() {
    let p = practice();
    let csv = p.ok(&[
        "report",
        "value",
        "--from",
        "2026-10-01",
        "--to",
        "2026-11-23",
        "--csv",
    ]);
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    assert_eq!(
        &header[..10],
        [
            "part",
            "section",
            "measure",
            "value",
            "n",
            "of",
            "previous_value",
            "previous_n",
            "previous_of",
            "change_points"
        ]
    );
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.unwrap()).collect();
    let measures: Vec<&csv::StringRecord> = rows.iter().filter(|r| &r[0] == "measure").collect();
    // The same rows as the table's, each naming its section.
    let text = p.ok(&[
        "report",
        "value",
        "--from",
        "2026-10-01",
        "--to",
        "2026-11-23",
    ]);
    for m in &measures {
        assert!(!m[1].is_empty(), "{m:?}");
        assert!(text.contains(&m[2]), "{} is in the table", &m[2]);
    }
    let show = measures.iter().find(|r| &r[2] == "show rate").unwrap();
    assert_eq!((&show[3], &show[4], &show[5]), ("75.0", "6", "8"));
    // The previous period had no one to count: empty, never NaN.
    assert_eq!((&show[6], &show[7], &show[8], &show[9]), ("", "0", "0", ""));
    let fairness: Vec<&csv::StringRecord> = rows.iter().filter(|r| &r[0] == "fairness").collect();
    assert!(
        fairness
            .iter()
            .any(|r| &r[1] == "tier" && &r[2] == "moderate"),
        "{csv}"
    );
    assert!(fairness.iter().any(|r| &r[1] == "baseline PHQ-9"), "{csv}");
    assert!(!csv.contains("NaN"), "{csv}");
    // Like the other reports, --csv and --json do not mix.
    let out = p
        .cmd()
        .args(["report", "value", "--csv", "--json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}
