//! The UI on a `TestBackend` with a fixed today and a small hand-built practice: snapshots of
//! every screen, and update tests that drive actions through the real store.

use super::action::{Action, Tab};
use super::app::{App, Modal, Viewer};
use super::input::map_key;
use super::theme::Theme;
use super::{ui, update};
use crate::domain::{
    ClientId, ContractModel, EncounterKind, EncounterStatus, EventKind, Instrument, Money, Percent,
    Proration, Role, Tier, parse_date,
};
use crate::store::{
    Store, attributions, clients, clinicians, contracts, encounters, events, measurements,
};
use chrono::NaiveDate;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

pub const TODAY: &str = "2026-11-23";

pub fn d(s: &str) -> NaiveDate {
    parse_date(s).unwrap()
}

/// A practice small enough to read in a snapshot, with something for every screen.
pub fn practice() -> Store {
    let mut store = Store::open_in_memory().unwrap();
    store
        .write(|tx| {
            let dana = clinicians::insert(tx, "Dana Reyes", Role::Admin, Money(9_500))?;
            let sam = clinicians::insert(tx, "Sam Okafor", Role::Clinician, Money(6_800))?;
            let harbor = contracts::insert(
                tx,
                &contracts::NewContract {
                    name: "Harbor Health".into(),
                    model: ContractModel::Capitation,
                    rate: Money(4_500),
                    withhold: Percent(500),
                    proration: Proration::FirstOfMonth,
                    payer: None,
                },
            )?;
            let add = |name: &str, tier: Tier, since: &str, who| {
                clients::insert(
                    tx,
                    &clients::NewClient {
                        external_id: None,
                        name: name.into(),
                        dob: None,
                        tier,
                        since: d(since),
                        diagnosis: Some("F32.1".into()),
                        clinician_id: Some(who),
                    },
                )
            };
            let log = |client, who, date: &str, kind, status, minutes| {
                encounters::insert(
                    tx,
                    &encounters::NewEncounter {
                        client_id: client,
                        clinician_id: who,
                        date: d(date),
                        kind,
                        status,
                        minutes,
                        note: None,
                    },
                )
            };
            let measure = |client, date: &str, instrument, total, items: Option<Vec<i64>>| {
                measurements::insert(
                    tx,
                    &measurements::NewMeasurement {
                        client_id: client,
                        date: d(date),
                        instrument,
                        total,
                        items,
                    },
                )
            };
            use EncounterKind as K;
            use EncounterStatus as S;
            // Ann: high tier, last seen 11 days ago; PHQ-9 item 9 positive.
            let ann = add("Ann Lee", Tier::High, "2026-06-01", dana)?;
            attributions::insert(tx, ann, harbor, d("2026-06-01"), None)?;
            log(ann, dana, "2026-06-02", K::Intake, S::Completed, 60)?;
            log(ann, dana, "2026-11-12", K::Session, S::Completed, 50)?;
            measure(ann, "2026-06-02", Instrument::Phq9, 20, None)?;
            measure(
                ann,
                "2026-11-12",
                Instrument::Phq9,
                14,
                Some(vec![2, 2, 2, 2, 2, 1, 1, 1, 1]),
            )?;
            measure(ann, "2026-11-12", Instrument::Gad7, 9, None)?;
            // Bo: never seen, joined five weeks ago.
            let bo = add("Bo Diaz", Tier::Moderate, "2026-10-15", sam)?;
            attributions::insert(tx, bo, harbor, d("2026-10-15"), None)?;
            log(bo, sam, "2026-10-20", K::Outreach, S::Completed, 5)?;
            // Cy: seen this week, improving.
            let cy = add("Cy Young", Tier::Low, "2026-03-01", sam)?;
            attributions::insert(tx, cy, harbor, d("2026-03-01"), None)?;
            log(cy, sam, "2026-03-03", K::Intake, S::Completed, 60)?;
            log(cy, sam, "2026-11-20", K::Telehealth, S::Completed, 45)?;
            measure(cy, "2026-03-03", Instrument::Phq9, 16, None)?;
            measure(cy, "2026-11-20", Instrument::Phq9, 4, None)?;
            // Di: ED visit ten days ago, no follow-up.
            let di = add("Di Park", Tier::Moderate, "2026-05-01", dana)?;
            log(di, dana, "2026-05-02", K::Intake, S::Completed, 60)?;
            log(di, dana, "2026-11-05", K::Session, S::Completed, 50)?;
            measure(di, "2026-05-02", Instrument::Gad7, 12, None)?;
            events::insert(tx, di, EventKind::EdVisit, d("2026-11-13"))?;
            // Ed: two missed appointments in a row.
            let ed = add("Ed Marsh", Tier::Moderate, "2026-04-01", sam)?;
            log(ed, sam, "2026-04-02", K::Intake, S::Completed, 60)?;
            log(ed, sam, "2026-11-01", K::Session, S::NoShow, 0)?;
            log(ed, sam, "2026-11-10", K::Session, S::Cancelled, 0)?;
            log(ed, sam, "2026-11-10", K::Coordination, S::Completed, 20)?;
            measure(ed, "2026-04-02", Instrument::Phq9, 8, None)?;
            Ok(())
        })
        .unwrap();
    store
}

