//! Payer rosters through the real binary: golden files accepted or refused with the right line
//! numbers (and nothing written on refusal), a month-to-month sequence with member months
//! checked before and after, re-imports that write nothing, and reconciliation.
#![allow(clippy::unwrap_used)] // A failed unwrap in a test is a failed test, with its message.

mod common;
use common::Practice;
use serde_json::Value;
use std::path::{Path, PathBuf};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/rosters")
        .join(name)
}

/// A practice with one clinician and a $45 PMPM capitation contract with a 10% withhold.
fn practice() -> Practice {
    let p = Practice::new();
    p.admin("Dana Reyes", "90");
    p.capitation("Harbor", "45", &["--withhold", "10"]);
    p
}

fn import(p: &Practice, file: &Path, as_of: &str) -> Value {
    p.json(&[
        "import",
        "roster",
        file.to_str().unwrap(),
        "--contract",
        "Harbor",
        "--as-of",
        as_of,
        "--json",
    ])
}

#[test]
fn golden_rosters_are_accepted_and_a_second_import_writes_nothing() {
    for (file, names) in [
        ("ok_bom.csv", ["Ann Lee", "Bo Diaz", "Cy Young"]),
        (
            "ok_quoted.csv",
            ["Ann, Jr. Lee", "Bo Diaz Ortega", "Cy \"CJ\" Young"],
        ),
        ("ok_crlf.csv", ["Ann Lee", "Bo Diaz", "Cy Young"]),
        (
            "ok_no_final_newline.csv",
            ["Ann Lee", "Bo Diaz", "Cy Young"],
        ),
        ("ok_last_first.csv", ["Ann Lee", "Bo Diaz", "Cy Young"]),
    ] {
        let p = practice();
        let out = import(&p, &fixture(file), "2026-03-01");
        assert_eq!(out["counts"]["new"], 3, "{file}: {out}");
        assert_eq!(out["applied"], true);
        let clients = p.json(&["client", "list", "--json"]);
        let mut stored: Vec<String> = clients
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["name"].as_str().unwrap().to_string())
            .collect();
        stored.sort();
        assert_eq!(stored, names, "{file}");
        let before = p.dump();
        let again = import(&p, &fixture(file), "2026-03-01");
        assert_eq!(again["applied"], false, "{file}");
        assert_eq!(again["counts"]["continuing"], 3);
        assert_eq!(
            p.dump(),
            before,
            "{file}: a second import must write nothing"
        );
    }
    // The dates as written: MM/DD/YYYY, YYYYMMDD, and 9999 meaning no end.
    let p = practice();
    import(&p, &fixture("ok_bom.csv"), "2026-03-01");
    let cy = p.json(&["client", "show", "M-1003", "--json"]);
    assert_eq!(cy["attributions"][0]["start"], "2026-02-01");
    assert_eq!(cy["attributions"][0]["end"], Value::Null);
    let bo = p.json(&["client", "show", "M-1002", "--json"]);
    assert_eq!(bo["client"]["dob"], "1985-03-15");
}

