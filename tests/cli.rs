//! The foundation's command line through the real binary: every command works on a fresh
//! database, and every kind of bad input is refused with one line, exit 1, nothing written.
#![allow(clippy::unwrap_used)] // A failed unwrap in a test is a failed test, with its message.

mod common;
use common::Practice;

/// A small practice built only through the CLI.
fn practice() -> Practice {
    let p = Practice::new();
    p.admin("Dana Reyes", "95");
    p.ok(&["clinician", "add", "Sam Okafor", "--hourly-cost", "68.50"]);
    p.capitation("Harbor", "45", &["--withhold", "5"]);
    p.ok(&[
        "contract",
        "add",
        "EAP",
        "--model",
        "case-rate",
        "--rate",
        "650",
        "--proration",
        "first-of-month",
        "--payer",
        "Bright",
    ]);
    p.ok(&[
        "client",
        "add",
        "Ann Lee",
        "--external-id",
        "M-1001",
        "--tier",
        "high",
        "--clinician",
        "Dana Reyes",
        "--since",
        "2026-09-01",
        "--contract",
        "Harbor",
        "--dob",
        "1990-04-02",
        "--diagnosis",
        "F32.1",
    ]);
    p.ok(&[
        "client",
        "add",
        "Joanne Park",
        "--external-id",
        "M-1002",
        "--clinician",
        "Sam",
        "--since",
        "2026-10-01",
    ]);
    p
}

#[test]
fn every_foundation_command_works_end_to_end() {
    let p = practice();
    let clinicians = p.json(&["clinician", "list", "--json"]);
    assert_eq!(clinicians.as_array().unwrap().len(), 2);
    assert_eq!(clinicians[0]["name"], "Dana Reyes");
    assert_eq!(clinicians[0]["role"], "admin");
    assert_eq!(clinicians[0]["hourly_cost_cents"], 9500);
    assert_eq!(clinicians[1]["hourly_cost_cents"], 6850);

    let contracts = p.json(&["contract", "list", "--json"]);
    assert_eq!(contracts[0]["name"], "EAP");
    assert_eq!(contracts[0]["model"], "case-rate");
    assert_eq!(contracts[1]["rate_cents"], 4500);
    assert_eq!(contracts[1]["withhold_percent"], 5.0);

    p.ok(&[
        "log",
        "lee",
        "--kind",
        "session",
        "--minutes",
        "50",
        "--date",
        "2026-11-20",
        "--note",
        "went well",
    ]);
    p.ok(&[
        "log",
        "M-1002",
        "--kind",
        "phone",
        "--status",
        "no-show",
        "--minutes",
        "5",
    ]);
    p.ok(&[
        "measure",
        "lee",
        "--instrument",
        "phq9",
        "--items",
        "1,2,3,0,1,2,3,0,1",
        "--date",
        "2026-11-20",
    ]);
    p.ok(&["measure", "lee", "--instrument", "gad7", "--score", "9"]);
    p.ok(&[
        "event",
        "park",
        "--kind",
        "ed-visit",
        "--date",
        "2026-11-10",
    ]);
    p.ok(&[
        "attribute",
        "park",
        "--contract",
        "EAP",
        "--from",
        "2026-10-01",
        "--to",
        "2026-12-29",
    ]);
    p.ok(&["client", "tier", "park", "low"]);

    let ann = p.json(&["client", "show", "Lee", "--json"]);
    assert_eq!(ann["client"]["external_id"], "M-1001");
    assert_eq!(ann["client"]["tier"], "high");
    assert_eq!(ann["client"]["clinician"], "Dana Reyes");
    assert_eq!(ann["client"]["dob"], "1990-04-02");
    assert_eq!(ann["client"]["diagnosis"], "F32.1");
    assert_eq!(ann["attributions"][0]["contract"], "Harbor");
    assert_eq!(ann["attributions"][0]["start"], "2026-09-01");
    assert_eq!(ann["attributions"][0]["end"], serde_json::Value::Null);
    assert_eq!(ann["encounters"][0]["kind"], "session");
    assert_eq!(ann["encounters"][0]["minutes"], 50);
    assert_eq!(ann["encounters"][0]["note"], "went well");
    assert_eq!(ann["encounters"][0]["clinician"], "Dana Reyes");
    assert_eq!(ann["measurements"][0]["instrument"], "phq9");
    assert_eq!(ann["measurements"][0]["total"], 13);
    assert_eq!(ann["measurements"][0]["items"][2], 3);
    assert_eq!(ann["measurements"][1]["total"], 9);
    assert_eq!(ann["measurements"][1]["items"], serde_json::Value::Null);
    assert_eq!(ann["measurements"][1]["date"], common::TODAY);

    let park = p.json(&["client", "show", "M-1002", "--json"]);
    assert_eq!(park["client"]["tier"], "low");
    assert_eq!(park["encounters"][0]["status"], "no-show");
    assert_eq!(
        park["encounters"][0]["clinician"], "Sam Okafor",
        "work goes to the primary clinician"
    );
    assert_eq!(park["events"][0]["kind"], "ed-visit");
    assert_eq!(park["attributions"][0]["end"], "2026-12-29");

    // Park's ED visit is still waiting for follow-up (a critical flag): discharge needs --force.
    p.ok(&[
        "client",
        "discharge",
        "park",
        "--date",
        "2026-11-22",
        "--force",
    ]);
    let listed = p.json(&["client", "list", "--json"]);
    assert_eq!(listed.as_array().unwrap().len(), 2);
    let discharged = p.json(&["client", "list", "--status", "discharged", "--json"]);
    assert_eq!(discharged[0]["name"], "Joanne Park");
    assert_eq!(discharged[0]["discharged_on"], "2026-11-22");

    let table = p.ok(&["client", "list"]);
    assert!(
        table.contains("Ann Lee") && table.contains("2 clients"),
        "{table}"
    );
    let shown = p.ok(&["client", "show", "lee"]);
    assert!(
        shown.contains("PHQ-9") && shown.contains("moderate"),
        "{shown}"
    );
}

