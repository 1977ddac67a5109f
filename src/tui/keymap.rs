//! The keymap as data: every binding with the layer it belongs to and a description. Key
//! handling, the help overlay and the footer hints are all generated from this one table.

use super::action::{Action, Edit, Tab};
use ratatui::crossterm::event::{KeyCode, KeyModifiers};

/// Where a binding applies. Layers stack: lock over modals over the screen over global keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layer {
    Global,
    Panel,
    Client,
    Today,
    Revenue,
    Value,
    Agenda,
    Filter,
    Form,
    Picker,
    Confirm,
    Help,
    Details,
    Lock,
    /// The line-editing keys every text field shares (filter, picker, forms, lock screen):
    /// looked up after a text layer's own keys, never a layer of its own on screen.
    Text,
}

impl Layer {
    /// Text-entry layers turn unbound printable keys into typing.
    pub fn takes_text(self) -> bool {
        matches!(
            self,
            Layer::Filter | Layer::Form | Layer::Picker | Layer::Lock
        )
    }

    /// Modal layers stop keys from reaching the layers below them.
    pub fn is_modal(self) -> bool {
        matches!(
            self,
            Layer::Filter
                | Layer::Form
                | Layer::Picker
                | Layer::Confirm
                | Layer::Help
                | Layer::Details
                | Layer::Lock
        )
    }

    pub fn title(self) -> &'static str {
        match self {
            Layer::Global => "Everywhere",
            Layer::Panel => "Panel",
            Layer::Client => "Client",
            Layer::Today => "Today",
            Layer::Revenue => "Revenue",
            Layer::Value => "Value",
            Layer::Agenda => "Agenda",
            Layer::Filter => "Filtering by name",
            Layer::Form => "Form",
            Layer::Picker => "Client picker",
            Layer::Confirm => "Confirm",
            Layer::Help => "Help",
            Layer::Details => "Record details",
            Layer::Lock => "Lock screen",
            Layer::Text => "Editing text",
        }
    }
}

pub type Key = (KeyCode, KeyModifiers);

const fn k(c: char) -> Key {
    (KeyCode::Char(c), KeyModifiers::NONE)
}
const fn code(c: KeyCode) -> Key {
    (c, KeyModifiers::NONE)
}
const fn ctrl(c: char) -> Key {
    (KeyCode::Char(c), KeyModifiers::CONTROL)
}
const fn ctrl_code(c: KeyCode) -> Key {
    (c, KeyModifiers::CONTROL)
}
const fn alt(c: KeyCode) -> Key {
    (c, KeyModifiers::ALT)
}

/// One binding: the keys that trigger it, what it does, what help says about it.
pub struct Binding {
    pub layer: Layer,
    pub keys: &'static [Key],
    pub action: Action,
    pub desc: &'static str,
    /// The footer's short word for it; empty when it is not among the few shown there.
    pub hint: &'static str,
}

const fn bind(
    layer: Layer,
    keys: &'static [Key],
    action: Action,
    desc: &'static str,
    hint: &'static str,
) -> Binding {
    Binding {
        layer,
        keys,
        action,
        desc,
        hint,
    }
}

use Layer as L;

