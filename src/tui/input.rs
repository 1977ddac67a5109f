//! Terminal events to actions: pure functions of the event, the stack of active layers and the
//! keymap. Keys go through the keymap; a paste becomes the characters a text field may take;
//! the mouse wheel becomes the screen's own up/down. Nothing here knows where things are drawn
//! (a click carries its cell to `update`, which asks the layout).

use super::action::Action;
use super::keymap::{KEYMAP, Layer};
use ratatui::crossterm::event::{
    KeyCode, KeyEvent, KeyModifiers, MouseButton, MouseEvent, MouseEventKind,
};

/// Rows one notch of the mouse wheel moves, as most terminal programs do.
pub const WHEEL_STEP: usize = 3;

/// The most characters one paste types: more is not a name, a note or a passphrase, and a
/// stray paste of a whole file must not freeze the screen filtering at every character.
pub const PASTE_MAX: usize = 4_096;

/// Maps a key press to an action. `layers` is ordered bottom to top (Global first); the topmost
/// layer sees the key first, and a modal layer keeps it from the layers below.
pub fn map_key(key: KeyEvent, layers: &[Layer]) -> Option<Action> {
    // Locking must work from anywhere, even mid-form: a clinician called away locks at once.
    if layers.last() != Some(&Layer::Lock) && lookup(Layer::Global, key) == Some(Action::Lock) {
        return Some(Action::Lock);
    }
    for layer in layers.iter().rev() {
        if let Some(action) = lookup(*layer, key) {
            return Some(action);
        }
        if layer.takes_text()
            && let Some(action) = lookup(Layer::Text, key)
        {
            return Some(action);
        }
        if layer.takes_text()
            && let KeyCode::Char(c) = key.code
            && !key
                .modifiers
                .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT)
        {
            return Some(Action::Type(c));
        }
        if layer.is_modal() {
            return None;
        }
    }
    None
}

/// A bracketed paste: its text as typed characters when the top layer takes text, else
/// nothing. Line breaks and tabs become one space (a name copied across two lines still
/// reads as one), other control characters are dropped, and breaks at either end (a copied
/// passphrase often ends with one) go. Each field then refuses what it would refuse typed.
pub fn map_paste(text: &str, layers: &[Layer]) -> Vec<Action> {
    if !layers.last().is_some_and(|l| l.takes_text()) {
        return Vec::new();
    }
    let mut out = Vec::new();
    let mut gap = false;
    for c in text.trim_matches(['\r', '\n']).chars() {
        if matches!(c, '\r' | '\n' | '\t') {
            gap = true;
            continue;
        }
        if crate::domain::text::find_control(c.encode_utf8(&mut [0; 4])).is_some() {
            continue;
        }
        if std::mem::take(&mut gap) {
            out.push(Action::Type(' '));
        }
        out.push(Action::Type(c));
        if out.len() >= PASTE_MAX {
            break;
        }
    }
    out
}

/// A mouse event: the wheel scrolls what the top layer lists (a screen, the help, the
/// picker's matches) and a left click goes to `update` with its cell. Behind any other modal,
/// and on the lock screen, the mouse does nothing: a form's ↑/↓ change fields, and the lock
/// screen's change the name.
pub fn map_mouse(mouse: MouseEvent, layers: &[Layer]) -> Vec<Action> {
    let top = layers.last().copied().unwrap_or(Layer::Global);
    let lists = matches!(
        top,
        Layer::Panel
            | Layer::Client
            | Layer::Today
            | Layer::Revenue
            | Layer::Value
            | Layer::Agenda
            | Layer::Help
            | Layer::Picker
    );
    match mouse.kind {
        MouseEventKind::ScrollDown if lists => vec![Action::Down; WHEEL_STEP],
        MouseEventKind::ScrollUp if lists => vec![Action::Up; WHEEL_STEP],
        MouseEventKind::Down(MouseButton::Left) if !top.is_modal() && top != Layer::Global => {
            vec![Action::Click(mouse.column, mouse.row)]
        }
        _ => Vec::new(),
    }
}

