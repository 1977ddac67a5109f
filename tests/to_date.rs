//! The month to date through the real binary (issue 15): the current month's revenue is its
//! capitation share through today (the check-in's sharing out by day), marked "to date" in the
//! table, the JSON and the CSV; a past month is whole and not to date.
#![allow(clippy::unwrap_used)] // A failed unwrap in a test is a failed test, with its message.

mod common;
use common::Practice;
use serde_json::Value;

/// One clinician at $60/h, ten members at $30.00 PMPM (first-of-month) since January, and one
/// 60-minute session ($60) on November 1st: November's capitation is $300, $10 a day.
fn practice(today: &'static str) -> Practice {
    let p = Practice::on(today);
    p.admin("Solo", "60");
    p.capitation("Cap", "30", &[]);
    for i in 0..10 {
        p.ok(&[
            "client",
            "add",
            &format!("Member {i}"),
            "--since",
            "2026-01-01",
            "--contract",
            "Cap",
        ]);
    }
    p.log("Member 0", "session", "2026-11-01", "60", "completed");
    p
}

fn november(p: &Practice) -> (Value, Value) {
    let v = p.json(&[
        "report", "revenue", "--from", "2026-10", "--to", "2026-11", "--json",
    ]);
    let rows = v["rows"].as_array().unwrap().clone();
    assert_eq!(rows[1]["month"], "2026-11");
    (rows[1].clone(), v)
}

#[test]
fn on_the_first_the_month_is_one_days_share_to_date() {
    let p = practice("2026-11-01");
    let (nov, v) = november(&p);
    // Not $300 against $60 (a $240 margin on day one): $10, today's share, as `today` has it.
    assert_eq!(nov["gross_cents"], 1000);
    assert_eq!(nov["cost_cents"], 6000);
    assert_eq!(nov["margin_cents"], -5000);
    assert_eq!(nov["to_date"], true);
    assert_eq!(v["rows"][0]["to_date"], false, "October is whole");
    assert_eq!(v["rows"][0]["gross_cents"], 30000);
    assert_eq!(v["total"]["to_date"], true);
    assert_eq!(
        v["month_to_date"],
        serde_json::json!({"month": "2026-11", "days": 1, "of": 30})
    );
    let today = p.json(&["today", "--json"]);
    assert_eq!(today["capitation_today_cents"], nov["gross_cents"]);
}

#[test]
fn mid_month_and_the_last_day() {
    let (nov, _) = november(&practice("2026-11-15"));
    assert_eq!(
        (nov["gross_cents"].as_i64(), nov["to_date"].as_bool()),
        (Some(15_000), Some(true))
    );
    // The last day: the whole month, still to date (the day is not over).
    let (nov, _) = november(&practice("2026-11-30"));
    assert_eq!(
        (nov["gross_cents"].as_i64(), nov["to_date"].as_bool()),
        (Some(30_000), Some(true))
    );
    assert_eq!(nov["member_months"], 10.0);
}

#[test]
fn a_past_month_is_whole_and_not_to_date() {
    let p = practice("2026-12-01");
    let (nov, v) = november(&p);
    assert_eq!(nov["gross_cents"], 30_000);
    assert_eq!(nov["to_date"], false);
    assert!(v.get("month_to_date").is_none(), "{v}");
    let table = p.ok(&["report", "revenue", "--from", "2026-10", "--to", "2026-11"]);
    assert!(!table.contains("to date:"), "{table}");
}

#[test]
fn the_table_and_the_csv_mark_the_month_to_date() {
    let p = practice("2026-11-15");
    let table = p.ok(&["report", "revenue", "--from", "2026-10", "--to", "2026-11"]);
    let row = table.lines().find(|l| l.starts_with("2026-11")).unwrap();
    assert!(
        row.contains("$150.00") && row.contains("to date"),
        "{table}"
    );
    assert!(
        table.contains(
            "2026-11 to date: capitation for 15 of 30 days against the time logged so far"
        ),
        "{table}"
    );
    let csv = p.ok(&[
        "report", "revenue", "--from", "2026-10", "--to", "2026-11", "--csv",
    ]);
    let lines: Vec<&str> = csv.lines().collect();
    assert!(lines[0].ends_with(",to_date"), "{csv}");
    assert!(
        lines[1].starts_with("2026-10,") && lines[1].ends_with(",false"),
        "{csv}"
    );
    assert!(
        lines[2].starts_with("2026-11,5,15000,") && lines[2].ends_with(",true"),
        "{csv}"
    );
}
