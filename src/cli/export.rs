//! `caseload export --csv DIR | --json FILE`, `caseload backup FILE` and `caseload restore FILE`:
//! moving a practice out, and keeping it safe. Exports hold every table (passphrase hashes
//! left out), are written readable by the owner only and are audited; CSV cells a spreadsheet
//! would run as a formula are neutralised. These are an admin's tasks. The file and SQLite work
//! is in `store::export` and `store::backup`.

use super::args::Cli;
use super::progress::Progress;
use super::{Context, context};
use crate::domain::access::Action;
use crate::domain::csvfile::neutralize;
use crate::domain::keyslot::PracticeKey;
use crate::domain::text::{count, sanitize};
use crate::error::{Error, Result};
use crate::store::backup::{self, sync_dir_of};
use crate::store::export::{self, TableSpec};
use crate::store::outfile;
use crate::store::{SCHEMA_VERSION, audit::timestamp};
use crate::store::{cipher, keyfile};
use clap::{ArgGroup, Args};
use rusqlite::types::Value;
use std::io::Write;
use std::path::{Path, PathBuf};

#[derive(Debug, Args)]
#[command(group(ArgGroup::new("format").required(true).args(["csv", "json", "fhir"])))]
#[command(after_help = "\
--csv writes one file per table (clients.csv, encounters.csv, audit.csv, …) into DIR, created \
readable by you only if it does not exist; --json writes one file holding every table. Files \
are created readable by you only (0600) and put in place whole. An existing file, or a folder \
that is not empty, is refused unless you pass --force; the practice database and its journals \
are never written over. Passphrase hashes \
are never exported. In CSV files a text cell beginning with =, +, - or @ gets a leading ' so a \
spreadsheet shows it instead of running it, and no raw control character is written: tabs, \
carriage returns, escapes, other control characters and text-direction marks are written as \
visible escapes such as \\u{9} or \\u{1b}, while line breaks in a cell (a note of several \
lines) are kept inside its quotes. JSON keeps values exactly as stored. The export is recorded \
in the audit trail.")]
pub struct ExportArgs {
    /// Write one CSV file per table into this directory
    #[arg(long, value_name = "DIR")]
    pub csv: Option<PathBuf>,
    /// Write every table into one JSON file
    #[arg(long, value_name = "FILE")]
    pub json: Option<PathBuf>,
    /// Write a FHIR R4 Bundle (collection) for an EHR: Patient, Encounter, Observation and
    /// Coverage resources, voided records left out
    #[arg(long, value_name = "FILE")]
    pub fhir: Option<PathBuf>,
    /// Replace an existing FILE, or the files in a DIR that is not empty
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Args)]
#[command(after_help = "\
Uses SQLite's online backup: a consistent copy, safe while others are using the practice. The \
copy is a single self-contained file, readable by you only, checked before it is put in place.")]
pub struct BackupArgs {
    /// Where to write the backup
    pub file: PathBuf,
    /// Replace FILE if it exists
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Args)]
#[command(after_help = "\
FILE must pass SQLite's integrity check, be a caseload database no newer than this program, and \
have an unbroken audit trail; otherwise nothing is touched. The practice database as it was is \
first copied aside (<db>.before-restore-<time>), then the backup is written into it in one \
transaction, so other open caseload windows see the old practice or the restored one, never a \
mix. A database that cannot be opened at all is moved aside (<db>.damaged-<time>, with its \
-wal and -shm) and the backup put in its place. With --db naming a PostgreSQL server, FILE is \
copied into that database, which must hold no practice yet.")]
pub struct RestoreArgs {
    /// The backup to restore
    pub file: PathBuf,
    /// Only check FILE and say what it holds; change nothing
    #[arg(long)]
    pub check: bool,
}

/// Rows at which an export shows progress.
const PROGRESS_ROWS: usize = 50_000;

pub fn export(ctx: &mut Context, args: ExportArgs) -> Result<()> {
    ctx.require(Action::CopyPractice, None)?;
    match (args.csv, args.json, args.fhir) {
        (Some(dir), _, _) => export_csv(ctx, &dir, args.force),
        (None, Some(file), _) => export_json(ctx, &file, args.force),
        (None, None, Some(file)) => export_fhir(ctx, &file, args.force),
        (None, None, None) => Err(Error::invalid("say --csv DIR, --json FILE or --fhir FILE")),
    }
}