/// Every key caseload understands. One binding per line: this is a table, read as one.
#[rustfmt::skip]
pub static KEYMAP: &[Binding] = &[
    bind(L::Global, &[k('q')], Action::Quit, "quit", "quit"),
    bind(L::Global, &[k('?')], Action::ShowHelp, "help: every key of this screen", "help"),
    bind(L::Global, &[code(KeyCode::Tab)], Action::NextTab, "next tab", ""),
    bind(L::Global, &[(KeyCode::BackTab, KeyModifiers::SHIFT), code(KeyCode::BackTab)], Action::PrevTab, "previous tab", ""),
    bind(L::Global, &[k('1')], Action::GoTab(Tab::Panel), "Panel tab", ""),
    bind(L::Global, &[k('2')], Action::GoTab(Tab::Today), "Today tab", ""),
    bind(L::Global, &[k('3')], Action::GoTab(Tab::Revenue), "Revenue tab", ""),
    bind(L::Global, &[k('4')], Action::GoTab(Tab::Value), "Value tab", ""),
    bind(L::Global, &[k('5')], Action::GoTab(Tab::Agenda), "Agenda tab", ""),
    bind(L::Global, &[k('p')], Action::TogglePrivacy, "privacy: names as initials", ""),
    bind(L::Global, &[ctrl('l')], Action::Lock, "lock the screen", ""),
    bind(L::Global, &[ctrl('c')], Action::Quit, "quit", ""),
    // Panel
    bind(L::Panel, &[k('j'), code(KeyCode::Down)], Action::Down, "next client", ""),
    bind(L::Panel, &[k('k'), code(KeyCode::Up)], Action::Up, "previous client", ""),
    bind(L::Panel, &[code(KeyCode::PageDown), ctrl('d')], Action::PageDown, "page down", ""),
    bind(L::Panel, &[code(KeyCode::PageUp), ctrl('u')], Action::PageUp, "page up", ""),
    bind(L::Panel, &[k('g'), code(KeyCode::Home)], Action::Top, "first client", ""),
    bind(L::Panel, &[k('G'), (KeyCode::Char('G'), KeyModifiers::SHIFT), code(KeyCode::End)], Action::Bottom, "last client", ""),
    bind(L::Panel, &[code(KeyCode::Enter)], Action::Open, "open client", "open"),
    bind(L::Panel, &[k('/')], Action::StartFilter, "filter by name", "filter"),
    bind(L::Panel, &[k('f')], Action::CycleFlagFilter, "cycle flag filter", "flag"),
    bind(L::Panel, &[k('s')], Action::CycleSort, "change sort", "sort"),
    bind(L::Panel, &[k('a')], Action::ToggleAll, "show discharged and on-hold too", "all"),
    bind(L::Panel, &[k('v')], Action::CycleClinician, "whose panel (supervisors)", ""),
    bind(L::Panel, &[k('n')], Action::AddClient, "add a client (tier, clinician, contract)", "new"),
    bind(L::Panel, &[k('c')], Action::LogContact, "log a contact for the selected client", ""),
    bind(L::Panel, &[k('m')], Action::RecordMeasure, "record a measurement for the selected client", ""),
    bind(L::Panel, &[code(KeyCode::Esc)], Action::Cancel, "clear filters", ""),
    // Client
    bind(L::Client, &[k('c')], Action::LogContact, "log a contact", "contact"),
    bind(L::Client, &[k('m')], Action::RecordMeasure, "record a measurement", "measure"),
    bind(L::Client, &[k('e')], Action::EditRecord, "edit the selected record (asks why)", "edit"),
    bind(L::Client, &[k('x')], Action::VoidRecord, "void or unvoid the selected record, asks why", "void"),
    bind(L::Client, &[k('u')], Action::Undo, "undo the last change made to this client", "undo"),
    bind(L::Client, &[k('b')], Action::Book, "book an appointment (one, or a series)", "book"),
    bind(L::Client, &[k('r')], Action::ReviewFlag, "review a flag: sign off, or snooze it", "review"),
    bind(L::Client, &[k('a')], Action::RecordEvent, "record an acute event (ED visit, discharge)", ""),
    bind(L::Client, &[k('t')], Action::ChangeTier, "change tier", ""),
    bind(L::Client, &[k('d')], Action::Discharge, "discharge (or readmit a discharged client)", ""),
    bind(L::Client, &[k('['), k(']')], Action::SwitchList, "switch between encounters and measurements", ""),
    bind(L::Client, &[k('j'), code(KeyCode::Down)], Action::Down, "next record", ""),
    bind(L::Client, &[k('k'), code(KeyCode::Up)], Action::Up, "previous record", ""),
    bind(L::Client, &[code(KeyCode::PageDown)], Action::PageDown, "page down the list", ""),
    bind(L::Client, &[code(KeyCode::PageUp)], Action::PageUp, "page up the list", ""),
    bind(L::Client, &[k('g'), code(KeyCode::Home)], Action::Top, "newest record", ""),
    bind(L::Client, &[k('G'), (KeyCode::Char('G'), KeyModifiers::SHIFT), code(KeyCode::End)], Action::Bottom, "oldest record", ""),
    bind(L::Client, &[code(KeyCode::Enter)], Action::Open, "the selected record in full (items, note)", ""),
    bind(L::Client, &[code(KeyCode::Esc), code(KeyCode::Backspace), code(KeyCode::Left)], Action::Back, "back to the list", "back"),
    // Today
    bind(L::Today, &[k('l'), k('c')], Action::QuickLog, "log for a client (type a few letters)", "log"),
    bind(L::Today, &[k('j'), code(KeyCode::Down)], Action::Down, "next client", ""),
    bind(L::Today, &[k('k'), code(KeyCode::Up)], Action::Up, "previous client", ""),
    bind(L::Today, &[code(KeyCode::Enter)], Action::Open, "open client", "open"),
    // Revenue
    bind(L::Revenue, &[k('c')], Action::ToggleContracts, "contracts: targets and withhold, or months", "contracts/months"),
    bind(L::Revenue, &[k('j'), code(KeyCode::Down)], Action::Down, "scroll down", ""),
    bind(L::Revenue, &[k('k'), code(KeyCode::Up)], Action::Up, "scroll up", ""),
    // Value
    bind(L::Value, &[k('j'), code(KeyCode::Down)], Action::Down, "scroll down (fairness, coding)", ""),
    bind(L::Value, &[k('k'), code(KeyCode::Up)], Action::Up, "scroll up", ""),
    bind(L::Value, &[k('H')], Action::WriteValueHtml, "write the report as an HTML page", "HTML"),
    // Agenda
    bind(L::Agenda, &[k('j'), code(KeyCode::Down)], Action::Down, "next appointment", ""),
    bind(L::Agenda, &[k('k'), code(KeyCode::Up)], Action::Up, "previous appointment", ""),
    bind(L::Agenda, &[k('['), code(KeyCode::PageUp)], Action::PrevWeek, "the week before", "prev week"),
    bind(L::Agenda, &[k(']'), code(KeyCode::PageDown)], Action::NextWeek, "the week after", "next week"),
    bind(L::Agenda, &[k('t'), code(KeyCode::Home)], Action::ThisWeek, "back to this week", ""),
    bind(L::Agenda, &[code(KeyCode::Enter)], Action::Open, "open the client", "open"),
    bind(L::Agenda, &[k('l')], Action::LogAppointment, "log the appointment as kept (filled in)", "log kept"),
    // Filter (typing)
    bind(L::Filter, &[code(KeyCode::Enter), code(KeyCode::Down)], Action::Submit, "keep the filter, back to the list", "done"),
    bind(L::Filter, &[code(KeyCode::Esc)], Action::Cancel, "clear the filter", "clear"),
    // Forms
    bind(L::Form, &[code(KeyCode::Tab), code(KeyCode::Down)], Action::NextField, "next field", "next field"),
    bind(L::Form, &[(KeyCode::BackTab, KeyModifiers::SHIFT), code(KeyCode::BackTab), code(KeyCode::Up)], Action::PrevField, "previous field", ""),
    bind(L::Form, &[code(KeyCode::Enter)], Action::Submit, "save", "save"),
    bind(L::Form, &[code(KeyCode::Esc)], Action::Cancel, "cancel (nothing is saved)", "cancel"),
    // Picker
    bind(L::Picker, &[code(KeyCode::Down), ctrl('n')], Action::Down, "next match", ""),
    bind(L::Picker, &[code(KeyCode::Up), ctrl('p')], Action::Up, "previous match", ""),
    bind(L::Picker, &[code(KeyCode::Enter)], Action::Submit, "choose", "choose"),
    bind(L::Picker, &[code(KeyCode::Esc)], Action::Cancel, "cancel", "cancel"),
    // Confirm
    bind(L::Confirm, &[k('y')], Action::Confirm, "yes", "yes"),
    bind(L::Confirm, &[k('n'), code(KeyCode::Esc)], Action::Cancel, "no", "no"),
    // Help
    bind(L::Help, &[code(KeyCode::Esc), k('?'), k('q')], Action::Back, "close help", "close"),
    bind(L::Help, &[k('j'), code(KeyCode::Down)], Action::Down, "scroll down", ""),
    bind(L::Help, &[k('k'), code(KeyCode::Up)], Action::Up, "scroll up", ""),
    // Record details
    bind(L::Details, &[code(KeyCode::Esc), code(KeyCode::Enter), k('q')], Action::Back, "close", "close"),
    // Lock
    bind(L::Lock, &[code(KeyCode::Up)], Action::Up, "previous name", ""),
    bind(L::Lock, &[code(KeyCode::Down)], Action::Down, "next name", ""),
    bind(L::Lock, &[code(KeyCode::Enter)], Action::Submit, "unlock", "unlock"),
    bind(L::Lock, &[ctrl('c')], Action::Quit, "quit", "quit"),
    // Text fields, under each text layer's own keys (Tab, Enter, Esc stay theirs)
    bind(L::Text, &[code(KeyCode::Left)], Action::Edit(Edit::Left), "cursor left (on a choice: previous)", ""),
    bind(L::Text, &[code(KeyCode::Right)], Action::Edit(Edit::Right), "cursor right (on a choice: next)", ""),
    bind(L::Text, &[ctrl_code(KeyCode::Left), alt(KeyCode::Char('b'))], Action::Edit(Edit::WordLeft), "a word left", ""),
    bind(L::Text, &[ctrl_code(KeyCode::Right), alt(KeyCode::Char('f'))], Action::Edit(Edit::WordRight), "a word right", ""),
    bind(L::Text, &[code(KeyCode::Home), ctrl('a')], Action::Edit(Edit::Home), "to the start", ""),
    bind(L::Text, &[code(KeyCode::End), ctrl('e')], Action::Edit(Edit::End), "to the end", ""),
    bind(L::Text, &[code(KeyCode::Backspace)], Action::Edit(Edit::DeleteBack), "delete the character before the cursor", ""),
    bind(L::Text, &[code(KeyCode::Delete)], Action::Edit(Edit::DeleteForward), "delete the character at the cursor", ""),
    bind(L::Text, &[ctrl('w'), alt(KeyCode::Backspace), ctrl_code(KeyCode::Backspace)], Action::Edit(Edit::DeleteWordBack), "delete the word before the cursor", ""),
    bind(L::Text, &[ctrl('u')], Action::Edit(Edit::DeleteToStart), "delete everything before the cursor", ""),
];

