//! The Value tab's `H`: writes the report on screen as the one self-contained HTML page of
//! `report value --html` (`report::html`), into caseload's data folder, and says where. The
//! figures are the ones already loaded for the tab; nothing is computed again.

use super::app::App;
use crate::error::{Error, Result};
use crate::store::{Store, outfile};

/// The report's file for today: caseload's own, so writing it again the same day replaces it.
fn target(app: &App) -> Result<std::path::PathBuf> {
    let dir = app
        .reports_dir
        .clone()
        .ok_or_else(|| Error::invalid("no data folder to write the report to"))?;
    if !dir.is_dir() {
        std::fs::create_dir_all(&dir)?;
    }
    Ok(dir.join(format!("value-report-{}.html", app.today)))
}

pub(super) fn write_value_html(app: &mut App, store: &mut Store) -> Result<()> {
    let Some(tab) = &app.view.value else {
        if app.loading.computing(super::loader::Kind::Value) {
            app.info("The figures are still being computed; H writes them once they are shown");
        }
        return Ok(());
    };
    let file = target(app)?;
    outfile::claim_file(&file, true, store.path())?;
    let whose = app.viewer.own_panel().map(|_| app.viewer.name.clone());
    let page = crate::report::html::value_report(&crate::report::html::ValuePage {
        current: &tab.current,
        previous: &tab.previous,
        monthly: &tab.monthly,
        fairness: &tab.fairness,
        coding: &tab.coding,
        whose: whose.as_deref(),
        made_on: app.today,
        initials: app.view.privacy,
    });
    outfile::write(&file, true, |out| Ok(out.write_all(page.as_bytes())?))?;
    let (from, to) = (tab.current.from, tab.current.to);
    store.write(|tx| tx.audit("report.value.html", None, &format!("{from} to {to} (tui)")))?;
    app.info(format!(
        "Wrote the value report to {} — open it in a browser or print it",
        crate::domain::text::sanitize(&file.display().to_string())
    ));
    Ok(())
}
