//! A client's place in the panel as a function of "today" (issue 19): between two of the dates
//! at which a rule of SPEC section 4 (or a review) can change its mind, the client's live flags
//! and which of them are overdue stay the same, so their priority key does too. `segments`
//! samples the one rule function, `evaluate` (then the reviews' `split`), once per such
//! stretch; the store keeps the result so the panel's order for any day is an index range.
//! It never decides a flag itself, and it holds only for days on which no record is later
//! than `valid_from` (the facts then are the same for every such day).

use super::reviews::{Review, split};
use super::rules::{FIRST_CONTACT_DAYS, FOLLOW_UP_DAYS, FOLLOW_UP_WINDOW_DAYS, IMPROVEMENT_DAYS};
use super::{ClientFacts, Flag, FlagKind, Severity, evaluate};
use crate::domain::Intervals;
use chrono::{Duration, NaiveDate};

/// One stretch of days over which a client's priority key holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Segment {
    pub from: NaiveDate,
    /// The last day; `None` for open-ended.
    pub until: Option<NaiveDate>,
    pub key: PriorityKey,
}

/// What orders a client in the panel on a day: the worst severity's rank (critical 0 … info 2,
/// no flag 3), the earliest due date among the overdue flags (`None`: nothing overdue, which
/// sorts after every overdue client of the same rank) and which kinds are live (a bit per
/// `FlagKind`, for the flag filter). The name breaks the remaining ties.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct PriorityKey {
    pub rank: u8,
    pub overdue_since: Option<NaiveDate>,
    pub kinds: u16,
}

impl PriorityKey {
    /// The key of the flags a client carries on `today` (after reviews).
    pub fn of(flags: &[Flag], today: NaiveDate) -> PriorityKey {
        PriorityKey {
            rank: super::worst(flags).map_or(Severity::ALL.len() as u8, |s| s as u8),
            overdue_since: flags
                .iter()
                .filter_map(|f| f.due)
                .filter(|d| *d < today)
                .min(),
            kinds: flags.iter().fold(0, |bits, f| bits | kind_bit(f.kind)),
        }
    }
}

/// The bit of `kind` in [`PriorityKey::kinds`].
pub fn kind_bit(kind: FlagKind) -> u16 {
    1 << (kind as u16)
}

/// The worst severity among the kinds of `kinds` (a flag's severity is its kind's), as
/// [`PriorityKey::rank`] holds it for the flags those kinds came from.
pub fn worst_of_kinds(kinds: u16) -> Option<Severity> {
    FlagKind::ALL
        .iter()
        .filter(|k| kinds & kind_bit(**k) != 0)
        .map(|k| k.severity())
        .min()
}

/// The live flags on `today`: the rules, then the reviews.
pub fn live_flags(
    facts: &ClientFacts,
    intervals: &Intervals,
    reviews: &[Review],
    latest_phq9: Option<i64>,
    today: NaiveDate,
) -> Vec<Flag> {
    split(
        evaluate(facts, intervals, today),
        reviews,
        latest_phq9,
        today,
    )
    .0
}

/// The client's priority key from `valid_from` on, as consecutive segments (the last one
/// open-ended). Neighbouring segments always differ in their key.
pub fn segments(
    facts: &ClientFacts,
    intervals: &Intervals,
    reviews: &[Review],
    latest_phq9: Option<i64>,
    valid_from: NaiveDate,
) -> Vec<Segment> {
    let mut starts: Vec<NaiveDate> = change_days(facts, intervals, reviews)
        .into_iter()
        .filter(|d| *d > valid_from)
        .collect();
    starts.push(valid_from);
    starts.sort();
    starts.dedup();
    let mut out: Vec<Segment> = Vec::with_capacity(starts.len());
    for from in &starts {
        let key = PriorityKey::of(
            &live_flags(facts, intervals, reviews, latest_phq9, *from),
            *from,
        );
        if let Some(last) = out.last_mut()
            && last.key == key
        {
            continue;
        }
        if let Some(last) = out.last_mut() {
            last.until = Some(*from - Duration::days(1));
        }
        out.push(Segment {
            from: *from,
            until: None,
            key,
        });
    }
    out
}

/// Every day on which a rule's answer, or whether its flag is overdue, can change: the first
/// day of a new state. A superset is harmless (equal neighbours merge); a missing day would
/// be a bug, which the property test against `evaluate` catches.
fn change_days(facts: &ClientFacts, intervals: &Intervals, reviews: &[Review]) -> Vec<NaiveDate> {
    let plus = |d: NaiveDate, n: i64| d.checked_add_signed(Duration::days(n));
    let mut days: Vec<Option<NaiveDate>> = Vec::with_capacity(16);
    // Safety and remission do not depend on the day; safety's due is the PHQ-9's date.
    if let Some(p) = &facts.phq9 {
        days.push(plus(p.latest_date, 1));
    }
    for trend in [&facts.phq9, &facts.gad7].into_iter().flatten() {
        days.push(plus(trend.baseline_date, IMPROVEMENT_DAYS));
        days.push(plus(trend.baseline_date, IMPROVEMENT_DAYS + 1));
    }
    if let Some(e) = &facts.acute_event {
        days.push(Some(e.date));
        days.push(plus(e.date, FOLLOW_UP_DAYS + 1));
        days.push(plus(e.date, FOLLOW_UP_WINDOW_DAYS + 1));
        days.push(e.first_contact_after);
    }
    days.push(plus(facts.since, FIRST_CONTACT_DAYS + 1));
    if let Some(last) = facts.last_contact {
        days.push(plus(last, intervals.contact(facts.tier) + 1));
    }
    if let Some(first) = facts.first_contact.or(facts.last_contact) {
        days.push(plus(first, 1));
    }
    if let Some(last) = facts.last_measured {
        days.push(plus(last, intervals.measure + 1));
    }
    if let Some(later) = facts.recent_attempts.first() {
        days.push(plus(later.date, 1));
    }
    for r in reviews {
        days.push(Some(r.date));
        days.push(r.until.and_then(|u| plus(u, 1)));
    }
    days.into_iter().flatten().collect()
}
