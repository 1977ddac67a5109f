//! The demo practice: a realistic synthetic practice (three clinicians, three contracts, a
//! panel across tiers and statuses, a year of encounters, outcome trajectories and acute
//! events) so every flag and report has something real to show. The same seed and today give
//! the same practice.

mod history;
mod names;
mod plans;
mod rng;

use crate::domain::quality::{Measure, Target};
use crate::domain::{
    ClientStatus, ClinicianId, ContractId, ContractModel, Money, Percent, Proration, Role, Tier,
};
use crate::error::{Error, Result};
use crate::store::{Store, Tx, bulk, clients, clinicians, contracts, targets};
use chrono::{Datelike, Duration, NaiveDate};
use history::history;
use rng::Rng;

/// What was generated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DemoSummary {
    pub clients: u32,
    pub encounters: u64,
    pub measurements: u64,
    pub events: u64,
}

/// How a client engages, which decides the shape of their history.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Pattern {
    Engaged,
    Drifting,
    Disengaged,
    NeverSeen,
    LowTouch,
}

struct Practice {
    clinicians: [ClinicianId; 3],
    names: [&'static str; 3],
    harbor: ContractId,
    valley: ContractId,
    bright: ContractId,
}

/// Writes a demo practice into an empty database. `progress` is called with (done, total)
/// every so often, for a progress indicator on large panels.
pub fn generate(
    store: &mut Store,
    clients: u32,
    seed: u64,
    today: NaiveDate,
    progress: &mut dyn FnMut(u32, u32),
) -> Result<DemoSummary> {
    if clients == 0 {
        return Err(Error::invalid("the demo needs at least one client"));
    }
    if store.read(|c| clients::count(c))? > 0 {
        return Err(Error::invalid(
            "this database already holds a practice; the demo is written only into an empty database (use another --db)",
        ));
    }
    store.write(|tx| {
        let practice = setup(tx, today)?;
        let mut rng = Rng::new(seed);
        let mut summary = DemoSummary {
            clients,
            encounters: 0,
            measurements: 0,
            events: 0,
        };
        let step = (clients / 200).max(1);
        let mut planned = Vec::with_capacity(clients as usize);
        for i in 0..clients {
            planned.push(one_client(tx, &practice, &mut rng, i, today, &mut summary)?);
            if i % step == 0 {
                progress(i, clients);
            }
        }
        plans::write(tx, &planned, seed, today)?;
        progress(clients, clients);
        tx.audit(
            "demo.generate",
            None,
            &format!(
                "{}, seed {seed}",
                crate::domain::text::count(clients, "client", "clients")
            ),
        )?;
        Ok(summary)
    })
}

const CLINICIANS: [&str; 3] = ["Dana Reyes", "Sam Okafor", "Priya Natarajan"];

fn setup(tx: &Tx, today: NaiveDate) -> Result<Practice> {
    let dana = clinicians::insert(tx, CLINICIANS[0], Role::Admin, Money(7_500))?;
    let sam = clinicians::insert(tx, CLINICIANS[1], Role::Clinician, Money(5_500))?;
    let priya = clinicians::insert(tx, CLINICIANS[2], Role::Supervisor, Money(8_500))?;
    let harbor = contracts::insert(
        tx,
        &contracts::NewContract {
            name: "Harbor Health".into(),
            model: ContractModel::Capitation,
            rate: Money(15_000),
            withhold: Percent(500),
            proration: Proration::FirstOfMonth,
            payer: Some("Harbor Health Plan".into()),
        },
    )?;
    // The rates and costs tell a believable story in the revenue report: Valley Medicaid's
    // PMPM does not pay for the time its members take; Harbor's mid-year increase turns it
    // profitable (months before it run under water); the EAP's case rate pays. PMPMs are for
    // an engaged panel (sub-capitation, collaborative-care range), not a whole population.
    // A mid-year rate increase, so the rate history shows in the reports.
    let raise = crate::domain::Month::of(today - Duration::days(150)).first_day();
    contracts::set_rate(tx, harbor, Money(17_000), raise)?;
    let valley = contracts::insert(
        tx,
        &contracts::NewContract {
            name: "Valley Medicaid".into(),
            model: ContractModel::Capitation,
            rate: Money(9_500),
            withhold: Percent(0),
            proration: Proration::Daily,
            payer: Some("Valley Medicaid MCO".into()),
        },
    )?;
    let bright = contracts::insert(
        tx,
        &contracts::NewContract {
            name: "Bright EAP".into(),
            model: ContractModel::CaseRate,
            rate: Money(65_000),
            withhold: Percent(200),
            proration: Proration::FirstOfMonth,
            payer: Some("Bright Employee Assistance".into()),
        },
    )?;
    // The EAP pays more for a more severe depression (the incentive the coding self-audit is
    // there to mirror), and Harbor and the EAP hold back a withhold earned with targets.
    let year = crate::domain::Month::new(today.year(), 1)
        .map_or(today, |m| m.first_day())
        .min(today);
    contracts::set_rate_for(tx, bright, Money(78_000), year, Some("F322"))?;
    contracts::set_rate_for(tx, bright, Money(78_000), year, Some("F332"))?;
    let target = |measure, pct: i64, weight| Target {
        measure,
        at_least: Percent(pct * 100),
        weight,
    };
    targets::set(tx, harbor, &target(Measure::Contacted, 80, 2))?;
    targets::set(tx, harbor, &target(Measure::Measured, 70, 1))?;
    targets::set(tx, harbor, &target(Measure::SeenWithin14, 85, 1))?;
    targets::set(tx, harbor, &target(Measure::Followed7, 60, 1))?;
    targets::set(tx, bright, &target(Measure::Response, 40, 1))?;
    targets::set(tx, bright, &target(Measure::SeenWithin14, 90, 1))?;
    Ok(Practice {
        clinicians: [dana, sam, priya],
        names: CLINICIANS,
        harbor,
        valley,
        bright,
    })
}

fn one_client(
    tx: &Tx,
    practice: &Practice,
    rng: &mut Rng,
    index: u32,
    today: NaiveDate,
    summary: &mut DemoSummary,
) -> Result<plans::Planned> {
    let name = format!("{} {}", rng.pick(names::FIRST), rng.pick(names::LAST));
    let tier = [Tier::High, Tier::Moderate, Tier::Low][rng.weighted(&[20, 55, 25])];
    let status = [
        ClientStatus::Active,
        ClientStatus::Discharged,
        ClientStatus::OnHold,
    ][rng.weighted(&[82, 11, 7])];
    let pattern = if status == ClientStatus::Active {
        [
            Pattern::Engaged,
            Pattern::Drifting,
            Pattern::Disengaged,
            Pattern::NeverSeen,
            Pattern::LowTouch,
        ][rng.weighted(&[55, 13, 7, 6, 19])]
    } else {
        Pattern::Engaged
    };
    let since = match pattern {
        Pattern::NeverSeen => today - Duration::days(rng.range(3, 45)),
        _ => today - Duration::days(rng.range(20, 365)),
    };
    let who = rng.weighted(&[40, 40, 20]);
    let primary = practice.clinicians[who];
    let contract_pick = rng.weighted(&[50, 35, 15]);
    let (contract, prefix) = match contract_pick {
        0 => (practice.harbor, "HHP"),
        1 => (practice.valley, "VMC"),
        _ => (practice.bright, "EAP"),
    };
    let external_id = format!("{prefix}-{}", 100_000 + index);
    let discharged_on = (status == ClientStatus::Discharged).then(|| {
        let span = (today - since).num_days().max(1);
        since + Duration::days(rng.range(span / 2, span))
    });
    let dob = NaiveDate::from_ymd_opt(
        rng.range(1950, 2007) as i32,
        rng.range(1, 12) as u32,
        rng.range(1, 28) as u32,
    );
    let diagnosis = *rng.pick(&[
        "F32.1", "F33.1", "F41.1", "F43.10", "F43.23", "F41.0", "F32.2", "F10.20",
    ]);
    let client = bulk::client(
        tx,
        &bulk::BulkClient {
            external_id: Some(&external_id),
            name: &name,
            dob,
            tier,
            status,
            since,
            discharged_on,
            diagnosis: Some(diagnosis),
            clinician_id: Some(primary),
        },
    )?;

    // Attribution: capitation members stay on the roster (a few terminated); a case-rate
    // client gets a 90-day episode from intake, and a second one if they came back.
    if contract == practice.bright {
        let end = since + Duration::days(89);
        bulk::attribution(tx, client, contract, since, Some(end))?;
        if end + Duration::days(30) < today && rng.chance(0.3) {
            let again = end + Duration::days(rng.range(20, 60));
            if again <= today {
                bulk::attribution(
                    tx,
                    client,
                    contract,
                    again,
                    Some(again + Duration::days(89)),
                )?;
            }
        }
    } else {
        let end = (rng.chance(0.05) && (today - since).num_days() > 60)
            .then(|| today - Duration::days(rng.range(1, 40)));
        bulk::attribution(tx, client, contract, since, end)?;
    }

    let last_day = match status {
        ClientStatus::Discharged => discharged_on.unwrap_or(today),
        ClientStatus::OnHold => today - Duration::days(rng.range(20, 60)),
        ClientStatus::Active => match pattern {
            Pattern::Drifting => today - Duration::days(rng.range(18, 60)),
            _ => today,
        },
    };
    let recent = history(
        tx, practice, rng, client, primary, tier, pattern, since, last_day, today, summary,
    )?;
    Ok(plans::Planned {
        client,
        clinician: primary,
        clinician_name: practice.names[who],
        tier,
        status,
        pattern,
        recent,
    })
}

#[cfg(test)]
mod tests;