pub fn app(store: &mut Store, width: u16, height: u16) -> App {
    let mut app = App::new(d(TODAY), Theme::fallback(), Viewer::practice());
    app.size = (width, height);
    update::reload(&mut app, store).unwrap();
    app
}

pub fn draw(app: &App, width: u16, height: u16) -> Terminal<TestBackend> {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
    terminal.draw(|f| ui::draw(f, app)).unwrap();
    terminal
}

/// Presses keys through the real keymap and update.
pub fn keys(app: &mut App, store: &mut Store, keys: &str) {
    for c in keys.chars() {
        let code = match c {
            '\n' => KeyCode::Enter,
            '\u{1b}' => KeyCode::Esc,
            '\t' => KeyCode::Tab,
            '\u{8}' => KeyCode::Backspace,
            c => KeyCode::Char(c),
        };
        if let Some(action) = map_key(KeyEvent::new(code, KeyModifiers::NONE), &app.layers()) {
            update::update(app, store, action);
        }
    }
}

pub fn screen_text(terminal: &Terminal<TestBackend>) -> String {
    let buffer = terminal.backend().buffer();
    let mut out = String::new();
    for y in 0..buffer.area.height {
        for x in 0..buffer.area.width {
            out.push_str(buffer[(x, y)].symbol());
        }
        out.push('\n');
    }
    out
}

pub fn open(app: &mut App, store: &mut Store, name: &str) -> ClientId {
    let id = app
        .view
        .panel
        .loaded
        .iter()
        .find(|e| e.client.name == name)
        .unwrap()
        .client
        .id;
    update::open_client(app, store, id).unwrap();
    id
}

#[test]
fn panel() {
    let mut store = practice();
    let app = app(&mut store, 100, 24);
    insta::assert_snapshot!(draw(&app, 100, 24).backend());
}

#[test]
fn panel_selection_is_highlighted() {
    let mut store = practice();
    let mut app = app(&mut store, 80, 24);
    keys(&mut app, &mut store, "j");
    insta::assert_debug_snapshot!(draw(&app, 80, 24).backend().buffer());
}

#[test]
fn panel_filtered_by_name() {
    let mut store = practice();
    let mut app = app(&mut store, 100, 24);
    keys(&mut app, &mut store, "/park");
    let t = draw(&app, 100, 24);
    let text = screen_text(&t);
    assert!(
        text.contains("Di Park") && !text.contains("Ann Lee"),
        "{text}"
    );
    insta::assert_snapshot!(t.backend());
}

#[test]
fn privacy_mode_shows_initials_only() {
    let mut store = practice();
    let mut app = app(&mut store, 100, 24);
    keys(&mut app, &mut store, "p");
    let t = draw(&app, 100, 24);
    let text = screen_text(&t);
    assert!(
        !text.contains("Ann Lee") && text.contains("A. L."),
        "{text}"
    );
    insta::assert_snapshot!(t.backend());
}

#[test]
fn client_screen() {
    let mut store = practice();
    let mut app = app(&mut store, 110, 34);
    open(&mut app, &mut store, "Ann Lee");
    insta::assert_snapshot!(draw(&app, 110, 34).backend());
}

#[test]
fn contact_form_with_a_validation_error() {
    let mut store = practice();
    let mut app = app(&mut store, 100, 30);
    open(&mut app, &mut store, "Ann Lee");
    keys(&mut app, &mut store, "c\t\t\t1441\n");
    let t = draw(&app, 100, 30);
    assert!(screen_text(&t).contains("minutes must be between 0 and 1440, got 1441"));
    insta::assert_snapshot!(t.backend());
}

