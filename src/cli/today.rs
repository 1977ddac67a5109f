//! `caseload today [--clinician NAME] [--json]`: the end-of-day check-in in one screenful. The
//! summary is `store::today::load` (the same the TUI's Today tab shows); this handler picks the
//! panel (`--clinician`, else `--as`, within what the role may see) and prints it, cutting the
//! other lists short with "and N more" so the whole fits about 40 lines. The critical list is
//! never cut: in a safety check-in every critical client is named, whatever room it takes.

use super::args::TodayArgs;
use super::{Context, print_json};
use crate::domain::Money;
use crate::domain::text::{count, sanitize};
use crate::domain::today::{DaySummary, DueItem};
use crate::error::Result;
use crate::store::{clinicians, today};
use serde::Serialize;

/// At most this many rows of each list that may be cut; the rest are counted.
const LOGGED_ROWS: usize = 6;
const DUE_ROWS: usize = 4;
/// When the critical clients need the room, the cut lists shrink to no fewer rows than this.
const MIN_ROWS: usize = 1;
/// The check-in should fit one screen of about this many lines.
const SCREEN_LINES: usize = 40;

#[derive(Serialize)]
struct TodayJson<'a> {
    /// Whose panel: null for the whole practice.
    clinician: Option<&'a str>,
    #[serde(flatten)]
    summary: &'a DaySummary,
}

pub fn run(ctx: &mut Context, args: TodayArgs) -> Result<()> {
    let requested = match args.clinician.as_deref() {
        Some(name) => Some(ctx.store.read(|c| clinicians::by_name(c, name))?),
        None => ctx.acting.clone(),
    };
    let panel_of = ctx.visible_clinician(requested.as_ref())?;
    let whose = match panel_of {
        Some(id) => Some(ctx.store.read(|c| clinicians::get(c, id))?.name),
        None => None,
    };
    let summary = today::load_from(&ctx.store, ctx.today, panel_of)?;
    let detail = match panel_of {
        Some(id) => format!("{}, clinician {id}", ctx.today),
        None => format!("{}, the practice", ctx.today),
    };
    ctx.store.write(|tx| tx.audit("today", None, &detail))?;
    if args.json {
        return print_json(&TodayJson {
            clinician: whose.as_deref(),
            summary: &summary,
        });
    }
    out!("{}", render(&summary, whose.as_deref()));
    Ok(())
}

/// The check-in as text, every stored name sanitised.
fn render(s: &DaySummary, whose: Option<&str>) -> String {
    let mut out = String::new();
    let mut line = |text: String| {
        out.push_str(&text);
        out.push('\n');
    };
    let whose = whose.map_or("the whole practice".to_string(), sanitize);
    let rows = cut_rows(s);
    line(format!(
        "Today, {} — {whose}",
        s.date.format("%A %-d %B %Y")
    ));

    if s.logged.is_empty() {
        line("Logged today: nothing yet.".into());
    } else {
        line(format!(
            "Logged today: {} for {}, {} min",
            count(s.encounters, "encounter", "encounters"),
            count(s.logged.len(), "client", "clients"),
            s.minutes
        ));
        let name_width = width(s.logged.iter().take(rows[0]).map(|l| l.name.as_str()));
        for l in s.logged.iter().take(rows[0]) {
            let kinds: Vec<&str> = l.kinds.iter().map(|k| k.as_str()).collect();
            let missed = l
                .encounters
                .iter()
                .filter(|e| e.status != crate::domain::EncounterStatus::Completed)
                .count();
            let missed = match missed {
                0 => String::new(),
                n => format!(" ({n} missed)"),
            };
            line(format!(
                "  {:<name_width$}  {:>4} min  {}{missed}",
                sanitize(&l.name),
                l.minutes,
                kinds.join(", ")
            ));
        }
        more(&mut line, s.logged.len(), rows[0], "clients");
    }
    let balance = s.balance();
    line(format!(
        "Time and money: {} min cost {}; today's share of capitation {} ({} this month / {} days): {}",
        s.minutes,
        s.cost,
        s.capitation_today,
        s.capitation_month,
        s.days_in_month,
        signed(balance)
    ));

    if s.critical.is_empty() {
        line("Critical flags: none.".into());
    } else {
        line(format!(
            "Critical flags ({}):",
            count(s.critical.len(), "client", "clients")
        ));
        for c in &s.critical {
            let reasons: Vec<String> = c
                .flags
                .iter()
                .map(|f| format!("{}: {}", f.kind.label(), f.reason))
                .collect();
            line(format!(
                "  #{} {} ({}) — {}",
                c.client_id,
                sanitize(&c.name),
                c.tier,
                sanitize(&reasons.join("; "))
            ));
        }
    }

    for ((title, items), rows) in [
        ("Due today (overdue from tomorrow)", &s.due_today),
        ("Due tomorrow", &s.due_tomorrow),
        ("Due in the next 7 days", &s.due_in_2_to_7_days),
    ]
    .into_iter()
    .zip(&rows[1..])
    {
        due_list(&mut line, title, items, *rows);
    }

    // The plan, in two lines so the check-in still fits a screen.
    if !s.unlogged.is_empty() {
        let first: Vec<String> = s
            .unlogged
            .iter()
            .take(3)
            .map(|a| {
                format!(
                    "#{} {} {}",
                    a.id,
                    sanitize(&a.name),
                    a.date.format("%a %-d")
                )
            })
            .collect();
        let rest = s.unlogged.len().saturating_sub(first.len());
        let rest = if rest > 0 {
            format!(" and {rest} more")
        } else {
            String::new()
        };
        line(format!(
            "Did these happen? Nothing is logged for {}{rest}: log them, or `caseload appointment cancel ID`",
            first.join(", ")
        ));
    }
    if !s.due_unbooked.is_empty() {
        line(format!(
            "Not booked: {} due this week with no appointment by then (marked ·); `caseload book REF --date D`",
            count(s.due_unbooked.len() as i64, "client is", "clients are")
        ));
    }

    let m = &s.measurements;
    line(format!(
        "Measurements: {} overdue, {} seen but never measured; {} due in the next 7 days ({} today, {} tomorrow)",
        m.overdue,
        m.no_baseline,
        m.due_this_week(),
        m.due_today,
        m.due_tomorrow
    ));
    if s.clients_with_warnings > 0 {
        line(format!(
            "{} warning flags: caseload flags",
            count(
                s.clients_with_warnings,
                "more client carries",
                "more clients carry"
            )
        ));
    }
    out
}

