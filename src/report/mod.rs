//! Reports formatted for outside the terminal, shared by the CLI and the TUI: they format
//! figures the store and the domain computed and compute none themselves.

pub mod html;
pub mod value;
