//! The command line of SPEC section 6 as clap derive definitions. Values that a person can get
//! wrong (dates, kinds, amounts) are taken as text and validated by the domain, so a bad value
//! is a refused operation (exit 1) with a clear message rather than a usage error (exit 2).

mod contract;

use clap::{Args, Parser, Subcommand};
pub use contract::ContractCommand;
use std::path::PathBuf;

/// The help heading of the options every command takes.
const GLOBAL: &str = "Global options";

#[derive(Debug, Parser)]
#[command(
    name = "caseload",
    version,
    about = "A panel, flags and capitation economics for therapists paid under value-based contracts",
    long_about = "caseload shows your attributed panel, flags the clients who are overdue for \
contact or outcome measurement, and tracks capitation revenue against the time the work takes. \
Run it without a command to open the terminal UI; `caseload --demo` opens a demo practice.",
    after_help = "Dates are YYYY-MM-DD, months YYYY-MM, money in dollars (42.50). A client REF is \
the internal id, the external (payer) id, or a unique part of the name."
)]
pub struct Cli {
    /// The practice database [default: caseload.db in your data directory]
    #[arg(long, global = true, help_heading = GLOBAL, env = "CASELOAD_DB", value_name = "PATH")]
    pub db: Option<PathBuf>,

    /// Treat this date as today (for checking past days and for tests)
    #[arg(long, global = true, help_heading = GLOBAL, env = "CASELOAD_TODAY", value_name = "YYYY-MM-DD")]
    pub today: Option<String>,

    /// The clinician doing the work (defaults to the client's primary clinician). Once the
    /// practice uses passphrases, who you are: required for client data, with the passphrase
    /// from CASELOAD_PASSPHRASE or a no-echo prompt
    #[arg(long = "as", global = true, help_heading = GLOBAL, value_name = "NAME")]
    pub acting: Option<String>,

    /// Open the terminal UI on a freshly generated demo practice
    #[arg(long)]
    pub demo: bool,

    /// The terminal UI leaves the mouse to the terminal (to select text) instead of scrolling
    /// and clicking with it
    #[arg(long)]
    pub no_mouse: bool,

    /// The UI's colours: default, light, high-contrast, or a theme file of your own
    #[arg(
        long,
        global = true,
        help_heading = GLOBAL,
        env = "CASELOAD_THEME",
        default_value = "default",
        value_name = "NAME"
    )]
    pub theme: String,

    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Add or list clinicians
    #[command(subcommand)]
    Clinician(ClinicianCommand),
    /// Add, list and show payer contracts: rates (by diagnosis too) and quality targets
    #[command(subcommand)]
    Contract(ContractCommand),
    /// Add, list, show clients; change their status (discharge, readmit, on hold) or tier
    #[command(subcommand)]
    Client(ClientCommand),
    /// Attribute a client to a contract, or end an attribution
    Attribute(AttributeArgs),
    /// Log an encounter (session, phone call, no-show, coordination, …)
    Log(LogArgs),
    /// Record an outcome measurement (PHQ-9, GAD-7, …) by total or item responses
    Measure(MeasureArgs),
    /// Record an acute-care event (inpatient discharge, ED visit)
    Event(EventArgs),
    /// Correct an encounter, measurement or event, with the reason kept in the audit trail
    #[command(subcommand)]
    Amend(super::correct::AmendCommand),
    /// Book the next contact: one appointment, or a series every N days
    Book(super::plan::BookArgs),
    /// The agenda: appointments by day with their states (booked, kept, no-show, unlogged)
    Appointments(super::plan::AppointmentsArgs),
    /// Cancel or move an appointment
    #[command(subcommand)]
    Appointment(super::plan::AppointmentCommand),
    /// Record that a flag was reviewed: a safety assessment, a step-down decision, or a snooze
    Review(super::plan::ReviewArgs),
    /// Void a record entered by mistake: kept and shown, but it counts for nothing
    Void(super::correct::VoidArgs),
    /// Bring a voided record back exactly as it was
    Unvoid(super::correct::VoidArgs),
    /// Show or change the practice's flag intervals
    #[command(subcommand)]
    Config(ConfigCommand),
    /// List the clients who need attention, most urgent first, with the reason for each flag
    Flags(FlagsArgs),
    /// The end-of-day check-in: what was logged today, its cost against today's capitation,
    /// critical flags, and who falls due today, tomorrow and in the next 7 days
    Today(TodayArgs),
    /// Write a synthetic demo practice into the database
    Demo(DemoArgs),
    /// Reports: revenue against the time it takes, the value the practice delivers (also as
    /// HTML), a contract's quality targets and withhold
    #[command(subcommand)]
    Report(ReportCommand),
    /// Check or read the audit trail (who viewed or changed which record, and when)
    #[command(subcommand)]
    Audit(AuditCommand),
    /// Load a payer roster, or history (encounters, measurements) from a spreadsheet
    #[command(subcommand)]
    Import(super::import::ImportCommand),
    /// For one contract and month: members never engaged, unpaid work, member months against the roster
    Reconcile(super::reconcile::ReconcileArgs),
    /// Export every table as CSV files (--csv DIR) or one JSON file (--json FILE), or the
    /// records as a FHIR R4 bundle (--fhir FILE)
    Export(super::export::ExportArgs),
    /// Write a consistent copy of the database, safe while others use it
    Backup(super::export::BackupArgs),
    /// Replace the database with a checked backup (the current one is kept aside)
    Restore(super::export::RestoreArgs),
    /// Copy the whole practice into an empty database: a file, or a PostgreSQL server
    Copy(super::copy::CopyArgs),
    /// Print a shell completion script (bash, zsh, fish, powershell, elvish)
    Completions {
        /// The shell to complete for
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print caseload's man page (roff) on stdout
    Man,
    /// Encrypt the practice at rest (SQLCipher); each clinician's passphrase opens it
    Encrypt(super::cipher::EncryptArgs),
    /// Turn encryption at rest off again (the practice becomes a plaintext SQLite file)
    Decrypt(super::cipher::EncryptArgs),
}

