//! The 834's content, segment by segment inside each transaction set: BGN (reference, date,
//! full or change file) and the member loops — 2000 (INS, REF*0F, DTP), 2100A (NM1*IL, DMG),
//! 2300 (HD and its DTPs) — each member checked as a CSV roster row is. Segments caseload does
//! not use are passed over; one it reads that stands outside its loop refuses the file. Knows
//! nothing of the envelope's counts or of the practice.

use super::tokens::{Segment, Separators};
use super::{Enrollment, Kind, Maintenance, Member, Refusal};
use crate::domain::csvfile::LineProblem;
use crate::domain::text::sanitize;
use crate::domain::validate::{self, NAME_MAX_CHARS};
use chrono::NaiveDate;
use std::collections::HashMap;

/// Where the reader stands inside a transaction set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Level {
    /// After ST: BGN must come next.
    Start,
    /// After BGN, before the first INS (REF*38, DTP*007, the 1000 loops' N1 …).
    Header,
    /// Loop 2000, after INS.
    Member,
    /// Loop 2100A, after NM1*IL.
    Name,
    /// Loops 2100B–2100H (an incorrect name, a mailing address, a responsible person …).
    OtherName,
    /// Loop 2300, after HD.
    Coverage,
    /// Loops 2310, 2320 and 2330 (provider, coordination of benefits): dates there are not the
    /// member's.
    UnderCoverage,
    /// Loop 2700 (LS … LE), the member's reporting categories.
    Reporting,
}

impl Level {
    fn in_member(self) -> bool {
        !matches!(self, Level::Start | Level::Header)
    }

    /// What the loop is called in a message.
    fn loop_name(self) -> &'static str {
        match self {
            Level::Start | Level::Header => "the header, before the first INS",
            Level::Member => "the member level (loop 2000)",
            Level::Name => "the member's name loop (2100A)",
            Level::OtherName => "a name loop after the member's own (2100B-2100H)",
            Level::Coverage => "a coverage loop (2300)",
            Level::UnderCoverage => "a provider or coordination-of-benefits loop (2310-2330)",
            Level::Reporting => "the reporting categories (loop 2700)",
        }
    }
}

/// Benefit dates of one coverage (or of the member level).
#[derive(Debug, Clone, Copy, Default)]
struct Dates {
    begin: Option<NaiveDate>,
    end: Option<NaiveDate>,
}

impl Dates {
    fn any(&self) -> bool {
        self.begin.is_some() || self.end.is_some()
    }

    fn set_begin(&mut self, d: NaiveDate) {
        self.begin = Some(self.begin.map_or(d, |b| b.min(d)));
    }

    fn set_end(&mut self, d: NaiveDate) {
        self.end = Some(self.end.map_or(d, |e| e.max(d)));
    }
}

/// A member loop being read.
#[derive(Debug)]
struct Draft {
    at: u64,
    maintenance: Option<Maintenance>,
    member_id: Option<(String, u64)>,
    name: Option<String>,
    dob: Option<NaiveDate>,
    /// DTP*348/349 at the member level.
    member_level: Dates,
    /// DTP*348/349 of each HD loop.
    coverages: Vec<Dates>,
    /// DTP*356/357.
    eligibility: Dates,
    bad: Vec<LineProblem>,
    dmg_seen: bool,
}

impl Draft {
    fn new(at: u64) -> Draft {
        Draft {
            at,
            maintenance: None,
            member_id: None,
            name: None,
            dob: None,
            member_level: Dates::default(),
            coverages: Vec::new(),
            eligibility: Dates::default(),
            bad: Vec::new(),
            dmg_seen: false,
        }
    }

    /// Start: the earliest benefit begin (any coverage), else the eligibility begin. End: the
    /// latest benefit end when every coverage with dates has one, else the eligibility end.
    fn span(&self) -> (Option<NaiveDate>, Option<NaiveDate>) {
        let benefit: Vec<&Dates> = std::iter::once(&self.member_level)
            .chain(&self.coverages)
            .filter(|d| d.any())
            .collect();
        let start = benefit
            .iter()
            .filter_map(|d| d.begin)
            .min()
            .or(self.eligibility.begin);
        let end = if !benefit.is_empty() && benefit.iter().all(|d| d.end.is_some()) {
            benefit.iter().filter_map(|d| d.end).max()
        } else {
            None
        }
        .or(self.eligibility.end);
        (start, end)
    }
}

/// The file's BGN.
#[derive(Debug, Clone)]
struct Header {
    reference: String,
    date: NaiveDate,
    action: String,
    kind: Kind,
}

