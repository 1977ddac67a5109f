//! The 834 reader at its edges: separators from the ISA (unusual ones, unpadded ISAs, line
//! breaks), the envelope's counts and control numbers, each member field, every refusal with
//! its segment, and each maintenance code of a change file planned against a practice.

use super::sample::{self, MemberSpec};
use super::*;
use crate::domain::roster_plan::{Category, Current, Known, RosterMember, Span, SpanChange};
use crate::domain::{
    AttributionId, ClientId, Contract, ContractId, ContractModel, Money, Percent, Proration,
    RatePeriod,
};

fn d(s: &str) -> NaiveDate {
    crate::domain::parse_date(s).unwrap()
}

const TODAY: &str = "2026-11-23";

fn read_ok(text: &str) -> Enrollment {
    let e = read(text.as_bytes(), d(TODAY)).unwrap_or_else(|r| panic!("{r}\n{text}"));
    assert!(e.problems.is_empty(), "{:?}", e.problems);
    e
}

fn refused(text: &str) -> String {
    read(text.as_bytes(), d(TODAY))
        .err()
        .unwrap_or_else(|| panic!("should be refused:\n{text}"))
        .to_string()
}

fn problems(text: &str) -> Vec<String> {
    let e = read(text.as_bytes(), d(TODAY)).unwrap_or_else(|r| panic!("{r}"));
    e.problems
        .iter()
        .map(|p| format!("segment {}: {}", p.line, p.message))
        .collect()
}

fn ann() -> MemberSpec<'static> {
    MemberSpec {
        dob: Some("19800412"),
        coverage_dates: &[("348", "20260101")],
        ..MemberSpec::new("030", "M-1001", "LEE", "ANN")
    }
}

fn bo() -> MemberSpec<'static> {
    MemberSpec {
        dob: Some("19751102"),
        member_dates: &[("356", "20260201")],
        ..MemberSpec::new("030", "M-1002", "DIAZ", "BO")
    }
}

fn two_members() -> String {
    sample::file("4", &[ann(), bo()])
}

// --- the tokeniser ---------------------------------------------------------------------------

#[test]
fn separators_come_from_the_isa() {
    let e = read_ok(&two_members());
    assert_eq!(
        e.separators,
        Separators {
            element: b'*',
            component: b':',
            repetition: Some(b'^'),
            segment: b'~',
        }
    );
    assert_eq!(e.members.len(), 2);
}

#[test]
fn unusual_separators_read_the_same_members() {
    let plain = read_ok(&two_members());
    for (element, component, repetition, terminator) in [
        ('|', '>', '{', "!"),
        ('|', '>', '^', "'"),
        ('\u{1d}', '\u{1f}', '\u{1e}', "\u{1c}"),
        ('*', ':', '^', "\r\n"),
        ('*', ':', '^', "\n"),
        ('*', ':', '^', "~\r\n"),
        ('^', '\\', '{', "~"),
    ] {
        let text =
            sample::with_separators(&two_members(), element, component, repetition, terminator);
        let e = read_ok(&text);
        assert_eq!(e.members, plain.members, "{element:?} {terminator:?}");
        assert_eq!(e.separators.element, element as u8);
        assert_eq!(e.separators.component, component as u8);
        assert_eq!(e.separators.repetition, Some(repetition as u8));
    }
}

#[test]
fn line_breaks_between_segments_are_ignored_and_segments_count_from_the_isa() {
    let one_line = two_members().replace("~\n", "~");
    let crlf = two_members().replace("~\n", "~\r\n\r\n");
    assert_eq!(read_ok(&one_line).members, read_ok(&crlf).members);
    let seps = tokens::separators(crlf.as_bytes()).unwrap();
    let ids: Vec<(u64, String)> = tokens::segments(crlf.as_bytes(), seps)
        .take(4)
        .map(|s| (s.number, s.name()))
        .collect();
    assert_eq!(
        ids,
        [
            (1, "ISA".into()),
            (2, "GS".into()),
            (3, "ST".into()),
            (4, "BGN".into())
        ]
    );
    // A byte order mark and blank lines before the ISA are passed over too.
    let bom = format!("\u{feff}\n\n{}", two_members());
    assert_eq!(read_ok(&bom).members.len(), 2);
}

