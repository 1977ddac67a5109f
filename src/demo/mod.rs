//! The demo practice: a realistic synthetic practice (three clinicians, three contracts, a
//! panel across tiers and statuses, a year of encounters, outcome trajectories and acute
//! events) so every flag and report has something real to show. The same seed and today give
//! the same practice.

mod names;
mod rng;

use crate::domain::{
    ClientId, ClientStatus, ClinicianId, ContractId, ContractModel, EncounterKind, EncounterStatus,
    EventKind, Instrument, Money, Percent, Proration, Role, Tier,
};
use crate::error::{Error, Result};
use crate::store::{Store, Tx, bulk, clients, clinicians, contracts};
use chrono::{Duration, NaiveDate};
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

/// How a client's scores move over treatment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Course {
    Improving,
    Stalling,
    Worsening,
    Remitting,
}

struct Practice {
    clinicians: [ClinicianId; 3],
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
    if clients::count(store.conn())? > 0 {
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
        let step = (clients / 50).max(1);
        for i in 0..clients {
            one_client(tx, &practice, &mut rng, i, today, &mut summary)?;
            if i % step == 0 {
                progress(i, clients);
            }
        }
        progress(clients, clients);
        tx.audit(
            "demo.generate",
            None,
            &format!("{clients} clients, seed {seed}"),
        )?;
        Ok(summary)
    })
}

fn setup(tx: &Tx, today: NaiveDate) -> Result<Practice> {
    let dana = clinicians::insert(tx, "Dana Reyes", Role::Admin, Money(7_500))?;
    let sam = clinicians::insert(tx, "Sam Okafor", Role::Clinician, Money(5_500))?;
    let priya = clinicians::insert(tx, "Priya Natarajan", Role::Supervisor, Money(8_500))?;
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
    Ok(Practice {
        clinicians: [dana, sam, priya],
        harbor,
        valley,
        bright,
    })
}

fn minutes_for(kind: EncounterKind, rng: &mut Rng) -> i64 {
    (kind.typical_minutes() + rng.range(-1, 2) * 5).max(5)
}

/// A score on an instrument for a client `weeks` into treatment on a course.
fn score_at(baseline: i64, course: Course, weeks: i64, max: i64, rng: &mut Rng) -> i64 {
    let progress = (weeks as f64 / 14.0).min(1.0);
    let target = match course {
        Course::Improving => baseline as f64 * 0.4,
        Course::Remitting => 2.0,
        Course::Stalling => baseline as f64 * 0.85,
        Course::Worsening => baseline as f64 * 1.3 + 2.0,
    };
    let value = baseline as f64 + (target - baseline as f64) * progress + rng.range(-2, 2) as f64;
    (value.round() as i64).clamp(0, max)
}

/// Item responses that sum to `total`, with item 9 (index 8) set as asked for PHQ-9.
fn items_for(
    total: i64,
    count: usize,
    item_max: i64,
    item9: Option<i64>,
    rng: &mut Rng,
) -> Vec<i64> {
    let mut items = vec![0i64; count];
    let mut left = total;
    if let Some(v) = item9 {
        let v = v.min(left).min(item_max);
        items[8] = v;
        left -= v;
    }
    let free: Vec<usize> = (0..count).filter(|i| item9.is_none() || *i != 8).collect();
    let mut guard = 0;
    while left > 0 && guard < 10_000 {
        let i = *rng.pick(&free);
        if items[i] < item_max {
            items[i] += 1;
            left -= 1;
        }
        guard += 1;
    }
    if left > 0 {
        // Only when the total exceeds what the free items can hold: put the rest anywhere.
        for item in items.iter_mut() {
            let room = (item_max - *item).min(left);
            *item += room;
            left -= room;
        }
    }
    items
}

fn one_client(
    tx: &Tx,
    practice: &Practice,
    rng: &mut Rng,
    index: u32,
    today: NaiveDate,
    summary: &mut DemoSummary,
) -> Result<()> {
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
    let primary = practice.clinicians[rng.weighted(&[40, 40, 20])];
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
    history(
        tx, practice, rng, client, primary, tier, pattern, since, last_day, today, summary,
    )
}

/// An acute-care event in a client's treatment and what followed it.
struct Acute {
    on: NaiveDate,
    kind: EventKind,
    /// The follow-up call or session, when the practice reached the client.
    follow_up: Option<NaiveDate>,
    /// Without follow-up the client goes quiet: visits scheduled up to this day are missed.
    quiet_until: NaiveDate,
}

