//! The demo practice's plans (SPEC sections 10–11): most engaged clients have a weekly or
//! fortnightly series booked from today, in working hours, each clinician in one place at a
//! time; last week's visits were booked too (so some are kept and some no-shows), a few
//! appointments last week were never logged, and a few safety flags have been reviewed. Drawn
//! from a generator of its own, after the clients are written, so the practice itself is the
//! same with or without its plans.

use super::Pattern;
use super::rng::Rng;
use crate::domain::flags::FlagKind;
use crate::domain::flags::reviews::Review;
use crate::domain::{ClientId, ClientStatus, ClinicianId, EncounterKind, Tier};
use crate::error::Result;
use crate::store::{Tx, bulk};
use chrono::{Datelike, Duration, NaiveDate};
use std::collections::HashSet;

/// What a client's plans are drawn from.
pub(super) struct Planned {
    pub client: ClientId,
    pub clinician: ClinicianId,
    /// The clinician's name, for a review's "by".
    pub clinician_name: &'static str,
    pub tier: Tier,
    pub status: ClientStatus,
    pub pattern: Pattern,
    pub recent: super::history::Recent,
}

/// Session times: mornings and afternoons, an hour each, lunch at noon.
const HOURS: [&str; 8] = [
    "09:00", "10:00", "11:00", "13:00", "14:00", "15:00", "16:00", "17:00",
];
/// How far back the visits had been booked (last week and this week so far).
pub(super) const BOOKED_BACK_DAYS: i64 = 14;
/// A weekly series books two months ahead, a fortnightly one three.
const WEEKLY: usize = 8;
const FORTNIGHTLY: usize = 6;

const SAFETY_NOTES: [&str; 3] = [
    "Safety plan reviewed with the client; no current plan or intent",
    "Assessed with the C-SSRS screener: passive ideation only; safety plan updated",
    "Discussed in supervision; crisis line and safety plan in place, family aware",
];

/// Each clinician's hours on a two-week cycle of weekdays from the Monday of this week: a
/// weekly client holds the same hour on the same weekday of both weeks, a fortnightly one an
/// hour on one day of the fourteen.
#[derive(Default)]
struct Diary {
    /// (clinician, day of the cycle 0–13, hour index) taken.
    cycle: HashSet<(ClinicianId, i64, usize)>,
    /// (clinician, date, hour index) taken by a single appointment.
    dated: HashSet<(ClinicianId, NaiveDate, usize)>,
    /// Clinicians whose cycle has no room left for a series of this length (in days).
    full: HashSet<(ClinicianId, i64)>,
}

impl Diary {
    /// A free (day of the cycle, hour) for a series every `every` days (7 or 14), starting the
    /// search at a random place so hours spread over the week.
    fn series_slot(&mut self, who: ClinicianId, every: i64, rng: &mut Rng) -> Option<(i64, usize)> {
        if self.full.contains(&(who, every)) {
            return None;
        }
        let days: Vec<i64> = (0..every).filter(|d| d % 7 < 5).collect();
        let slots = days.len() * HOURS.len();
        let start = rng.range(0, slots as i64 - 1) as usize;
        for step in 0..slots {
            let i = (start + step) % slots;
            let (day, hour) = (days[i / HOURS.len()], i % HOURS.len());
            let held: Vec<i64> = (day..14).step_by(every as usize).collect();
            if held.iter().all(|d| !self.cycle.contains(&(who, *d, hour))) {
                for d in held {
                    self.cycle.insert((who, d, hour));
                }
                return Some((day, hour));
            }
        }
        self.full.insert((who, every));
        None
    }

    /// A free hour for a single appointment on `day`. One from the Monday of this week on
    /// also holds its hour of the cycle, so no series booked later lands on it.
    fn day_slot(
        &mut self,
        who: ClinicianId,
        day: NaiveDate,
        monday: NaiveDate,
        rng: &mut Rng,
    ) -> Option<usize> {
        let cycle_day = (day >= monday).then(|| (day - monday).num_days() % 14);
        let start = rng.range(0, HOURS.len() as i64 - 1) as usize;
        let hour = (0..HOURS.len())
            .map(|step| (start + step) % HOURS.len())
            .find(|h| {
                !self.dated.contains(&(who, day, *h))
                    && cycle_day.is_none_or(|d| !self.cycle.contains(&(who, d, *h)))
            })?;
        self.dated.insert((who, day, hour));
        if let Some(d) = cycle_day {
            self.cycle.insert((who, d, hour));
        }
        Some(hour)
    }
}

