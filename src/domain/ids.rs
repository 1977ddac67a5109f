//! Newtype ids, so a client id can never be passed where a clinician id is expected.

use serde::Serialize;
use std::fmt;

macro_rules! id_type {
    ($($name:ident),* $(,)?) => {$(
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
        #[serde(transparent)]
        pub struct $name(pub i64);

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}", self.0)
            }
        }
    )*};
}

id_type!(
    ClientId,
    ClinicianId,
    ContractId,
    AttributionId,
    EncounterId,
    MeasurementId,
    EventId,
);
