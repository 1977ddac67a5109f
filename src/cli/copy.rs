//! `caseload copy --to TARGET`, and the commands that run when `--db` names a PostgreSQL
//! server (SPEC section 15): `copy` and `backup` from it, `encrypt`/`decrypt` refused with a
//! pointer to the server's own protection. Handlers only: the copying is `store::copy`. A URL
//! is only ever shown without its password.

use super::args::{Cli, Command};
use super::context::Context;
use super::export::BackupArgs;
use super::progress::Progress;
use crate::domain::access::Action;
use crate::domain::text::sanitize;
use crate::error::{Error, Result};
use crate::store::copy::{self, Copied, Place};
use crate::store::outfile;
use crate::store::pg::Server;
use clap::Args;
use std::path::Path;

#[derive(Debug, Args)]
#[command(after_help = "\
TARGET is a file path or postgresql://USER[:PASSWORD]@HOST[:PORT]/DBNAME. It must be empty: a \
new file, a caseload file without a practice, or a PostgreSQL database with no tables (caseload \
creates its schema there) or an empty caseload schema. Every table is copied in one transaction \
and the target's audit chain is verified before it is committed; on any failure nothing is \
kept. The source is --db, a file or a server. An encrypted practice is copied after \
`caseload decrypt`.")]
pub struct CopyArgs {
    /// Where to copy the practice: a file path or a PostgreSQL URL
    #[arg(long, value_name = "TARGET")]
    pub to: String,
}

/// Rows from which a copy shows a progress bar.
const PROGRESS_ROWS: usize = 20_000;

/// `copy` from a practice file.
pub fn run(ctx: &mut Context, args: CopyArgs) -> Result<()> {
    ctx.require(Action::CopyPractice, None)?;
    let target = Place::parse(&args.to)?;
    let copied = with_progress(|progress| copy::from_file(&ctx.store, &target, progress))?;
    ctx.store.write(|tx| {
        tx.audit(
            "practice.copy",
            None,
            &format!("copied the practice to {}", target.shown()),
        )
    })?;
    say_copied(&target, &copied)
}

/// The server `--db` names, if it names one.
pub fn server_of(cli: &Cli) -> Result<Option<Server>> {
    match &cli.db {
        Some(db) if crate::store::pg::is_url(&db.to_string_lossy()) => {
            Ok(Some(Server::parse(&db.to_string_lossy())?))
        }
        _ => Ok(None),
    }
}

/// True for a command that runs on a practice on a PostgreSQL server as on a file (the
/// integration suite runs on both engines); `copy`, `backup`, `encrypt` and `decrypt` are
/// answered by [`on_server`].
pub fn runs_on_server(command: &Command) -> bool {
    !matches!(
        command,
        Command::Copy(_) | Command::Backup(_) | Command::Encrypt(_) | Command::Decrypt(_)
    )
}

/// A command with `--db` naming a server that does not run there as on a file.
pub fn on_server(server: &Server, command: Command) -> Result<()> {
    match command {
        Command::Copy(args) => {
            let target = Place::parse(&args.to)?;
            if let Place::Server(to) = &target
                && to.shown() == server.shown()
            {
                return Err(Error::invalid(
                    "that is the practice database itself; copy to another database or a file",
                ));
            }
            let copied = with_progress(|progress| copy::from_server(server, &target, progress))?;
            say_copied(&target, &copied)
        }
        Command::Backup(args) => backup(server, args),
        Command::Encrypt(_) | Command::Decrypt(_) => Err(Error::invalid(
            "encryption at rest is for a practice file; on PostgreSQL use the server's own: TLS \
             for the connection (sslmode=require) and encrypted disks or tablespaces",
        )),
        _ => Err(Error::invalid(
            "on a PostgreSQL server this caseload does not run that command yet; move the \
             practice to a file (`caseload --db URL copy --to FILE`) to work on it",
        )),
    }
}

/// `backup FILE` from a server: a caseload SQLite file, put in place only when complete.
fn backup(server: &Server, args: BackupArgs) -> Result<()> {
    outfile::claim_file(&args.file, args.force, None)?;
    let copied = with_progress(|progress| {
        copy::backup_from_server(server, &args.file, args.force, progress)
    })?;
    outln!(
        "Backed up the practice at {} to {} ({} rows; audit chain verified, {} rows). Check it \
         with `caseload restore --check FILE`.",
        server.shown(),
        sanitize(&args.file.display().to_string()),
        copied.rows,
        copied.chain.rows
    );
    Ok(())
}

/// `restore FILE` into a server (the backup already checked).
pub fn restore_into_server(server: &Server, file: &Path) -> Result<Copied> {
    with_progress(|progress| copy::from_backup(file, server, progress))
}

fn with_progress(f: impl FnOnce(copy::Progress) -> Result<Copied>) -> Result<Copied> {
    let mut bar: Option<Progress> = None;
    let outcome = f(&mut |done, total| {
        let shown =
            bar.get_or_insert_with(|| Progress::new("copying", total as usize, PROGRESS_ROWS));
        shown.update(done as usize, total as usize);
        if done == total {
            // The rows are in; the target's indexes, references and chain check follow.
            shown.note("building indexes and checking the audit chain");
        }
    });
    if let Some(bar) = bar.as_mut() {
        bar.finish();
    }
    outcome
}

fn say_copied(target: &Place, copied: &Copied) -> Result<()> {
    outln!(
        "Copied the practice to {}: {} tables, {} rows; its audit chain verifies ({} rows, head \
         {}).",
        target.shown(),
        copied.tables,
        copied.rows,
        copied.chain.rows,
        copied.chain.head_seq
    );
    Ok(())
}
