//! ANSI X12 834 benefit enrollment files (implementation guide 005010X220A1) read into members:
//! the separators the ISA declares, the envelope and its counts, BGN, and the member loops
//! (2000 INS/REF*0F/DTP, 2100A NM1*IL/DMG, 2300 HD/DTP). Pure: bytes in, an enrollment or a
//! refusal naming the segment out; no file system, database or clock. How the members become a
//! roster plan is [`plan`]'s; the comparison itself stays `roster_plan`'s.
//!
//! Written here rather than taken from a crate: the X12 crates on crates.io either fix the
//! separators to `*` and `~` or are licensed GPL, and the part of the guide caseload needs is
//! small.

mod envelope;
mod member;
mod members;
pub mod plan;
pub mod tokens;

use crate::domain::csvfile::LineProblem;
use chrono::NaiveDate;
use std::fmt;

pub use plan::{Planned, Summary, plan};
pub use tokens::{Separators, looks_like_x12};

/// Why a file cannot be read at all: the segment (counting the ISA as 1) and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub segment: u64,
    /// The segment's id (`SE`, `NM1`), when there is one to name.
    pub id: Option<String>,
    pub message: String,
}

impl Refusal {
    pub fn new(segment: u64, id: Option<&str>, message: impl Into<String>) -> Refusal {
        Refusal {
            segment,
            id: id.map(crate::domain::text::sanitize),
            message: message.into(),
        }
    }

    /// A refusal of `segment`, named by its id.
    pub(crate) fn at(segment: &tokens::Segment, message: impl Into<String>) -> Refusal {
        Refusal::new(segment.number, Some(&segment.name()), message)
    }
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.id {
            Some(id) => write!(f, "segment {} ({id}): {}", self.segment, self.message),
            None => write!(f, "segment {}: {}", self.segment, self.message),
        }
    }
}

impl std::error::Error for Refusal {}

/// INS03: what a change file does to the member.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Maintenance {
    /// `001`: the member's details (name, date of birth, dates) change.
    Change,
    /// `021`: the member is added.
    Addition,
    /// `024`: the member's coverage ends (cancellation or termination).
    Termination,
    /// `025`: the member is enrolled again.
    Reinstatement,
    /// `030`: an audit record: the member as the payer has them; nothing changes.
    Audit,
}

impl Maintenance {
    pub fn parse(code: &str) -> Option<Maintenance> {
        Some(match code {
            "001" => Maintenance::Change,
            "021" => Maintenance::Addition,
            "024" => Maintenance::Termination,
            "025" => Maintenance::Reinstatement,
            "030" => Maintenance::Audit,
            _ => return None,
        })
    }

    pub fn code(self) -> &'static str {
        match self {
            Maintenance::Change => "001",
            Maintenance::Addition => "021",
            Maintenance::Termination => "024",
            Maintenance::Reinstatement => "025",
            Maintenance::Audit => "030",
        }
    }
}

/// BGN08: what the file is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `4` (verify) or `RX` (replace): the whole membership, read like a CSV roster.
    Full,
    /// `2` (change): only the members it lists change.
    Change,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Full => "full",
            Kind::Change => "change",
        }
    }
}

/// One member loop (2000) as the file gives it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    /// The INS segment that opens the loop.
    pub segment: u64,
    pub maintenance: Maintenance,
    /// REF*0F.
    pub member_id: String,
    /// NM104 then NM103 ("Ann Lee"); empty when the file gives no name.
    pub name: String,
    /// DMG02 (DMG01 = D8).
    pub dob: Option<NaiveDate>,
    /// The benefit begin (DTP*348), else the eligibility begin (DTP*356).
    pub start: Option<NaiveDate>,
    /// The benefit end (DTP*349), else the eligibility end (DTP*357); a date in the year 9999
    /// is kept as given (it means no end).
    pub end: Option<NaiveDate>,
}

/// A whole 834: its BGN and its members, and every problem of the members that could not be
/// read (each by its segment).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Enrollment {
    /// BGN02: the file's reference number.
    pub reference: String,
    /// BGN03: the date the file was made.
    pub date: NaiveDate,
    /// BGN08 as written (`4`, `RX`, `2`).
    pub action: String,
    pub kind: Kind,
    pub separators: Separators,
    pub members: Vec<Member>,
    pub problems: Vec<LineProblem>,
}

/// Reads an 834. A file that cannot be read (no ISA, a wrong count or control number, a
/// segment caseload reads standing outside its loop, an impossible BGN date) is a [`Refusal`];
/// problems with members (no REF*0F, an impossible date, a name or id holding a control
/// character, a duplicate id) are collected, every one, in `problems`.
pub fn read(bytes: &[u8], today: NaiveDate) -> Result<Enrollment, Refusal> {
    let separators = tokens::separators(bytes)?;
    let mut envelope = envelope::Envelope::new();
    let mut reader = members::Reader::new(today);
    let mut last = 0;
    for segment in tokens::segments(bytes, separators) {
        last = segment.number;
        if !tokens::is_segment_id(segment.id()) {
            let shown: String = crate::domain::text::sanitize(&segment.name())
                .chars()
                .take(12)
                .collect();
            return Err(Refusal::new(
                segment.number,
                None,
                format!(
                    "'{shown}' is not a segment id (two or three capital letters or digits); is the file cut, or its separators not the ones its ISA declares?"
                ),
            ));
        }
        match envelope.feed(&segment)? {
            envelope::Place::Envelope => {}
            envelope::Place::Opened => reader.open(&segment),
            envelope::Place::Inside => reader.feed(&segment)?,
            envelope::Place::Closed => reader.close(&segment)?,
        }
    }
    envelope.finish(last)?;
    reader.finish(separators)
}

#[cfg(test)]
mod plan_tests;
#[cfg(test)]
mod props;
#[cfg(test)]
pub(crate) mod sample;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod tokens_tests;
