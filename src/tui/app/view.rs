//! What one signed-in clinician has on screen — tab, open client, modal, filters, selection,
//! scrolls, the figures loaded for their scope and what they can undo — as one struct, so a
//! change of clinician replaces all of it at once and nothing of one clinician's view can leak
//! to the next through a forgotten field. Plain data, like the rest of the model.

use super::{AgendaView, ClientView, ContractsTab, Level, Modal, PanelView, ValueTab};
use crate::domain::today::DaySummary;
use crate::store::revenue::RevenueReport;
use crate::tui::action::Tab;
use crate::tui::undo::Done;
use chrono::NaiveDate;

pub struct UserView {
    pub tab: Tab,
    pub client: Option<ClientView>,
    pub modal: Option<Modal>,
    pub panel: PanelView,
    pub privacy: bool,
    pub notice: Option<(String, Level)>,
    /// The revenue tab's report, loaded when the tab is shown and dropped when data changes.
    pub revenue: Option<RevenueReport>,
    /// First month row shown on the revenue tab.
    pub revenue_scroll: usize,
    /// Whether the revenue tab shows the contracts (`c`) rather than the months.
    pub show_contracts: bool,
    /// The contracts view, loaded when it is shown and dropped when data changes.
    pub contracts: Option<ContractsTab>,
    /// First line of the contracts view shown.
    pub contracts_scroll: usize,
    /// The value tab's figures, loaded when the tab is shown and dropped when data changes.
    pub value: Option<ValueTab>,
    /// First line shown of the value tab's lower part (fairness and coding).
    pub value_scroll: usize,
    /// The agenda's week and its appointments.
    pub agenda: AgendaView,
    /// The end-of-day check-in (the same summary `caseload today` prints).
    pub day: Option<DaySummary>,
    /// The selected row of the Today tab's "needs you" list.
    pub day_selected: usize,
    /// How many clients that list selects from (`App::day_items`), counted when `day` is put.
    pub day_count: usize,
    /// What this session logged and corrected, oldest first, for `u` to take back. Only the
    /// clinician who made the changes can undo them: another user starts with none.
    pub history: Vec<Done>,
}

impl UserView {
    /// A fresh view: the panel, nothing open, nothing loaded, the agenda on `today`'s week.
    pub fn new(today: NaiveDate) -> UserView {
        UserView {
            tab: Tab::Panel,
            client: None,
            modal: None,
            panel: PanelView::new(),
            privacy: false,
            notice: None,
            revenue: None,
            revenue_scroll: 0,
            show_contracts: false,
            contracts: None,
            contracts_scroll: 0,
            value: None,
            value_scroll: 0,
            agenda: AgendaView::new(today),
            day: None,
            day_selected: 0,
            day_count: 0,
            history: Vec::new(),
        }
    }
}
