//! The practice's records as plain structs, as the store returns them and rules consume them.

use super::{AttributionId, EncounterId, EventId, MeasurementId};
use super::{
    ClientId, ClientStatus, ClinicianId, ContractId, ContractModel, EncounterKind, EncounterStatus,
    EventKind, Instrument, Money, Percent, Proration, Role, Tier,
};
use chrono::NaiveDate;
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Clinician {
    pub id: ClinicianId,
    pub name: String,
    pub role: Role,
    pub hourly_cost_cents: Money,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Client {
    pub id: ClientId,
    pub external_id: Option<String>,
    pub name: String,
    pub dob: Option<NaiveDate>,
    pub tier: Tier,
    pub status: ClientStatus,
    pub since: NaiveDate,
    pub discharged_on: Option<NaiveDate>,
    pub diagnosis: Option<String>,
    pub clinician_id: Option<ClinicianId>,
    /// The primary clinician's name, joined in for display.
    pub clinician: Option<String>,
}

/// A rate in effect from a date until the next one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct RatePeriod {
    pub from: NaiveDate,
    pub rate_cents: Money,
}

/// A case rate for episodes whose diagnosis starts with `prefix` (SPEC section 12), from a date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DiagnosisRate {
    /// ICD-10 without the dot, upper case: "F322", "F33".
    pub prefix: String,
    pub from: NaiveDate,
    pub rate_cents: Money,
}

/// An ICD-10 code or prefix as rates compare it: upper case, without the dot or spaces
/// (`f32.2` and `F322` are the same code).
pub fn icd10_key(code: &str) -> String {
    code.chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Contract {
    pub id: ContractId,
    pub name: String,
    pub model: ContractModel,
    pub withhold_bp: Percent,
    pub proration: Proration,
    pub payer: Option<String>,
    /// The rate history, oldest first; the first period starts at the beginning of time.
    pub rates: Vec<RatePeriod>,
    /// Rates by diagnosis prefix (case rates as payers write them), by prefix then date.
    pub diagnosis_rates: Vec<DiagnosisRate>,
}

impl Contract {
    /// The rate in effect on `date`: the latest period starting on or before it.
    pub fn rate_on(&self, date: NaiveDate) -> Money {
        self.rates
            .iter()
            .rev()
            .find(|p| p.from <= date)
            .or(self.rates.first())
            .map_or(Money(0), |p| p.rate_cents)
    }

    /// The rate for an episode starting on `date` with `diagnosis`: of the diagnosis rates in
    /// effect that day whose prefix the diagnosis starts with, the longest prefix's latest;
    /// else the contract's own rate (SPEC section 12).
    pub fn rate_for(&self, date: NaiveDate, diagnosis: Option<&str>) -> Money {
        let Some(code) = diagnosis.map(icd10_key) else {
            return self.rate_on(date);
        };
        self.diagnosis_rates
            .iter()
            .filter(|r| r.from <= date && code.starts_with(&r.prefix))
            .max_by_key(|r| (r.prefix.len(), r.from))
            .map_or_else(|| self.rate_on(date), |r| r.rate_cents)
    }

    /// The rate in effect today, for listings.
    pub fn current_rate(&self, today: NaiveDate) -> Money {
        self.rate_on(today)
    }
}

/// Who voided a record, when and why (SPEC section 9). A voided record is kept and shown, but
/// counts for nothing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Voided {
    /// The audit timestamp (UTC, RFC 3339 with milliseconds).
    pub at: String,
    pub by: String,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Attribution {
    pub id: AttributionId,
    pub client_id: ClientId,
    pub contract_id: ContractId,
    pub contract: String,
    pub start: NaiveDate,
    pub end: Option<NaiveDate>,
    /// Set when the record was voided; `None` for a live record.
    pub voided: Option<Voided>,
    /// The episode's diagnosis (ICD-10 as entered), which a diagnosis case rate is chosen by.
    pub diagnosis: Option<String>,
}

impl Attribution {
    /// Whether the attribution covers `date` (both ends inclusive).
    pub fn covers(&self, date: NaiveDate) -> bool {
        self.start <= date && self.end.is_none_or(|end| date <= end)
    }
}

/// True when two inclusive date ranges (`None` end = open) share at least one day.
pub fn ranges_overlap(
    a_start: NaiveDate,
    a_end: Option<NaiveDate>,
    b_start: NaiveDate,
    b_end: Option<NaiveDate>,
) -> bool {
    a_end.is_none_or(|e| b_start <= e) && b_end.is_none_or(|e| a_start <= e)
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Encounter {
    pub id: EncounterId,
    pub client_id: ClientId,
    pub clinician_id: ClinicianId,
    pub clinician: String,
    pub date: NaiveDate,
    pub kind: EncounterKind,
    pub status: EncounterStatus,
    pub minutes: i64,
    pub note: Option<String>,
    /// Set when the record was voided; `None` for a live record.
    pub voided: Option<Voided>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Measurement {
    pub id: MeasurementId,
    pub client_id: ClientId,
    pub date: NaiveDate,
    pub instrument: Instrument,
    pub total: i64,
    /// The item responses, when they were recorded.
    pub items: Option<Vec<i64>>,
    /// Set when the record was voided; `None` for a live record.
    pub voided: Option<Voided>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Event {
    pub id: EventId,
    pub client_id: ClientId,
    pub date: NaiveDate,
    pub kind: EventKind,
    /// Set when the record was voided; `None` for a live record.
    pub voided: Option<Voided>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        super::super::parse_date(s).unwrap()
    }

    #[test]
    fn overlap_is_inclusive_at_both_ends() {
        assert!(ranges_overlap(
            d("2026-01-01"),
            Some(d("2026-01-31")),
            d("2026-01-31"),
            None
        ));
        assert!(!ranges_overlap(
            d("2026-01-01"),
            Some(d("2026-01-30")),
            d("2026-01-31"),
            None
        ));
        assert!(ranges_overlap(
            d("2026-01-01"),
            None,
            d("2025-01-01"),
            Some(d("2026-01-01"))
        ));
        assert!(!ranges_overlap(
            d("2026-01-02"),
            None,
            d("2025-01-01"),
            Some(d("2026-01-01"))
        ));
    }

    #[test]
    fn the_rate_in_effect_is_the_latest_started() {
        let contract = Contract {
            id: ContractId(1),
            name: "A".into(),
            model: ContractModel::Capitation,
            withhold_bp: Percent(0),
            proration: Proration::FirstOfMonth,
            payer: None,
            diagnosis_rates: Vec::new(),
            rates: vec![
                RatePeriod {
                    from: d("0001-01-01"),
                    rate_cents: Money(4000),
                },
                RatePeriod {
                    from: d("2026-07-01"),
                    rate_cents: Money(4500),
                },
            ],
        };
        assert_eq!(contract.rate_on(d("2026-06-30")), Money(4000));
        assert_eq!(contract.rate_on(d("2026-07-01")), Money(4500));
    }
}