#[test]
fn golden_rosters_are_refused_with_every_bad_line_and_nothing_written() {
    let cases: &[(&str, &[&str])] = &[
        (
            "bad_ragged.csv",
            &[
                "line 3: 4 fields where the header has 6",
                "line 4: 7 fields",
            ],
        ),
        (
            "bad_date.csv",
            &[
                "line 3: bad date '2026-02-30'",
                "line 4: bad date '13/45/1990'",
            ],
        ),
        (
            "bad_duplicate_id.csv",
            &["line 4: duplicate member id 'M-1' (first on line 2)"],
        ),
        (
            "bad_non_utf8.csv",
            &["line 3: column 'First Name' is not UTF-8"],
        ),
        ("bad_missing_id.csv", &["line 3: missing member id"]),
        ("bad_empty.csv", &["the file is empty"]),
        ("bad_header_only.csv", &["no members"]),
        (
            "bad_after_multiline.csv",
            &[
                "line 2: name holds a carriage return (U+000D)",
                "line 5: bad date '2026-13-01'",
                "line 6: missing member id",
            ],
        ),
        (
            "bad_line_break_in_name.csv",
            &[
                "(1 bad row): line 3: name holds a line break (U+000A); names and ids cannot hold control or text-direction characters",
            ],
        ),
        (
            "bad_unclosed_quote.csv",
            &["roster refused: line 3: a quoted field is never closed"],
        ),
    ];
    let p = practice();
    // Something to lose: a first roster already applied.
    import(&p, &fixture("ok_bom.csv"), "2026-02-01");
    for (file, expected) in cases {
        let before = p.dump();
        for dry in [false, true] {
            let path = fixture(file);
            let mut args = vec![
                "import",
                "roster",
                path.to_str().unwrap(),
                "--contract",
                "Harbor",
                "--as-of",
                "2026-03-01",
            ];
            if dry {
                args.push("--dry-run");
            }
            let err = p.refused(&args);
            assert!(err.starts_with("error: roster refused"), "{file}: {err}");
            for want in *expected {
                assert!(err.contains(want), "{file}: wanted {want:?} in {err}");
            }
            assert!(!err.contains('\u{e9}'), "no raw bytes echoed");
        }
        assert_eq!(p.dump(), before, "{file}: a refused roster writes nothing");
    }
    // The count of bad rows is stated, and the good rows of a bad file are not applied.
    let err = p.refused(&[
        "import",
        "roster",
        fixture("bad_ragged.csv").to_str().unwrap(),
        "--contract",
        "Harbor",
    ]);
    assert!(err.contains("(2 bad rows)"), "{err}");
}

