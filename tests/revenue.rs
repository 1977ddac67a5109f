//! `caseload report revenue` and `contract rate` through the real binary, on a small practice
//! built with the CLI whose every figure is worked out by hand below (SPEC sections 5–6): each
//! contract model (capitation first-of-month, capitation daily, case rate), two clinicians at
//! different costs, a rate change on each contract, an ended attribution, overlapping
//! attributions to two contracts, a half cent that rounds up once.
#![allow(clippy::unwrap_used)] // A failed unwrap in a test is a failed test, with its message.

mod common;
use common::Practice;
use serde_json::Value;

/// The practice (today is 2026-11-23; the report covers 2026-01 … 2026-06):
///
/// Clinicians: Ada Moss $90/h (150 cents a minute), Ben Ortiz $50/h (83.33… cents a minute).
/// Contracts:
/// - CapFirst: capitation $45.00, 5% withhold, first-of-month; $50.00 from 2026-03-15 (so from
///   April: a month uses the rate on its 1st).
/// - CapDaily: capitation $31.00, no withhold, daily.
/// - Episode: case rate $600.25, 2% withhold; $700.00 from 2026-04-01.
///
/// Attributions:
/// - Alice (Ada): CapFirst 2026-01-01 open; Episode 2026-04-10 … 04-30 (on top).
/// - Bruno (Ben): CapFirst 2026-01-02 … 03-01 (starts on the 2nd: not January; ends on the
///   1st: March counts).
/// - Carla (Ada): CapDaily 2026-02-15 open (February: 14/28 = 0.5).
/// - Dev (Ben): CapDaily 2026-03-10 … 04-20 (March 22/31, April 20/30).
/// - Eve (Ben): Episode 2026-02-20 … 05-20 and 2026-05-21 open.
/// - Fay (Ada): CapDaily 2026-04-11 open, ended 2026-04-30 with `attribute --end` (20/30).
fn practice() -> Practice {
    let p = Practice::new();
    p.ok(&["clinician", "add", "Ada Moss", "--hourly-cost", "90"]);
    p.ok(&["clinician", "add", "Ben Ortiz", "--hourly-cost", "50"]);
    p.ok(&[
        "contract",
        "add",
        "CapFirst",
        "--model",
        "capitation",
        "--rate",
        "45",
        "--withhold",
        "5",
    ]);
    p.ok(&[
        "contract",
        "add",
        "CapDaily",
        "--model",
        "capitation",
        "--rate",
        "31",
        "--proration",
        "daily",
    ]);
    p.ok(&[
        "contract",
        "add",
        "Episode",
        "--model",
        "case-rate",
        "--rate",
        "600.25",
        "--withhold",
        "2",
    ]);
    let rate = p.ok(&[
        "contract",
        "rate",
        "CapFirst",
        "--rate",
        "50",
        "--from",
        "2026-03-15",
    ]);
    assert!(
        rate.contains("$50.00 from 2026-03-15 (was $45.00)"),
        "{rate}"
    );
    p.ok(&[
        "contract",
        "rate",
        "Episode",
        "--rate",
        "700",
        "--from",
        "2026-04-01",
    ]);

    let client = |name: &str, clinician: &str, since: &str, contract: Option<&str>| {
        let mut args = vec![
            "client",
            "add",
            name,
            "--clinician",
            clinician,
            "--since",
            since,
        ];
        if let Some(c) = contract {
            args.extend(["--contract", c]);
        }
        p.ok(&args);
    };
    client("Alice Anders", "Ada", "2026-01-01", Some("CapFirst"));
    client("Bruno Bell", "Ben", "2026-01-02", None);
    client("Carla Cruz", "Ada", "2026-02-15", Some("CapDaily"));
    client("Dev Diaz", "Ben", "2026-03-10", None);
    client("Eve Evans", "Ben", "2026-02-20", None);
    client("Fay Fox", "Ada", "2026-04-11", Some("CapDaily"));
    let attribute = |who: &str, contract: &str, from: &str, to: Option<&str>| {
        let mut args = vec!["attribute", who, "--contract", contract, "--from", from];
        if let Some(to) = to {
            args.extend(["--to", to]);
        }
        p.ok(&args);
    };
    attribute("Bruno", "CapFirst", "2026-01-02", Some("2026-03-01"));
    attribute("Dev", "CapDaily", "2026-03-10", Some("2026-04-20"));
    attribute("Eve", "Episode", "2026-02-20", Some("2026-05-20"));
    attribute("Eve", "Episode", "2026-05-21", None);
    attribute("Alice", "Episode", "2026-04-10", Some("2026-04-30"));
    let ended = p.ok(&[
        "attribute",
        "Fay",
        "--contract",
        "CapDaily",
        "--end",
        "2026-04-30",
    ]);
    assert!(ended.contains("on 2026-04-30"), "{ended}");

    // (client, kind, minutes, date, status, --as)
    let log = |who: &str, kind: &str, minutes: &str, date: &str, status: &str, by: Option<&str>| {
        let mut args = vec![
            "log",
            who,
            "--kind",
            kind,
            "--minutes",
            minutes,
            "--date",
            date,
            "--status",
            status,
        ];
        if let Some(by) = by {
            args.extend(["--as", by]);
        }
        p.ok(&args);
    };
    log("Alice", "session", "60", "2026-01-10", "completed", None); // Ada  9000
    log("Alice", "session", "50", "2026-02-05", "completed", None); // Ada  7500
    log("Alice", "session", "50", "2026-04-15", "completed", None); // Ada  7500 (episode)
    log(
        "Alice",
        "phone",
        "20",
        "2026-05-03",
        "completed",
        Some("Ben"),
    ); // 1666.67
    log("Bruno", "intake", "60", "2026-02-10", "completed", None); // Ben  5000
    log("Bruno", "session", "45", "2026-03-01", "completed", None); // Ben  3750
    log("Bruno", "session", "30", "2026-03-20", "completed", None); // Ben  2500 (no contract)
    log("Carla", "intake", "90", "2026-02-20", "completed", None); // Ada 13500
    log("Carla", "session", "5", "2026-03-05", "no-show", None); // Ada   750
    log("Dev", "session", "50", "2026-03-15", "completed", None); // Ben  4166.67
    log(
        "Dev",
        "session",
        "50",
        "2026-04-05",
        "completed",
        Some("Ada"),
    ); // Ada 7500
    log("Eve", "intake", "60", "2026-02-25", "completed", None); // Ben  5000
    log("Eve", "session", "50", "2026-03-10", "completed", None); // Ben  4166.67
    log("Eve", "session", "50", "2026-05-25", "completed", None); // Ben  4166.67
    p
}

