//! Contracts as payers write them, in the UI (SPEC section 12): the revenue tab's contracts view
//! (rates with their diagnosis prefixes, the withhold held and earned back, each target met,
//! not met with how many more would meet it, or n/a) and the value tab's coding self-audit,
//! private in privacy mode.

use super::app::{ContractsTab, Viewer};
use super::tests::{TODAY, app, d, draw, keys, practice, screen_text};
use crate::domain::quality::{Measure, Target};
use crate::domain::{ClientId, ContractId, ContractModel, Money, Percent, Proration, Role};
use crate::store::auth::Session;
use crate::store::{Store, attributions, clinicians, contract_report, contracts, targets};

const HARBOR: ContractId = ContractId(1);

/// The test practice with quality targets on Harbor Health, and a case-rate contract paid by
/// diagnosis with three episodes: Di's in the previous period, Bo's (F33.1, no PHQ-9) and Cy's
/// (coded severe, F32.2, with a baseline PHQ-9 of 4) in this one.
fn contracted() -> Store {
    let mut store = practice();
    store
        .write(|tx| {
            let target = |measure, pct: i64, weight| Target {
                measure,
                at_least: Percent(pct * 100),
                weight,
            };
            targets::set(tx, HARBOR, &target(Measure::Contacted, 75, 2))?;
            targets::set(tx, HARBOR, &target(Measure::Measured, 90, 1))?;
            targets::set(tx, HARBOR, &target(Measure::Followed7, 80, 1))?;
            let bright = contracts::insert(
                tx,
                &contracts::NewContract {
                    name: "Bright EAP".into(),
                    model: ContractModel::CaseRate,
                    rate: Money(65_000),
                    withhold: Percent(200),
                    proration: Proration::FirstOfMonth,
                    payer: Some("Bright Employee Assistance".into()),
                },
            )?;
            contracts::set_rate_for(tx, bright, Money(78_000), d("2026-01-01"), Some("F322"))?;
            contracts::set_rate_for(tx, bright, Money(70_000), d("2026-06-01"), Some("F33"))?;
            targets::set(tx, bright, &target(Measure::Response, 40, 1))?;
            let episode = |client, start: &str, end: &str, dx| {
                attributions::insert_with_diagnosis(
                    tx,
                    ClientId(client),
                    bright,
                    d(start),
                    Some(d(end)),
                    dx,
                )
            };
            episode(4, "2026-06-01", "2026-08-29", None)?;
            episode(2, "2026-10-15", "2027-01-12", Some("F33.1"))?;
            episode(3, "2026-11-01", "2027-01-29", Some("F32.2"))?;
            Ok(())
        })
        .unwrap();
    store
}

#[test]
fn contracts_view() {
    let mut store = contracted();
    let mut app = app(&mut store, 120, 40);
    keys(&mut app, &mut store, "3c");
    assert!(app.view.show_contracts);
    let t = draw(&app, 120, 40);
    let text = screen_text(&t);
    for expected in [
        "Harbor Health · capitation · first-of-month proration",
        "$45.00 PMPM from the start",
        "Bright EAP · case-rate",
        "diagnosis F322… $780.00 from 2026-01-01",
        "diagnosis F33… $700.00 from 2026-06-01",
        "earned back",
        "clients contacted",
    ] {
        assert!(text.contains(expected), "{expected:?} missing:\n{text}");
    }
    // The figures are the report's, as `caseload report contract` prints them.
    let harbor = store
        .read(|c| contracts::by_name(c, "Harbor Health"))
        .unwrap();
    let from = crate::domain::Month::new(2026, 1).unwrap();
    let to = crate::domain::Month::of(d(TODAY));
    let report = store
        .read(|c| contract_report::report(c, harbor, from, to, d(TODAY)))
        .unwrap();
    assert!(
        text.contains(&format!("held {}", report.money.withhold))
            && text.contains(&format!("earned back {}", report.money.earn_back)),
        "{text}"
    );
    for r in &report.targets {
        assert!(
            text.contains(&format!("{} of {}", r.rate.n, r.rate.of)),
            "{r:?}\n{text}"
        );
        if let Some(k) = r.more_needed {
            assert!(
                text.contains(&format!("not met: {k} more")),
                "{r:?}\n{text}"
            );
        }
    }
    insta::assert_snapshot!(t.backend());
    keys(&mut app, &mut store, "c");
    assert!(
        screen_text(&draw(&app, 120, 40)).contains("member-mo"),
        "back to the months"
    );
}