fn due_list(line: &mut impl FnMut(String), title: &str, items: &[DueItem], rows: usize) {
    if items.is_empty() {
        line(format!("{title}: none."));
        return;
    }
    line(format!("{title} ({}):", items.len()));
    let name_width = width(items.iter().take(rows).map(|i| i.name.as_str()));
    for i in items.iter().take(rows) {
        let when = if i.days_until > 1 {
            format!("{} ", i.due.format("%a %-d %b"))
        } else {
            String::new()
        };
        let mark = if i.booked { " " } else { "·" };
        line(format!(
            " {mark}{when}{:<name_width$}  {:<13}  {}",
            sanitize(&i.name),
            i.kind.label(),
            i.reason
        ));
    }
    more(line, items.len(), rows, "");
}

/// How many rows each list that may be cut shows — logged, due today, due tomorrow, due in
/// the next 7 days — so that with every critical client listed the check-in still fits
/// [`SCREEN_LINES`] where it can.
fn cut_rows(s: &DaySummary) -> [usize; 4] {
    // Every line that is not a row of a cut list: the heading, the time and money line, the
    // critical heading and rows, the three due headings, the plan lines, measurements and
    // the warnings line (a list's own heading is counted here too).
    let fixed = 1
        + 1
        + 1
        + 1
        + s.critical.len()
        + 3
        + usize::from(!s.unlogged.is_empty())
        + usize::from(!s.due_unbooked.is_empty())
        + 1
        + usize::from(s.clients_with_warnings > 0);
    fit_lists(
        SCREEN_LINES.saturating_sub(fixed),
        [
            (s.logged.len(), LOGGED_ROWS),
            (s.due_today.len(), DUE_ROWS),
            (s.due_tomorrow.len(), DUE_ROWS),
            (s.due_in_2_to_7_days.len(), DUE_ROWS),
        ],
    )
}

/// The rows to show of lists of `(length, most rows)` within `room` lines, a cut list taking
/// one line more for its "… and N more": each list its most rows if they fit, else the list
/// showing most gives up rows, one line at a time, down to [`MIN_ROWS`] (past that the text
/// is longer than the room).
fn fit_lists<const N: usize>(room: usize, lists: [(usize, usize); N]) -> [usize; N] {
    let lines = |len: usize, rows: usize| len.min(rows) + usize::from(len > rows);
    let mut rows = lists.map(|(len, most)| len.min(most));
    loop {
        let used: usize = lists
            .iter()
            .zip(&rows)
            .map(|((len, _), r)| lines(*len, *r))
            .sum();
        if used <= room {
            return rows;
        }
        // A list not cut yet must give up two rows to save a line (the "more" line takes one).
        let fewer = |i: usize| {
            let step = if rows[i] == lists[i].0 { 2 } else { 1 };
            rows[i].checked_sub(step).filter(|r| *r >= MIN_ROWS)
        };
        let Some((i, r)) = (0..N)
            .filter_map(|i| fewer(i).map(|r| (i, r)))
            .max_by_key(|&(i, _)| (rows[i], N - i))
        else {
            return rows;
        };
        rows[i] = r;
    }
}

fn more(line: &mut impl FnMut(String), total: usize, shown: usize, what: &str) {
    if total > shown {
        let what = if what.is_empty() {
            String::new()
        } else {
            format!(" {what}")
        };
        line(format!("  … and {} more{what}", total - shown));
    }
}

/// The display width of the widest name (sanitised), capped so a long name cannot push the
/// rest of the line off the screen.
fn width<'a>(names: impl Iterator<Item = &'a str>) -> usize {
    use unicode_width::UnicodeWidthStr;
    names
        .map(|n| sanitize(n).width())
        .max()
        .unwrap_or(0)
        .min(28)
}

/// `+$24.58` / `-$3.10`.
fn signed(m: Money) -> String {
    if m.cents() >= 0 {
        format!("+{m}")
    } else {
        m.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::fit_lists;

    #[test]
    fn lists_keep_their_rows_while_they_fit() {
        // 6 + 1 and 4 + 1 lines: exactly 12 fit 12, untouched.
        assert_eq!(fit_lists(12, [(9, 6), (5, 4)]), [6, 4]);
        assert_eq!(fit_lists(40, [(2, 6), (0, 4)]), [2, 0]);
    }

    #[test]
    fn one_line_short_the_longest_list_gives_a_row() {
        assert_eq!(fit_lists(11, [(9, 6), (5, 4)]), [5, 4]);
        // A list that was not cut gives two rows for one line ("… and 2 more").
        assert_eq!(fit_lists(5, [(6, 6)]), [4]);
        assert_eq!(fit_lists(6, [(6, 6)]), [6]);
    }

    #[test]
    fn no_list_goes_below_one_row() {
        assert_eq!(fit_lists(0, [(9, 6), (5, 4), (0, 4)]), [1, 1, 0]);
        // One row and "… and 1 more" saves nothing over two rows: both are kept.
        assert_eq!(fit_lists(0, [(2, 4)]), [2]);
    }
}