/// The bindings of one layer, in table order.
pub fn bindings(layer: Layer) -> impl Iterator<Item = &'static Binding> {
    KEYMAP.iter().filter(move |b| b.layer == layer)
}

/// How a key is written in help and hints.
pub fn key_label(key: &Key) -> String {
    let (code, mods) = key;
    let base = match code {
        KeyCode::Char(' ') => "Space".to_string(),
        KeyCode::Char(c) => c.to_string(),
        KeyCode::Enter => "Enter".into(),
        KeyCode::Esc => "Esc".into(),
        KeyCode::Tab => "Tab".into(),
        KeyCode::BackTab => "Shift-Tab".into(),
        KeyCode::Backspace => "Bksp".into(),
        KeyCode::Up => "↑".into(),
        KeyCode::Down => "↓".into(),
        KeyCode::Left => "←".into(),
        KeyCode::Right => "→".into(),
        KeyCode::PageUp => "PgUp".into(),
        KeyCode::PageDown => "PgDn".into(),
        KeyCode::Home => "Home".into(),
        KeyCode::End => "End".into(),
        other => format!("{other:?}"),
    };
    if mods.contains(KeyModifiers::CONTROL) {
        format!("Ctrl-{}", base.to_uppercase())
    } else if mods.contains(KeyModifiers::ALT) {
        format!("Alt-{base}")
    } else {
        base
    }
}

