//! The read side's views, between the store and the screens: pure functions that assemble,
//! from the facts the store read and the domain's rules, what a report or screen shows — every
//! derived figure, label and ordering — so the CLI's text and JSON, the TUI and the HTML page
//! only format them. Nothing here touches SQLite or a terminal.

pub mod html;
pub mod reconcile;
pub mod revenue;
pub mod value;
