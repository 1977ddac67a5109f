//! The reconciliation of one contract and month as one view: the members never engaged with
//! the revenue at risk for each and in all, the unpaid work with its cost, and the member
//! months of the practice against the payer's roster. Pure: built from the facts the store
//! read and the rules of `domain::reconcile`; the CLI's text and JSON only format it.

use crate::domain::economics::Exact;
use crate::domain::reconcile::{self, Attributed, Side};
use crate::domain::roster_plan::RosterMember;
use crate::domain::{ClientId, Contract, ContractModel, Money, Month, dates};
use crate::store::reconcile::{NeverEngaged, Unpaid};
use crate::store::roster::RosterImport;
use chrono::NaiveDate;
use serde::Serialize;
use std::collections::HashMap;

/// Everything `caseload reconcile` shows; its JSON is the command's `--json`.
#[derive(Debug, Clone, Serialize)]
pub struct Reconciliation {
    pub contract: String,
    pub month: Month,
    /// A case-rate contract has no member months to compare.
    #[serde(skip)]
    pub case_rate: bool,
    pub never_engaged: Vec<NeverRow>,
    /// The month's gross of every member never engaged.
    #[serde(skip)]
    pub at_risk: Money,
    pub unpaid_work: Vec<UnpaidRow>,
    #[serde(skip)]
    pub unpaid_minutes: i64,
    #[serde(skip)]
    pub unpaid_cost: Money,
    pub member_months: MemberMonthsView,
}

#[derive(Debug, Clone, Serialize)]
pub struct NeverRow {
    #[serde(flatten)]
    pub member: NeverEngaged,
    /// Days from the attribution's start to today or the month's end, whichever is first.
    pub days_attributed: i64,
    /// The month's gross the member's attributions give: what is at risk.
    #[serde(rename = "gross_cents")]
    pub gross: Money,
}

#[derive(Debug, Clone, Serialize)]
pub struct UnpaidRow {
    #[serde(flatten)]
    pub work: Unpaid,
    #[serde(rename = "cost_cents")]
    pub cost: Money,
}

