//! A payer roster compared with the practice's attributions to one capitation contract: who is
//! new, continuing, terminated (and whether retroactively, with the revenue that takes back),
//! reinstated, or changed. Pure: the store loads the practice and applies the plan; nothing here
//! reads the clock or the database, and money comes only from `economics`.
//!
//! # How a roster is read
//!
//! A roster dated `as_of` says who the payer attributes to the practice from that day on.
//!
//! - A listed member is attributed from the row's effective date to its term date (open when the
//!   row gives none, or gives a date in the year 9999). A row without an effective date keeps
//!   the start of the member's current attribution, or starts on `as_of` for someone not
//!   currently attributed.
//! - A member the practice has attributed on `as_of` or later (by member id = the client's
//!   external id) who is **absent** from the file is terminated the day before `as_of`; an
//!   attribution that would only have begun on or after `as_of` is withdrawn.
//! - A termination is **retroactive** when it ends the attribution before the day before
//!   `as_of`: the payer takes back time the practice had counted.
//! - The months before `as_of`'s month were settled by earlier rosters. What a change does to the
//!   revenue of those months — taken back by a retroactive termination, restored by a
//!   reinstatement, added by a back-dated new member — is computed with the economics module at
//!   the contract's rates and shown beside the change. The as-of month itself is what this
//!   roster settles, shown as member months before and after.
//! - Clients attributed to the contract without a member id cannot be matched and are left as
//!   they are (listed, so someone can look).
//! - A roster that speaks only for the members it lists (an 834 change file, [`Scope::Listed`])
//!   terminates no absent member; the members it terminates without a date are ended as an
//!   absent member of a whole roster is.

use super::csvfile::LineProblem;
use super::economics::{earned_in_month, months_touched};
use super::roster::RosterRow;
use super::text::sanitize;
use super::{ClientId, Contract, Month, ranges_overlap};
use chrono::NaiveDate;
use std::collections::{HashMap, HashSet};

mod types;
pub use types::*;

/// What settled months (before `month`) earn under one attribution.
fn settled_earnings(
    contract: &Contract,
    start: NaiveDate,
    end: Option<NaiveDate>,
    month: Month,
) -> Settled {
    let mut s = Settled::default();
    for m in months_touched(start, end, Month::of(start), month.prev()) {
        let e = earned_in_month(contract, start, end, None, m);
        s.gross += e.gross;
        s.net += e.gross - e.withhold;
    }
    s
}

fn settled_change(contract: &Contract, spans: &[SpanChange], month: Month) -> Settled {
    let mut total = Settled::default();
    for change in spans {
        if let Some((s, e)) = change.after() {
            let add = settled_earnings(contract, s, e, month);
            total.gross += add.gross;
            total.net += add.net;
        }
        if let Some((s, e)) = change.before() {
            let take = settled_earnings(contract, s, e, month);
            total.gross = total.gross - take.gross;
            total.net = total.net - take.net;
        }
    }
    total
}

/// True when `new` ends before `old` (an open end is the latest).
fn ends_earlier(new: Option<NaiveDate>, old: Option<NaiveDate>) -> bool {
    match (new, old) {
        (Some(n), Some(o)) => n < o,
        (Some(_), None) => true,
        (None, _) => false,
    }
}

fn until(end: Option<NaiveDate>) -> String {
    end.map_or("open".to_string(), |e| e.to_string())
}

/// True when two names differ at most in case.
fn same_ignoring_case(a: &str, b: &str) -> bool {
    a.chars()
        .flat_map(char::to_lowercase)
        .eq(b.chars().flat_map(char::to_lowercase))
}