#[test]
fn an_unpadded_isa_is_read_by_counting_its_elements() {
    let unpadded = two_members().replace(
        sample::ISA,
        "ISA*00**00**ZZ*HARBORPLAN*ZZ*PRACTICE*260225*1200*^*00501*905*0*P*:~",
    );
    assert_eq!(read_ok(&unpadded).members.len(), 2);
}

#[test]
fn an_isa_before_00402_has_no_repetition_separator() {
    let old = two_members().replace("*^*00501*", "*U*00401*");
    assert_eq!(read_ok(&old).separators.repetition, None);
}

#[test]
fn elements_and_components_are_read_in_place() {
    let text = "ISA*00*          *00*          *ZZ*A              *ZZ*B              *260225*1200*^*00501*000000001*0*P*>|NM1*IL*1*LEE*ANN|HI*BK>F322*BF>F411|";
    let seps = tokens::separators(text.as_bytes()).unwrap();
    assert_eq!((seps.component, seps.segment), (b'>', b'|'));
    let segs: Vec<_> = tokens::segments(text.as_bytes(), seps).collect();
    assert_eq!(segs.len(), 3);
    assert_eq!(segs[1].id(), b"NM1");
    assert_eq!(segs[1].element(3), b"LEE");
    assert_eq!(segs[1].element(4), b"ANN");
    assert_eq!(segs[1].element(9), b"", "past the end is empty");
    assert_eq!(segs[2].components(1, &seps), vec![&b"BK"[..], &b"F322"[..]]);
    assert_eq!(segs[2].components(2, &seps)[1], b"F411");
}

#[test]
fn the_isa_must_declare_usable_separators() {
    for (text, want) in [
        ("", "does not start with an ISA"),
        (
            "GS*BE*A*B~",
            "does not start with an ISA segment, the interchange header that declares the separators; it starts with GS",
        ),
        ("ISA*00*  *00~", "the ISA segment is cut short"),
        (
            "ISAX00X",
            "the element separator (the ISA's 4th character) is 'X'",
        ),
        (
            "ISA*00*          *00*          *ZZ*A              *ZZ*B              *260225*1200*^*00501*000000001*0*P*:X",
            "ISA16 (the component separator) must be one character",
        ),
        (
            "ISA*00*          *00*          *ZZ*A              *ZZ*B              *260225*1200*^*00501*000000001*0*P***",
            "the component separator, is '*'",
        ),
        (
            "ISA*00*          *00*          *ZZ*A              *ZZ*B              *260225*1200*~*00501*000000001*0*P*:~",
            "ISA11, the repetition separator, is '~'",
        ),
    ] {
        let why = refused(text);
        assert!(why.contains(want), "{text:?}: {why}");
        assert!(why.starts_with("segment 1"), "{why}");
    }
}

#[test]
fn x12_files_are_told_from_csv_by_their_start() {
    assert!(looks_like_x12(two_members().as_bytes()));
    assert!(looks_like_x12(b"\xEF\xBB\xBF\r\nISA|00|"));
    assert!(looks_like_x12(b"GS*BE*A*B~"));
    assert!(looks_like_x12(b"ST*834*0001~"));
    assert!(!looks_like_x12(b"member id,name\nA,Ann Lee\n"));
    assert!(!looks_like_x12(b"ISA ID,Name\n"));
    assert!(!looks_like_x12(b"ISA,Name\n"));
    assert!(!looks_like_x12(b"Status,Name\n"));
    assert!(!looks_like_x12(b""));
}