#[test]
fn other_refusals_name_the_problem() {
    let p = practice();
    p.ok(&[
        "contract",
        "add",
        "EAP",
        "--model",
        "case-rate",
        "--rate",
        "650",
    ]);
    let roster = fixture("ok_bom.csv");
    let path = roster.to_str().unwrap();
    let before = p.dump();
    let err = p.refused(&["import", "roster", path, "--contract", "EAP"]);
    assert!(err.contains("case-rate"), "{err}");
    let err = p.refused(&["import", "roster", path, "--contract", "Nope"]);
    assert!(err.contains("no contract named 'Nope'"), "{err}");
    let err = p.refused(&[
        "import",
        "roster",
        "/no/such/file.csv",
        "--contract",
        "Harbor",
    ]);
    assert!(err.contains("cannot read"), "{err}");
    let err = p.refused(&[
        "import",
        "roster",
        path,
        "--contract",
        "Harbor",
        "--as-of",
        "2026-02-30",
    ]);
    assert!(err.contains("not a real date"), "{err}");
    let odd = p.write("odd.csv", "Mbr,Who\nM-1,Ann Lee\n");
    let err = p.refused(&[
        "import",
        "roster",
        odd.to_str().unwrap(),
        "--contract",
        "Harbor",
    ]);
    assert!(
        err.contains("no member id column") && err.contains("--map"),
        "{err}"
    );
    let err = p.refused(&[
        "import",
        "roster",
        odd.to_str().unwrap(),
        "--contract",
        "Harbor",
        "--map",
        "Nope=member_id",
    ]);
    assert!(err.contains("no column 'Nope'"), "{err}");
    assert_eq!(p.dump(), before);
    // A malformed --map is a usage error.
    let out = p
        .cmd()
        .args([
            "import",
            "roster",
            path,
            "--contract",
            "Harbor",
            "--map",
            "nonsense",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    // With --map the odd file imports.
    let out = p.json(&[
        "import",
        "roster",
        odd.to_str().unwrap(),
        "--contract",
        "Harbor",
        "--as-of",
        "2026-03-01",
        "--map",
        "Mbr=member_id",
        "--map",
        "who=name",
        "--json",
    ]);
    assert_eq!(out["counts"]["new"], 1);
    assert_eq!(
        p.json(&["client", "show", "M-1", "--json"])["client"]["name"],
        "Ann Lee"
    );
}

/// The practice's member months for a month, through reconcile (the economics module).
fn member_months(p: &Practice, month: &str) -> (f64, Option<f64>, i64) {
    let r = p.json(&[
        "reconcile",
        "--contract",
        "Harbor",
        "--month",
        month,
        "--json",
    ]);
    let mm = &r["member_months"];
    (
        mm["practice"].as_f64().unwrap(),
        mm["roster"].as_f64(),
        mm["practice_gross_cents"].as_i64().unwrap(),
    )
}

#[test]
fn a_month_to_month_roster_sequence() {
    let p = practice();
    let header = "Member ID,Name,Effective Date,Term Date\n";
    // January: four members join.
    let jan = p.write("jan.csv",
        &format!(
            "{header}A,Ann Lee,2026-01-01,\nB,Bo Diaz,2026-01-01,\nC,Cy Young,2026-01-01,\nD,Di Ng,2026-01-01,\n"
        ),
    );
    let out = import(&p, &jan, "2026-01-01");
    assert_eq!(out["counts"]["new"], 4);
    assert_eq!(out["month"]["member_months_after"], 4.0);
    // February: the same members (no dates given this time: they continue).
    let feb = p.write(
        "feb.csv",
        &format!("{header}A,Ann Lee,,\nB,Bo Diaz,,\nC,Cy Young,,\nD,Di Ng,,\n"),
    );
    let out = import(&p, &feb, "2026-02-01");
    assert_eq!(out["counts"]["continuing"], 4, "{out}");
    assert_eq!(out["counts"]["new"], 0);
    assert_eq!(out["applied"], true, "a new month's roster is recorded");
    assert_eq!(member_months(&p, "2026-01"), (4.0, Some(4.0), 18_000));
    assert_eq!(member_months(&p, "2026-02"), (4.0, Some(4.0), 18_000));
    // March: B is gone (terminated the day before), C's term date is back in January
    // (retroactive: February is clawed back), E joins, A is renamed.
    let mar = p.write("mar.csv",
        &format!(
            "{header}A,Ann Lee-Park,,\nC,Cy Young,2026-01-01,2026-01-15\nD,Di Ng,,\nE,Ed Oh,2026-03-01,\n"
        ),
    );
    let before_feb = member_months(&p, "2026-02");
    let out = import(&p, &mar, "2026-03-01");
    let c = &out["counts"];
    assert_eq!(
        (
            c["new"].as_i64(),
            c["continuing"].as_i64(),
            c["terminated"].as_i64(),
            c["retroactive"].as_i64(),
            c["changed"].as_i64()
        ),
        (Some(1), Some(1), Some(2), Some(1), Some(1)),
        "{out}: A (renamed) is changed, D continuing; each member counted once"
    );
    // C loses February: $45 gross ($40.50 net); B's termination takes nothing settled.
    assert_eq!(out["clawed_back_cents"], 4500);
    let changes = out["changes"].as_array().unwrap();
    let c_change = changes.iter().find(|x| x["member_id"] == "C").unwrap();
    assert_eq!(c_change["retroactive"], true);
    assert_eq!(c_change["settled_gross_cents"], -4500);
    assert_eq!(c_change["settled_net_cents"], -4050);
    assert_eq!(c_change["after"]["end"], "2026-01-15");
    let b_change = changes.iter().find(|x| x["member_id"] == "B").unwrap();
    assert_eq!(b_change["line"], Value::Null, "absent from the file");
    assert_eq!(b_change["after"]["end"], "2026-02-28");
    assert_eq!(b_change["retroactive"], false);
    assert_eq!(
        out["month"]["member_months_before"], 4.0,
        "A, B, C, D before"
    );
    assert_eq!(out["month"]["member_months_after"], 3.0, "A, D, E");
    assert_eq!(before_feb.0, 4.0);
    assert_eq!(
        member_months(&p, "2026-01"),
        (4.0, Some(4.0), 18_000),
        "C still counts in January"
    );
    assert_eq!(
        member_months(&p, "2026-02").0,
        3.0,
        "February lost C's retroactively terminated month"
    );
    assert_eq!(member_months(&p, "2026-03"), (3.0, Some(3.0), 13_500));
    assert_eq!(
        p.json(&["client", "show", "A", "--json"])["client"]["name"],
        "Ann Lee-Park"
    );
    // April: B is reinstated with their original effective date (continuous membership, so
    // March comes back), C is still gone, E continues.
    let apr = p.write(
        "apr.csv",
        &format!(
            "{header}A,Ann Lee-Park,,\nB,Bo Diaz,2026-01-01,\nD,Di Ng,,\nE,Ed Oh,2026-03-01,\n"
        ),
    );
    let out = import(&p, &apr, "2026-04-01");
    assert_eq!(out["counts"]["reinstated"], 1, "{out}");
    assert_eq!(out["counts"]["terminated"], 0);
    assert_eq!(out["restored_cents"], 4500);
    assert_eq!(member_months(&p, "2026-03").0, 4.0, "B's March is back");
    assert_eq!(member_months(&p, "2026-04"), (4.0, Some(4.0), 18_000));
    let b = p.json(&["client", "show", "B", "--json"]);
    assert_eq!(
        b["attributions"].as_array().unwrap().len(),
        1,
        "reopened, not duplicated"
    );
    assert_eq!(b["attributions"][0]["end"], Value::Null);
    // The April file again: nothing at all is written.
    let before = p.dump();
    let out = import(&p, &apr, "2026-04-01");
    assert_eq!(out["applied"], false);
    assert_eq!(p.dump(), before);
    // Every change went through the hash-chained audit trail.
    p.ok(&["audit", "verify"]);
    let audit = p.json(&["audit", "report", "--json"]);
    let kinds: Vec<&str> = audit
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["action"].as_str().unwrap())
        .collect();
    assert_eq!(kinds.iter().filter(|k| **k == "roster.import").count(), 4);
    assert!(kinds.contains(&"attribution.end") && kinds.contains(&"client.rename"));
    assert!(
        !audit.to_string().contains("Bo Diaz"),
        "audit details carry no names"
    );
}

#[test]
fn a_dry_run_shows_the_changes_and_writes_nothing() {
    let p = practice();
    import(&p, &fixture("ok_bom.csv"), "2026-02-01");
    let next = p.write(
        "next.csv",
        "member id,name\nM-1001,Ann Lee\nM-9,New Person\n",
    );
    let before = p.dump();
    let text = p.ok(&[
        "import",
        "roster",
        next.to_str().unwrap(),
        "--contract",
        "Harbor",
        "--as-of",
        "2026-03-01",
        "--dry-run",
    ]);
    assert!(text.contains("Dry run: nothing was written."), "{text}");
    assert!(
        text.contains("New Person") && text.contains("ends 2026-02-28"),
        "{text}"
    );
    assert_eq!(p.dump(), before);
}

#[test]
fn clients_without_a_member_id_are_listed_and_left_alone() {
    let p = practice();
    p.ok(&[
        "client",
        "add",
        "Walk In",
        "--since",
        "2026-01-01",
        "--contract",
        "Harbor",
    ]);
    let before = p.json(&["client", "show", "Walk In", "--json"]);
    let out = import(&p, &fixture("ok_bom.csv"), "2026-03-01");
    assert_eq!(out["unmatched_client_ids"], serde_json::json!([1]));
    assert_eq!(
        p.json(&["client", "show", "Walk In", "--json"])["attributions"],
        before["attributions"]
    );
    // Reconciliation shows the member month the roster cannot account for.
    let r = p.json(&[
        "reconcile",
        "--contract",
        "Harbor",
        "--month",
        "2026-03",
        "--json",
    ]);
    let diffs = r["member_months"]["differences"].as_array().unwrap();
    assert_eq!(diffs.len(), 1, "{r}");
    assert_eq!(diffs[0]["member_id"], Value::Null);
    assert_eq!(diffs[0]["client_id"], 1);
}

#[test]
fn reconcile_finds_never_engaged_members_and_unpaid_work() {
    let p = practice();
    import(&p, &fixture("ok_bom.csv"), "2026-03-01");
    p.ok(&[
        "log",
        "M-1001",
        "--kind",
        "session",
        "--minutes",
        "50",
        "--date",
        "2026-03-04",
    ]);
    p.ok(&[
        "log",
        "M-1002",
        "--kind",
        "outreach",
        "--minutes",
        "5",
        "--date",
        "2026-03-05",
    ]);
    p.ok(&["client", "add", "Pro Bono", "--since", "2026-03-01"]);
    p.ok(&[
        "log",
        "Pro Bono",
        "--kind",
        "session",
        "--minutes",
        "60",
        "--date",
        "2026-03-06",
    ]);
    p.ok(&[
        "log",
        "Pro Bono",
        "--kind",
        "coordination",
        "--minutes",
        "30",
        "--date",
        "2026-03-07",
    ]);
    let r = p.json(&[
        "reconcile",
        "--contract",
        "Harbor",
        "--month",
        "2026-03",
        "--json",
    ]);
    let never: Vec<&str> = r["never_engaged"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["external_id"].as_str().unwrap())
        .collect();
    assert_eq!(never, vec!["M-1002", "M-1003"], "{r}");
    assert_eq!(r["never_engaged"][0]["outreach_attempts"], 1);
    assert_eq!(r["never_engaged"][0]["gross_cents"], 4500);
    let unpaid = r["unpaid_work"].as_array().unwrap();
    assert_eq!(unpaid.len(), 1);
    assert_eq!(unpaid[0]["name"], "Pro Bono");
    assert_eq!(
        (
            unpaid[0]["encounters"].as_i64(),
            unpaid[0]["contacts"].as_i64(),
            unpaid[0]["minutes"].as_i64()
        ),
        (Some(2), Some(1), Some(90))
    );
    assert_eq!(unpaid[0]["cost_cents"], 13_500, "90 minutes at $90/h");
    assert_eq!(r["member_months"]["practice"], 3.0);
    assert_eq!(r["member_months"]["roster"], 3.0);
    let text = p.ok(&["reconcile", "--contract", "Harbor", "--month", "2026-03"]);
    assert!(
        text.contains("Never engaged: 2 attributed members") && text.contains("Pro Bono"),
        "{text}"
    );
    assert!(
        text.contains(
            "Unpaid work (practice-wide): 1 client seen on days no contract covered them, 90 minutes"
        ) && text.contains("(import 1, 3 members)"),
        "{text}"
    );
    // One never-engaged member is one member, in words that agree.
    p.ok(&[
        "log",
        "M-1002",
        "--kind",
        "phone",
        "--minutes",
        "10",
        "--date",
        "2026-03-09",
    ]);
    let text = p.ok(&["reconcile", "--contract", "Harbor", "--month", "2026-03"]);
    assert!(
        text.contains("Never engaged: 1 attributed member with no contact by 2026-03-31"),
        "{text}"
    );
    // Before any roster there is nothing to compare with.
    let r = p.json(&[
        "reconcile",
        "--contract",
        "Harbor",
        "--month",
        "2025-12",
        "--json",
    ]);
    assert_eq!(r["member_months"]["roster"], Value::Null);
}

#[test]
fn a_large_roster_imports_without_noise_on_stderr() {
    let p = practice();
    let mut text = String::from("member_id,first_name,last_name,dob,start_date\n");
    for i in 0..6_000 {
        text.push_str(&format!(
            "X-{i:05},First{i},Last{i},1980-01-01,2026-01-01\n"
        ));
    }
    let path = p.write("big.csv", &text);
    let out = p
        .cmd()
        .args([
            "import",
            "roster",
            path.to_str().unwrap(),
            "--contract",
            "Harbor",
            "--as-of",
            "2026-02-01",
        ])
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(
        out.stderr.is_empty(),
        "no progress line when stderr is not a terminal"
    );
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(
        stdout.contains("… and 5950 more"),
        "long lists are cut short"
    );
    assert_eq!(member_months(&p, "2026-02").0, 6000.0);
}

#[test]
fn in_a_protected_practice_only_an_admin_imports_rosters() {
    let p = practice();
    p.ok(&["clinician", "add", "Sam Okafor"]);
    let set = p
        .cmd()
        .env("CASELOAD_NEW_PASSPHRASE", "harbor light 42")
        .args(["clinician", "passphrase", "Dana Reyes"])
        .output()
        .unwrap();
    assert!(set.status.success());
    let set = p
        .cmd()
        .env("CASELOAD_PASSPHRASE", "harbor light 42")
        .env("CASELOAD_NEW_PASSPHRASE", "sam's quiet room")
        .args([
            "--as",
            "Dana Reyes",
            "clinician",
            "passphrase",
            "Sam Okafor",
        ])
        .output()
        .unwrap();
    assert!(set.status.success());
    let roster = fixture("ok_bom.csv");
    let args = [
        "import",
        "roster",
        roster.to_str().unwrap(),
        "--contract",
        "Harbor",
    ];
    let out = p
        .cmd()
        .env("CASELOAD_PASSPHRASE", "sam's quiet room")
        .args(["--as", "Sam Okafor"])
        .args(args)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("may not manage contracts"));
    assert_eq!(p.dump().matches("roster.import").count(), 0);
    let out = p
        .cmd()
        .env("CASELOAD_PASSPHRASE", "harbor light 42")
        .args(["--as", "Dana Reyes"])
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Reconciliation reads the whole practice: not for a clinician.
    let out = p
        .cmd()
        .env("CASELOAD_PASSPHRASE", "sam's quiet room")
        .args(["--as", "Sam Okafor", "reconcile", "--contract", "Harbor"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn a_last_first_roster_matches_the_practice_and_counts_each_member_once() {
    let p = practice();
    // The practice already knows Ann as "Ann Lee", attributed since January.
    p.ok(&[
        "client",
        "add",
        "Ann Lee",
        "--external-id",
        "M-5001",
        "--dob",
        "1990-04-02",
        "--since",
        "2026-01-01",
        "--contract",
        "Harbor",
    ]);
    let out = import(&p, &fixture("ok_last_first.csv"), "2026-03-01");
    let counts = &out["counts"];
    assert_eq!(
        (
            counts["new"].as_i64(),
            counts["continuing"].as_i64(),
            counts["changed"].as_i64()
        ),
        (Some(2), Some(1), Some(0)),
        "\"Lee, Ann\" is Ann Lee: no rename proposed: {out}"
    );
    let ann = p.json(&["client", "show", "M-5001", "--json"]);
    assert_eq!(ann["client"]["name"], "Ann Lee");
    let bo = p.json(&["client", "show", "M-5002", "--json"]);
    assert_eq!(bo["client"]["name"], "Bo Diaz", "stored First Last");
    let before = p.dump();
    let again = import(&p, &fixture("ok_last_first.csv"), "2026-03-01");
    assert_eq!(again["counts"]["continuing"], 3);
    assert_eq!(again["counts"]["changed"], 0);
    assert_eq!(
        before,
        p.dump(),
        "a re-import proposes no rename and writes nothing"
    );

    // Ann marries: same dates, new name. She is changed, not also continuing, and the
    // counts add up to the members listed, in the table and in the JSON.
    let renamed = p.write(
        "renamed.csv",
        "Member ID,Member Name,DOB,Effective Date,Term Date\n\
         M-5001,\"Lee-Park, Ann\",1990-04-02,2026-01-01,\n\
         M-5002,\"Diaz, Bo\",1985-03-15,2026-01-01,\n\
         M-5003,\"Young, Cy\",,2026-02-01,\n",
    );
    let args = [
        "import",
        "roster",
        renamed.to_str().unwrap(),
        "--contract",
        "Harbor",
        "--as-of",
        "2026-04-01",
        "--dry-run",
    ];
    let mut json_args = args.to_vec();
    json_args.push("--json");
    let out = p.json(&json_args);
    let c = &out["counts"];
    assert_eq!(
        (
            c["new"].as_i64(),
            c["continuing"].as_i64(),
            c["terminated"].as_i64(),
            c["reinstated"].as_i64(),
            c["changed"].as_i64()
        ),
        (Some(0), Some(2), Some(0), Some(0), Some(1)),
        "{out}"
    );
    assert_eq!(out["members"], 3);
    let changes = out["changes"].as_array().unwrap();
    assert_eq!(changes.len(), 1);
    assert_eq!(changes[0]["member_id"], "M-5001");
    assert_eq!(changes[0]["category"], "changed");
    assert_eq!(changes[0]["rename"], "Ann Lee-Park");
    let text = p.ok(&args);
    let count_of = |label: &str| -> String {
        let line = text
            .lines()
            .find(|l| l.split_whitespace().next() == Some(label))
            .unwrap_or_else(|| panic!("no {label} row in {text}"));
        line.split_whitespace().nth(1).unwrap().to_string()
    };
    assert_eq!(
        (count_of("continuing"), count_of("changed")),
        ("2".to_string(), "1".to_string()),
        "{text}"
    );
    assert!(
        text.contains("Changed (1)") && text.contains("name becomes 'Ann Lee-Park'"),
        "{text}"
    );
    assert!(text.contains(": 3 members ("), "{text}");
}

/// `import roster FILE --contract Harbor --as-of AS_OF`, plus `more`, as arguments.
fn roster_args<'a>(file: &'a Path, as_of: &'a str, more: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec![
        "import",
        "roster",
        file.to_str().unwrap(),
        "--contract",
        "Harbor",
        "--as-of",
        as_of,
    ];
    args.extend(more);
    args
}

#[test]
fn an_unclosed_quote_refuses_the_roster_at_its_line_and_touches_nothing() {
    // Issue 11: this file used to import with exit 0, terminate M3 (swallowed into M2's name)
    // and rename M2 to "Ray, Bob\nM3,Dee Cy".
    let p = practice();
    let first = p.write(
        "first.csv",
        "Member ID,Name\nM1,Ann Lee\nM2,Bob Ray\nM3,Dee Cy\n",
    );
    p.json(&roster_args(&first, "2026-02-01", &["--json"]));
    let bad = p.write(
        "bad.csv",
        "Member ID,Name\nM1,Ann Lee\nM2,\"Ray, Bob\nM3,Dee Cy\n",
    );
    let (dump, hash) = (p.dump(), p.file_hash());
    for more in [&[][..], &["--dry-run"][..], &["--json"][..]] {
        let err = p.refused(&roster_args(&bad, "2026-03-01", more));
        assert_eq!(
            err.trim_end(),
            "error: roster refused: line 3: a quoted field is never closed (a \" opens it and no \" ends it before the end of the file)",
            "{more:?}"
        );
    }
    assert_eq!(p.file_hash(), hash, "the database file is untouched");
    assert_eq!(p.dump(), dump);
    assert_eq!(
        p.json(&["client", "show", "M2", "--json"])["client"]["name"],
        "Bob Ray"
    );
}

#[test]
fn control_characters_in_member_ids_and_names_refuse_the_roster_with_their_lines() {
    let p = practice();
    let first = p.write("first.csv", "Member ID,Name\nM1,Ann Lee\n");
    p.json(&roster_args(&first, "2026-02-01", &["--json"]));
    let hostile = p.write(
        "hostile.csv",
        "Member ID,Name\n\
         M1,Ann Lee\n\
         M2\u{1b}[2J,Bo Diaz\n\
         M3,\"Cy\u{0}Young\"\n\
         M4,Di \u{202e}gN\n\
         M5,Ed\u{9b}31m Oh\n\
         M6,\"Fa\tRu\"\n\
         M\u{85}7,Gi Po\n",
    );
    let (dump, hash) = (p.dump(), p.file_hash());
    for more in [&[][..], &["--dry-run"][..]] {
        let err = p.refused(&roster_args(&hostile, "2026-03-01", more));
        for want in [
            "(6 bad rows)",
            "line 3: member id holds an escape character (U+001B)",
            "line 4: name holds a NUL character (U+0000)",
            "line 5: name holds a text-direction character (U+202E)",
            "line 6: name holds a control character (U+009B)",
            "line 7: name holds a tab (U+0009)",
            "line 8: member id holds a control character (U+0085)",
        ] {
            assert!(err.contains(want), "wanted {want:?} in {err:?}");
        }
        assert!(
            !err.trim_end().chars().any(|c| c.is_control()
                || ('\u{202a}'..='\u{202e}').contains(&c)
                || ('\u{2066}'..='\u{2069}').contains(&c)),
            "no raw control character echoed: {err:?}"
        );
    }
    assert_eq!(p.file_hash(), hash, "the database file is untouched");
    assert_eq!(p.dump(), dump);
    let listed = p.ok(&["client", "list", "--json"]);
    assert!(
        !listed.contains("M2") && !listed.contains("Bo Diaz"),
        "{listed}"
    );
}