pub(super) struct Reader {
    today: NaiveDate,
    header: Option<Header>,
    level: Level,
    draft: Option<Draft>,
    members: Vec<Member>,
    problems: Vec<LineProblem>,
    first_seen: HashMap<String, u64>,
    /// The first BGN, for the refusal of a full file without members.
    bgn_at: u64,
}

/// An element as trimmed text, or why it is not text.
fn text<'a>(segment: &Segment<'a>, n: usize) -> Result<&'a str, String> {
    std::str::from_utf8(segment.element(n))
        .map(str::trim)
        .map_err(|_| format!("{}{n:02} is not UTF-8 text", segment.name()))
}

/// An element for a message: sanitised and cut short.
fn shown(segment: &Segment, n: usize) -> String {
    let text = String::from_utf8_lossy(segment.element(n));
    let text = sanitize(text.trim());
    if text.chars().count() > 20 {
        format!("{}…", text.chars().take(20).collect::<String>())
    } else {
        text
    }
}

/// A CCYYMMDD date; an impossible one (20260230) is none, and so is one before 1900 (nothing
/// in a practice is older).
pub(super) fn ccyymmdd(text: &[u8]) -> Option<NaiveDate> {
    if text.len() != 8 || !text.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let year = text[..4]
        .iter()
        .fold(0i32, |n, d| n * 10 + i32::from(d - b'0'));
    if year < crate::domain::dates::EARLIEST_YEAR {
        return None;
    }
    let number = |r: std::ops::Range<usize>| {
        text[r]
            .iter()
            .fold(0u32, |n, d| n * 10 + u32::from(d - b'0'))
    };
    NaiveDate::from_ymd_opt(year, number(4..6), number(6..8))
}

/// What a DTP qualifier caseload reads stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Qualifier {
    BenefitBegin,
    BenefitEnd,
    EligibilityBegin,
    EligibilityEnd,
}

impl Qualifier {
    fn parse(code: &[u8]) -> Option<Qualifier> {
        Some(match code {
            b"348" => Qualifier::BenefitBegin,
            b"349" => Qualifier::BenefitEnd,
            b"356" => Qualifier::EligibilityBegin,
            b"357" => Qualifier::EligibilityEnd,
            _ => return None,
        })
    }

    fn is_begin(self) -> bool {
        matches!(self, Qualifier::BenefitBegin | Qualifier::EligibilityBegin)
    }
}

impl Reader {
    pub(super) fn new(today: NaiveDate) -> Reader {
        Reader {
            today,
            header: None,
            level: Level::Header,
            draft: None,
            members: Vec::new(),
            problems: Vec::new(),
            first_seen: HashMap::new(),
            bgn_at: 0,
        }
    }

    /// An ST: BGN must come next.
    pub(super) fn open(&mut self, _st: &Segment) {
        self.level = Level::Start;
    }

    /// An SE: the last member loop of the set is complete.
    pub(super) fn close(&mut self, se: &Segment) -> Result<(), Refusal> {
        if self.level == Level::Start {
            return Err(Refusal::at(
                se,
                "the transaction set has no BGN, the segment that says what the file is",
            ));
        }
        self.finish_member();
        self.level = Level::Header;
        Ok(())
    }

    /// A segment inside a transaction set.
    pub(super) fn feed(&mut self, segment: &Segment) -> Result<(), Refusal> {
        let id = segment.id();
        if self.level == Level::Start {
            if id != b"BGN" {
                return Err(Refusal::at(
                    segment,
                    "BGN, the beginning segment, must come right after ST",
                ));
            }
            return self.bgn(segment);
        }
        match id {
            b"BGN" => Err(Refusal::at(
                segment,
                "a second BGN in one transaction set (BGN comes once, right after ST)",
            )),
            b"INS" => {
                self.finish_member();
                self.ins(segment);
                Ok(())
            }
            b"REF" if segment.element(1) == b"0F" => self.ref_0f(segment),
            b"DTP" => match Qualifier::parse(segment.element(1)) {
                Some(q) => self.dtp(segment, q),
                None => Ok(()),
            },
            b"NM1" => self.nm1(segment),
            b"DMG" => self.dmg(segment),
            b"HD" => self.hd(segment),
            b"LX" | b"COB" if matches!(self.level, Level::Coverage | Level::UnderCoverage) => {
                self.level = Level::UnderCoverage;
                Ok(())
            }
            b"COB" if self.level.in_member() && self.level != Level::Reporting => {
                self.level = Level::UnderCoverage;
                Ok(())
            }
            b"LS" if self.level.in_member() => {
                self.level = Level::Reporting;
                Ok(())
            }
            _ => Ok(()),
        }
    }

