//! caseload: a terminal program for therapists paid under value-based contracts.
//!
//! The crate is a functional core (`domain`) inside a thin imperative shell (`store`, `cli`,
//! `tui`). Rules from SPEC.md live in `domain` once, as pure functions; nothing in `domain`
//! touches the database, the terminal or the clock.

pub mod cli;
pub mod demo;
pub mod domain;
pub mod error;
pub mod report;
pub mod store;
pub mod tui;

pub use error::{Error, Result};