#[test]
fn work_without_as_goes_to_the_only_clinician_or_is_refused() {
    let p = Practice::new();
    p.ok(&["clinician", "add", "Solo"]);
    p.ok(&["client", "add", "Bo Diaz"]);
    p.ok(&["log", "bo", "--kind", "intake", "--minutes", "60"]);
    let bo = p.json(&["client", "show", "bo", "--json"]);
    assert_eq!(bo["encounters"][0]["clinician"], "Solo");

    p.ok(&["clinician", "add", "Second"]);
    p.ok(&["client", "add", "Cy Young", "--clinician", "Second"]);
    // A client without a primary clinician in a practice of two: the command must ask.
    p.execute(
        "UPDATE clients SET clinician_id = NULL WHERE name = 'Cy Young'",
        &[],
    );
    let said = p.refused(&["log", "cy", "--kind", "session"]);
    assert!(said.contains("--as"), "{said}");
    p.ok(&["log", "cy", "--kind", "session", "--as", "Solo"]);
}

#[test]
fn bad_input_is_refused_with_one_line_and_nothing_written() {
    let p = practice();
    let before = p.dump();
    let cases: &[(&[&str], &str)] = &[
        (
            &["measure", "lee", "--instrument", "phq9", "--score", "28"],
            "out of range",
        ),
        (
            &["measure", "lee", "--instrument", "phq9", "--score", "-1"],
            "out of range",
        ),
        (
            &["measure", "lee", "--instrument", "phq9", "--items", "1,2,3"],
            "needs 9 item responses",
        ),
        (
            &[
                "measure",
                "lee",
                "--instrument",
                "gad7",
                "--items",
                "1,2,3,4,0,0,0",
            ],
            "item 4 is 4",
        ),
        (
            &["measure", "lee", "--instrument", "bdi2", "--score", "3"],
            "unknown instrument",
        ),
        (
            &["log", "lee", "--kind", "therapy"],
            "unknown encounter kind",
        ),
        (
            &["log", "lee", "--kind", "session", "--status", "late"],
            "unknown encounter status",
        ),
        (&["client", "tier", "lee", "urgent"], "unknown tier"),
        (&["client", "add", "X", "--tier", "urgent"], "unknown tier"),
        (
            &[
                "contract",
                "add",
                "Y",
                "--model",
                "fee-for-service",
                "--rate",
                "10",
            ],
            "unknown contract model",
        ),
        (
            &[
                "contract",
                "add",
                "Y",
                "--model",
                "capitation",
                "--rate",
                "10",
                "--proration",
                "weekly",
            ],
            "unknown proration",
        ),
        (
            &["log", "lee", "--kind", "session", "--date", "2026-02-30"],
            "not a real date",
        ),
        (
            &["client", "add", "X", "--since", "2026-02-30"],
            "not a real date",
        ),
        (
            &["log", "lee", "--kind", "session", "--minutes", "-5"],
            "between 0 and 1440",
        ),
        (
            &["log", "lee", "--kind", "session", "--minutes", "1441"],
            "between 0 and 1440",
        ),
        (&["log", "nobody", "--kind", "session"], "no client matches"),
        (&["log", "ann", "--kind", "session"], "matches 2 clients"),
        (
            &[
                "attribute",
                "park",
                "--contract",
                "Harbor",
                "--from",
                "2026-10-01",
                "--to",
                "2026-09-30",
            ],
            "before it starts",
        ),
        (
            &[
                "attribute",
                "lee",
                "--contract",
                "Harbor",
                "--from",
                "2026-10-01",
            ],
            "already attributed",
        ),
        (
            &[
                "contract",
                "add",
                "Y",
                "--model",
                "capitation",
                "--rate",
                "-5",
            ],
            "must not be negative",
        ),
        (
            &[
                "contract",
                "add",
                "Y",
                "--model",
                "capitation",
                "--rate",
                "4.555",
            ],
            "not an amount",
        ),
        (
            &[
                "contract",
                "add",
                "Y",
                "--model",
                "capitation",
                "--rate",
                "10",
                "--withhold",
                "120",
            ],
            "percentage",
        ),
        (
            &["clinician", "add", "Z", "--hourly-cost", "-1"],
            "must not be negative",
        ),
        (&["clinician", "add", "Z", "--role", "boss"], "unknown role"),
        (&["clinician", "add", "dana reyes"], "already exists"),
        (
            &["client", "add", "X", "--external-id", "M-1001"],
            "already belongs",
        ),
        (
            &["client", "add", "X", "--clinician", "Nobody"],
            "no clinician named",
        ),
        (
            &["client", "add", "X", "--contract", "Nope"],
            "no contract named",
        ),
        (
            &["client", "add", "X", "--diagnosis", "sad"],
            "not an ICD-10 code",
        ),
        (&["client", "add", "   "], "must not be empty"),
        (
            &["log", "lee", "--kind", "session", "--date", "2026-12-01"],
            "in the future",
        ),
        (
            &["event", "lee", "--kind", "er-visit"],
            "unknown event kind",
        ),
        (
            &["config", "set", "contact-days.high", "0"],
            "whole number of days",
        ),
        (&["config", "set", "bogus", "3"], "unknown setting"),
        (
            &["client", "discharge", "lee", "--date", "2026-08-01"],
            "before the client joined",
        ),
        (
            &["--today", "2026-13-01", "client", "list"],
            "not a real date",
        ),
    ];
    for (args, expected) in cases {
        let said = p.refused(args);
        assert!(
            said.contains(expected),
            "{args:?}: expected '{expected}' in {said:?}"
        );
        assert!(said.starts_with("error: "), "{said}");
    }
    assert_eq!(
        before,
        p.dump(),
        "a refused command must leave every table unchanged"
    );
}