#[test]
fn a_segment_id_that_is_not_one_means_the_separators_are_wrong() {
    let text = two_members().replace("N1*P5*", "n1*P5*");
    assert!(refused(&text).starts_with("segment 5: 'n1' is not a segment id"));
}

// --- the envelope ----------------------------------------------------------------------------

#[test]
fn se01_counts_the_segments_of_the_transaction_set() {
    let good = two_members();
    let said = good.lines().find(|l| l.starts_with("SE*")).unwrap();
    let n: u64 = said[3..said.find("*0001").unwrap()].parse().unwrap();
    let wrong = good.replace(said, &format!("SE*{}*0001~", n + 1));
    let why = refused(&wrong);
    assert!(
        why.contains(&format!(
            "(SE): SE01 says {} segments but the transaction set from segment 3 (ST) to here has {n}",
            n + 1
        )),
        "{why}"
    );
    let not_a_number = good.replace(said, "SE*many*0001~");
    assert!(refused(&not_a_number).contains("SE01 ('many') should be the number of segments"));
    let other_control = good.replace(said, &format!("SE*{n}*0002~"));
    assert!(
        refused(&other_control).contains("SE02 '0002' does not match ST02 '0001' of segment 3")
    );
}

#[test]
fn ge01_and_iea01_count_sets_and_groups() {
    let good = two_members();
    let why = refused(&good.replace("GE*1*905", "GE*2*905"));
    assert!(
        why.contains("(GE): GE01 says 2 transaction sets but the group opened at segment 2 has 1"),
        "{why}"
    );
    let why = refused(&good.replace("IEA*1*", "IEA*3*"));
    assert!(
        why.contains("(IEA): IEA01 says 3 functional groups but the interchange has 1"),
        "{why}"
    );
    assert!(
        refused(&good.replace("GE*1*905", "GE*1*906"))
            .contains("GE02 '906' does not match GS06 '905'")
    );
    assert!(
        refused(&good.replace("IEA*1*000000905", "IEA*1*000000906"))
            .contains("IEA02 '000000906' does not match ISA13 '000000905'")
    );
    // Control numbers compare as numbers.
    assert_eq!(
        read_ok(&good.replace("IEA*1*000000905", "IEA*1*905"))
            .members
            .len(),
        2
    );
}

#[test]
fn two_transaction_sets_in_one_group_are_one_roster() {
    let sets = [
        sample::body("4", &[ann().segments()]),
        sample::body("4", &[bo().segments()]),
    ];
    let e = read_ok(&sample::interchange(&sets));
    assert_eq!(e.members.len(), 2);
    let mixed = [
        sample::body("4", &[ann().segments()]),
        sample::body("2", &[bo().segments()]),
    ];
    assert!(refused(&sample::interchange(&mixed)).contains("caseload reads one kind per file"));
}

#[test]
fn a_file_cut_short_or_with_more_after_iea_is_refused() {
    let good = two_members();
    let cut = &good[..good.find("SE*").unwrap()];
    let why = refused(cut);
    assert!(
        why.contains("the file ends inside the transaction set opened at segment 3 (ST): no SE, GE or IEA; is it cut short?"),
        "{why}"
    );
    let no_iea = &good[..good.find("IEA*").unwrap()];
    assert!(refused(no_iea).contains("ends before IEA"));
    let no_ge = good.replace("GE*1*905~\n", "");
    assert!(refused(&no_ge).contains("(IEA): is outside a transaction set"));
    let after = format!("{good}GS*BE*A*B*20260225*1200*906*X*005010X220A1~");
    assert!(refused(&after).contains("comes after IEA"));
    let no_se = good.replace(
        &good[good.find("SE*").unwrap()..good.find("GE*").unwrap()],
        "",
    );
    assert!(
        refused(&no_se).contains(
            "(GE): the transaction set opened at segment 3 (ST) has no SE before this GE"
        )
    );
    let stray = good.replace("GS*BE", "REF*0F*X~\nGS*BE");
    assert!(refused(&stray).contains("segment 2 (REF): is outside a functional group"));
}

