//! One demo client's year: visits at the tier's interval shaped by how they engage, outcome
//! scores along a course, acute events with or without follow-up, and the outreach, case
//! management and coordination around them.

use super::rng::Rng;
use super::{DemoSummary, Pattern, Practice};
use crate::domain::{
    ClientId, ClinicianId, EncounterKind, EncounterStatus, EventKind, Instrument, Tier,
};
use crate::error::Result;
use crate::store::{Tx, bulk};
use chrono::{Duration, NaiveDate};

/// How a client's scores move over treatment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Course {
    Improving,
    Stalling,
    Worsening,
    Remitting,
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
pub(super) fn items_for(
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

/// What the plans (appointments and reviews, `plans`) need from a client's history: the
/// scheduled visits of the past week and the latest PHQ-9 when its item 9 is positive.
#[derive(Debug, Clone, Default)]
pub(super) struct Recent {
    /// Visits dated in the days before today that had been booked (`plans::BOOKED_BACK_DAYS`):
    /// (date, kind, whether it took place).
    pub visits: Vec<(NaiveDate, EncounterKind, bool)>,
    /// The latest PHQ-9 (id, date) when it raised the safety flag.
    pub safety_phq9: Option<(i64, NaiveDate)>,
}

#[allow(clippy::too_many_arguments)]
pub(super) fn history(
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
) -> Result<Recent> {
    let mut recent = Recent::default();
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
        return Ok(recent);
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
        if d < today && (today - d).num_days() <= super::plans::BOOKED_BACK_DAYS {
            recent
                .visits
                .push((d, kind, status == EncounterStatus::Completed));
        }
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
                let id =
                    bulk::measurement(tx, client, d, Instrument::Phq9, total, items.as_deref())?;
                let item9 = items.as_ref().and_then(|i| i.get(8)).copied().unwrap_or(0);
                recent.safety_phq9 = (item9 >= 1).then_some((id, d));
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
    Ok(recent)
}
