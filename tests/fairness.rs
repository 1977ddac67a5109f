//! The fairness self-audit through the real binary (`report value`, text and JSON) on a small
//! hand-built practice where the client with severe depression gets less time per member month
//! than the client with minimal symptoms — every figure worked out by hand. One client a band is
//! too few to warn about (a band needs ten); a second practice of ten a band warns.
#![allow(clippy::unwrap_used)] // A failed unwrap in a test is a failed test, with its message.

mod common;
use common::Practice;
use serde_json::json;

/// August–October 2026: three whole months of first-of-month capitation at $60.
fn practice() -> Practice {
    let p = Practice::new();
    p.ok(&["clinician", "add", "Solo", "--hourly-cost", "120"]);
    p.capitation("Medicaid", "60", &[]);
    let client = |name: &str, tier: &str, contract: bool| {
        let mut args = vec![
            "client",
            "add",
            name,
            "--tier",
            tier,
            "--since",
            "2026-08-01",
        ];
        if contract {
            args.extend(["--contract", "Medicaid"]);
        }
        p.ok(&args);
    };
    client("Mia Minimal", "low", true);
    client("Sev Severe", "high", true);
    client("Nora Nobase", "moderate", true);
    client("Dee Mild", "moderate", false);
    client("Cash Only", "moderate", false);
    // Dee is attributed until her discharge on 15 October: October's 1st is covered, so
    // first-of-month pays all three months.
    p.ok(&[
        "attribute",
        "Dee",
        "--contract",
        "Medicaid",
        "--from",
        "2026-08-01",
        "--to",
        "2026-10-15",
    ]);
    // Mia (baseline 3, minimal): 156 minutes, 3 contacts → 52 min and 1.00 contact per MM.
    p.measure("Mia", "phq9", "3", "2026-08-03");
    p.log("Mia", "intake", "2026-08-03", "60", "completed");
    p.log("Mia", "session", "2026-09-07", "60", "completed");
    p.log("Mia", "phone", "2026-10-05", "36", "completed");
    // Sev (baseline 22, severe): 114 minutes, 2 contacts → 38 min and 0.67 per MM; then the
    // last two scheduled sessions missed: disengaged at the period's end.
    p.measure("Sev", "phq9", "22", "2026-08-04");
    p.log("Sev", "intake", "2026-08-04", "60", "completed");
    p.log("Sev", "session", "2026-09-08", "54", "completed");
    p.log("Sev", "session", "2026-10-20", "0", "no-show");
    p.log("Sev", "session", "2026-10-27", "0", "cancelled");
    // Nora: no PHQ-9 at all; 30 minutes, 1 contact.
    p.log("Nora", "intake", "2026-08-10", "30", "completed");
    // Dee (baseline 7, mild): 100 minutes, 2 contacts, discharged in the period.
    p.measure("Dee", "phq9", "7", "2026-08-05");
    p.log("Dee", "intake", "2026-08-05", "60", "completed");
    p.log("Dee", "session", "2026-09-05", "40", "completed");
    p.ok(&["client", "discharge", "Dee", "--date", "2026-10-15"]);
    // Cash has no capitation: 50 minutes outside the table. Mia's 20 minutes of documentation
    // after the period do not count.
    p.log("Cash", "session", "2026-09-10", "50", "completed");
    p.log("Mia", "documentation", "2026-11-02", "20", "completed");
    p
}

const PERIOD: [&str; 4] = ["--from", "2026-08-01", "--to", "2026-10-31"];

/// `report value` over the period: JSON.
fn value_json(p: &Practice) -> serde_json::Value {
    let mut args = vec!["report", "value", "--json"];
    args.extend(PERIOD);
    p.json(&args)
}

/// `report value` over the period: the text.
fn value_text(p: &Practice) -> String {
    let mut args = vec!["report", "value"];
    args.extend(PERIOD);
    p.ok(&args)
}