/// The keys of a binding for display, without duplicates (Shift-Tab is listed once).
pub fn keys_label(binding: &Binding) -> String {
    let mut labels: Vec<String> = Vec::new();
    for key in binding.keys {
        let label = key_label(key);
        if !labels.contains(&label) {
            labels.push(label);
        }
    }
    labels.join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_means_one_thing_in_each_layer() {
        for (i, a) in KEYMAP.iter().enumerate() {
            for b in &KEYMAP[i + 1..] {
                if a.layer != b.layer {
                    continue;
                }
                for key in a.keys {
                    assert!(
                        !b.keys.contains(key),
                        "{} is bound twice in {:?}: {} / {}",
                        key_label(key),
                        a.layer,
                        a.desc,
                        b.desc
                    );
                }
            }
        }
    }

    #[test]
    fn no_text_layer_hides_an_editing_key() {
        // A text layer's own key is looked up first: one bound there too would never edit.
        let text: Vec<&Key> = bindings(Layer::Text).flat_map(|b| b.keys).collect();
        for b in KEYMAP.iter().filter(|b| b.layer.takes_text()) {
            for key in b.keys {
                assert!(
                    !text.contains(&key),
                    "{} in {:?} hides an editing key",
                    key_label(key),
                    b.layer
                );
            }
        }
    }

    #[test]
    fn every_description_fits_the_help_overlay() {
        // The overlay is 64 wide: borders, two spaces and a 16-column key column leave 44.
        for b in KEYMAP {
            assert!(
                b.desc.chars().count() <= 44,
                "{:?} {}: {} characters",
                b.layer,
                b.desc,
                b.desc.chars().count()
            );
        }
    }
}
