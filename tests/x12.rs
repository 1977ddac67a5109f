//! X12 834 rosters through the real binary: a full file, then a change file with every
//! maintenance code, then the same change file again (which writes nothing); dry runs and JSON;
//! every malformed fixture refused with its segment and the database untouched; reconciliation
//! reading an 834 import as a roster; and names in capitals matching the practice's clients.
#![allow(clippy::unwrap_used)] // A failed unwrap in a test is a failed test, with its message.

mod common;
use common::Practice;
use serde_json::Value;
use std::path::{Path, PathBuf};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/x12")
        .join(name)
}

/// A practice on 20 March 2026 with one clinician and a $45 PMPM capitation contract.
fn practice() -> Practice {
    let p = Practice::on("2026-03-20");
    p.admin("Dana Reyes", "90");
    p.capitation("Harbor", "45", &[]);
    p
}

fn args<'a>(file: &'a Path, as_of: &'a str, more: &[&'a str]) -> Vec<&'a str> {
    let mut a = vec![
        "import",
        "roster",
        file.to_str().unwrap(),
        "--contract",
        "Harbor",
        "--as-of",
        as_of,
    ];
    a.extend(more);
    a
}

fn import(p: &Practice, name: &str, as_of: &str) -> Value {
    p.json(&args(&fixture(name), as_of, &["--json"]))
}

/// (start, end) of a client's attributions, by member id.
fn spans(p: &Practice, member: &str) -> Vec<(String, Option<String>)> {
    let c = p.json(&["client", "show", member, "--json"]);
    c["attributions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            (
                a["start"].as_str().unwrap().to_string(),
                a["end"].as_str().map(str::to_string),
            )
        })
        .collect()
}

fn span(start: &str, end: Option<&str>) -> (String, Option<String>) {
    (start.to_string(), end.map(str::to_string))
}

fn counts(out: &Value) -> [i64; 5] {
    let c = &out["counts"];
    ["new", "continuing", "terminated", "reinstated", "changed"].map(|k| c[k].as_i64().unwrap())
}

