//! Test 834s built as the implementation guide lays them out, with the envelope's counts worked
//! out, in `*` `~` form or with any separators, and the helpers the reader's tests share. For
//! tests only.

use super::{Enrollment, read};
use chrono::NaiveDate;

/// The ISA of the test files: 106 characters, `*` between elements, `^` repetition, `:`
/// component, `~` after.
pub const ISA: &str = "ISA*00*          *00*          *ZZ*HARBORPLAN     *ZZ*PRACTICE       *260225*1200*^*00501*000000905*0*P*:~";

/// One member loop: INS (INS03 `code`), REF*0F, member-level DTPs, NM1*IL, DMG, one HD with
/// its DTPs. `None` leaves a part out.
pub struct MemberSpec<'a> {
    pub code: &'a str,
    pub id: Option<&'a str>,
    pub last: &'a str,
    pub first: &'a str,
    pub dob: Option<&'a str>,
    /// DTPs at the member level (qualifier, CCYYMMDD).
    pub member_dates: &'a [(&'a str, &'a str)],
    /// DTPs in the HD loop.
    pub coverage_dates: &'a [(&'a str, &'a str)],
}

impl<'a> MemberSpec<'a> {
    pub fn new(code: &'a str, id: &'a str, last: &'a str, first: &'a str) -> MemberSpec<'a> {
        MemberSpec {
            code,
            id: Some(id),
            last,
            first,
            dob: None,
            member_dates: &[],
            coverage_dates: &[],
        }
    }

    pub fn segments(&self) -> Vec<String> {
        let mut s = vec![format!("INS*Y*18*{}*XN*A*E**FT", self.code)];
        if let Some(id) = self.id {
            s.push(format!("REF*0F*{id}"));
        }
        s.push("REF*1L*GRP-77".into());
        for (q, d) in self.member_dates {
            s.push(format!("DTP*{q}*D8*{d}"));
        }
        s.push(format!(
            "NM1*IL*1*{}*{}*Q***34*999001234",
            self.last, self.first
        ));
        s.push("N3*12 MAIN ST".into());
        s.push("N4*PORTLAND*OR*97201".into());
        if let Some(dob) = self.dob {
            s.push(format!("DMG*D8*{dob}*F"));
        }
        s.push(format!("HD*{}**MH*BH01*IND", self.code));
        for (q, d) in self.coverage_dates {
            s.push(format!("DTP*{q}*D8*{d}"));
        }
        s
    }
}

/// The segments between ST and SE: BGN (reference, date, BGN08), the sponsor and payer, then
/// `members`.
pub fn body(bgn08: &str, members: &[Vec<String>]) -> Vec<String> {
    let mut s = vec![
        format!("BGN*00*REF-0042*20260225*1200****{bgn08}"),
        "N1*P5*HARBOR EMPLOYER*FI*123456789".into(),
        "N1*IN*HARBOR PLAN*FI*987654321".into(),
    ];
    for m in members {
        s.extend(m.iter().cloned());
    }
    s
}

/// A whole interchange of one group holding one transaction set per entry of `sets`, in `*` `~`
/// form with a line break after each segment, counts and control numbers right.
pub fn interchange(sets: &[Vec<String>]) -> String {
    let mut out = vec![ISA.trim_end_matches('~').to_string()];
    out.push("GS*BE*HARBORPLAN*PRACTICE*20260225*1200*905*X*005010X220A1".into());
    for (i, set) in sets.iter().enumerate() {
        let control = format!("{:04}", i + 1);
        out.push(format!("ST*834*{control}*005010X220A1"));
        out.extend(set.iter().cloned());
        out.push(format!("SE*{}*{control}", set.len() + 2));
    }
    out.push(format!("GE*{}*905", sets.len()));
    out.push("IEA*1*000000905".into());
    let mut text = out.join("~\n");
    text.push_str("~\n");
    text
}

/// A one-set file of `members`.
pub fn file(bgn08: &str, members: &[MemberSpec]) -> String {
    let members: Vec<Vec<String>> = members.iter().map(MemberSpec::segments).collect();
    interchange(&[body(bgn08, &members)])
}

/// `text` with other separators: `*` → `element`, `:` in ISA16 → `component`, `^` in ISA11 →
/// `repetition`, and each `~\n` → `terminator` (the test files hold none of these in data).
pub fn with_separators(
    text: &str,
    element: char,
    component: char,
    repetition: char,
    terminator: &str,
) -> String {
    text.replace('^', &repetition.to_string())
        .replace('*', &element.to_string())
        .replace(":~", &format!("{component}~"))
        .replace("~\n", terminator)
}

// --- shared by the tests ---

pub fn d(s: &str) -> NaiveDate {
    crate::domain::parse_date(s).unwrap()
}

pub const TODAY: &str = "2026-11-23";

pub fn read_ok(text: &str) -> Enrollment {
    let e = read(text.as_bytes(), d(TODAY)).unwrap_or_else(|r| panic!("{r}\n{text}"));
    assert!(e.problems.is_empty(), "{:?}", e.problems);
    e
}

pub fn refused(text: &str) -> String {
    read(text.as_bytes(), d(TODAY))
        .err()
        .unwrap_or_else(|| panic!("should be refused:\n{text}"))
        .to_string()
}

pub fn problems(text: &str) -> Vec<String> {
    let e = read(text.as_bytes(), d(TODAY)).unwrap_or_else(|r| panic!("{r}"));
    e.problems
        .iter()
        .map(|p| format!("segment {}: {}", p.line, p.message))
        .collect()
}

pub fn ann() -> MemberSpec<'static> {
    MemberSpec {
        dob: Some("19800412"),
        coverage_dates: &[("348", "20260101")],
        ..MemberSpec::new("030", "M-1001", "LEE", "ANN")
    }
}

pub fn bo() -> MemberSpec<'static> {
    MemberSpec {
        dob: Some("19751102"),
        member_dates: &[("356", "20260201")],
        ..MemberSpec::new("030", "M-1002", "DIAZ", "BO")
    }
}

pub fn two_members() -> String {
    file("4", &[ann(), bo()])
}
