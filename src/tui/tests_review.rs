//! The therapist's review (issue 15) on a `TestBackend`: a critical flag asks twice before a
//! discharge, a new practice says what to do first and `n` adds a client, the measurements are
//! listed on the client screen, and without colour the chart's lines and the bars still differ.

use super::tests::{app, draw, keys, open, practice, screen_text};
use crate::domain::ClientStatus;
use crate::store::clients;

#[test]
fn a_critical_flag_warns_names_it_and_asks_a_second_time() {
    let mut store = practice();
    let mut app = app(&mut store, 100, 30);
    // Ann carries a safety flag (PHQ-9 item 9).
    let id = open(&mut app, &mut store, "Ann Lee");
    keys(&mut app, &mut store, "d");
    let text = screen_text(&draw(&app, 100, 30));
    assert!(text.contains("Warning"), "{text}");
    assert!(text.contains("safety flag"), "the flag is named:\n{text}");
    keys(&mut app, &mut store, "y");
    let status = |store: &crate::store::Store| clients::get(store.conn(), id).unwrap().status;
    assert_eq!(status(&store), ClientStatus::Active, "one y is not enough");
    let text = screen_text(&draw(&app, 100, 30));
    assert!(text.contains("Are you sure?"), "{text}");
    insta::assert_snapshot!(text);
    // n at the second question keeps the client active.
    keys(&mut app, &mut store, "n");
    assert_eq!(status(&store), ClientStatus::Active);
    assert!(app.modal.is_none());
    keys(&mut app, &mut store, "dyy");
    assert_eq!(status(&store), ClientStatus::Discharged);

    // Di's post-discharge follow-up is critical too; Ed (no critical flag) asks once.
    let mut app = super::tests::app(&mut store, 100, 30);
    open(&mut app, &mut store, "Di Park");
    keys(&mut app, &mut store, "d");
    let text = screen_text(&draw(&app, 100, 30));
    assert!(text.contains("post-discharge follow-up flag"), "{text}");
    keys(&mut app, &mut store, "\u{1b}\u{1b}");
    let ed = open(&mut app, &mut store, "Ed Marsh");
    keys(&mut app, &mut store, "dy");
    assert_eq!(
        clients::get(store.conn(), ed).unwrap().status,
        ClientStatus::Discharged
    );
}

/// The cells of a rectangle of the screen, as text.
fn region(
    terminal: &ratatui::Terminal<ratatui::backend::TestBackend>,
    rows: std::ops::Range<u16>,
) -> String {
    let buffer = terminal.backend().buffer();
    let mut out = String::new();
    for y in rows {
        for x in 0..buffer.area.width {
            out.push_str(buffer[(x, y)].symbol());
        }
        out.push('\n');
    }
    out
}

#[test]
fn without_colour_the_two_lines_and_the_two_bars_still_differ() {
    let mut store = practice();
    let mut app = app(&mut store, 100, 30);
    app.theme.no_color = true;
    // Ann has PHQ-9s and a GAD-7: the chart sits in rows 7 to 16 of a 100×30 client screen.
    open(&mut app, &mut store, "Ann Lee");
    let terminal = draw(&app, 100, 30);
    let buffer = terminal.backend().buffer();
    assert!(
        buffer
            .content()
            .iter()
            .all(|c| c.fg == ratatui::style::Color::Reset),
        "NO_COLOR draws no colour"
    );
    let chart = region(&terminal, 7..17);
    let braille = chart
        .chars()
        .any(|c| ('\u{2801}'..='\u{28ff}').contains(&c));
    let blocks = chart.chars().any(|c| matches!(c, '▀' | '▄' | '█'));
    assert!(
        braille && blocks,
        "PHQ-9 in braille, GAD-7 in half blocks:\n{chart}"
    );
    assert!(
        chart.contains("PHQ-9 ⣀⣀") && chart.contains("GAD-7 ▄▄"),
        "{chart}"
    );

    // The revenue chart: net solid, cost shaded, and the title says which is which.
    keys(&mut app, &mut store, "\u{1b}3");
    let terminal = draw(&app, 100, 30);
    let text = screen_text(&terminal);
    assert!(text.contains("net █ vs cost ▒"), "{text}");
    let bars = text
        .lines()
        .skip_while(|l| !l.contains("net █ vs cost ▒"))
        .skip(1)
        .collect::<String>();
    assert!(bars.contains('█') && bars.contains('▒'), "{text}");
}
