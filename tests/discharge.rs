//! Taking a client with a critical flag off the active panel, through the real binary:
//! `client discharge` and `client status … discharged|on-hold` refuse in one line naming the
//! flag and write nothing; `--force` goes ahead; a client without one needs no force.
#![allow(clippy::unwrap_used)] // A failed unwrap in a test is a failed test, with its message.

mod common;
use common::Practice;

/// Cy has a safety flag (PHQ-9 item 9 = 1), Di a post-discharge follow-up flag (ED visit, no
/// contact since), Ed only a warning.
fn practice() -> Practice {
    let p = Practice::new();
    p.ok(&["clinician", "add", "Dana"]);
    for name in ["Cy Cole", "Di Dunn", "Ed Eads"] {
        p.ok(&["client", "add", name, "--since", "2026-09-01"]);
    }
    p.ok(&[
        "measure",
        "Cy",
        "--instrument",
        "phq9",
        "--items",
        "2,2,2,2,2,2,2,1,1",
        "--date",
        "2026-11-20",
    ]);
    p.ok(&["event", "Di", "--kind", "ed-visit", "--date", "2026-11-20"]);
    p.log("Ed", "session", "2026-10-01", "50", "completed");
    p
}

fn status(p: &Practice, who: &str) -> String {
    let v = p.json(&["client", "show", who, "--json"]);
    v["client"]["status"].as_str().unwrap().to_string()
}

#[test]
fn a_critical_flag_needs_force_and_the_refusal_names_it() {
    let p = practice();
    let before = p.dump();
    let said = p.refused(&["client", "discharge", "Cy"]);
    assert_eq!(
        said.trim_end(),
        "error: client 1 carries a safety flag, which discharging silences; add --force to \
         discharge anyway"
    );
    let said = p.refused(&["client", "status", "Di", "discharged"]);
    assert!(said.contains("a post-discharge follow-up flag"), "{said}");
    let said = p.refused(&["client", "status", "Cy", "on-hold"]);
    assert!(said.contains("putting on hold silences"), "{said}");
    assert!(
        !said.contains("Cy Cole") && !said.contains("item"),
        "no client data: {said}"
    );
    assert_eq!(before, p.dump(), "a refusal writes nothing");

    let said = p.ok(&["client", "discharge", "Cy", "--force"]);
    assert!(said.starts_with("Discharged client 1"), "{said}");
    assert_eq!(status(&p, "Cy"), "discharged");
    p.ok(&["client", "status", "Di", "on-hold", "--force"]);
    assert_eq!(status(&p, "Di"), "on-hold");
}

#[test]
fn without_a_critical_flag_no_force_is_needed() {
    let p = practice();
    p.ok(&["client", "discharge", "Ed"]);
    assert_eq!(status(&p, "Ed"), "discharged");
    // Readmitting is never held back.
    p.ok(&["client", "discharge", "Cy", "--force"]);
    p.ok(&["client", "status", "Cy", "active"]);
    assert_eq!(status(&p, "Cy"), "active");
}