#[test]
fn only_834s_are_read() {
    let claim = two_members().replace("ST*834*", "ST*837*");
    assert!(refused(&claim).contains("(ST): this is an X12 837 transaction, not an 834"));
}

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

// --- plans ---------------------------------------------------------------------------------

fn contract() -> Contract {
    Contract {
        id: ContractId(1),
        name: "Harbor".into(),
        model: ContractModel::Capitation,
        withhold_bp: Percent(0),
        proration: Proration::FirstOfMonth,
        payer: None,
        diagnosis_rates: Vec::new(),
        rates: vec![RatePeriod {
            from: d("0001-01-01"),
            rate_cents: Money(4500),
        }],
    }
}

/// A practice that knows M-1 (attributed from January), M-2 (attributed, ended 31 January),
/// M-3 (attributed from April, not begun on 15 March) and M-4 (no attribution).
fn practice() -> Current {
    let known = |client: i64, name: &str, spans: &[(&str, Option<&str>)]| Known {
        client_id: ClientId(client),
        name: name.into(),
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
            ("M-1", known(1, "Ann Lee", &[("2026-01-01", None)])),
            (
                "M-2",
                known(2, "Bo Diaz", &[("2025-06-01", Some("2026-01-31"))]),
            ),
            ("M-3", known(3, "Cy Young", &[("2026-04-01", None)])),
            ("M-4", known(4, "Di Ng", &[])),
        ]
        .into_iter()
        .map(|(id, k)| (id.to_string(), k))
        .collect(),
        unmatched: Vec::new(),
    }
}

const AS_OF: &str = "2026-03-15";

fn change(members: &[MemberSpec]) -> Planned {
    let e = read_ok(&sample::file("2", members));
    plan(&e, &practice(), &contract(), d(AS_OF), None)
}

fn only(p: &Planned) -> (&str, Category, Vec<SpanChange>) {
    assert!(p.problems.is_empty(), "{:?}", p.problems);
    assert_eq!(p.plan.changes.len(), 1, "{:?}", p.plan.changes);
    let c = &p.plan.changes[0];
    (c.member_id.as_str(), c.category, c.spans.clone())
}

#[test]
fn an_addition_adds_the_member_from_the_benefit_begin_or_as_of() {
    let dated = MemberSpec {
        coverage_dates: &[("348", "20260310")],
        ..MemberSpec::new("021", "M-9", "PARK", "EVE")
    };
    let p = change(&[dated]);
    assert_eq!(
        only(&p),
        (
            "M-9",
            Category::New,
            vec![SpanChange::Insert {
                start: d("2026-03-10"),
                end: None
            }]
        )
    );
    assert_eq!(p.plan.changes[0].name, "EVE PARK");
    assert_eq!(p.summary.additions, 1);
    let undated = change(&[MemberSpec::new("021", "M-4", "NG", "DI")]);
    assert_eq!(
        only(&undated),
        (
            "M-4",
            Category::New,
            vec![SpanChange::Insert {
                start: d(AS_OF),
                end: None
            }]
        )
    );
    assert_eq!(undated.plan.continuing, 0);
    // Listing someone already attributed changes nothing, and no one else is touched.
    let again = change(&[MemberSpec::new("021", "M-1", "LEE", "ANN")]);
    assert!(again.plan.is_noop());
    assert_eq!(again.plan.continuing, 1);
}

