//! The tokeniser and the envelope at their edges: separators from the ISA (unusual ones,
//! unpadded ISAs, line breaks, a byte order mark), elements and components read in place, and
//! the counts and control numbers of SE, GE and IEA.

use super::sample::{self, ann, bo, read_ok, refused, two_members};
use super::*;

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
