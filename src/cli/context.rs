//! What every handler needs: the open store, "today", "now", who is acting, and the gate in
//! front of client data. When the practice uses passphrases, the first check authenticates
//! `--as` (passphrase from the environment or a no-echo prompt) and every check asks the one
//! access rule, which audits each denial; without passphrases everything is allowed, as before.

use super::args::Cli;
use super::secret;
use crate::domain::access::{self, Action, Ownership};
use crate::domain::{Client, Clinician, ClinicianId, parse_date};
use crate::error::{Error, Result};
use crate::store::auth::{self, Purpose, Session};
use crate::store::{Actor, Store, access as gate, clients, clinicians, keyfile};
use chrono::{DateTime, NaiveDate, Utc};
use std::path::PathBuf;

pub struct Context {
    pub store: Store,
    pub today: NaiveDate,
    /// The clinician named by `--as`, if any.
    pub acting: Option<Clinician>,
    /// This command's wall-clock instant (audit times, the login throttle).
    pub now: DateTime<Utc>,
    /// True when any clinician has a passphrase: client data then needs an authenticated `--as`.
    guarded: bool,
    session: Option<Session>,
}

/// The database path: `--db`, `CASELOAD_DB`, or caseload.db in the platform's data directory
/// (created, private, when missing). A URL is refused (a server is opened before this is
/// asked, where a server can be); its text is never echoed, since it may hold a password.
pub fn database_path(cli: &Cli) -> Result<PathBuf> {
    if let Some(path) = &cli.db {
        refuse_unsupported_url(path)?;
        return Ok(path.clone());
    }
    Ok(data_dir()?.join("caseload.db"))
}

/// `scheme://…` given as `--db` where a file is needed.
fn refuse_unsupported_url(path: &std::path::Path) -> Result<()> {
    let text = path.to_string_lossy();
    let Some((scheme, _)) = text.split_once("://") else {
        return Ok(());
    };
    let is_scheme = scheme.starts_with(|c: char| c.is_ascii_alphabetic())
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    if !is_scheme {
        return Ok(());
    }
    let scheme = scheme.to_ascii_lowercase();
    Err(Error::invalid(match scheme.as_str() {
        "postgres" | "postgresql" => {
            "--db: this needs a caseload file, not a PostgreSQL server".to_string()
        }
        _ => format!(
            "--db: caseload does not open {}:// databases; give the path of a caseload file",
            crate::domain::text::sanitize(&scheme)
        ),
    }))
}

/// The platform's data directory for caseload (`~/.local/share/caseload` on Linux), created
/// readable by the owner only when it does not exist yet.
pub fn data_dir() -> Result<PathBuf> {
    let dir = directories::ProjectDirs::from("", "", "caseload")
        .map(|p| p.data_dir().to_path_buf())
        .ok_or_else(|| Error::invalid("cannot find a home directory; pass --db PATH"))?;
    if !dir.is_dir() {
        let mut builder = std::fs::DirBuilder::new();
        builder.recursive(true);
        #[cfg(unix)]
        std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
        builder.create(&dir).map_err(|e| {
            Error::invalid(format!(
                "cannot create caseload's data folder {}: {e}",
                crate::domain::text::sanitize(&dir.display().to_string())
            ))
        })?;
    }
    Ok(dir)
}

/// Today: `--today` / `CASELOAD_TODAY`, else the local date. The only clock read of the CLI.
pub fn today(cli: &Cli) -> Result<NaiveDate> {
    match &cli.today {
        Some(text) => parse_date(text).map_err(|e| Error::invalid(format!("--today: {e}"))),
        None => Ok(chrono::Local::now().date_naive()),
    }
}

/// Says on a terminal's stderr that the database is being upgraded (scripts see nothing).
pub fn note_upgrade(from: i64, to: i64) {
    use std::io::{IsTerminal, Write};
    let mut err = std::io::stderr();
    if err.is_terminal() {
        let _ = writeln!(
            err,
            "caseload: upgrading the practice database (schema {from} → {to}); this happens once \
             and can take a minute on a large practice…"
        );
    }
}

