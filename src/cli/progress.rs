//! A progress line on stderr for long imports and exports: shown only when stderr is a terminal
//! and the job is big enough to wait for, so scripts and tests see nothing. It prints counts,
//! never what is being processed.

use std::io::{IsTerminal, Write};

pub struct Progress {
    label: &'static str,
    enabled: bool,
    shown: Option<u64>,
}

impl Progress {
    /// A progress line for `label` when `total` reaches `threshold` items.
    pub fn new(label: &'static str, total: usize, threshold: usize) -> Progress {
        Progress {
            label,
            enabled: total >= threshold && std::io::stderr().is_terminal(),
            shown: None,
        }
    }

    /// Shows `done` of `total` when the percentage has moved.
    pub fn update(&mut self, done: usize, total: usize) {
        if !self.enabled || total == 0 {
            return;
        }
        let percent = (done as u64 * 100) / total as u64;
        if self.shown == Some(percent) {
            return;
        }
        self.shown = Some(percent);
        let mut err = std::io::stderr().lock();
        let _ = write!(err, "\r{}: {percent:>3}% ({done}/{total})", self.label);
        let _ = err.flush();
    }

    /// Adds a few words after the figures (what happens next), when the line is shown.
    pub fn note(&mut self, words: &str) {
        if self.enabled && self.shown.is_some() {
            let mut err = std::io::stderr().lock();
            let _ = write!(err, " — {words}…");
            let _ = err.flush();
        }
    }

    /// Ends the line (when one was shown).
    pub fn finish(&mut self) {
        if self.enabled && self.shown.is_some() {
            let _ = writeln!(std::io::stderr());
            self.shown = None;
        }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.finish();
    }
}
