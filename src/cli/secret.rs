//! Passphrases on the command line: from the environment (scripts) or typed at a no-echo
//! prompt (crossterm raw mode, so nothing typed reaches the screen or the scrollback). Never
//! prints, logs or stores what it reads.

use crate::error::{Error, Result};
use ratatui::crossterm::event::{self, Event, KeyCode, KeyEventKind, KeyModifiers};
use ratatui::crossterm::terminal;
use std::io::{IsTerminal, Write};

/// The acting clinician's passphrase (and the current one when changing your own).
pub const PASSPHRASE_VAR: &str = "CASELOAD_PASSPHRASE";
/// The new passphrase for `caseload clinician passphrase`.
pub const NEW_PASSPHRASE_VAR: &str = "CASELOAD_NEW_PASSPHRASE";

/// A passphrase variable's value; an empty one (`CASELOAD_PASSPHRASE=`) counts as not set, not
/// as a failed login.
fn from_env(var: &str) -> Option<String> {
    std::env::var(var).ok().filter(|v| !v.is_empty())
}

/// The passphrase of the clinician named by `--as`.
pub fn current(name: &str) -> Result<String> {
    if let Some(value) = from_env(PASSPHRASE_VAR) {
        return Ok(value);
    }
    prompt(&format!(
        "Passphrase for {}: ",
        crate::domain::text::sanitize(name)
    ))
    .map_err(|e| match e {
        Error::Invalid { problem: m, .. } => {
            Error::invalid(format!("{m}; or set {PASSPHRASE_VAR}"))
        }
        other => other,
    })
}

/// A new passphrase for `name`: `CASELOAD_NEW_PASSPHRASE`, or (when no one is logged in to
/// need it, i.e. the practice's first passphrase) `CASELOAD_PASSPHRASE`, or typed twice.
pub fn new_passphrase(name: &str, first_in_practice: bool) -> Result<String> {
    if let Some(value) = from_env(NEW_PASSPHRASE_VAR) {
        return Ok(value);
    }
    if first_in_practice && let Some(value) = from_env(PASSPHRASE_VAR) {
        return Ok(value);
    }
    let shown = crate::domain::text::sanitize(name);
    let first = prompt(&format!("New passphrase for {shown}: ")).map_err(|e| match e {
        Error::Invalid { problem: m, .. } => {
            Error::invalid(format!("{m}; or set {NEW_PASSPHRASE_VAR}"))
        }
        other => other,
    })?;
    crate::domain::auth::check_new_passphrase(&first, name)?;
    let second = prompt("Type it again: ")?;
    if first != second {
        return Err(Error::invalid(
            "the two passphrases differ; nothing was changed",
        ));
    }
    Ok(first)
}

/// Leaves raw mode however the prompt ends.
struct RawMode;

impl Drop for RawMode {
    fn drop(&mut self) {
        let _ = terminal::disable_raw_mode();
    }
}

/// Reads one line from the terminal without echo. Refused when standard input is not a
/// terminal (scripts must use the environment variables).
fn prompt(label: &str) -> Result<String> {
    if !std::io::stdin().is_terminal() {
        return Err(Error::invalid("no terminal to ask for the passphrase"));
    }
    let mut err = std::io::stderr();
    write!(err, "{label}")?;
    err.flush()?;
    let mut typed = String::new();
    {
        terminal::enable_raw_mode()?;
        let _raw = RawMode;
        loop {
            match event::read()? {
                Event::Key(key) if key.kind != KeyEventKind::Release => {
                    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
                    match key.code {
                        KeyCode::Enter => break,
                        KeyCode::Char('c' | 'd') if ctrl => {
                            write!(err, "\r\n")?;
                            return Err(Error::invalid("cancelled; nothing was changed"));
                        }
                        KeyCode::Esc => {
                            write!(err, "\r\n")?;
                            return Err(Error::invalid("cancelled; nothing was changed"));
                        }
                        KeyCode::Char('u') if ctrl => typed.clear(),
                        KeyCode::Char(c) if !ctrl => typed.push(c),
                        KeyCode::Backspace => {
                            typed.pop();
                        }
                        _ => {}
                    }
                }
                Event::Paste(text) => typed.push_str(text.trim_end_matches(['\r', '\n'])),
                _ => {}
            }
        }
    }
    writeln!(err)?;
    Ok(typed)
}