const RANGE: [&str; 4] = ["--from", "2026-01", "--to", "2026-06"];

fn report(p: &Practice, by: &str, extra: &[&str]) -> Value {
    let mut args = vec!["report", "revenue", "--json", "--by", by];
    args.extend(RANGE);
    args.extend(extra);
    p.json(&args)
}

/// (member months, gross, withhold, net, minutes, cost, margin, effective hourly), cents.
type Figures = (f64, i64, i64, i64, i64, i64, i64, Option<i64>);

fn check(row: &Value, want: Figures, what: &str) {
    let mm = row["member_months"].as_f64().unwrap();
    assert!(
        (mm - want.0).abs() < 1e-9,
        "{what}: member months {mm} vs {}",
        want.0
    );
    let cents = |k: &str| {
        row[k]
            .as_i64()
            .unwrap_or_else(|| panic!("{what}: {k} in {row}"))
    };
    assert_eq!(cents("gross_cents"), want.1, "{what}: gross");
    assert_eq!(cents("withhold_cents"), want.2, "{what}: withhold");
    assert_eq!(cents("net_cents"), want.3, "{what}: net");
    assert_eq!(cents("minutes"), want.4, "{what}: minutes");
    assert_eq!(cents("cost_cents"), want.5, "{what}: cost");
    assert_eq!(cents("margin_cents"), want.6, "{what}: margin");
    assert_eq!(
        row["effective_hourly_cents"].as_i64(),
        want.7,
        "{what}: hourly"
    );
    if want.7.is_none() {
        assert!(
            row["effective_hourly_cents"].is_null(),
            "{what}: hourly is null"
        );
    }
}