#[test]
fn a_full_file_then_a_change_file_then_the_same_change_file_again() {
    let p = practice();
    // The monthly full file (`~` after each segment and a line break), as of 1 March.
    let full = import(&p, "full_834.x12", "2026-03-01");
    assert_eq!(full["applied"], true, "{full}");
    assert_eq!(counts(&full), [5, 0, 0, 0, 0]);
    assert_eq!(full["members"], 5);
    assert_eq!(full["month"]["member_months_after"], 4.0);
    let ann = p.json(&["client", "show", "M-1001", "--json"]);
    assert_eq!(ann["client"]["name"], "ANN LEE");
    assert_eq!(ann["client"]["dob"], "1980-04-12");
    assert_eq!(spans(&p, "M-1001"), [span("2026-01-01", None)]);
    assert_eq!(
        spans(&p, "M-1002"),
        [span("2026-02-01", None)],
        "the benefit begin in the HD loop wins over the eligibility begin"
    );
    assert_eq!(
        spans(&p, "M-1003"),
        [span("2025-10-01", Some("2026-02-28"))]
    );
    assert_eq!(
        spans(&p, "M-1004"),
        [span("2026-03-01", None)],
        "open while one coverage (HLT) is open, though DEN ends"
    );
    // The same full file again writes nothing.
    let before = p.dump();
    let again = import(&p, "full_834.x12", "2026-03-01");
    assert_eq!(again["applied"], false);
    assert_eq!(counts(&again), [0, 5, 0, 0, 0]);
    assert_eq!(p.dump(), before, "a second full import must write nothing");

    // A change file (`|` between elements, `!` after segments, no line breaks), as of 15 March.
    let change = import(&p, "change_834.x12", "2026-03-15");
    assert_eq!(change["applied"], true, "{change}");
    assert_eq!(change["members"], 6);
    assert_eq!(
        counts(&change),
        [1, 0, 2, 1, 1],
        "021 new, 024 ×2 terminated, 025 reinstated, 001 changed; 030 nothing: {change}"
    );
    assert_eq!(
        change["x12"]["maintenance"],
        serde_json::json!({"additions": 1, "changes": 1, "reinstatements": 1,
                           "terminations": 2, "audits": 1, "left_alone": 0})
    );
    // 021: Eve Park from her benefit begin.
    let eve = p.json(&["client", "show", "M-1006", "--json"]);
    assert_eq!(eve["client"]["name"], "EVE PARK");
    assert_eq!(eve["client"]["dob"], "2001-01-09");
    assert_eq!(spans(&p, "M-1006"), [span("2026-03-10", None)]);
    // 001: a new name, no date moved.
    let bo = p.json(&["client", "show", "M-1002", "--json"]);
    assert_eq!(bo["client"]["name"], "BO DIAZ-ORTEGA");
    assert_eq!(spans(&p, "M-1002"), [span("2026-02-01", None)]);
    // 025: back from the benefit begin.
    assert_eq!(
        spans(&p, "M-1003"),
        [
            span("2025-10-01", Some("2026-02-28")),
            span("2026-03-15", None)
        ]
    );
    // 024 with a DTP*349: ends on it; 024 without: the day before --as-of.
    assert_eq!(
        spans(&p, "M-1001"),
        [span("2026-01-01", Some("2026-03-31"))]
    );
    assert_eq!(
        spans(&p, "M-1004"),
        [span("2026-03-01", Some("2026-03-14"))]
    );
    // 030: Fay Orr untouched.
    assert_eq!(spans(&p, "M-1005"), [span("2026-01-01", None)]);

    // The same change file again: nothing to change, nothing written.
    let before = p.dump();
    let again = import(&p, "change_834.x12", "2026-03-15");
    assert_eq!(again["applied"], false, "{again}");
    assert_eq!(again["import_id"], Value::Null);
    assert_eq!(counts(&again), [0, 3, 0, 0, 0]);
    assert_eq!(again["x12"]["maintenance"]["left_alone"], 2);
    assert_eq!(
        p.dump(),
        before,
        "the same change file twice must write nothing"
    );
    let text = p.ok(&args(&fixture("change_834.x12"), "2026-03-15", &[]));
    assert!(
        text.contains("Nothing changed: this roster was already imported"),
        "{text}"
    );
    assert_eq!(p.dump(), before);
    // A change file with no full roster before it says what reconciliation will lack.
    let q = practice();
    let text = q.ok(&args(
        &fixture("change_834.x12"),
        "2026-03-15",
        &["--dry-run"],
    ));
    assert!(
        text.contains("no earlier roster is recorded for this contract"),
        "{text}"
    );
}

#[test]
fn the_import_record_notes_the_file_and_the_audit_names_no_one() {
    if common::sqlite_only("it reads the file's audit rows with SQLite") {
        return;
    }
    let p = practice();
    import(&p, "full_834.x12", "2026-03-01");
    import(&p, "change_834.x12", "2026-03-15");
    let conn = rusqlite::Connection::open(&p.db).unwrap();
    let rows: Vec<(String, String, String, String, i64)> = conn
        .prepare(
            "SELECT as_of, x12_reference, x12_date, x12_kind, members FROM roster_imports ORDER BY id",
        )
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)))
        .unwrap()
        .map(|r| r.unwrap())
        .collect();
    assert_eq!(
        rows,
        [
            (
                "2026-03-01".into(),
                "FULL-202603".into(),
                "2026-02-25".into(),
                "full".into(),
                5
            ),
            // The change file is recorded as the whole roster after it.
            (
                "2026-03-15".into(),
                "CHG-20260314".into(),
                "2026-03-14".into(),
                "change".into(),
                6
            ),
        ]
    );
    let audit: String = conn
        .prepare("SELECT group_concat(action || ' ' || detail, '\n') FROM audit")
        .unwrap()
        .query_row([], |r| r.get(0))
        .unwrap();
    assert!(audit.contains("roster.import"), "{audit}");
    assert!(audit.contains("attribution.end"), "{audit}");
    for name in ["LEE", "DIAZ", "PARK", "YOUNG"] {
        assert!(
            !audit.contains(name),
            "audit details carry no names: {audit}"
        );
    }
}

