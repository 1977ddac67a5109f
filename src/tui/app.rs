//! The UI's model: everything the screen shows, as plain data. `update` changes it; `render`
//! only reads it. Data from the store is loaded into it by `update`, never while drawing.

use super::action::Tab;
use super::form::Form;
use super::keymap::Layer;
use super::layout;
use super::theme::Theme;
use super::undo::{self, Done};
use crate::domain::corrections::RecordKind;
use crate::domain::fairness::Fairness;
use crate::domain::flags::FlagKind;
use crate::domain::today::DaySummary;
use crate::domain::value::ValueMeasures;
use crate::domain::{ClientId, ClinicianId, Encounter, Measurement, Role, Voided, text};
use crate::store::auth::Session;
use crate::store::panel::PanelEntry;
use crate::store::record::ClientRecord;
use crate::store::revenue::RevenueReport;
use chrono::{DateTime, NaiveDate, Utc};
use ratatui::widgets::TableState;
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

/// The panel list and how it is filtered.
#[derive(Debug, Clone)]
pub struct PanelView {
    /// Everyone loaded, in priority order.
    pub entries: Vec<PanelEntry>,
    /// The entries shown (indices into `entries`), filtered and sorted.
    pub rows: Vec<usize>,
    /// Index into `rows`.
    pub selected: usize,
    /// First row drawn.
    pub offset: usize,
    pub filter: String,
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
            entries: Vec::new(),
            rows: Vec::new(),
            selected: 0,
            offset: 0,
            filter: String::new(),
            filtering: false,
            flag_filter: None,
            sort: Sort::Priority,
            show_all: false,
            clinician: None,
        }
    }

    pub fn selected_entry(&self) -> Option<&PanelEntry> {
        self.rows
            .get(self.selected)
            .and_then(|i| self.entries.get(*i))
    }
}

impl Default for PanelView {
    fn default() -> Self {
        PanelView::new()
    }
}

/// Which of the client screen's record lists has the selection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ListFocus {
    Encounters,
    Measurements,
}

/// The record selected on the client screen.
#[derive(Debug, Clone, Copy)]
pub enum Selected<'a> {
    Encounter(&'a Encounter),
    Measurement(&'a Measurement),
}

impl Selected<'_> {
    pub fn kind(&self) -> RecordKind {
        match self {
            Selected::Encounter(_) => RecordKind::Encounter,
            Selected::Measurement(_) => RecordKind::Measurement,
        }
    }

    pub fn id(&self) -> i64 {
        match self {
            Selected::Encounter(e) => e.id.0,
            Selected::Measurement(m) => m.id.0,
        }
    }

    pub fn voided(&self) -> Option<&Voided> {
        match self {
            Selected::Encounter(e) => e.voided.as_ref(),
            Selected::Measurement(m) => m.voided.as_ref(),
        }
    }

    /// "encounter of 2026-11-12 · session · 50 min", "PHQ-9 of 2026-11-12 · 14".
    pub fn label(&self) -> String {
        match self {
            Selected::Encounter(e) => undo::encounter_label(e),
            Selected::Measurement(m) => undo::measurement_label(m),
        }
    }
}

/// The open client record.
#[derive(Debug, Clone)]
pub struct ClientView {
    pub record: ClientRecord,
    /// This client's last 12 months by month: member months, revenue and time (the same
    /// report the revenue tab and `report revenue` use, filtered to the client).
    pub revenue: Option<RevenueReport>,
    /// The client's panel entry (flags, trends), when they are on the loaded panel.
    pub entry: Option<PanelEntry>,
    pub focus: ListFocus,
    /// The encounter list's selection and first row shown (rows as `record.encounters`,
    /// newest first). `update` keeps the selection in view; drawing only reads it.
    pub encounters: TableState,
    /// The measurement list's, rows as `measurement_rows` (newest first).
    pub measurements: TableState,
}

impl ClientView {
    pub fn new(
        record: ClientRecord,
        revenue: Option<RevenueReport>,
        entry: Option<PanelEntry>,
    ) -> ClientView {
        let first = |n: usize| TableState::default().with_selected((n > 0).then_some(0));
        ClientView {
            encounters: first(record.encounters.len()),
            measurements: first(record.measurements.len()),
            record,
            revenue,
            entry,
            focus: ListFocus::Encounters,
        }
    }

