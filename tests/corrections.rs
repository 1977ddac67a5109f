//! Corrections through the real binary (SPEC section 9): amend, void, unvoid and client edit;
//! refusals that write nothing; and the proof that a voided record counts for nothing — every
//! report of a practice with records entered and then voided equals the same practice built
//! without them.
#![allow(clippy::unwrap_used)] // A failed unwrap in a test is a failed test, with its message.

mod common;

use common::Practice;
use serde_json::Value;

/// The practice both sides share (today is 2026-11-23): two clinicians, a capitation contract
/// and a case rate, three clients with contacts, measurements and an acute event.
fn base(p: &Practice) {
    p.admin("Dana Reyes", "95");
    p.ok(&["clinician", "add", "Sam Okafor", "--hourly-cost", "60"]);
    p.capitation("Harbor Health", "45", &["--withhold", "5"]);
    p.ok(&[
        "contract",
        "add",
        "EAP",
        "--model",
        "case-rate",
        "--rate",
        "600",
    ]);
    for (name, ext, tier, who) in [
        ("Ann Lee", "M-1", "high", "Dana Reyes"),
        ("Bo Chen", "M-2", "moderate", "Sam Okafor"),
        ("Cy Diaz", "M-3", "low", "Sam Okafor"),
    ] {
        p.ok(&[
            "client",
            "add",
            name,
            "--external-id",
            ext,
            "--tier",
            tier,
            "--clinician",
            who,
            "--since",
            "2026-08-01",
            "--contract",
            "Harbor Health",
        ]);
    }
    p.log("ann", "intake", "2026-08-05", "60", "completed");
    p.log("ann", "session", "2026-11-02", "50", "completed");
    p.log("bo", "session", "2026-10-01", "50", "completed");
    p.log("bo", "phone", "2026-11-20", "10", "completed");
    p.log("cy", "session", "2026-09-10", "45", "completed");
    p.measure("ann", "phq9", "16", "2026-08-05");
    p.measure("ann", "phq9", "7", "2026-11-02");
    p.measure("bo", "gad7", "9", "2026-10-01");
    p.measure("cy", "srs", "38", "2026-09-10");
    p.ok(&["event", "cy", "--kind", "ed-visit", "--date", "2026-09-01"]);
}

/// What a correction test compares: every figure the practice reports.
fn reports(p: &Practice) -> Vec<(String, Value)> {
    let mut out = Vec::new();
    let mut add = |name: &str, args: &[&str]| out.push((name.to_string(), p.json(args)));
    add("flags", &["flags", "--json"]);
    for by in ["month", "contract", "clinician", "client"] {
        add(
            &format!("revenue by {by}"),
            &[
                "report", "revenue", "--by", by, "--from", "2026-08", "--json",
            ],
        );
    }
    add(
        "value",
        &["report", "value", "--from", "2026-08-01", "--json"],
    );
    add("today", &["today", "--json"]);
    for month in ["2026-09", "2026-11"] {
        add(
            &format!("reconcile {month}"),
            &[
                "reconcile",
                "--contract",
                "Harbor Health",
                "--month",
                month,
                "--json",
            ],
        );
    }
    add("client list", &["client", "list", "--json"]);
    let value = &out.iter().find(|(n, _)| n == "value").unwrap().1;
    assert!(
        value.get("fairness").is_some(),
        "the fairness rows are compared too"
    );
    out
}

fn id(out: &str, after: &str) -> String {
    let rest = &out[out.find(after).unwrap_or_else(|| panic!("{out}")) + after.len()..];
    rest.chars().take_while(char::is_ascii_digit).collect()
}

/// The ids of a client's records of one kind, from `client show --json`.
fn ids(p: &Practice, client: &str, kind: &str) -> Vec<i64> {
    p.json(&["client", "show", client, "--json"])[kind]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_i64().unwrap())
        .collect()
}