fn row(
    clients: i64,
    mm: f64,
    minutes: i64,
    per_mm: Option<f64>,
    contacts: i64,
) -> serde_json::Value {
    json!({
        "clients": clients, "member_months": mm, "minutes": minutes,
        "minutes_per_member_month": per_mm, "contacts": contacts,
    })
}

#[test]
fn report_value_json_carries_the_fairness_breakdown_field_by_field() {
    let p = practice();
    let v = value_json(&p);
    let f = &v["fairness"];
    assert_eq!(f["from"], "2026-08-01");
    assert_eq!(f["to"], "2026-10-31");
    let bands: Vec<&str> = f["by_band"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["band"].as_str().unwrap())
        .collect();
    assert_eq!(
        bands,
        [
            "minimal",
            "mild",
            "moderate",
            "moderately_severe",
            "severe",
            "no_baseline"
        ]
    );
    let band = |i: usize| f["by_band"][i].clone();
    let check = |got: serde_json::Value, want: serde_json::Value| {
        for (k, w) in want.as_object().unwrap() {
            assert_eq!(&got[k], w, "{k} in {got}");
        }
    };
    check(band(0), row(1, 3.0, 156, Some(52.0), 3));
    assert_eq!(band(0)["contacts_per_member_month"], 1.0);
    assert_eq!(band(0)["contacted"], json!({"n": 1, "of": 1}));
    assert_eq!(band(0)["disengaged"], json!({"n": 0, "of": 1}));
    check(band(1), row(1, 3.0, 100, Some(33.3), 2));
    assert_eq!(band(1)["discharged"], json!({"n": 1, "of": 1}));
    assert_eq!(
        band(1)["disengaged"],
        json!({"n": 0, "of": 1}),
        "discharged: no flags"
    );
    // Empty bands: zero counts, n/a rates, null per-member-month figures.
    check(band(2), row(0, 0.0, 0, None, 0));
    assert_eq!(band(2)["contacted"], json!({"n": 0, "of": 0}));
    assert_eq!(
        band(3)["contacts_per_member_month"],
        serde_json::Value::Null
    );
    check(band(4), row(1, 3.0, 114, Some(38.0), 2));
    assert_eq!(band(4)["contacts_per_member_month"], 0.67);
    assert_eq!(band(4)["disengaged"], json!({"n": 1, "of": 1}));
    assert_eq!(band(4)["discharged"], json!({"n": 0, "of": 1}));
    check(band(5), row(1, 3.0, 30, Some(10.0), 1));
    assert_eq!(band(5)["contacts_per_member_month"], 0.33);

    let tier = |i: usize| f["by_tier"][i].clone();
    assert_eq!(tier(0)["tier"], "high");
    check(tier(0), row(1, 3.0, 114, Some(38.0), 2));
    // Moderate: Nora and Dee, 6 member months, 130 minutes.
    assert_eq!(tier(1)["tier"], "moderate");
    check(tier(1), row(2, 6.0, 130, Some(21.7), 3));
    assert_eq!(tier(1)["contacts_per_member_month"], 0.5);
    assert_eq!(tier(2)["tier"], "low");
    check(tier(2), row(1, 3.0, 156, Some(52.0), 3));

    assert_eq!(
        f["not_capitated"],
        json!({"clients": 1, "minutes": 50, "contacts": 1})
    );
    // One client in each band: too few to compare, however different their time.
    assert_eq!(f["warning"], serde_json::Value::Null);
}

#[test]
fn report_value_says_it_plainly_after_the_measures() {
    let p = practice();
    let text = value_text(&p);
    let fairness = text.split("Fairness:").nth(1).expect("a fairness section");
    assert!(fairness.contains("no PHQ-9 baseline"), "{text}");
    assert!(fairness.contains("52.0"), "{text}");
    assert!(fairness.contains("1 of 1, 100%"), "{text}");
    assert!(
        fairness.contains("Not in the table: 50 minutes and 1 contact for 1 client"),
        "{text}"
    );
    assert!(!text.contains("warning:"), "one client a band: {text}");
    assert!(!text.contains("NaN"), "{text}");
}