/// `export --fhir FILE`: every client with their live records as one FHIR R4 Bundle.
fn export_fhir(ctx: &mut Context, file: &Path, force: bool) -> Result<()> {
    outfile::claim_file(file, force, ctx.store.path())?;
    let (clients, entries, mut progress, outcome) = ctx.store.read(|snapshot| {
        let contracts = crate::store::contracts::list(snapshot)?;
        let clients = crate::store::clients::list(snapshot, &Default::default())?;
        let mut progress = Progress::new("exporting", clients.len(), 2_000);
        let stamp = timestamp(ctx.now);
        let mut entries = 0;
        let outcome = write_private(file, force, |out| {
            let mut bundle = super::fhir::BundleWriter::start(out, &stamp)?;
            for (i, c) in clients.iter().enumerate() {
                let record = crate::store::record::load(snapshot, c.id)?;
                bundle.client(&record, &contracts)?;
                progress.update(i + 1, clients.len());
            }
            entries = bundle.finish()?;
            Ok(())
        });
        Ok((clients, entries, progress, outcome))
    })?;
    progress.finish();
    outcome?;
    ctx.store.write(|tx| {
        tx.audit(
            "export.fhir",
            None,
            &format!(
                "{}, {}",
                count(clients.len(), "client", "clients"),
                count(entries, "resource", "resources")
            ),
        )
    })?;
    outln!(
        "Exported {} as a FHIR R4 bundle of {entries} resources to {}",
        count(clients.len() as i64, "client", "clients"),
        sanitize(&file.display().to_string())
    );
    Ok(())
}

/// Writes `target` whole and privately (see `store::outfile::write`).
fn write_private(
    target: &Path,
    replace: bool,
    write: impl FnOnce(&mut dyn Write) -> Result<()>,
) -> Result<()> {
    outfile::write(target, replace, write)
}

fn csv_cell(value: &Value) -> String {
    match value {
        Value::Null => String::new(),
        Value::Integer(i) => i.to_string(),
        Value::Real(r) => r.to_string(),
        // Control characters as visible escapes (line breaks kept), then formulas neutralised.
        Value::Text(t) => neutralize(&crate::domain::text::escape_controls(t)).into_owned(),
        Value::Blob(b) => b.iter().map(|x| format!("{x:02x}")).collect(),
    }
}

fn json_value(value: &Value) -> serde_json::Value {
    match value {
        Value::Null => serde_json::Value::Null,
        Value::Integer(i) => (*i).into(),
        Value::Real(r) => {
            serde_json::Number::from_f64(*r).map_or(serde_json::Value::Null, Into::into)
        }
        Value::Text(t) => t.clone().into(),
        Value::Blob(b) => b
            .iter()
            .map(|x| format!("{x:02x}"))
            .collect::<String>()
            .into(),
    }
}

fn csv_error(e: csv::Error) -> Error {
    Error::invalid(format!("could not write CSV: {e}"))
}

fn export_csv(ctx: &mut Context, dir: &Path, force: bool) -> Result<()> {
    outfile::claim_dir(dir, force)?;
    if !dir.exists() {
        let mut builder = std::fs::DirBuilder::new();
        builder.recursive(true);
        #[cfg(unix)]
        std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
        builder
            .create(dir)
            .map_err(|e| Error::invalid(format!("cannot create {}: {e}", dir.display())))?;
    }
    let (specs, total, written, mut progress, outcome) = ctx.store.read(|snapshot| {
        let specs = export::tables(snapshot)?;
        let total: u64 = specs.iter().map(|s| s.rows).sum();
        let mut progress = Progress::new("exporting", total as usize, PROGRESS_ROWS);
        let mut done = 0usize;
        let mut written: Vec<PathBuf> = Vec::new();
        let outcome = (|| -> Result<()> {
            for spec in &specs {
                let target = dir.join(format!("{}.csv", spec.name));
                outfile::claim_file(&target, force, ctx.store.path())?;
                write_private(&target, force, |out| {
                    let mut w = csv::Writer::from_writer(out);
                    w.write_record(&spec.columns).map_err(csv_error)?;
                    let mut cells: Vec<String> = Vec::with_capacity(spec.columns.len());
                    export::each_row(snapshot, spec, &mut |row| {
                        cells.clear();
                        cells.extend(row.iter().map(csv_cell));
                        w.write_record(&cells).map_err(csv_error)?;
                        done += 1;
                        progress.update(done, total as usize);
                        Ok(())
                    })?;
                    w.flush()?;
                    Ok(())
                })?;
                written.push(target);
            }
            sync_dir_of(&dir.join("x"))?;
            Ok(())
        })();
        Ok((specs, total, written, progress, outcome))
    })?;
    progress.finish();
    let audited = outcome.and_then(|()| {
        ctx.store.write(|tx| {
            tx.audit(
                "export.csv",
                None,
                &format!(
                    "{}, {}",
                    count(specs.len(), "table", "tables"),
                    count(total, "row", "rows")
                ),
            )
        })
    });
    if let Err(e) = audited {
        for file in &written {
            let _ = std::fs::remove_file(file);
        }
        return Err(e);
    }
    let names: Vec<String> = specs.iter().map(|s| format!("{}.csv", s.name)).collect();
    outln!(
        "Exported {} ({}) to {}: {}",
        count(specs.len(), "table", "tables"),
        count(total, "row", "rows"),
        sanitize(&dir.display().to_string()),
        names.join(", ")
    );
    Ok(())
}