#[test]
fn reconciliation_counts_an_834_import_as_the_roster() {
    let p = practice();
    import(&p, "full_834.x12", "2026-03-01");
    import(&p, "change_834.x12", "2026-03-15");
    for month in ["2026-03", "2026-04"] {
        let r = p.json(&[
            "reconcile",
            "--contract",
            "Harbor",
            "--month",
            month,
            "--json",
        ]);
        let mm = &r["member_months"];
        assert_eq!(mm["practice"], 4.0, "{month}: {r}");
        assert_eq!(
            mm["roster"], 4.0,
            "{month}: the change file's roster is everyone's, not only the six it lists: {r}"
        );
        assert_eq!(mm["differences"], serde_json::json!([]), "{month}");
        assert_eq!(
            mm["roster_import"]["x12"],
            serde_json::json!({"reference": "CHG-20260314", "date": "2026-03-14", "kind": "change"})
        );
    }
    let text = p.ok(&["reconcile", "--contract", "Harbor", "--month", "2026-03"]);
    assert!(
        text.contains("(import 2, 834 change file CHG-20260314 of 2026-03-14, 6 members)"),
        "{text}"
    );
    // After the full file alone, February: the roster of 1 March carries no one the practice lacks.
    let q = practice();
    import(&q, "full_834.x12", "2026-03-01");
    let r = q.json(&[
        "reconcile",
        "--contract",
        "Harbor",
        "--month",
        "2026-03",
        "--json",
    ]);
    assert_eq!(r["member_months"]["roster"], r["member_months"]["practice"]);
    assert_eq!(r["member_months"]["roster_import"]["x12"]["kind"], "full");
}

#[test]
fn dry_runs_show_the_changes_and_write_nothing() {
    let p = practice();
    let before = (p.dump(), p.file_hash());
    let text = p.ok(&args(
        &fixture("full_834.x12"),
        "2026-03-01",
        &["--dry-run"],
    ));
    assert!(
        text.contains("Roster for Harbor as of 2026-03-01: 5 members (834 full roster FULL-202603 of 2026-02-25, BGN08 4)"),
        "{text}"
    );
    assert!(
        text.contains("segment  member id"),
        "the 834's rows are by segment: {text}"
    );
    assert!(text.contains("Dry run: nothing was written."), "{text}");
    assert_eq!((p.dump(), p.file_hash()), before);
    import(&p, "full_834.x12", "2026-03-01");
    let before = (p.dump(), p.file_hash());
    let json = p.json(&args(
        &fixture("change_834.x12"),
        "2026-03-15",
        &["--dry-run", "--json"],
    ));
    assert_eq!(json["dry_run"], true);
    assert_eq!(json["applied"], false);
    assert_eq!(counts(&json), [1, 0, 2, 1, 1]);
    let text = p.ok(&args(
        &fixture("change_834.x12"),
        "2026-03-15",
        &["--dry-run"],
    ));
    assert!(
        text.contains("834 change file CHG-20260314 of 2026-03-14 lists 6 members: 1 addition, 1 change, 1 reinstatement, 2 terminations, 1 audit"),
        "{text}"
    );
    assert!(
        text.contains("2026-03-01 to open ends 2026-03-14"),
        "{text}"
    );
    assert!(text.contains("name becomes 'BO DIAZ-ORTEGA'"), "{text}");
    assert_eq!((p.dump(), p.file_hash()), before);
}

