//! How the domain's types go into and come out of SQLite: the id newtypes as integers, money
//! as integer cents, the closed vocabularies as their SPEC words (dates come from rusqlite's
//! `chrono` feature, as `YYYY-MM-DD` text). So the store's queries bind and read domain types
//! directly and never convert by hand. A word the domain does not know is a conversion error
//! naming the column, not a panic and not a silently wrong value.

use crate::domain::quality::Measure;
use crate::domain::{
    AttributionId, ClientId, ClientStatus, ClinicianId, ContractId, ContractModel, EncounterId,
    EncounterKind, EncounterStatus, EventId, EventKind, Instrument, MeasurementId, Money,
    Proration, Role, Tier,
};
use rusqlite::types::{FromSql, FromSqlError, FromSqlResult, ToSql, ToSqlOutput, ValueRef};

macro_rules! integer_newtype {
    ($($name:ident),* $(,)?) => {$(
        impl ToSql for $name {
            fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
                Ok(ToSqlOutput::from(self.0))
            }
        }

        impl FromSql for $name {
            fn column_result(value: ValueRef<'_>) -> FromSqlResult<Self> {
                i64::column_result(value).map($name)
            }
        }
    )*};
}

integer_newtype!(
    ClientId,
    ClinicianId,
    ContractId,
    AttributionId,
    EncounterId,
    MeasurementId,
    EventId,
    Money,
);

macro_rules! word {
    ($($name:ty),* $(,)?) => {$(
        impl ToSql for $name {
            fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
                Ok(ToSqlOutput::from(self.as_str()))
            }
        }

        impl FromSql for $name {
            fn column_result(value: ValueRef<'_>) -> FromSqlResult<Self> {
                value
                    .as_str()?
                    .parse()
                    .map_err(|e: crate::error::Error| FromSqlError::Other(e.to_string().into()))
            }
        }
    )*};
}

word!(
    Tier,
    ClientStatus,
    Role,
    EncounterKind,
    EncounterStatus,
    EventKind,
    ContractModel,
    Proration,
    Instrument,
    Measure,
);

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;
    use rusqlite::Connection;

    #[test]
    fn domain_types_round_trip_as_the_words_and_numbers_the_schema_holds() {
        let c = Connection::open_in_memory().unwrap();
        let (id, tier, money, day): (ClientId, Tier, Money, NaiveDate) = c
            .query_row(
                "SELECT ?1, ?2, ?3, ?4",
                rusqlite::params![
                    ClientId(7),
                    Tier::High,
                    Money(-1250),
                    NaiveDate::from_ymd_opt(2026, 3, 1).unwrap()
                ],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
            )
            .unwrap();
        assert_eq!((id, tier, money), (ClientId(7), Tier::High, Money(-1250)));
        assert_eq!(day.to_string(), "2026-03-01");
        let stored: (String, String) = c
            .query_row(
                "SELECT typeof(?1) || ':' || ?1, ?2",
                rusqlite::params![
                    EncounterKind::Telehealth,
                    NaiveDate::from_ymd_opt(2026, 3, 1).unwrap()
                ],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap();
        assert_eq!(
            stored,
            ("text:telehealth".to_string(), "2026-03-01".to_string())
        );
    }

    #[test]
    fn a_word_the_domain_does_not_know_is_a_conversion_error() {
        let c = Connection::open_in_memory().unwrap();
        let read = c.query_row("SELECT 'urgent'", [], |r| r.get::<_, Tier>(0));
        assert!(
            matches!(read, Err(rusqlite::Error::FromSqlConversionFailure(..))),
            "{read:?}"
        );
    }
}
