//! The 834 reader at its edges: BGN, each member field, and every refusal with its segment.
//! The separators and the envelope are `tokens_tests`'; how members are planned, `plan_tests`'.

use super::sample::{self, MemberSpec, TODAY, ann, bo, d, problems, read_ok, refused, two_members};
use super::*;

// --- BGN ---------------------------------------------------------------------------------------

#[test]
fn bgn_gives_the_reference_the_date_and_the_kind_of_file() {
    let e = read_ok(&two_members());
    assert_eq!(
        (e.reference.as_str(), e.date, e.kind, e.action.as_str()),
        ("REF-0042", d("2026-02-25"), Kind::Full, "4")
    );
    let rx = read_ok(&two_members().replace("1200****4", "1200****RX"));
    assert_eq!(rx.kind, Kind::Full);
    let change = read_ok(&two_members().replace("1200****4", "1200****2"));
    assert_eq!(change.kind, Kind::Change);
}

#[test]
fn bgn_refusals() {
    let good = two_members();
    for (from, to, want) in [
        (
            "1200****4",
            "1200****7",
            "segment 4 (BGN): BGN08 '7' is not an action caseload reads",
        ),
        ("1200****4", "1200", "BGN08 '' is not an action"),
        (
            "REF-0042*20260225*",
            "REF-0042*20260230*",
            "segment 4 (BGN): BGN03 '20260230' is not a real date (CCYYMMDD)",
        ),
        (
            "BGN*00*REF-0042*",
            "BGN*00**",
            "BGN02, the file's reference number, is empty",
        ),
        (
            "BGN*00*REF-0042*",
            "BGN*00*REF\u{1b}42*",
            "BGN02 (the file's reference number) holds an escape character (U+001B)",
        ),
        (
            "BGN*00*REF-0042",
            "REF*38*X~\nBGN*00*REF-0042",
            "segment 4 (REF): BGN, the beginning segment, must come right after ST",
        ),
        (
            "N1*P5*",
            "BGN*00*AGAIN*20260225*1200****4~\nN1*P5*",
            "a second BGN in one transaction set",
        ),
    ] {
        let why = refused(&good.replacen(from, to, 1));
        assert!(why.contains(want), "{to}: {why}");
    }
    let empty_set = sample::interchange(&[vec![]]);
    assert!(refused(&empty_set).contains("(SE): the transaction set has no BGN"));
    let no_members = sample::interchange(&[sample::body("4", &[])]);
    assert!(
        refused(&no_members)
            .contains("segment 4 (BGN): a full roster (BGN08 4 or RX) that lists no members")
    );
    // A change file with no members is a file with nothing to change.
    assert!(
        read_ok(&sample::interchange(&[sample::body("2", &[])]))
            .members
            .is_empty()
    );
}

// --- members ---------------------------------------------------------------------------------

#[test]
fn name_date_of_birth_and_dates_are_read() {
    let e = read_ok(&two_members());
    let ann = &e.members[0];
    assert_eq!(ann.segment, 7, "the INS segment");
    assert_eq!(ann.member_id, "M-1001");
    assert_eq!(ann.name, "ANN LEE", "first (NM104) then last (NM103)");
    assert_eq!(ann.dob, Some(d("1980-04-12")));
    assert_eq!(ann.start, Some(d("2026-01-01")), "DTP*348 in the HD loop");
    assert_eq!(ann.end, None);
    assert_eq!(ann.maintenance, Maintenance::Audit);
    let bo = &e.members[1];
    assert_eq!(
        bo.start,
        Some(d("2026-02-01")),
        "DTP*356 when there is no 348"
    );
    assert_eq!(bo.name, "BO DIAZ");
}