#[test]
fn a_voided_record_counts_for_nothing_in_any_report() {
    let without = Practice::new();
    base(&without);
    let with = Practice::new();
    base(&with);
    // Mistakes, entered last so every shared record keeps its id: a 500-minute session today
    // (cost, minutes, today's summary), a PHQ-9 with item 9 = 1 (a safety flag, outcomes), an
    // ED visit (post-discharge flag, follow-up), two no-shows (disengaged, show rate), a
    // measurement for the unmeasured, and an attribution to the case rate (revenue by contract).
    let mut voids: Vec<(&str, String)> = Vec::new();
    let logged = with.ok(&[
        "log",
        "ann",
        "--kind",
        "session",
        "--minutes",
        "500",
        "--date",
        "2026-11-23",
    ]);
    voids.push(("encounter", id(&logged, "encounter ")));
    for date in ["2026-11-21", "2026-11-22"] {
        let logged = with.ok(&[
            "log",
            "bo",
            "--kind",
            "session",
            "--status",
            "no-show",
            "--minutes",
            "5",
            "--date",
            date,
        ]);
        voids.push(("encounter", id(&logged, "encounter ")));
    }
    with.ok(&[
        "measure",
        "ann",
        "--instrument",
        "phq9",
        "--items",
        "1,1,1,1,1,1,1,1,1",
        "--date",
        "2026-11-22",
    ]);
    with.ok(&[
        "measure",
        "cy",
        "--instrument",
        "phq9",
        "--score",
        "21",
        "--date",
        "2026-11-10",
    ]);
    for client in ["ann", "cy"] {
        let last = *ids(&with, client, "measurements").iter().max().unwrap();
        voids.push(("measurement", last.to_string()));
    }
    with.ok(&[
        "event",
        "bo",
        "--kind",
        "inpatient-discharge",
        "--date",
        "2026-11-15",
    ]);
    voids.push(("event", ids(&with, "bo", "events")[0].to_string()));
    with.ok(&[
        "attribute",
        "cy",
        "--contract",
        "EAP",
        "--from",
        "2026-11-01",
    ]);
    let eap = *ids(&with, "cy", "attributions").iter().max().unwrap();
    voids.push(("attribution", eap.to_string()));

    let mistaken = reports(&with);
    assert_ne!(
        mistaken,
        reports(&without),
        "the mistakes show before the voids"
    );
    for (kind, id) in &voids {
        with.ok(&["void", kind, id, "--reason", "entered by mistake"]);
    }
    for ((name, a), (_, b)) in reports(&with).into_iter().zip(reports(&without)) {
        assert_eq!(a, b, "{name} differs once the mistakes are voided");
    }

    // Unvoiding brings each back exactly: the reports match the practice before the voids.
    for (kind, id) in &voids {
        with.ok(&["unvoid", kind, id, "--reason", "it did happen after all"]);
    }
    for ((name, a), (_, b)) in reports(&with).into_iter().zip(mistaken) {
        assert_eq!(a, b, "{name} differs after the unvoids");
    }
    let flags = with.json(&["flags", "--json"]);
    assert!(flags.to_string().contains("safety"), "{flags}");

    // The export still holds every record, the voided ones marked.
    with.ok(&[
        "void",
        "encounter",
        &voids[0].1,
        "--reason",
        "entered by mistake",
    ]);
    let file = with.dir.path().join("all.json");
    with.ok(&["export", "--json", file.to_str().unwrap()]);
    let export: Value = serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
    let encounters = export["tables"]["encounters"].as_array().unwrap();
    let voided: Vec<&Value> = encounters
        .iter()
        .filter(|e| !e["voided_at"].is_null())
        .collect();
    assert_eq!(voided.len(), 1);
    assert_eq!(voided[0]["void_reason"], "entered by mistake");
}

