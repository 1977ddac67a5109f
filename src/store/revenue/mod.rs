//! The revenue report (SPEC sections 5–6): revenue against the time it takes, by month,
//! contract, clinician or client, with the break-even per capitation contract and the withhold
//! held back to date. `gather` fetches SQL aggregates (`summary`: the sums kept on write by
//! migration 12, for every report but one client's and the by-client rows); the money rules are
//! `domain::economics`; this file only decides which row each exact sum belongs to. It never
//! rounds — `Tally::figures` does, once per figure.

mod gather;
mod summary;

use crate::domain::economics::{
    Exact, Figures, Tally, ToDate, break_even_minutes, earned_in_month, minutes_per_member_month,
    months_touched,
};
use crate::domain::{
    ClientId, ClinicianId, Contract, ContractId, ContractModel, Money, Month, text::sanitize,
};
use crate::error::{Error, Result};
use crate::store::db::Connection;
use crate::store::{clinicians, contracts};
use gather::Spent;
use std::collections::HashMap;
use std::fmt;
use std::str::FromStr;
use summary::Group;

/// What a report's rows are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum GroupBy {
    Month,
    Contract,
    Clinician,
    Client,
}

impl GroupBy {
    pub const ALL: [GroupBy; 4] = [
        GroupBy::Month,
        GroupBy::Contract,
        GroupBy::Clinician,
        GroupBy::Client,
    ];

    /// The word on the command line, and the key of each row in the JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            GroupBy::Month => "month",
            GroupBy::Contract => "contract",
            GroupBy::Clinician => "clinician",
            GroupBy::Client => "client",
        }
    }
}

impl fmt::Display for GroupBy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for GroupBy {
    type Err = Error;
    fn from_str(s: &str) -> Result<GroupBy> {
        let wanted = s.trim().to_ascii_lowercase();
        GroupBy::ALL
            .into_iter()
            .find(|g| g.as_str() == wanted)
            .ok_or_else(|| {
                Error::invalid(format!(
                    "cannot group the revenue report by '{}' (use month, contract, clinician or client)",
                    sanitize(s)
                ))
            })
    }
}

/// Which report: the months `from`…`to` (inclusive), grouped `by`. `client` restricts
/// everything to one client. `clinician` restricts it to one clinician's share: the revenue of
/// the clients whose primary clinician they are, and the time they logged themselves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RevenueQuery {
    pub from: Month,
    pub to: Month,
    pub by: GroupBy,
    pub client: Option<ClientId>,
    pub clinician: Option<ClinicianId>,
    /// The month to date (`ToDate::on(today)`): its capitation is counted through today only.
    /// None counts every month whole (the contract report's withhold, which is held whole).
    pub to_date: Option<ToDate>,
}

impl RevenueQuery {
    /// The whole practice, `from`…`to`, grouped `by`.
    pub fn new(from: Month, to: Month, by: GroupBy) -> RevenueQuery {
        RevenueQuery {
            from,
            to,
            by,
            client: None,
            clinician: None,
            to_date: None,
        }
    }

    /// The same report with the month that holds `today` counted to date.
    pub fn through(mut self, today: chrono::NaiveDate) -> RevenueQuery {
        self.to_date = Some(ToDate::on(today));
        self
    }
}

/// One row of the report, each money figure rounded once.
#[derive(Debug, Clone, PartialEq)]
pub struct RevenueRow {
    /// `2026-03`, or the contract's, clinician's or client's name; `(no contract)` holds the
    /// time spent outside any attribution, `(no clinician)` the revenue of clients without a
    /// primary clinician; `total` on the total row.
    pub key: String,
    /// Set on by-client rows.
    pub client_id: Option<ClientId>,
    /// For display only; the exact value is in `figures`.
    pub member_months: f64,
    pub gross: Money,
    pub withhold: Money,
    pub net: Money,
    pub minutes: i64,
    pub cost: Money,
    pub margin: Money,
    pub effective_hourly: Option<Money>,
    /// The same figures with exact member months.
    pub figures: Figures,
    /// Its figures hold the month to date (the month row itself, or a contract's, clinician's
    /// or client's row over a period that reaches it): revenue through today, not the month's.
    pub to_date: bool,
}

impl RevenueRow {
    fn new(key: String, client_id: Option<ClientId>, f: Figures) -> RevenueRow {
        RevenueRow {
            key,
            client_id,
            member_months: f.member_months.as_f64(),
            gross: f.gross,
            withhold: f.withhold,
            net: f.net,
            minutes: f.minutes,
            cost: f.cost,
            margin: f.margin,
            effective_hourly: f.effective_hourly,
            figures: f,
            to_date: false,
        }
    }