#[test]
fn benefit_dates_win_over_eligibility_dates() {
    type Dates<'a> = &'a [(&'a str, &'a str)];
    let cases: &[(Dates, Dates, Option<&str>, Option<&str>)] = &[
        (
            &[("356", "20260101"), ("357", "20261231")],
            &[("348", "20260201"), ("349", "20260630")],
            Some("2026-02-01"),
            Some("2026-06-30"),
        ),
        (
            &[("356", "20260101"), ("357", "20261231")],
            &[("348", "20260201")],
            Some("2026-02-01"),
            Some("2026-12-31"),
        ),
        (&[("357", "20260331")], &[], None, Some("2026-03-31")),
        (
            &[("348", "20260301"), ("349", "20260331")],
            &[],
            Some("2026-03-01"),
            Some("2026-03-31"),
        ),
        (
            &[],
            &[("348", "20260301"), ("349", "99991231")],
            Some("2026-03-01"),
            Some("9999-12-31"),
        ),
        // Other qualifiers (303 maintenance effective, 300 enrollment signature) are not read.
        (&[("303", "20260101")], &[("300", "20260101")], None, None),
    ];
    for (member, coverage, start, end) in cases {
        let m = MemberSpec {
            member_dates: member,
            coverage_dates: coverage,
            ..ann()
        };
        let e = read_ok(&sample::file("4", &[m]));
        assert_eq!(e.members[0].start, start.map(d), "{member:?} {coverage:?}");
        assert_eq!(e.members[0].end, end.map(d), "{member:?} {coverage:?}");
    }
}

#[test]
fn several_coverages_give_the_span_of_all_of_them() {
    let mut segs = ann().segments();
    segs.extend([
        "HD*021**DEN*DEN01*IND".to_string(),
        "DTP*348*D8*20251001".into(),
        "DTP*349*D8*20260131".into(),
    ]);
    let e = read_ok(&sample::interchange(&[sample::body("4", &[segs.clone()])]));
    assert_eq!(
        e.members[0].start,
        Some(d("2025-10-01")),
        "the earliest begin"
    );
    assert_eq!(
        e.members[0].end, None,
        "the mental health coverage has no end"
    );
    segs.insert(segs.len() - 3, "DTP*349*D8*20260630".into());
    let e = read_ok(&sample::interchange(&[sample::body("4", &[segs])]));
    assert_eq!(
        e.members[0].end,
        Some(d("2026-06-30")),
        "the latest end when every coverage ends"
    );
}

#[test]
fn a_range_date_gives_its_first_day_to_a_begin_and_its_last_to_an_end() {
    let mut segs = ann().segments();
    segs.pop();
    segs.push("DTP*348*RD8*20260101-20261231".into());
    segs.push("DTP*349*RD8*20260101-20260630".into());
    let e = read_ok(&sample::interchange(&[sample::body("4", &[segs])]));
    assert_eq!(
        (e.members[0].start, e.members[0].end),
        (Some(d("2026-01-01")), Some(d("2026-06-30")))
    );
}

#[test]
fn segments_caseload_does_not_use_are_passed_over() {
    let mut segs = ann().segments();
    segs.extend(
        [
            "AMT*P3*45.00",
            "REF*17*ABC",
            "IDC*BH01*H",
            // 2310: the provider's own dates are not the member's.
            "LX*1",
            "NM1*P3*1*REYES*DANA****XX*1234567893",
            "DTP*348*D8*20200101",
            "PLA*2*1P*20260101*1200*AI",
            // 2320: coordination of benefits.
            "COB*P*POL-1*1",
            "DTP*344*D8*20200101",
            "DTP*349*D8*20200101",
            "NM1*IN*2*OTHER PLAN",
            // 2700: reporting categories.
            "LS*2700",
            "LX*1",
            "N1*75*CATEGORY",
            "REF*ZZ*X",
            "DTP*007*D8*20260101",
            "LE*2700",
            "ZZZ*ANYTHING",
        ]
        .map(String::from),
    );
    // 2100B-2100G before the coverage: an incorrect name and its demographics, a custodial parent.
    segs.splice(
        7..7,
        [
            "NM1*70*1*LEA*ANNE",
            "DMG*D8*19000101*F",
            "NM1*S3*1*LEE*MAY",
            "N3*1 OAK ST",
        ]
        .map(String::from),
    );
    let text = sample::interchange(&[sample::body("4", &[segs, bo().segments()])]);
    let e = read_ok(&text);
    assert_eq!(e.members.len(), 2);
    assert_eq!(e.members[0].start, Some(d("2026-01-01")));
    assert_eq!(e.members[0].end, None);
    assert_eq!(e.members[0].dob, Some(d("1980-04-12")));
}

