//! What can happen in the UI: every key press becomes one of these verbs (through the keymap),
//! and so do the clock tick and terminal resizes. `update` is the only place that acts on them.

/// The top-level tabs, in number-key order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tab {
    Panel,
    Today,
    Revenue,
    Value,
    Agenda,
}

impl Tab {
    pub const ALL: [Tab; 5] = [
        Tab::Panel,
        Tab::Today,
        Tab::Revenue,
        Tab::Value,
        Tab::Agenda,
    ];

    pub fn title(self) -> &'static str {
        match self {
            Tab::Panel => "Panel",
            Tab::Today => "Today",
            Tab::Revenue => "Revenue",
            Tab::Value => "Value",
            Tab::Agenda => "Agenda",
        }
    }

    pub fn index(self) -> usize {
        Tab::ALL.iter().position(|t| *t == self).unwrap_or(0)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Quit,
    NextTab,
    PrevTab,
    GoTab(Tab),
    ShowHelp,
    /// Close the topmost thing: help, a form, the client screen.
    Back,
    Lock,
    Up,
    Down,
    PageUp,
    PageDown,
    Top,
    Bottom,
    /// Enter on a list: open the selected client (or, on the client screen, the record).
    Open,
    StartFilter,
    CycleFlagFilter,
    CycleSort,
    ToggleAll,
    TogglePrivacy,
    CycleClinician,
    /// Panel: add a client (name, tier, clinician, contract) in a form.
    AddClient,
    LogContact,
    RecordMeasure,
    RecordEvent,
    ChangeTier,
    Discharge,
    /// Client screen: move the selection between the encounter and the measurement list.
    SwitchList,
    /// Correct the selected record in the form it was entered with.
    EditRecord,
    /// Void the selected record (unvoid a voided one), after asking why.
    VoidRecord,
    /// Take back the latest change this session made to the client's records.
    Undo,
    /// Pick a client by typing a few letters, then log for them (Today tab).
    QuickLog,
    /// Revenue tab: switch between the months and the contracts (targets, withhold, rates).
    ToggleContracts,
    /// Value tab: write the report as one HTML page in the data folder.
    WriteValueHtml,
    /// Agenda: the week before, the week after, the week of today.
    PrevWeek,
    NextWeek,
    ThisWeek,
    /// Agenda: log the selected appointment as kept, in the contact form filled from it.
    LogAppointment,
    /// Client screen: book an appointment (one, or a series).
    Book,
    /// Client screen: review one of the client's flags (sign off, or snooze a warning).
    ReviewFlag,
    /// Text entry: a typed character (a paste arrives as one of these per character).
    Type(char),
    /// Text entry: move the cursor or delete (on a form's choice field ←/→ change the choice).
    Edit(Edit),
    NextField,
    PrevField,
    Submit,
    Cancel,
    Confirm,
    /// The clock: idle lock and live refresh are checked on ticks. Not activity.
    Tick,
    /// The terminal changed size. Not activity.
    Resize(u16, u16),
    /// A left click at this column and row of the terminal; `update` finds what is there
    /// through the same layout the screens draw with.
    Click(u16, u16),
}

/// What a key does to a text field: the cursor movements and deletions of a line editor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Edit {
    Left,
    Right,
    WordLeft,
    WordRight,
    Home,
    End,
    DeleteBack,
    DeleteForward,
    DeleteWordBack,
    DeleteToStart,
}

impl Action {
    /// Whether this counts as the user being present (for the idle lock).
    pub fn is_activity(self) -> bool {
        !matches!(self, Action::Tick | Action::Resize(..))
    }
}
