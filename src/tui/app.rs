//! The UI's model: everything the screen shows, as plain data. `update` changes it; `render`
//! only reads it. Data from the store is loaded into it by `update`, never while drawing.

mod client;
mod plans;
mod view;

pub use client::{ClientView, ListFocus, Selected};
pub use plans::{AgendaView, ContractsTab, monday_of};
pub use view::UserView;

use super::action::Tab;
use super::edit::TextInput;
use super::form::Form;
use super::keymap::Layer;
use super::layout;
use super::theme::Theme;
use crate::domain::coding::Coding;
use crate::domain::corrections::RecordKind;
use crate::domain::fairness::Fairness;
use crate::domain::flags::FlagKind;
use crate::domain::value::ValueMeasures;
use crate::domain::{ClientId, ClinicianId, Intervals, Role, text};
use crate::store::auth::Session;
use crate::store::panel::PanelEntry;
use crate::store::panel_window::PanelCounts;
use chrono::{DateTime, NaiveDate, Utc};
use std::time::Instant;

/// How the panel is ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sort {
    Priority,
    Name,
    LastContact,
    Minutes,
}

impl Sort {
    pub fn next(self) -> Sort {
        match self {
            Sort::Priority => Sort::Name,
            Sort::Name => Sort::LastContact,
            Sort::LastContact => Sort::Minutes,
            Sort::Minutes => Sort::Priority,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Sort::Priority => "priority",
            Sort::Name => "name",
            Sort::LastContact => "longest since contact",
            Sort::Minutes => "most minutes this month",
        }
    }
}

/// The panel list and how it is filtered: a window on the store's filtered, sorted panel
/// (`store::panel_window`), of which only the drawn rows and a page either side are loaded
/// (`tui::panel_window` loads them).
/// What the panel's status line waits for while the background loader counts a window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Counting {
    /// This month's minutes (the clients are counted).
    Minutes,
    /// How many clients match, and their minutes: `total` is what has been read so far.
    Count,
}

#[derive(Debug, Clone)]
pub struct PanelView {
    /// How many rows the window has (every client the filters and scope let through).
    pub total: usize,
    /// The status line's figures over the whole window.
    pub counts: PanelCounts,
    /// Whether the panel has anyone before the name and flag filters (to tell "no client
    /// matches" from "no clients yet").
    pub any_on_panel: bool,
    /// Absolute index of the selected row in the window.
    pub selected: usize,
    /// First row drawn (absolute).
    pub offset: usize,
    /// The absolute index of `loaded[0]`.
    pub loaded_from: usize,
    /// The rows `loaded_from ..` of the window: the drawn ones and a margin.
    pub loaded: Vec<PanelEntry>,
    /// Beside `loaded`: whether the client has something due and nothing booked
    /// (`domain::today::wants_booking`), for the "next" column's warning.
    pub needs_booking: Vec<bool>,
    /// The practice's intervals as of the last reload (for `needs_booking` of later pages).
    pub intervals: Option<Intervals>,
    /// The windows counted since the last reload (their order left at priority: a sort does
    /// not change counts), with their counts and whether anyone is on the panel at all; a
    /// reload empties it, so they are read again.
    pub counted: Vec<(crate::store::panel_window::PanelWindow, PanelCounts, bool)>,
    /// The whole scope's clients by their flag kinds, as of the last reload (a flag filter's
    /// count and flag counts, at once).
    pub groups: Option<crate::store::panel_window::KindGroups>,
    /// What the background loader is still counting for the window shown.
    pub counting: Option<Counting>,
    pub filter: TextInput,
    pub filtering: bool,
    pub flag_filter: Option<FlagKind>,
    pub sort: Sort,
    pub show_all: bool,
    /// Whose panel: `None` = everyone the viewer may see.
    pub clinician: Option<ClinicianId>,
}