fn write_json_table(
    out: &mut dyn Write,
    snapshot: &crate::store::db::Connection,
    spec: &TableSpec,
    each: &mut dyn FnMut(),
) -> Result<()> {
    let json_error = |e: serde_json::Error| Error::invalid(format!("could not write JSON: {e}"));
    serde_json::to_writer(&mut *out, &spec.name).map_err(json_error)?;
    out.write_all(b": [")?;
    let mut first = true;
    export::each_row(snapshot, spec, &mut |row| {
        let object: serde_json::Map<String, serde_json::Value> = spec
            .columns
            .iter()
            .zip(row)
            .map(|(c, v)| (c.clone(), json_value(v)))
            .collect();
        out.write_all(if first { b"\n    " } else { b",\n    " })?;
        first = false;
        serde_json::to_writer(&mut *out, &object).map_err(json_error)?;
        each();
        Ok(())
    })?;
    out.write_all(if first { b"]" } else { b"\n  ]" })?;
    Ok(())
}

fn export_json(ctx: &mut Context, file: &Path, force: bool) -> Result<()> {
    outfile::claim_file(file, force, ctx.store.path())?;
    let (specs, total, mut progress, outcome) = ctx.store.read(|snapshot| {
    let specs = export::tables(snapshot)?;
    let total: u64 = specs.iter().map(|s| s.rows).sum();
    let mut progress = Progress::new("exporting", total as usize, PROGRESS_ROWS);
    let mut done = 0usize;
    let exported_at = timestamp(ctx.now);
    let outcome = write_private(file, force, |out| {
        write!(
            out,
            "{{\n  \"format\": \"caseload-export\",\n  \"schema_version\": {SCHEMA_VERSION},\n  \"exported_at\": \"{exported_at}\",\n  \"tables\": {{"
        )?;
        for (i, spec) in specs.iter().enumerate() {
            out.write_all(if i == 0 { b"\n  " } else { b",\n  " })?;
            write_json_table(out, snapshot, spec, &mut || {
                done += 1;
                progress.update(done, total as usize);
            })?;
        }
        out.write_all(b"\n  }\n}\n")?;
        Ok(())
    })
    .and_then(|()| sync_dir_of(file));
    Ok((specs, total, progress, outcome))
    })?;
    progress.finish();
    let audited = outcome.and_then(|()| {
        ctx.store.write(|tx| {
            tx.audit(
                "export.json",
                None,
                &format!(
                    "{}, {}",
                    count(specs.len(), "table", "tables"),
                    count(total, "row", "rows")
                ),
            )
        })
    });
    if let Err(e) = audited {
        let _ = std::fs::remove_file(file);
        return Err(e);
    }
    outln!(
        "Exported {} ({}) to {}",
        count(specs.len(), "table", "tables"),
        count(total, "row", "rows"),
        sanitize(&file.display().to_string())
    );
    Ok(())
}

pub fn backup(ctx: &mut Context, args: BackupArgs) -> Result<()> {
    ctx.require(Action::CopyPractice, None)?;
    outfile::claim_file(&args.file, args.force, ctx.store.path())?;
    let summary = backup::backup(&mut ctx.store, &args.file, args.force)?;
    outln!(
        "Backed up the practice to {} ({} KiB). Check it with `caseload restore --check FILE`.",
        sanitize(&args.file.display().to_string()),
        summary.bytes.div_ceil(1024)
    );
    Ok(())
}

