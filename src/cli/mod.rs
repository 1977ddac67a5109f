//! The command line: parse (clap), open the store, run one small handler, print.
//!
//! Handlers call the store and the domain and format the answer; no business rule is
//! computed here. Every refusal is one line on stderr and exit status 1; usage errors are 2.

#[macro_use]
mod out;
mod args;
mod audit;
mod cipher;
mod client;
mod clinician;
mod config;
mod context;
mod contract;
mod contract_report;
mod copy;
mod correct;
mod demo;
mod docs;
mod export;
mod fhir;
mod flags;
mod import;
mod import_x12;
mod plan;
mod progress;
mod reconcile;
mod report;
mod revenue;
mod roster_import;
mod roster_json;
mod secret;
pub mod table;
mod today;
mod value_csv;
mod work;

pub use args::{Cli, Command};
pub use context::Context;

use crate::error::Error;
use clap::FromArgMatches;
use std::io::Write;
use std::process::ExitCode;

/// Runs the program and turns the outcome into an exit status.
pub fn main() -> ExitCode {
    install_panic_hook();
    // The derived command line with every command's examples added to its help.
    let parsed = args::command()
        .try_get_matches()
        .and_then(|matches| Cli::from_arg_matches(&matches));
    let cli = match parsed {
        Ok(cli) => cli,
        Err(e) => {
            let code = e.exit_code();
            let _ = e.print();
            return ExitCode::from(code as u8);
        }
    };
    match run(cli).and_then(|()| out::flush()) {
        Ok(()) => ExitCode::SUCCESS,
        // A reader that stopped reading (`| head -1`) is not a failure worth a message.
        Err(Error::Output(e)) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) => {
            let _ = writeln!(std::io::stderr(), "error: {}", one_line(&e));
            ExitCode::from(if matches!(e, Error::Usage(_)) { 2 } else { 1 })
        }
    }
}

/// A panic must never show client data (a payload could hold any text), and a closed pipe
/// (`caseload client list | head`) is not an error worth a message.
fn install_panic_hook() {
    std::panic::set_hook(Box::new(|info| {
        let payload = info
            .payload()
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| info.payload().downcast_ref::<&str>().copied())
            .unwrap_or("");
        if payload.contains("Broken pipe") {
            std::process::exit(0);
        }
        let at = info
            .location()
            .map(|l| format!(" at {}:{}", l.file(), l.line()))
            .unwrap_or_default();
        let _ = writeln!(
            std::io::stderr(),
            "caseload: internal error{at}. Every change is one transaction, so the database is \
             consistent; please report this."
        );
    }));
}

/// Error text on one line, whatever the underlying message holds.
fn one_line(e: &Error) -> String {
    crate::domain::text::sanitize(&e.to_string().replace(['\n', '\r'], " "))
}

fn run(mut cli: Cli) -> Result<(), Error> {
    let Some(command) = cli.command.take() else {
        return demo::open_ui(&cli);
    };
    match command {
        Command::Restore(args) => return export::restore(&cli, args),
        Command::Completions { shell } => return docs::completions(shell),
        Command::Man => return docs::man(),
        _ => {}
    }
    let mut ctx = match copy::server_of(&cli)? {
        Some(server) if copy::runs_on_server(&command) => Context::open_server(&cli, &server)?,
        Some(server) => {
            // Copying the whole practice off the server is a clinician's to be allowed, as
            // from a file.
            if matches!(command, Command::Copy(_) | Command::Backup(_)) {
                let mut ctx = Context::open_server(&cli, &server)?;
                ctx.require(crate::domain::access::Action::CopyPractice, None)?;
            }
            return copy::on_server(&server, command);
        }
        None => Context::open(&cli)?,
    };
    let done = match command {
        Command::Clinician(c) => clinician::run(&mut ctx, c),
        Command::Contract(c) => contract::run(&mut ctx, c),
        Command::Client(c) => client::run(&mut ctx, c),
        Command::Attribute(a) => contract::attribute(&mut ctx, a),
        Command::Log(a) => work::log(&mut ctx, a),
        Command::Measure(a) => work::measure(&mut ctx, a),
        Command::Event(a) => work::event(&mut ctx, a),
        Command::Amend(c) => correct::amend(&mut ctx, c),
        Command::Book(a) => plan::book(&mut ctx, a),
        Command::Appointments(a) => plan::list(&mut ctx, a),
        Command::Appointment(c) => plan::appointment(&mut ctx, c),
        Command::Review(a) => plan::review(&mut ctx, a),
        Command::Void(a) => correct::void(&mut ctx, a, false),
        Command::Unvoid(a) => correct::void(&mut ctx, a, true),
        Command::Config(c) => config::run(&mut ctx, c),
        Command::Demo(a) => demo::generate(&mut ctx, a),
        Command::Report(r) => report::run(&mut ctx, r),
        Command::Audit(c) => audit::run(&mut ctx, c),
        Command::Flags(a) => flags::run(&mut ctx, a),
        Command::Today(a) => today::run(&mut ctx, a),
        Command::Import(c) => import::run(&mut ctx, c),
        Command::Reconcile(a) => reconcile::run(&mut ctx, a),
        Command::Export(a) => export::export(&mut ctx, a),
        Command::Backup(a) => export::backup(&mut ctx, a),
        Command::Copy(a) => copy::run(&mut ctx, a),
        Command::Restore(args) => export::restore(&cli, args),
        // Answered above, before a database is opened.
        Command::Completions { .. } | Command::Man => Ok(()),
        Command::Encrypt(_) => cipher::run(&mut ctx, true),
        Command::Decrypt(_) => cipher::run(&mut ctx, false),
    };
    done?;
    note_if_created(&ctx.store);
    Ok(())
}

/// A mistyped `--db` quietly starts a new practice: after a command that succeeded, say so on
/// stderr (after the command's own output, which stays clean for scripts) when this run created
/// the database file. A refused command prints only its one-line error.
fn note_if_created(store: &crate::store::Store) {
    if !store.created_file() {
        return;
    }
    let _ = std::io::Write::flush(&mut std::io::stdout());
    let path = store
        .path()
        .map(|p| crate::domain::text::sanitize(&p.display().to_string()))
        .unwrap_or_default();
    if store.holds_no_practice().unwrap_or(false) {
        let _ = writeln!(
            std::io::stderr(),
            "note: created a new, empty practice database at {path}"
        );
    } else {
        let _ = writeln!(
            std::io::stderr(),
            "note: created a new practice database at {path}"
        );
    }
}

/// Prints a value as pretty JSON on stdout.
pub fn print_json<T: serde::Serialize>(value: &T) -> Result<(), Error> {
    use std::io::Write;
    // Written as it is serialised (a large centre's check-in is megabytes), in large chunks.
    let mut out = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
    serde_json::to_writer_pretty(&mut out, value).map_err(|e| {
        if e.is_io() {
            Error::Output(e.into())
        } else {
            Error::invalid(format!("could not write JSON: {e}"))
        }
    })?;
    out.write_all(b"\n")
        .and_then(|()| out.flush())
        .map_err(Error::Output)
}