#[test]
fn contracts_view_at_80x24_puts_the_verdict_under_the_figures_and_scrolls() {
    let mut store = contracted();
    let mut app = app(&mut store, 80, 24);
    keys(&mut app, &mut store, "3c");
    let t = draw(&app, 80, 24);
    let text = screen_text(&t);
    assert!(text.contains("targets   measure"), "{text}");
    let verdict = text
        .lines()
        .find(|l| l.contains("not met:"))
        .unwrap_or_else(|| panic!("no unmet target:\n{text}"));
    assert!(verdict.trim_start().starts_with("not met:"), "{verdict}");
    insta::assert_snapshot!(t.backend());
    // The rest is below: j scrolls down to Bright EAP's target and stops at the end.
    keys(&mut app, &mut store, &"j".repeat(40));
    let text = screen_text(&draw(&app, 80, 24));
    assert!(text.contains("PHQ-9 response"), "{text}");
    let at_end = app.view.contracts_scroll;
    keys(&mut app, &mut store, "j");
    assert_eq!(
        app.view.contracts_scroll, at_end,
        "no scrolling past the end"
    );
    keys(&mut app, &mut store, "k");
    assert_eq!(app.view.contracts_scroll, at_end.saturating_sub(1));
}

#[test]
fn a_clinician_is_told_contracts_are_for_supervisors() {
    let mut store = contracted();
    let mut app = app(&mut store, 100, 30);
    let sam = store
        .read(|c| clinicians::get(c, crate::domain::ClinicianId(2)))
        .unwrap();
    app.viewer = Viewer {
        clinician_id: Some(sam.id),
        name: sam.name.clone(),
        role: Role::Clinician,
    };
    app.session = Some(Session {
        clinician: sam,
        started: chrono::Utc::now(),
    });
    keys(&mut app, &mut store, "3c");
    assert!(matches!(app.view.contracts, Some(ContractsTab::Refused(_))));
    let text = screen_text(&draw(&app, 100, 30));
    assert!(text.contains("a supervisor or an admin"), "{text}");
    assert!(!text.contains("earned back"), "{text}");
}

#[test]
fn value_tab_coding_section() {
    let mut store = contracted();
    let mut app = app(&mut store, 100, 40);
    keys(&mut app, &mut store, "4");
    let coding = &app.view.value.as_ref().unwrap().coding;
    assert_eq!(
        (coding.episodes.moderate, coding.episodes.severe),
        (1, 1),
        "{coding:?}"
    );
    assert_eq!(coding.previous.moderate, 1, "{coding:?}");
    assert_eq!(coding.mismatches.len(), 1, "{coding:?}");
    keys(&mut app, &mut store, &"j".repeat(30));
    let t = draw(&app, 100, 40);
    let text = screen_text(&t);
    for expected in [
        "Coding: case-rate episodes begun, by coded severity",
        "for your own review",
        "Worth a second look (1)",
        "The coding may well be",
        "Cy Young",
        "F32.2 (severe)",
        "baseline PHQ-9 4",
    ] {
        assert!(text.contains(expected), "{expected:?} missing:\n{text}");
    }
    insta::assert_snapshot!(t.backend());
    // Privacy: initials, and the severity without the code.
    keys(&mut app, &mut store, "p");
    let text = screen_text(&draw(&app, 100, 40));
    assert!(
        text.contains("C. Y.") && text.contains("coded severe"),
        "{text}"
    );
    assert!(
        !text.contains("Cy Young") && !text.contains("F32.2"),
        "{text}"
    );
}

/// `H` on the Value tab writes the page `report value --html` writes, from the figures on
/// screen, into the data folder, says where, and audits it; privacy mode prints initials.
#[test]
fn h_writes_the_value_report_as_html_and_says_where() {
    let mut store = contracted();
    let mut app = app(&mut store, 100, 40);
    let dir = tempfile::tempdir().unwrap();
    app.reports_dir = Some(dir.path().join("data"));
    keys(&mut app, &mut store, "4H");
    let file = dir
        .path()
        .join("data")
        .join(format!("value-report-{TODAY}.html"));
    let html = std::fs::read_to_string(&file).expect("the report is written");
    assert!(html.contains("Value report") && html.contains("Coding self-audit"));
    assert!(html.contains("Cy Young"), "the mismatch names the client");
    let notice = app
        .view
        .notice
        .as_ref()
        .map(|(m, _)| m.clone())
        .unwrap_or_default();
    assert!(
        notice.contains("value-report-") && notice.contains(".html"),
        "{notice}"
    );
    // Again the same day, in privacy mode: replaced, with initials only.
    keys(&mut app, &mut store, "pH");
    let html = std::fs::read_to_string(&file).unwrap();
    assert!(
        !html.contains("Cy Young") && html.contains("C. Y."),
        "{html}"
    );
    let audited: i64 = store
        .read(|c| {
            Ok(c.query_row(
                "SELECT count(*) FROM audit WHERE action = 'report.value.html'",
                [],
                |r| r.get(0),
            )?)
        })
        .unwrap();
    assert_eq!(audited, 2);
}
