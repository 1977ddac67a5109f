//! Keys to actions: a pure function of the key, the stack of active layers and the keymap.

use super::action::Action;
use super::keymap::{KEYMAP, Layer};
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

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
