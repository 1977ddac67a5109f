//! The revenue tab's contracts view (`c`, SPEC section 12): per contract its model, proration
//! and rates (with the diagnosis prefixes and the dates they apply from), the withhold held and
//! earned back, and each quality target against its measure among the contract's members —
//! met, not met ("N more … would meet it") or n/a. Formats `store::contract_report`'s figures;
//! computes none. Reads the model only.

use super::super::app::{App, ContractsTab};
use super::super::theme::Role;
use crate::domain::quality::TargetResult;
use crate::domain::text::sanitize;
use crate::domain::{Contract, ContractModel};
use crate::store::contract_report::ContractReport;
use crate::store::contracts::BEGINNING;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

/// "met", "not met: 2 more contacted would meet it", "n/a: no one to count yet", with its role.
fn verdict(t: &TargetResult) -> (String, Role) {
    match (t.met, t.more_needed) {
        (None, _) => ("n/a: no one to count yet".into(), Role::muted),
        (Some(true), _) => ("met".into(), Role::good),
        (Some(false), Some(k)) => (
            format!(
                "not met: {k} more {} would meet it",
                t.target.measure.counted()
            ),
            Role::warning,
        ),
        (Some(false), None) => ("not met".into(), Role::warning),
    }
}

fn rate_lines(app: &App, c: &Contract) -> Vec<Line<'static>> {
    let t = &app.theme;
    let unit = match c.model {
        ContractModel::Capitation => "PMPM",
        ContractModel::CaseRate => "per episode",
    };
    let from = |d: chrono::NaiveDate| {
        if d.format("%Y-%m-%d").to_string() == BEGINNING {
            "from the start".to_string()
        } else {
            format!("from {d}")
        }
    };
    // One rate a line, so no figure is ever cut at 80 columns.
    let mut lines: Vec<Line<'static>> = c
        .rates
        .iter()
        .enumerate()
        .map(|(i, r)| {
            Line::from(vec![
                Span::styled(
                    if i == 0 {
                        "   rates     "
                    } else {
                        "             "
                    },
                    t.style(Role::muted),
                ),
                Span::styled(
                    format!("{} {unit} {}", r.rate_cents, from(r.from)),
                    t.style(Role::text),
                ),
            ])
        })
        .collect();
    for r in &c.diagnosis_rates {
        lines.push(Line::from(vec![
            Span::styled("             ", t.style(Role::muted)),
            Span::styled(
                format!(
                    "diagnosis {}… {} {}",
                    sanitize(&r.prefix),
                    r.rate_cents,
                    from(r.from)
                ),
                t.style(Role::text),
            ),
        ]));
    }
    lines
}