impl PanelView {
    pub fn new() -> PanelView {
        PanelView {
            total: 0,
            counts: PanelCounts::default(),
            any_on_panel: false,
            selected: 0,
            offset: 0,
            loaded_from: 0,
            loaded: Vec::new(),
            needs_booking: Vec::new(),
            intervals: None,
            counted: Vec::new(),
            groups: None,
            counting: None,
            filter: TextInput::default(),
            filtering: false,
            flag_filter: None,
            sort: Sort::Priority,
            show_all: false,
            clinician: None,
        }
    }

    /// The selected client's entry, if loaded (it always is after a load).
    pub fn selected_entry(&self) -> Option<&PanelEntry> {
        self.entry_at(self.selected)
    }
}

impl Default for PanelView {
    fn default() -> Self {
        PanelView::new()
    }
}

/// A yes/no question before something that cannot be taken back casually.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Confirm {
    pub question: String,
    pub on_yes: Pending,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Pending {
    Discharge {
        client: ClientId,
        on: NaiveDate,
        /// The critical flags named (`domain::flags::critical_named`) while a second
        /// confirmation is still to come; `None` when yes discharges.
        critical: Option<String>,
    },
    /// Back to the active panel after a discharge.
    Readmit { client: ClientId, on: NaiveDate },
}

/// The quick client picker: type a few letters, choose, then log.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Picker {
    pub query: TextInput,
    /// The clients whose names match, in priority order (at most a page of the store's
    /// `panel_window::matching`).
    pub matches: Vec<PanelEntry>,
    /// Which match is selected, and the list's scroll (drawn with `render_stateful_widget`).
    pub list: ratatui::widgets::ListState,
}

impl Picker {
    /// The selected match (an index into `matches`).
    pub fn selected(&self) -> usize {
        self.list.selected().unwrap_or(0)
    }

    /// Moves the selection by `step`, staying on the matches.
    pub fn step(&mut self, step: isize) {
        let last = self.matches.len().saturating_sub(1);
        let at = self.selected().saturating_add_signed(step).min(last);
        self.list.select(Some(at));
    }
}

#[derive(Debug, Clone)]
pub enum Modal {
    Help {
        scroll: usize,
    },
    Form(Form),
    Confirm(Confirm),
    Picker(Picker),
    /// A record of the client screen in full (a measurement's items, an encounter's note,
    /// who voided it and why).
    Details {
        kind: RecordKind,
        id: i64,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    Info,
    Error,
}

/// Who is using the UI: decides whose panel is shown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Viewer {
    pub clinician_id: Option<ClinicianId>,
    pub name: String,
    pub role: Role,
}

impl Viewer {
    /// Without passphrases, the program is one practice-wide user who sees everything.
    pub fn practice() -> Viewer {
        Viewer {
            clinician_id: None,
            name: "practice".into(),
            role: Role::Admin,
        }
    }

    /// The panel the role implies (`domain::access::default_panel`, the rule the CLI uses
    /// too): a clinician's own, or `None` for everyone's.
    pub fn own_panel(&self) -> Option<ClinicianId> {
        self.clinician_id
            .and_then(|id| crate::domain::access::default_panel(self.role, id))
    }

    pub fn sees_everyone(&self) -> bool {
        self.own_panel().is_none()
    }
}

/// The lock screen: pick your name, type your passphrase. Holds nothing of any client.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LockScreen {
    /// Clinicians who can unlock (id, name).
    pub names: Vec<(ClinicianId, String)>,
    pub selected: usize,
    /// What has been typed; drawn as dots, cleared after every attempt.
    pub passphrase: TextInput,
    pub message: Option<String>,
    /// Who was using the screen when it locked; unlocking as them returns to where they were.
    pub previous: Option<ClinicianId>,
}

/// The clock as the shell last read it; `update` never reads the clock itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Clock {
    pub instant: Instant,
    pub utc: DateTime<Utc>,
    /// The local calendar date, so a screen left open overnight moves to the new day.
    pub local_date: NaiveDate,
}

impl Clock {
    pub fn now() -> Clock {
        Clock {
            instant: Instant::now(),
            utc: Utc::now(),
            local_date: chrono::Local::now().date_naive(),
        }
    }
}

