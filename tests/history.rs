//! History from a spreadsheet through the real binary: encounters and measurements accepted
//! row by row as `log` and `measure` accept them, every bad line listed, nothing written on
//! refusal, and a second import of the same file adding nothing.
#![allow(clippy::unwrap_used)] // A failed unwrap in a test is a failed test, with its message.

mod common;
use common::Practice;

fn practice() -> Practice {
    let p = Practice::new();
    p.admin("Dana Reyes", "90");
    p.ok(&["clinician", "add", "Sam Okafor"]);
    p.ok(&[
        "client",
        "add",
        "Ann Lee",
        "--external-id",
        "M-1",
        "--clinician",
        "Dana",
        "--since",
        "2026-01-01",
    ]);
    p.ok(&[
        "client",
        "add",
        "Bo Diaz",
        "--external-id",
        "M-2",
        "--since",
        "2026-01-01",
    ]);
    p
}

fn count(p: &Practice, table: &str) -> i64 {
    p.count(&format!("SELECT count(*) FROM {table}"))
}

#[test]
fn encounters_import_all_or_nothing_and_only_once() {
    let p = practice();
    let good = p.write(
        "enc.csv",
        "Client,Date,Kind,Status,Minutes,Clinician,Note\n\
         M-1,2026-10-02,intake,,60,,\"first visit, went well\"\n\
         Ann Lee,2026-10-09,session,,50,,\n\
         M-2,2026-10-10,phone,no-show,5,Sam Okafor,\n\
         2,2026-10-11,phone,,10,sam okafor,\n\
         M-2,2026-10-11,phone,,10,Sam Okafor,\n",
    );
    let out = p.ok(&["import", "encounters", good.to_str().unwrap()]);
    assert!(out.contains("Imported 5 encounters"), "{out}");
    assert_eq!(count(&p, "encounters"), 5);
    let ann = p.json(&["client", "show", "M-1", "--json"]);
    assert_eq!(ann["encounters"][1]["note"], "first visit, went well");
    assert_eq!(
        ann["encounters"][0]["clinician"], "Dana Reyes",
        "the primary clinician"
    );
    let before = count(&p, "encounters");
    let out = p.ok(&["import", "encounters", good.to_str().unwrap()]);
    assert!(
        out.contains("Imported 0 encounters") && out.contains("5 rows were already stored"),
        "{out}"
    );
    assert_eq!(count(&p, "encounters"), before);
    let one = p.write(
        "one.csv",
        "Client,Date,Kind,Minutes\nAnn Lee,2026-10-09,session,50\nM-1,2026-10-30,session,50\n",
    );
    let out = p.ok(&["import", "encounters", one.to_str().unwrap(), "--dry-run"]);
    assert_eq!(
        out.trim_end(),
        "Dry run: all 2 encounter rows are good; nothing was written."
    );
    let out = p.ok(&["import", "encounters", one.to_str().unwrap()]);
    assert_eq!(
        out.trim_end(),
        "Imported 1 encounter in one transaction (1 row was already stored and was skipped).",
        "numbers and nouns agree"
    );
    assert_eq!(count(&p, "encounters"), before + 1);

    let bad = p.write(
        "bad.csv",
        "client,date,kind,status,minutes,clinician,note\n\
         M-1,2026-10-20,session,,50,,\n\
         M-1,2026-10-21,chat,,50,,\n\
         Nobody,2026-10-21,session,,50,,\n\
         M-1,2026-12-01,session,,50,,\n\
         M-1,2026-10-21,session,,2000,,\n\
         M-2,2026-10-21,session,,50,,\n\
         M-1,2026-10-21,session,,50,Zed,\n\
         M-1,,session,,50,,\n\
         M-1,2026-10-22,session,,50\n",
    );
    let dump = p.dump();
    let err = p.refused(&["import", "encounters", bad.to_str().unwrap()]);
    for line in 3..=10 {
        assert!(
            err.contains(&format!("line {line}: ")),
            "line {line} in {err}"
        );
    }
    assert!(!err.contains("line 2:"), "{err}");
    assert!(
        err.contains("unknown encounter kind") || err.contains("chat"),
        "{err}"
    );
    assert!(err.contains("in the future"), "{err}");
    assert!(err.contains("no primary clinician"), "{err}");
    assert_eq!(p.dump(), dump, "nothing written");
    let err = p.refused(&[
        "import",
        "encounters",
        p.write("h.csv", "who,when\nM-1,2026-10-01\n")
            .to_str()
            .unwrap(),
    ]);
    assert!(err.contains("unknown column 'who'"), "{err}");
    let err = p.refused(&[
        "import",
        "encounters",
        p.write("e.csv", "").to_str().unwrap(),
    ]);
    assert!(err.contains("empty"), "{err}");
    assert_eq!(p.dump(), dump);
}

