//! Reports that leave the terminal (SPEC section 16), checked as a machine and as a person
//! would: the HTML value report makes no request of any kind and renders in a real browser
//! (headless Chromium, network blocked, when it is installed); the FHIR bundle has the
//! structure, value sets and references an EHR expects, and leaves voided records out.
#![allow(clippy::unwrap_used)] // A failed unwrap in a test is a failed test, with its message.

mod common;

use common::Practice;
use serde_json::Value;
use std::collections::HashSet;
use std::path::Path;

fn practice() -> Practice {
    let p = Practice::new();
    p.admin("Dana Reyes", "90");
    p.capitation(
        "Harbor Health",
        "45",
        &["--withhold", "5", "--payer", "Harbor Health Plan"],
    );
    p.ok(&[
        "client",
        "add",
        "Ann <b>Lee</b>",
        "--external-id",
        "M-1",
        "--dob",
        "1990-04-01",
        "--since",
        "2026-06-01",
        "--contract",
        "Harbor Health",
    ]);
    p.ok(&[
        "client",
        "add",
        "Bo Chen",
        "--since",
        "2026-06-01",
        "--contract",
        "Harbor Health",
    ]);
    p.log("ann", "intake", "2026-06-02", "60", "completed");
    p.log("ann", "telehealth", "2026-10-02", "50", "completed");
    p.log("bo", "session", "2026-10-03", "50", "no-show");
    p.ok(&[
        "measure",
        "ann",
        "--instrument",
        "phq9",
        "--items",
        "2,2,2,2,2,1,1,1,0",
        "--date",
        "2026-06-02",
    ]);
    p.ok(&[
        "measure",
        "ann",
        "--instrument",
        "gad7",
        "--score",
        "9",
        "--date",
        "2026-10-02",
    ]);
    p.ok(&[
        "measure",
        "bo",
        "--instrument",
        "srs",
        "--score",
        "37",
        "--date",
        "2026-10-03",
    ]);
    p
}

#[test]
fn the_html_report_is_one_self_contained_page() {
    let p = practice();
    let file = p.dir.path().join("value.html");
    let out = p.ok(&["report", "value", "--html", file.to_str().unwrap()]);
    assert!(out.starts_with("Wrote the value report"), "{out}");
    let html = std::fs::read_to_string(&file).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>"));
    // No request of any kind: no address, no external style, script, font or image.
    for forbidden in [
        "http:", "https:", "ftp:", "<script", "src=", "href=", "url(", "@import", "<link",
    ] {
        assert!(!html.contains(forbidden), "the page holds {forbidden}");
    }
    for wanted in [
        "seen within 14 days",
        "Fairness self-audit",
        "Coding self-audit",
        "What the measures mean",
        "<svg",
        "@media print",
        "@page",
    ] {
        assert!(html.contains(wanted), "the page lacks {wanted}");
    }
    // Twelve months of trend per measure: 9 rates and the SRS.
    assert_eq!(html.matches("<svg class=\"trend\"").count(), 10);
    // Names are escaped, never markup.
    assert!(!html.contains("<b>Lee</b>"));
    // It is not written over without --force, and --force replaces it.
    let err = p.refused(&["report", "value", "--html", file.to_str().unwrap()]);
    assert!(err.contains("--force"), "{err}");
    p.ok(&[
        "report",
        "value",
        "--html",
        file.to_str().unwrap(),
        "--force",
        "--initials",
    ]);
    assert!(p.ok(&["audit", "report"]).contains("report.value.html"));
}

/// Renders the page in headless Chromium with every host unresolvable and checks it drew.
#[test]
fn the_html_report_renders_in_a_real_browser_without_the_network() {
    let chromium = ["/usr/bin/chromium", "/usr/bin/chromium-browser"]
        .into_iter()
        .find(|c| Path::new(c).exists());
    let Some(chromium) = chromium else {
        eprintln!(
            "chromium is not installed: the rendering check is skipped (.ci/run installs it)"
        );
        return;
    };
    let p = practice();
    let file = p.dir.path().join("value.html");
    p.ok(&["report", "value", "--html", file.to_str().unwrap()]);
    let shot = p.dir.path().join("value.png");
    let profile = p.dir.path().join("chromium");
    let run = |extra: &[&str]| {
        std::process::Command::new(chromium)
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--host-resolver-rules=MAP * ~NOTFOUND",
                "--enable-logging=stderr",
                "--v=0",
                &format!("--user-data-dir={}", profile.display()),
                "--window-size=1200,1800",
            ])
            .args(extra)
            .arg(format!("file://{}", file.display()))
            .output()
            .unwrap()
    };
    let shot_arg = format!("--screenshot={}", shot.display());
    let out = run(&[&shot_arg]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let png = std::fs::read(&shot).unwrap();
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
    // A blank page compresses to a few KiB; text, tables and charts do not.
    assert!(
        png.len() > 40_000,
        "the screenshot looks blank ({} bytes)",
        png.len()
    );
    let log = String::from_utf8_lossy(&out.stderr);
    assert!(
        !log.contains("Refused to"),
        "the page tried to load something: {log}"
    );
    assert!(!log.contains("Uncaught"), "a script error: {log}");
    let dom = run(&["--dump-dom"]);
    let dom = String::from_utf8_lossy(&dom.stdout);
    assert!(
        dom.contains("Value report") && dom.contains("Fairness self-audit"),
        "{dom}"
    );
}

