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