fn check_rows(report: &Value, key: &str, want: &[(&str, Figures)]) {
    let rows = report["rows"].as_array().unwrap();
    let keys: Vec<&str> = rows.iter().map(|r| r[key].as_str().unwrap()).collect();
    let wanted: Vec<&str> = want.iter().map(|(k, _)| *k).collect();
    assert_eq!(keys, wanted, "rows and their order");
    for (row, (name, figures)) in rows.iter().zip(want) {
        check(row, *figures, name);
    }
}

/// 1 + 2.5 + (3 + 22/31) + (3 + 1/3) + 2 + 2 member months over the six months.
const TOTAL_MM: f64 = 13.5 + 22.0 / 31.0 + 1.0 / 3.0;

#[test]
fn by_month_every_figure_as_worked_out_by_hand() {
    let p = practice();
    let r = report(&p, "month", &[]);
    assert_eq!(
        (r["from"].as_str(), r["to"].as_str()),
        (Some("2026-01"), Some("2026-06"))
    );
    assert_eq!(r["by"], "month");
    check_rows(
        &r,
        "month",
        &[
            // Alice 1 mm × $45 = 4500, withhold 225. Time: 60 min Ada = 9000.
            // Margin 4275 − 9000; hourly 4500 / 1 h.
            (
                "2026-01",
                (1.0, 4500, 225, 4275, 60, 9000, -4725, Some(4500)),
            ),
            // Alice + Bruno 2 × 4500 (withhold 450); Carla 0.5 × 3100 = 1550; Eve's episode
            // starts: 60025 with 2% = 1200.5. Gross 70575; withhold 1650.5 → 1651 (half up,
            // once); net 68924.5 → 68925; time 50+90 min Ada + 60+60 Ben = 31000;
            // margin 37924.5 → 37925; hourly 70575 × 60 / 260 = 16286.54 → 16287.
            (
                "2026-02",
                (2.5, 70575, 1651, 68925, 260, 31000, 37925, Some(16287)),
            ),
            // Alice + Bruno (ends on the 1st) 9000 at the old rate (its 1st is before the
            // change); Carla 3100; Dev 22/31 × 3100 = 2200. Time: Bruno 45 + 30, Dev 50, Eve 50
            // (Ben: 15333.33…), Carla's 5-minute no-show (Ada 750): 15333.33 → 15333.
            (
                "2026-03",
                (
                    3.0 + 22.0 / 31.0,
                    14300,
                    450,
                    13850,
                    180,
                    15333,
                    -1483,
                    Some(4767),
                ),
            ),
            // Alice $50 (withhold 250); Carla 3100; Dev and Fay 20/30 × 3100 = 2066.67 each;
            // Alice's episode at the new $700 (withhold 1400). Gross 82233.33 → 82233 (rounding
            // each member first would give 82234). Time: 50 + 50 min Ada = 15000.
            (
                "2026-04",
                (
                    3.0 + 1.0 / 3.0,
                    82233,
                    1650,
                    80583,
                    100,
                    15000,
                    65583,
                    Some(49340),
                ),
            ),
            // Alice 5000; Carla 3100; Eve's second episode at $700. Time: Ben 20 + 50 min =
            // 5833.33 → 5833; margin 70616.67 → 70617; hourly 78100 × 60 / 70 → 66943.
            (
                "2026-05",
                (2.0, 78100, 1650, 76450, 70, 5833, 70617, Some(66943)),
            ),
            // No time at all: no hourly rate.
            ("2026-06", (2.0, 8100, 250, 7850, 0, 0, 7850, None)),
        ],
    );
    // The total is the sum of the rounded rows (gross − withhold would be 251932: net is
    // rounded once from its exact value in each row). Hourly: 257808 × 60 / 670 → 23087.
    check(
        &r["total"],
        (
            TOTAL_MM,
            257_808,
            5_876,
            251_933,
            670,
            76_166,
            175_767,
            Some(23_087),
        ),
        "total",
    );
    assert!(r["total"].get("month").is_none());
    // Withhold to date: 225 + 1650.5 + 450 + 1650 + 1650 + 250 = 5875.5 → 5876.
    assert_eq!(r["withhold_to_date_cents"], 5_876);
}