#[derive(Debug, Subcommand)]
pub enum ReportCommand {
    /// Access, engagement, outcomes, experience and post-discharge follow-up for a period,
    /// beside the previous period of the same length
    Value {
        /// First day of the period [default: 89 days before --to]
        #[arg(long, value_name = "DATE")]
        from: Option<String>,
        /// Last day of the period [default: today]
        #[arg(long, value_name = "DATE")]
        to: Option<String>,
        /// Only this clinician's panel
        #[arg(long, value_name = "NAME")]
        clinician: Option<String>,
        /// Print JSON instead of a table
        #[arg(long, conflicts_with_all = ["html", "csv"])]
        json: bool,
        /// Print CSV instead of a table: a row per measure, then the fairness rows
        #[arg(long, conflicts_with = "html")]
        csv: bool,
        /// Write the report as one self-contained HTML page (inline styles and charts, no
        /// request of any kind, prints on A4 and Letter) to hand a payer
        #[arg(long, value_name = "FILE")]
        html: Option<std::path::PathBuf>,
        /// With --html: replace FILE if it exists
        #[arg(long, requires = "html")]
        force: bool,
        /// With --html: initials instead of full names
        #[arg(long, requires = "html")]
        initials: bool,
    },
    /// Revenue against the time it takes, by month, contract, clinician or client
    Revenue(RevenueArgs),
    /// One contract's quality targets among its members, and the withhold earned back
    Contract {
        /// The contract
        name: String,
        /// First month [default: January of this year]
        #[arg(long, value_name = "YYYY-MM")]
        from: Option<String>,
        /// Last month [default: this month]
        #[arg(long, value_name = "YYYY-MM")]
        to: Option<String>,
        /// Print JSON instead of a table
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Check the hash chain; names the first bad sequence number and exits 1 when broken
    Verify {
        /// A head printed by `audit head` earlier (SEQ:HASH) that the chain must still hold:
        /// detects a rollback or truncation of the whole file
        #[arg(long, value_name = "SEQ:HASH")]
        expect: Vec<String>,
    },
    /// Print the chain head (SEQ:HASH) to write down, for `audit verify --expect` later
    Head,
    /// List audit rows, oldest first
    Report {
        /// First day (UTC) to include
        #[arg(long, value_name = "DATE")]
        from: Option<String>,
        /// Last day (UTC) to include
        #[arg(long, value_name = "DATE")]
        to: Option<String>,
        /// Only what this clinician did
        #[arg(long, value_name = "NAME")]
        clinician: Option<String>,
        /// Only rows about this client
        #[arg(long, value_name = "REF")]
        client: Option<String>,
        /// Print JSON instead of a table
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum ClinicianCommand {
    /// Add a clinician
    Add {
        /// The clinician's name, as --as and --clinician will name them
        name: String,
        /// clinician, supervisor or admin
        #[arg(long, default_value = "clinician")]
        role: String,
        /// What an hour of this clinician's time costs the practice, in dollars
        #[arg(
            long,
            default_value = "0",
            allow_hyphen_values = true,
            value_name = "DOLLARS"
        )]
        hourly_cost: String,
    },
    /// List clinicians
    List {
        /// Print JSON instead of a table
        #[arg(long)]
        json: bool,
    },
    /// Set or change a clinician's passphrase (stored as an Argon2id hash)
    #[command(after_help = "\
The new passphrase is typed twice at a prompt that does not echo, or taken from \
CASELOAD_NEW_PASSPHRASE (scripts). Once the practice uses passphrases, say who you are with \
--as NAME: changing your own needs your current passphrase (CASELOAD_PASSPHRASE or a prompt), \
and only an admin may set someone else's. The practice's first passphrase must be an admin's \
(it may then also come from CASELOAD_PASSPHRASE), so someone can always manage the others. \
From then on the terminal UI opens on a lock screen and client data needs --as.")]
    Passphrase {
        /// The clinician whose passphrase to set
        name: String,
        /// Remove the passphrase (and, when encrypted, the key slot) instead
        #[arg(long)]
        remove: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum ClientCommand {
    /// Add a client to the panel
    Add(ClientAddArgs),
    /// List clients
    List {
        /// Only clients with this status (active, discharged, on-hold)
        #[arg(long)]
        status: Option<String>,
        /// Only this clinician's clients
        #[arg(long, value_name = "NAME")]
        clinician: Option<String>,
        /// Print JSON instead of a table
        #[arg(long)]
        json: bool,
    },
    /// Show one client: details, attributions, encounters, measurements, events
    Show {
        /// The client: id, external (payer) id, or a unique part of the name
        #[arg(value_name = "REF")]
        client: String,
        /// Print JSON instead of a table
        #[arg(long)]
        json: bool,
    },
    /// Discharge a client (they stay in the records; flags stop)
    Discharge {
        /// The client: id, external (payer) id, or a unique part of the name
        #[arg(value_name = "REF")]
        client: String,
        /// Discharge date [default: today]
        #[arg(long, value_name = "DATE")]
        date: Option<String>,
        /// Discharge although the client carries a critical flag (safety, post-discharge
        /// follow-up), which the discharge silences
        #[arg(long)]
        force: bool,
    },
    /// Set a client's status: active (readmits a discharged client), on-hold (flags pause) or
    /// discharged (the same as `client discharge`)
    Status {
        /// The client: id, external (payer) id, or a unique part of the name
        #[arg(value_name = "REF")]
        client: String,
        /// active, on-hold or discharged
        status: String,
        /// The day the status changes: the discharge date for discharged, recorded in the
        /// audit trail otherwise [default: today]
        #[arg(long, value_name = "DATE")]
        date: Option<String>,
        /// Discharge or put on hold although the client carries a critical flag (safety,
        /// post-discharge follow-up), which the change silences
        #[arg(long)]
        force: bool,
    },
    /// Correct a client's details: name, external id, date of birth, diagnosis, primary
    /// clinician, start date (each change is audited)
    Edit(super::correct::ClientEditArgs),
    /// Change a client's risk tier (high, moderate, low)
    Tier {
        /// The client: id, external (payer) id, or a unique part of the name
        #[arg(value_name = "REF")]
        client: String,
        /// high, moderate or low
        tier: String,
    },
}

#[derive(Debug, Args)]
pub struct ClientAddArgs {
    /// The client's full name
    pub name: String,
    /// The payer's member id
    #[arg(long, value_name = "ID")]
    pub external_id: Option<String>,
    /// high, moderate or low
    #[arg(long, default_value = "moderate")]
    pub tier: String,
    /// The primary clinician [default: the acting or only clinician]
    #[arg(long, value_name = "NAME")]
    pub clinician: Option<String>,
    /// The date the client joined the panel [default: today]
    #[arg(long, value_name = "DATE")]
    pub since: Option<String>,
    /// Also attribute the client to this contract from --since
    #[arg(long, value_name = "NAME")]
    pub contract: Option<String>,
    /// Date of birth
    #[arg(long, value_name = "DATE")]
    pub dob: Option<String>,
    /// ICD-10 code
    #[arg(long, value_name = "ICD10")]
    pub diagnosis: Option<String>,
}

#[derive(Debug, Args)]
pub struct AttributeArgs {
    /// The client: id, external (payer) id, or a unique part of the name
    #[arg(value_name = "REF")]
    pub client: String,
    /// The contract
    #[arg(long, value_name = "NAME")]
    pub contract: String,
    /// First day of the attribution
    #[arg(
        long,
        value_name = "DATE",
        required_unless_present = "end",
        conflicts_with = "end"
    )]
    pub from: Option<String>,
    /// Last day of the attribution (inclusive); open-ended when left out
    #[arg(long, value_name = "DATE", conflicts_with = "end")]
    pub to: Option<String>,
    /// End the client's current attribution to the contract on this date
    #[arg(long, value_name = "DATE")]
    pub end: Option<String>,
    /// The episode's diagnosis (ICD-10), which a case rate by diagnosis is chosen by
    /// [default: the client's diagnosis]
    #[arg(long, value_name = "ICD10", conflicts_with = "end")]
    pub diagnosis: Option<String>,
}

#[derive(Debug, Args)]
pub struct LogArgs {
    /// The client: id, external (payer) id, or a unique part of the name
    #[arg(value_name = "REF")]
    pub client: String,
    /// intake, session, telehealth, phone, group, family, crisis, outreach, coordination,
    /// case-management or documentation
    #[arg(long)]
    pub kind: String,
    /// Minutes spent, 0–1440 [default: the kind's usual length (session 50, phone 15, …); 0
    /// for a no-show or cancellation]
    #[arg(long, allow_hyphen_values = true)]
    pub minutes: Option<String>,
    /// Date of the encounter [default: today]
    #[arg(long, value_name = "DATE")]
    pub date: Option<String>,
    /// completed, no-show or cancelled
    #[arg(long, default_value = "completed")]
    pub status: String,
    /// A short note (500 characters at most)
    #[arg(long)]
    pub note: Option<String>,
}

#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("value").required(true).args(["score", "items"])))]
pub struct MeasureArgs {
    /// The client: id, external (payer) id, or a unique part of the name
    #[arg(value_name = "REF")]
    pub client: String,
    /// phq9, gad7, pcl5, auditc, ors or srs
    #[arg(long, value_name = "ID")]
    pub instrument: String,
    /// The total score
    #[arg(long, allow_hyphen_values = true)]
    pub score: Option<String>,
    /// The item responses, comma separated (e.g. 1,2,0,3,1,0,2,1,0)
    #[arg(long, allow_hyphen_values = true)]
    pub items: Option<String>,
    /// Date of the measurement [default: today]
    #[arg(long, value_name = "DATE")]
    pub date: Option<String>,
}

#[derive(Debug, Args)]
pub struct EventArgs {
    /// The client: id, external (payer) id, or a unique part of the name
    #[arg(value_name = "REF")]
    pub client: String,
    /// inpatient-discharge or ed-visit
    #[arg(long)]
    pub kind: String,
    /// Date of the event [default: today]
    #[arg(long, value_name = "DATE")]
    pub date: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Print one setting
    Get {
        /// The setting, e.g. contact-days.high (`caseload config list` shows them all)
        key: String,
    },
    /// Change one setting (intervals are whole days)
    Set {
        /// The setting, e.g. contact-days.high (`caseload config list` shows them all)
        key: String,
        /// Its new value
        value: String,
    },
    /// Print every setting (also `config show`)
    #[command(visible_alias = "show")]
    List {
        /// Print JSON instead of a table
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Args)]
pub struct FlagsArgs {
    /// Only this clinician's clients (by primary clinician)
    #[arg(long, value_name = "NAME")]
    pub clinician: Option<String>,
    /// Print JSON: one object per flagged client, in priority order
    #[arg(long, conflicts_with = "csv")]
    pub json: bool,
    /// Print CSV: one row per flag
    #[arg(long)]
    pub csv: bool,
    /// Also the flags a review has silenced, each with its review
    #[arg(long)]
    pub all: bool,
}

#[derive(Debug, Args)]
pub struct TodayArgs {
    /// This clinician's panel [default: the --as clinician's, else the whole practice]
    #[arg(long, value_name = "NAME")]
    pub clinician: Option<String>,
    /// Print JSON
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct RevenueArgs {
    /// First month [default: 11 months before --to]
    #[arg(long, value_name = "YYYY-MM")]
    pub from: Option<String>,
    /// Last month [default: this month]
    #[arg(long, value_name = "YYYY-MM")]
    pub to: Option<String>,
    /// month, contract, clinician or client
    #[arg(long, default_value = "month")]
    pub by: String,
    /// Only this clinician's share: revenue of their clients, time they logged
    #[arg(long, value_name = "NAME")]
    pub clinician: Option<String>,
    /// Print JSON: the rows and the total
    #[arg(long, conflicts_with = "csv")]
    pub json: bool,
    /// Print CSV: one line per row
    #[arg(long)]
    pub csv: bool,
}

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// How many clients to generate (1 to 1,000,000)
    #[arg(long, default_value_t = 250, value_parser = clap::value_parser!(u32).range(1..=1_000_000))]
    pub clients: u32,
    /// The same seed gives the same practice
    #[arg(long, default_value_t = 7)]
    pub seed: u64,
}

mod examples;
pub use examples::command;

#[cfg(test)]
mod tests;
