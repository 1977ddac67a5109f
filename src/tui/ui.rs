//! Drawing the whole frame: tab bar, the current screen, status line, key hints, and any
//! modal on top. Reads the model only; never queries the store.

use super::action::Tab;
use super::app::{App, Level, Modal};
use super::keymap::{self, Layer};
use super::layout;
use super::screens;
use super::theme::Role;
use ratatui::Frame;
use ratatui::layout::Alignment;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph, Wrap};

pub fn draw(frame: &mut Frame, app: &App) {
    let area = frame.area();
    if layout::too_small(area.width, area.height) {
        let message = format!(
            "caseload needs a terminal of at least {}×{}; this one is {}×{}.\nPlease enlarge it (q quits).",
            layout::MIN_WIDTH,
            layout::MIN_HEIGHT,
            area.width,
            area.height
        );
        let y = area.height / 2;
        let rect = ratatui::layout::Rect::new(
            area.x,
            area.y + y.saturating_sub(1),
            area.width,
            2.min(area.height),
        );
        frame.render_widget(
            Paragraph::new(message)
                .alignment(Alignment::Center)
                .wrap(Wrap { trim: true })
                .style(app.theme.style(Role::warning)),
            rect,
        );
        return;
    }
    // The layers in the order `App::layers` gives them (the same list `update` dispatches on):
    // the lock screen alone, or a screen with the status and hints and any modal on top.
    for layer in app.layers() {
        match layer {
            Layer::Lock => {
                // The lock screen draws nothing but itself: no client data behind or around it.
                if let Some(lock) = &app.lock {
                    screens::lock::draw(frame, app, lock);
                }
            }
            Layer::Global | Layer::Filter | Layer::Text => {}
            Layer::Client
            | Layer::Panel
            | Layer::Today
            | Layer::Revenue
            | Layer::Value
            | Layer::Agenda => {
                let parts = layout::frame(area);
                draw_tabs(frame, app, parts.tabs);
                draw_screen(frame, app, layer, parts.body);
                draw_status(frame, app, parts.status);
                draw_hints(frame, app, parts.hints);
            }
            Layer::Help | Layer::Form | Layer::Confirm | Layer::Picker | Layer::Details => {
                draw_modal(frame, app)
            }
        }
    }
}

fn draw_screen(frame: &mut Frame, app: &App, screen: Layer, body: ratatui::layout::Rect) {
    match (screen, &app.view.client) {
        (Layer::Client, Some(view)) => screens::client::draw(frame, app, view, body),
        (Layer::Panel, _) => screens::panel::draw(frame, app, body),
        (Layer::Today, _) => screens::today::draw(frame, app, body),
        (Layer::Revenue, _) if app.view.show_contracts => {
            screens::contracts::draw(frame, app, body)
        }
        (Layer::Revenue, _) => screens::revenue::draw(frame, app, body),
        (Layer::Agenda, _) => screens::agenda::draw(frame, app, body),
        (Layer::Value, _) => screens::value::draw(frame, app, body),
        _ => {}
    }
}

fn draw_modal(frame: &mut Frame, app: &App) {
    match &app.view.modal {
        Some(Modal::Help { scroll }) => screens::help::draw(frame, app, *scroll),
        Some(Modal::Form(form)) => screens::form::draw(frame, app, form),
        Some(Modal::Confirm(confirm)) => screens::form::draw_confirm(frame, app, confirm),
        Some(Modal::Picker(picker)) => screens::form::draw_picker(frame, app, picker),
        Some(Modal::Details { kind, id }) => screens::record::draw(frame, app, *kind, *id),
        None => {}
    }
}

fn draw_tabs(frame: &mut Frame, app: &App, area: ratatui::layout::Rect) {
    let t = &app.theme;
    let words = app.tab_bar_words();
    // The same geometry a click on a tab is looked up in.
    let bar = layout::tab_bar(area, &words);
    let mut spans = if bar.brand {
        vec![
            Span::styled(layout::BRAND, t.style(Role::accent)),
            Span::raw(" "),
        ]
    } else {
        vec![Span::raw(" ")]
    };
    for (i, tab) in Tab::ALL.iter().enumerate() {
        let style = if *tab == app.view.tab {
            t.style(Role::tab_active)
        } else {
            t.style(Role::tab)
        };
        spans.push(Span::styled(layout::tab_label(i, *tab), style));
        spans.push(Span::raw(" "));
    }
    let right: Vec<&str> = bar
        .right
        .and_then(|i| words.get(i))
        .into_iter()
        .flatten()
        .map(String::as_str)
        .filter(|p| !p.is_empty())
        .collect();
    let right = format!("{} ", right.join(" · "));
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
    frame.render_widget(
        Paragraph::new(right)
            .alignment(Alignment::Right)
            .style(t.style(Role::muted)),
        area,
    );
}

fn draw_status(frame: &mut Frame, app: &App, area: ratatui::layout::Rect) {
    let line = match &app.view.notice {
        Some((text, Level::Info)) => Line::styled(format!(" {text}"), app.theme.style(Role::good)),
        Some((text, Level::Error)) => {
            Line::styled(format!(" {text}"), app.theme.style(Role::error))
        }
        None => screens::status_line(app),
    };
    frame.render_widget(Paragraph::new(line), area);
}

/// The footer: the most useful keys of the top layer, then the global ones, from the keymap,
/// each with its first key. Hints that do not fit the width are left out (the global ones keep
/// their room); `?` lists every key.
fn draw_hints(frame: &mut Frame, app: &App, area: ratatui::layout::Rect) {
    let t = &app.theme;
    let layers = app.layers();
    let top = *layers.last().unwrap_or(&Layer::Global);
    let hint = |b: &keymap::Binding| -> (String, String) {
        let key = b.keys.first().map(keymap::key_label).unwrap_or_default();
        (key, format!(" {}  ", b.hint))
    };
    let with_hints = |layer: Layer| {
        keymap::bindings(layer)
            .filter(|b| !b.hint.is_empty())
            .map(hint)
            .collect::<Vec<_>>()
    };
    let global = if top.is_modal() || top == Layer::Global {
        Vec::new()
    } else {
        with_hints(Layer::Global)
    };
    let width = |h: &(String, String)| h.0.chars().count() + h.1.chars().count();
    let mut room = (area.width as usize)
        .saturating_sub(1)
        .saturating_sub(global.iter().map(width).sum());
    let mut shown = Vec::new();
    for h in with_hints(top) {
        if width(&h) <= room {
            room -= width(&h);
            shown.push(h);
        }
    }
    shown.extend(global);
    let mut spans = vec![Span::raw(" ")];
    for (key, text) in shown {
        spans.push(Span::styled(key, t.style(Role::key)));
        spans.push(Span::styled(text, t.style(Role::muted)));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}

/// Clears and returns a centred popup area.
pub fn popup(frame: &mut Frame, width: u16, height: u16) -> ratatui::layout::Rect {
    let area = layout::centered(frame.area(), width, height);
    frame.render_widget(Clear, area);
    area
}
