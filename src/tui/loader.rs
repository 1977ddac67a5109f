//! The background loader: computes the Today, Revenue (months and contracts) and Value tabs'
//! figures, and a filtered panel's counts, on its own thread, through its own connection to the
//! same database (the file, or a session of its own on the server), so a tab
//! key returns at once and the tab says it is computing. It must not touch the UI's model or
//! connection, write to the database, or block the UI: it only reads — each result from one
//! snapshot — and sends results back over a channel, tagged with the generation they were
//! asked for, which the UI drops once a reload has made them stale. Errors come back as their
//! one-line text (never client data), and a panic in it becomes such a line, not a crash.
//! Without a database (in memory) or a thread, the UI computes the same figures itself.

use super::app::{App, ContractsTab, ValueTab};
use super::update::panel_scope;
use crate::domain::economics::last_twelve_months;
use crate::domain::today::DaySummary;
use crate::domain::value::Period;
use crate::domain::{ClinicianId, Month};
use crate::error::Result;
use crate::store::panel_window::{self, PanelCounts, PanelWindow};
use crate::store::revenue::{self, GroupBy, RevenueQuery, RevenueReport};
use crate::store::value::{self, ValueQuery};
use crate::store::{Snapshot, Store, contract_report, contracts, today};
use chrono::NaiveDate;
use std::path::PathBuf;
use std::sync::mpsc::{self, Receiver, Sender, TryRecvError};

/// The loader thread's name; the terminal's panic hook leaves its (caught) panics alone.
pub const THREAD: &str = "caseload-loader";

/// Which tab's figures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Today,
    Revenue,
    Value,
    Contracts,
    /// A filtered panel window's counts.
    Counts,
}

/// What to compute, with every parameter taken from the model when it was asked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Job {
    Today {
        today: NaiveDate,
        scope: Option<ClinicianId>,
    },
    Revenue(RevenueQuery),
    Value {
        today: NaiveDate,
        scope: Option<ClinicianId>,
    },
    Contracts {
        today: NaiveDate,
    },
    Counts {
        window: PanelWindow,
        today: NaiveDate,
    },
}

impl Job {
    pub fn kind(&self) -> Kind {
        match self {
            Job::Today { .. } => Kind::Today,
            Job::Revenue(_) => Kind::Revenue,
            Job::Value { .. } => Kind::Value,
            Job::Contracts { .. } => Kind::Contracts,
            Job::Counts { .. } => Kind::Counts,
        }
    }

    /// The job for a tab's figures as the model asks for them now.
    pub fn of(app: &App, kind: Kind) -> Job {
        match kind {
            Kind::Today => Job::Today {
                today: app.today,
                scope: panel_scope(app),
            },
            Kind::Revenue => {
                let (from, to) = last_twelve_months(app.today);
                let mut query = RevenueQuery::new(from, to, GroupBy::Month).through(app.today);
                query.clinician = panel_scope(app);
                Job::Revenue(query)
            }
            Kind::Value => Job::Value {
                today: app.today,
                scope: panel_scope(app),
            },
            Kind::Contracts => Job::Contracts { today: app.today },
            Kind::Counts => Job::Counts {
                window: super::panel_window::window(app),
                today: app.today,
            },
        }
    }
}

/// A tab's figures, computed.
#[derive(Debug, Clone)]
pub enum Figures {
    Today(DaySummary),
    Revenue(RevenueReport),
    Value(Box<ValueTab>),
    Contracts(ContractsTab),
    Counts(PanelWindow, PanelCounts),
}

/// Computes a job's figures in one snapshot: the same function whichever thread runs it.
pub fn compute(snap: &Snapshot, job: &Job) -> Result<Figures> {
    Ok(match job {
        Job::Today { today, scope } => Figures::Today(today::load(snap, *today, *scope)?),
        Job::Revenue(query) => Figures::Revenue(revenue::report(snap, query)?),
        Job::Value { today, scope } => {
            let query = ValueQuery { clinician: *scope };
            let o = value::overview(snap, Period::default_ending(*today), *today, query)?;
            Figures::Value(Box::new(ValueTab {
                rows: crate::report::value::measure_rows(&o.current, &o.previous, &o.monthly),
                current: o.current,
                previous: o.previous,
                monthly: o.monthly,
                fairness: o.fairness,
                coding: o.coding,
            }))
        }
        Job::Contracts { today } => {
            // Every contract over the period `caseload report contract` covers by default.
            let (from, to) = Month::year_so_far(*today);
            let mut reports = Vec::new();
            for contract in contracts::list(snap)? {
                reports.push(contract_report::report(snap, contract, from, to, *today)?);
            }
            Figures::Contracts(ContractsTab::Shown(reports))
        }
        Job::Counts { window, today } => {
            Figures::Counts(window.clone(), panel_window::counts(snap, window, *today)?)
        }
    })
}

