//! The flag rules of SPEC section 4 as data and one pure function: the facts about a client,
//! the practice's intervals and today go in; flags come out, each with its severity, due date,
//! days overdue and a reason a clinician can read. No clock, no database, no terminal here.

mod priority;
pub mod reviews;
mod rules;
pub mod windows;

#[cfg(test)]
pub(crate) mod history;
#[cfg(test)]
mod props;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod windows_props;

pub use priority::{Priority, sort_by_priority};
pub use rules::{FIRST_CONTACT_DAYS, evaluate, is_disengaged};

use super::{ClientStatus, EncounterStatus, EventKind, Tier};
use chrono::NaiveDate;
use serde::Serialize;
use std::fmt;

/// What a flag is about. The order is SPEC section 4's table order, which is also the order of
/// a client's flags in every listing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FlagKind {
    Safety,
    PostDischarge,
    NeverSeen,
    ContactOverdue,
    NoBaseline,
    MeasureOverdue,
    NotImproving,
    Disengaged,
    Remission,
}

impl FlagKind {
    pub const ALL: [FlagKind; 9] = [
        FlagKind::Safety,
        FlagKind::PostDischarge,
        FlagKind::NeverSeen,
        FlagKind::ContactOverdue,
        FlagKind::NoBaseline,
        FlagKind::MeasureOverdue,
        FlagKind::NotImproving,
        FlagKind::Disengaged,
        FlagKind::Remission,
    ];

    /// The word used in JSON and CSV (`contact_overdue`).
    pub fn as_str(self) -> &'static str {
        match self {
            FlagKind::Safety => "safety",
            FlagKind::PostDischarge => "post_discharge",
            FlagKind::NeverSeen => "never_seen",
            FlagKind::ContactOverdue => "contact_overdue",
            FlagKind::NoBaseline => "no_baseline",
            FlagKind::MeasureOverdue => "measure_overdue",
            FlagKind::NotImproving => "not_improving",
            FlagKind::Disengaged => "disengaged",
            FlagKind::Remission => "remission",
        }
    }

    /// A short label for people (`contact overdue`).
    pub fn label(self) -> &'static str {
        match self {
            FlagKind::Safety => "safety",
            FlagKind::PostDischarge => "post-discharge follow-up",
            FlagKind::NeverSeen => "never seen",
            FlagKind::ContactOverdue => "contact overdue",
            FlagKind::NoBaseline => "no baseline",
            FlagKind::MeasureOverdue => "measure overdue",
            FlagKind::NotImproving => "not improving",
            FlagKind::Disengaged => "disengaged",
            FlagKind::Remission => "remission",
        }
    }

    /// Every flag of a kind has the same severity (SPEC section 4).
    pub fn severity(self) -> Severity {
        match self {
            FlagKind::Safety | FlagKind::PostDischarge => Severity::Critical,
            FlagKind::Remission => Severity::Info,
            _ => Severity::Warning,
        }
    }
}

impl fmt::Display for FlagKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How urgent a flag is; `Critical` sorts first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Critical,
    Warning,
    Info,
}

impl Severity {
    pub const ALL: [Severity; 3] = [Severity::Critical, Severity::Warning, Severity::Info];

    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Critical => "critical",
            Severity::Warning => "warning",
            Severity::Info => "info",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One reason a client needs attention.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Flag {
    pub kind: FlagKind,
    pub severity: Severity,
    /// When the action was (or is) due; `None` for information only (remission).
    pub due: Option<NaiveDate>,
    /// today − due, never negative.
    pub days_overdue: i64,
    /// The rule and its inputs, for a clinician (`last contact 2026-02-23 (11 days ago; …)`).
    pub reason: String,
}

/// The worst severity among `flags` (critical is the lowest): the one the panel's marker, its
/// sort order and the client screen's summary show.
pub fn worst(flags: &[Flag]) -> Option<Severity> {
    flags.iter().map(|f| f.severity).min()
}

/// The flag that speaks for a client in one line (the panel's status line): the worst
/// severity, then the most days overdue, then the first listed.
pub fn worst_flag(flags: &[Flag]) -> Option<&Flag> {
    flags
        .iter()
        .enumerate()
        .min_by_key(|(i, f)| (f.severity, std::cmp::Reverse(f.days_overdue), *i))
        .map(|(_, f)| f)
}

/// Baseline, latest and the one before it for one instrument: what the rules and the panel's
/// trend column need. Baseline and latest are the same measurement when there is only one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ScoreTrend {
    pub latest: i64,
    pub latest_date: NaiveDate,
    /// The measurement before the latest, if any.
    pub previous: Option<i64>,
    pub baseline: i64,
    pub baseline_date: NaiveDate,
}