    /// A segment caseload reads, found where it cannot stand.
    fn misplaced(&self, segment: &Segment, what: &str, belongs: &str) -> Refusal {
        Refusal::at(
            segment,
            format!(
                "{what} stands in {}; it belongs {belongs}",
                self.level.loop_name()
            ),
        )
    }

    fn bgn(&mut self, segment: &Segment) -> Result<(), Refusal> {
        let fatal = |message: String| Refusal::at(segment, message);
        let reference = text(segment, 2).map_err(fatal)?;
        if reference.is_empty() {
            return Err(fatal(
                "BGN02, the file's reference number, is empty".to_string(),
            ));
        }
        if reference.chars().count() > NAME_MAX_CHARS {
            return Err(fatal(format!(
                "BGN02, the file's reference number, is longer than {NAME_MAX_CHARS} characters"
            )));
        }
        validate::plain("BGN02 (the file's reference number)", reference).map_err(fatal)?;
        let date = ccyymmdd(segment.element(3)).ok_or_else(|| {
            fatal(format!(
                "BGN03 '{}' is not a real date (CCYYMMDD)",
                shown(segment, 3)
            ))
        })?;
        let action = text(segment, 8).map_err(fatal)?;
        let kind = match action {
            "4" | "RX" => Kind::Full,
            "2" => Kind::Change,
            _ => {
                return Err(fatal(format!(
                    "BGN08 '{}' is not an action caseload reads: 4 (verify) or RX (replace) for a full roster, 2 for a change file",
                    shown(segment, 8)
                )));
            }
        };
        match &self.header {
            None => {
                self.bgn_at = segment.number;
                self.header = Some(Header {
                    reference: reference.to_string(),
                    date,
                    action: action.to_string(),
                    kind,
                });
            }
            Some(first) if first.kind != kind => {
                return Err(fatal(format!(
                    "BGN08 '{action}' makes this transaction set a {} file but the file's first one (segment {}) is a {} file; caseload reads one kind per file",
                    kind.as_str(),
                    self.bgn_at,
                    first.kind.as_str()
                )));
            }
            Some(_) => {}
        }
        self.level = Level::Header;
        Ok(())
    }

    fn ins(&mut self, segment: &Segment) {
        let mut draft = Draft::new(segment.number);
        match text(segment, 3) {
            Ok(code) => match Maintenance::parse(code) {
                Some(m) => draft.maintenance = Some(m),
                None => draft.bad.push(LineProblem::new(
                    segment.number,
                    format!(
                        "INS03 '{}' is not a maintenance type code (001 change, 021 addition, 024 termination, 025 reinstatement, 030 audit)",
                        shown(segment, 3)
                    ),
                )),
            },
            Err(why) => draft.bad.push(LineProblem::new(segment.number, why)),
        }
        self.draft = Some(draft);
        self.level = Level::Member;
    }

    fn ref_0f(&mut self, segment: &Segment) -> Result<(), Refusal> {
        if self.level != Level::Member {
            return Err(self.misplaced(
                segment,
                "REF*0F (the subscriber identifier)",
                "in the member level (loop 2000), after INS and before NM1",
            ));
        }
        let Some(draft) = self.draft.as_mut() else {
            return Ok(());
        };
        let n = segment.number;
        if let Some((_, first)) = &draft.member_id {
            draft.bad.push(LineProblem::new(
                n,
                format!("a second REF*0F in one member loop (the first is segment {first})"),
            ));
            return Ok(());
        }
        let id = match text(segment, 2) {
            Ok(id) => id,
            Err(why) => {
                draft.bad.push(LineProblem::new(n, why));
                return Ok(());
            }
        };
        let problem = if id.is_empty() {
            Some("REF*0F gives no member id".to_string())
        } else if id.chars().count() > NAME_MAX_CHARS {
            Some(format!(
                "member id is longer than {NAME_MAX_CHARS} characters"
            ))
        } else if let Err(why) = validate::plain("member id", id) {
            Some(why)
        } else {
            self.first_seen.get(id).map(|first| {
                format!(
                    "member id '{}' is listed twice (first at segment {first}); caseload reads one member loop per REF*0F",
                    sanitize(id)
                )
            })
        };
        match problem {
            Some(why) => draft.bad.push(LineProblem::new(n, why)),
            None => {
                self.first_seen.insert(id.to_string(), draft.at);
            }
        }
        draft.member_id = Some((id.to_string(), n));
        Ok(())
    }