/// True when the file exists but SQLite cannot read it as a database at all.
fn unreadable(path: &Path) -> bool {
    let Ok(conn) = rusqlite::Connection::open_with_flags(
        path,
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
    ) else {
        return false;
    };
    match conn.query_row("SELECT count(*) FROM sqlite_schema", [], |r| {
        r.get::<_, i64>(0)
    }) {
        Err(rusqlite::Error::SqliteFailure(e, _)) => matches!(
            e.code,
            rusqlite::ErrorCode::NotADatabase | rusqlite::ErrorCode::DatabaseCorrupt
        ),
        _ => false,
    }
}

/// `caseload restore`: runs before the usual open, so a damaged database can be replaced.
pub fn restore(cli: &Cli, args: RestoreArgs) -> Result<()> {
    let source_key = backup_key(cli, &args.file)?;
    let checked = backup::check(&args.file, source_key.as_ref())?;
    let shown = sanitize(&args.file.display().to_string());
    if args.check {
        outln!(
            "{shown} is a sound caseload backup: schema version {}, {} (chain intact).",
            checked.schema_version,
            contents(&checked)
        );
        return Ok(());
    }
    if let Some(server) = super::copy::server_of(cli)? {
        if source_key.is_some() {
            return Err(Error::invalid(
                "the backup is encrypted: decrypt a copy of it first (`caseload --db COPY \
                 decrypt`); a server keeps its data safe with its own TLS and disk encryption",
            ));
        }
        let copied = super::copy::restore_into_server(&server, &args.file)?;
        outln!(
            "Restored {shown} into {}: {} ({} rows; audit chain verified, {} rows).",
            server.shown(),
            contents(&checked),
            copied.rows,
            copied.chain.rows
        );
        return Ok(());
    }
    let live = context::database_path(cli)?;
    let stamp = chrono::Utc::now().format("%Y%m%dT%H%M%SZ").to_string();
    let fresh = !live.exists() || std::fs::metadata(&live).is_ok_and(|m| m.len() == 0);
    let restored = if (live.exists() && !cipher::is_encrypted(&live) && unreadable(&live))
        || (fresh && source_key.is_some())
    {
        backup::restore_replacing(&live, &args.file, &stamp, source_key.as_ref())?
    } else {
        let mut ctx = Context::open(cli)?;
        ctx.require(Action::CopyPractice, None)?;
        backup::restore_into(&mut ctx.store, &args.file, &stamp, source_key.as_ref())?
    };
    outln!("Restored {shown}: {}.", contents(&restored.checked));
    if let Some(previous) = restored.previous {
        outln!(
            "The database as it was is kept at {}.",
            sanitize(&previous.display().to_string())
        );
    }
    Ok(())
}

/// The key of an encrypted backup: its own key file beside it (`FILE.keys`), else the live
/// practice's, opened with `--as` and that clinician's passphrase. `None` for a plaintext file.
fn backup_key(cli: &Cli, file: &Path) -> Result<Option<PracticeKey>> {
    let mut head = [0u8; 16];
    let read = std::fs::File::open(file)
        .and_then(|mut f| std::io::Read::read(&mut f, &mut head))
        .unwrap_or(0);
    if read < head.len() || &head == b"SQLite format 3\0" {
        return Ok(None);
    }
    let keys_of = if keyfile::path_for(file).is_file() {
        file.to_path_buf()
    } else {
        let live = context::database_path(cli)?;
        if !keyfile::path_for(&live).is_file() {
            return Err(Error::invalid(format!(
                "{} cannot be restored: it is not a SQLite database (nor an encrypted backup with its key file {} beside it)",
                sanitize(&file.display().to_string()),
                sanitize(&keyfile::path_for(file).display().to_string())
            )));
        }
        live
    };
    let (_, unlocked) = context::unlock_slot(&keys_of, cli.acting.as_deref(), chrono::Utc::now())?;
    Ok(Some(unlocked.key))
}

/// "3 clients, 1 encounter, 12 audit rows": what a backup holds.
fn contents(checked: &backup::Checked) -> String {
    format!(
        "{}, {}, {}",
        count(checked.clients, "client", "clients"),
        count(checked.encounters, "encounter", "encounters"),
        count(checked.audit_rows, "audit row", "audit rows")
    )
}