#[test]
fn every_maintenance_code_is_read() {
    for (code, want) in [
        ("001", Maintenance::Change),
        ("021", Maintenance::Addition),
        ("024", Maintenance::Termination),
        ("025", Maintenance::Reinstatement),
        ("030", Maintenance::Audit),
    ] {
        let e = read_ok(&sample::file(
            "2",
            &[MemberSpec::new(code, "M-1", "LEE", "ANN")],
        ));
        assert_eq!(e.members[0].maintenance, want);
        assert_eq!(want.code(), code);
    }
    let bad = problems(&sample::file(
        "2",
        &[MemberSpec::new("099", "M-1", "LEE", "ANN")],
    ));
    assert_eq!(
        bad,
        [
            "segment 7: INS03 '099' is not a maintenance type code (001 change, 021 addition, 024 termination, 025 reinstatement, 030 audit)"
        ]
    );
}

#[test]
fn members_with_problems_are_listed_by_segment() {
    let no_id = MemberSpec { id: None, ..ann() };
    assert_eq!(
        problems(&sample::file("4", &[no_id, bo()])),
        [
            "segment 7: the member loop has no REF*0F, the subscriber identifier caseload uses as the member id"
        ]
    );
    let bad_date = MemberSpec {
        coverage_dates: &[("348", "20260230")],
        ..ann()
    };
    let bad_dob = MemberSpec {
        dob: Some("19751302"),
        ..bo()
    };
    assert_eq!(
        problems(&sample::file("4", &[bad_date, bad_dob])),
        [
            "segment 15: DTP*348 date '20260230' is not a real date (CCYYMMDD, from 1900)",
            "segment 23: date of birth '19751302' (DMG02) is not a real date (CCYYMMDD)",
        ]
    );
    let control_name = MemberSpec::new("030", "M-1", "LEE\u{1b}[2J", "ANN");
    let control_id = MemberSpec::new("030", "M-\u{202e}2", "DIAZ", "BO");
    assert_eq!(
        problems(&sample::file("4", &[control_name, control_id])),
        [
            "segment 10: name holds an escape character (U+001B); names and ids cannot hold control or text-direction characters",
            "segment 15: member id holds a text-direction character (U+202E); names and ids cannot hold control or text-direction characters",
        ]
    );
    let twice = MemberSpec::new("030", "M-1001", "LEE", "AN");
    assert_eq!(
        problems(&sample::file("4", &[ann(), twice])),
        [
            "segment 17: member id 'M-1001' is listed twice (first at segment 7); caseload reads one member loop per REF*0F"
        ]
    );
    let future = MemberSpec {
        dob: Some("20270101"),
        ..ann()
    };
    assert_eq!(
        problems(&sample::file("4", &[future])),
        ["segment 13: date of birth 2027-01-01 is after today (2026-11-23)"]
    );
    let backwards = MemberSpec {
        coverage_dates: &[("348", "20260301"), ("349", "20260201")],
        ..ann()
    };
    assert_eq!(
        problems(&sample::file("4", &[backwards])),
        ["segment 7: the member's coverage ends (2026-02-01) before it begins (2026-03-01)"]
    );
    let format = sample::file("4", &[ann()]).replace("DTP*348*D8*", "DTP*348*DT*");
    assert_eq!(
        problems(&format),
        [
            "segment 15: DTP*348 has date format 'DT'; caseload reads D8 (CCYYMMDD) or RD8 (CCYYMMDD-CCYYMMDD)"
        ]
    );
    let not_utf8 = sample::file("4", &[ann()]).replace("*LEE*", "*L\u{e9}E*");
    let bytes: Vec<u8> = not_utf8
        .replace('\u{e9}', "\u{1}")
        .bytes()
        .map(|b| if b == 1 { 0xE9 } else { b })
        .collect();
    let e = read(&bytes, d(TODAY)).unwrap();
    assert_eq!(e.problems[0].message, "NM103 is not UTF-8 text");
    assert_eq!(e.problems[0].line, 10);
}