    /// The time cost more than the net revenue.
    pub fn under_water(&self) -> bool {
        self.figures.under_water()
    }
}

/// Whether a capitation contract's PMPM pays for the time its members take.
#[derive(Debug, Clone, PartialEq)]
pub struct BreakEven {
    pub contract: String,
    /// The PMPM in effect on the first day of the report's last month.
    pub pmpm: Money,
    /// (clinician, hourly cost, minutes per member month the PMPM pays for at that cost), by
    /// name; clinicians whose time costs nothing are left out.
    pub per_clinician: Vec<(String, Money, f64)>,
    /// Minutes spent on the contract's members while attributed, per member month in the
    /// range; None without member months.
    pub actual_minutes_per_member_month: Option<f64>,
    pub member_months: f64,
    pub minutes: i64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct RevenueReport {
    pub from: Month,
    pub to: Month,
    pub by: GroupBy,
    pub rows: Vec<RevenueRow>,
    /// The sum of the rounded rows.
    pub total: RevenueRow,
    /// One per capitation contract, by name.
    pub break_even: Vec<BreakEven>,
    /// Withhold on everything earned from the first attribution through the report's last
    /// month (in the query's scope), rounded once.
    pub withhold_to_date: Money,
    /// Set when the period reaches the month to date (whose figures run through today).
    pub to_date: Option<ToDate>,
}

/// Which row a sum belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Key {
    Month(Month),
    Contract(Option<ContractId>),
    Clinician(Option<ClinicianId>),
    Client(ClientId),
}

/// Builds the report. Refused when `from` is after `to`.
pub fn report(conn: &Connection, query: &RevenueQuery) -> Result<RevenueReport> {
    // One client's report and the by-client rows read every attribution; the rest read the
    // sums kept on write (`summary`), which a test holds to the same figures.
    let summarised = query.client.is_none() && query.by != GroupBy::Client;
    build(conn, query, summarised)
}

