//! Contracts as payers write them (SPEC section 12), through the real binary, every figure
//! worked by hand: the 15th rule, case rates by diagnosis, quality targets with the withhold's
//! earn-back among the contract's members, and the coding self-audit.
#![allow(clippy::unwrap_used)] // A failed unwrap in a test is a failed test, with its message.

mod common;

use common::Practice;
use serde_json::Value;

/// Today is 2026-11-23.
fn practice() -> Practice {
    let p = Practice::new();
    p.admin("Dana Reyes", "60");
    p
}

fn row<'a>(report: &'a Value, key: &str, value: &str) -> &'a Value {
    report["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r[key] == value)
        .unwrap_or_else(|| panic!("no row {key} = {value} in {report}"))
}

#[test]
fn mid_month_counts_a_month_whose_fifteenth_is_attributed() {
    let p = practice();
    p.capitation("Mid", "40", &["--proration", "mid-month"]);
    // Ann 03-15 … 05-14: March counts, April counts, May does not (ends before the 15th).
    // Bo 03-16 open: March does not count; April and May do.
    for (name, from, to) in [
        ("Ann Lee", "2026-03-15", Some("2026-05-14")),
        ("Bo Chen", "2026-03-16", None),
    ] {
        p.ok(&["client", "add", name, "--since", from]);
        let mut args = vec!["attribute", name, "--contract", "Mid", "--from", from];
        if let Some(to) = to {
            args.extend(["--to", to]);
        }
        p.ok(&args);
    }
    let report = p.json(&[
        "report", "revenue", "--from", "2026-03", "--to", "2026-05", "--json",
    ]);
    let mm: Vec<f64> = ["2026-03", "2026-04", "2026-05"]
        .iter()
        .map(|m| row(&report, "month", m)["member_months"].as_f64().unwrap())
        .collect();
    assert_eq!(mm, [1.0, 2.0, 1.0]);
    assert_eq!(row(&report, "month", "2026-04")["gross_cents"], 8000);
    let shown = p.ok(&["contract", "show", "Mid"]);
    assert!(shown.contains("proration mid-month"), "{shown}");
}

#[test]
fn a_case_rate_by_diagnosis_pays_the_longest_matching_prefix() {
    let p = practice();
    p.ok(&[
        "contract",
        "add",
        "EAP",
        "--model",
        "case-rate",
        "--rate",
        "500",
        "--withhold",
        "10",
    ]);
    p.ok(&[
        "contract",
        "rate",
        "EAP",
        "--rate",
        "600",
        "--from",
        "2026-01-01",
        "--diagnosis",
        "F32",
    ]);
    p.ok(&[
        "contract",
        "rate",
        "EAP",
        "--rate",
        "800",
        "--from",
        "2026-01-01",
        "--diagnosis",
        "f32.2",
    ]);
    p.ok(&[
        "contract",
        "rate",
        "EAP",
        "--rate",
        "900",
        "--from",
        "2026-06-01",
        "--diagnosis",
        "F322",
    ]);
    // Episodes: F32.2 in March ($800), F32.2 in June ($900 from the later rate), F32.1 ($600),
    // F41.1 ($500, no prefix matches), and one coded at attribution over the client's own.
    for (name, dx) in [
        ("Ann Lee", "F32.2"),
        ("Bo Chen", "F32.1"),
        ("Cy Diaz", "F41.1"),
        ("Di Fox", "F41.1"),
    ] {
        p.ok(&[
            "client",
            "add",
            name,
            "--diagnosis",
            dx,
            "--since",
            "2026-01-01",
        ]);
    }
    p.ok(&[
        "attribute",
        "ann",
        "--contract",
        "EAP",
        "--from",
        "2026-03-02",
        "--to",
        "2026-03-31",
    ]);
    p.ok(&[
        "attribute",
        "ann",
        "--contract",
        "EAP",
        "--from",
        "2026-06-01",
    ]);
    p.ok(&[
        "attribute",
        "bo",
        "--contract",
        "EAP",
        "--from",
        "2026-03-10",
    ]);
    p.ok(&[
        "attribute",
        "cy",
        "--contract",
        "EAP",
        "--from",
        "2026-03-20",
    ]);
    let out = p.ok(&[
        "attribute",
        "fox",
        "--contract",
        "EAP",
        "--from",
        "2026-03-25",
        "--diagnosis",
        "F32.2",
    ]);
    assert!(out.contains("(diagnosis F32.2)"), "{out}");
    let report = p.json(&[
        "report", "revenue", "--from", "2026-03", "--to", "2026-06", "--json",
    ]);
    assert_eq!(
        row(&report, "month", "2026-03")["gross_cents"],
        80_000 + 60_000 + 50_000 + 80_000
    );
    assert_eq!(row(&report, "month", "2026-06")["gross_cents"], 90_000);
    assert_eq!(row(&report, "month", "2026-06")["withhold_cents"], 9_000);
    let shown = p.ok(&["contract", "show", "EAP"]);
    assert!(shown.contains("diagnosis F322…"), "{shown}");
    // Refusals write nothing.
    p.capitation("Cap", "40", &[]);
    let before = p.dump();
    let err = p.refused(&[
        "contract",
        "rate",
        "Cap",
        "--rate",
        "1",
        "--from",
        "2026-01-01",
        "--diagnosis",
        "F32",
    ]);
    assert!(err.contains("case-rate"), "{err}");
    let err = p.refused(&[
        "contract",
        "rate",
        "EAP",
        "--rate",
        "1",
        "--from",
        "2026-01-01",
        "--diagnosis",
        "32F",
    ]);
    assert!(err.contains("not an ICD-10 code"), "{err}");
    let err = p.refused(&[
        "attribute",
        "bo",
        "--contract",
        "Cap",
        "--from",
        "2026-03-01",
        "--diagnosis",
        "hello",
    ]);
    assert!(err.contains("not an ICD-10 code"), "{err}");
    assert_eq!(p.dump(), before);
}