    /// Measurements newest first, as the list shows them (voided ones included).
    pub fn measurement_rows(&self) -> impl ExactSizeIterator<Item = &Measurement> {
        self.record.measurements.iter().rev()
    }

    /// How many rows the focused list has.
    pub fn focused_len(&self) -> usize {
        match self.focus {
            ListFocus::Encounters => self.record.encounters.len(),
            ListFocus::Measurements => self.record.measurements.len(),
        }
    }

    pub fn focused_state_mut(&mut self) -> &mut TableState {
        match self.focus {
            ListFocus::Encounters => &mut self.encounters,
            ListFocus::Measurements => &mut self.measurements,
        }
    }

    /// The selected record of the focused list.
    pub fn selected(&self) -> Option<Selected<'_>> {
        match self.focus {
            ListFocus::Encounters => self
                .encounters
                .selected()
                .and_then(|i| self.record.encounters.get(i))
                .map(Selected::Encounter),
            ListFocus::Measurements => self
                .measurements
                .selected()
                .and_then(|i| self.measurement_rows().nth(i))
                .map(Selected::Measurement),
        }
    }

    /// Selects a record by kind and id (after a reload, or a record just logged), focusing its
    /// list. Records the lists do not show (events) leave the selection as it is.
    pub fn select(&mut self, kind: RecordKind, id: i64) {
        match kind {
            RecordKind::Encounter => {
                if let Some(i) = self.record.encounters.iter().position(|e| e.id.0 == id) {
                    self.encounters.select(Some(i));
                    self.focus = ListFocus::Encounters;
                }
            }
            RecordKind::Measurement => {
                let found = self.measurement_rows().position(|m| m.id.0 == id);
                if let Some(i) = found {
                    self.measurements.select(Some(i));
                    self.focus = ListFocus::Measurements;
                }
            }
            RecordKind::Event | RecordKind::Attribution => {}
        }
    }

    /// The same view with a freshly loaded record, keeping each list on the record it had
    /// selected (or the nearest row when that one is gone) and the focus where it was.
    pub fn reloaded(
        &self,
        record: ClientRecord,
        revenue: Option<RevenueReport>,
        entry: Option<PanelEntry>,
    ) -> ClientView {
        let encounter = self
            .encounters
            .selected()
            .and_then(|i| self.record.encounters.get(i))
            .map(|e| e.id.0);
        let measurement = self
            .measurements
            .selected()
            .and_then(|i| self.measurement_rows().nth(i))
            .map(|m| m.id.0);
        let mut view = ClientView::new(record, revenue, entry);
        let keep = |state: &TableState, n: usize| {
            let selected = state.selected().map(|i| i.min(n.saturating_sub(1)));
            TableState::default()
                .with_offset(state.offset())
                .with_selected(selected.filter(|_| n > 0))
        };
        view.encounters = keep(&self.encounters, view.record.encounters.len());
        view.measurements = keep(&self.measurements, view.record.measurements.len());
        if let Some(id) = measurement {
            view.select(RecordKind::Measurement, id);
        }
        if let Some(id) = encounter {
            view.select(RecordKind::Encounter, id);
        }
        view.focus = self.focus;
        view
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
    },
    /// Back to the active panel after a discharge.
    Readmit {
        client: ClientId,
        on: NaiveDate,
    },
}

/// The quick client picker: type a few letters, choose, then log.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Picker {
    pub query: String,
    /// Indices into the panel's entries that match.
    pub matches: Vec<usize>,
    pub selected: usize,
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
    pub passphrase: String,
    pub message: Option<String>,
    /// Who was using the screen when it locked; unlocking as them returns to where they were.
    pub previous: Option<ClinicianId>,
}

/// The clock as the shell last read it; `update` never reads the clock itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Clock {
    pub instant: Instant,
    pub utc: DateTime<Utc>,
}

impl Clock {
    pub fn now() -> Clock {
        Clock {
            instant: Instant::now(),
            utc: Utc::now(),
        }
    }
}