/// Opens the key slot of the clinician `--as` names in the key file of `db` (an encrypted
/// practice or backup), asking for their passphrase; refuses, with the growing wait, a wrong
/// one, and says that the practice is encrypted when no one is named.
pub fn unlock_slot(
    db: &std::path::Path,
    acting: Option<&str>,
    now: DateTime<Utc>,
) -> Result<(ClinicianId, keyfile::Unlocked)> {
    let Some(name) = acting else {
        return Err(crate::store::cipher::encrypted_refusal());
    };
    let keys = keyfile::read(db)?.ok_or_else(|| keyfile::missing(db))?;
    let entry = keyfile::find(&keys, name)?;
    let passphrase = secret::current(&entry.name)?;
    match keyfile::unlock(db, entry.clinician_id, &passphrase, now)? {
        Ok(unlocked) => Ok((ClinicianId(entry.clinician_id), unlocked)),
        Err(denial) => Err(Error::Denied(format!(
            "{}: {denial}",
            crate::domain::text::sanitize(&entry.name)
        ))),
    }
}

impl Context {
    pub fn open(cli: &Cli) -> Result<Context> {
        let today = today(cli)?;
        let now = Utc::now();
        let path = database_path(cli)?;
        if crate::store::cipher::is_encrypted(&path) {
            return Context::open_encrypted(cli, &path, today, now);
        }
        let store = Store::open_noting_upgrade(&path, &mut note_upgrade)?;
        Context::with_store(cli, store, today, now)
    }

    /// The practice on a PostgreSQL server (`--db postgresql://…`).
    pub fn open_server(cli: &Cli, server: &crate::store::pg::Server) -> Result<Context> {
        let today = today(cli)?;
        let now = Utc::now();
        Context::with_store(cli, Store::open_server(server)?, today, now)
    }

    /// A plaintext store, open: who acts, and whether the practice uses passphrases.
    fn with_store(
        cli: &Cli,
        mut store: Store,
        today: NaiveDate,
        now: DateTime<Utc>,
    ) -> Result<Context> {
        let acting = match &cli.acting {
            Some(name) => Some(store.read(|c| clinicians::by_name(c, name))?),
            None => None,
        };
        if let Some(c) = &acting {
            store.set_actor(Actor {
                clinician_id: Some(c.id),
                name: c.name.clone(),
            });
        }
        let guarded = store.read(|c| auth::practice_uses_passphrases(c))?;
        Ok(Context {
            store,
            today,
            acting,
            now,
            guarded,
            session: None,
        })
    }

    /// An encrypted practice: the passphrase opens the key slot first (nothing of the database
    /// is readable before), then the session starts without hashing it a second time.
    fn open_encrypted(
        cli: &Cli,
        path: &std::path::Path,
        today: NaiveDate,
        now: DateTime<Utc>,
    ) -> Result<Context> {
        let (id, unlocked) = unlock_slot(path, cli.acting.as_deref(), now)?;
        let mut store = Store::open_keyed(path, Some(unlocked.key), &mut note_upgrade)?;
        let clinician = store.read(|c| clinicians::get(c, id))?;
        let session = auth::login_by_key_slot(
            &mut store,
            &clinician,
            unlocked.failures_before,
            now,
            Purpose::Login,
        )?;
        Ok(Context {
            store,
            today,
            acting: Some(clinician),
            now,
            guarded: true,
            session: Some(session),
        })
    }

    /// True when the practice uses passphrases.
    pub fn guarded(&self) -> bool {
        self.guarded
    }