/// [`compute`] on the loader's own store, where a job's reading splits in two halves read
/// side by side (`Store::read_pair`): the same figures from one snapshot's state.
fn compute_on(store: &Store, job: &Job) -> Result<Figures> {
    match job {
        Job::Today { today, scope } => Ok(Figures::Today(today::load_from(store, *today, *scope)?)),
        job => store.read(|snap| compute(snap, job)),
    }
}

/// Puts computed figures where the tab reads them.
pub fn put(app: &mut App, figures: Figures) {
    match figures {
        Figures::Today(day) => {
            app.view.day = Some(day);
            app.view.day_count = app.day_entries().count();
            app.view.day_selected = app
                .view
                .day_selected
                .min(app.view.day_count.saturating_sub(1));
        }
        Figures::Revenue(report) => app.view.revenue = Some(report),
        Figures::Value(tab) => app.view.value = Some(*tab),
        Figures::Contracts(tab) => app.view.contracts = Some(tab),
        Figures::Counts(window, counts) => super::panel_window::put_counts(app, window, counts),
    }
}

struct Request {
    generation: u64,
    job: Job,
}

/// A result as it comes back: for which generation and tab, the figures or the error's line.
pub struct Reply {
    pub generation: u64,
    pub kind: Kind,
    pub result: std::result::Result<Figures, String>,
}

enum Message {
    Reply(Box<Reply>),
    /// The loader could not open the database: the UI computes itself from now on.
    Failed(String),
}

/// The UI's end of a running loader.
pub struct Loader {
    /// The practice it reads: the file's path, or the server's URL as shown.
    place: String,
    encrypted: bool,
    requests: Sender<Request>,
    replies: Receiver<Message>,
}

/// Whether tabs load in the background.
pub enum Background {
    /// Not started yet: it starts when a tab that needs it is shown on a store with a file or
    /// on a server.
    Unstarted,
    Running(Loader),
    /// Never (it could not start, it stopped, or a test wants the synchronous path).
    Off,
}

/// What the UI has asked for and not received yet, and the generation a result must carry to
/// be taken: every reload (and the lock screen) starts a new one.
#[derive(Debug, Default)]
pub struct Loading {
    pub generation: u64,
    pub asked: Vec<Kind>,
}

impl Loading {
    pub fn computing(&self, kind: Kind) -> bool {
        self.asked.contains(&kind)
    }
}

/// Whether the screen shown needs figures the loader computes.
fn shows_heavy_tab(app: &App) -> bool {
    use super::action::Tab;
    let filtered = app.view.panel.flag_filter.is_some() || !app.view.panel.filter.is_empty();
    app.view.client.is_none()
        && (matches!(app.view.tab, Tab::Today | Tab::Revenue | Tab::Value)
            || (app.view.tab == Tab::Panel && filtered))
}

/// Starts the loader for this store's practice when a tab needs it, and restarts it when the
/// store is another practice (or now encrypted). A store in memory has none.
pub fn ensure(app: &mut App, store: &Store) {
    let source = match (store.path(), store.server()) {
        (Some(path), _) => Source::File(path.to_path_buf(), store.key().cloned()),
        (None, Some(server)) => Source::Server(Box::new(server.clone())),
        (None, None) => return,
    };
    let place = store.place();
    if let Background::Running(l) = &app.background {
        if l.place == place && l.encrypted == store.encrypted() {
            return;
        }
        // Another practice (or the same one, now keyed): this loader's answers are not its.
        app.background = Background::Unstarted;
        forget(app);
    }
    if matches!(app.background, Background::Off) || !shows_heavy_tab(app) {
        return;
    }
    let (requests, inbox) = mpsc::channel();
    let (outbox, replies) = mpsc::channel();
    let spawned = std::thread::Builder::new()
        .name(THREAD.into())
        .spawn(move || work(source, inbox, outbox));
    forget(app);
    app.background = match spawned {
        Ok(_) => Background::Running(Loader {
            place,
            encrypted: store.encrypted(),
            requests,
            replies,
        }),
        Err(_) => Background::Off,
    };
}

/// Where the loader opens the practice: the file (with its key when encrypted), or the server.
enum Source {
    File(PathBuf, Option<crate::domain::keyslot::PracticeKey>),
    Server(Box<crate::store::pg::Server>),
}

impl Source {
    fn open(self) -> std::result::Result<Store, String> {
        match self {
            // Opening creates a missing file: a practice whose file went away meanwhile must
            // not get an empty one from here.
            Source::File(path, _) if !path.is_file() => Err("the database file is gone".into()),
            Source::File(path, key) => {
                Store::open_keyed(&path, key, &mut |_, _| {}).map_err(|e| e.to_string())
            }
            Source::Server(server) => Store::open_server(&server).map_err(|e| e.to_string()),
        }
    }
}