/// Decides one listed member's attribution.
fn plan_row(
    row: &RosterRow,
    spans: &[Span],
    as_of: NaiveDate,
    yesterday: NaiveDate,
) -> Result<(Option<SpanChange>, Category, bool), String> {
    let latest = spans.last();
    let start = match row.start {
        Some(s) => s,
        None => match latest {
            Some(l) if l.end.is_none_or(|e| e >= yesterday) => l.start,
            Some(l) if row.end.is_some_and(|e| e < as_of && l.start <= e) => l.start,
            _ => as_of,
        },
    };
    let end = row.end;
    if let Some(e) = end
        && e < start
    {
        return Err(format!(
            "term date {e} is before --as-of {as_of} and the row gives no effective date"
        ));
    }
    let overlapping: Vec<&Span> = spans
        .iter()
        .filter(|s| ranges_overlap(s.start, s.end, start, end))
        .collect();
    match overlapping.as_slice() {
        [] => {
            let category = match latest {
                None => Category::New,
                Some(l) if l.end.is_some_and(|e| e < start) => Category::Reinstated,
                Some(_) => Category::Changed,
            };
            Ok((Some(SpanChange::Insert { start, end }), category, false))
        }
        [x] if x.start == start && x.end == end => Ok((None, Category::Continuing, false)),
        [x] => {
            let was_off = x.end.is_some_and(|e| e < as_of);
            let now_on = end.is_none_or(|e| e >= as_of);
            let (category, retro) = if was_off && now_on {
                (Category::Reinstated, false)
            } else if ends_earlier(end, x.end) {
                (Category::Terminated, end.is_some_and(|e| e < yesterday))
            } else {
                (Category::Changed, false)
            };
            Ok((
                Some(SpanChange::Update {
                    id: x.id,
                    old_start: x.start,
                    old_end: x.end,
                    start,
                    end,
                }),
                category,
                retro,
            ))
        }
        many => {
            let listed: Vec<String> = many
                .iter()
                .map(|s| format!("{} to {}", s.start, until(s.end)))
                .collect();
            Err(format!(
                "the roster's dates ({start} to {}) span {} of this member's attributions to the contract ({}); join or end them with `caseload attribute` first",
                until(end),
                many.len(),
                listed.join(", ")
            ))
        }
    }
}

/// Who a roster speaks for.
#[derive(Debug, Clone, Copy)]
pub enum Scope<'a> {
    /// The whole membership: a member the roster does not list is terminated (a CSV roster, an
    /// 834 full file).
    Whole,
    /// Only the members it lists (an 834 change file): the others are left as they are, except
    /// the ones named here, terminated without a date as an absent member is (member id → the
    /// line that says so).
    Listed { terminate: &'a HashMap<String, u64> },
}

/// How a roster is read against the practice.
#[derive(Debug, Clone, Copy)]
pub struct Reading<'a> {
    pub scope: Scope<'a>,
    /// A listed name that differs from the stored one only in case ("ANN LEE", as payers' systems
    /// write names, for "Ann Lee") renames no one.
    pub ignore_name_case: bool,
}

impl Reading<'static> {
    /// A CSV roster: the whole membership, names compared exactly.
    pub const CSV: Reading<'static> = Reading {
        scope: Scope::Whole,
        ignore_name_case: false,
    };
}

/// Compares a parsed roster with the practice. Rows that cannot be applied (a term date before
/// `as_of` without an effective date for someone new, dates spanning several attributions, a new
/// member without a name) come back as problems with their lines; the plan is only to be applied
/// when there are none.
pub fn plan(
    rows: &[RosterRow],
    current: &Current,
    contract: &Contract,
    as_of: NaiveDate,
) -> (RosterPlan, Vec<LineProblem>) {
    plan_with(rows, current, contract, as_of, Reading::CSV)
}