#[test]
fn json_names_the_file_and_every_change() {
    let p = practice();
    let out = import(&p, "full_834.x12", "2026-03-01");
    assert_eq!(
        out["x12"],
        serde_json::json!({
            "reference": "FULL-202603", "date": "2026-02-25", "kind": "full", "action": "4",
            "maintenance": {"additions": 0, "changes": 0, "reinstatements": 0,
                            "terminations": 0, "audits": 5, "left_alone": 0}
        })
    );
    assert_eq!(out["file_hash"].as_str().unwrap().len(), 64);
    let changes = out["changes"].as_array().unwrap();
    assert_eq!(changes.len(), 5);
    assert_eq!(changes[0]["line"], 9, "the INS segment of the first member");
    assert_eq!(changes[0]["member_id"], "M-1001");
    assert_eq!(
        changes[0]["after"],
        serde_json::json!({"start": "2026-01-01", "end": null})
    );
    // A CSV roster's JSON has no x12 field.
    let csv = p.write("r.csv", "member id,name\nM-1001,Ann Lee\n");
    let out = p.json(&args(&csv, "2026-03-01", &["--json", "--dry-run"]));
    assert!(out.get("x12").is_none(), "{out}");
}

#[test]
fn malformed_834s_are_refused_with_the_segment_and_nothing_is_written() {
    let p = practice();
    import(&p, "full_834.x12", "2026-03-01");
    let cases: &[(&str, &str)] = &[
        (
            "bad_no_isa.x12",
            "error: 834 refused, nothing was written: segment 1: the file does not start with an ISA segment, the interchange header that declares the separators; it starts with GS",
        ),
        (
            "bad_se_count.x12",
            "error: 834 refused, nothing was written: segment 62 (SE): SE01 says 59 segments but the transaction set from segment 3 (ST) to here has 60; is a segment missing or extra?",
        ),
        (
            "bad_ge_count.x12",
            "error: 834 refused, nothing was written: segment 63 (GE): GE01 says 2 transaction sets but the group opened at segment 2 has 1",
        ),
        (
            "bad_iea_count.x12",
            "error: 834 refused, nothing was written: segment 64 (IEA): IEA01 says 2 functional groups but the interchange has 1",
        ),
        (
            "bad_no_ref0f.x12",
            "error: 834 refused, nothing was written (1 bad segment): segment 31: the member loop has no REF*0F, the subscriber identifier caseload uses as the member id",
        ),
        (
            "bad_date.x12",
            "error: 834 refused, nothing was written (2 bad segments): segment 28: DTP*348 date '20260230' is not a real date (CCYYMMDD, from 1900); segment 47: date of birth '19881320' (DMG02) is not a real date (CCYYMMDD)",
        ),
        (
            "bad_order.x12",
            "error: 834 refused, nothing was written: segment 34 (DMG): DMG (the member's date of birth) stands in the member level (loop 2000); it belongs in the member's name loop, after NM1*IL",
        ),
        (
            "bad_control.x12",
            "error: 834 refused, nothing was written (2 bad segments): segment 42: member id holds a text-direction character (U+202E); names and ids cannot hold control or text-direction characters; segment 56: name holds an escape character (U+001B); names and ids cannot hold control or text-direction characters",
        ),
        (
            "bad_cut.x12",
            "error: 834 refused, nothing was written: segment 57: the file ends inside the transaction set opened at segment 3 (ST): no SE, GE or IEA; is it cut short?",
        ),
    ];
    for (file, want) in cases {
        let before = (p.dump(), p.file_hash());
        let why = p.refused(&args(&fixture(file), "2026-03-15", &[]));
        assert_eq!(why.trim_end(), *want, "{file}");
        let why = p.refused(&args(
            &fixture(file),
            "2026-03-15",
            &["--dry-run", "--json"],
        ));
        assert_eq!(why.trim_end(), *want, "{file} (dry run)");
        assert_eq!((p.dump(), p.file_hash()), before, "{file}: nothing written");
    }
}

