//! Property test of the maintained windows against the rules: on random histories with random
//! reviews, the segment that holds on a day carries exactly the key the rules give that day,
//! for every day from the latest record on.

use super::history::facts_from_history;
use super::props::{History, history};
use super::reviews::Review;
use super::windows::{PriorityKey, live_flags, segments};
use super::{FlagKind, Priority};
use crate::domain::{ClientId, Instrument};
use chrono::{Duration, NaiveDate};
use proptest::prelude::*;

/// Random reviews: snoozes of warnings and sign-offs of safety or remission, for the latest
/// PHQ-9 or an older one.
fn reviews() -> impl Strategy<Value = Vec<(usize, i64, i64, bool)>> {
    proptest::collection::vec((0usize..9, -40i64..20, 0i64..=90, any::<bool>()), 0..4)
}

fn make_reviews(
    h: &History,
    raw: &[(usize, i64, i64, bool)],
    latest_phq9: Option<i64>,
) -> Vec<Review> {
    raw.iter()
        .filter_map(|(kind, back, days, latest)| {
            let kind = FlagKind::ALL[*kind];
            let date = h.today - Duration::days(*back);
            let how = super::reviews::how(kind).ok()?;
            let (until, measurement_id) = match how {
                super::reviews::Reviewed::Snooze => (Some(date + Duration::days(*days)), None),
                super::reviews::Reviewed::SignOff => {
                    (None, if *latest { latest_phq9 } else { Some(-1) })
                }
            };
            Some(Review {
                kind,
                date,
                by: "Dana".into(),
                note: String::new(),
                until,
                measurement_id,
            })
        })
        .collect()
}

/// The latest record of any kind, or review: from then on the facts stay put.
fn latest_record(h: &History, reviews: &[Review]) -> NaiveDate {
    h.encounters
        .iter()
        .map(|e| e.date)
        .chain(h.measurements.iter().map(|m| m.date))
        .chain(h.events.iter().map(|e| e.date))
        .chain(reviews.iter().map(|r| r.date))
        .max()
        .unwrap_or_else(|| NaiveDate::from_ymd_opt(1, 1, 1).unwrap())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]
    #[test]
    fn the_segment_holding_a_day_has_the_rules_key_for_that_day(
        h in history(),
        raw in reviews(),
        days in proptest::collection::vec(0i64..400, 1..12),
    ) {
        let far = NaiveDate::from_ymd_opt(9999, 12, 31).unwrap();
        let all = facts_from_history(&h.client, &h.encounters, &h.measurements, &h.events, far);
        let latest_phq9 = h
            .measurements
            .iter()
            .filter(|m| m.instrument == Instrument::Phq9)
            .max_by_key(|m| (m.date, m.id))
            .map(|m| m.id.0);
        let reviews = make_reviews(&h, &raw, latest_phq9);
        let from = latest_record(&h, &reviews);
        let segs = segments(&all, &h.intervals, &reviews, latest_phq9, from);
        prop_assert_eq!(segs[0].from, from);
        for pair in segs.windows(2) {
            prop_assert_ne!(pair[0].key, pair[1].key);
            prop_assert_eq!(pair[0].until, Some(pair[1].from - Duration::days(1)));
        }
        prop_assert_eq!(segs.last().unwrap().until, None);
        for offset in days {
            let day = from + Duration::days(offset);
            let facts = facts_from_history(&h.client, &h.encounters, &h.measurements, &h.events, day);
            let flags = live_flags(&facts, &h.intervals, &reviews, latest_phq9, day);
            let expected = PriorityKey::of(&flags, day);
            let seg = segs
                .iter()
                .find(|s| s.from <= day && s.until.is_none_or(|u| day <= u))
                .unwrap();
            prop_assert_eq!(seg.key, expected, "day {}", day);
            // The kinds alone give the worst severity (the check-in counts from them).
            prop_assert_eq!(super::windows::worst_of_kinds(seg.key.kinds), super::worst(&flags));
            // The key orders as the panel's priority does: the same worst severity and, for
            // the days overdue, the earliest overdue due date.
            let p = Priority::of(&flags, "Ann", ClientId(1));
            prop_assert_eq!(
                p.most_overdue,
                seg.key.overdue_since.map_or(0, |d| (day - d).num_days())
            );
        }
    }
}
