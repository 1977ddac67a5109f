//! `caseload today [--clinician NAME] [--json]`: the end-of-day check-in in one screenful. The
//! summary is `store::today::load` (the same the TUI's Today tab shows); this handler picks the
//! panel (`--clinician`, else `--as`, within what the role may see) and prints it, cutting each
//! list short with "and N more" so the whole fits about 40 lines.

use super::args::TodayArgs;
use super::{Context, print_json};
use crate::domain::Money;
use crate::domain::text::{count, sanitize};
use crate::domain::today::{DaySummary, DueItem};
use crate::error::Result;
use crate::store::{clinicians, today};
use serde::Serialize;

/// At most this many rows of each list; the rest are counted.
const LOGGED_ROWS: usize = 6;
const CRITICAL_ROWS: usize = 5;
const DUE_ROWS: usize = 4;

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
    let summary = ctx.store.read(|c| today::load(c, ctx.today, panel_of))?;
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
    line(format!(
        "Today, {} — {whose}",
        s.date.format("%A %-d %B %Y")
    ));

    if s.logged.is_empty() {
        line("Logged today: nothing yet.".into());
    } else {
        line(format!(
            "Logged today: {} encounters for {} clients, {} min",
            s.encounters,
            s.logged.len(),
            s.minutes
        ));
        let name_width = width(s.logged.iter().take(LOGGED_ROWS).map(|l| l.name.as_str()));
        for l in s.logged.iter().take(LOGGED_ROWS) {
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
        more(&mut line, s.logged.len(), LOGGED_ROWS, "clients");
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
        line(format!("Critical flags ({} clients):", s.critical.len()));
        for c in s.critical.iter().take(CRITICAL_ROWS) {
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
        more(&mut line, s.critical.len(), CRITICAL_ROWS, "clients");
    }

    for (title, items) in [
        ("Due today (overdue from tomorrow)", &s.due_today),
        ("Due tomorrow", &s.due_tomorrow),
        ("Due in the next 7 days", &s.due_in_2_to_7_days),
    ] {
        due_list(&mut line, title, items);
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
            "{} more clients carry warning flags: caseload flags",
            s.clients_with_warnings
        ));
    }
    out
}

fn due_list(line: &mut impl FnMut(String), title: &str, items: &[DueItem]) {
    if items.is_empty() {
        line(format!("{title}: none."));
        return;
    }
    line(format!("{title} ({}):", items.len()));
    let name_width = width(items.iter().take(DUE_ROWS).map(|i| i.name.as_str()));
    for i in items.iter().take(DUE_ROWS) {
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
    more(line, items.len(), DUE_ROWS, "");
}

/// "  … and 12 more clients" when a list was cut short.
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