pub struct App {
    pub today: NaiveDate,
    /// Whether "today" follows the local date (the terminal UI without `--today`); otherwise
    /// it stays the date it was given.
    pub today_follows_clock: bool,
    /// Everything the signed-in clinician has on screen; replaced whole when another signs in.
    pub view: UserView,
    pub theme: Theme,
    /// Terminal size, kept so scrolling knows the page height.
    pub size: (u16, u16),
    pub quit: bool,
    pub viewer: Viewer,
    /// Clinicians (id, name) for the panel's clinician column and filter.
    pub clinicians: Vec<(ClinicianId, String)>,
    /// The store's data version at the last load: a change means another process wrote.
    pub data_version: i64,
    /// Set when any clinician has a passphrase: then the UI locks.
    pub guarded: bool,
    /// The database path of an encrypted practice: the lock screen then reads the names from
    /// its key slots and a passphrase opens the slot (the store is opened keyed at the first
    /// unlock; until then it is an empty in-memory placeholder).
    pub encrypted: Option<std::path::PathBuf>,
    pub session: Option<Session>,
    pub lock: Option<LockScreen>,
    /// Minutes without a key before the screen locks.
    pub idle_minutes: u32,
    pub clock: Clock,
    pub last_activity: Instant,
    /// Where `H` on the Value tab writes the HTML report (caseload's data folder).
    pub reports_dir: Option<std::path::PathBuf>,
    /// The loader that computes the heavy tabs off this thread (`tui::loader`), and what it
    /// has been asked.
    pub background: super::loader::Background,
    pub loading: super::loader::Loading,
}

impl App {
    /// The Today tab's selectable clients, in the order shown: critical first, then due today,
    /// tomorrow, and in the next days (each client once).
    pub fn day_items(&self) -> Vec<(ClientId, String)> {
        self.day_entries()
            .map(|(id, name)| (id, name.to_string()))
            .collect()
    }

    /// How many `day_items` there are (counted once, when the day was loaded).
    pub fn day_count(&self) -> usize {
        self.view.day.as_ref().map_or(0, |_| self.view.day_count)
    }

    /// `day_items` without copying the names (at 100,000 clients the list runs to tens of
    /// thousands, walked on every key and frame of the tab).
    pub fn day_entries(&self) -> impl Iterator<Item = (ClientId, &str)> {
        let mut seen = std::collections::HashSet::new();
        self.view
            .day
            .iter()
            .flat_map(|day| {
                let critical = day.critical.iter().map(|c| (c.client_id, c.name.as_str()));
                let due = day
                    .due_today
                    .iter()
                    .chain(&day.due_tomorrow)
                    .chain(&day.due_in_2_to_7_days)
                    .map(|d| (d.client_id, d.name.as_str()));
                critical.chain(due)
            })
            .filter(move |(id, _)| seen.insert(*id))
    }
}

/// What the value tab shows: the five measures now and before, and a year of monthly values.
#[derive(Debug, Clone)]
pub struct ValueTab {
    pub current: ValueMeasures,
    pub previous: ValueMeasures,
    /// The last 12 calendar months, oldest first, for the sparklines.
    pub monthly: Vec<ValueMeasures>,
    /// The current period's fairness self-audit.
    pub fairness: Fairness,
    /// The current period's coding self-audit (case-rate episodes by coded severity).
    pub coding: Coding,
    /// The table of measures, built once from the figures above.
    pub rows: Vec<crate::report::value::MeasureRow>,
}

impl App {
    pub fn new(today: NaiveDate, theme: Theme, viewer: Viewer) -> App {
        App {
            today,
            today_follows_clock: false,
            view: UserView::new(today),
            theme,
            size: (80, 24),
            quit: false,
            viewer,
            clinicians: Vec::new(),
            data_version: 0,
            guarded: false,
            encrypted: None,
            session: None,
            lock: None,
            idle_minutes: 5,
            clock: Clock::now(),
            last_activity: Instant::now(),
            reports_dir: None,
            background: super::loader::Background::Unstarted,
            loading: super::loader::Loading::default(),
        }
    }

