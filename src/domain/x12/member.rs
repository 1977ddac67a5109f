//! One 834 member loop as it is read: the fields each segment gives (INS03, REF*0F, the DTP
//! dates, NM1*IL's name, DMG's date of birth), checked as a CSV roster row is and collected with
//! their segment numbers, then turned into a [`Member`] or its problems. Knows nothing of where
//! a segment may stand; `members` decides that.

use super::tokens::Segment;
use super::{Maintenance, Member, Refusal};
use crate::domain::csvfile::LineProblem;
use crate::domain::text::sanitize;
use crate::domain::validate::{self, NAME_MAX_CHARS};
use chrono::NaiveDate;
use std::collections::HashMap;

/// An element as trimmed text, or why it is not text.
pub(super) fn text<'a>(segment: &Segment<'a>, n: usize) -> Result<&'a str, String> {
    std::str::from_utf8(segment.element(n))
        .map(str::trim)
        .map_err(|_| format!("{}{n:02} is not UTF-8 text", segment.name()))
}

/// An element for a message: sanitised and cut short.
pub(super) fn shown(segment: &Segment, n: usize) -> String {
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
    let number = |r: std::ops::Range<usize>| {
        text[r]
            .iter()
            .fold(0u32, |n, d| n * 10 + u32::from(d - b'0'))
    };
    let year = number(0..4) as i32;
    if year < crate::domain::dates::EARLIEST_YEAR {
        return None;
    }
    NaiveDate::from_ymd_opt(year, number(4..6), number(6..8))
}

/// What a DTP qualifier caseload reads stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Qualifier {
    BenefitBegin,
    BenefitEnd,
    EligibilityBegin,
    EligibilityEnd,
}

impl Qualifier {
    pub(super) fn parse(code: &[u8]) -> Option<Qualifier> {
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

    fn is_eligibility(self) -> bool {
        matches!(
            self,
            Qualifier::EligibilityBegin | Qualifier::EligibilityEnd
        )
    }
}

/// Begin and end dates of one coverage (or of the member level, or of eligibility).
#[derive(Debug, Clone, Copy, Default)]
struct Dates {
    begin: Option<NaiveDate>,
    end: Option<NaiveDate>,
}

impl Dates {
    fn any(&self) -> bool {
        self.begin.is_some() || self.end.is_some()
    }

    fn set(&mut self, q: Qualifier, d: NaiveDate) {
        if q.is_begin() {
            self.begin = Some(self.begin.map_or(d, |b| b.min(d)));
        } else {
            self.end = Some(self.end.map_or(d, |e| e.max(d)));
        }
    }
}

/// A member loop being read.
#[derive(Debug)]
pub(super) struct Draft {
    /// The INS segment.
    at: u64,
    maintenance: Option<Maintenance>,
    member_id: Option<(String, u64)>,
    name: Option<String>,
    dob: Option<NaiveDate>,
    dmg_seen: bool,
    /// DTP*348/349 at the member level.
    member_level: Dates,
    /// DTP*348/349 of each HD loop.
    coverages: Vec<Dates>,
    /// DTP*356/357.
    eligibility: Dates,
    bad: Vec<LineProblem>,
}

impl Draft {
    /// A member loop opened by `ins`, with its maintenance type code (INS03).
    pub(super) fn open(ins: &Segment) -> Draft {
        let mut draft = Draft {
            at: ins.number,
            maintenance: None,
            member_id: None,
            name: None,
            dob: None,
            dmg_seen: false,
            member_level: Dates::default(),
            coverages: Vec::new(),
            eligibility: Dates::default(),
            bad: Vec::new(),
        };
        match text(ins, 3) {
            Ok(code) => match Maintenance::parse(code) {
                Some(m) => draft.maintenance = Some(m),
                None => draft.problem(
                    ins,
                    format!(
                        "INS03 '{}' is not a maintenance type code (001 change, 021 addition, 024 termination, 025 reinstatement, 030 audit)",
                        shown(ins, 3)
                    ),
                ),
            },
            Err(why) => draft.problem(ins, why),
        }
        draft
    }

    fn problem(&mut self, segment: &Segment, message: impl Into<String>) {
        self.bad.push(LineProblem::new(segment.number, message));
    }

    /// REF*0F: the member id, checked as a CSV roster's (`first_seen`: the ids read so far, by
    /// the INS of their loop).
    pub(super) fn member_id(&mut self, segment: &Segment, first_seen: &mut HashMap<String, u64>) {
        if let Some((_, first)) = &self.member_id {
            let why = format!("a second REF*0F in one member loop (the first is segment {first})");
            self.problem(segment, why);
            return;
        }
        let id = match text(segment, 2) {
            Ok(id) => id,
            Err(why) => return self.problem(segment, why),
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
            first_seen.get(id).map(|first| {
                format!(
                    "member id '{}' is listed twice (first at segment {first}); caseload reads one member loop per REF*0F",
                    sanitize(id)
                )
            })
        };
        match problem {
            Some(why) => self.problem(segment, why),
            None => {
                first_seen.insert(id.to_string(), self.at);
            }
        }
        self.member_id = Some((id.to_string(), segment.number));
    }

