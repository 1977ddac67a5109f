//! `caseload demo` (write a demo practice) and `caseload [--demo]` (open the terminal UI).

use super::args::{Cli, DemoArgs};
use super::context::{self, Context};
use super::progress::Progress;
use crate::demo;
use crate::domain::text::count;
use crate::error::Result;
use crate::store::Store;
use std::time::Instant;

pub fn generate(ctx: &mut Context, args: DemoArgs) -> Result<()> {
    ctx.require(crate::domain::access::Action::GenerateDemo, None)?;
    let started = Instant::now();
    let mut shown = Progress::new("generating demo practice", args.clients as usize, 2_000);
    let mut progress = |done: u32, total: u32| {
        shown.update(done as usize, total as usize);
        if done == total {
            // The one transaction is committed next; on a large practice that takes a while.
            shown.note("writing it to disk");
        }
    };
    let summary = demo::generate(
        &mut ctx.store,
        args.clients,
        args.seed,
        ctx.today,
        &mut progress,
    )?;
    shown.finish();
    outln!(
        "Wrote a demo practice to {}: {}, {}, {}, {} ({:.2}s)",
        ctx.store.place(),
        count(summary.clients, "client", "clients"),
        count(summary.encounters, "encounter", "encounters"),
        count(summary.measurements, "measurement", "measurements"),
        count(summary.events, "acute event", "acute events"),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// `caseload` and `caseload --demo`. The demo database is written fresh each time to
/// demo.db in the data directory, never over the practice database.
pub fn open_ui(cli: &Cli) -> Result<()> {
    use std::io::IsTerminal;
    if !(std::io::stdin().is_terminal() && std::io::stdout().is_terminal()) {
        return Err(crate::error::Error::Usage(
            "caseload's screen needs a terminal (stdin and stdout are not one); for scripts \
             use a command such as `caseload flags` or `caseload today` (see caseload --help)"
                .into(),
        ));
    }
    let today = context::today(cli)?;
    if !cli.demo
        && let Some(server) = super::copy::server_of(cli)?
    {
        return crate::tui::run(Store::open_server(&server)?, options(cli, today, None));
    }
    let path = if cli.demo {
        let path = context::data_dir()?.join("demo.db");
        for suffix in ["", "-wal", "-shm"] {
            let file = std::path::PathBuf::from(format!("{}{suffix}", path.display()));
            if file.exists() {
                std::fs::remove_file(&file)?;
            }
        }
        let mut store = Store::open(&path)?;
        demo::generate(&mut store, 250, 7, today, &mut |_, _| {})?;
        path
    } else {
        context::database_path(cli)?
    };
    // An encrypted practice cannot be read before someone unlocks it: the UI starts on its
    // lock screen with an empty placeholder and opens the file with the key the slot gives.
    let encrypted = crate::store::cipher::is_encrypted(&path).then(|| path.clone());
    let store = match &encrypted {
        Some(_) => Store::open_in_memory()?,
        None => Store::open_noting_upgrade(&path, &mut context::note_upgrade)?,
    };
    crate::tui::run(store, options(cli, today, encrypted))
}

fn options(
    cli: &Cli,
    today: chrono::NaiveDate,
    encrypted: Option<std::path::PathBuf>,
) -> crate::tui::Options {
    crate::tui::Options {
        today,
        today_follows_clock: cli.today.is_none(),
        theme: cli.theme.clone(),
        encrypted,
        mouse: !cli.no_mouse,
    }
}