#[test]
fn corrections_are_audited_and_shown() {
    let p = Practice::new();
    base(&p);
    let logged = p.ok(&[
        "log",
        "ann",
        "--kind",
        "session",
        "--minutes",
        "500",
        "--date",
        "2026-11-20",
    ]);
    let enc = id(&logged, "encounter ");
    let out = p.ok(&[
        "--as",
        "Dana Reyes",
        "amend",
        "encounter",
        &enc,
        "--minutes",
        "50",
        "--note",
        "late start",
        "--reason",
        "typed an extra zero",
    ]);
    assert_eq!(
        out.trim(),
        format!("Amended encounter {enc}: minutes 500 → 50, note — → late start")
    );
    p.ok(&[
        "--as",
        "Dana Reyes",
        "void",
        "encounter",
        &enc,
        "--reason",
        "wrong client",
    ]);
    let shown = p.json(&["client", "show", "ann", "--json"]);
    let e = shown["encounters"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["id"].as_i64().map(|i| i.to_string()).as_deref() == Some(enc.as_str()))
        .unwrap()
        .clone();
    assert_eq!(e["minutes"], 50);
    assert_eq!(e["voided"]["by"], "Dana Reyes");
    assert_eq!(e["voided"]["reason"], "wrong client");
    for kind in ["encounters", "measurements", "events", "attributions"] {
        for r in shown[kind].as_array().unwrap() {
            assert!(r.get("voided").is_some(), "{kind}: {r}");
        }
    }
    let text = p.ok(&["client", "show", "ann"]);
    assert!(text.contains("[VOIDED"), "{text}");
    assert!(text.contains("wrong client"), "{text}");

    let audit = p.ok(&["audit", "report", "--client", "ann"]);
    assert!(audit.contains("encounter.amend"), "{audit}");
    assert!(audit.contains("minutes 500 → 50"), "{audit}");
    assert!(audit.contains("reason: typed an extra zero"), "{audit}");
    assert!(audit.contains("encounter.void"), "{audit}");
    p.ok(&["audit", "verify"]);

    // A measurement corrected by items, an event by date, a client's details.
    let m = *ids(&p, "ann", "measurements").iter().max().unwrap();
    let out = p.ok(&[
        "amend",
        "measurement",
        &m.to_string(),
        "--items",
        "1,1,1,1,1,1,1,1,0",
        "--reason",
        "item 9 was 0",
    ]);
    assert!(out.contains("total 7 → 8"), "{out}");
    let ev = ids(&p, "cy", "events")[0];
    p.ok(&[
        "amend",
        "event",
        &ev.to_string(),
        "--date",
        "2026-09-02",
        "--reason",
        "date",
    ]);
    let out = p.ok(&[
        "client",
        "edit",
        "bo",
        "--name",
        "Bo Chan",
        "--external-id",
        "M-20",
        "--dob",
        "1990-04-01",
        "--diagnosis",
        "F32.1",
        "--clinician",
        "Dana Reyes",
    ]);
    assert!(out.contains("name Bo Chen → Bo Chan"), "{out}");
    let bo = p.json(&["client", "show", "M-20", "--json"]);
    assert_eq!(bo["client"]["name"], "Bo Chan");
    assert_eq!(bo["client"]["clinician"], "Dana Reyes");
    assert_eq!(bo["client"]["diagnosis"], "F32.1");
    assert!(p.ok(&["audit", "report"]).contains("client.edit"));
    p.ok(&["audit", "verify"]);
}