#[derive(Debug, Clone, Serialize)]
pub struct MemberMonthsView {
    pub practice: f64,
    #[serde(rename = "practice_gross_cents")]
    pub practice_gross: Money,
    /// `None` when no roster speaks for the month.
    pub roster: Option<f64>,
    #[serde(rename = "roster_gross_cents")]
    pub roster_gross: Option<Money>,
    /// Practice − roster.
    pub difference: Option<f64>,
    pub roster_import: Option<ImportView>,
    pub differences: Vec<DifferenceRow>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ImportView {
    pub id: i64,
    pub as_of: NaiveDate,
    pub imported_at: String,
    pub members: i64,
    /// The 834 the roster was read from: its BGN02 reference, BGN03 date and kind (`full` or
    /// `change`); null for a CSV roster.
    pub x12: Option<X12View>,
}

#[derive(Debug, Clone, Serialize)]
pub struct X12View {
    pub reference: String,
    pub date: NaiveDate,
    pub kind: &'static str,
}

#[derive(Debug, Clone, Serialize)]
pub struct DifferenceRow {
    pub member_id: Option<String>,
    pub client_id: Option<ClientId>,
    pub practice: f64,
    pub roster: f64,
}

/// What the store read for one contract and month.
pub struct Facts {
    pub attributed: Vec<Attributed>,
    /// The latest roster dated on or before the month's end, with its members.
    pub import: Option<(RosterImport, Vec<RosterMember>)>,
    pub never: Vec<NeverEngaged>,
    pub unpaid: Vec<Unpaid>,
}

fn member_months(side: &Side) -> f64 {
    side.member_months.as_f64()
}

/// The reconciliation of `contract` for `month` as seen `today`.
pub fn reconcile(
    contract: &Contract,
    month: Month,
    today: NaiveDate,
    facts: Facts,
) -> Reconciliation {
    let Facts {
        attributed,
        import,
        never,
        unpaid,
    } = facts;
    let comparison = reconcile::compare(
        contract,
        month,
        &attributed,
        import
            .as_ref()
            .map(|(i, members)| (i.as_of, members.as_slice())),
    );
    let by_client: HashMap<ClientId, &Attributed> =
        attributed.iter().map(|a| (a.client_id, a)).collect();
    let seen_by = today.min(month.last_day());
    let never_engaged: Vec<NeverRow> = never
        .into_iter()
        .map(|member| {
            let gross = by_client.get(&member.client_id).map_or(Money(0), |a| {
                reconcile::practice_side(contract, a, month).gross.round()
            });
            NeverRow {
                days_attributed: dates::days_between(member.attributed_from, seen_by).max(0),
                member,
                gross,
            }
        })
        .collect();
    let unpaid_work: Vec<UnpaidRow> = unpaid
        .into_iter()
        .map(|work| UnpaidRow {
            cost: Exact::minute_cents(work.minutes_times_hourly_cents).round(),
            work,
        })
        .collect();
    let practice = &comparison.practice;
    Reconciliation {
        contract: contract.name.clone(),
        month,
        case_rate: contract.model == ContractModel::CaseRate,
        at_risk: never_engaged.iter().map(|n| n.gross).sum(),
        never_engaged,
        unpaid_minutes: unpaid_work.iter().map(|u| u.work.minutes).sum(),
        unpaid_cost: unpaid_work.iter().map(|u| u.cost).sum(),
        unpaid_work,
        member_months: MemberMonthsView {
            practice: member_months(practice),
            practice_gross: practice.gross.round(),
            roster: comparison.roster.as_ref().map(member_months),
            roster_gross: comparison.roster.as_ref().map(|r| r.gross.round()),
            difference: comparison
                .roster
                .as_ref()
                .map(|r| member_months(practice) - member_months(r)),
            roster_import: import.map(|(i, _)| ImportView {
                id: i.id,
                as_of: i.as_of,
                imported_at: i.imported_at,
                members: i.members,
                x12: i.x12.map(|x| X12View {
                    reference: x.reference,
                    date: x.date,
                    kind: x.kind.as_str(),
                }),
            }),
            differences: comparison
                .differences
                .iter()
                .map(|d| DifferenceRow {
                    member_id: d.member_id.clone(),
                    client_id: d.client_id,
                    practice: member_months(&d.practice),
                    roster: member_months(&d.roster),
                })
                .collect(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::reconcile::tests::{contract, d};
    use crate::domain::{ClientStatus, ContractId};

    fn never(client: i64, from: &str) -> NeverEngaged {
        NeverEngaged {
            client_id: ClientId(client),
            external_id: None,
            name: format!("client {client}"),
            status: ClientStatus::Active,
            attributed_from: d(from),
            outreach_attempts: 0,
            last_outreach: None,
        }
    }

    fn unpaid(client: i64, minutes: i64, hourly_cents: i64) -> Unpaid {
        Unpaid {
            client_id: ClientId(client),
            external_id: None,
            name: format!("client {client}"),
            encounters: 1,
            contacts: 1,
            minutes,
            minutes_times_hourly_cents: minutes * hourly_cents,
        }
    }

    fn attributed(client: i64, member: &str, start: &str) -> Attributed {
        Attributed {
            client_id: ClientId(client),
            member_id: Some(member.into()),
            spans: vec![(d(start), None)],
        }
    }

    /// Revenue at risk is each never-engaged member's month, summed as shown; days attributed
    /// stop at today within the month; unpaid cost is minutes × hourly cost to the cent.
    #[test]
    fn the_figures_are_derived_once_and_add_up_as_shown() {
        let month = crate::domain::parse_month("2026-03").unwrap();
        let facts = Facts {
            attributed: vec![
                attributed(1, "A", "2026-01-01"),
                attributed(2, "B", "2026-03-16"),
            ],
            import: None,
            never: vec![never(1, "2026-01-01"), never(2, "2026-03-16")],
            unpaid: vec![unpaid(3, 50, 9_000), unpaid(4, 25, 6_001)],
        };
        let view = reconcile(&contract(), month, d("2026-03-20"), facts);
        let gross: Vec<Money> = view.never_engaged.iter().map(|n| n.gross).collect();
        // A member attributed from the 16th earns nothing in March under first-of-month.
        assert_eq!(gross, [Money(4000), Money(0)]);
        assert_eq!(view.at_risk, Money(4000));
        let days: Vec<i64> = view
            .never_engaged
            .iter()
            .map(|n| n.days_attributed)
            .collect();
        assert_eq!(days, [78, 4]);
        // 50 min at $90/h is $75.00; 25 min at $60.01/h is $25.004… → $25.00.
        let cost: Vec<Money> = view.unpaid_work.iter().map(|u| u.cost).collect();
        assert_eq!(cost, [Money(7500), Money(2500)]);
        assert_eq!((view.unpaid_minutes, view.unpaid_cost), (75, Money(10_000)));
        assert_eq!(view.member_months.practice, 1.0);
        assert_eq!(view.member_months.roster, None);
        assert_eq!(view.member_months.difference, None);
        let json = serde_json::to_value(&view).unwrap();
        assert_eq!(json["never_engaged"][0]["gross_cents"], 4000);
        assert_eq!(json["unpaid_work"][1]["cost_cents"], 2500);
        assert_eq!(json["member_months"]["practice_gross_cents"], 4000);
    }

    #[test]
    fn a_roster_gives_the_difference_member_by_member() {
        let month = crate::domain::parse_month("2026-03").unwrap();
        let import = RosterImport {
            id: 7,
            contract_id: ContractId(1),
            as_of: d("2026-03-01"),
            imported_at: "2026-03-01T09:00:00Z".into(),
            file_hash: String::new(),
            members: 2,
            x12: None,
        };
        let members = vec![
            RosterMember {
                member_id: "A".into(),
                start: None,
                end: None,
            },
            RosterMember {
                member_id: "C".into(),
                start: None,
                end: None,
            },
        ];
        let facts = Facts {
            attributed: vec![
                attributed(1, "A", "2026-01-01"),
                attributed(2, "B", "2026-01-01"),
            ],
            import: Some((import, members)),
            never: Vec::new(),
            unpaid: Vec::new(),
        };
        let view = reconcile(&contract(), month, d("2026-03-31"), facts);
        let mm = &view.member_months;
        assert_eq!(
            (mm.practice, mm.roster, mm.difference),
            (2.0, Some(2.0), Some(0.0))
        );
        let ids: Vec<Option<&str>> = mm
            .differences
            .iter()
            .map(|d| d.member_id.as_deref())
            .collect();
        assert_eq!(
            ids.len(),
            2,
            "B only in the practice, C only on the roster: {ids:?}"
        );
        assert_eq!(mm.roster_import.as_ref().map(|i| i.id), Some(7));
    }
}
