//! Property tests of the 834 reader: random bytes, and random soups of the segments it reads
//! under random separators, never panic it; what it accepts holds no control or text-direction
//! character in a member id or name, and the plan made from it never panics either.

use super::sample::ISA;
use super::*;
use crate::domain::roster_plan::Current;
use crate::domain::text::find_control;
use crate::domain::{ContractId, ContractModel, Money, Percent, Proration, RatePeriod};
use proptest::prelude::*;

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 23).unwrap()
}

fn contract() -> crate::domain::Contract {
    crate::domain::Contract {
        id: ContractId(1),
        name: "Harbor".into(),
        model: ContractModel::Capitation,
        withhold_bp: Percent(0),
        proration: Proration::Daily,
        payer: None,
        diagnosis_rates: Vec::new(),
        rates: vec![RatePeriod {
            from: NaiveDate::from_ymd_opt(1, 1, 1).unwrap(),
            rate_cents: Money(4500),
        }],
    }
}

/// Reads `bytes`; when accepted, checks what came out and plans it.
fn check(bytes: &[u8]) -> Result<(), TestCaseError> {
    if let Ok(e) = read(bytes, today()) {
        for m in &e.members {
            prop_assert!(find_control(&m.member_id).is_none());
            prop_assert!(find_control(&m.name).is_none());
            prop_assert!(!m.member_id.is_empty());
            prop_assert!(m.dob.is_none_or(|d| d <= today()));
        }
        for p in &e.problems {
            prop_assert!(p.line >= 1);
        }
        let as_of = NaiveDate::from_ymd_opt(2026, 3, 15).unwrap();
        let _ = plan(&e, &Current::default(), &contract(), as_of, None);
    }
    Ok(())
}

/// Element values: plain ones, dates good and bad, codes, and the awkward bytes.
fn value() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        Just("0F".to_string()),
        Just("IL".to_string()),
        Just("D8".to_string()),
        Just("RD8".to_string()),
        Just("20260101".to_string()),
        Just("20260230".to_string()),
        Just("20260101-20261231".to_string()),
        Just("99991231".to_string()),
        Just("348".to_string()),
        Just("349".to_string()),
        Just("356".to_string()),
        Just("357".to_string()),
        Just("021".to_string()),
        Just("024".to_string()),
        Just("001".to_string()),
        Just("025".to_string()),
        Just("030".to_string()),
        Just("2".to_string()),
        Just("4".to_string()),
        "[A-Z0-9 -]{0,12}",
        "\\PC{0,6}",
        any::<char>().prop_map(String::from),
    ]
}

fn segment() -> impl Strategy<Value = String> {
    let id = prop_oneof![
        Just("INS"),
        Just("REF"),
        Just("DTP"),
        Just("NM1"),
        Just("DMG"),
        Just("HD"),
        Just("BGN"),
        Just("LX"),
        Just("COB"),
        Just("LS"),
        Just("LE"),
        Just("N1"),
        Just("ST"),
        Just("SE"),
        Just("GS"),
        Just("GE"),
        Just("IEA"),
        Just("ISA"),
        Just("ZZ9"),
        Just("x"),
    ];
    (id, prop::collection::vec(value(), 0..10)).prop_map(|(id, elements)| {
        std::iter::once(id.to_string())
            .chain(elements)
            .collect::<Vec<_>>()
            .join("*")
    })
}

/// A plausible beginning: ISA, GS, ST, BGN.
fn opening() -> impl Strategy<Value = Vec<String>> {
    prop_oneof![Just("2"), Just("4"), Just("RX"), Just("9")].prop_map(|action| {
        vec![
            ISA.trim_end_matches('~').to_string(),
            "GS*BE*A*B*20260225*1200*905*X*005010X220A1".into(),
            "ST*834*0001*005010X220A1".into(),
            format!("BGN*00*R1*20260225*1200****{action}"),
        ]
    })
}

fn separators() -> impl Strategy<Value = (char, char, char, String)> {
    (
        prop_oneof![Just('*'), Just('|'), Just('\u{1d}'), Just('~'), Just('a')],
        prop_oneof![Just(':'), Just('>'), Just('*')],
        prop_oneof![Just('^'), Just('{')],
        prop_oneof![
            Just("~".to_string()),
            Just("~\n".to_string()),
            Just("\n".to_string()),
            Just("\r\n".to_string()),
            Just("!".to_string()),
            Just("\u{1c}".to_string()),
        ],
    )
}

/// Noise that stays inside the member it follows: no envelope segment, no stray text, and
/// nothing that starts a member (`INS`) or gives one its id (`REF*0F`) — such noise would make
/// a member of its own, which is the reader working, not failing.
fn is_noise_inside_a_member(segment: &str) -> bool {
    const STARTS: [&str; 9] = ["ISA", "GS", "ST", "SE", "GE", "IEA", "x", "INS", "REF*0F"];
    !STARTS.iter().any(|start| segment.starts_with(start))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn random_bytes_never_panic_the_reader(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
        check(&bytes)?;
        let mut with_isa = ISA.as_bytes().to_vec();
        with_isa.extend(&bytes);
        check(&with_isa)?;
    }

    #[test]
    fn segment_soup_never_panics_the_reader(
        start in opening(),
        soup in prop::collection::vec(segment(), 0..40),
        close in any::<bool>(),
        (element, component, repetition, terminator) in separators(),
    ) {
        let mut segments = start;
        let count = soup.len() + 2;
        segments.extend(soup);
        if close {
            segments.push(format!("SE*{count}*0001"));
            segments.push("GE*1*905".into());
            segments.push("IEA*1*000000905".into());
        }
        let text = super::sample::with_separators(
            &(segments.join("~\n") + "~\n"),
            element,
            component,
            repetition,
            &terminator,
        );
        check(text.as_bytes())?;
        // Cut anywhere, too.
        for cut in [1, text.len() / 3, text.len() / 2, text.len().saturating_sub(3)] {
            check(&text.as_bytes()[..cut.min(text.len())])?;
        }
    }

    #[test]
    fn good_members_in_soup_are_read_or_the_file_is_refused(
        ids in prop::collection::vec("[A-Z]-[0-9]{1,4}", 1..8),
        noise in prop::collection::vec(segment(), 0..6),
    ) {
        let mut body = vec![
            "BGN*00*R1*20260225*1200****2".to_string(),
        ];
        for id in &ids {
            body.push("INS*Y*18*021*XN*A".into());
            body.push(format!("REF*0F*{id}"));
            body.push("NM1*IL*1*LEE*ANN".into());
            body.extend(noise.iter().filter(|s| is_noise_inside_a_member(s)).cloned());
        }
        let text = super::sample::interchange(&[body]);
        match read(text.as_bytes(), today()) {
            Ok(e) => {
                let mut unique = ids.clone();
                unique.sort();
                unique.dedup();
                let read_ids: std::collections::HashSet<&str> = e.members.iter().map(|m| m.member_id.as_str()).collect();
                prop_assert!(read_ids.len() <= unique.len());
                for m in &e.members {
                    prop_assert!(ids.contains(&m.member_id));
                }
            }
            Err(r) => prop_assert!(r.segment >= 1),
        }
    }
}