fn lookup(layer: Layer, key: KeyEvent) -> Option<Action> {
    // Terminals differ on whether Shift is reported with an upper-case letter; ignore it for
    // characters, which already carry their case.
    let mods = match key.code {
        KeyCode::Char(_) => key.modifiers - KeyModifiers::SHIFT,
        _ => key.modifiers,
    };
    KEYMAP
        .iter()
        .filter(|b| b.layer == layer)
        .find(|b| {
            b.keys
                .iter()
                .any(|(c, m)| *c == key.code && (*m == mods || *m == key.modifiers))
        })
        .map(|b| b.action)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tui::action::Tab;

    fn press(code: KeyCode) -> KeyEvent {
        KeyEvent::new(code, KeyModifiers::NONE)
    }

    #[test]
    fn screen_keys_fall_through_to_global_ones() {
        let layers = [Layer::Global, Layer::Panel];
        assert_eq!(
            map_key(press(KeyCode::Char('j')), &layers),
            Some(Action::Down)
        );
        assert_eq!(
            map_key(press(KeyCode::Char('q')), &layers),
            Some(Action::Quit)
        );
        assert_eq!(
            map_key(press(KeyCode::Char('2')), &layers),
            Some(Action::GoTab(Tab::Today))
        );
        assert_eq!(map_key(press(KeyCode::Enter), &layers), Some(Action::Open));
        assert_eq!(
            map_key(press(KeyCode::Char('G')), &layers),
            Some(Action::Bottom)
        );
        assert_eq!(
            map_key(
                KeyEvent::new(KeyCode::Char('G'), KeyModifiers::SHIFT),
                &layers
            ),
            Some(Action::Bottom)
        );
        assert_eq!(map_key(press(KeyCode::Char('z')), &layers), None);
    }

    #[test]
    fn text_layers_type_and_block_the_screen_below() {
        let layers = [Layer::Global, Layer::Panel, Layer::Form];
        assert_eq!(
            map_key(press(KeyCode::Char('q')), &layers),
            Some(Action::Type('q'))
        );
        assert_eq!(
            map_key(press(KeyCode::Char('j')), &layers),
            Some(Action::Type('j'))
        );
        assert_eq!(map_key(press(KeyCode::Esc), &layers), Some(Action::Cancel));
        assert_eq!(
            map_key(press(KeyCode::Enter), &layers),
            Some(Action::Submit)
        );
        assert_eq!(
            map_key(
                KeyEvent::new(KeyCode::Char('l'), KeyModifiers::CONTROL),
                &layers
            ),
            Some(Action::Lock),
            "locking works even mid-form"
        );
        assert_eq!(
            map_key(
                KeyEvent::new(KeyCode::Char('x'), KeyModifiers::CONTROL),
                &layers
            ),
            None
        );
    }

    #[test]
    fn help_and_confirm_are_modal_without_typing() {
        let help = [Layer::Global, Layer::Panel, Layer::Help];
        assert_eq!(
            map_key(press(KeyCode::Char('j')), &help),
            Some(Action::Down)
        );
        assert_eq!(
            map_key(press(KeyCode::Char('q')), &help),
            Some(Action::Back)
        );
        assert_eq!(map_key(press(KeyCode::Char('c')), &help), None);
        let confirm = [Layer::Global, Layer::Client, Layer::Confirm];
        assert_eq!(
            map_key(press(KeyCode::Char('y')), &confirm),
            Some(Action::Confirm)
        );
        assert_eq!(map_key(press(KeyCode::Char('d')), &confirm), None);
    }

    #[test]
    fn editing_keys_reach_every_text_field_but_not_the_screens() {
        use crate::tui::action::Edit;
        let ctrl_w = KeyEvent::new(KeyCode::Char('w'), KeyModifiers::CONTROL);
        let alt_bksp = KeyEvent::new(KeyCode::Backspace, KeyModifiers::ALT);
        for top in [Layer::Filter, Layer::Form, Layer::Picker, Layer::Lock] {
            let layers = [Layer::Global, Layer::Panel, top];
            assert_eq!(
                map_key(press(KeyCode::Left), &layers),
                Some(Action::Edit(Edit::Left)),
                "{top:?}"
            );
            assert_eq!(
                map_key(ctrl_w, &layers),
                Some(Action::Edit(Edit::DeleteWordBack))
            );
            assert_eq!(
                map_key(alt_bksp, &layers),
                Some(Action::Edit(Edit::DeleteWordBack))
            );
            assert_eq!(
                map_key(press(KeyCode::Delete), &layers),
                Some(Action::Edit(Edit::DeleteForward))
            );
        }
        // Below a text field, Home is still the first client and ← still goes back.
        assert_eq!(
            map_key(press(KeyCode::Home), &[Layer::Global, Layer::Panel]),
            Some(Action::Top)
        );
        assert_eq!(
            map_key(press(KeyCode::Left), &[Layer::Global, Layer::Client]),
            Some(Action::Back)
        );
        // The form's own keys come first: Enter saves, Tab moves on, Esc cancels.
        let form = [Layer::Global, Layer::Client, Layer::Form];
        assert_eq!(map_key(press(KeyCode::Tab), &form), Some(Action::NextField));
        assert_eq!(map_key(press(KeyCode::Enter), &form), Some(Action::Submit));
    }

    #[test]
    fn a_paste_types_into_text_fields_only_without_control_characters() {
        let filter = [Layer::Global, Layer::Panel, Layer::Filter];
        let typed = |actions: Vec<Action>| -> String {
            actions
                .into_iter()
                .map(|a| match a {
                    Action::Type(c) => c,
                    other => panic!("{other:?}"),
                })
                .collect()
        };
        assert_eq!(typed(map_paste("Ann\r\n\tLee\n", &filter)), "Ann Lee");
        assert_eq!(
            typed(map_paste("\u{1b}[2J\u{202e}x\u{7}y", &filter)),
            "[2Jxy",
            "no escape, bell or text-direction character"
        );
        assert!(map_paste("ann", &[Layer::Global, Layer::Panel]).is_empty());
        assert!(map_paste("y", &[Layer::Global, Layer::Client, Layer::Confirm]).is_empty());
        let huge = "a".repeat(PASTE_MAX * 2);
        assert_eq!(map_paste(&huge, &filter).len(), PASTE_MAX);
    }

    #[test]
    fn the_mouse_acts_on_screens_and_lists_only() {
        let at = |kind| MouseEvent {
            kind,
            column: 3,
            row: 4,
            modifiers: KeyModifiers::NONE,
        };
        let click = at(MouseEventKind::Down(MouseButton::Left));
        let wheel = at(MouseEventKind::ScrollDown);
        let panel = [Layer::Global, Layer::Panel];
        assert_eq!(map_mouse(click, &panel), vec![Action::Click(3, 4)]);
        assert_eq!(map_mouse(wheel, &panel), vec![Action::Down; WHEEL_STEP]);
        let help = [Layer::Global, Layer::Panel, Layer::Help];
        assert!(
            map_mouse(click, &help).is_empty(),
            "no click behind a modal"
        );
        assert_eq!(map_mouse(wheel, &help), vec![Action::Down; WHEEL_STEP]);
        for top in [Layer::Form, Layer::Confirm, Layer::Filter, Layer::Details] {
            let layers = [Layer::Global, Layer::Client, top];
            assert!(map_mouse(click, &layers).is_empty(), "{top:?}");
            assert!(map_mouse(wheel, &layers).is_empty(), "{top:?}");
        }
        assert!(map_mouse(wheel, &[Layer::Lock]).is_empty());
        assert!(map_mouse(click, &[Layer::Lock]).is_empty());
        let right = at(MouseEventKind::Down(MouseButton::Right));
        assert!(map_mouse(right, &panel).is_empty());
        assert!(map_mouse(at(MouseEventKind::Moved), &panel).is_empty());
    }

    #[test]
    fn every_layer_has_a_way_out() {
        for layer in [
            Layer::Filter,
            Layer::Form,
            Layer::Picker,
            Layer::Confirm,
            Layer::Help,
            Layer::Details,
        ] {
            let out = KEYMAP.iter().any(|b| {
                b.layer == layer
                    && matches!(b.action, Action::Cancel | Action::Back)
                    && b.keys.iter().any(|(c, _)| *c == KeyCode::Esc)
            });
            assert!(out, "{layer:?} must close with Esc");
        }
    }
}