#[test]
fn by_client_sorted_by_minutes() {
    let p = practice();
    let r = report(&p, "client", &[]);
    check_rows(
        &r,
        "client",
        &[
            // CapFirst 3 × 4500 + 3 × 5000 = 28500 (withhold 1425) + episode 70000 (1400).
            // Time: 60 + 50 + 50 Ada, 20 Ben = 25666.67 → 25667; hourly 98500 × 60 / 180.
            (
                "Alice Anders",
                (
                    6.0,
                    98_500,
                    2_825,
                    95_675,
                    180,
                    25_667,
                    70_008,
                    Some(32_833),
                ),
            ),
            // Two episodes 60025 + 70000; withhold 1200.5 + 1400 = 2600.5 → 2601; net
            // 127424.5 → 127425; 160 min Ben = 13333.33; margin 114091.17 → 114091.
            (
                "Eve Evans",
                (
                    0.0,
                    130_025,
                    2_601,
                    127_425,
                    160,
                    13_333,
                    114_091,
                    Some(48_759),
                ),
            ),
            // February and March at $45; 135 min Ben = 11250 (30 of them after the end).
            (
                "Bruno Bell",
                (2.0, 9_000, 450, 8_550, 135, 11_250, -2_700, Some(4_000)),
            ),
            // 2200 + 2066.67 = 4266.67 → 4267; 50 min Ben + 50 min Ada = 11666.67 → 11667;
            // margin exactly −7400; hourly 4266.67 × 0.6 = 2560.
            (
                "Dev Diaz",
                (
                    22.0 / 31.0 + 2.0 / 3.0,
                    4_267,
                    0,
                    4_267,
                    100,
                    11_667,
                    -7_400,
                    Some(2_560),
                ),
            ),
            // 1550 + 4 × 3100; 95 min Ada = 14250; hourly 13950 × 60 / 95 = 8810.5 → 8811.
            (
                "Carla Cruz",
                (4.5, 13_950, 0, 13_950, 95, 14_250, -300, Some(8_811)),
            ),
            // Ended on 04-30: 20/30 × 3100 = 2066.67 → 2067 and nothing after; no time.
            ("Fay Fox", (2.0 / 3.0, 2_067, 0, 2_067, 0, 0, 2_067, None)),
        ],
    );
    let rows = r["rows"].as_array().unwrap();
    assert!(rows.iter().all(|row| row["client_id"].as_i64().is_some()));
    // The sums of these rows differ by a cent from the by-month total: each grouping rounds
    // its own rows.
    check(
        &r["total"],
        (
            TOTAL_MM,
            257_809,
            5_876,
            251_934,
            670,
            76_167,
            175_766,
            Some(23_087),
        ),
        "total",
    );
}