    fn dtp(&mut self, segment: &Segment, q: Qualifier) -> Result<(), Refusal> {
        let what = format!("DTP*{}", String::from_utf8_lossy(segment.element(1)));
        let level = self.level;
        match level {
            Level::Member | Level::Coverage => {}
            Level::UnderCoverage | Level::Reporting => return Ok(()),
            Level::Start | Level::Header | Level::Name | Level::OtherName => {
                return Err(self.misplaced(
                    segment,
                    &what,
                    "in the member level (loop 2000, after INS) or a coverage loop (2300, after HD)",
                ));
            }
        }
        let Some(draft) = self.draft.as_mut() else {
            return Ok(());
        };
        let n = segment.number;
        let value = segment.element(3);
        let date = match segment.element(2) {
            b"D8" => ccyymmdd(value),
            b"RD8" => {
                let mut parts = value.split(|&b| b == b'-');
                let (first, second) = (parts.next(), parts.next());
                match (first, second, parts.next()) {
                    (Some(a), Some(b), None) => {
                        let (a, b) = (ccyymmdd(a), ccyymmdd(b));
                        if q.is_begin() {
                            a.filter(|_| b.is_some())
                        } else {
                            b.filter(|_| a.is_some())
                        }
                    }
                    _ => None,
                }
            }
            _ => {
                draft.bad.push(LineProblem::new(
                    n,
                    format!(
                        "{what} has date format '{}'; caseload reads D8 (CCYYMMDD) or RD8 (CCYYMMDD-CCYYMMDD)",
                        shown(segment, 2)
                    ),
                ));
                return Ok(());
            }
        };
        let Some(date) = date else {
            draft.bad.push(LineProblem::new(
                n,
                format!(
                    "{what} date '{}' is not a real date (CCYYMMDD, from 1900)",
                    shown(segment, 3)
                ),
            ));
            return Ok(());
        };
        let dates = match (q, level) {
            (Qualifier::EligibilityBegin | Qualifier::EligibilityEnd, _) => &mut draft.eligibility,
            (_, Level::Coverage) => match draft.coverages.last_mut() {
                Some(c) => c,
                None => &mut draft.member_level,
            },
            _ => &mut draft.member_level,
        };
        if q.is_begin() {
            dates.set_begin(date);
        } else {
            dates.set_end(date);
        }
        Ok(())
    }

    fn nm1(&mut self, segment: &Segment) -> Result<(), Refusal> {
        let is_member = segment.element(1) == b"IL";
        match (self.level, is_member) {
            (Level::Start | Level::Header, true) => Err(self.misplaced(
                segment,
                "NM1*IL (the member's name)",
                "in a member loop, after INS and REF*0F",
            )),
            (Level::Start | Level::Header, false) => Ok(()),
            (Level::Member, true) => {
                self.name(segment);
                self.level = Level::Name;
                Ok(())
            }
            (Level::Name, true) => Err(Refusal::at(
                segment,
                "a second NM1*IL in one member loop; each member has one name loop (2100A)",
            )),
            (Level::OtherName, true) => Err(Refusal::at(
                segment,
                "NM1*IL comes after another name loop (2100B-2100H); the member's own name (2100A) comes first",
            )),
            (Level::Coverage | Level::UnderCoverage | Level::Reporting, true) => Err(self
                .misplaced(
                    segment,
                    "NM1*IL (the member's name)",
                    "before the coverage loops (2300, HD): right after the member level",
                )),
            (Level::Member | Level::Name | Level::OtherName, false) => {
                self.level = Level::OtherName;
                Ok(())
            }
            (Level::Coverage, false) => {
                self.level = Level::UnderCoverage;
                Ok(())
            }
            (Level::UnderCoverage | Level::Reporting, false) => Ok(()),
        }
    }

    fn name(&mut self, segment: &Segment) {
        let Some(draft) = self.draft.as_mut() else {
            return;
        };
        let n = segment.number;
        let (last, first) = match (text(segment, 3), text(segment, 4)) {
            (Ok(last), Ok(first)) => (last, first),
            (Err(why), _) | (_, Err(why)) => {
                draft.bad.push(LineProblem::new(n, why));
                return;
            }
        };
        let name = [first, last]
            .iter()
            .filter(|p| !p.is_empty())
            .copied()
            .collect::<Vec<_>>()
            .join(" ");
        if name.chars().count() > NAME_MAX_CHARS {
            draft.bad.push(LineProblem::new(
                n,
                format!("name is longer than {NAME_MAX_CHARS} characters"),
            ));
        } else if let Err(why) = validate::plain("name", &name) {
            draft.bad.push(LineProblem::new(n, why));
        }
        draft.name = Some(name);
    }