/// [`plan`], with the roster read as `reading` says.
pub fn plan_with(
    rows: &[RosterRow],
    current: &Current,
    contract: &Contract,
    as_of: NaiveDate,
    reading: Reading,
) -> (RosterPlan, Vec<LineProblem>) {
    let month = Month::of(as_of);
    let yesterday = as_of.pred_opt().unwrap_or(as_of);
    let mut problems = Vec::new();
    let mut changes = Vec::new();
    let mut continuing = 0;
    let mut before = MonthFigures::default();
    for known in current.by_member.values() {
        for s in &known.spans {
            before.add(contract, s.start, s.end, month);
        }
    }
    for (_, spans) in &current.unmatched {
        for s in spans {
            before.add(contract, s.start, s.end, month);
        }
    }
    let no_spans: Vec<Span> = Vec::new();
    let mut listed: HashSet<&str> = HashSet::with_capacity(rows.len());
    for row in rows {
        listed.insert(row.member_id.as_str());
        let known = current.by_member.get(&row.member_id);
        let spans = known.map_or(&no_spans, |k| &k.spans);
        let (span, category, retroactive) = match plan_row(row, spans, as_of, yesterday) {
            Ok(decided) => decided,
            Err(message) => {
                problems.push(LineProblem::new(row.line, message));
                continue;
            }
        };
        let (rename, dob) = match known {
            Some(k) => (
                (!row.name.is_empty()
                    && row.name != k.name
                    && !(reading.ignore_name_case && same_ignoring_case(&row.name, &k.name)))
                .then(|| row.name.clone()),
                row.dob.filter(|d| Some(*d) != k.dob),
            ),
            None => {
                if row.name.is_empty() {
                    problems.push(LineProblem::new(
                        row.line,
                        format!("no name for new member '{}'", sanitize(&row.member_id)),
                    ));
                    continue;
                }
                (None, row.dob)
            }
        };
        let renamed = rename.is_some() || (known.is_some() && dob.is_some());
        // Each listed member is counted once: same dates and nothing else to write is
        // continuing; same dates with a new name or date of birth is changed.
        if span.is_none() && !renamed {
            continuing += 1;
            continue;
        }
        let spans: Vec<SpanChange> = span.into_iter().collect();
        let category = if category == Category::Continuing {
            Category::Changed
        } else {
            category
        };
        changes.push(MemberChange {
            line: Some(row.line),
            member_id: row.member_id.clone(),
            client_id: known.map(|k| k.client_id),
            name: known.map_or(row.name.clone(), |k| k.name.clone()),
            rename,
            dob,
            settled: settled_change(contract, &spans, month),
            spans,
            category,
            retroactive,
        });
    }
    let mut absent: Vec<(Option<u64>, &String, &Known)> = match reading.scope {
        Scope::Whole => current
            .by_member
            .iter()
            .filter(|(id, _)| !listed.contains(id.as_str()))
            .map(|(id, known)| (None, id, known))
            .collect(),
        Scope::Listed { terminate } => terminate
            .iter()
            .filter(|(id, _)| !listed.contains(id.as_str()))
            .filter_map(|(id, line)| {
                current
                    .by_member
                    .get_key_value(id)
                    .map(|(id, known)| (Some(*line), id, known))
            })
            .collect(),
    };
    absent.sort_by(|a, b| (a.0, a.1).cmp(&(b.0, b.1)));
    for (line, member_id, known) in absent {
        let spans: Vec<SpanChange> = known
            .spans
            .iter()
            .filter(|s| s.end.is_none_or(|e| e >= as_of))
            .map(|s| {
                if s.start >= as_of {
                    SpanChange::Withdraw {
                        id: s.id,
                        start: s.start,
                        end: s.end,
                    }
                } else {
                    SpanChange::Update {
                        id: s.id,
                        old_start: s.start,
                        old_end: s.end,
                        start: s.start,
                        end: Some(yesterday),
                    }
                }
            })
            .collect();
        if spans.is_empty() {
            continue;
        }
        changes.push(MemberChange {
            line,
            member_id: member_id.clone(),
            client_id: Some(known.client_id),
            name: known.name.clone(),
            rename: None,
            dob: None,
            settled: settled_change(contract, &spans, month),
            spans,
            category: Category::Terminated,
            retroactive: false,
        });
    }
    let mut after = before;
    for change in &changes {
        for s in &change.spans {
            if let Some((start, end)) = s.before() {
                after.remove(contract, start, end, month);
            }
            if let Some((start, end)) = s.after() {
                after.add(contract, start, end, month);
            }
        }
    }
    let mut unmatched: Vec<ClientId> = current
        .unmatched
        .iter()
        .filter(|(_, spans)| spans.iter().any(|s| s.end.is_none_or(|e| e >= as_of)))
        .map(|(id, _)| *id)
        .collect();
    unmatched.sort();
    let members = rows
        .iter()
        .map(|r| RosterMember {
            member_id: r.member_id.clone(),
            start: r.start,
            end: r.end,
        })
        .collect();
    problems.sort_by_key(|p| p.line);
    (
        RosterPlan {
            as_of,
            month,
            changes,
            continuing,
            unmatched,
            before,
            after,
            members,
        },
        problems,
    )
}

#[cfg(test)]
mod tests;
