//! The real binary in a real pseudo-terminal: open the panel, look, press keys, quit, and check
//! the terminal was restored and no hostile bytes from client names reached it.
#![allow(clippy::unwrap_used)] // A failed unwrap in a test is a failed test, with its message.

mod common;
use common::Practice;
use portable_pty::{CommandBuilder, PtySize, native_pty_system};
use std::io::{Read, Write};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

struct Session {
    parser: Arc<Mutex<vt100::Parser>>,
    raw: Arc<Mutex<Vec<u8>>>,
    writer: Box<dyn Write + Send>,
    child: Box<dyn portable_pty::Child + Send + Sync>,
}

impl Session {
    fn start(p: &Practice, extra_env: &[(&str, &str)]) -> Session {
        Session::start_with(p, &[], extra_env)
    }

    fn start_with(p: &Practice, args: &[&str], extra_env: &[(&str, &str)]) -> Session {
        let pty = native_pty_system()
            .openpty(PtySize {
                rows: 30,
                cols: 110,
                pixel_width: 0,
                pixel_height: 0,
            })
            .unwrap();
        let mut cmd = CommandBuilder::new(env!("CARGO_BIN_EXE_caseload"));
        cmd.args(args);
        cmd.env("CASELOAD_DB", &p.db);
        cmd.env("CASELOAD_TODAY", common::TODAY);
        cmd.env("HOME", p.dir.path());
        cmd.env("XDG_CONFIG_HOME", p.dir.path().join("config"));
        cmd.env("TERM", "xterm-256color");
        for (k, v) in extra_env {
            cmd.env(k, v);
        }
        let child = pty.slave.spawn_command(cmd).unwrap();
        drop(pty.slave);
        let parser = Arc::new(Mutex::new(vt100::Parser::new(
            std::num::NonZeroU16::new(30).unwrap(),
            std::num::NonZeroU16::new(110).unwrap(),
            0,
        )));
        let raw = Arc::new(Mutex::new(Vec::new()));
        let mut reader = pty.master.try_clone_reader().unwrap();
        let (p2, r2) = (parser.clone(), raw.clone());
        std::thread::spawn(move || {
            let mut buf = [0u8; 8192];
            while let Ok(n) = reader.read(&mut buf) {
                if n == 0 {
                    break;
                }
                p2.lock().unwrap().process(&buf[..n]);
                r2.lock().unwrap().extend_from_slice(&buf[..n]);
            }
        });
        let writer = pty.master.take_writer().unwrap();
        // Keep the master alive as long as the session by leaking it into the writer's lifetime.
        std::mem::forget(pty.master);
        Session {
            parser,
            raw,
            writer,
            child,
        }
    }

    fn raw_text(&self) -> String {
        String::from_utf8_lossy(&self.raw.lock().unwrap()).into_owned()
    }

    fn screen(&self) -> String {
        self.parser.lock().unwrap().screen().contents()
    }

    fn wait_for(&self, text: &str) -> String {
        self.wait_up_to(Duration::from_secs(20), text)
    }