/// Ten clients with minimal symptoms (52 min per member month each) and `severe` with severe
/// depression (38), all capitated from August, loaded through the importers.
fn ten_a_band(severe: usize) -> Practice {
    let p = Practice::new();
    p.ok(&["clinician", "add", "Solo", "--hourly-cost", "120"]);
    p.capitation("Medicaid", "60", &[]);
    let mut roster = String::from("Member ID,Name,Effective Date\n");
    let mut scores = String::from("client,date,instrument,score\n");
    let mut work = String::from("client,date,kind,minutes\n");
    for i in 0..10 + severe {
        let (id, score, minutes) = if i < 10 {
            (format!("MIN{i:02}"), 3, [60, 60, 36])
        } else {
            (format!("SEV{i:02}"), 22, [60, 54, 0])
        };
        roster.push_str(&format!("{id},Client {id},2026-08-01\n"));
        scores.push_str(&format!("{id},2026-08-03,phq9,{score}\n"));
        for (day, m) in ["2026-08-03", "2026-09-07", "2026-10-05"]
            .iter()
            .zip(minutes)
        {
            work.push_str(&format!("{id},{day},session,{m}\n"));
        }
    }
    for (name, text, what) in [
        ("roster.csv", roster, vec!["roster"]),
        ("scores.csv", scores, vec!["measurements"]),
        ("work.csv", work, vec!["encounters"]),
    ] {
        let file = p.write(name, &text);
        let mut args = vec!["import"];
        args.extend(what);
        args.push(file.to_str().unwrap());
        if name == "roster.csv" {
            args.extend(["--contract", "Medicaid", "--as-of", "2026-08-01"]);
        }
        p.ok(&args);
    }
    p
}

#[test]
fn ten_clients_in_each_band_compared_warn_and_say_how_many() {
    let p = ten_a_band(10);
    let v = value_json(&p);
    assert_eq!(
        v["fairness"]["warning"],
        "Clients with severe depression (10 clients) got 38 min per member month, less than \
         the 52 for minimal (10 clients) — capitation may be pushing care away from those who \
         need it most."
    );
    // The warning closes the fairness section, whatever follows it.
    let text = value_text(&p);
    let fairness = text.split("Fairness:").nth(1).expect("a fairness section");
    let last = fairness
        .split("Coding:")
        .next()
        .unwrap()
        .trim_end()
        .lines()
        .last()
        .unwrap();
    assert!(
        last.starts_with("warning: Clients with severe depression (10 clients) got 38 min"),
        "{text}"
    );
    // Nine severe clients are too few: no warning.
    let p = ten_a_band(9);
    assert_eq!(
        value_json(&p)["fairness"]["warning"],
        serde_json::Value::Null
    );
}

#[test]
fn no_warning_when_the_severe_get_more_time() {
    let p = practice();
    p.ok(&[
        "log",
        "Sev",
        "--kind",
        "crisis",
        "--date",
        "2026-10-29",
        "--minutes",
        "90",
    ]);
    let v = value_json(&p);
    assert_eq!(v["fairness"]["by_band"][4]["minutes"], 204);
    assert_eq!(v["fairness"]["warning"], serde_json::Value::Null);
    assert!(!value_text(&p).contains("warning:"));
}

#[test]
fn an_empty_practice_has_an_empty_breakdown() {
    let p = Practice::new();
    p.ok(&["clinician", "add", "Solo"]);
    let v = p.json(&["report", "value", "--json"]);
    let f = &v["fairness"];
    assert_eq!(f["by_band"].as_array().unwrap().len(), 6);
    assert_eq!(f["by_band"][0]["contacted"], json!({"n": 0, "of": 0}));
    assert_eq!(f["warning"], serde_json::Value::Null);
    assert_eq!(f["not_capitated"]["clients"], 0);
}
