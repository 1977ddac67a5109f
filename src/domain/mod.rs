//! The functional core: plain types and pure rules from SPEC.md.
//!
//! Nothing here reads the clock, the database or the terminal; "today" is always a parameter.

pub mod access;
pub mod appointments;
pub mod audit_chain;
pub mod auth;
pub mod coding;
pub mod corrections;
pub mod csvfile;
pub mod dates;
pub mod economics;
pub mod entry;
pub mod fairness;
pub mod flags;
pub mod history;
pub mod ids;
pub mod instruments;
pub mod intervals;
pub mod keyslot;
pub mod kinds;
pub mod money;
pub mod outcomes;
pub mod quality;
pub mod reconcile;
pub mod records;
pub mod roster;
pub mod roster_plan;
pub mod text;
pub mod today;
pub mod validate;
pub mod value;
pub mod x12;

pub use dates::{Month, parse_date, parse_month};
pub use ids::*;
pub use instruments::{Instrument, InstrumentDef};
pub use intervals::Intervals;
pub use kinds::*;
pub use money::{Money, Percent};
pub use records::*;