/// Acute events all year round while a client is in treatment (`from` to `until`), more often
/// in the high tier: a chance in each 30 days of 10%, 4% and 1.5% by tier, about 25 events per
/// 90 days on 250 clients, so both value-report periods have some. Seven in ten are followed
/// by a call or session 1–10 days later; after the others the client misses what was
/// scheduled for the next 1–5 weeks, which is what makes follow-up worth measuring.
fn acute_events(rng: &mut Rng, tier: Tier, from: NaiveDate, until: NaiveDate) -> Vec<Acute> {
    let monthly = match tier {
        Tier::High => 0.10,
        Tier::Moderate => 0.04,
        Tier::Low => 0.015,
    };
    let mut events = Vec::new();
    let mut window = from;
    while window <= until {
        if rng.chance(monthly) {
            let on = window + Duration::days(rng.range(0, 29));
            if on <= until {
                let kind = if rng.chance(0.5) {
                    EventKind::EdVisit
                } else {
                    EventKind::InpatientDischarge
                };
                let (follow_up, quiet_until) = if rng.chance(0.7) {
                    (Some(on + Duration::days(rng.range(1, 10))), on)
                } else {
                    (None, on + Duration::days(rng.range(7, 35)))
                };
                events.push(Acute {
                    on,
                    kind,
                    follow_up,
                    quiet_until,
                });
            }
        }
        window += Duration::days(30);
    }
    events
}