#[test]
fn other_refusals_of_an_834() {
    let p = practice();
    let before = p.dump();
    let why = p.refused(&args(
        &fixture("full_834.x12"),
        "2026-03-01",
        &["--map", "Member=member_id"],
    ));
    assert!(
        why.contains("--map names the columns of a CSV roster"),
        "{why}"
    );
    p.ok(&[
        "contract",
        "add",
        "Episodes",
        "--model",
        "case-rate",
        "--rate",
        "900",
    ]);
    let before_case = p.dump();
    let why = p.refused(&[
        "import",
        "roster",
        fixture("full_834.x12").to_str().unwrap(),
        "--contract",
        "Episodes",
    ]);
    assert!(why.contains("Episodes is a case-rate contract"), "{why}");
    assert_eq!(p.dump(), before_case);
    assert_ne!(before, before_case);
    // A change file whose new member has no name cannot add them.
    let text = std::fs::read_to_string(fixture("change_834.x12"))
        .unwrap()
        .replace("NM1|IL|1|PARK|EVE!", "NM1|IL|1!");
    let nameless = p.write("nameless.x12", &text);
    let before = p.dump();
    let why = p.refused(&args(&nameless, "2026-03-15", &[]));
    assert_eq!(
        why.trim_end(),
        "error: 834 refused, nothing was written (1 bad segment): segment 7: no name for new member 'M-1006'"
    );
    assert_eq!(p.dump(), before);
}

#[test]
fn names_in_capitals_match_the_practice_s_clients() {
    let p = practice();
    p.ok(&[
        "client",
        "add",
        "Ann Lee",
        "--external-id",
        "M-1001",
        "--since",
        "2026-01-01",
        "--contract",
        "Harbor",
    ]);
    let out = import(&p, "full_834.x12", "2026-03-01");
    assert_eq!(counts(&out), [4, 0, 0, 0, 1], "{out}");
    let ann = p.json(&["client", "show", "M-1001", "--json"]);
    assert_eq!(ann["client"]["name"], "Ann Lee", "ANN LEE renames no one");
    assert_eq!(
        ann["client"]["dob"], "1980-04-12",
        "the date of birth is filled in"
    );
}

#[test]
fn the_same_file_with_crlf_or_on_one_line_reads_the_same() {
    let text = std::fs::read_to_string(fixture("full_834.x12")).unwrap();
    let mut outs = Vec::new();
    for (name, variant) in [
        ("crlf.x12", text.replace("~\n", "~\r\n")),
        ("one.x12", text.replace("~\n", "~")),
        ("bom.x12", format!("\u{feff}{text}")),
    ] {
        let p = practice();
        let file = p.write(name, &variant);
        let mut out = p.json(&args(&file, "2026-03-01", &["--json"]));
        out["file_hash"] = Value::Null;
        outs.push(out);
    }
    assert_eq!(outs[0], outs[1]);
    assert_eq!(outs[0], outs[2]);
}

#[test]
fn a_file_already_recorded_as_of_the_same_day_is_not_recorded_again() {
    let p = practice();
    import(&p, "full_834.x12", "2026-03-01");
    import(&p, "change_834.x12", "2026-03-15");
    // A later change file of audits only: nothing changes, but it is a roster of its own date.
    let text = std::fs::read_to_string(fixture("change_834.x12")).unwrap();
    let audits = ["021", "001", "025", "024"]
        .iter()
        .fold(text, |t, code| {
            t.replace(&format!("INS|Y|18|{code}|"), "INS|Y|18|030|")
        })
        .replace("CHG-20260314", "CHG-20260319");
    let later = p.write("audits.x12", &audits);
    let out = p.json(&args(&later, "2026-03-20", &["--json"]));
    assert_eq!(out["applied"], true, "recorded for reconciliation: {out}");
    assert_eq!(out["x12"]["maintenance"]["audits"], 6);
    assert_eq!(out["changes"], serde_json::json!([]));
    // The first change file again, as of its own day: its hash is on record, so nothing is.
    let before = p.dump();
    let again = import(&p, "change_834.x12", "2026-03-15");
    assert_eq!(again["applied"], false, "{again}");
    assert_eq!(p.dump(), before);
}
