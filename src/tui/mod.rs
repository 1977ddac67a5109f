//! The terminal UI: Elm-style. Keys become actions (`input`, from the data in `keymap`),
//! `update` changes the model (`app`) and is the only caller of the UI's store, and
//! `ui`/`screens` draw the model. Time arrives as ticks; "today" lives in the model. The heavy
//! tabs' figures are computed off this thread by `loader` (its own connection, read only) and
//! taken into the model by `update` when they arrive.

pub mod action;
pub mod app;
pub mod edit;
pub mod form;
pub mod input;
pub mod keymap;
pub mod layout;
pub mod loader;
pub mod lock;
mod panel_window;
pub mod screens;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_background;
#[cfg(test)]
mod tests_corrections;
#[cfg(test)]
mod tests_edges;
#[cfg(test)]
mod tests_input;
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
#[cfg(test)]
mod tests_window;
pub mod theme;
pub mod ui;
pub mod undo;
pub mod update;
mod update_client;
mod update_modal;
mod update_mouse;
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
/// How often the UI looks for the background loader's results while it waits for some.
const RESULT_POLL: Duration = Duration::from_millis(15);

pub struct Options {
    pub today: NaiveDate,
    /// No `--today` was given: today moves at local midnight.
    pub today_follows_clock: bool,
    pub theme: String,
    /// The path of an encrypted practice (`store` is then a placeholder until unlocked).
    pub encrypted: Option<std::path::PathBuf>,
    /// Whether the UI takes the mouse (wheel, clicks); `--no-mouse` leaves it to the terminal
    /// (selecting text with it, for one).
    pub mouse: bool,
}

/// Runs the UI until the user quits. The terminal is restored on return, on error and on
/// panic (ratatui's init installs a hook that restores it before the panic message; ours,
/// run before it, turns off bracketed paste and the mouse).
pub fn run(mut store: Store, options: Options) -> Result<()> {
    let user_dir =
        directories::ProjectDirs::from("", "", "caseload").map(|p| p.config_dir().to_path_buf());
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    let (theme, warning) = theme::load(&options.theme, user_dir.as_deref(), no_color);
    let mut app = App::new(options.today, theme, Viewer::practice());
    app.today_follows_clock = options.today_follows_clock;
    app.reports_dir =
        directories::ProjectDirs::from("", "", "caseload").map(|p| p.data_dir().to_path_buf());
    if let Some(w) = warning {
        app.error(w);
    }
    app.encrypted = options.encrypted;
    // On a server, other machines' commits are counted from here on (the live refresh).
    store.watch_changes()?;
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
    restore_modes_on_panic();
    let result = enable_modes(options.mouse)
        .map_err(|e| Error::Usage(format!("cannot set up the terminal: {e}")))
        .and_then(|()| event_loop(&mut terminal, &mut app, &mut store));
    disable_modes();
    ratatui::restore();
    result
}

/// Bracketed paste (a paste arrives whole, not as keys that could submit a form) and, unless
/// turned off, mouse capture.
fn enable_modes(mouse: bool) -> std::io::Result<()> {
    use ratatui::crossterm::{event::EnableBracketedPaste, event::EnableMouseCapture, execute};
    execute!(std::io::stdout(), EnableBracketedPaste)?;
    if mouse {
        execute!(std::io::stdout(), EnableMouseCapture)?;
    }
    Ok(())
}

/// Turns both modes off whether or not they were on: a terminal left capturing the mouse or
/// bracketing pastes is broken for the shell that follows.
fn disable_modes() {
    use ratatui::crossterm::{event::DisableBracketedPaste, event::DisableMouseCapture, execute};
    // Nothing more can be done if the terminal is gone; the raw-mode restore still runs.
    let _ = execute!(
        std::io::stdout(),
        DisableMouseCapture,
        DisableBracketedPaste
    );
}

fn restore_modes_on_panic() {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        // The loader's panics are caught and become an error line: the terminal stays the UI's.
        if std::thread::current().name() == Some(loader::THREAD) {
            return;
        }
        disable_modes();
        previous(info);
    }));
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
    // Redrawn after anything that acted, not after every event: with the mouse captured the
    // terminal reports each movement, which changes nothing.
    let mut dirty = true;
    while !app.quit {
        // Figures computed in the background are drawn as soon as they arrive.
        if update::receive(app, store) {
            dirty = true;
        }
        if std::mem::take(&mut dirty) {
            terminal
                .draw(|frame| ui::draw(frame, app))
                .map_err(Error::Io)?;
        }
        let mut wait = TICK.saturating_sub(last_tick.elapsed());
        if !app.loading.asked.is_empty() {
            wait = wait.min(RESULT_POLL);
        }
        if event::poll(wait).map_err(Error::Io)? {
            let event = event::read().map_err(Error::Io)?;
            app.clock = app::Clock::now();
            let actions = match event {
                Event::Key(key) if key.is_press() => {
                    input::map_key(key, &app.layers()).into_iter().collect()
                }
                Event::Paste(text) => input::map_paste(&text, &app.layers()),
                Event::Mouse(mouse) => input::map_mouse(mouse, &app.layers()),
                Event::Resize(w, h) => vec![Action::Resize(w, h)],
                _ => Vec::new(),
            };
            for action in actions {
                update::update(app, store, action);
                dirty = true;
            }
        }
        if last_tick.elapsed() >= TICK {
            app.clock = app::Clock::now();
            update::update(app, store, Action::Tick);
            last_tick = Instant::now();
            dirty = true;
        }
    }
    Ok(())
}
