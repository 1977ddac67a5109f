//! Standard output for the handlers. Every line a command prints goes through here, so a full
//! disk (`> /dev/full`) is an error the handler returns — one line, exit 1 — and a closed pipe
//! (`| head -1`) is a quiet stop, never a panic. It must not format anything itself.

use crate::error::{Error, Result};
use std::fmt;
use std::io::Write;

/// Writes formatted text to stdout.
pub fn write(args: fmt::Arguments) -> Result<()> {
    std::io::stdout()
        .lock()
        .write_fmt(args)
        .map_err(Error::Output)
}

/// Writes formatted text and a line break to stdout.
pub fn write_line(args: fmt::Arguments) -> Result<()> {
    let mut out = std::io::stdout().lock();
    out.write_fmt(args)
        .and_then(|()| out.write_all(b"\n"))
        .map_err(Error::Output)
}

/// Flushes stdout; the last buffered line can fail here rather than at the first write.
pub fn flush() -> Result<()> {
    std::io::stdout().lock().flush().map_err(Error::Output)
}

/// A CSV writer's failure: an output error when the writer could not write, otherwise the
/// writer's own complaint.
pub fn csv_error(e: csv::Error) -> Error {
    if e.is_io_error() {
        match e.into_kind() {
            csv::ErrorKind::Io(io) => Error::Output(io),
            other => Error::invalid(format!("could not write CSV: {other:?}")),
        }
    } else {
        Error::invalid(format!("could not write CSV: {e}"))
    }
}

/// `outln!(…)`: `println!` that returns the write error from the enclosing handler.
macro_rules! outln {
    () => {
        $crate::cli::out::write(format_args!("\n"))?
    };
    ($($arg:tt)*) => {
        $crate::cli::out::write_line(format_args!($($arg)*))?
    };
}

/// `out!(…)`: `print!` that returns the write error from the enclosing handler.
macro_rules! out {
    ($($arg:tt)*) => {
        $crate::cli::out::write(format_args!($($arg)*))?
    };
}