#[test]
fn measurements_import_through_the_instrument_rules() {
    let p = practice();
    let good = p.write(
        "m.csv",
        "client,date,instrument,score,items\n\
         M-1,2026-10-02,phq9,,\"1,2,1,0,2,1,1,0,1\"\n\
         M-1,2026-11-02,phq9,6,\n\
         M-2,2026-11-02,gad7,,1111111\n",
    );
    let out = p.ok(&["import", "measurements", good.to_str().unwrap()]);
    assert!(out.contains("Imported 3 measurements"), "{out}");
    let ann = p.json(&["client", "show", "M-1", "--json"]);
    assert_eq!(ann["measurements"][0]["total"], 9);
    assert_eq!(ann["measurements"][0]["items"][8], 1);
    let bad = p.write(
        "mb.csv",
        "client,date,instrument,score,items\n\
         M-1,2026-11-03,phq9,28,\n\
         M-1,2026-11-03,phq9,,\"1,2\"\n\
         M-1,2026-11-03,bdi,10,\n\
         M-1,2026-11-03,gad7,,\n\
         M-1,2026-11-03,gad7,5,\n",
    );
    let dump = p.dump();
    let err = p.refused(&["import", "measurements", bad.to_str().unwrap()]);
    for line in 2..=5 {
        assert!(
            err.contains(&format!("line {line}: ")),
            "line {line} in {err}"
        );
    }
    assert!(!err.contains("line 6:"));
    assert_eq!(p.dump(), dump);
    let dry = p.ok(&[
        "import",
        "measurements",
        good.to_str().unwrap(),
        "--dry-run",
    ]);
    assert!(dry.contains("nothing was written"));
    assert_eq!(p.dump(), dump);
}

#[test]
fn an_unclosed_quote_refuses_a_history_file_at_its_line_and_touches_nothing() {
    // The note opened on line 3 is never closed: before, it swallowed line 4's encounter and
    // the file imported with exit 0.
    let p = practice();
    let (dump, hash) = (p.dump(), p.file_hash());
    let open = p.write(
        "open.csv",
        "client,date,kind,minutes,note\n\
         M-1,2026-10-20,session,50,\n\
         M-1,2026-10-21,session,50,\"rescheduled, see\n\
         M-2,2026-10-22,session,50,\n",
    );
    for dry in [false, true] {
        let mut args = vec!["import", "encounters", open.to_str().unwrap()];
        if dry {
            args.push("--dry-run");
        }
        let err = p.refused(&args);
        assert_eq!(
            err.trim_end(),
            "error: encounters refused: line 3: a quoted field is never closed (a \" opens it and no \" ends it before the end of the file)"
        );
    }
    let open = p.write(
        "open_m.csv",
        "client,date,instrument,items\nM-1,2026-10-20,gad7,\"1,1,1,1,1,1,1\n",
    );
    let err = p.refused(&["import", "measurements", open.to_str().unwrap()]);
    assert!(
        err.starts_with("error: measurements refused: line 2: a quoted field is never closed"),
        "{err}"
    );
    assert_eq!(p.file_hash(), hash, "the database file is untouched");
    assert_eq!(p.dump(), dump);
}

#[test]
fn control_characters_in_client_and_clinician_refuse_a_history_row() {
    let p = practice();
    // A client stored before names were checked, whose external id holds an escape.
    p.execute(
        "UPDATE clients SET external_id = 'M-2\u{1b}[8m' WHERE external_id = 'M-2'",
        &[],
    );
    let (dump, hash) = (p.dump(), p.file_hash());
    let file = p.write(
        "hostile.csv",
        "client,date,kind,minutes,clinician\n\
         M-1,2026-10-20,session,50,\n\
         M-2\u{1b}[8m,2026-10-21,session,50,Sam Okafor\n\
         M-1,2026-10-22,session,50,Sam\u{202e} Okafor\n",
    );
    let err = p.refused(&["import", "encounters", file.to_str().unwrap()]);
    assert!(
        err.contains("(2 bad rows)")
            && err.contains("line 3: client holds an escape character (U+001B)")
            && err.contains("line 4: clinician holds a text-direction character (U+202E)"),
        "{err}"
    );
    assert!(
        !err.contains('\u{1b}') && !err.contains('\u{202e}'),
        "{err:?}"
    );
    assert_eq!(p.file_hash(), hash, "the database file is untouched");
    assert_eq!(p.dump(), dump);
}