fn contract_lines(app: &App, r: &ContractReport, width: u16) -> Vec<Line<'static>> {
    let t = &app.theme;
    let c = &r.contract;
    let payer = c
        .payer
        .as_deref()
        .map_or(String::new(), |p| format!(" · {}", sanitize(p)));
    let mut lines = vec![Line::from(vec![
        Span::styled(format!(" {}", sanitize(&c.name)), t.style(Role::accent)),
        Span::styled(
            format!(" · {} · {} proration{payer}", c.model, c.proration),
            t.style(Role::muted),
        ),
    ])];
    lines.extend(rate_lines(app, c));
    let m = &r.money;
    if c.withhold_bp.basis_points() == 0 {
        lines.push(Line::from(vec![
            Span::styled("   withhold  ", t.style(Role::muted)),
            Span::styled("none in this contract", t.style(Role::text)),
        ]));
    } else {
        lines.push(Line::from(vec![
            Span::styled("   withhold  ", t.style(Role::muted)),
            Span::styled(
                format!("{} of revenue, held {}", c.withhold_bp, m.withhold),
                t.style(Role::text),
            ),
        ]));
        lines.push(Line::from(vec![
            Span::styled("             ", t.style(Role::muted)),
            Span::styled(format!("earned back {}", m.earn_back), t.style(Role::good)),
            Span::styled(" · ", t.style(Role::text)),
            Span::styled(
                format!("at risk {}", m.at_risk),
                t.style(if m.at_risk.cents() > 0 {
                    Role::warning
                } else {
                    Role::text
                }),
            ),
        ]));
    }
    if r.targets.is_empty() {
        lines.push(Line::from(vec![
            Span::styled("   targets   ", t.style(Role::muted)),
            Span::styled(
                "none (add one with `caseload contract target`)",
                t.style(Role::muted),
            ),
        ]));
        return lines;
    }
    lines.push(Line::styled(
        format!(
            "   targets   {:<20} {:>13} {:>6} {:>7} {:>6}",
            "measure", "n of N", "rate", "target", "weight"
        ),
        t.style(Role::muted),
    ));
    // The verdict sits beside the figures when there is room, under them when not.
    let beside = width >= 110;
    for target in &r.targets {
        let (text, role) = verdict(target);
        let mark = match target.met {
            Some(true) => "✓",
            Some(false) => "✗",
            None => "–",
        };
        let rate = target
            .rate
            .percent()
            .map_or("n/a".to_string(), |p| format!("{p:.1}%"));
        let figures = Span::styled(
            format!(
                "{:<20} {:>13} {:>6} {:>7} {:>6}",
                target.target.measure.name(),
                format!("{} of {}", target.rate.n, target.rate.of),
                rate,
                format!("≥ {}", target.target.at_least),
                format!("×{}", target.target.weight)
            ),
            t.style(Role::text),
        );
        let mark = Span::styled(format!("           {mark} "), t.style(role));
        if beside {
            lines.push(Line::from(vec![
                mark,
                figures,
                Span::styled(format!("  {text}"), t.style(role)),
            ]));
        } else {
            lines.push(Line::from(vec![mark, figures]));
            if target.met == Some(false) {
                lines.push(Line::styled(format!("             {text}"), t.style(role)));
            }
        }
    }
    lines
}

/// The view's lines at this width (`update` counts them to scroll).
pub fn lines(app: &App, width: u16) -> Vec<Line<'static>> {
    let t = &app.theme;
    let reports = match &app.view.contracts {
        None => {
            let line = super::not_loaded(app, crate::tui::loader::Kind::Contracts);
            return vec![Line::styled(line, t.style(Role::muted))];
        }
        Some(ContractsTab::Refused(why)) => {
            return vec![Line::styled(format!(" {why}"), t.style(Role::muted))];
        }
        Some(ContractsTab::Shown(reports)) => reports,
    };
    let Some(first) = reports.first() else {
        return vec![Line::styled(
            " No contracts yet. Add one with `caseload contract add`.",
            t.style(Role::muted),
        )];
    };
    let (from, to) = (first.from.first_day(), first.to.first_day());
    let months = if from.format("%Y").to_string() == to.format("%Y").to_string() {
        format!("{}–{}", from.format("%b"), to.format("%b %Y"))
    } else {
        format!("{}–{}", from.format("%b %Y"), to.format("%b %Y"))
    };
    let mut lines = vec![Line::styled(
        format!(
            " {months}: targets among each contract's members, measured to {}",
            first.period.to
        ),
        t.style(Role::muted),
    )];
    for r in reports {
        lines.push(Line::raw(""));
        lines.extend(contract_lines(app, r, width));
    }
    lines
}

pub fn draw(frame: &mut Frame, app: &App, area: Rect) {
    let t = &app.theme;
    let [title, body] = ratatui::layout::Layout::vertical([
        ratatui::layout::Constraint::Length(1),
        ratatui::layout::Constraint::Min(1),
    ])
    .areas(area);
    frame.render_widget(
        Paragraph::new(Line::from(vec![
            Span::styled(" Revenue · contracts", t.style(Role::title)),
            Span::styled(
                " · quality targets and the withhold · c back to the months",
                t.style(Role::muted),
            ),
        ])),
        title,
    );
    let lines = lines(app, area.width);
    let last = lines.len().saturating_sub(body.height as usize);
    frame.render_widget(
        Paragraph::new(lines).scroll((app.view.contracts_scroll.min(last) as u16, 0)),
        body,
    );
}