    /// Forgets everything one user did on screen (search, selection, forms, open client), so
    /// the next user starts fresh.
    pub fn reset_for_new_user(&mut self) {
        self.view = UserView::new(self.today);
    }

    /// The layers that take keys, bottom to top.
    pub fn layers(&self) -> Vec<Layer> {
        // Too small to draw anything but a request to enlarge: the screen says "q quits", so
        // q quits whatever is open underneath (a form, the lock screen), and nothing else acts.
        if layout::too_small(self.size.0, self.size.1) {
            return vec![Layer::Global];
        }
        if self.lock.is_some() {
            return vec![Layer::Lock];
        }
        let mut layers = vec![Layer::Global];
        layers.push(match (&self.view.client, self.view.tab) {
            (Some(_), _) => Layer::Client,
            (None, Tab::Panel) => Layer::Panel,
            (None, Tab::Today) => Layer::Today,
            (None, Tab::Revenue) => Layer::Revenue,
            (None, Tab::Value) => Layer::Value,
            (None, Tab::Agenda) => Layer::Agenda,
        });
        if self.view.client.is_none() && self.view.tab == Tab::Panel && self.view.panel.filtering {
            layers.push(Layer::Filter);
        }
        match &self.view.modal {
            Some(Modal::Help { .. }) => layers.push(Layer::Help),
            Some(Modal::Form(_)) => layers.push(Layer::Form),
            Some(Modal::Confirm(_)) => layers.push(Layer::Confirm),
            Some(Modal::Picker(_)) => layers.push(Layer::Picker),
            Some(Modal::Details { .. }) => layers.push(Layer::Details),
            None => {}
        }
        layers
    }

    /// A client's name as it may be shown: sanitised, and as initials in privacy mode.
    pub fn display_name(&self, name: &str) -> String {
        if self.view.privacy {
            text::initials(name)
        } else {
            text::sanitize(name)
        }
    }

    /// A payer's member (external) id as the screen may show it: hidden in privacy mode, where
    /// it would name the person as surely as their name.
    pub fn display_external_id(&self, id: Option<&str>) -> Option<String> {
        id.filter(|_| !self.view.privacy).map(text::sanitize)
    }

    /// Text the user typed to find someone (the panel's filter, the picker's query): in privacy
    /// mode one • per character, so typing still shows and the name does not.
    pub fn display_typed(&self, typed: &str) -> String {
        if self.view.privacy {
            "•".repeat(typed.chars().count())
        } else {
            text::sanitize(typed)
        }
    }

    /// The words at the right of the tab bar in the forms they take as the terminal narrows,
    /// fullest first: privacy mode, who is signed in, the date; then without the name; then
    /// privacy mode alone (it always stays said when there is room at all).
    pub fn tab_bar_words(&self) -> Vec<Vec<String>> {
        let who = if self.viewer.clinician_id.is_some() {
            text::sanitize(&self.viewer.name)
        } else {
            String::new()
        };
        let privacy = if self.view.privacy { "privacy" } else { "" }.to_string();
        let date = self.today.to_string();
        vec![
            vec![privacy.clone(), who, date.clone()],
            vec![privacy.clone(), date],
            vec![privacy],
        ]
    }

    /// Whether the panel shows several clinicians' clients (then it has a clinician column).
    pub fn shows_several_clinicians(&self) -> bool {
        self.viewer.sees_everyone()
            && self.view.panel.clinician.is_none()
            && self.clinicians.len() > 1
    }

    pub fn clinician_name(&self, id: Option<ClinicianId>) -> String {
        id.and_then(|id| self.clinicians.iter().find(|(c, _)| *c == id))
            .map_or("—".to_string(), |(_, n)| text::sanitize(n))
    }

    pub fn info(&mut self, message: impl Into<String>) {
        self.view.notice = Some((message.into(), Level::Info));
    }

    pub fn error(&mut self, message: impl Into<String>) {
        self.view.notice = Some((message.into(), Level::Error));
    }
}