/// Writes the plans of every client.
pub(super) fn write(tx: &Tx, clients: &[Planned], seed: u64, today: NaiveDate) -> Result<()> {
    let mut rng = Rng::new(seed ^ 0x00A9_E0DA_0000_0014);
    let monday = today - Duration::days(i64::from(today.weekday().num_days_from_monday()));
    let mut diary = Diary::default();
    let mut safety = 0;
    for c in clients.iter().filter(|c| c.status == ClientStatus::Active) {
        let chance = match c.pattern {
            Pattern::Engaged => 0.85,
            Pattern::LowTouch => 0.6,
            Pattern::NeverSeen => 0.5,
            Pattern::Drifting => 0.15,
            Pattern::Disengaged => 0.0,
        };
        let books = rng.chance(chance);
        let kind = if rng.chance(0.3) {
            EncounterKind::Telehealth
        } else {
            EncounterKind::Session
        };
        if books && c.pattern == Pattern::NeverSeen {
            // Not seen yet: an intake in the coming week.
            let mut day = today + Duration::days(rng.range(1, 6));
            while day.weekday().num_days_from_monday() >= 5 {
                day += Duration::days(1);
            }
            if let Some(hour) = diary.day_slot(c.clinician, day, monday, &mut rng) {
                let time = Some(HOURS[hour]);
                let intake = EncounterKind::Intake;
                let minutes = intake.typical_minutes();
                bulk::appointments(tx, c.client, c.clinician, &[day], time, intake, minutes)?;
            }
        } else if books {
            let every = if c.tier == Tier::High { 7 } else { 14 };
            if let Some((day, hour)) = diary.series_slot(c.clinician, every, &mut rng) {
                let mut first = monday + Duration::days(day);
                while first < today {
                    first += Duration::days(every);
                }
                let count = if every == 7 { WEEKLY } else { FORTNIGHTLY };
                let days: Vec<NaiveDate> = (0..count as i64)
                    .map(|i| first + Duration::days(i * every))
                    .collect();
                let minutes = kind.typical_minutes();
                bulk::appointments(
                    tx,
                    c.client,
                    c.clinician,
                    &days,
                    Some(HOURS[hour]),
                    kind,
                    minutes,
                )?;
            }
        }
        // Last week's visits were booked: kept, or no-shows, as they went.
        for (day, visit, _) in &c.recent.visits {
            if rng.chance(0.8)
                && let Some(hour) = diary.day_slot(c.clinician, *day, monday, &mut rng)
            {
                let minutes = visit.typical_minutes();
                bulk::appointments(
                    tx,
                    c.client,
                    c.clinician,
                    &[*day],
                    Some(HOURS[hour]),
                    *visit,
                    minutes,
                )?;
            }
        }
        // Now and then one that nobody logged: did it happen?
        if books && c.recent.visits.is_empty() && rng.chance(0.12) {
            let day = today - Duration::days(rng.range(1, 7));
            let weekday = day.weekday().num_days_from_monday() < 5;
            if weekday && let Some(hour) = diary.day_slot(c.clinician, day, monday, &mut rng) {
                let minutes = kind.typical_minutes();
                bulk::appointments(
                    tx,
                    c.client,
                    c.clinician,
                    &[day],
                    Some(HOURS[hour]),
                    kind,
                    minutes,
                )?;
            }
        }
        // A few safety flags have been assessed and signed off; the first always stays open.
        if let Some((phq9, measured)) = c.recent.safety_phq9 {
            let review = safety > 0 && rng.chance(0.45);
            safety += 1;
            if review {
                let date = (measured + Duration::days(rng.range(0, 2))).min(today);
                let review = Review {
                    kind: FlagKind::Safety,
                    date,
                    by: c.clinician_name.to_string(),
                    note: rng.pick(&SAFETY_NOTES).to_string(),
                    until: None,
                    measurement_id: Some(phq9),
                };
                bulk::review(tx, c.client, &review)?;
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_weekly_client_holds_an_hour_in_both_weeks_and_the_cycle_fills_up() {
        let mut diary = Diary::default();
        let mut rng = Rng::new(1);
        let who = ClinicianId(1);
        let (day, hour) = diary.series_slot(who, 7, &mut rng).unwrap();
        assert!(day < 5);
        assert!(diary.cycle.contains(&(who, day, hour)));
        assert!(diary.cycle.contains(&(who, day + 7, hour)));
        // 10 weekdays × 8 hours: 78 more fortnightly hours, then none.
        for _ in 0..78 {
            assert!(diary.series_slot(who, 14, &mut rng).is_some());
        }
        assert_eq!(diary.series_slot(who, 14, &mut rng), None);
        assert_eq!(diary.series_slot(who, 7, &mut rng), None);
        assert!(
            diary.series_slot(ClinicianId(2), 7, &mut rng).is_some(),
            "per clinician"
        );
    }
}
