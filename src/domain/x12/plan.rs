//! An 834 turned into a roster plan (SPEC section 13): a full file (BGN08 `4` or `RX`) is read
//! as a CSV roster is; a change file (BGN08 `2`) changes only the members it lists, each as its
//! INS03 maintenance code says. Pure: the practice and the previous roster come in as facts, and
//! the comparison itself is `roster_plan`'s, so both kinds of file give the same plan a CSV does.
//!
//! In a change file:
//! - `021` addition and `025` reinstatement: the member is listed as in a roster (from the
//!   benefit begin, else from `--as-of`; to the benefit end, else open).
//! - `001` change: the name, date of birth and any date given change; a date not given keeps the
//!   member's current one (a change that gives only a new name moves no date).
//! - `024` termination: the attribution ends on the DTP's end date, or, without one, the day
//!   before `--as-of` (one that had not begun is withdrawn), as for a member absent from a whole
//!   roster. A termination only ends: a member not attributed to the contract, or whose
//!   attribution already ends by then, is left alone.
//! - `030` audit: nothing changes.
//!
//! The roster recorded for reconciliation is the whole membership after the file: the previous
//! roster with the change file's members put in, so the member months the payer implies stay
//! those of everyone, not only of the members one change file lists.

use super::{Enrollment, Kind, Maintenance, Member};
use crate::domain::Contract;
use crate::domain::csvfile::LineProblem;
use crate::domain::roster::{RosterRow, is_open_end};
use crate::domain::roster_plan::{self, Current, Reading, RosterMember, RosterPlan, Scope};
use chrono::NaiveDate;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};

/// What the file's members say, by maintenance code, and how many terminations found nothing
/// to end.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    pub additions: usize,
    pub changes: usize,
    pub reinstatements: usize,
    pub terminations: usize,
    pub audits: usize,
    /// Terminations (in a change file) of members not attributed to the contract, or whose
    /// attribution already ends by the date given: nothing to end.
    pub left_alone: usize,
}

/// The plan for an 834, its problems (by segment), and what its members said.
#[derive(Debug, Clone)]
pub struct Planned {
    pub plan: RosterPlan,
    pub problems: Vec<LineProblem>,
    pub summary: Summary,
}

/// A member as a roster row, its dates as given (a year-9999 end is no end).
fn row(m: &Member, start: Option<NaiveDate>, end: Option<NaiveDate>) -> RosterRow {
    RosterRow {
        line: m.segment,
        member_id: m.member_id.clone(),
        name: m.name.clone(),
        dob: m.dob,
        start,
        end: end.filter(|e| !is_open_end(*e)),
    }
}

fn count(members: &[Member]) -> Summary {
    let mut s = Summary::default();
    for m in members {
        match m.maintenance {
            Maintenance::Addition => s.additions += 1,
            Maintenance::Change => s.changes += 1,
            Maintenance::Reinstatement => s.reinstatements += 1,
            Maintenance::Termination => s.terminations += 1,
            Maintenance::Audit => s.audits += 1,
        }
    }
    s
}

/// Plans an 834 against the practice. `previous` is the last roster recorded for the contract
/// on or before `as_of` (its date and members); a change file's recorded roster starts from it.
pub fn plan(
    enrollment: &Enrollment,
    current: &Current,
    contract: &Contract,
    as_of: NaiveDate,
    previous: Option<(NaiveDate, &[RosterMember])>,
) -> Planned {
    let mut summary = count(&enrollment.members);
    let reading = |scope| Reading {
        scope,
        ignore_name_case: true,
    };
    if enrollment.kind == Kind::Full {
        let rows: Vec<RosterRow> = enrollment
            .members
            .iter()
            .map(|m| row(m, m.start, m.end))
            .collect();
        let (plan, problems) =
            roster_plan::plan_with(&rows, current, contract, as_of, reading(Scope::Whole));
        return Planned {
            plan,
            problems,
            summary,
        };
    }
    let mut rows = Vec::new();
    let mut terminate: HashMap<String, u64> = HashMap::new();
    for m in &enrollment.members {
        let spans = current
            .by_member
            .get(&m.member_id)
            .map_or(&[][..], |k| k.spans.as_slice());
        let latest = spans.last();
        match m.maintenance {
            Maintenance::Addition | Maintenance::Reinstatement => rows.push(row(m, m.start, m.end)),
            Maintenance::Change => {
                let start = m.start.or(latest.map(|l| l.start));
                let end = match m.end {
                    Some(e) => Some(e),
                    None => latest.and_then(|l| l.end),
                };
                rows.push(row(m, start, end));
            }
            Maintenance::Termination => match m.end.filter(|e| !is_open_end(*e)) {
                None if spans.iter().any(|s| s.end.is_none_or(|e| e >= as_of)) => {
                    terminate.insert(m.member_id.clone(), m.segment);
                }
                // Ended before an attribution that has not begun: it never begins.
                Some(end) if latest.is_some_and(|l| end < l.start && l.start >= as_of) => {
                    terminate.insert(m.member_id.clone(), m.segment);
                }
                Some(end) if latest.is_some_and(|l| l.end.is_none_or(|e| e > end)) => {
                    rows.push(row(m, m.start, Some(end)));
                }
                _ => summary.left_alone += 1,
            },
            Maintenance::Audit => {}
        }
    }
    let (mut plan, problems) = roster_plan::plan_with(
        &rows,
        current,
        contract,
        as_of,
        reading(Scope::Listed {
            terminate: &terminate,
        }),
    );
    plan.members = roster_after(previous, &enrollment.members, as_of);
    Planned {
        plan,
        problems,
        summary,
    }
}

/// The whole roster after a change file: the previous one (a member without an effective date
/// counts from that roster's date, as reconciliation reads it) with the file's members put in.
pub fn roster_after(
    previous: Option<(NaiveDate, &[RosterMember])>,
    members: &[Member],
    as_of: NaiveDate,
) -> Vec<RosterMember> {
    let mut roster: BTreeMap<String, RosterMember> = BTreeMap::new();
    if let Some((dated, earlier)) = previous {
        for m in earlier {
            roster.insert(
                m.member_id.clone(),
                RosterMember {
                    member_id: m.member_id.clone(),
                    start: m.start.or(Some(dated)),
                    end: m.end,
                },
            );
        }
    }
    let yesterday = as_of.pred_opt().unwrap_or(as_of);
    for m in members {
        let end = m.end.filter(|e| !is_open_end(*e));
        let given = RosterMember {
            member_id: m.member_id.clone(),
            start: m.start,
            end,
        };
        let old = roster.get(&m.member_id).cloned();
        let member = match (m.maintenance, old) {
            (Maintenance::Addition | Maintenance::Reinstatement, _) => given,
            (Maintenance::Change, Some(old)) => RosterMember {
                start: m.start.or(old.start),
                end: if m.end.is_some() { end } else { old.end },
                ..given
            },
            (Maintenance::Change, None) => given,
            (Maintenance::Termination, old) => RosterMember {
                start: m.start.or(old.and_then(|o| o.start)),
                end: Some(end.unwrap_or(yesterday)),
                ..given
            },
            (Maintenance::Audit, Some(old)) => old,
            (Maintenance::Audit, None) => given,
        };
        roster.insert(m.member_id.clone(), member);
    }
    roster.into_values().collect()
}
