//! Property tests of the roster reader and plan over random bytes and random quoting: never a
//! panic, either a clean one-line refusal or a plan, and no accepted member id or name (nor any
//! name a plan would store) holding a control or text-direction character.

use super::*;
use crate::domain::csvfile::props::quoted_mess;
use crate::domain::roster_plan::{self, Current, Known, Span};
use crate::domain::text::find_control;
use crate::domain::{
    AttributionId, ClientId, Contract, ContractId, ContractModel, Money, Percent, Proration,
    RatePeriod,
};
use proptest::prelude::*;

fn d(s: &str) -> NaiveDate {
    crate::domain::parse_date(s).unwrap()
}

fn contract() -> Contract {
    Contract {
        id: ContractId(1),
        name: "Harbor".into(),
        model: ContractModel::Capitation,
        withhold_bp: Percent(1000),
        proration: Proration::Daily,
        payer: None,
        diagnosis_rates: Vec::new(),
        rates: vec![RatePeriod {
            from: d("0001-01-01"),
            rate_cents: Money(4500),
        }],
    }
}

/// A practice that already knows M1 (attributed), M2 (terminated) and M3 (not attributed).
fn practice() -> Current {
    let known = |client: i64, spans: &[(&str, Option<&str>)]| Known {
        client_id: ClientId(client),
        name: format!("Client {client}"),
        dob: None,
        spans: spans
            .iter()
            .enumerate()
            .map(|(i, (s, e))| Span {
                id: AttributionId(client * 10 + i as i64),
                start: d(s),
                end: e.map(d),
            })
            .collect(),
    };
    Current {
        by_member: [
            ("M1".to_string(), known(1, &[("2026-01-01", None)])),
            (
                "M2".to_string(),
                known(2, &[("2025-06-01", Some("2026-01-31"))]),
            ),
            ("M3".to_string(), known(3, &[])),
        ]
        .into_iter()
        .collect(),
        unmatched: vec![(ClientId(9), vec![])],
    }
}

/// A header a roster could have, and how many fields it has.
fn header() -> impl Strategy<Value = (&'static str, usize)> {
    prop_oneof![
        Just(("Member ID,Name,DOB,Effective Date,Term Date", 5)),
        Just(("Member ID,First Name,Last Name,Effective,Term", 5)),
        Just(("\u{feff}member_id,name", 2)),
        Just(("Subscriber ID,Member Name,Plan", 3)),
    ]
}

/// One cell: plain, quoted (quotes doubled), now and then left open, or carrying a hostile
/// character.
fn cell() -> impl Strategy<Value = String> {
    let token = prop_oneof![
        Just(""),
        Just("M1"),
        Just("M2"),
        Just("M3"),
        Just("M4"),
        Just("Ann"),
        Just("Lee, Ann"),
        Just("Ray, Bob"),
        Just("O\"Brien"),
        Just("2026-01-01"),
        Just("2026-03-31"),
        Just("03/15/1985"),
        Just("20260201"),
        Just("9999-12-31"),
        Just("2026-02-30"),
        Just("Zoë"),
    ];
    let hostile = prop_oneof![
        Just('\u{0}'),
        Just('\t'),
        Just('\n'),
        Just('\r'),
        Just('\u{1b}'),
        Just('\u{7f}'),
        Just('\u{85}'),
        Just('\u{9b}'),
        Just('\u{202e}'),
        Just('\u{2066}'),
        Just('\u{200e}'),
    ];
    let how = prop_oneof![40 => Just(0u8), 10 => Just(1), 1 => Just(2), 8 => Just(3)];
    (token, how, hostile).prop_map(|(t, how, c)| match how {
        0 => t.to_string(),
        1 => format!("\"{}\"", t.replace('"', "\"\"")),
        2 => format!("\"{t}"),
        _ => format!("\"{t}{c}{t}\""),
    })
}

/// A roster file: a header, then rows of random cells, mostly as many as the header has.
fn roster_file() -> impl Strategy<Value = Vec<u8>> {
    (header(), any::<bool>())
        .prop_flat_map(|((head, width), crlf)| {
            let row = prop_oneof![
                9 => proptest::collection::vec(cell(), width),
                1 => proptest::collection::vec(cell(), 1..7),
            ];
            (Just(head), Just(crlf), proptest::collection::vec(row, 0..8))
        })
        .prop_map(|(head, crlf, rows)| {
            let end = if crlf { "\r\n" } else { "\n" };
            let mut text = format!("{head}{end}");
            for row in rows {
                text.push_str(&row.join(","));
                text.push_str(end);
            }
            text.into_bytes()
        })
}

/// Any file either refuses with one clean line or gives rows and a plan without a control
/// character in any member id or name.
fn check(bytes: &[u8]) -> Result<(), TestCaseError> {
    let today = d("2026-03-15");
    let roster = match parse(bytes, &[], today) {
        Err(e) => {
            let message = e.to_string();
            prop_assert!(message.starts_with("roster refused"), "{}", message);
            prop_assert_eq!(find_control(&message), None, "{:?}", message);
            return Ok(());
        }
        Ok(r) => r,
    };
    for row in &roster.rows {
        prop_assert!(!row.member_id.is_empty());
        prop_assert_eq!(find_control(&row.member_id), None, "{:?}", row);
        prop_assert_eq!(find_control(&row.name), None, "{:?}", row);
    }
    let mut ids: Vec<&str> = roster.rows.iter().map(|r| r.member_id.as_str()).collect();
    ids.sort_unstable();
    prop_assert!(
        ids.windows(2).all(|w| w[0] != w[1]),
        "member ids are unique"
    );
    if !roster.problems.is_empty() {
        let refusal = csvfile::refusal("roster", &roster.problems);
        prop_assert_eq!(find_control(&refusal), None, "{:?}", refusal);
    }
    for current in [Current::default(), practice()] {
        for as_of in ["2026-03-01", "2026-02-15"] {
            let (plan, problems) = roster_plan::plan(&roster.rows, &current, &contract(), d(as_of));
            let lines: Vec<u64> = roster.rows.iter().map(|r| r.line).collect();
            for p in &problems {
                prop_assert!(lines.contains(&p.line), "{:?}", p);
            }
            for change in &plan.changes {
                prop_assert_eq!(find_control(&change.member_id), None);
                prop_assert_eq!(find_control(&change.name), None);
                if let Some(rename) = &change.rename {
                    prop_assert_eq!(find_control(rename), None);
                }
            }
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn random_bytes_refuse_cleanly_or_plan(
        bytes in proptest::collection::vec(any::<u8>(), 0..300),
    ) {
        check(&bytes)?;
    }

    #[test]
    fn random_quoting_refuses_cleanly_or_plans(bytes in quoted_mess()) {
        check(&bytes)?;
    }

    #[test]
    fn random_rosters_refuse_cleanly_or_plan(bytes in roster_file()) {
        check(&bytes)?;
    }
}