    /// A DTP caseload reads: D8, or RD8 (its first day for a begin, its last for an end). At the
    /// member level unless `in_coverage` (the last HD loop's).
    pub(super) fn date(&mut self, segment: &Segment, q: Qualifier, in_coverage: bool) {
        let what = format!("DTP*{}", String::from_utf8_lossy(segment.element(1)));
        let value = segment.element(3);
        let date = match segment.element(2) {
            b"D8" => ccyymmdd(value),
            b"RD8" => {
                let mut parts = value.split(|&b| b == b'-');
                match (parts.next(), parts.next(), parts.next()) {
                    (Some(a), Some(b), None) => match (ccyymmdd(a), ccyymmdd(b)) {
                        (Some(a), Some(b)) => Some(if q.is_begin() { a } else { b }),
                        _ => None,
                    },
                    _ => None,
                }
            }
            _ => {
                let why = format!(
                    "{what} has date format '{}'; caseload reads D8 (CCYYMMDD) or RD8 (CCYYMMDD-CCYYMMDD)",
                    shown(segment, 2)
                );
                return self.problem(segment, why);
            }
        };
        let Some(date) = date else {
            let why = format!(
                "{what} date '{}' is not a real date (CCYYMMDD, from 1900)",
                shown(segment, 3)
            );
            return self.problem(segment, why);
        };
        let dates = if q.is_eligibility() {
            &mut self.eligibility
        } else if in_coverage && let Some(c) = self.coverages.last_mut() {
            c
        } else {
            &mut self.member_level
        };
        dates.set(q, date);
    }

    /// NM1*IL: "First Last" from NM104 and NM103.
    pub(super) fn name(&mut self, segment: &Segment) {
        let (last, first) = match (text(segment, 3), text(segment, 4)) {
            (Ok(last), Ok(first)) => (last, first),
            (Err(why), _) | (_, Err(why)) => return self.problem(segment, why),
        };
        let name = [first, last]
            .iter()
            .filter(|p| !p.is_empty())
            .copied()
            .collect::<Vec<_>>()
            .join(" ");
        if name.chars().count() > NAME_MAX_CHARS {
            self.problem(
                segment,
                format!("name is longer than {NAME_MAX_CHARS} characters"),
            );
        } else if let Err(why) = validate::plain("name", &name) {
            self.problem(segment, why);
        }
        self.name = Some(name);
    }

    /// DMG: the date of birth (DMG01 = D8, DMG02), not after `today`.
    pub(super) fn dob(&mut self, segment: &Segment, today: NaiveDate) -> Result<(), Refusal> {
        if self.dmg_seen {
            return Err(Refusal::at(
                segment,
                "a second DMG in the member's name loop (2100A)",
            ));
        }
        self.dmg_seen = true;
        let (format, value) = (segment.element(1), segment.element(2));
        if format.is_empty() && value.is_empty() {
            return Ok(());
        }
        if format != b"D8" {
            let why = format!(
                "DMG01 is '{}'; the date of birth must be given as D8 (CCYYMMDD)",
                shown(segment, 1)
            );
            self.problem(segment, why);
            return Ok(());
        }
        match ccyymmdd(value) {
            None => {
                let why = format!(
                    "date of birth '{}' (DMG02) is not a real date (CCYYMMDD)",
                    shown(segment, 2)
                );
                self.problem(segment, why);
            }
            Some(dob) if dob > today => {
                self.problem(
                    segment,
                    format!("date of birth {dob} is after today ({today})"),
                );
            }
            Some(dob) => self.dob = Some(dob),
        }
        Ok(())
    }

    /// HD: a coverage loop begins.
    pub(super) fn coverage(&mut self) {
        self.coverages.push(Dates::default());
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

    /// The loop is complete: the member, or every problem found in it.
    pub(super) fn finish(mut self) -> Result<Member, Vec<LineProblem>> {
        let (start, end) = self.span();
        if let (Some(s), Some(e)) = (start, end)
            && e < s
        {
            self.bad.push(LineProblem::new(
                self.at,
                format!("the member's coverage ends ({e}) before it begins ({s})"),
            ));
        }
        let Some((member_id, _)) = self.member_id else {
            self.bad.push(LineProblem::new(
                self.at,
                "the member loop has no REF*0F, the subscriber identifier caseload uses as the member id",
            ));
            return Err(self.bad);
        };
        match (self.bad.is_empty(), self.maintenance) {
            (true, Some(maintenance)) => Ok(Member {
                segment: self.at,
                maintenance,
                member_id,
                name: self.name.unwrap_or_default(),
                dob: self.dob,
                start,
                end,
            }),
            _ => Err(self.bad),
        }
    }
}
