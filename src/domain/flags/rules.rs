//! The nine rules of SPEC section 4, one small function each, and `evaluate` that runs them.
//! Every rule reads only the facts, the intervals and the `today` it is given.

use super::{ClientFacts, Flag, FlagKind, ScoreTrend};
use crate::domain::dates::days_between;
use crate::domain::{ClientStatus, EncounterStatus, EventKind, Instrument, Intervals};
use chrono::{Duration, NaiveDate};

/// Days after an acute event within which a contact must follow (the 7-day follow-up).
pub const FOLLOW_UP_DAYS: i64 = 7;
/// How long after an acute event the post-discharge flag can fire.
pub const FOLLOW_UP_WINDOW_DAYS: i64 = 30;
/// Days from joining the panel to the first contact before "never seen" fires.
pub const FIRST_CONTACT_DAYS: i64 = 14;
/// Days from a PHQ-9/GAD-7 baseline by which a 50% reduction is expected (10 weeks).
pub const IMPROVEMENT_DAYS: i64 = 70;
/// A baseline at or above this is expected to halve (SPEC: for PHQ-9 and GAD-7 alike).
pub const IMPROVEMENT_BASELINE: i64 = 10;
/// PHQ-9 item 9 (thoughts of being better off dead or of self-harm), zero-based.
pub const PHQ9_ITEM9: usize = 8;

/// All flags for one client as of `today`, in [`FlagKind`] order. Only active clients carry
/// flags.
pub fn evaluate(facts: &ClientFacts, intervals: &Intervals, today: NaiveDate) -> Vec<Flag> {
    if facts.status != ClientStatus::Active {
        return Vec::new();
    }
    let mut flags = Vec::new();
    flags.extend(safety(facts, today));
    flags.extend(post_discharge(facts, today));
    flags.extend(never_seen(facts, today));
    flags.extend(contact_overdue(facts, intervals, today));
    flags.extend(no_baseline(facts, today));
    flags.extend(measure_overdue(facts, intervals, today));
    for (instrument, trend) in [
        (Instrument::Phq9, &facts.phq9),
        (Instrument::Gad7, &facts.gad7),
    ] {
        if let Some(trend) = trend {
            flags.extend(not_improving(instrument, trend, today));
        }
    }
    flags.extend(disengaged(facts, today));
    flags.extend(remission(facts));
    flags
}

fn flag(kind: FlagKind, due: NaiveDate, today: NaiveDate, reason: String) -> Flag {
    Flag {
        kind,
        severity: kind.severity(),
        due: Some(due),
        days_overdue: days_between(due, today).max(0),
        reason,
    }
}

fn plus(date: NaiveDate, days: i64) -> NaiveDate {
    date + Duration::days(days)
}

/// "1 day" / "11 days".
fn days(n: i64) -> String {
    crate::domain::text::count(n, "day", "days")
}

/// Latest PHQ-9 recorded with items and item 9 ≥ 1.
fn safety(facts: &ClientFacts, today: NaiveDate) -> Option<Flag> {
    let phq9 = facts.phq9.as_ref()?;
    let item9 = *facts.phq9_latest_items.as_ref()?.get(PHQ9_ITEM9)?;
    (item9 >= 1).then(|| {
        flag(
            FlagKind::Safety,
            phq9.latest_date,
            today,
            format!(
                "PHQ-9 item 9 (self-harm) = {item9} on {} (total {}); review safety",
                phq9.latest_date, phq9.latest
            ),
        )
    })
}

/// The latest acute event within 30 days, with no contact dated after its day.
fn post_discharge(facts: &ClientFacts, today: NaiveDate) -> Option<Flag> {
    let event = facts.acute_event.as_ref()?;
    let since = days_between(event.date, today);
    if !(0..=FOLLOW_UP_WINDOW_DAYS).contains(&since) {
        return None;
    }
    let followed = event
        .first_contact_after
        .is_some_and(|c| c > event.date && c <= today);
    if followed {
        return None;
    }
    let due = plus(event.date, FOLLOW_UP_DAYS);
    let what = match event.kind {
        EventKind::InpatientDischarge => "discharged",
        EventKind::EdVisit => "ED visit",
    };
    Some(flag(
        FlagKind::PostDischarge,
        due,
        today,
        format!(
            "{what} {}; follow-up due by {due} ({FOLLOW_UP_DAYS}-day)",
            event.date
        ),
    ))
}

/// No contact ever, more than 14 days after joining the panel.
fn never_seen(facts: &ClientFacts, today: NaiveDate) -> Option<Flag> {
    if facts.first_contact.is_some() || facts.last_contact.is_some() {
        return None;
    }
    let on_panel = days_between(facts.since, today);
    (on_panel > FIRST_CONTACT_DAYS).then(|| {
        flag(
            FlagKind::NeverSeen,
            plus(facts.since, FIRST_CONTACT_DAYS),
            today,
            format!(
                "on the panel since {} ({}) with no contact; first contact due within {FIRST_CONTACT_DAYS}",
                facts.since,
                days(on_panel)
            ),
        )
    })
}