#[test]
fn by_contract_with_break_even_and_time_outside_any_attribution() {
    let p = practice();
    let r = report(&p, "contract", &[]);
    check_rows(
        &r,
        "contract",
        &[
            // Carla 13950 + Dev 4266.67 + Fay 2066.67 = 20283.33. Time while attributed:
            // Carla 90 + 5 (Ada), Dev 50 (Ben) + 50 (Ada) = 25916.67 → 25917.
            (
                "CapDaily",
                (
                    4.5 + 22.0 / 31.0 + 4.0 / 3.0,
                    20_283,
                    0,
                    20_283,
                    195,
                    25_917,
                    -5_633,
                    Some(6_241),
                ),
            ),
            // Alice 28500 + Bruno 9000, withhold 5%. Time: Alice's 60 + 50 (Ada) and 20 (Ben)
            // outside her episode, Bruno's 60 + 45 (Ben) = 26916.67 → 26917.
            (
                "CapFirst",
                (8.0, 37_500, 1_875, 35_625, 235, 26_917, 8_708, Some(9_574)),
            ),
            // Three episodes 60025 + 70000 + 70000; withhold 4000.5 → 4001; net 196024.5 →
            // 196025. Time: Alice's 50 (Ada) during her episode (it started last, so it takes
            // the time, not CapFirst) and Eve's 160 (Ben) = 20833.33.
            (
                "Episode",
                (
                    0.0,
                    200_025,
                    4_001,
                    196_025,
                    210,
                    20_833,
                    175_191,
                    Some(57_150),
                ),
            ),
            // Bruno's session after his attribution ended.
            ("(no contract)", (0.0, 0, 0, 0, 30, 2_500, -2_500, Some(0))),
        ],
    );
    check(
        &r["total"],
        (
            TOTAL_MM,
            257_808,
            5_876,
            251_933,
            670,
            76_167,
            175_766,
            Some(23_087),
        ),
        "total",
    );
    // Break-even at the PMPM in effect on 2026-06-01: CapDaily $31 buys 3100 × 60 / 9000 =
    // 20.67 min of Ada and 37.2 of Ben; actual 195 min / 6.543 member months = 29.80.
    // CapFirst $50: 33.33 and 60 min; actual 235 / 8 = 29.375.
    let be = r["break_even"].as_array().unwrap();
    assert_eq!(be.len(), 2, "capitation contracts only: {be:?}");
    let close = |v: &Value, x: f64| (v.as_f64().unwrap() - x).abs() < 1e-6;
    assert_eq!(be[0]["contract"], "CapDaily");
    assert_eq!(be[0]["pmpm_cents"], 3_100);
    assert_eq!(be[0]["clinicians"][0]["clinician"], "Ada Moss");
    assert_eq!(be[0]["clinicians"][0]["hourly_cost_cents"], 9_000);
    assert!(close(
        &be[0]["clinicians"][0]["affordable_minutes_per_member_month"],
        3100.0 * 60.0 / 9000.0
    ));
    assert!(close(
        &be[0]["clinicians"][1]["affordable_minutes_per_member_month"],
        37.2
    ));
    assert!(close(
        &be[0]["actual_minutes_per_member_month"],
        195.0 / (4.5 + 22.0 / 31.0 + 4.0 / 3.0)
    ));
    assert_eq!(be[1]["contract"], "CapFirst");
    assert_eq!(be[1]["pmpm_cents"], 5_000);
    assert!(close(
        &be[1]["clinicians"][0]["affordable_minutes_per_member_month"],
        100.0 / 3.0
    ));
    assert!(close(
        &be[1]["clinicians"][1]["affordable_minutes_per_member_month"],
        60.0
    ));
    assert!(close(&be[1]["actual_minutes_per_member_month"], 29.375));
}

#[test]
fn by_clinician_revenue_of_their_clients_and_time_they_logged() {
    let p = practice();
    let ada = (
        // Alice 98500 + Carla 13950 + Fay 2066.67 = 114516.67; 305 min × 150 = 45750.
        6.0 + 4.5 + 2.0 / 3.0,
        114_517,
        2_825,
        111_692,
        305,
        45_750,
        65_942,
        Some(22_528),
    );
    let ben = (
        // Bruno 9000 + Dev 4266.67 + Eve 130025 = 143291.67; withhold 450 + 2600.5 = 3050.5;
        // net 140241.17; 365 min Ben = 30416.67; margin 109824.5 → 109825 (half up).
        2.0 + 22.0 / 31.0 + 2.0 / 3.0,
        143_292,
        3_051,
        140_241,
        365,
        30_417,
        109_825,
        Some(23_555),
    );
    let r = report(&p, "clinician", &[]);
    check_rows(&r, "clinician", &[("Ada Moss", ada), ("Ben Ortiz", ben)]);
    // One clinician's share is that row.
    let only_ben = report(&p, "clinician", &["--clinician", "Ben"]);
    check_rows(&only_ben, "clinician", &[("Ben Ortiz", ben)]);
    check(&only_ben["total"], ben, "Ben's total");
}

