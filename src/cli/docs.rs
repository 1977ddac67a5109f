//! `caseload completions SHELL` and `caseload man`: the command line describing itself, from
//! the same definitions it parses (examples included). Neither opens the database.

use crate::error::Result;

/// Prints the completion script for `shell` on stdout.
pub fn completions(shell: clap_complete::Shell) -> Result<()> {
    let mut cmd = super::args::command();
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut cmd, "caseload", &mut script);
    out!("{}", String::from_utf8_lossy(&script));
    Ok(())
}

/// Prints the man page (roff) on stdout: `caseload man > caseload.1`, or `caseload man | man -l -`.
pub fn man() -> Result<()> {
    let mut page = Vec::new();
    clap_mangen::Man::new(super::args::command())
        .render(&mut page)
        .map_err(crate::error::Error::Output)?;
    out!("{}", String::from_utf8_lossy(&page));
    Ok(())
}