fn resolve<'a>(bundle: &'a Value, reference: &str) -> Option<&'a Value> {
    bundle["entry"]
        .as_array()?
        .iter()
        .find(|e| e["fullUrl"] == reference)
        .map(|e| &e["resource"])
}

#[test]
fn the_fhir_bundle_is_what_an_ehr_expects() {
    let p = practice();
    // A voided encounter and measurement are left out.
    let extra = p.ok(&[
        "log",
        "bo",
        "--kind",
        "phone",
        "--minutes",
        "5",
        "--date",
        "2026-10-04",
    ]);
    let id: String = extra["Logged encounter ".len()..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    p.ok(&["void", "encounter", &id, "--reason", "wrong client"]);
    let file = p.dir.path().join("bundle.json");
    let out = p.ok(&["export", "--fhir", file.to_str().unwrap()]);
    assert!(out.contains("FHIR R4 bundle"), "{out}");
    let b: Value = serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
    assert_eq!(b["resourceType"], "Bundle");
    assert_eq!(b["type"], "collection");
    assert!(b["timestamp"].as_str().unwrap().ends_with('Z'));
    let entries = b["entry"].as_array().unwrap();
    let urls: HashSet<&str> = entries
        .iter()
        .map(|e| e["fullUrl"].as_str().unwrap())
        .collect();
    assert_eq!(urls.len(), entries.len(), "every fullUrl is unique");
    let of = |t: &str| -> Vec<&Value> {
        entries
            .iter()
            .map(|e| &e["resource"])
            .filter(|r| r["resourceType"] == t)
            .collect()
    };
    assert_eq!(of("Patient").len(), 2);
    assert_eq!(of("Encounter").len(), 3, "the voided one is left out");
    assert_eq!(of("Observation").len(), 3);
    assert_eq!(of("Coverage").len(), 2);
    for e in entries {
        assert!(e["fullUrl"].as_str().unwrap().starts_with("urn:uuid:"));
        let r = &e["resource"];
        assert!(r["id"].is_string(), "{r}");
        if let Some(subject) = r.get("subject").or_else(|| r.get("beneficiary")) {
            let target = resolve(&b, subject["reference"].as_str().unwrap()).expect("resolves");
            assert_eq!(target["resourceType"], "Patient");
        }
    }
    let ann = of("Patient")
        .into_iter()
        .find(|p| p["birthDate"] == "1990-04-01")
        .unwrap();
    assert!(
        ann["identifier"]
            .as_array()
            .unwrap()
            .iter()
            .any(|i| i["value"] == "M-1")
    );
    assert_eq!(
        ann["name"][0]["text"], "Ann <b>Lee</b>",
        "JSON keeps the name as stored"
    );
    let statuses = [
        "planned",
        "arrived",
        "triaged",
        "in-progress",
        "onleave",
        "finished",
        "cancelled",
        "entered-in-error",
        "unknown",
    ];
    for e in of("Encounter") {
        assert!(statuses.contains(&e["status"].as_str().unwrap()), "{e}");
        assert!(e["class"]["code"].is_string());
        assert!(e["period"]["start"].is_string());
        assert!(e["participant"][0]["individual"]["display"] == "Dana Reyes");
    }
    let noshow = of("Encounter")
        .into_iter()
        .find(|e| e["status"] == "cancelled")
        .unwrap();
    assert_eq!(noshow["extension"][0]["valueString"], "no-show");
    let telehealth = of("Encounter")
        .into_iter()
        .find(|e| e["type"][0]["text"] == "telehealth")
        .unwrap();
    assert_eq!(telehealth["class"]["code"], "VR");
    for o in of("Observation") {
        assert_eq!(o["status"], "final");
        assert_eq!(o["category"][0]["coding"][0]["code"], "survey");
        assert!(o["effectiveDateTime"].is_string());
        assert!(o["valueInteger"].is_i64());
    }
    let loinc = |code: &str| {
        of("Observation")
            .into_iter()
            .find(|o| o["code"]["coding"][0]["code"] == code)
            .cloned()
    };
    let phq9 = loinc("44261-6").expect("PHQ-9 total by LOINC");
    assert_eq!(phq9["code"]["coding"][0]["system"], "http://loinc.org");
    assert_eq!(phq9["valueInteger"], 13);
    assert_eq!(
        phq9["component"].as_array().unwrap().len(),
        9,
        "the items as components"
    );
    assert!(loinc("70274-6").is_some(), "GAD-7 total by LOINC");
    for c in of("Coverage") {
        assert_eq!(c["status"], "active");
        assert_eq!(c["payor"][0]["display"], "Harbor Health Plan");
        assert_eq!(c["period"]["start"], "2026-06-01");
    }
    assert!(p.ok(&["audit", "report"]).contains("export.fhir"));
}