#[test]
fn csv_and_table_carry_the_same_figures() {
    let p = practice();
    let mut args = vec!["report", "revenue", "--csv"];
    args.extend(RANGE);
    let csv = p.ok(&args);
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(
        lines[0],
        "month,member_months,gross_cents,withhold_cents,net_cents,minutes,cost_cents,margin_cents,effective_hourly_cents,to_date"
    );
    assert_eq!(lines[1], "2026-01,1,4500,225,4275,60,9000,-4725,4500,false");
    assert_eq!(lines[6], "2026-06,2,8100,250,7850,0,0,7850,,false");
    assert_eq!(lines.len(), 7, "rows only: the total is their sum");
    let by_client = p.ok(&[
        "report", "revenue", "--csv", "--by", "client", "--from", "2026-01",
    ]);
    assert!(
        by_client.starts_with("client,client_id,member_months,"),
        "{by_client}"
    );

    let mut args = vec!["report", "revenue"];
    args.extend(RANGE);
    let table = p.ok(&args);
    assert!(
        table.contains("Revenue by month, 2026-01 to 2026-06"),
        "{table}"
    );
    let total = table.lines().find(|l| l.starts_with("total")).unwrap();
    for figure in [
        "14.54",
        "$2,578.08",
        "$58.76",
        "$2,519.33",
        "11.2",
        "$761.66",
        "$1,757.67",
    ] {
        assert!(total.contains(figure), "{figure} in {total}");
    }
    assert!(table.contains("2 of 6 months under water"), "{table}");
    assert!(
        table.contains("CapFirst: $50.00 PMPM pays for 33.3 min at Ada Moss ($90.00/h), 60.0 min at Ben Ortiz ($50.00/h); actual 29.4 min per member month"),
        "{table}"
    );
    assert!(
        table.contains("Withhold held back to date (through 2026-06): $58.76"),
        "{table}"
    );
}

#[test]
fn the_default_period_is_the_twelve_months_ending_this_month() {
    let p = practice();
    let r = p.json(&["report", "revenue", "--json"]);
    assert_eq!(
        (r["from"].as_str(), r["to"].as_str()),
        (Some("2025-12"), Some("2026-11"))
    );
    assert_eq!(r["rows"].as_array().unwrap().len(), 12);
    let r = p.json(&["report", "revenue", "--json", "--to", "2026-06"]);
    assert_eq!(r["from"], "2025-07");
    let r = p.json(&["report", "revenue", "--json", "--from", "2026-03"]);
    assert_eq!(
        (r["from"].as_str(), r["to"].as_str()),
        (Some("2026-03"), Some("2026-11"))
    );
}

#[test]
fn bad_input_is_one_line_exit_one_and_writes_nothing() {
    let p = practice();
    let before = p.dump();
    for (args, says) in [
        (
            vec!["report", "revenue", "--from", "2026-13"],
            "--from: '2026-13' is not a month",
        ),
        (
            vec!["report", "revenue", "--to", "2026-1"],
            "--to: '2026-1' is not a month",
        ),
        (
            vec!["report", "revenue", "--from", "2026-05", "--to", "2026-03"],
            "--from 2026-05 is after --to 2026-03",
        ),
        (
            vec!["report", "revenue", "--by", "week"],
            "cannot group the revenue report by 'week'",
        ),
        (
            vec![
                "contract",
                "rate",
                "CapFirst",
                "--rate",
                "fifty",
                "--from",
                "2026-07-01",
            ],
            "'fifty' is not an amount in dollars",
        ),
        (
            vec![
                "contract",
                "rate",
                "CapFirst",
                "--rate",
                "-5",
                "--from",
                "2026-07-01",
            ],
            "must not be negative",
        ),
        (
            vec![
                "contract",
                "rate",
                "CapFirst",
                "--rate",
                "55",
                "--from",
                "2026-02-30",
            ],
            "2026-02-30 is not a real date",
        ),
        (
            vec![
                "contract",
                "rate",
                "Nope",
                "--rate",
                "55",
                "--from",
                "2026-07-01",
            ],
            "no contract named 'Nope'",
        ),
        // Overlapping attributions to the same contract would count the same months twice.
        (
            vec![
                "attribute",
                "Eve",
                "--contract",
                "Episode",
                "--from",
                "2026-05-01",
                "--to",
                "2026-05-25",
            ],
            "already attributed to this contract",
        ),
        (
            vec![
                "attribute",
                "Alice",
                "--contract",
                "CapFirst",
                "--from",
                "2026-06-01",
            ],
            "already attributed to this contract",
        ),
        // Bruno's attribution ended on 2026-03-01: nothing covers June to end.
        (
            vec![
                "attribute",
                "Bruno",
                "--contract",
                "CapFirst",
                "--end",
                "2026-06-01",
            ],
            "no attribution to this contract covering 2026-06-01",
        ),
    ] {
        let line = p.refused(&args);
        assert!(line.contains(says), "{args:?}: {line}");
    }
    assert_eq!(p.dump(), before, "a refused command writes nothing");
}

