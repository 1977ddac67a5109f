//! The 834's content, segment by segment inside each transaction set: BGN (reference, date,
//! full or change file) and the member loops — 2000 (INS, REF*0F, DTP), 2100A (NM1*IL, DMG),
//! 2300 (HD and its DTPs) — each in the loop it belongs to. Segments caseload does not use are
//! passed over; one it reads that stands outside its loop refuses the file. What each segment
//! gives a member is `member`'s; this file knows nothing of the envelope's counts or the practice.

use super::member::{Draft, Qualifier, ccyymmdd, shown, text};
use super::tokens::{Segment, Separators};
use super::{Enrollment, Kind, Member, Refusal};
use crate::domain::csvfile::LineProblem;
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
        self.draft = Some(Draft::open(segment));
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
        if let Some(draft) = self.draft.as_mut() {
            draft.member_id(segment, &mut self.first_seen);
        }
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
        if let Some(draft) = self.draft.as_mut() {
            draft.date(segment, q, level == Level::Coverage);
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
                if let Some(draft) = self.draft.as_mut() {
                    draft.name(segment);
                }
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
        match self.draft.as_mut() {
            Some(draft) => draft.dob(segment, self.today),
            None => Ok(()),
        }
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
                    draft.coverage();
                }
                self.level = Level::Coverage;
                Ok(())
            }
        }
    }

    /// Closes the member loop being read: a member, or its problems.
    fn finish_member(&mut self) {
        match self.draft.take().map(Draft::finish) {
            None => {}
            Some(Ok(member)) => self.members.push(member),
            Some(Err(mut bad)) => self.problems.append(&mut bad),
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