    /// The authenticated clinician, when the practice uses passphrases (`None` otherwise).
    /// Authenticates `--as` on first use; refuses (and audits) when no one is named.
    pub fn session(&mut self, action: Action) -> Result<Option<Clinician>> {
        if !self.guarded {
            return Ok(None);
        }
        if let Some(session) = &self.session {
            return Ok(Some(session.clinician.clone()));
        }
        let Some(acting) = self.acting.clone() else {
            gate::refuse_anonymous(&mut self.store, action)?;
            return Ok(None);
        };
        let passphrase = secret::current(&acting.name)?;
        match auth::authenticate(
            &mut self.store,
            &acting,
            &passphrase,
            self.now,
            Purpose::Login,
        )? {
            Ok(session) => {
                self.session = Some(session);
                Ok(Some(acting))
            }
            Err(denial) => Err(Error::Denied(format!(
                "{}: {denial}",
                crate::domain::text::sanitize(&acting.name)
            ))),
        }
    }

    /// Allows `action` on `client` (or, with no client, on the practice as a whole), or refuses
    /// with one line; every refusal is audited. Always allowed without passphrases.
    pub fn require(&mut self, action: Action, client: Option<&Client>) -> Result<()> {
        let Some(actor) = self.session(action)? else {
            return Ok(());
        };
        match client {
            Some(client) => gate::check_client(&mut self.store, &actor, action, client),
            None => gate::check(&mut self.store, &actor, action, Ownership::Practice, None),
        }
    }

    /// Allows `action` on something whose ownership the caller knows (a passphrase, a panel).
    pub fn require_owned(&mut self, action: Action, ownership: Ownership) -> Result<()> {
        let Some(actor) = self.session(action)? else {
            return Ok(());
        };
        gate::check(&mut self.store, &actor, action, ownership, None)
    }

    /// Allows `action` on one clinician's panel (`None`: no one's, or everyone's).
    pub fn require_panel(&mut self, action: Action, panel: Option<ClinicianId>) -> Result<()> {
        let Some(actor) = self.session(action)? else {
            return Ok(());
        };
        gate::check_panel(&mut self.store, &actor, action, panel)
    }

    /// The clinician filter a listing must use: what was asked for, or, when nothing was,
    /// the panel the role implies (a clinician's own; everyone's for supervisors and admins).
    /// Asking for a panel the role may not see is refused and audited. For `flags`, reports
    /// and anything else that lists clients: `let filter = ctx.visible_clinician(asked)?;`.
    pub fn visible_clinician(
        &mut self,
        requested: Option<&Clinician>,
    ) -> Result<Option<ClinicianId>> {
        let Some(actor) = self.session(Action::ListClients)? else {
            return Ok(requested.map(|c| c.id));
        };
        let panel = match requested {
            Some(c) => Some(c.id),
            None => access::default_panel(actor.role, actor.id),
        };
        gate::check_panel(&mut self.store, &actor, Action::ListClients, panel)?;
        Ok(panel)
    }

    /// Resolves a client reference and allows `action` on that client. Name fragments match
    /// only within the panel the acting role sees, so no other client's name is ever offered.
    pub fn client_for(&mut self, reference: &str, action: Action) -> Result<Client> {
        let scope = self
            .session(action)?
            .and_then(|actor| access::default_panel(actor.role, actor.id));
        let client = self
            .store
            .read(|c| clients::resolve_in(c, reference, scope))?;
        self.require(action, Some(&client))?;
        Ok(client)
    }

    /// Resolves a client reference without any access check (use [`Context::client_for`]
    /// for anything shown or changed).
    pub fn client(&self, reference: &str) -> Result<Client> {
        self.store.read(|c| clients::resolve(c, reference))
    }

    /// A date option, defaulting to today; dates after today are refused.
    pub fn past_date(&self, text: Option<&str>, what: &str) -> Result<NaiveDate> {
        crate::domain::entry::past_date(text, what, self.today)
    }

    /// Who the work on this client is recorded for (`domain::entry::worker`).
    pub fn worker_for(&self, client: &Client) -> Result<Clinician> {
        let all: Vec<_> = self
            .store
            .read(|c| clinicians::list(c))?
            .iter()
            .map(|c| c.id)
            .collect();
        let id = crate::domain::entry::worker(
            self.acting.as_ref().map(|c| c.id),
            client.clinician_id,
            &all,
            client.id,
        )?;
        self.store.read(|c| clinicians::get(c, id))
    }
}
