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
    let status = |store: &crate::store::Store| store.read(|c| clients::get(c, id)).unwrap().status;
    assert_eq!(status(&store), ClientStatus::Active, "one y is not enough");
    let text = screen_text(&draw(&app, 100, 30));
    assert!(text.contains("Are you sure?"), "{text}");
    insta::assert_snapshot!(text);
    // n at the second question keeps the client active.
    keys(&mut app, &mut store, "n");
    assert_eq!(status(&store), ClientStatus::Active);
    assert!(app.view.modal.is_none());
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
        store.read(|c| clients::get(c, ed)).unwrap().status,
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

/// A practice with one clinician and one contract, and nobody on the panel yet.
fn new_practice() -> crate::store::Store {
    use crate::domain::{ContractModel, Money, Percent, Proration, Role};
    use crate::store::{clinicians, contracts};
    let mut store = crate::store::Store::open_in_memory().unwrap();
    store
        .write(|tx| {
            clinicians::insert(tx, "Dana Reyes", Role::Admin, Money(9_500))?;
            contracts::insert(
                tx,
                &contracts::NewContract {
                    name: "Harbor Health".into(),
                    model: ContractModel::Capitation,
                    rate: Money(4_500),
                    withhold: Percent(0),
                    proration: Proration::FirstOfMonth,
                    payer: None,
                },
            )?;
            Ok(())
        })
        .unwrap();
    store
}

fn all_clients(store: &crate::store::Store) -> Vec<crate::domain::Client> {
    store
        .read(|c| clients::list(c, &clients::ClientFilter::default()))
        .unwrap()
}

#[test]
fn an_empty_practice_says_what_to_do_first() {
    // No clinician yet: add yourself first (logging needs a clinician).
    let mut store = crate::store::Store::open_in_memory().unwrap();
    let empty = app(&mut store, 100, 30);
    let text = screen_text(&draw(&empty, 100, 30));
    assert!(text.contains("First add yourself"), "{text}");
    // A clinician, no client: n adds the first one.
    let mut store = new_practice();
    let app = app(&mut store, 100, 30);
    let text = screen_text(&draw(&app, 100, 30));
    assert!(text.contains("Press n to add your first client"), "{text}");
    insta::assert_snapshot!(text);
}

#[test]
fn n_adds_a_client_with_tier_clinician_and_contract_from_the_panel() {
    let mut store = new_practice();
    let mut app = app(&mut store, 100, 30);
    keys(&mut app, &mut store, "n");
    let text = screen_text(&draw(&app, 100, 30));
    assert!(text.contains("Add a client"), "{text}");
    // The only clinician and the only contract are chosen already.
    assert!(
        text.contains("‹ Dana Reyes ›") && text.contains("‹ Harbor Health ›"),
        "{text}"
    );
    // Enter with no name: refused in the form, as `client add` refuses it; nothing written.
    keys(&mut app, &mut store, "\n");
    assert!(all_clients(&store).is_empty());
    let text = screen_text(&draw(&app, 100, 30));
    assert!(text.contains("client name must not be empty"), "{text}");
    // A name, tier high (typing h jumps there), Enter.
    keys(&mut app, &mut store, "Zoe Quinn\th\n");
    assert!(
        app.view.modal.is_none(),
        "{:?}",
        app.view.modal.as_ref().map(|_| "still open")
    );
    let added = all_clients(&store);
    assert_eq!(added.len(), 1);
    let zoe = &added[0];
    assert_eq!(
        (
            zoe.name.as_str(),
            zoe.tier,
            zoe.since,
            zoe.clinician.as_deref()
        ),
        (
            "Zoe Quinn",
            crate::domain::Tier::High,
            app.today,
            Some("Dana Reyes")
        )
    );
    let on = store
        .read(|c| crate::store::attributions::for_client(c, zoe.id))
        .unwrap();
    assert_eq!(
        (on.len(), on[0].contract.as_str(), on[0].start),
        (1, "Harbor Health", app.today),
        "attributed from today, as client add --contract does"
    );
    // On the panel now, selected.
    assert_eq!(app.view.panel.selected_entry().unwrap().client.id, zoe.id);

    // Choosing "(none)" for both: no clinician, no attribution.
    keys(&mut app, &mut store, "nAl Bee\t\t(\t(\n");
    let al = all_clients(&store)
        .into_iter()
        .find(|c| c.name == "Al Bee")
        .expect("Al added");
    assert_eq!(al.clinician, None);
    assert!(
        store
            .read(|c| crate::store::attributions::for_client(c, al.id))
            .unwrap()
            .is_empty()
    );
}

#[test]
fn every_measurement_is_listed_with_its_band_and_reachable_at_80_by_24() {
    let mut store = practice();
    let mut app = app(&mut store, 80, 24);
    // Ann has three measurements; at 80×24 the list shows fewer rows than that.
    open(&mut app, &mut store, "Ann Lee");
    let text = screen_text(&draw(&app, 80, 24));
    assert!(text.contains("Measurements 1–"), "{text}");
    assert!(text.contains("date       measure total band"), "{text}");
    // `]` moves to the measurement list; j scrolls it down to the oldest, the baseline.
    keys(&mut app, &mut store, "]jj");
    let text = screen_text(&draw(&app, 80, 24));
    assert!(
        text.contains("2026-06-02 PHQ-9      20 sev"),
        "the baseline is reached:\n{text}"
    );
    assert!(
        text.contains("Measurements 2–3 of 3") || text.contains("3 of 3"),
        "{text}"
    );
}
