//! The terminal UI: Elm-style and synchronous. Keys become actions (`input`, from the data in
//! `keymap`), `update` changes the model (`app`) and is the only caller of the store, and
//! `ui`/`screens` draw the model. Time arrives as ticks; "today" lives in the model.

pub mod action;
pub mod app;
pub mod form;
pub mod input;
pub mod keymap;
pub mod layout;
pub mod lock;
pub mod screens;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_corrections;
#[cfg(test)]
mod tests_edges;
#[cfg(test)]
mod tests_lock;
#[cfg(test)]
mod tests_plans;
#[cfg(test)]
mod tests_reports;
#[cfg(test)]
mod tests_review;
#[cfg(test)]
mod tests_tabs;
pub mod theme;
pub mod ui;
pub mod undo;
pub mod update;
mod update_client;
mod update_modal;
mod update_new_client;
mod update_panel;
mod update_plans;
mod update_report;

use crate::error::{Error, Result};
use crate::store::Store;
use action::Action;
use app::{App, Viewer};
use chrono::NaiveDate;
use ratatui::crossterm::event::{self, Event};
use std::time::{Duration, Instant};

/// How often the UI wakes without a key: live refresh and the idle lock run on this tick.
const TICK: Duration = Duration::from_millis(500);

pub struct Options {
    pub today: NaiveDate,
    pub theme: String,
    /// The path of an encrypted practice (`store` is then a placeholder until unlocked).
    pub encrypted: Option<std::path::PathBuf>,
}

/// Runs the UI until the user quits. The terminal is restored on return, on error and on
/// panic (ratatui's init installs a hook that restores it before the panic message).
pub fn run(mut store: Store, options: Options) -> Result<()> {
    let user_dir =
        directories::ProjectDirs::from("", "", "caseload").map(|p| p.config_dir().to_path_buf());
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    let (theme, warning) = theme::load(&options.theme, user_dir.as_deref(), no_color);
    let mut app = App::new(options.today, theme, Viewer::practice());
    app.reports_dir =
        directories::ProjectDirs::from("", "", "caseload").map(|p| p.data_dir().to_path_buf());
    if let Some(w) = warning {
        app.error(w);
    }
    app.encrypted = options.encrypted;
    app.guarded = app.encrypted.is_some()
        || store.read(|c| crate::store::auth::practice_uses_passphrases(c))?;
    if app.guarded {
        // Nothing of the practice is loaded until someone unlocks.
        lock::show(&mut app, &mut store, None)?;
    } else {
        update::reload(&mut app, &mut store)?;
    }
    let mut terminal = ratatui::try_init().map_err(|e| {
        ratatui::restore();
        Error::Usage(format!("cannot set up the terminal: {e}"))
    })?;
    let result = event_loop(&mut terminal, &mut app, &mut store);
    ratatui::restore();
    result
}

fn event_loop(
    terminal: &mut ratatui::DefaultTerminal,
    app: &mut App,
    store: &mut Store,
) -> Result<()> {
    let size = terminal.size().map_err(Error::Io)?;
    app.size = (size.width, size.height);
    app.clock = app::Clock::now();
    update::update(app, store, Action::Resize(size.width, size.height));
    let mut last_tick = Instant::now();
    while !app.quit {
        terminal
            .draw(|frame| ui::draw(frame, app))
            .map_err(Error::Io)?;
        let wait = TICK.saturating_sub(last_tick.elapsed());
        if event::poll(wait).map_err(Error::Io)? {
            let event = event::read().map_err(Error::Io)?;
            app.clock = app::Clock::now();
            match event {
                Event::Key(key) if key.is_press() => {
                    if let Some(action) = input::map_key(key, &app.layers()) {
                        update::update(app, store, action);
                    }
                }
                Event::Resize(w, h) => update::update(app, store, Action::Resize(w, h)),
                _ => {}
            }
        }
        if last_tick.elapsed() >= TICK {
            app.clock = app::Clock::now();
            update::update(app, store, Action::Tick);
            last_tick = Instant::now();
        }
    }
    Ok(())
}