    fn dmg(&mut self, segment: &Segment) -> Result<(), Refusal> {
        match self.level {
            Level::Name => {}
            Level::OtherName => return Ok(()),
            _ => {
                return Err(self.misplaced(
                    segment,
                    "DMG (the member's date of birth)",
                    "in the member's name loop, after NM1*IL",
                ));
            }
        }
        let Some(draft) = self.draft.as_mut() else {
            return Ok(());
        };
        let n = segment.number;
        if draft.dmg_seen {
            return Err(Refusal::at(
                segment,
                "a second DMG in the member's name loop (2100A)",
            ));
        }
        draft.dmg_seen = true;
        let format = segment.element(1);
        let value = segment.element(2);
        if format.is_empty() && value.is_empty() {
            return Ok(());
        }
        if format != b"D8" {
            draft.bad.push(LineProblem::new(
                n,
                format!(
                    "DMG01 is '{}'; the date of birth must be given as D8 (CCYYMMDD)",
                    shown(segment, 1)
                ),
            ));
            return Ok(());
        }
        match ccyymmdd(value) {
            None => draft.bad.push(LineProblem::new(
                n,
                format!(
                    "date of birth '{}' (DMG02) is not a real date (CCYYMMDD)",
                    shown(segment, 2)
                ),
            )),
            Some(dob) if dob > self.today => draft.bad.push(LineProblem::new(
                n,
                format!("date of birth {dob} is after today ({})", self.today),
            )),
            Some(dob) => draft.dob = Some(dob),
        }
        Ok(())
    }

    fn hd(&mut self, segment: &Segment) -> Result<(), Refusal> {
        match self.level {
            Level::Start | Level::Header => Err(self.misplaced(
                segment,
                "HD (a coverage)",
                "in a member loop, after INS and the member's name",
            )),
            Level::Reporting => Err(self.misplaced(
                segment,
                "HD (a coverage)",
                "before the reporting categories (LS … LE), which close the member loop",
            )),
            _ => {
                if let Some(draft) = self.draft.as_mut() {
                    draft.coverages.push(Dates::default());
                }
                self.level = Level::Coverage;
                Ok(())
            }
        }
    }

    /// Closes the member loop being read: a member, or its problems.
    fn finish_member(&mut self) {
        let Some(mut draft) = self.draft.take() else {
            return;
        };
        let (start, end) = draft.span();
        if let (Some(s), Some(e)) = (start, end)
            && e < s
        {
            draft.bad.push(LineProblem::new(
                draft.at,
                format!("the member's coverage ends ({e}) before it begins ({s})"),
            ));
        }
        let member_id = match &draft.member_id {
            Some((id, _)) => id.clone(),
            None => {
                draft.bad.push(LineProblem::new(
                    draft.at,
                    "the member loop has no REF*0F, the subscriber identifier caseload uses as the member id",
                ));
                String::new()
            }
        };
        match (draft.bad.is_empty(), draft.maintenance) {
            (true, Some(maintenance)) => self.members.push(Member {
                segment: draft.at,
                maintenance,
                member_id,
                name: draft.name.unwrap_or_default(),
                dob: draft.dob,
                start,
                end,
            }),
            _ => self.problems.append(&mut draft.bad),
        }
    }

    /// The whole file read.
    pub(super) fn finish(mut self, separators: Separators) -> Result<Enrollment, Refusal> {
        self.finish_member();
        let Some(header) = self.header else {
            return Err(Refusal::new(
                1,
                None,
                "the interchange holds no 834 transaction set",
            ));
        };
        if header.kind == Kind::Full && self.members.is_empty() && self.problems.is_empty() {
            return Err(Refusal::new(
                self.bgn_at,
                Some("BGN"),
                "a full roster (BGN08 4 or RX) that lists no members; an empty roster would end every attribution, so it is not applied",
            ));
        }
        self.problems.sort_by_key(|p| p.line);
        Ok(Enrollment {
            reference: header.reference,
            date: header.date,
            action: header.action,
            kind: header.kind,
            separators,
            members: self.members,
            problems: self.problems,
        })
    }
}
