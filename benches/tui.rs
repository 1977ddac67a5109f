//! Timing of the terminal UI's hot paths on a demo practice, without a terminal: the first
//! frame (load the panel and draw it) and a keypress (update and redraw). Run with
//! `cargo bench --bench tui -- [CLIENTS]` (default 250; try 100000).

use caseload::store::Store;
use caseload::tui::action::Action;
use caseload::tui::app::{App, Viewer};
use caseload::tui::theme::Theme;
use caseload::tui::{ui, update};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use std::time::{Duration, Instant};

fn main() {
    let clients: u32 = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(250);
    let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 23).expect("a date");
    let dir = std::env::temp_dir().join(format!("caseload-bench-{clients}"));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join("bench.db");
    if !path.exists() {
        let mut store = Store::open(&path).expect("open");
        let started = Instant::now();
        caseload::demo::generate(&mut store, clients, 7, today, &mut |_, _| {}).expect("demo");
        println!(
            "demo of {clients} clients generated in {:.2?}",
            started.elapsed()
        );
    }
    let (w, h) = (120, 40);
    let started = Instant::now();
    let mut store = Store::open(&path).expect("open");
    let mut app = App::new(today, Theme::fallback(), Viewer::practice());
    app.size = (w, h);
    update::reload(&mut app, &mut store).expect("reload");
    let mut terminal = Terminal::new(TestBackend::new(w, h)).expect("terminal");
    terminal.draw(|f| ui::draw(f, &app)).expect("draw");
    println!(
        "{clients} clients: first frame (open, load panel, draw) {:.2?}",
        started.elapsed()
    );

    let keys = [
        Action::Down,
        Action::PageDown,
        Action::Bottom,
        Action::Top,
        Action::CycleSort,
        Action::CycleFlagFilter,
    ];
    let mut worst = Duration::ZERO;
    let mut total = Duration::ZERO;
    let rounds = 50;
    for i in 0..rounds {
        let action = keys[i % keys.len()];
        let started = Instant::now();
        update::update(&mut app, &mut store, action);
        terminal.draw(|f| ui::draw(f, &app)).expect("draw");
        let took = started.elapsed();
        worst = worst.max(took);
        total += took;
    }
    println!(
        "{clients} clients: keypress (update + draw) mean {:.2?}, worst {:.2?} over {rounds} presses",
        total / rounds as u32,
        worst
    );
    let started = Instant::now();
    update::update(&mut app, &mut store, Action::Open);
    terminal.draw(|f| ui::draw(f, &app)).expect("draw");
    println!(
        "{clients} clients: open a client and draw {:.2?}",
        started.elapsed()
    );
}