#[test]
fn a_change_moves_only_what_it_gives() {
    let renamed = change(&[MemberSpec::new("001", "M-2", "DIAZ-ORTEGA", "BO")]);
    let (id, category, spans) = only(&renamed);
    assert_eq!((id, category), ("M-2", Category::Changed));
    assert!(spans.is_empty(), "a name change moves no date: {spans:?}");
    assert_eq!(
        renamed.plan.changes[0].rename.as_deref(),
        Some("BO DIAZ-ORTEGA")
    );
    // A new end date given: only the end moves.
    let ends = MemberSpec {
        coverage_dates: &[("349", "20260630")],
        ..MemberSpec::new("001", "M-1", "LEE", "ANN")
    };
    let p = change(&[ends]);
    assert_eq!(
        only(&p).2,
        vec![SpanChange::Update {
            id: AttributionId(10),
            old_start: d("2026-01-01"),
            old_end: None,
            start: d("2026-01-01"),
            end: Some(d("2026-06-30")),
        }]
    );
    assert!(p.plan.changes[0].rename.is_none(), "ANN LEE is Ann Lee");
    let dob = MemberSpec {
        dob: Some("19800412"),
        ..MemberSpec::new("001", "M-1", "LEE", "ANN")
    };
    let p = change(&[dob]);
    assert_eq!(only(&p).1, Category::Changed);
    assert_eq!(p.plan.changes[0].dob, Some(d("1980-04-12")));
}

#[test]
fn a_reinstatement_brings_a_terminated_member_back() {
    let p = change(&[MemberSpec::new("025", "M-2", "DIAZ", "BO")]);
    assert_eq!(
        only(&p),
        (
            "M-2",
            Category::Reinstated,
            vec![SpanChange::Insert {
                start: d(AS_OF),
                end: None
            }]
        )
    );
    let dated = MemberSpec {
        coverage_dates: &[("348", "20260301")],
        ..MemberSpec::new("025", "M-2", "DIAZ", "BO")
    };
    assert_eq!(
        only(&change(&[dated])).2,
        vec![SpanChange::Insert {
            start: d("2026-03-01"),
            end: None
        }]
    );
}

#[test]
fn a_termination_ends_on_its_date_or_the_day_before_as_of() {
    let dated = MemberSpec {
        coverage_dates: &[("349", "20260331")],
        ..MemberSpec::new("024", "M-1", "LEE", "ANN")
    };
    let p = change(&[dated]);
    let (_, category, spans) = only(&p);
    assert_eq!(category, Category::Terminated);
    assert_eq!(
        spans,
        vec![SpanChange::Update {
            id: AttributionId(10),
            old_start: d("2026-01-01"),
            old_end: None,
            start: d("2026-01-01"),
            end: Some(d("2026-03-31")),
        }]
    );
    assert!(!p.plan.changes[0].retroactive);
    let retro = MemberSpec {
        coverage_dates: &[("349", "20260131")],
        ..MemberSpec::new("024", "M-1", "LEE", "ANN")
    };
    let p = change(&[retro]);
    assert!(
        p.plan.changes[0].retroactive,
        "ends before the day before --as-of"
    );
    assert!(p.plan.clawed_back().cents() > 0);
    let undated = change(&[MemberSpec::new("024", "M-1", "LEE", "ANN")]);
    let (_, category, spans) = only(&undated);
    assert_eq!(category, Category::Terminated);
    assert_eq!(
        spans,
        vec![SpanChange::Update {
            id: AttributionId(10),
            old_start: d("2026-01-01"),
            old_end: None,
            start: d("2026-01-01"),
            end: Some(d("2026-03-14")),
        }]
    );
    assert_eq!(undated.plan.changes[0].line, Some(7), "the INS segment");
    // An attribution that had not begun is withdrawn, with or without a date before it.
    let not_begun = change(&[MemberSpec::new("024", "M-3", "YOUNG", "CY")]);
    assert!(matches!(
        only(&not_begun).2[..],
        [SpanChange::Withdraw { .. }]
    ));
    let before_begin = MemberSpec {
        coverage_dates: &[("349", "20260320")],
        ..MemberSpec::new("024", "M-3", "YOUNG", "CY")
    };
    assert!(matches!(
        only(&change(&[before_begin])).2[..],
        [SpanChange::Withdraw { .. }]
    ));
}