#[allow(clippy::too_many_arguments)]
fn history(
    tx: &Tx,
    practice: &Practice,
    rng: &mut Rng,
    client: ClientId,
    primary: ClinicianId,
    tier: Tier,
    pattern: Pattern,
    since: NaiveDate,
    last_day: NaiveDate,
    today: NaiveDate,
    summary: &mut DemoSummary,
) -> Result<()> {
    let mut log = |date: NaiveDate,
                   kind: EncounterKind,
                   status: EncounterStatus,
                   who: ClinicianId,
                   rng: &mut Rng|
     -> Result<()> {
        let minutes = match status {
            EncounterStatus::Completed => minutes_for(kind, rng),
            EncounterStatus::NoShow => 5,
            EncounterStatus::Cancelled => 0,
        };
        summary.encounters += 1;
        bulk::encounter(tx, client, who, date, kind, status, minutes, None)
    };

    if pattern == Pattern::NeverSeen {
        // Attempts that did not reach the client.
        let mut d = since + Duration::days(rng.range(1, 4));
        while d <= today {
            log(
                d,
                EncounterKind::Outreach,
                EncounterStatus::Completed,
                primary,
                rng,
            )?;
            d += Duration::days(rng.range(5, 12));
        }
        return Ok(());
    }

    let interval = match (tier, pattern) {
        (_, Pattern::LowTouch) => 26,
        (Tier::High, _) => 6,
        (Tier::Moderate, _) => 11,
        (Tier::Low, _) => 22,
    };
    let course = [
        Course::Improving,
        Course::Stalling,
        Course::Worsening,
        Course::Remitting,
    ][rng.weighted(&[45, 30, 10, 15])];
    let measures = !rng.chance(0.05); // a few are never measured: no baseline
    let measure_gap = rng.chance(0.2); // some stop being measured: measurement overdue
    let measure_stop = today - Duration::days(rng.range(35, 80));
    let phq_baseline = rng.range(6, 24);
    let gad = rng.chance(0.6);
    let gad_baseline = rng.range(5, 19);
    let safety = rng.chance(0.04);
    let social_needs = rng.chance(0.25);

    // Most new clients are seen within 12 days; about one in six waits 15–40 (a full schedule,
    // calls not returned), so "seen within 14 days" is a measure and not a given. The wait
    // shows as outreach attempts, which are not contacts.
    let wait = if rng.chance(0.17) {
        rng.range(15, 40)
    } else {
        rng.range(0, 12)
    };
    let first = since + Duration::days(wait);
    if wait >= 15 {
        let mut d = since + Duration::days(rng.range(2, 6));
        while d < first.min(today) {
            log(
                d,
                EncounterKind::Outreach,
                EncounterStatus::Completed,
                primary,
                rng,
            )?;
            d += Duration::days(rng.range(6, 12));
        }
    }
    // Drawn before the visits, because an event without follow-up changes them.
    let acute = acute_events(rng, tier, first, last_day.min(today));
    let mut d = first;
    let mut contacts = 0;
    let mut last_measured: Option<NaiveDate> = None;
    while d <= last_day.min(today) {
        let kind = if contacts == 0 {
            EncounterKind::Intake
        } else {
            [
                EncounterKind::Session,
                EncounterKind::Telehealth,
                EncounterKind::Phone,
                EncounterKind::Group,
                EncounterKind::Family,
                EncounterKind::Crisis,
            ][rng.weighted(&[55, 25, 8, 6, 5, 1])]
        };
        let lost = acute
            .iter()
            .any(|a| a.follow_up.is_none() && d > a.on && d <= a.quiet_until);
        let status = if contacts == 0 {
            EncounterStatus::Completed
        } else if lost {
            EncounterStatus::NoShow
        } else {
            [
                EncounterStatus::Completed,
                EncounterStatus::NoShow,
                EncounterStatus::Cancelled,
            ][rng.weighted(&[85, 9, 6])]
        };
        let who = if kind == EncounterKind::Group && rng.chance(0.5) {
            *rng.pick(&practice.clinicians)
        } else {
            primary
        };
        log(d, kind, status, who, rng)?;
        if status == EncounterStatus::Completed {
            contacts += 1;
            if kind == EncounterKind::Intake {
                log(
                    d,
                    EncounterKind::Documentation,
                    EncounterStatus::Completed,
                    primary,
                    rng,
                )?;
            }
            let weeks = (d - first).num_days() / 7;
            let due = last_measured.is_none_or(|m| (d - m).num_days() >= 25);
            if measures && due && !(measure_gap && d > measure_stop) {
                let def = Instrument::Phq9.def();
                let total = score_at(phq_baseline, course, weeks, def.total_max, rng);
                let with_items = rng.chance(0.45) || safety;
                let items = with_items.then(|| {
                    let item9 = if safety && d + Duration::days(40) > last_day {
                        Some(1)
                    } else {
                        Some(0)
                    };
                    items_for(total.max(1), 9, 3, item9, rng)
                });
                let total = items.as_ref().map_or(total, |i| i.iter().sum());
                bulk::measurement(tx, client, d, Instrument::Phq9, total, items.as_deref())?;
                summary.measurements += 1;
                if gad {
                    let total = score_at(gad_baseline, course, weeks, 21, rng);
                    bulk::measurement(tx, client, d, Instrument::Gad7, total, None)?;
                    summary.measurements += 1;
                }
                last_measured = Some(d);
            }
            if rng.chance(0.2) {
                bulk::measurement(tx, client, d, Instrument::Srs, rng.range(29, 40), None)?;
                summary.measurements += 1;
            }
        } else if rng.chance(0.5) {
            log(
                d + Duration::days(1),
                EncounterKind::Outreach,
                EncounterStatus::Completed,
                primary,
                rng,
            )?;
        }
        if social_needs && rng.chance(0.35) {
            log(
                d,
                EncounterKind::CaseManagement,
                EncounterStatus::Completed,
                primary,
                rng,
            )?;
        }
        if rng.chance(0.12) {
            log(
                d,
                EncounterKind::Coordination,
                EncounterStatus::Completed,
                primary,
                rng,
            )?;
        }
        d += Duration::days((interval + rng.range(-2, 3)).max(1));
    }

    if pattern == Pattern::Drifting && rng.chance(0.6) {
        let mut d = last_day + Duration::days(rng.range(5, 10));
        while d < today {
            log(
                d,
                EncounterKind::Outreach,
                EncounterStatus::Completed,
                primary,
                rng,
            )?;
            d += Duration::days(rng.range(7, 14));
        }
    }
    if pattern == Pattern::Disengaged {
        // The two most recent scheduled contacts did not happen.
        let a = today - Duration::days(rng.range(8, 20));
        let b = a + Duration::days(rng.range(3, 7));
        log(
            a,
            EncounterKind::Session,
            EncounterStatus::NoShow,
            primary,
            rng,
        )?;
        log(
            b.min(today),
            EncounterKind::Telehealth,
            EncounterStatus::Cancelled,
            primary,
            rng,
        )?;
    }

    for a in &acute {
        bulk::event(tx, client, a.on, a.kind)?;
        summary.events += 1;
        if let Some(follow) = a.follow_up.filter(|f| *f <= today) {
            let kind = if rng.chance(0.7) {
                EncounterKind::Phone
            } else {
                EncounterKind::Session
            };
            log(follow, kind, EncounterStatus::Completed, primary, rng)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::parse_date;

    fn counts(store: &Store) -> (i64, i64, i64, i64) {
        let c = store.conn();
        let n = |t: &str| {
            c.query_row(&format!("SELECT count(*) FROM {t}"), [], |r| r.get(0))
                .unwrap()
        };
        (
            n("clients"),
            n("encounters"),
            n("measurements"),
            n("events"),
        )
    }

    #[test]
    fn the_same_seed_gives_the_same_practice() {
        let today = parse_date("2026-11-23").unwrap();
        let mut a = Store::open_in_memory().unwrap();
        let mut b = Store::open_in_memory().unwrap();
        let sa = generate(&mut a, 60, 3, today, &mut |_, _| {}).unwrap();
        let sb = generate(&mut b, 60, 3, today, &mut |_, _| {}).unwrap();
        assert_eq!(sa, sb);
        assert_eq!(counts(&a), counts(&b));
        let names = |s: &Store| -> Vec<String> {
            let mut st = s
                .conn()
                .prepare("SELECT name FROM clients ORDER BY id")
                .unwrap();
            st.query_map([], |r| r.get(0))
                .unwrap()
                .map(|r| r.unwrap())
                .collect()
        };
        assert_eq!(names(&a), names(&b));
        let (clients, encounters, measurements, _) = counts(&a);
        assert_eq!(clients, 60);
        assert!(encounters > 60 * 5, "a year of work: {encounters}");
        assert!(measurements > 60);
    }

    /// The demo gives the value measures something to show: some new clients wait more than
    /// 14 days for a first contact, and acute events fall in both 90-day periods of the value
    /// report, most but not all followed by a contact within 7 days.
    #[test]
    fn the_demo_gives_the_value_measures_a_story() {
        let today = parse_date("2026-11-23").unwrap();
        let mut store = Store::open_in_memory().unwrap();
        generate(&mut store, 250, 7, today, &mut |_, _| {}).unwrap();
        let c = store.conn();
        let contact = format!(
            "e.status = 'completed' AND e.kind IN {}",
            EncounterKind::CONTACT_KINDS_SQL
        );
        let (seen, late): (i64, i64) = c
            .query_row(
                &format!(
                    "SELECT count(*), sum(wait > 14) FROM (
                       SELECT julianday(min(e.date)) - julianday(c.since) AS wait
                       FROM clients c JOIN encounters e ON e.client_id = c.id
                       WHERE {contact} GROUP BY c.id)"
                ),
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap();
        let share = late as f64 / seen as f64;
        assert!((0.08..0.3).contains(&share), "{late} of {seen} seen late");

        let events = |from: i64, to: i64| -> (i64, i64) {
            c.query_row(
                &format!(
                    "SELECT count(*), coalesce(sum(EXISTS (
                        SELECT 1 FROM encounters e WHERE e.client_id = v.client_id AND {contact}
                          AND e.date > v.date AND julianday(e.date) - julianday(v.date) <= 7)), 0)
                     FROM events v
                     WHERE julianday(?1) - julianday(v.date) BETWEEN ?2 AND ?3"
                ),
                rusqlite::params![today.to_string(), from, to],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap()
        };
        let (this, this_followed) = events(0, 89);
        let (previous, previous_followed) = events(90, 179);
        assert!(this > 5 && previous > 5, "events: {this} and {previous}");
        let followed = (this_followed + previous_followed) as f64 / (this + previous) as f64;
        assert!(
            (0.4..0.95).contains(&followed),
            "followed within 7 days: {followed}"
        );
    }

    #[test]
    fn the_demo_refuses_a_database_that_holds_a_practice() {
        let today = parse_date("2026-11-23").unwrap();
        let mut store = Store::open_in_memory().unwrap();
        generate(&mut store, 5, 1, today, &mut |_, _| {}).unwrap();
        assert!(generate(&mut store, 5, 1, today, &mut |_, _| {}).is_err());
    }

    #[test]
    fn generated_items_sum_to_the_total_and_respect_item_nine() {
        let mut rng = Rng::new(9);
        for total in 1..=27 {
            let items = items_for(total, 9, 3, Some(1), &mut rng);
            assert_eq!(items.iter().sum::<i64>(), total);
            assert!(items.iter().all(|v| (0..=3).contains(v)));
            assert!(items[8] >= 1, "item 9 stays positive");
        }
    }
}