/// Makes every result asked for so far stale.
pub fn forget(app: &mut App) {
    app.loading.generation += 1;
    app.loading.asked.clear();
}

/// Asks the loader for a job unless it is asked already; false when there is no loader (the
/// caller computes it then).
pub fn ask(app: &mut App, job: Job) -> bool {
    let Background::Running(loader) = &app.background else {
        return false;
    };
    let kind = job.kind();
    // A tab's figures are asked once; a window's counts each time the window changes (the
    // loader computes only the newest of those waiting).
    if app.loading.computing(kind) && kind != Kind::Counts {
        return true;
    }
    let request = Request {
        generation: app.loading.generation,
        job,
    };
    if loader.requests.send(request).is_err() {
        // The loader ended before it was asked (it could not open the file, say): the caller
        // computes here, and the line says why, as when it ends while computing.
        let line = match loader.replies.try_recv() {
            Ok(Message::Failed(why)) => failed_line(&why),
            _ => STOPPED_LINE.to_string(),
        };
        app.background = Background::Off;
        app.loading.asked.clear();
        app.error(line);
        return false;
    }
    if !app.loading.computing(kind) {
        app.loading.asked.push(kind);
    }
    true
}

/// What `poll` found.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Polled {
    /// Something changed on screen.
    pub changed: bool,
    /// The loader is gone: what it was asked must be computed on the UI thread.
    pub failed: bool,
}

/// Takes whatever results have arrived, without waiting.
pub fn poll(app: &mut App) -> Polled {
    let mut polled = Polled::default();
    loop {
        let Background::Running(loader) = &app.background else {
            return polled;
        };
        match loader.replies.try_recv() {
            Ok(Message::Reply(reply)) => polled.changed |= accept(app, *reply),
            Err(TryRecvError::Empty) => return polled,
            Ok(Message::Failed(why)) => {
                stop(app, &mut polled);
                app.error(failed_line(&why));
            }
            Err(TryRecvError::Disconnected) => {
                stop(app, &mut polled);
                app.error(STOPPED_LINE);
            }
        }
    }
}

const STOPPED_LINE: &str = "The background computation stopped; computed here";

fn failed_line(why: &str) -> String {
    format!("Computing in the background failed ({why}); computed here")
}

fn stop(app: &mut App, polled: &mut Polled) {
    app.background = Background::Off;
    app.loading.asked.clear();
    polled.changed = true;
    polled.failed = true;
}

/// Takes one result into the model if it is the current generation's and the screen is not
/// locked (nothing of a client is held behind the lock screen); true when it was taken.
pub fn accept(app: &mut App, reply: Reply) -> bool {
    if reply.generation != app.loading.generation || app.lock.is_some() {
        return false;
    }
    app.loading.asked.retain(|k| *k != reply.kind);
    match reply.result {
        Ok(figures) => put(app, figures),
        Err(line) => app.error(line),
    }
    true
}

#[cfg(test)]
impl Loader {
    /// Waits for the next result (tests only: the UI never waits).
    pub fn recv_reply(&self, timeout: std::time::Duration) -> Option<Reply> {
        match self.replies.recv_timeout(timeout) {
            Ok(Message::Reply(reply)) => Some(*reply),
            _ => None,
        }
    }
}

/// The loader thread: opens its own store, then answers requests until the UI hangs up. Of the
/// requests waiting, only the newest generation's are computed (the others are stale), the
/// last asked first.
fn work(source: Source, inbox: Receiver<Request>, outbox: Sender<Message>) {
    let store = match source.open() {
        Ok(store) => store,
        Err(why) => {
            let _ = outbox.send(Message::Failed(why));
            return;
        }
    };
    while let Ok(first) = inbox.recv() {
        let mut batch = vec![first];
        batch.extend(inbox.try_iter());
        let newest = batch.iter().map(|r| r.generation).max().unwrap_or(0);
        let mut done: Vec<Kind> = Vec::new();
        // The newest first: the tab the user went to last is the one they are looking at.
        for request in batch.into_iter().rev().filter(|r| r.generation == newest) {
            let kind = request.job.kind();
            if done.contains(&kind) {
                continue;
            }
            done.push(kind);
            let run = || compute_on(&store, &request.job);
            let result = match std::panic::catch_unwind(std::panic::AssertUnwindSafe(run)) {
                Ok(Ok(figures)) => Ok(figures),
                Ok(Err(e)) => Err(e.to_string()),
                Err(_) => Err("Computing these figures failed unexpectedly (a bug); \
                               switch tabs to try again"
                    .to_string()),
            };
            let reply = Reply {
                generation: request.generation,
                kind,
                result,
            };
            if outbox.send(Message::Reply(Box::new(reply))).is_err() {
                return;
            }
        }
    }
}