#[test]
fn the_demo_practice_tells_a_believable_story() {
    let p = Practice::new();
    p.ok(&["demo"]);
    let months = p.json(&["report", "revenue", "--json"]);
    let rows = months["rows"].as_array().unwrap();
    let margin = |r: &Value| r["margin_cents"].as_i64().unwrap();
    let under = rows.iter().filter(|r| margin(r) < 0).count();
    assert!(
        under > 0 && under < rows.len(),
        "some months under water, not all: {under}"
    );
    let contracts = p.json(&["report", "revenue", "--json", "--by", "contract"]);
    let rows = contracts["rows"].as_array().unwrap();
    let named = |name: &str| rows.iter().find(|r| r["contract"] == name).unwrap();
    assert!(
        margin(named("Harbor Health")) > 0,
        "Harbor pays after its raise"
    );
    assert!(margin(named("Bright EAP")) > 0, "the case rate pays");
    assert!(
        margin(named("Valley Medicaid")) < 0,
        "Medicaid's PMPM does not"
    );
    for r in rows {
        assert!(r["gross_cents"].as_i64().unwrap() >= 0);
    }
    // Every grouping accounts for the same time.
    let minutes = |v: &Value| v["total"]["minutes"].as_i64().unwrap();
    assert_eq!(minutes(&months), minutes(&contracts));
    for by in ["clinician", "client"] {
        let r = p.json(&["report", "revenue", "--json", "--by", by]);
        assert_eq!(minutes(&r), minutes(&months), "{by}");
    }
    assert_eq!(contracts["break_even"].as_array().unwrap().len(), 2);
}

#[test]
fn with_passphrases_a_clinician_sees_only_their_own_share() {
    let p = practice();
    p.ok(&["clinician", "add", "Dana Admin", "--role", "admin"]);
    const DANA: &str = "dana keeps the books";
    const BEN: &str = "ben sees his own";
    assert!(
        p.run_as(DANA, None, &["clinician", "passphrase", "Dana"])
            .status
            .success()
    );
    let set_ben = p.run_as(
        DANA,
        Some(BEN),
        &["--as", "Dana", "clinician", "passphrase", "Ben"],
    );
    assert!(
        set_ben.status.success(),
        "{}",
        String::from_utf8_lossy(&set_ben.stderr)
    );

    let json = |out: std::process::Output| -> Value {
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).unwrap()
    };
    let mut args = vec![
        "--as",
        "Ben",
        "report",
        "revenue",
        "--json",
        "--by",
        "clinician",
    ];
    args.extend(RANGE);
    let ben = json(p.run_as(BEN, None, &args));
    let rows = ben["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0]["clinician"], "Ben Ortiz");
    assert_eq!(ben["total"]["gross_cents"], 143_292);

    let mut args = vec!["--as", "Dana", "report", "revenue", "--json"];
    args.extend(RANGE);
    let whole = json(p.run_as(DANA, None, &args));
    assert_eq!(whole["total"]["gross_cents"], 257_808);

    let before = p.dump();
    for (pass, args) in [
        (
            BEN,
            vec!["--as", "Ben", "report", "revenue", "--clinician", "Ada"],
        ),
        (BEN, vec!["report", "revenue"]),
        (
            BEN,
            vec![
                "--as",
                "Ben",
                "contract",
                "rate",
                "CapFirst",
                "--rate",
                "1",
                "--from",
                "2026-07-01",
            ],
        ),
    ] {
        let out = p.run_as(pass, None, &args);
        assert_eq!(out.status.code(), Some(1), "{args:?} is refused");
        assert_eq!(
            String::from_utf8_lossy(&out.stderr)
                .trim_end()
                .lines()
                .count(),
            1
        );
    }
    // Refusals are audited, but nothing else changes: the rates are as they were.
    let after = p.dump();
    let rates = |dump: &str| {
        dump.split("## contract_rates")
            .nth(1)
            .map(|s| s.split("##").next().unwrap_or("").to_string())
    };
    assert_eq!(rates(&after), rates(&before));
}