/// A refusal names its field and the cursor goes there: minutes typed wrong, Enter pressed on
/// the note, and the minutes field has the focus again.
#[test]
fn a_refused_form_puts_the_cursor_on_the_field_at_fault() {
    let mut store = practice();
    let mut app = app(&mut store, 100, 30);
    open(&mut app, &mut store, "Ann Lee");
    keys(&mut app, &mut store, "c\t\t\t1441\t\n");
    let Some(super::app::Modal::Form(form)) = &app.view.modal else {
        panic!("the form stays open");
    };
    assert_eq!(form.fields[form.focus].id, super::form::FieldId::Minutes);
    assert!(form.error.as_deref().unwrap_or("").contains("1441"));
}

#[test]
fn measurement_form_with_a_validation_error() {
    let mut store = practice();
    let mut app = app(&mut store, 100, 30);
    open(&mut app, &mut store, "Ann Lee");
    keys(&mut app, &mut store, "m12\n");
    let t = draw(&app, 100, 30);
    assert!(screen_text(&t).contains("PHQ-9 needs 9 item responses, got 2"));
    insta::assert_snapshot!(t.backend());
}

#[test]
fn event_and_tier_forms() {
    let mut store = practice();
    let mut app = app(&mut store, 100, 30);
    open(&mut app, &mut store, "Ann Lee");
    keys(&mut app, &mut store, "a\t2026-12-01\n");
    let t = draw(&app, 100, 30);
    assert!(screen_text(&t).contains("in the future"));
    insta::assert_snapshot!("event_form_error", t.backend());
    keys(&mut app, &mut store, "\u{1b}t");
    insta::assert_snapshot!("tier_form", draw(&app, 100, 30).backend());
}

#[test]
fn help_lists_the_keys_of_the_screen() {
    let mut store = practice();
    let mut app = app(&mut store, 100, 34);
    keys(&mut app, &mut store, "?");
    let t = draw(&app, 100, 34);
    let text = screen_text(&t);
    assert!(
        text.contains("filter by name") && text.contains("Everywhere"),
        "{text}"
    );
    insta::assert_snapshot!(t.backend());
}

#[test]
fn a_small_terminal_asks_to_be_enlarged() {
    let mut store = practice();
    let app = app(&mut store, 60, 20);
    insta::assert_snapshot!(draw(&app, 60, 20).backend());
}

#[test]
fn logging_a_contact_from_the_form_writes_once_and_reloads() {
    let mut store = practice();
    let mut app = app(&mut store, 100, 30);
    let id = open(&mut app, &mut store, "Bo Diaz");
    let before = store.read(|c| encounters::for_client(c, id)).unwrap().len();
    keys(&mut app, &mut store, "c");
    assert!(matches!(app.view.modal, Some(Modal::Form(_))));
    keys(&mut app, &mut store, "\n");
    assert!(app.view.modal.is_none(), "{:?}", app.view.notice);
    let after = store.read(|c| encounters::for_client(c, id)).unwrap();
    assert_eq!(after.len(), before + 1);
    assert_eq!(after[0].kind, EncounterKind::Session);
    assert_eq!(after[0].minutes, 50);
    assert_eq!(after[0].date, d(TODAY));
    let view = app.view.client.as_ref().unwrap();
    assert_eq!(
        view.record.encounters.len(),
        before + 1,
        "the screen shows the new encounter"
    );
}

#[test]
fn logging_a_contact_clears_the_never_seen_flag() {
    use crate::domain::flags::FlagKind;
    let mut store = practice();
    let mut app = app(&mut store, 100, 30);
    let flags_of = |app: &App| -> Vec<FlagKind> {
        let e = app
            .view
            .panel
            .loaded
            .iter()
            .find(|e| e.client.name == "Bo Diaz")
            .unwrap();
        e.flags.iter().map(|f| f.kind).collect()
    };
    assert!(
        flags_of(&app).contains(&FlagKind::NeverSeen),
        "{:?}",
        flags_of(&app)
    );
    open(&mut app, &mut store, "Bo Diaz");
    keys(&mut app, &mut store, "c\n");
    assert!(
        !flags_of(&app).contains(&FlagKind::NeverSeen),
        "{:?}",
        flags_of(&app)
    );
    let view = app.view.client.as_ref().unwrap();
    let on_screen: Vec<FlagKind> = view
        .entry
        .as_ref()
        .unwrap()
        .flags
        .iter()
        .map(|f| f.kind)
        .collect();
    assert!(
        !on_screen.contains(&FlagKind::NeverSeen),
        "the client screen shows it cleared too"
    );
    assert!(
        on_screen.contains(&FlagKind::NoBaseline),
        "a first contact without a measurement: no baseline"
    );
    keys(&mut app, &mut store, "m120000000\n");
    let view = app.view.client.as_ref().unwrap();
    assert!(
        view.entry.as_ref().unwrap().flags.is_empty(),
        "{:?}",
        view.entry.as_ref().unwrap().flags
    );
}