/// Members of "Harbor" (capitation $50, 4% withhold, first-of-month), from 2026-01-01:
/// Ann (contacted, measured), Bo (contacted), Cy (neither). Eve is not a member: her contact and
/// measurement must not count. The withhold: 3 members × 10 months (Jan–Oct) × $50 × 4% = $60.
fn harbor() -> Practice {
    let p = Practice::on("2026-10-20");
    p.admin("Dana Reyes", "60");
    p.capitation("Harbor", "50", &["--withhold", "4"]);
    p.capitation("Other", "50", &[]);
    for name in ["Ann Lee", "Bo Chen", "Cy Diaz"] {
        p.ok(&[
            "client",
            "add",
            name,
            "--since",
            "2026-01-01",
            "--contract",
            "Harbor",
        ]);
    }
    p.ok(&[
        "client",
        "add",
        "Eve Moss",
        "--since",
        "2026-01-01",
        "--contract",
        "Other",
    ]);
    p.log("ann", "session", "2026-02-02", "50", "completed");
    p.log("bo", "session", "2026-03-02", "50", "completed");
    p.log("eve", "session", "2026-03-02", "50", "completed");
    p.measure("ann", "phq9", "12", "2026-02-02");
    p.measure("eve", "phq9", "12", "2026-02-02");
    p
}

#[test]
fn report_contract_counts_members_only_and_earns_back_by_weight() {
    let p = harbor();
    p.ok(&[
        "contract",
        "target",
        "Harbor",
        "--measure",
        "contacted",
        "--at-least",
        "66",
        "--weight",
        "3",
    ]);
    p.ok(&[
        "contract",
        "target",
        "Harbor",
        "--measure",
        "measured",
        "--at-least",
        "50",
        "--weight",
        "2",
    ]);
    p.ok(&[
        "contract",
        "target",
        "Harbor",
        "--measure",
        "followed_7",
        "--at-least",
        "50",
        "--weight",
        "5",
    ]);
    let r = p.json(&["report", "contract", "Harbor", "--json"]);
    assert_eq!(
        (r["from"].as_str(), r["to"].as_str()),
        (Some("2026-01"), Some("2026-10"))
    );
    assert_eq!(r["withhold_cents"], 6_000);
    let t = |m: &str| {
        r["targets"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["measure"] == m)
            .unwrap()
            .clone()
    };
    // contacted 2 of 3 = 66.7% ≥ 66: met. measured 1 of 3 < 50%: not met, 1 more needed.
    // followed_7: no events, empty denominator, its weight counts neither way.
    assert_eq!(
        (t("contacted")["n"].as_i64(), t("contacted")["of"].as_i64()),
        (Some(2), Some(3))
    );
    assert_eq!(t("contacted")["met"], true);
    assert_eq!(
        (t("measured")["n"].as_i64(), t("measured")["of"].as_i64()),
        (Some(1), Some(3))
    );
    assert_eq!(t("measured")["met"], false);
    assert_eq!(t("measured")["more_needed"], 1);
    assert_eq!(t("followed_7")["met"], Value::Null);
    // $60.00 × 3 / (3 + 2) = $36.00 back, $24.00 at risk.
    assert_eq!(r["earn_back_cents"], 3_600);
    assert_eq!(r["at_risk_cents"], 2_400);
    let text = p.ok(&["report", "contract", "Harbor"]);
    assert!(text.contains("1 more measured would meet it"), "{text}");
    assert!(text.contains("earned back $36.00"), "{text}");

    // One half-cent: $60.00 × 3 / 7 = 2571.43 cents → $25.71 once (weights 3 met of 3+4).
    p.ok(&[
        "contract",
        "target",
        "Harbor",
        "--measure",
        "measured",
        "--at-least",
        "50",
        "--weight",
        "4",
    ]);
    let r = p.json(&["report", "contract", "Harbor", "--json"]);
    assert_eq!(r["earn_back_cents"], 2_571);
    assert_eq!(r["at_risk_cents"], 3_429);

    // A shorter period: from September only, no one was contacted or measured.
    let r = p.json(&[
        "report", "contract", "Harbor", "--from", "2026-09", "--json",
    ]);
    assert_eq!(r["withhold_cents"], 1_200);
    assert_eq!(r["earn_back_cents"], 0);

    // Removing targets; refusals write nothing.
    p.ok(&[
        "contract",
        "target",
        "Harbor",
        "--measure",
        "followed_7",
        "--remove",
    ]);
    let before = p.dump();
    for (args, why) in [
        (
            vec![
                "contract",
                "target",
                "Harbor",
                "--measure",
                "revenue",
                "--at-least",
                "5",
            ],
            "not a measure",
        ),
        (
            vec![
                "contract",
                "target",
                "Harbor",
                "--measure",
                "contacted",
                "--at-least",
                "101",
            ],
            "percentage",
        ),
        (
            vec![
                "contract",
                "target",
                "Harbor",
                "--measure",
                "contacted",
                "--at-least",
                "5",
                "--weight",
                "0",
            ],
            "1 to 100",
        ),
        (
            vec![
                "contract",
                "target",
                "Harbor",
                "--measure",
                "followed_7",
                "--remove",
            ],
            "no target",
        ),
        (
            vec![
                "report", "contract", "Harbor", "--from", "2026-09", "--to", "2026-08",
            ],
            "after it ends",
        ),
        (vec!["report", "contract", "Nobody"], "no contract"),
    ] {
        let err = p.refused(&args);
        assert!(err.to_lowercase().contains(why), "{args:?}: {err}");
    }
    assert_eq!(p.dump(), before);
    assert!(p.ok(&["audit", "report"]).contains("report.contract"));
}