/// The report from the sums kept on write (`summarised`: not for one client's report nor the
/// by-client rows), or from every attribution.
fn build(conn: &Connection, query: &RevenueQuery, summarised: bool) -> Result<RevenueReport> {
    if query.from > query.to {
        return Err(Error::invalid(format!(
            "the report cannot start ({}) after it ends ({})",
            query.from, query.to
        )));
    }
    let contracts: HashMap<ContractId, Contract> = contracts::list(conn)?
        .into_iter()
        .map(|c| (c.id, c))
        .collect();
    let clinicians = clinicians::list(conn)?;
    let hourly: HashMap<ClinicianId, Money> = clinicians
        .iter()
        .map(|c| (c.id, c.hourly_cost_cents))
        .collect();
    let (first_day, last_day) = (query.from.first_day(), query.to.last_day());
    let spans = if summarised {
        Vec::new()
    } else {
        gather::attributions(conn, query)?
    };
    let groups: Vec<Group> = if summarised {
        summary::groups(conn, None, last_day)?
    } else {
        spans.iter().map(Group::of).collect()
    };
    let in_range = |s: &Group| s.start <= last_day && s.end.is_none_or(|e| e >= first_day);

    let mut rows: HashMap<Key, Tally> = HashMap::new();
    let mut per_contract: HashMap<ContractId, Tally> = HashMap::new();
    let mut withheld = Exact::ZERO;

    // Revenue: what each attribution in scope earns in each month (a group's members alike).
    for group in &groups {
        let Some(contract) = contracts.get(&group.contract) else {
            continue;
        };
        if query.clinician.is_some() && group.primary != query.clinician {
            continue;
        }
        for month in earning_months(contract, group, query.to) {
            let earned = earned_in_month(
                contract,
                group.start,
                group.end,
                group.diagnosis.as_deref(),
                month,
            );
            let earned = match query.to_date {
                Some(to_date) => to_date.earned(month, contract.model, earned),
                None => earned,
            };
            for _ in 0..group.members {
                withheld += earned.withhold;
            }
            if month >= query.from {
                let row = rows.entry(revenue_key(query.by, group, month)).or_default();
                for _ in 0..group.members {
                    row.earn(earned);
                }
                let total = per_contract.entry(group.contract).or_default();
                for _ in 0..group.members {
                    total.earn(earned);
                }
            }
        }
        if let (GroupBy::Client, Some(client)) = (query.by, group.client)
            && in_range(group)
        {
            rows.entry(Key::Client(client)).or_default();
        }
    }

    // Time: per month and clinician (months, clinicians, and everything in scope).
    let mut all_time = Spent::default();
    let by_month = if summarised {
        summary::time_by_month(conn, query)?
    } else {
        gather::time_by_day(conn, query)?
            .into_iter()
            .map(|(day, clinician, minutes)| (Month::of(day), clinician, minutes))
            .collect()
    };
    for (month, clinician, minutes) in by_month {
        let cost = hourly.get(&clinician).copied().unwrap_or_default();
        all_time.add(Spent {
            minutes,
            minute_cents: minutes * cost.cents(),
        });
        let key = match query.by {
            GroupBy::Month => Key::Month(month),
            GroupBy::Clinician => Key::Clinician(Some(clinician)),
            GroupBy::Contract | GroupBy::Client => continue,
        };
        rows.entry(key).or_default().spend(minutes, cost);
    }
    // Time while attributed: per contract (break-even, by-contract rows).
    let by_contract = if summarised {
        summary::time_by_contract(conn, query)?
    } else {
        let by_attribution = gather::time_by_attribution(conn, query, &spans)?;
        spans
            .iter()
            .filter(|s| s.start <= last_day && s.end.is_none_or(|e| e >= first_day))
            .filter_map(|s| by_attribution.get(&s.id).map(|spent| (s.contract, *spent)))
            .collect()
    };
    let mut attributed = Spent::default();
    for (contract, spent) in by_contract {
        attributed.add(spent);
        per_contract
            .entry(contract)
            .or_default()
            .spend_summed(spent.minutes, spent.minute_cents);
        if query.by == GroupBy::Contract {
            rows.entry(Key::Contract(Some(contract)))
                .or_default()
                .spend_summed(spent.minutes, spent.minute_cents);
        }
    }
    if query.by == GroupBy::Contract {
        let outside = Spent {
            minutes: all_time.minutes - attributed.minutes,
            minute_cents: all_time.minute_cents - attributed.minute_cents,
        };
        if outside != Spent::default() {
            rows.entry(Key::Contract(None))
                .or_default()
                .spend_summed(outside.minutes, outside.minute_cents);
        }
    }
    if query.by == GroupBy::Client {
        for (client, spent) in gather::time_by_client(conn, query)? {
            rows.entry(Key::Client(client))
                .or_default()
                .spend_summed(spent.minutes, spent.minute_cents);
        }
    }

    let mut rows = arrange(conn, query, rows, &contracts, &clinicians)?;
    let to_date = query
        .to_date
        .filter(|d| (query.from..=query.to).contains(&d.month));
    for row in &mut rows {
        row.to_date = match (to_date, query.by) {
            (Some(d), GroupBy::Month) => row.key == d.month.to_string(),
            (reached, _) => reached.is_some(),
        };
    }
    let mut total = RevenueRow::new(
        "total".to_string(),
        None,
        Figures::total(rows.iter().map(|r| &r.figures)),
    );
    total.to_date = to_date.is_some();
    let break_even = break_even(query, &contracts, &clinicians, &per_contract);
    Ok(RevenueReport {
        from: query.from,
        to: query.to,
        by: query.by,
        rows,
        total,
        break_even,
        withhold_to_date: withheld.round(),
        to_date,
    })
}

/// One month's capitation gross, exactly (unrounded): Σ member months × the PMPM in effect,
/// over the whole practice or one clinician's panel (the clients whose primary clinician they
/// are, as in the report's clinician scope). The end-of-day check-in shares it out by day.
pub fn capitation_gross(
    conn: &Connection,
    month: Month,
    clinician: Option<ClinicianId>,
) -> Result<Exact> {
    let contracts: HashMap<ContractId, Contract> = contracts::list(conn)?
        .into_iter()
        .filter(|c| c.model == ContractModel::Capitation)
        .map(|c| (c.id, c))
        .collect();
    let mut gross = Exact::ZERO;
    for group in summary::groups(conn, Some(month.first_day()), month.last_day())? {
        let Some(contract) = contracts.get(&group.contract) else {
            continue;
        };
        if clinician.is_some() && group.primary != clinician {
            continue;
        }
        let earned = earned_in_month(
            contract,
            group.start,
            group.end,
            group.diagnosis.as_deref(),
            month,
        );
        for _ in 0..group.members {
            gross += earned.gross;
        }
    }
    Ok(gross)
}

/// The months up to `to` in which an attribution can earn: a capitation member every month
/// attributed; a case-rate episode only in the month it starts.
fn earning_months(contract: &Contract, span: &Group, to: Month) -> Vec<Month> {
    let start = Month::of(span.start);
    match contract.model {
        ContractModel::Capitation => months_touched(span.start, span.end, start, to),
        ContractModel::CaseRate if start <= to => vec![start],
        ContractModel::CaseRate => Vec::new(),
    }
}

