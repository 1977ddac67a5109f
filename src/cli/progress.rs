//! A progress bar on stderr for long jobs (demo generation, imports, exports), drawn by
//! indicatif with the rate and the time left: shown only when stderr is a terminal and the job
//! is big enough to wait for, so scripts, pipes and tests see nothing on stderr. It shows
//! counts, never what is being processed (no client data).

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressState, ProgressStyle};
use std::io::IsTerminal;

pub struct Progress {
    label: &'static str,
    /// `None` when nothing is shown (not a terminal, or a small job).
    bar: Option<ProgressBar>,
}

/// Whether a job of `total` items shows a bar: on a terminal, from `threshold` items.
fn shown(total: usize, threshold: usize, terminal: bool) -> bool {
    terminal && total >= threshold && total > 0
}

impl Progress {
    /// A progress bar for `label` when `total` reaches `threshold` items.
    pub fn new(label: &'static str, total: usize, threshold: usize) -> Progress {
        let bar = shown(total, threshold, std::io::stderr().is_terminal()).then(|| {
            let bar =
                ProgressBar::with_draw_target(Some(total as u64), ProgressDrawTarget::stderr());
            // The template is fixed text; should it ever not parse, the default bar will do.
            let style = ProgressStyle::with_template(
                "{msg}: {wide_bar} {percent:>3}% · {rate} · {eta} left",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            // Whole items a second: "1,843.4668/s" reads as noise.
            .with_key(
                "rate",
                |state: &ProgressState, out: &mut dyn std::fmt::Write| {
                    let _ = write!(out, "{:.0}/s", state.per_sec());
                },
            );
            bar.set_style(style);
            bar.set_message(label);
            bar
        });
        Progress { label, bar }
    }

    /// Moves the bar to `done` of `total`.
    pub fn update(&mut self, done: usize, total: usize) {
        if let Some(bar) = &self.bar {
            bar.set_length(total as u64);
            bar.set_position(done as u64);
        }
    }

    /// Adds a few words after the label (what happens next), when the bar is shown.
    pub fn note(&mut self, words: &str) {
        if let Some(bar) = &self.bar {
            bar.set_message(format!("{} — {words}…", self.label));
        }
    }

    /// Takes the bar off the screen (when one was shown); the command's own output follows.
    pub fn finish(&mut self) {
        if let Some(bar) = self.bar.take() {
            bar.finish_and_clear();
        }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.finish();
    }
}

#[cfg(test)]
mod tests {
    use super::shown;

    #[test]
    fn a_bar_only_on_a_terminal_and_for_a_big_job() {
        assert!(shown(2_000, 2_000, true));
        assert!(!shown(1_999, 2_000, true));
        assert!(
            !shown(1_000_000, 2_000, false),
            "never when stderr is not a terminal"
        );
        assert!(!shown(0, 0, true));
    }
}