#[test]
fn a_segment_outside_its_loop_refuses_the_file() {
    let member = ann().segments();
    let at = |id: &str| member.iter().position(|s| s.starts_with(id)).unwrap();
    let moved_in = |member: &[String], from: &str, to: &str| {
        let at = |id: &str| member.iter().position(|s| s.starts_with(id)).unwrap();
        let (from, to) = (at(from), at(to));
        let mut m = member.to_vec();
        let seg = m.remove(from);
        m.insert(to, seg);
        sample::interchange(&[sample::body("4", &[m])])
    };
    let moved = |from: &str, to: &str| moved_in(&member, from, to);
    let no_dob = MemberSpec { dob: None, ..ann() }.segments();
    let header = |seg: &str| {
        sample::interchange(&[sample::body("4", std::slice::from_ref(&member))])
            .replace("N1*P5", &format!("{seg}~\nN1*P5"))
    };
    for (text, want) in [
        (
            moved("DMG", "NM1"),
            "segment 10 (DMG): DMG (the member's date of birth) stands in the member level (loop 2000); it belongs in the member's name loop, after NM1*IL",
        ),
        (
            moved_in(&no_dob, "NM1", "HD"),
            "segment 13 (NM1): NM1*IL (the member's name) stands in a coverage loop (2300); it belongs before the coverage loops (2300, HD): right after the member level",
        ),
        (
            moved("REF*0F", "NM1"),
            "segment 10 (REF): REF*0F (the subscriber identifier) stands in the member's name loop (2100A); it belongs in the member level (loop 2000), after INS and before NM1",
        ),
        (
            moved("DTP", "N3"),
            "segment 11 (DTP): DTP*348 stands in the member's name loop (2100A); it belongs in the member level (loop 2000, after INS) or a coverage loop (2300, after HD)",
        ),
        (
            header("HD*021**MH"),
            "segment 5 (HD): HD (a coverage) stands in the header, before the first INS; it belongs in a member loop, after INS and the member's name",
        ),
        (
            header("NM1*IL*1*LEE*ANN"),
            "segment 5 (NM1): NM1*IL (the member's name) stands in the header, before the first INS",
        ),
        (
            header("REF*0F*M-1"),
            "segment 5 (REF): REF*0F (the subscriber identifier) stands in the header",
        ),
        (
            header("DTP*356*D8*20260101"),
            "segment 5 (DTP): DTP*356 stands in the header",
        ),
        (
            header("DMG*D8*19800101"),
            "segment 5 (DMG): DMG (the member's date of birth) stands in the header",
        ),
    ] {
        let why = refused(&text);
        assert!(why.starts_with(want), "want {want}\ngot  {why}");
    }
    let mut twice = member.clone();
    twice.insert(at("HD"), "NM1*IL*1*LEE*ANNA".into());
    let why = refused(&sample::interchange(&[sample::body("4", &[twice])]));
    assert!(why.contains("a second NM1*IL in one member loop"), "{why}");
    let mut after_other = member.clone();
    after_other.insert(at("NM1"), "NM1*31*1".into());
    let why = refused(&sample::interchange(&[sample::body("4", &[after_other])]));
    assert!(
        why.contains("NM1*IL comes after another name loop"),
        "{why}"
    );
    let mut hd_late = member.clone();
    hd_late.extend(["LS*2700".to_string(), "HD*021**DEN".into()]);
    let why = refused(&sample::interchange(&[sample::body("4", &[hd_late])]));
    assert!(
        why.contains("before the reporting categories (LS … LE)"),
        "{why}"
    );
}