fn revenue_key(by: GroupBy, group: &Group, month: Month) -> Key {
    match (by, group.client) {
        (GroupBy::Month, _) => Key::Month(month),
        (GroupBy::Contract, _) => Key::Contract(Some(group.contract)),
        // By client, every group is one attribution (`Group::of`): never a client-less one.
        (GroupBy::Clinician, _) | (GroupBy::Client, None) => Key::Clinician(group.primary),
        (GroupBy::Client, Some(client)) => Key::Client(client),
    }
}

/// Names and orders the rows: months in order (every month, even empty ones); contracts and
/// clinicians by name (all of them for the whole practice), the catch-all row last; clients by
/// minutes, most first.
fn arrange(
    conn: &Connection,
    query: &RevenueQuery,
    mut tallies: HashMap<Key, Tally>,
    contracts: &HashMap<ContractId, Contract>,
    clinicians: &[crate::domain::Clinician],
) -> Result<Vec<RevenueRow>> {
    let whole_practice = query.client.is_none() && query.clinician.is_none();
    let row = |key: String, id: Option<ClientId>, t: Option<Tally>| {
        RevenueRow::new(key, id, t.unwrap_or_default().figures())
    };
    let mut rows = Vec::new();
    match query.by {
        GroupBy::Month => {
            for month in query.from.through(query.to) {
                rows.push(row(
                    month.to_string(),
                    None,
                    tallies.remove(&Key::Month(month)),
                ));
            }
        }
        GroupBy::Contract => {
            let mut named: Vec<&Contract> = contracts.values().collect();
            named.sort_by_key(|c| (c.name.to_lowercase(), c.id));
            for c in named {
                let t = tallies.remove(&Key::Contract(Some(c.id)));
                if t.is_some() || whole_practice {
                    rows.push(row(c.name.clone(), None, t));
                }
            }
            if let Some(t) = tallies.remove(&Key::Contract(None)) {
                rows.push(row("(no contract)".to_string(), None, Some(t)));
            }
        }
        GroupBy::Clinician => {
            for c in clinicians {
                let t = tallies.remove(&Key::Clinician(Some(c.id)));
                if t.is_some() || whole_practice {
                    rows.push(row(c.name.clone(), None, t));
                }
            }
            if let Some(t) = tallies.remove(&Key::Clinician(None)) {
                rows.push(row("(no clinician)".to_string(), None, Some(t)));
            }
        }
        GroupBy::Client => {
            let names = gather::client_names(conn, query)?;
            for (key, t) in tallies {
                if let Key::Client(id) = key {
                    let name = names.get(&id).cloned().unwrap_or_else(|| format!("#{id}"));
                    rows.push(row(name, Some(id), Some(t)));
                }
            }
            rows.sort_by_cached_key(|r| {
                (
                    std::cmp::Reverse(r.minutes),
                    r.key.to_lowercase(),
                    r.client_id,
                )
            });
        }
    }
    Ok(rows)
}

/// One line per capitation contract: what its PMPM pays for at each clinician's cost, against
/// the minutes actually spent per member month.
fn break_even(
    query: &RevenueQuery,
    contracts: &HashMap<ContractId, Contract>,
    clinicians: &[crate::domain::Clinician],
    per_contract: &HashMap<ContractId, Tally>,
) -> Vec<BreakEven> {
    let mut capitation: Vec<&Contract> = contracts
        .values()
        .filter(|c| c.model == ContractModel::Capitation)
        .collect();
    capitation.sort_by_key(|c| (c.name.to_lowercase(), c.id));
    capitation
        .into_iter()
        .filter_map(|contract| {
            let tally = per_contract.get(&contract.id);
            if query.client.is_some() && tally.is_none() {
                return None;
            }
            let tally = tally.copied().unwrap_or_default();
            let pmpm = contract.rate_on(query.to.first_day());
            let per_clinician = clinicians
                .iter()
                .filter(|c| query.clinician.is_none_or(|id| id == c.id))
                .filter_map(|c| {
                    break_even_minutes(pmpm, c.hourly_cost_cents)
                        .map(|m| (c.name.clone(), c.hourly_cost_cents, m))
                })
                .collect();
            Some(BreakEven {
                contract: contract.name.clone(),
                pmpm,
                per_clinician,
                actual_minutes_per_member_month: minutes_per_member_month(
                    tally.minutes,
                    tally.member_months,
                ),
                member_months: tally.member_months.as_f64(),
                minutes: tally.minutes,
            })
        })
        .collect()
}

#[cfg(test)]
mod summary_tests;
#[cfg(test)]
mod tests;