#[test]
fn no_targets_means_nothing_comes_back() {
    let p = harbor();
    let r = p.json(&["report", "contract", "Harbor", "--json"]);
    assert_eq!(r["targets"], serde_json::json!([]));
    assert_eq!(
        (r["earn_back_cents"].as_i64(), r["at_risk_cents"].as_i64()),
        (Some(0), Some(6_000))
    );
}

#[test]
fn the_coding_audit_compares_coded_severity_with_the_baseline_phq9() {
    let p = Practice::on("2026-06-30");
    p.admin("Dana Reyes", "60");
    p.ok(&[
        "contract",
        "add",
        "EAP",
        "--model",
        "case-rate",
        "--rate",
        "500",
    ]);
    // Episodes start 2026-05-01; the value period is 2026-04-01 … 2026-06-30.
    // Ann F32.2 severe, PHQ-9 14 on the 30th day before: a mismatch (below 15).
    // Bo  F32.2 severe, PHQ-9 15 on the 30th day after: no mismatch.
    // Cy  F32.1 moderate, PHQ-9 9 on the 31st day after: outside the window, no baseline.
    // Di  F33.1 moderate, PHQ-9 9 at the start: a mismatch (below 10).
    // Ed  F32.0 mild; Fa F41.1 other; Gus F32.2 in the previous period.
    for (name, dx, score, date) in [
        ("Ann Lee", "F32.2", "14", "2026-04-01"),
        ("Bo Chen", "F32.2", "15", "2026-05-31"),
        ("Cy Diaz", "F32.1", "9", "2026-06-01"),
        ("Di Fox", "F33.1", "9", "2026-05-01"),
        ("Ed Gray", "F32.0", "3", "2026-05-01"),
        ("Fa Hill", "F41.1", "3", "2026-05-01"),
    ] {
        p.ok(&[
            "client",
            "add",
            name,
            "--diagnosis",
            dx,
            "--since",
            "2026-03-01",
        ]);
        p.ok(&[
            "attribute",
            name,
            "--contract",
            "EAP",
            "--from",
            "2026-05-01",
        ]);
        p.measure(name, "phq9", score, date);
    }
    p.ok(&[
        "client",
        "add",
        "Gus Ito",
        "--diagnosis",
        "F32.2",
        "--since",
        "2026-01-01",
    ]);
    p.ok(&[
        "attribute",
        "gus",
        "--contract",
        "EAP",
        "--from",
        "2026-02-01",
    ]);
    let v = p.json(&[
        "report",
        "value",
        "--from",
        "2026-04-01",
        "--to",
        "2026-06-30",
        "--json",
    ]);
    let c = &v["coding"];
    assert_eq!(
        c["episodes"],
        serde_json::json!({"mild": 1, "moderate": 2, "severe": 2, "other": 1})
    );
    assert_eq!(
        c["previous"],
        serde_json::json!({"mild": 0, "moderate": 0, "severe": 1, "other": 0})
    );
    let mismatches: Vec<(String, i64)> = c["mismatches"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            (
                m["diagnosis"].as_str().unwrap().to_string(),
                m["baseline_phq9"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        mismatches,
        [("F32.2".to_string(), 14), ("F33.1".to_string(), 9)]
    );
    let text = p.ok(&[
        "report",
        "value",
        "--from",
        "2026-04-01",
        "--to",
        "2026-06-30",
    ]);
    assert!(text.contains("Worth a second look"), "{text}");
    assert!(
        text.contains("Ann Lee: F32.2 with a baseline PHQ-9 of 14"),
        "{text}"
    );
}
