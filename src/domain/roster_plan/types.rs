//! The roster plan's types: the practice's attributions as the plan reads them, what each
//! member's change is (with the revenue it moves in settled months) and the plan as a whole.
//! Plain data with the figures derived from it; the comparison itself is in `roster_plan`.

use crate::domain::economics::{Exact, MemberMonths, earned_in_month};
use crate::domain::{AttributionId, ClientId, Contract, Month};
use chrono::NaiveDate;
use std::collections::HashMap;

/// One attribution of a client to the contract.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span {
    pub id: AttributionId,
    pub start: NaiveDate,
    pub end: Option<NaiveDate>,
}

/// A client the practice knows by member id, with their attributions to the contract in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Known {
    pub client_id: ClientId,
    pub name: String,
    pub dob: Option<NaiveDate>,
    pub spans: Vec<Span>,
}

/// The practice as the roster meets it.
#[derive(Debug, Clone, Default)]
pub struct Current {
    /// Every client with a member (external) id, by that id.
    pub by_member: HashMap<String, Known>,
    /// Clients attributed to the contract who have no member id.
    pub unmatched: Vec<(ClientId, Vec<Span>)>,
}

/// What happens to one attribution.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SpanChange {
    Insert {
        start: NaiveDate,
        end: Option<NaiveDate>,
    },
    Update {
        id: AttributionId,
        old_start: NaiveDate,
        old_end: Option<NaiveDate>,
        start: NaiveDate,
        end: Option<NaiveDate>,
    },
    /// An attribution that had not begun by `as_of` and is no longer on the roster.
    Withdraw {
        id: AttributionId,
        start: NaiveDate,
        end: Option<NaiveDate>,
    },
}

impl SpanChange {
    pub(super) fn before(&self) -> Option<(NaiveDate, Option<NaiveDate>)> {
        match *self {
            SpanChange::Insert { .. } => None,
            SpanChange::Update {
                old_start, old_end, ..
            } => Some((old_start, old_end)),
            SpanChange::Withdraw { start, end, .. } => Some((start, end)),
        }
    }

    pub(super) fn after(&self) -> Option<(NaiveDate, Option<NaiveDate>)> {
        match *self {
            SpanChange::Insert { start, end } | SpanChange::Update { start, end, .. } => {
                Some((start, end))
            }
            SpanChange::Withdraw { .. } => None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Category {
    New,
    Continuing,
    Terminated,
    Reinstated,
    /// Dates changed without a termination or reinstatement (a corrected effective date, a later
    /// term date, an earlier stretch filled in), or only the name or date of birth changed.
    Changed,
}

impl Category {
    pub fn as_str(self) -> &'static str {
        match self {
            Category::New => "new",
            Category::Continuing => "continuing",
            Category::Terminated => "terminated",
            Category::Reinstated => "reinstated",
            Category::Changed => "changed",
        }
    }
}

/// Revenue of settled months (before the as-of month) that a change adds (positive) or takes
/// back (negative), exactly.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Settled {
    pub gross: Exact,
    pub net: Exact,
}

/// One member whose record or attributions change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemberChange {
    /// The roster line (for an 834, the member's INS segment); `None` for a member absent from
    /// the file.
    pub line: Option<u64>,
    pub member_id: String,
    /// `None`: a client to be created.
    pub client_id: Option<ClientId>,
    /// The name to show: the stored one, or the roster's for a new client.
    pub name: String,
    /// A new name from the roster.
    pub rename: Option<String>,
    /// A new (or first) date of birth from the roster.
    pub dob: Option<NaiveDate>,
    pub spans: Vec<SpanChange>,
    pub category: Category,
    pub retroactive: bool,
    pub settled: Settled,
}

impl MemberChange {
    /// The attribution as the roster leaves it (the last one changed), for display.
    pub fn attribution(&self) -> Option<(NaiveDate, Option<NaiveDate>)> {
        self.spans.iter().rev().find_map(SpanChange::after)
    }
}

/// A member as the roster gave them, kept with the import (for reconciliation).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RosterMember {
    pub member_id: String,
    pub start: Option<NaiveDate>,
    pub end: Option<NaiveDate>,
}

/// Member months and gross of one month, exactly.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct MonthFigures {
    pub member_months: MemberMonths,
    pub gross: Exact,
}

impl MonthFigures {
    pub(super) fn add(
        &mut self,
        contract: &Contract,
        start: NaiveDate,
        end: Option<NaiveDate>,
        m: Month,
    ) {
        let e = earned_in_month(contract, start, end, None, m);
        self.member_months += e.member_months;
        self.gross += e.gross;
    }

    pub(super) fn remove(
        &mut self,
        contract: &Contract,
        start: NaiveDate,
        end: Option<NaiveDate>,
        m: Month,
    ) {
        let e = earned_in_month(contract, start, end, None, m);
        self.member_months = MemberMonths(self.member_months.0 - e.member_months.0);
        self.gross = self.gross - e.gross;
    }
}

/// Everything an import would do.
#[derive(Debug, Clone)]
pub struct RosterPlan {
    pub as_of: NaiveDate,
    /// The month this roster settles (the month of `as_of`).
    pub month: Month,
    /// Members whose record or attributions change, in file order, then the absent ones.
    pub changes: Vec<MemberChange>,
    /// Listed members with nothing to change: the same dates, name and date of birth. A member
    /// whose dates stay but whose name or date of birth changes is counted as changed instead,
    /// so every listed member is in exactly one category.
    pub continuing: usize,
    /// Clients attributed on `as_of` without a member id: left as they are.
    pub unmatched: Vec<ClientId>,
    /// The as-of month before and after the import.
    pub before: MonthFigures,
    pub after: MonthFigures,
    /// The roster itself, as given.
    pub members: Vec<RosterMember>,
}

impl RosterPlan {
    /// True when applying the plan would change nothing.
    pub fn is_noop(&self) -> bool {
        self.changes.is_empty()
    }

    pub fn count(&self, category: Category) -> usize {
        match category {
            Category::Continuing => self.continuing,
            c => self.changes.iter().filter(|m| m.category == c).count(),
        }
    }

    pub fn retroactive(&self) -> usize {
        self.changes.iter().filter(|m| m.retroactive).count()
    }

    /// Revenue of settled months taken back, as reported: the sum of each member's rounded
    /// figure (a positive amount).
    pub fn clawed_back(&self) -> crate::domain::Money {
        self.changes
            .iter()
            .map(|m| m.settled.gross.round())
            .filter(|c| c.cents() < 0)
            .map(|c| -c)
            .sum()
    }

    /// Revenue of settled months added back or added, as reported.
    pub fn restored(&self) -> crate::domain::Money {
        self.changes
            .iter()
            .map(|m| m.settled.gross.round())
            .filter(|c| c.cents() > 0)
            .sum()
    }
}