#[test]
fn escape_cancels_a_form_without_writing() {
    let mut store = practice();
    let mut app = app(&mut store, 100, 30);
    let id = open(&mut app, &mut store, "Bo Diaz");
    let before = store
        .read(|c| measurements::for_client(c, id))
        .unwrap()
        .len();
    keys(&mut app, &mut store, "m123012301\u{1b}");
    assert!(app.view.modal.is_none());
    assert_eq!(
        store
            .read(|c| measurements::for_client(c, id))
            .unwrap()
            .len(),
        before
    );
}

#[test]
fn discharge_asks_first_and_then_removes_from_the_active_panel() {
    let mut store = practice();
    let mut app = app(&mut store, 100, 30);
    let id = open(&mut app, &mut store, "Ed Marsh");
    keys(&mut app, &mut store, "dn");
    assert_eq!(
        store.read(|c| clients::get(c, id)).unwrap().status,
        crate::domain::ClientStatus::Active
    );
    keys(&mut app, &mut store, "dy");
    assert_eq!(
        store.read(|c| clients::get(c, id)).unwrap().status,
        crate::domain::ClientStatus::Discharged
    );
    keys(&mut app, &mut store, "\u{1b}");
    assert!(!app.view.panel.loaded.iter().any(|e| e.client.id == id));
    // `a` shows discharged clients too; `d` on one offers to readmit.
    keys(&mut app, &mut store, "a");
    update::open_client(&mut app, &mut store, id).unwrap();
    keys(&mut app, &mut store, "dy");
    assert_eq!(
        store.read(|c| clients::get(c, id)).unwrap().status,
        crate::domain::ClientStatus::Active
    );
    assert_eq!(
        store.read(|c| clients::get(c, id)).unwrap().discharged_on,
        None
    );
}

#[test]
fn tabs_switch_by_number_and_tab_key() {
    let mut store = practice();
    let mut app = app(&mut store, 100, 30);
    keys(&mut app, &mut store, "2");
    assert_eq!(app.view.tab, Tab::Today);
    keys(&mut app, &mut store, "\t");
    assert_eq!(app.view.tab, Tab::Revenue);
    update::update(&mut app, &mut store, Action::PrevTab);
    assert_eq!(app.view.tab, Tab::Today);
    keys(&mut app, &mut store, "q");
    assert!(app.quit);
}

#[test]
fn another_process_writing_is_picked_up_on_the_next_tick() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("live.db");
    {
        let mut s = Store::open(&path).unwrap();
        crate::demo::generate(&mut s, 5, 1, d(TODAY), &mut |_, _| {}).unwrap();
    }
    let mut store = Store::open(&path).unwrap();
    let mut app = app(&mut store, 100, 30);
    keys(&mut app, &mut store, "j");
    let selected = app.view.panel.selected_entry().unwrap().client.id;
    let mut other = Store::open(&path).unwrap();
    other
        .write(|tx| {
            clients::insert(
                tx,
                &clients::NewClient {
                    external_id: None,
                    name: "Zz New".into(),
                    dob: None,
                    tier: Tier::Low,
                    since: d(TODAY),
                    diagnosis: None,
                    clinician_id: None,
                },
            )
        })
        .unwrap();
    let before = app.view.panel.total;
    update::update(&mut app, &mut store, Action::Tick);
    assert_eq!(app.view.panel.total, before + 1);
    assert_eq!(
        app.view.panel.selected_entry().unwrap().client.id,
        selected,
        "the selection stays put"
    );
}

#[test]
fn revenue_tab() {
    let mut store = practice();
    let mut app = app(&mut store, 110, 34);
    keys(&mut app, &mut store, "3");
    let t = draw(&app, 110, 34);
    let text = screen_text(&t);
    assert!(
        text.contains("Break-even") && text.contains("Harbor Health"),
        "{text}"
    );
    assert!(text.contains("2026-11") && text.contains("total"), "{text}");
    insta::assert_snapshot!(t.backend());
}

#[test]
fn value_tab() {
    let mut store = practice();
    let mut app = app(&mut store, 110, 34);
    keys(&mut app, &mut store, "4");
    let t = draw(&app, 110, 34);
    let text = screen_text(&t);
    assert!(text.contains("show rate") && text.contains("n/a"), "{text}");
    assert!(!text.contains("NaN"), "{text}");
    insta::assert_snapshot!(t.backend());
}
