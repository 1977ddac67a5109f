//! Drawing the modal entry forms, the yes/no confirmation and the quick client picker.

use super::super::action::Action;
use super::super::app::{App, Confirm, Picker};
use super::super::form::{FieldKind, Form};
use super::super::keymap::{self, Layer};
use super::super::theme::Role;
use super::super::ui::popup;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Margin, Position};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, List, ListItem, Paragraph, Wrap};

fn hints(app: &App, layer: Layer, single_field: bool) -> Line<'static> {
    let t = &app.theme;
    let mut spans = Vec::new();
    for b in keymap::bindings(layer)
        .filter(|b| !b.hint.is_empty())
        .filter(|b| !(single_field && b.action == Action::NextField))
    {
        spans.push(Span::styled(keymap::keys_label(b), t.style(Role::key)));
        spans.push(Span::styled(format!(" {}  ", b.desc), t.style(Role::muted)));
    }
    Line::from(spans)
}

const FORM_WIDTH: u16 = 76;

/// The widest a value is drawn: a long note or reason shows the part around the cursor, so
/// the form keeps one line per field.
const VALUE_WIDTH: usize = 34;

/// Where a field's value starts on its line: the label column (`{:>11} `) and one space.
const VALUE_COLUMN: u16 = 13;

pub fn draw(frame: &mut Frame, app: &App, form: &Form) {
    let t = &app.theme;
    let mut lines = vec![Line::styled(
        format!("for {}", form.client_label),
        t.style(Role::muted),
    )];
    if let Some(target) = &form.target {
        lines.push(Line::styled(target.label.clone(), t.style(Role::text)));
    }
    if let Some(about) = &form.about {
        lines.push(Line::styled(about.clone(), t.style(Role::text)));
    }
    lines.push(Line::raw(""));
    // The focused text field's cursor: its line and column inside the box.
    let mut cursor = None;
    for (i, field) in form.fields.iter().enumerate() {
        let focused = i == form.focus;
        let value = match &field.kind {
            FieldKind::Choice(_) => format!("‹ {} ›", field.shown()),
            FieldKind::Fixed => crate::domain::text::sanitize(field.value.value()),
            _ => {
                let (shown, column) = field.value.window(VALUE_WIDTH);
                if focused {
                    cursor = Some((lines.len(), VALUE_COLUMN + column));
                }
                shown
            }
        };
        let style = if focused {
            t.style(Role::input_focus)
        } else {
            t.style(Role::input)
        };
        lines.push(Line::from(vec![
            Span::styled(
                format!("{:>11} ", field.id.label()),
                t.style(if focused { Role::accent } else { Role::text }),
            ),
            Span::styled(format!(" {value:<22}"), style),
            Span::styled(format!(" {}", field.hint), t.style(Role::muted)),
        ]));
    }
    lines.push(Line::raw(""));
    match &form.error {
        Some(message) => lines.push(Line::styled(format!("✗ {message}"), t.style(Role::error))),
        None => lines.push(Line::styled(form.footnote(), t.style(Role::muted))),
    }
    lines.push(hints(app, Layer::Form, form.fields.len() == 1));
    // A long message wraps: the box grows to keep the key hints under it (a word-wrapped line
    // may take one more line than its width says).
    let inner = (FORM_WIDTH.min(frame.area().width).saturating_sub(2) as usize).max(1);
    let wrapped: usize = lines.iter().map(|l| l.width().div_ceil(inner).max(1)).sum();
    let height = (wrapped + usize::from(wrapped > lines.len())) as u16 + 2;
    let area = popup(frame, FORM_WIDTH, height);
    if let Some((line, column)) = cursor {
        // The lines above the field may wrap, as the box's height allows for.
        let above: usize = lines[..line]
            .iter()
            .map(|l| l.width().div_ceil(inner).max(1))
            .sum();
        let at = Position::new(area.x + 1 + column, area.y + 1 + above as u16);
        if area.inner(Margin::new(1, 1)).contains(at) {
            frame.set_cursor_position(at);
        }
    }
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(t.style(Role::border))
        .title(Span::styled(
            format!(" {} ", form.title()),
            t.style(Role::title),
        ));
    frame.render_widget(
        Paragraph::new(lines)
            .block(block)
            .wrap(Wrap { trim: false }),
        area,
    );
}

pub fn draw_confirm(frame: &mut Frame, app: &App, confirm: &Confirm) {
    let t = &app.theme;
    let lines = vec![
        Line::styled(confirm.question.clone(), t.style(Role::text)),
        Line::raw(""),
        hints(app, Layer::Confirm, false),
    ];
    let area = popup(frame, 70, 6);
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(t.style(Role::warning))
        .title(Span::styled(" Confirm ", t.style(Role::warning)));
    frame.render_widget(
        Paragraph::new(lines).block(block).wrap(Wrap { trim: true }),
        area,
    );
}

/// One match of the picker, so that two clients of one name can be told apart: the name, the
/// payer's member id and the date of birth (in privacy mode initials and caseload's own
/// number only), and the tier.
fn picker_entry(app: &App, c: &crate::domain::Client) -> String {
    let mut parts = vec![app.display_name(&c.name)];
    match app.display_external_id(c.external_id.as_deref()) {
        Some(ext) => parts.push(ext),
        None => parts.push(format!("#{}", c.id)),
    }
    if !app.view.privacy
        && let Some(dob) = c.dob
    {
        parts.push(format!("born {dob}"));
    }
    parts.push(format!("{} tier", c.tier));
    format!(" {} ", parts.join(" · "))
}

const PICKER_PROMPT: &str = "client: ";

pub fn draw_picker(frame: &mut Frame, app: &App, picker: &Picker) {
    let t = &app.theme;
    let area = popup(frame, 60, 18);
    let (query, column) = picker
        .query
        .window((area.width as usize).saturating_sub(2 + PICKER_PROMPT.len()));
    let mut head = vec![
        Line::from(vec![
            Span::styled(PICKER_PROMPT, t.style(Role::accent)),
            Span::styled(app.display_typed(&query), t.style(Role::input_focus)),
        ]),
        Line::raw(""),
    ];
    if picker.query.is_empty() {
        head.push(Line::styled(
            "Type a few letters of the name.",
            t.style(Role::muted),
        ));
    } else if picker.matches.is_empty() {
        head.push(Line::styled("No client matches.", t.style(Role::muted)));
    }
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(t.style(Role::border))
        .title(Span::styled(
            " Log for which client? ",
            t.style(Role::title),
        ));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let [head_area, list_area, _, hint_area] = Layout::vertical([
        Constraint::Length(head.len() as u16),
        Constraint::Min(1),
        Constraint::Length(1),
        Constraint::Length(1),
    ])
    .areas(inner);
    frame.render_widget(Paragraph::new(head), head_area);
    let width = list_area.width as usize;
    let items: Vec<ListItem> = picker
        .matches
        .iter()
        .map(|e| {
            let entry = crate::domain::text::ellipsize(&picker_entry(app, &e.client), width);
            ListItem::new(entry).style(t.style(Role::text))
        })
        .collect();
    frame.set_cursor_position(Position::new(
        head_area.x + PICKER_PROMPT.len() as u16 + column,
        head_area.y,
    ));
    // The list scrolls to the selection: every match can be reached, not only the first page.
    let mut state = picker.list;
    frame.render_stateful_widget(
        List::new(items).highlight_style(t.style(Role::selected)),
        list_area,
        &mut state,
    );
    frame.render_widget(Paragraph::new(hints(app, Layer::Picker, false)), hint_area);
}