/// A contact-kind encounter (of any status), for the disengagement rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ContactAttempt {
    pub date: NaiveDate,
    pub status: EncounterStatus,
}

/// The client's latest acute-care event and the first contact after its day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct AcuteEvent {
    pub kind: EventKind,
    pub date: NaiveDate,
    /// The first contact dated after the event's day (a contact on the day itself does not
    /// count), if there is one.
    pub first_contact_after: Option<NaiveDate>,
}

/// Everything the flag rules need to know about one client, as of one day. The store computes
/// these for a whole panel at once; records dated after "today" are left out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ClientFacts {
    pub status: ClientStatus,
    pub tier: Tier,
    /// The day the client joined the panel.
    pub since: NaiveDate,
    /// First and last contact (completed encounter of a contact kind).
    pub first_contact: Option<NaiveDate>,
    pub last_contact: Option<NaiveDate>,
    /// The latest measurement of any instrument.
    pub last_measured: Option<NaiveDate>,
    pub phq9: Option<ScoreTrend>,
    pub gad7: Option<ScoreTrend>,
    /// The item responses of the latest PHQ-9, when that measurement was recorded with items
    /// (a score-only latest PHQ-9 has none, whatever earlier ones had).
    pub phq9_latest_items: Option<Vec<i64>>,
    /// The most recent contact-kind encounter of any status and, only when that one was missed
    /// (no-show or cancelled), the one before it: newest first, at most two. That is all the
    /// disengagement rule needs, and it spares the store a second seek for most clients.
    pub recent_attempts: Vec<ContactAttempt>,
    pub acute_event: Option<AcuteEvent>,
}

impl Default for ClientFacts {
    /// An active moderate-tier client with no history, on the panel since 1970-01-01.
    fn default() -> Self {
        ClientFacts {
            status: ClientStatus::Active,
            tier: Tier::Moderate,
            since: NaiveDate::default(),
            first_contact: None,
            last_contact: None,
            last_measured: None,
            phq9: None,
            gad7: None,
            phq9_latest_items: None,
            recent_attempts: Vec::new(),
            acute_event: None,
        }
    }
}

/// The critical flags a client carries, named for a question or a refusal ("a safety flag",
/// "safety and post-discharge follow-up flags"), when taking them off the active panel
/// (discharge, on hold) would silence them: then a second confirmation, or `--force`, is asked
/// for. `None` when there is no critical flag. Kinds only: no reason, date or score is named.
pub fn critical_named(flags: &[Flag]) -> Option<String> {
    let mut kinds: Vec<FlagKind> = flags
        .iter()
        .filter(|f| f.severity == Severity::Critical)
        .map(|f| f.kind)
        .collect();
    kinds.sort();
    kinds.dedup();
    match kinds.as_slice() {
        [] => None,
        [one] => Some(format!("a {} flag", one.label())),
        many => {
            let names: Vec<&str> = many.iter().map(|k| k.label()).collect();
            Some(format!("{} flags", names.join(" and ")))
        }
    }
}

/// How many flags of each kind a list of clients carries, in [`FlagKind::ALL`] order.
pub fn count_by_kind<'a>(flags: impl IntoIterator<Item = &'a Flag>) -> Vec<(FlagKind, usize)> {
    let mut counts = [0usize; 9];
    for flag in flags {
        counts[flag.kind as usize] += 1;
    }
    FlagKind::ALL
        .iter()
        .zip(counts)
        .filter(|(_, n)| *n > 0)
        .map(|(k, n)| (*k, n))
        .collect()
}
