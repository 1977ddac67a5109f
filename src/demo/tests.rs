//! The demo practice: the same seed gives the same practice, the value measures get a story,
//! and generated PHQ-9 items add up.

use super::history::items_for;
use super::rng::Rng;
use super::*;
use crate::domain::{EncounterKind, parse_date};
use chrono::Datelike;

fn counts(store: &Store) -> (i64, i64, i64, i64, i64, i64) {
    let n = |t: &str| {
        store
            .read(|c| Ok(c.query_row(&format!("SELECT count(*) FROM {t}"), [], |r| r.get(0))?))
            .unwrap()
    };
    (
        n("clients"),
        n("encounters"),
        n("measurements"),
        n("events"),
        n("appointments"),
        n("reviews"),
    )
}

#[test]
fn the_same_seed_gives_the_same_practice() {
    let today = parse_date("2026-11-23").unwrap();
    let mut a = Store::open_in_memory().unwrap();
    let mut b = Store::open_in_memory().unwrap();
    let sa = generate(&mut a, 60, 3, today, &mut |_, _| {}).unwrap();
    let sb = generate(&mut b, 60, 3, today, &mut |_, _| {}).unwrap();
    assert_eq!(sa, sb);
    assert_eq!(counts(&a), counts(&b));
    let names = |s: &Store| -> Vec<String> {
        s.read(|c| {
            let mut st = c.prepare("SELECT name FROM clients ORDER BY id")?;
            let names = st.query_map([], |r| r.get(0))?;
            Ok(names.collect::<rusqlite::Result<Vec<String>>>()?)
        })
        .unwrap()
    };
    assert_eq!(names(&a), names(&b));
    let (clients, encounters, measurements, ..) = counts(&a);
    assert_eq!(clients, 60);
    assert!(encounters > 60 * 5, "a year of work: {encounters}");
    assert!(measurements > 60);
}

/// The demo gives the value measures something to show: some new clients wait more than
/// 14 days for a first contact, and acute events fall in both 90-day periods of the value
/// report, most but not all followed by a contact within 7 days.
#[test]
fn the_demo_gives_the_value_measures_a_story() {
    let today = parse_date("2026-11-23").unwrap();
    let mut store = Store::open_in_memory().unwrap();
    generate(&mut store, 250, 7, today, &mut |_, _| {}).unwrap();
    store
        .read(|c| {
            let contact = format!(
                "e.status = 'completed' AND e.kind IN {}",
                EncounterKind::CONTACT_KINDS_SQL
            );
            let (seen, late): (i64, i64) = c
                .query_row(
                    &format!(
                        "SELECT count(*), sum(wait > 14) FROM (
                   SELECT julianday(min(e.date)) - julianday(c.since) AS wait
                   FROM clients c JOIN encounters e ON e.client_id = c.id
                   WHERE {contact} GROUP BY c.id)"
                    ),
                    [],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .unwrap();
            let share = late as f64 / seen as f64;
            assert!((0.08..0.3).contains(&share), "{late} of {seen} seen late");

            let events = |from: i64, to: i64| -> (i64, i64) {
                c.query_row(
                    &format!(
                        "SELECT count(*), coalesce(sum(EXISTS (
                    SELECT 1 FROM encounters e WHERE e.client_id = v.client_id AND {contact}
                      AND e.date > v.date AND julianday(e.date) - julianday(v.date) <= 7)), 0)
                 FROM events v
                 WHERE julianday(?1) - julianday(v.date) BETWEEN ?2 AND ?3"
                    ),
                    crate::store::db::params![today.to_string(), from, to],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .unwrap()
            };
            let (this, this_followed) = events(0, 89);
            let (previous, previous_followed) = events(90, 179);
            assert!(this > 5 && previous > 5, "events: {this} and {previous}");
            let followed = (this_followed + previous_followed) as f64 / (this + previous) as f64;
            assert!(
                (0.4..0.95).contains(&followed),
                "followed within 7 days: {followed}"
            );
            Ok(())
        })
        .unwrap();
}

#[test]
fn the_demo_refuses_a_database_that_holds_a_practice() {
    let today = parse_date("2026-11-23").unwrap();
    let mut store = Store::open_in_memory().unwrap();
    generate(&mut store, 5, 1, today, &mut |_, _| {}).unwrap();
    assert!(generate(&mut store, 5, 1, today, &mut |_, _| {}).is_err());
}

#[test]
fn generated_items_sum_to_the_total_and_respect_item_nine() {
    let mut rng = Rng::new(9);
    for total in 1..=27 {
        let items = items_for(total, 9, 3, Some(1), &mut rng);
        assert_eq!(items.iter().sum::<i64>(), total);
        assert!(items.iter().all(|v| (0..=3).contains(v)));
        assert!(items[8] >= 1, "item 9 stays positive");
    }
}

/// The agenda and the panel's "next" column have something to show: most active clients have a
/// series booked from today (weekly for the high tier), last week holds kept appointments,
/// no-shows and a few nobody logged, and some safety flags were reviewed while one stays open.
#[test]
fn the_demo_books_ahead_and_reviews_a_few_safety_flags() {
    use crate::domain::appointments::AppointmentState as S;
    use crate::domain::flags::FlagKind;
    use crate::store::{appointments, panel};
    let today = parse_date("2026-11-23").unwrap();
    let mut store = Store::open_in_memory().unwrap();
    generate(&mut store, 250, 7, today, &mut |_, _| {}).unwrap();
    store
        .read(|c| {
            let entries = panel::load(c, &panel::PanelQuery::default(), today).unwrap();
            let booked = entries
                .iter()
                .filter(|e| e.next_appointment.is_some())
                .count();
            assert!(
                booked * 100 > entries.len() * 55 && booked < entries.len(),
                "{booked} of {} active clients booked",
                entries.len()
            );
            let ahead =
                appointments::between(c, today, today + Duration::days(6), None, today).unwrap();
            assert!(ahead.len() > 40, "{} this week", ahead.len());
            for a in &ahead {
                let t = a.time.as_deref().unwrap();
                assert!(("09:00"..="17:00").contains(&t), "working hours: {t}");
                assert!(
                    a.date.weekday().num_days_from_monday() < 5,
                    "a weekday: {}",
                    a.date
                );
            }
            let last_week = appointments::between(
                c,
                today - Duration::days(7),
                today - Duration::days(1),
                None,
                today,
            )
            .unwrap();
            let n = |s: S| last_week.iter().filter(|a| a.state == s).count();
            assert!(n(S::Kept) > 20, "kept last week: {}", n(S::Kept));
            assert!(n(S::NoShow) > 0, "no-shows last week");
            assert!(
                (1..=20).contains(&n(S::Unlogged)),
                "unlogged: {}",
                n(S::Unlogged)
            );
            let reviewed = entries
                .iter()
                .filter(|e| e.reviewed.iter().any(|(f, _)| f.kind == FlagKind::Safety))
                .count();
            let open = entries
                .iter()
                .filter(|e| e.flags.iter().any(|f| f.kind == FlagKind::Safety))
                .count();
            assert!(
                reviewed >= 1 && open >= 1,
                "reviewed {reviewed}, open {open}"
            );
            // Contracts as payers write them: diagnosis rates and targets.
            let bright = crate::store::contracts::by_name(c, "Bright EAP").unwrap();
            assert_eq!(bright.diagnosis_rates.len(), 2);
            assert!(
                !crate::store::targets::for_contract(c, bright.id)
                    .unwrap()
                    .is_empty()
            );
            Ok(())
        })
        .unwrap();
}