    fn wait_up_to(&self, limit: Duration, text: &str) -> String {
        let start = Instant::now();
        loop {
            let screen = self.screen();
            if screen.contains(text) {
                return screen;
            }
            assert!(
                start.elapsed() < limit,
                "waited {limit:?} for {text:?}; screen:\n{screen}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn press(&mut self, keys: &str) {
        self.writer.write_all(keys.as_bytes()).unwrap();
        self.writer.flush().unwrap();
        std::thread::sleep(Duration::from_millis(150));
    }

    fn exit_code(&mut self) -> u32 {
        let start = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status.exit_code();
            }
            assert!(
                start.elapsed() < Duration::from_secs(10),
                "the program did not exit"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

#[test]
fn open_look_get_help_and_quit_restores_the_terminal() {
    let p = Practice::new();
    p.ok(&["demo", "--clients", "60", "--seed", "4"]);
    let mut s = Session::start(&p, &[]);
    let screen = s.wait_for("1 Panel");
    assert!(
        screen.contains("client") && screen.contains("PHQ-9"),
        "{screen}"
    );
    // Priority order: every critical (●) row comes before every warning (▲), before info (○).
    let markers: Vec<char> = screen
        .lines()
        .filter_map(|l| l.chars().next())
        .filter(|c| matches!(c, '●' | '▲' | '○'))
        .collect();
    let rank = |c: &char| match c {
        '●' => 0,
        '▲' => 1,
        _ => 2,
    };
    assert!(markers.len() > 5, "{screen}");
    assert!(
        markers.windows(2).all(|w| rank(&w[0]) <= rank(&w[1])),
        "{markers:?}\n{screen}"
    );
    assert!(
        s.parser.lock().unwrap().screen().alternate_screen(),
        "the UI runs on the alternate screen"
    );
    s.press("?");
    let help = s.wait_for("Keys — Esc or ? closes");
    assert!(help.contains("filter by name"), "{help}");
    s.press("\x1b");
    s.press("q");
    assert_eq!(s.exit_code(), 0);
    std::thread::sleep(Duration::from_millis(200));
    let parser = s.parser.lock().unwrap();
    assert!(
        !parser.screen().alternate_screen(),
        "the alternate screen was left"
    );
    assert!(
        !parser.screen().hide_cursor(),
        "the cursor is visible again"
    );
}

#[test]
fn hostile_names_never_reach_the_terminal_raw() {
    let p = Practice::new();
    p.ok(&["clinician", "add", "Solo"]);
    // `client add` refuses such a name now; one stored by an older caseload must still be safe.
    p.ok(&["client", "add", "Zed"]);
    p.execute(
        "UPDATE clients SET name = ?1",
        &["Zed\u{1b}[2J\u{1b}]0;pwned\u{7}\u{202e}Evil"],
    );
    let mut s = Session::start(&p, &[]);
    s.wait_for("Zed");
    s.press("\r");
    s.wait_for("contracts:");
    s.press("q");
    assert_eq!(s.exit_code(), 0);
    let raw = s.raw.lock().unwrap();
    let text = String::from_utf8_lossy(&raw);
    assert!(
        !text.contains("\u{1b}]0;pwned"),
        "an OSC title change reached the terminal"
    );
    assert!(
        !text.contains("\u{202e}"),
        "a bidi override reached the terminal"
    );
    assert!(
        !text.contains("Zed\u{1b}[2J"),
        "a clear-screen from the name reached the terminal"
    );
}

/// The terminal modes the UI turns on (bracketed paste, mouse reporting) are all turned off
/// again on exit; `--no-mouse` never turns the mouse on.
#[test]
fn paste_and_mouse_work_and_their_modes_are_turned_off_on_exit() {
    let p = Practice::new();
    p.ok(&["clinician", "add", "Solo"]);
    p.ok(&["client", "add", "Zed Quarry"]);
    p.ok(&["client", "add", "Amy Stone"]);
    let mut s = Session::start(&p, &[]);
    s.wait_for("Zed Quarry");
    let on = s.raw_text();
    assert!(on.contains("\x1b[?2004h"), "bracketed paste is on");
    assert!(on.contains("\x1b[?1000h"), "mouse reporting is on");
    // A bracketed paste with a line break in it goes into the filter whole: the break does
    // not act as Enter.
    s.press("/");
    s.press("\x1b[200~Qu\rar\x1b[201~");
    let screen = s.wait_for("/ Qu ar");
    assert!(
        !screen.contains("Amy Stone") || screen.contains("No client"),
        "{screen}"
    );
    s.press("\x1b");
    s.press("\x1b");
    s.wait_for("Amy Stone");
    // A click (SGR mouse report, 1-based) on the Today tab switches to it.
    let tabs = s.screen().lines().next().unwrap().to_string();
    let column = tabs.find("2 Today").unwrap() + 2;
    s.press(&format!("\x1b[<0;{column};1M\x1b[<0;{column};1m"));
    s.wait_for("Logged today");
    s.press("q");
    assert_eq!(s.exit_code(), 0);
    std::thread::sleep(Duration::from_millis(200));
    let all = s.raw_text();
    let last = |seq: &str| all.rfind(seq);
    for (on, off) in [
        ("\x1b[?2004h", "\x1b[?2004l"),
        ("\x1b[?1000h", "\x1b[?1000l"),
        ("\x1b[?1006h", "\x1b[?1006l"),
    ] {
        assert!(last(off) > last(on), "{off:?} comes after the last {on:?}");
    }

    let mut s = Session::start_with(&p, &["--no-mouse"], &[]);
    s.wait_for("Zed Quarry");
    s.press("q");
    assert_eq!(s.exit_code(), 0);
    let all = s.raw_text();
    assert!(
        !all.contains("\x1b[?1000h"),
        "--no-mouse leaves the mouse alone"
    );
    assert!(all.contains("\x1b[?2004l"));
}

/// Another machine's change reaches an open screen within 2 seconds (SPEC 15: on a server
/// through the change notices, on a file through its change counter).
#[test]
fn another_machines_write_shows_on_an_open_screen_within_two_seconds() {
    let p = Practice::new();
    p.ok(&["clinician", "add", "Solo"]);
    p.ok(&["client", "add", "Zed Quarry"]);
    let mut s = Session::start(&p, &[]);
    s.wait_for("Zed Quarry");
    p.ok(&["client", "add", "Amy Stone"]);
    s.wait_up_to(Duration::from_secs(2), "Amy Stone");
    p.ok(&["log", "Amy Stone", "--kind", "session"]);
    let start = Instant::now();
    loop {
        let screen = s.screen();
        let row = screen
            .lines()
            .find(|l| l.contains("Amy Stone"))
            .unwrap_or("");
        if row.contains("today") {
            break;
        }
        assert!(
            start.elapsed() < Duration::from_secs(2),
            "the encounter did not show:\n{screen}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    s.press("q");
    assert_eq!(s.exit_code(), 0);
}