#[test]
fn usage_errors_exit_two() {
    let p = practice();
    let out = p.cmd().args(["log"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let out = p
        .cmd()
        .args(["measure", "lee", "--instrument", "phq9"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "a score or items are required");
    let out = p.cmd().args(["frobnicate"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let out = p.cmd().args(["--help"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
}

#[test]
fn the_demo_practice_is_written_and_refuses_to_overwrite() {
    let p = Practice::new();
    let said = p.ok(&["demo", "--clients", "40", "--seed", "5"]);
    assert!(said.contains("40 clients"), "{said}");
    let listed = p.json(&["client", "list", "--json"]);
    assert_eq!(listed.as_array().unwrap().len(), 40);
    let first = p.dump();
    p.refused(&["demo"]);
    assert_eq!(first, p.dump());

    let again = Practice::new();
    again.ok(&["demo", "--clients", "40", "--seed", "5"]);
    let names = |p: &Practice| p.json(&["client", "list", "--json"]);
    assert_eq!(
        names(&p),
        names(&again),
        "the same seed gives the same practice"
    );
}

#[test]
fn control_characters_in_names_never_reach_the_terminal() {
    let p = Practice::new();
    p.ok(&["clinician", "add", "Solo"]);
    let hostile = "Evil\u{1b}[2J\u{1b}]0;pwned\u{7} \u{202e}Name";
    // Names and ids with control or text-direction characters are refused, never stored.
    let (dump, hash) = (p.dump(), p.file_hash());
    for (args, want) in [
        (
            &["client", "add", hostile][..],
            "error: client name holds an escape character (U+001B); names and ids cannot hold control or text-direction characters",
        ),
        (
            &["client", "add", "Ann Lee", "--external-id", "M-\u{85}1"][..],
            "error: external id holds a control character (U+0085); names and ids cannot hold control or text-direction characters",
        ),
        (
            &["clinician", "add", "Sam\u{2066}Okafor"][..],
            "error: clinician name holds a text-direction character (U+2066); names and ids cannot hold control or text-direction characters",
        ),
        (
            &["client", "add", "Ann\nLee"][..],
            "error: client name holds a line break (U+000A); names and ids cannot hold control or text-direction characters",
        ),
    ] {
        assert_eq!(p.refused(args).trim_end(), want);
    }
    assert_eq!(p.file_hash(), hash, "the database file is untouched");
    assert_eq!(p.dump(), dump);
    // One stored by an older caseload, or straight into the database, is still shown safely.
    p.ok(&["client", "add", "Evil Name"]);
    p.execute("UPDATE clients SET name = ?1", &[hostile]);
    for args in [&["client", "list"][..], &["client", "show", "evil"][..]] {
        let out = p.ok(args);
        assert!(
            !out.contains('\u{1b}') && !out.contains('\u{7}') && !out.contains('\u{202e}'),
            "{out:?}"
        );
    }
    let json = p.ok(&["client", "list", "--json"]);
    assert!(!json.contains('\u{1b}'), "JSON escapes control characters");
}

/// Runs the binary on `db` (a path that may not exist yet); returns (exit code, stdout, stderr).
fn run_on(p: &Practice, db: &std::path::Path, args: &[&str]) -> (Option<i32>, String, String) {
    let out = p.cmd().env("CASELOAD_DB", db).args(args).output().unwrap();
    (
        out.status.code(),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

#[test]
fn a_new_database_is_noted_on_stderr_after_a_command_that_succeeded() {
    if common::sqlite_only(
        "a new practice file is noted on stderr; a server's database is made with createdb",
    ) {
        return;
    }
    let p = Practice::new();
    // A mistyped --db: the read still answers (scripts expect `[]`), and says what happened.
    let typo = p.dir.path().join("pratice.db");
    let (code, stdout, stderr) = run_on(&p, &typo, &["client", "list", "--json"]);
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&stdout).unwrap(),
        serde_json::json!([]),
        "stdout is still just the JSON"
    );
    assert_eq!(
        stderr,
        format!(
            "note: created a new, empty practice database at {}\n",
            typo.display()
        )
    );
    // The second run finds the file: no note.
    let (code, stdout, stderr) = run_on(&p, &typo, &["client", "list", "--json"]);
    assert_eq!((code, stdout.trim(), stderr.as_str()), (Some(0), "[]", ""));

    // A refused first command prints its one error line and nothing more.
    let other = p.dir.path().join("other.db");
    let (code, _, stderr) = run_on(&p, &other, &["client", "show", "7"]);
    assert_eq!(code, Some(1));
    assert_eq!(stderr.lines().count(), 1, "{stderr:?}");
    assert!(stderr.starts_with("error: no client matches"), "{stderr}");

    // A first command that puts something in the database says it is new, not that it is empty.
    let fresh = p.dir.path().join("new-practice.db");
    let (code, stdout, stderr) = run_on(&p, &fresh, &["clinician", "add", "Solo"]);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(stdout.starts_with("Added clinician 1: Solo"), "{stdout}");
    assert_eq!(
        stderr,
        format!(
            "note: created a new practice database at {}\n",
            fresh.display()
        )
    );
    // The practice's usual database says nothing.
    let (_, _, stderr) = run_on(&p, &p.db, &["client", "list"]);
    assert!(stderr.contains("note: created"), "the first run creates it");
    let (_, _, stderr) = run_on(&p, &p.db, &["client", "list"]);
    assert_eq!(stderr, "");
}

#[test]
fn client_status_puts_on_hold_readmits_and_discharges() {
    let p = Practice::new();
    p.ok(&["clinician", "add", "Solo"]);
    p.ok(&["client", "add", "Ann Lee", "--since", "2026-06-01"]);
    let flags = |p: &Practice| -> Vec<String> {
        p.json(&["flags", "--json"])
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|c| c["flags"].as_array().unwrap().clone())
            .map(|f| f["kind"].as_str().unwrap().to_string())
            .collect()
    };
    let active_flags = flags(&p);
    assert!(!active_flags.is_empty(), "never seen since June");

    // On hold: no flags, and the record says why.
    let said = p.ok(&["client", "status", "ann", "on-hold"]);
    assert_eq!(
        said.trim_end(),
        "Put client 1 (Ann Lee) on hold from 2026-11-23; flags pause until they are active again"
    );
    assert!(flags(&p).is_empty(), "on-hold clients carry no flags");
    let shown = p.json(&["client", "show", "ann", "--json"]);
    assert_eq!(shown["client"]["status"], "on-hold");
    assert_eq!(shown["flags"], serde_json::json!([]));
    assert!(
        p.ok(&["client", "show", "ann"])
            .contains("none (on-hold clients carry no flags)")
    );
    let said = p.refused(&["client", "status", "ann", "on-hold"]);
    assert_eq!(said.trim_end(), "error: client 1 is already on-hold");

    // Back to active: the flags are back.
    p.ok(&["client", "status", "ann", "active"]);
    assert_eq!(flags(&p), active_flags);

    // Discharged through `status` is the same as `client discharge`.
    let said = p.ok(&[
        "client",
        "status",
        "ann",
        "discharged",
        "--date",
        "2026-11-10",
    ]);
    assert_eq!(
        said.trim_end(),
        "Discharged client 1 (Ann Lee) on 2026-11-10"
    );
    assert!(flags(&p).is_empty());
    let ann = p.json(&["client", "show", "ann", "--json"]);
    assert_eq!(ann["client"]["discharged_on"], "2026-11-10");
    let said = p.refused(&["client", "status", "ann", "discharged"]);
    assert!(said.contains("already discharged on 2026-11-10"), "{said}");
    let said = p.refused(&["client", "discharge", "ann"]);
    assert!(said.contains("already discharged on 2026-11-10"), "{said}");

    // Readmitted: active again, the discharge date cleared, the flags back.
    let before = p.dump();
    let said = p.refused(&["client", "status", "ann", "active", "--date", "2026-11-01"]);
    assert!(said.contains("cannot be dated before it"), "{said}");
    let said = p.refused(&["client", "status", "ann", "retired"]);
    assert!(said.contains("unknown status 'retired'"), "{said}");
    let said = p.refused(&["client", "status", "ann", "active", "--date", "2026-12-01"]);
    assert!(said.contains("in the future"), "{said}");
    assert_eq!(before, p.dump(), "refusals write nothing");
    let said = p.ok(&["client", "status", "ann", "active", "--date", "2026-11-20"]);
    assert_eq!(
        said.trim_end(),
        "Readmitted client 1 (Ann Lee) on 2026-11-20 (discharged on 2026-11-10); flags apply again"
    );
    let ann = p.json(&["client", "show", "ann", "--json"]);
    assert_eq!(ann["client"]["status"], "active");
    assert_eq!(ann["client"]["discharged_on"], serde_json::Value::Null);
    assert_eq!(
        flags(&p),
        active_flags,
        "a readmitted client's flags reappear"
    );

    // Every change is audited by the store's one status function.
    let audit = p.json(&["audit", "report", "--json"]);
    let changes: Vec<&str> = audit
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["action"] == "client.status")
        .map(|r| r["detail"].as_str().unwrap())
        .collect();
    assert_eq!(
        changes,
        vec![
            "active -> on-hold on 2026-11-23",
            "on-hold -> active on 2026-11-23",
            "active -> discharged on 2026-11-10",
            "discharged -> active on 2026-11-20",
        ]
    );
    let help = p.ok(&["client", "status", "--help"]);
    assert!(
        help.contains("on-hold") && help.contains("--date"),
        "{help}"
    );
}

#[test]
fn a_rate_before_a_later_rate_says_until_when_it_applies() {
    let p = practice();
    let said = p.ok(&[
        "contract",
        "rate",
        "Harbor",
        "--rate",
        "46",
        "--from",
        "2026-10-01",
    ]);
    assert_eq!(
        said.trim_end(),
        "Harbor now pays $46.00 from 2026-10-01 (was $45.00); it applies to months whose 1st is on or after that day"
    );
    let said = p.ok(&[
        "contract",
        "rate",
        "Harbor",
        "--rate",
        "44",
        "--from",
        "2026-05-01",
    ]);
    assert_eq!(
        said.trim_end(),
        "Harbor now pays $44.00 from 2026-05-01 until 2026-09-30; $46.00 applies from 2026-10-01 \
         (the rate on 2026-05-01 was $45.00); a month pays the rate in effect on its 1st"
    );
    let contracts = p.json(&["contract", "list", "--json"]);
    let rates: Vec<(String, i64)> = contracts[1]["rates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["from"].as_str().unwrap().to_string(),
                r["rate_cents"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        rates[1..],
        [
            ("2026-05-01".to_string(), 4400),
            ("2026-10-01".to_string(), 4600)
        ],
        "the later rate still takes over when the message says it does"
    );
}

#[test]
fn client_list_shows_a_dash_for_no_clinician_and_counts_in_words_that_agree() {
    let p = practice();
    p.execute(
        "UPDATE clients SET clinician_id = NULL WHERE name = 'Joanne Park'",
        &[],
    );
    let table = p.ok(&["client", "list"]);
    let park = table.lines().find(|l| l.contains("Joanne Park")).unwrap();
    let show = p.ok(&["client", "show", "park"]);
    assert!(show.contains("clinician     —"), "{show}");
    assert!(park.contains(" — "), "like client show: {park:?}");
    assert_eq!(table.lines().last(), Some("2 clients"));
    let one = p.ok(&["client", "list", "--clinician", "Dana"]);
    assert_eq!(one.lines().last(), Some("1 client"), "{one}");
    let tiny = Practice::new();
    let said = tiny.ok(&["demo", "--clients", "1"]);
    assert!(said.contains(": 1 client, "), "{said}");
}