#[test]
fn a_refused_correction_writes_nothing() {
    let p = Practice::new();
    base(&p);
    let logged = p.ok(&[
        "log",
        "ann",
        "--kind",
        "phone",
        "--minutes",
        "10",
        "--date",
        "2026-11-21",
    ]);
    let enc = id(&logged, "encounter ");
    let m = ids(&p, "ann", "measurements")[0].to_string();
    p.ok(&["void", "measurement", &m, "--reason", "duplicate"]);
    let ph = ids(&p, "ann", "measurements")[1].to_string();
    let before = p.dump();
    for (args, why) in [
        (
            vec![
                "amend",
                "encounter",
                "999",
                "--minutes",
                "5",
                "--reason",
                "x",
            ],
            "no encounter with id 999",
        ),
        (
            vec!["void", "event", "999", "--reason", "x"],
            "no event with id 999",
        ),
        (
            vec!["amend", "measurement", &m, "--score", "3", "--reason", "x"],
            "already voided",
        ),
        (
            vec!["void", "measurement", &m, "--reason", "again"],
            "already voided",
        ),
        (
            vec!["unvoid", "encounter", &enc, "--reason", "x"],
            "not voided",
        ),
        (
            vec![
                "amend",
                "encounter",
                &enc,
                "--minutes",
                "2000",
                "--reason",
                "x",
            ],
            "between 0 and 1440",
        ),
        (
            vec!["amend", "encounter", &enc, "--kind", "nap", "--reason", "x"],
            "nap",
        ),
        (
            vec![
                "amend",
                "encounter",
                &enc,
                "--date",
                "2026-11-30",
                "--reason",
                "x",
            ],
            "future",
        ),
        (
            vec![
                "amend",
                "encounter",
                &enc,
                "--minutes",
                "10",
                "--reason",
                "x",
            ],
            "changes nothing",
        ),
        (
            vec![
                "amend",
                "encounter",
                &enc,
                "--minutes",
                "12",
                "--reason",
                " ",
            ],
            "say why",
        ),
        (
            vec!["void", "client", "1", "--reason", "x"],
            "not a kind of record",
        ),
        (
            vec!["client", "edit", "ann", "--external-id", "M-2"],
            "already has the external id",
        ),
        (
            vec!["client", "edit", "ann", "--dob", "2030-01-01"],
            "future",
        ),
        (vec!["client", "edit", "ann"], "changes nothing"),
    ] {
        let err = p.refused(&args);
        assert!(err.contains(why), "{args:?}: {err}");
    }
    let err = p.refused(&[
        "amend",
        "measurement",
        &ph,
        "--score",
        "28",
        "--reason",
        "x",
    ]);
    assert!(err.contains("PHQ-9"), "{err}");
    assert_eq!(p.dump(), before, "a refused correction writes nothing");
    for args in [
        vec!["void", "encounter", enc.as_str()],
        vec!["amend", "encounter", enc.as_str(), "--minutes", "5"],
        vec!["unvoid", "measurement", m.as_str()],
    ] {
        let out = p.cmd().args(&args).output().unwrap();
        assert_eq!(
            out.status.code(),
            Some(2),
            "{args:?}: a missing reason is a usage error"
        );
    }
    assert_eq!(p.dump(), before);
}

#[test]
fn an_unvoid_that_would_overlap_is_refused() {
    let p = Practice::new();
    base(&p);
    let first = ids(&p, "ann", "attributions")[0].to_string();
    p.ok(&["void", "attribution", &first, "--reason", "wrong start"]);
    p.ok(&[
        "attribute",
        "ann",
        "--contract",
        "Harbor Health",
        "--from",
        "2026-08-15",
    ]);
    let before = p.dump();
    let err = p.refused(&["unvoid", "attribution", &first, "--reason", "x"]);
    assert!(err.contains("overlap"), "{err}");
    assert_eq!(p.dump(), before);
}

#[test]
fn a_clinician_corrects_only_their_own_panel() {
    let p = Practice::new();
    base(&p);
    let set = |who: &str, pass: &str, by: Option<(&str, &str)>| {
        let mut cmd = p.cmd();
        cmd.env("CASELOAD_NEW_PASSPHRASE", pass);
        if let Some((as_who, as_pass)) = by {
            cmd.env("CASELOAD_PASSPHRASE", as_pass)
                .args(["--as", as_who]);
        }
        let out = cmd.args(["clinician", "passphrase", who]).output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    set("Dana Reyes", "harbor light 42", None);
    set(
        "Sam Okafor",
        "quiet river 7",
        Some(("Dana Reyes", "harbor light 42")),
    );
    let enc = p.json_as(
        Some("harbor light 42"),
        &["--as", "Dana Reyes", "client", "show", "ann", "--json"],
    )["encounters"][0]["id"]
        .to_string();
    let before = p.dump();
    let err = p.refused_as(
        Some("quiet river 7"),
        &[
            "--as",
            "Sam Okafor",
            "void",
            "encounter",
            &enc,
            "--reason",
            "not mine",
        ],
    );
    assert!(
        err.to_lowercase().contains("panel") || err.contains("may not"),
        "{err}"
    );
    // The denial is audited; the records are untouched.
    let after = p.dump();
    let enc_rows = |d: &str| {
        d.split("## ")
            .find(|s| s.starts_with("encounters"))
            .unwrap()
            .to_string()
    };
    assert_eq!(enc_rows(&after), enc_rows(&before));
    p.ok_as(
        Some("harbor light 42"),
        &[
            "--as",
            "Dana Reyes",
            "void",
            "encounter",
            &enc,
            "--reason",
            "mine to fix",
        ],
    );
}