#[test]
fn a_termination_with_nothing_to_end_leaves_the_member_alone() {
    let already = MemberSpec {
        coverage_dates: &[("349", "20260228")],
        ..MemberSpec::new("024", "M-2", "DIAZ", "BO")
    };
    for p in [
        change(&[MemberSpec::new("024", "M-2", "DIAZ", "BO")]),
        change(&[already]),
        change(&[MemberSpec::new("024", "M-4", "NG", "DI")]),
        change(&[MemberSpec::new("024", "M-77", "NEW", "NO")]),
    ] {
        assert!(p.plan.is_noop(), "{:?}", p.plan.changes);
        assert!(p.problems.is_empty());
        assert_eq!(p.summary.left_alone, 1);
        assert_eq!(p.summary.terminations, 1);
    }
}

#[test]
fn an_audit_changes_nothing() {
    let p = change(&[
        MemberSpec::new("030", "M-1", "LEE", "ANNA"),
        MemberSpec::new("030", "M-77", "NEW", "NO"),
    ]);
    assert!(p.plan.is_noop());
    assert_eq!(p.summary.audits, 2);
}

#[test]
fn a_change_file_leaves_unlisted_members_alone_and_a_full_file_ends_them() {
    let listed = [MemberSpec::new("030", "M-1", "LEE", "ANN")];
    assert!(change(&listed).plan.is_noop());
    let e = read_ok(&sample::file("4", &listed));
    let full = plan(&e, &practice(), &contract(), d(AS_OF), None);
    assert!(full.problems.is_empty(), "{:?}", full.problems);
    assert_eq!(full.plan.count(Category::Continuing), 1);
    let ended: Vec<&str> = full
        .plan
        .changes
        .iter()
        .filter(|c| c.category == Category::Terminated)
        .map(|c| c.member_id.as_str())
        .collect();
    assert_eq!(
        ended,
        ["M-3"],
        "M-3's April attribution is withdrawn; M-2 had already ended"
    );
    assert_eq!(
        full.plan.members.len(),
        1,
        "a full file is recorded as given"
    );
}

#[test]
fn a_change_file_is_recorded_as_the_whole_roster_after_it() {
    let previous = [
        RosterMember {
            member_id: "M-1".into(),
            start: None,
            end: None,
        },
        RosterMember {
            member_id: "M-2".into(),
            start: Some(d("2025-06-01")),
            end: None,
        },
        RosterMember {
            member_id: "M-5".into(),
            start: Some(d("2026-01-01")),
            end: None,
        },
    ];
    let e = read_ok(&sample::file(
        "2",
        &[
            MemberSpec::new("024", "M-2", "DIAZ", "BO"),
            MemberSpec {
                coverage_dates: &[("348", "20260310")],
                ..MemberSpec::new("021", "M-9", "PARK", "EVE")
            },
            MemberSpec {
                coverage_dates: &[("349", "20260630")],
                ..MemberSpec::new("001", "M-5", "FOX", "AL")
            },
            MemberSpec::new("030", "M-1", "LEE", "ANN"),
        ],
    ));
    let p = plan(
        &e,
        &practice(),
        &contract(),
        d(AS_OF),
        Some((d("2026-03-01"), &previous)),
    );
    let roster: Vec<(&str, Option<NaiveDate>, Option<NaiveDate>)> = p
        .plan
        .members
        .iter()
        .map(|m| (m.member_id.as_str(), m.start, m.end))
        .collect();
    assert_eq!(
        roster,
        [
            ("M-1", Some(d("2026-03-01")), None),
            ("M-2", Some(d("2025-06-01")), Some(d("2026-03-14"))),
            ("M-5", Some(d("2026-01-01")), Some(d("2026-06-30"))),
            ("M-9", Some(d("2026-03-10")), None),
        ]
    );
}
