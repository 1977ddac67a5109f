//! TEMPORARY stand-in for the flag rules (issue 3 replaces this file): only the types the UI
//! is written against, no rules.

use chrono::NaiveDate;
use serde::Serialize;

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
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Critical,
    Warning,
    Info,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Flag {
    pub kind: FlagKind,
    pub severity: Severity,
    pub due: Option<NaiveDate>,
    pub days_overdue: i64,
    pub reason: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ClientFacts;