/// Last contact longer ago than the tier's interval.
fn contact_overdue(facts: &ClientFacts, intervals: &Intervals, today: NaiveDate) -> Option<Flag> {
    let last = facts.last_contact?;
    let interval = intervals.contact(facts.tier);
    let ago = days_between(last, today);
    (ago > interval).then(|| {
        flag(
            FlagKind::ContactOverdue,
            plus(last, interval),
            today,
            format!(
                "last contact {last} ({} ago; {} tier: every {interval})",
                days(ago),
                facts.tier
            ),
        )
    })
}

/// Seen at least once and never measured.
fn no_baseline(facts: &ClientFacts, today: NaiveDate) -> Option<Flag> {
    let first = facts.first_contact.or(facts.last_contact)?;
    if facts.last_measured.is_some() || facts.phq9.is_some() || facts.gad7.is_some() {
        return None;
    }
    Some(flag(
        FlagKind::NoBaseline,
        first,
        today,
        format!("first contact {first}; no outcome measure recorded since"),
    ))
}

/// Latest measurement of any instrument longer ago than the measurement interval.
fn measure_overdue(facts: &ClientFacts, intervals: &Intervals, today: NaiveDate) -> Option<Flag> {
    let last = facts.last_measured?;
    let interval = intervals.measure;
    let ago = days_between(last, today);
    (ago > interval).then(|| {
        flag(
            FlagKind::MeasureOverdue,
            plus(last, interval),
            today,
            format!("last measured {last} ({} ago; every {interval})", days(ago)),
        )
    })
}

/// Percent change from baseline to latest, truncated toward zero, signed with a true minus.
pub fn percent_change(baseline: i64, latest: i64) -> String {
    if baseline == 0 {
        return "n/a".to_string();
    }
    let pct = (latest - baseline) * 100 / baseline;
    match pct.signum() {
        -1 => format!("−{}%", -pct),
        1 => format!("+{pct}%"),
        _ => "0%".to_string(),
    }
}

/// A baseline ≥ 10, ten weeks or more ago, and less than a 50% reduction since.
fn not_improving(instrument: Instrument, trend: &ScoreTrend, today: NaiveDate) -> Option<Flag> {
    let since_baseline = days_between(trend.baseline_date, today);
    let fires = trend.baseline >= IMPROVEMENT_BASELINE
        && since_baseline >= IMPROVEMENT_DAYS
        && trend.latest * 2 > trend.baseline;
    if !fires {
        return None;
    }
    let name = instrument.name();
    let target = IMPROVEMENT_DAYS / 7;
    let reason = if trend.previous.is_none() {
        format!(
            "{name} baseline {} on {}, not re-measured in {} weeks; target −50% by week {target}",
            trend.baseline,
            trend.baseline_date,
            since_baseline / 7
        )
    } else {
        format!(
            "{name} {} → {} ({}) at week {}; target −50% by week {target}",
            trend.baseline,
            trend.latest,
            percent_change(trend.baseline, trend.latest),
            days_between(trend.baseline_date, trend.latest_date) / 7
        )
    };
    Some(flag(
        FlagKind::NotImproving,
        plus(trend.baseline_date, IMPROVEMENT_DAYS),
        today,
        reason,
    ))
}

/// Whether an active client with these facts is disengaged: their two most recent
/// contact-kind encounters both missed (no-show or cancelled). The `disengaged` flag fires
/// exactly when this holds; the fairness audit counts it without building the flag.
pub fn is_disengaged(facts: &ClientFacts) -> bool {
    let missed = |s: EncounterStatus| s != EncounterStatus::Completed;
    facts.status == ClientStatus::Active
        && matches!(facts.recent_attempts.get(..2), Some([later, earlier])
            if missed(later.status) && missed(earlier.status))
}

/// The two most recent contact-kind encounters both missed (no-show or cancelled).
fn disengaged(facts: &ClientFacts, today: NaiveDate) -> Option<Flag> {
    let [later, earlier] = facts.recent_attempts.get(..2)? else {
        return None;
    };
    is_disengaged(facts).then(|| {
        flag(
            FlagKind::Disengaged,
            later.date,
            today,
            format!(
                "last two scheduled contacts missed: {} {}, {} {}",
                earlier.status, earlier.date, later.status, later.date
            ),
        )
    })
}

/// PHQ-9 from a baseline ≥ 10 to a latest below 5: consider stepping care down.
fn remission(facts: &ClientFacts) -> Option<Flag> {
    let phq9 = facts.phq9.as_ref()?;
    let def = Instrument::Phq9.def();
    let below = def.remission_below?;
    (def.remission(phq9.baseline, phq9.latest) == Some(true)).then(|| Flag {
        kind: FlagKind::Remission,
        severity: FlagKind::Remission.severity(),
        due: None,
        days_overdue: 0,
        reason: format!(
            "PHQ-9 {} → {} (below {below}) on {}; consider step-down",
            phq9.baseline, phq9.latest, phq9.latest_date
        ),
    })
}
