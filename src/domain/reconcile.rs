//! Reconciliation of one capitation contract for one month, as pure rules: the member months
//! (and gross) the practice's attributions give, against those the payer's last roster implies,
//! member by member. Money and member months come only from `economics`; nothing here reads the
//! clock or the database.
//!
//! A roster row implies membership from its effective date (or, when it gives none, from the
//! roster's as-of date, as the import reads it) to its term date; the latest roster dated on or
//! before the month's last day speaks for the month (an earlier month's roster carries forward
//! until the next one).

use super::economics::{Exact, MemberMonths, earned_in_month};
use super::roster_plan::RosterMember;
use super::{ClientId, Contract, Month};
use chrono::NaiveDate;
use std::collections::BTreeMap;

/// One client's attributions to the contract.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attributed {
    pub client_id: ClientId,
    pub member_id: Option<String>,
    pub spans: Vec<(NaiveDate, Option<NaiveDate>)>,
}

/// Member months and gross, exactly.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Side {
    pub member_months: MemberMonths,
    pub gross: Exact,
}

impl Side {
    fn add(&mut self, contract: &Contract, start: NaiveDate, end: Option<NaiveDate>, m: Month) {
        let e = earned_in_month(contract, start, end, None, m);
        self.member_months += e.member_months;
        self.gross += e.gross;
    }
}

/// A member the two sides count differently.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Difference {
    /// `None`: a client attributed without a member id (the roster cannot list them).
    pub member_id: Option<String>,
    /// `None`: a roster member the practice has no client for.
    pub client_id: Option<ClientId>,
    pub practice: Side,
    pub roster: Side,
}

/// The month's member months on both sides, and every member where they differ.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Comparison {
    pub practice: Side,
    /// `None` when no roster for the contract is dated on or before the month's end.
    pub roster: Option<Side>,
    pub differences: Vec<Difference>,
}

/// What one client's attributions earn in `month`.
pub fn practice_side(contract: &Contract, a: &Attributed, month: Month) -> Side {
    let mut side = Side::default();
    for &(start, end) in &a.spans {
        side.add(contract, start, end, month);
    }
    side
}

/// Compares the practice's attributions with the roster (`as_of` and its members) for `month`.
pub fn compare(
    contract: &Contract,
    month: Month,
    practice: &[Attributed],
    roster: Option<(NaiveDate, &[RosterMember])>,
) -> Comparison {
    let mut out = Comparison::default();
    let mut by_member: BTreeMap<&str, (Option<ClientId>, Side, Side)> = BTreeMap::new();
    for a in practice {
        let side = practice_side(contract, a, month);
        out.practice.member_months += side.member_months;
        out.practice.gross += side.gross;
        match &a.member_id {
            Some(id) => {
                let entry = by_member.entry(id.as_str()).or_insert((
                    None,
                    Side::default(),
                    Side::default(),
                ));
                entry.0 = Some(a.client_id);
                entry.1 = side;
            }
            None if !side.member_months.is_zero() => out.differences.push(Difference {
                member_id: None,
                client_id: Some(a.client_id),
                practice: side,
                roster: Side::default(),
            }),
            None => {}
        }
    }
    if let Some((as_of, members)) = roster {
        let mut total = Side::default();
        for m in members {
            let mut side = Side::default();
            side.add(contract, m.start.unwrap_or(as_of), m.end, month);
            total.member_months += side.member_months;
            total.gross += side.gross;
            by_member
                .entry(m.member_id.as_str())
                .or_insert((None, Side::default(), Side::default()))
                .2 = side;
        }
        out.roster = Some(total);
    }
    let compared = out.roster.is_some();
    let mut matched: Vec<Difference> = by_member
        .into_iter()
        .filter(|(_, (_, p, r))| compared && p.member_months != r.member_months)
        .map(|(id, (client, practice, roster))| Difference {
            member_id: Some(id.to_string()),
            client_id: client,
            practice,
            roster,
        })
        .collect();
    if !compared {
        out.differences.clear();
        return out;
    }
    matched.append(&mut out.differences);
    out.differences = matched;
    out
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::domain::{ContractId, ContractModel, Money, Percent, Proration, RatePeriod};

    pub(crate) fn d(s: &str) -> NaiveDate {
        crate::domain::parse_date(s).unwrap()
    }

    /// A capitation contract at $40.00 a member month, first-of-month proration.
    pub(crate) fn contract() -> Contract {
        Contract {
            id: ContractId(1),
            name: "K".into(),
            model: ContractModel::Capitation,
            withhold_bp: Percent(0),
            proration: Proration::FirstOfMonth,
            payer: None,
            diagnosis_rates: Vec::new(),
            rates: vec![RatePeriod {
                from: d("0001-01-01"),
                rate_cents: Money(4000),
            }],
        }
    }

    fn attributed(client: i64, member: Option<&str>, start: &str) -> Attributed {
        Attributed {
            client_id: ClientId(client),
            member_id: member.map(str::to_string),
            spans: vec![(d(start), None)],
        }
    }

    fn member(id: &str, start: Option<&str>, end: Option<&str>) -> RosterMember {
        RosterMember {
            member_id: id.into(),
            start: start.map(d),
            end: end.map(d),
        }
    }

    #[test]
    fn both_sides_are_counted_and_differences_listed() {
        let k = contract();
        let practice = [
            attributed(1, Some("A"), "2026-01-01"),
            attributed(2, Some("B"), "2026-01-01"),
            attributed(3, None, "2026-01-01"),
        ];
        let roster = [
            member("A", None, None),
            member("B", Some("2026-01-01"), Some("2026-02-28")),
            member("C", Some("2026-02-01"), None),
        ];
        let month = crate::domain::parse_month("2026-03").unwrap();
        let c = compare(&k, month, &practice, Some((d("2026-03-01"), &roster)));
        assert_eq!(
            c.practice.member_months,
            MemberMonths(3 * MemberMonths::ONE.0)
        );
        assert_eq!(c.practice.gross.round(), Money(12_000));
        let roster_side = c.roster.unwrap();
        assert_eq!(
            roster_side.member_months,
            MemberMonths(2 * MemberMonths::ONE.0)
        );
        let diffs: Vec<(Option<&str>, Option<ClientId>)> = c
            .differences
            .iter()
            .map(|x| (x.member_id.as_deref(), x.client_id))
            .collect();
        assert_eq!(
            diffs,
            vec![
                (Some("B"), Some(ClientId(2))),
                (Some("C"), None),
                (None, Some(ClientId(3)))
            ]
        );
    }

    #[test]
    fn without_a_roster_there_is_nothing_to_compare() {
        let k = contract();
        let month = crate::domain::parse_month("2026-03").unwrap();
        let c = compare(&k, month, &[attributed(1, None, "2026-01-01")], None);
        assert_eq!(c.roster, None);
        assert!(c.differences.is_empty());
        assert_eq!(c.practice.member_months, MemberMonths::ONE);
    }
}
