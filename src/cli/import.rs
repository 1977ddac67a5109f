//! `caseload import roster|encounters|measurements`: a payer roster compared with the practice's
//! attributions and applied in one transaction, and history moved in from a spreadsheet through
//! the same entry rules as `log` and `measure`. Every bad row of a file is listed by line in one
//! refusal and nothing is written unless the whole file is good. The rules live in
//! `domain::roster_plan` and `domain::history`; this file reads the file and prints. An X12 834
//! roster is handed to `import_x12`; both kinds are applied by `roster_import`.

use super::progress::Progress;
use super::roster_import::{Naming, RosterJob, plan_and_apply, roster_contract};
pub(super) use super::roster_json::{RosterJson, X12Json};
use super::table::Table;
use super::{Context, print_json};
use crate::domain::access::Action;
use crate::domain::csvfile::{self, LineProblem};
use crate::domain::roster::{self, Mapping};
use crate::domain::roster_plan::{self, Category, MemberChange, RosterPlan, SpanChange};
use crate::domain::text::{count, sanitize};
use crate::domain::{history, parse_date, x12};
use crate::error::{Error, Result};
use crate::store::history as store_history;
use blake2::digest::consts::U32;
use blake2::{Blake2b, Digest};
use chrono::NaiveDate;
use clap::{Args, Subcommand};
use std::path::{Path, PathBuf};

const ROSTER_HELP: &str = "\
A roster is a CSV file (UTF-8, with or without a byte order mark) with a header row. Columns are \
recognised by their header: member id (also Member ID, Subscriber ID, Medicaid ID, …), first and \
last name or a full name (\"Lee, Ann\" in one column is read as Ann Lee), date of birth (DOB), \
effective or start date, term or end date. Dates are YYYY-MM-DD, MM/DD/YYYY or YYYYMMDD; a \
term date in the year 9999 means no end. Name other columns with --map, e.g. \
--map \"Mbr Num=member_id\" --map \"Elig Thru=end\" (fields: member_id, first_name, last_name, \
name, dob, start, end, ignore; #N is the N-th column).

An X12 834 benefit enrollment file (005010X220A1) is read too, recognised by its ISA header; its \
separators are the ones its ISA declares, and line breaks between segments are ignored. Each \
member loop gives the member id (REF*0F), the name (NM1*IL), the date of birth (DMG) and the \
dates (DTP*348 benefit begin, else 356; DTP*349 benefit end, else 357). A full file (BGN08 4 or \
RX) is read like a CSV roster. A change file (BGN08 2) changes only the members it lists: 021 \
addition, 001 change (a date it does not give stays), 025 reinstatement, 024 termination (on its \
end date, else the day before --as-of), 030 audit (nothing changes). A malformed 834 (no ISA, a \
wrong SE/GE/IEA count, a member without REF*0F, an impossible date, a segment outside its loop) \
is refused with the segment number, counting the ISA as 1, and what is wrong.