pub struct App {
    pub today: NaiveDate,
    pub tab: Tab,
    pub client: Option<ClientView>,
    pub modal: Option<Modal>,
    pub panel: PanelView,
    pub privacy: bool,
    pub theme: Theme,
    pub notice: Option<(String, Level)>,
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
    pub session: Option<Session>,
    pub lock: Option<LockScreen>,
    /// Minutes without a key before the screen locks.
    pub idle_minutes: u32,
    pub clock: Clock,
    pub last_activity: Instant,
    /// The revenue tab's report, loaded when the tab is shown and dropped when data changes.
    pub revenue: Option<RevenueReport>,
    /// First month row shown on the revenue tab.
    pub revenue_scroll: usize,
    /// The value tab's figures, loaded when the tab is shown and dropped when data changes.
    pub value: Option<ValueTab>,
    /// The end-of-day check-in (the same summary `caseload today` prints).
    pub day: Option<DaySummary>,
    /// The selected row of the Today tab's "needs you" list.
    pub day_selected: usize,
    /// What this session logged and corrected, oldest first, for `u` to take back. Only the
    /// clinician who made the changes can undo them: another user starts with none.
    pub history: Vec<Done>,
}

impl App {
    /// The Today tab's selectable clients, in the order shown: critical first, then due today,
    /// tomorrow, and in the next days (each client once).
    pub fn day_items(&self) -> Vec<(ClientId, String)> {
        let Some(day) = &self.day else {
            return Vec::new();
        };
        let mut items: Vec<(ClientId, String)> = Vec::new();
        let mut push = |id: ClientId, name: &str| {
            if !items.iter().any(|(i, _)| *i == id) {
                items.push((id, name.to_string()));
            }
        };
        for c in &day.critical {
            push(c.client_id, &c.name);
        }
        for d in day
            .due_today
            .iter()
            .chain(&day.due_tomorrow)
            .chain(&day.due_in_2_to_7_days)
        {
            push(d.client_id, &d.name);
        }
        items
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
}

impl App {
    pub fn new(today: NaiveDate, theme: Theme, viewer: Viewer) -> App {
        App {
            today,
            tab: Tab::Panel,
            client: None,
            modal: None,
            panel: PanelView::new(),
            privacy: false,
            theme,
            notice: None,
            size: (80, 24),
            quit: false,
            viewer,
            clinicians: Vec::new(),
            data_version: 0,
            guarded: false,
            session: None,
            lock: None,
            idle_minutes: 5,
            clock: Clock::now(),
            last_activity: Instant::now(),
            revenue: None,
            revenue_scroll: 0,
            value: None,
            day: None,
            day_selected: 0,
            history: Vec::new(),
        }
    }

    /// Forgets everything one user did on screen (search, selection, forms, open client), so
    /// the next user starts fresh.
    pub fn reset_for_new_user(&mut self) {
        self.tab = Tab::Panel;
        self.client = None;
        self.modal = None;
        self.panel = PanelView::new();
        self.privacy = false;
        self.notice = None;
        self.revenue = None;
        self.revenue_scroll = 0;
        self.value = None;
        self.day = None;
        self.day_selected = 0;
        self.history.clear();
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
        layers.push(match (&self.client, self.tab) {
            (Some(_), _) => Layer::Client,
            (None, Tab::Panel) => Layer::Panel,
            (None, Tab::Today) => Layer::Today,
            (None, Tab::Revenue) => Layer::Revenue,
            (None, Tab::Value) => Layer::Value,
        });
        if self.client.is_none() && self.tab == Tab::Panel && self.panel.filtering {
            layers.push(Layer::Filter);
        }
        match &self.modal {
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
        if self.privacy {
            text::initials(name)
        } else {
            text::sanitize(name)
        }
    }

    /// Whether the panel shows several clinicians' clients (then it has a clinician column).
    pub fn shows_several_clinicians(&self) -> bool {
        self.viewer.sees_everyone() && self.panel.clinician.is_none() && self.clinicians.len() > 1
    }

    pub fn clinician_name(&self, id: Option<ClinicianId>) -> String {
        id.and_then(|id| self.clinicians.iter().find(|(c, _)| *c == id))
            .map_or("—".to_string(), |(_, n)| text::sanitize(n))
    }

    pub fn info(&mut self, message: impl Into<String>) {
        self.notice = Some((message.into(), Level::Info));
    }

    pub fn error(&mut self, message: impl Into<String>) {
        self.notice = Some((message.into(), Level::Error));
    }
}