Members are matched to clients by member id (the client's external id). The roster says who is \
attributed from --as-of on (default today; give the first of the month for a monthly roster):
  new         not attributed to the contract yet: client (if unknown) and attribution added
  continuing  attributed with the same dates, same name and date of birth: nothing changes
  terminated  absent from the file: the attribution ends the day before --as-of (one that had \
not begun is withdrawn); or the row's term date ends it. A term earlier than the day before \
--as-of is retroactive, shown with the revenue it takes back from months already settled
  reinstated  terminated before and listed again
  changed     effective or term date, name or date of birth changed (each member is counted \
in one category only)
Clients attributed to the contract without a member id are listed and left alone.

Any bad row (ragged, bad date, missing or duplicate member id, not UTF-8, a member id or name \
holding a control character such as a tab, line break or escape, or a text-direction mark) \
refuses the whole file with every bad line listed, and nothing is written; so does a quoted field \
that is never closed, named by the line it opens on. Importing the same roster again changes \
nothing. --dry-run shows what would change without writing anything.";

const ENCOUNTERS_HELP: &str = "\
Columns (a header row; any case, any order): client, date, kind are required; status, minutes, \
clinician, note are optional.
  client     the client's id, external (payer) id, or full name
  date       YYYY-MM-DD, not after today
  kind       intake, session, telehealth, phone, group, family, crisis, outreach, coordination, \
case-management, documentation
  status     completed (default), no-show, cancelled
  minutes    0-1440 (default 0)
  clinician  who did the work (default: the client's primary clinician, else the only clinician)
  note       up to 500 characters
Each row is checked exactly as `caseload log` checks it; a client or clinician holding a control \
or text-direction character is a bad row. Any bad row, or a quoted field never closed, refuses \
the whole file with every bad line listed; nothing is written. Rows identical to an encounter already stored are \
skipped, so importing the same file twice adds nothing.";

const MEASUREMENTS_HELP: &str = "\
Columns (a header row; any case, any order): client, date, instrument are required, and score or \
items (one of them on each row).
  client      the client's id, external (payer) id, or full name
  date        YYYY-MM-DD, not after today
  instrument  phq9, gad7, pcl5, auditc, ors, srs
  score       the total
  items       the item responses: \"1,2,0,3,1,0,2,1,0\" (quoted) or 120310210
Each row is checked exactly as `caseload measure` checks it; a client holding a control or \
text-direction character is a bad row. Any bad row, or a quoted field never closed, refuses the \
whole file with every bad line listed; nothing is written. Rows identical to a measurement already stored \
are skipped, so importing the same file twice adds nothing.";

#[derive(Debug, Subcommand)]
pub enum ImportCommand {
    /// Load a payer roster for a capitation contract: new, continuing, terminated (with what a
    /// retroactive termination claws back), reinstated and changed members
    #[command(after_help = ROSTER_HELP)]
    Roster(RosterArgs),
    /// Load encounters from a CSV file (moving a practice in from a spreadsheet)
    #[command(after_help = ENCOUNTERS_HELP)]
    Encounters(HistoryArgs),
    /// Load outcome measurements from a CSV file
    #[command(after_help = MEASUREMENTS_HELP)]
    Measurements(HistoryArgs),
}

#[derive(Debug, Args)]
pub struct RosterArgs {
    /// The roster file: CSV, or an X12 834 enrollment file (recognised by its ISA header)
    pub file: PathBuf,
    /// The capitation contract the roster is for
    #[arg(long, value_name = "NAME")]
    pub contract: String,
    /// The date the roster describes [default: today]
    #[arg(long, value_name = "DATE")]
    pub as_of: Option<String>,
    /// Show what would change; write nothing
    #[arg(long)]
    pub dry_run: bool,
    /// Which field a column holds, when its header is not recognised (repeatable)
    #[arg(long = "map", value_name = "COLUMN=FIELD")]
    pub map: Vec<Mapping>,
    /// Print the outcome as JSON, listing every member that changes
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct HistoryArgs {
    /// The CSV file
    pub file: PathBuf,
    /// Check every row and say what would be added; write nothing
    #[arg(long)]
    pub dry_run: bool,
}

pub fn run(ctx: &mut Context, command: ImportCommand) -> Result<()> {
    match command {
        ImportCommand::Roster(args) => roster(ctx, args),
        ImportCommand::Encounters(args) => encounters(ctx, args),
        ImportCommand::Measurements(args) => measurements(ctx, args),
    }
}

fn read_file(path: &Path) -> Result<Vec<u8>> {
    std::fs::read(path).map_err(|e| {
        Error::invalid(format!(
            "cannot read {}: {e}",
            sanitize(&path.display().to_string())
        ))
    })
}

/// BLAKE2b-256 of the file, in hex: which file an import came from, without keeping it.
pub(super) fn file_hash(bytes: &[u8]) -> String {
    Blake2b::<U32>::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn refuse_if_any(what: &str, mut problems: Vec<LineProblem>) -> Result<()> {
    if problems.is_empty() {
        return Ok(());
    }
    problems.sort_by_key(|p| p.line);
    Err(Error::invalid(csvfile::refusal(what, &problems)))
}

/// Rows listed per section in the readable output; `--json` lists every one.
const SHOWN: usize = 50;

fn roster(ctx: &mut Context, args: RosterArgs) -> Result<()> {
    let as_of = match &args.as_of {
        Some(text) => parse_date(text).map_err(|e| Error::invalid(format!("--as-of: {e}")))?,
        None => ctx.today,
    };
    let bytes = read_file(&args.file)?;
    if x12::looks_like_x12(&bytes) {
        return super::import_x12::roster(ctx, &args, as_of, &bytes);
    }
    let parsed = roster::parse(&bytes, &args.map, ctx.today)?;
    let contract = roster_contract(ctx, &args.contract)?;
    let hash = file_hash(&bytes);
    let job = RosterJob {
        contract: &contract,
        as_of,
        file_hash: &hash,
        dry_run: args.dry_run,
        naming: Naming::CSV,
        problems: parsed.problems.clone(),
        members: parsed.rows.len(),
        x12: None,
    };
    let (plan, import, ()) = plan_and_apply(ctx, job, |_, current| {
        let (plan, problems) = roster_plan::plan(&parsed.rows, current, &contract, as_of);
        Ok((plan, problems, ()))
    })?;
    let columns = parsed.columns.describe(&parsed.headers);
    if args.json {
        return print_json(&RosterJson::new(
            &contract.name,
            &plan,
            args.dry_run,
            import,
            &hash,
            parsed.rows.len(),
            None,
        ));
    }
    let heading = format!(
        "{} ({columns})",
        count(plan.members.len(), "member", "members")
    );
    print_roster(
        &contract.name,
        &plan,
        &heading,
        &Naming::CSV,
        args.dry_run,
        import,
    )?;
    Ok(())
}

fn until(end: Option<NaiveDate>) -> String {
    end.map_or("open".to_string(), |e| e.to_string())
}

/// What happens to one member, in words.
fn describe(change: &MemberChange) -> String {
    let mut parts = Vec::new();
    for span in &change.spans {
        parts.push(match (*span, change.category) {
            (SpanChange::Insert { start, end }, Category::Reinstated) => {
                format!("back from {start} to {}", until(end))
            }
            (SpanChange::Insert { start, end }, _) => format!("{start} to {}", until(end)),
            (
                SpanChange::Update {
                    old_start,
                    old_end,
                    start,
                    end,
                    ..
                },
                Category::Terminated,
            ) if old_start == start => format!("{start} to {} ends {}", until(old_end), until(end)),
            (
                SpanChange::Update {
                    old_start,
                    old_end,
                    start,
                    end,
                    ..
                },
                _,
            ) => format!(
                "{old_start} to {} becomes {start} to {}",
                until(old_end),
                until(end)
            ),
            (SpanChange::Withdraw { start, .. }, _) => {
                format!("withdrawn (would have begun {start})")
            }
        });
    }
    if let Some(name) = &change.rename {
        parts.push(format!("name becomes '{}'", sanitize(name)));
    }
    if change.client_id.is_some()
        && let Some(dob) = change.dob
    {
        parts.push(format!("date of birth becomes {dob}"));
    }
    if change.retroactive {
        parts.push("retroactive".into());
    }
    let settled = change.settled.gross.round();
    if settled.cents() < 0 {
        parts.push(format!("claws back {}", -settled));
    } else if settled.cents() > 0 {
        parts.push(format!("adds {} to settled months", settled));
    }
    parts.join("; ")
}

/// The readable outcome: `heading` says what the file held ("3 members (member_id ← …)").
pub(super) fn print_roster(
    contract: &str,
    plan: &RosterPlan,
    heading: &str,
    naming: &Naming,
    dry_run: bool,
    import: Option<i64>,
) -> crate::error::Result<()> {
    outln!(
        "Roster for {} as of {}: {heading}",
        sanitize(contract),
        plan.as_of,
    );
    outln!();
    let mut counts = Table::new(&["", ">members", "revenue of settled months"]);
    let clawed = plan.clawed_back();
    let restored = plan.restored();
    for category in [
        Category::New,
        Category::Continuing,
        Category::Terminated,
        Category::Reinstated,
        Category::Changed,
    ] {
        let money = match category {
            Category::Terminated if plan.retroactive() > 0 || clawed.cents() > 0 => {
                format!("{} retroactive; {} clawed back", plan.retroactive(), clawed)
            }
            _ => String::new(),
        };
        counts.row(vec![
            category.as_str().to_string(),
            plan.count(category).to_string(),
            money,
        ]);
    }
    counts.print()?;
    if restored.cents() > 0 {
        outln!("Back-dated members and reinstatements add {restored} to settled months.");
    }
    let money = |f: &roster_plan::MonthFigures| {
        format!(
            "{:.2} member months, {} gross",
            f.member_months.as_f64(),
            f.gross.round()
        )
    };
    outln!(
        "{} (the month this roster settles): {} before, {} after",
        plan.month,
        money(&plan.before),
        money(&plan.after)
    );
    for category in [
        Category::New,
        Category::Terminated,
        Category::Reinstated,
        Category::Changed,
    ] {
        let members: Vec<&MemberChange> = plan
            .changes
            .iter()
            .filter(|c| c.category == category)
            .collect();
        if members.is_empty() {
            continue;
        }
        outln!();
        outln!("{} ({})", capitalised(category.as_str()), members.len());
        let unit = format!(">{}", naming.unit);
        let mut table = Table::new(&[unit.as_str(), "member id", "name", "what changes"]);
        for c in members.iter().take(SHOWN) {
            table.row(vec![
                c.line.map_or("absent".to_string(), |l| l.to_string()),
                c.member_id.clone(),
                c.name.clone(),
                describe(c),
            ]);
        }
        table.print()?;
        if members.len() > SHOWN {
            outln!(
                "… and {} more (--json lists every one)",
                members.len() - SHOWN
            );
        }
    }
    if !plan.unmatched.is_empty() {
        let ids: Vec<String> = plan.unmatched.iter().map(|c| format!("#{c}")).collect();
        let have = if ids.len() == 1 { "has" } else { "have" };
        outln!();
        outln!(
            "Left alone: {} attributed to this contract {have} no member id, so the roster cannot match them: {}",
            count(ids.len(), "client", "clients"),
            ids.join(", ")
        );
    }
    outln!();
    match (dry_run, import) {
        (true, _) => outln!("Dry run: nothing was written."),
        (false, Some(id)) if plan.is_noop() => outln!(
            "No attribution changed; the roster was recorded as import {id} for reconciliation."
        ),
        (false, Some(id)) => outln!("Applied in one transaction (import {id})."),
        (false, None) => outln!(
            "Nothing changed: this roster was already imported and matches the practice's attributions."
        ),
    }
    Ok(())
}

fn capitalised(word: &str) -> String {
    let mut chars = word.chars();
    chars.next().map_or(String::new(), |c| {
        c.to_uppercase().collect::<String>() + chars.as_str()
    })
}

fn encounters(ctx: &mut Context, args: HistoryArgs) -> Result<()> {
    let bytes = read_file(&args.file)?;
    ctx.require(Action::ChangeClient, None)?;
    let directory = ctx.store.read(|c| store_history::directory(c))?;
    let checked = history::encounters(&bytes, &directory, ctx.today)?;
    refuse_if_any("encounters", checked.problems)?;
    let total = checked.rows.len();
    if args.dry_run {
        outln!(
            "Dry run: {}; nothing was written.",
            all_good(total, "encounter")
        );
        return Ok(());
    }
    let mut progress = Progress::new("importing encounters", total, 5_000);
    let done = ctx.store.write(|tx| {
        store_history::import_encounters(tx, &checked.rows, &mut |d, t| progress.update(d, t))
    })?;
    progress.finish();
    outln!(
        "Imported {} in one transaction ({}).",
        count(done.added, "encounter", "encounters"),
        skipped(done.already_present)
    );
    Ok(())
}

fn measurements(ctx: &mut Context, args: HistoryArgs) -> Result<()> {
    let bytes = read_file(&args.file)?;
    ctx.require(Action::ChangeClient, None)?;
    let directory = ctx.store.read(|c| store_history::directory(c))?;
    let checked = history::measurements(&bytes, &directory, ctx.today)?;
    refuse_if_any("measurements", checked.problems)?;
    let total = checked.rows.len();
    if args.dry_run {
        outln!(
            "Dry run: {}; nothing was written.",
            all_good(total, "measurement")
        );
        return Ok(());
    }
    let mut progress = Progress::new("importing measurements", total, 5_000);
    let done = ctx.store.write(|tx| {
        store_history::import_measurements(tx, &checked.rows, &mut |d, t| progress.update(d, t))
    })?;
    progress.finish();
    outln!(
        "Imported {} in one transaction ({}).",
        count(done.added, "measurement", "measurements"),
        skipped(done.already_present)
    );
    Ok(())
}

/// "all 3 encounter rows are good" / "the one encounter row is good".
fn all_good(total: usize, what: &str) -> String {
    match total {
        1 => format!("the one {what} row is good"),
        n => format!("all {n} {what} rows are good"),
    }
}

/// "2 rows were already stored and were skipped" / "1 row was …".
fn skipped(n: usize) -> String {
    match n {
        1 => "1 row was already stored and was skipped".to_string(),
        n => format!("{n} rows were already stored and were skipped"),
    }
}
