//! A small logger: one line per event to stderr (which RouterOS copies into the router log
//! with `logging=yes`) and, when enabled, appended to a file.
//! Format: `2026-01-12 03:58:51 INFO  [ddns_gateway.server] message` (UTC).
//!
//! The server never waits on its log. Each destination has a bounded queue that a thread of
//! its own writes out; when a reader stalls (a pipe nobody reads blocks every write) and the
//! queue is full, lines are dropped, and the next line that gets in says how many.

use std::fmt;
use std::fs::{File, OpenOptions};
use std::io::Write;
use std::os::fd::FromRawFd;
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::{Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use crate::time::Utc;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    Debug = 1,
    Info = 2,
    Warning = 3,
    Error = 4,
    Critical = 5,
}

impl Level {
    pub const NAMES: &'static str = "DEBUG, INFO, WARNING, ERROR, CRITICAL";

    /// Case-insensitive; `WARN` is accepted for `WARNING`.
    pub fn parse(s: &str) -> Option<Level> {
        Some(match s.trim().to_ascii_uppercase().as_str() {
            "DEBUG" => Level::Debug,
            "INFO" => Level::Info,
            "WARNING" | "WARN" => Level::Warning,
            "ERROR" => Level::Error,
            "CRITICAL" => Level::Critical,
            _ => return None,
        })
    }

    pub fn name(self) -> &'static str {
        match self {
            Level::Debug => "DEBUG",
            Level::Info => "INFO",
            Level::Warning => "WARNING",
            Level::Error => "ERROR",
            Level::Critical => "CRITICAL",
        }
    }
}

static LEVEL: AtomicU8 = AtomicU8::new(Level::Info as u8);
static STDERR: Sink = Sink::new();
static FILE: Sink = Sink::new();

/// What one destination may hold unwritten: hundreds of ordinary lines.
pub const MAX_QUEUED: usize = 64 * 1024;
/// A writer only moves bytes; the default 8 MiB (2 MiB on Linux) would be address space.
const WRITER_STACK: usize = 64 * 1024;

/// Sets the threshold and starts the writers: stderr's (once per process) and, given a
/// file, the file's. Fails only when a writer thread cannot be started.
pub fn init(level: Level, file: Option<File>) -> std::io::Result<()> {
    LEVEL.store(level as u8, Ordering::Relaxed);
    // SAFETY: fd 2 is open for the whole life of the process, and so is its writer, which
    // never returns: the File is never dropped, so it never closes fd 2.
    STDERR.start(Box::new(|| unsafe { File::from_raw_fd(2) }))?;
    match file {
        Some(f) => FILE.start(Box::new(move || f)),
        None => Ok(()),
    }
}

/// Opens the log file for appending: a regular file (created when missing), never a FIFO,
/// a device or a directory, so that neither opening nor writing it can block.
pub fn open_file(path: &str) -> std::io::Result<File> {
    crate::files::open_regular(path, OpenOptions::new().create(true).append(true))
}

/// Waits at most `limit` for what is queued to be written: a stalled reader must not stop
/// the process from exiting.
pub fn flush(limit: Duration) {
    let until = Instant::now() + limit;
    STDERR.flush(until);
    FILE.flush(until);
}

pub fn enabled(level: Level) -> bool {
    level as u8 >= LEVEL.load(Ordering::Relaxed)
}

/// The longest message a line carries; the rest is cut (a client controls much of it).
pub const MAX_MESSAGE: usize = 2048;

/// Writes one line. Call through the macros, which skip formatting below the threshold.
pub fn write(level: Level, module: &str, args: fmt::Arguments<'_>) {
    let line = format_line(level, module, &escape(&args.to_string(), MAX_MESSAGE));
    STDERR.push(&line);
    FILE.push(&line);
}

fn format_line(level: Level, module: &str, msg: &str) -> String {
    format!("{} {:<5} [{}] {}\n", Utc::now().log_stamp(), level.name(), module.replace("::", "."), msg)
}

/// One destination: lines waiting to be written, and its writer thread.
struct Sink {
    queue: Mutex<Queue>,
    /// Lines were queued (for the writer).
    queued: Condvar,
    /// A batch was written (for `flush`).
    written: Condvar,
}

struct Queue {
    /// Whether a writer runs; lines for a destination without one are not kept.
    started: bool,
    bytes: Vec<u8>,
    /// Lines that did not fit since the last one that did.
    dropped: u64,
    /// The writer is writing a batch taken from `bytes`.
    writing: bool,
}

impl Sink {
    const fn new() -> Sink {
        Sink {
            queue: Mutex::new(Queue { started: false, bytes: Vec::new(), dropped: 0, writing: false }),
            queued: Condvar::new(),
            written: Condvar::new(),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Queue> {
        self.queue.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Starts the writer, on the destination `open` gives.
    fn start(&'static self, open: Box<dyn FnOnce() -> File + Send>) -> std::io::Result<()> {
        let mut q = self.lock();
        if q.started {
            return Ok(());
        }
        crate::thread::spawn_detached(WRITER_STACK, Box::new(move || self.run(open())))?;
        q.started = true;
        Ok(())
    }

    fn push(&self, line: &str) {
        let mut q = self.lock();
        if !q.started {
            return;
        }
        if q.bytes.len() + line.len() > MAX_QUEUED {
            q.dropped += 1;
            return;
        }
        let dropped = std::mem::take(&mut q.dropped);
        if dropped > 0 {
            let note = format!("{dropped} log line(s) dropped: the log was not read fast enough");
            q.bytes.extend_from_slice(format_line(Level::Warning, module_path!(), &note).as_bytes());
        }
        q.bytes.extend_from_slice(line.as_bytes());
        self.queued.notify_one();
    }

    /// The writer: takes everything queued, writes it (blocking only this thread), repeats.
    fn run(&self, mut out: File) -> ! {
        let mut batch = Vec::new();
        loop {
            {
                let mut q = self.lock();
                q.writing = false;
                self.written.notify_all();
                while q.bytes.is_empty() {
                    q = self.queued.wait(q).unwrap_or_else(|e| e.into_inner());
                }
                std::mem::swap(&mut batch, &mut q.bytes);
                q.writing = true;
            }
            // A destination that fails (a closed pipe, a full disk) loses the batch; the
            // next one is tried again.
            let _ = out.write_all(&batch);
            batch.clear();
            // Keep a burst's buffer no longer than the burst.
            if batch.capacity() > 4096 {
                batch = Vec::new();
            }
        }
    }

    fn flush(&self, until: Instant) {
        let mut q = self.lock();
        while q.started && (q.writing || !q.bytes.is_empty()) {
            let Some(left) = until.checked_duration_since(Instant::now()) else { return };
            q = self.written.wait_timeout(q, left).unwrap_or_else(|e| e.into_inner()).0;
        }
    }
}

/// One event is one line of plain text, whatever a client or a provider put into it:
/// control characters (C0, DEL, C1 such as NEL), line and paragraph separators and
/// bidirectional overrides are written as `\u{…}`, so nothing can end a line early or
/// steer the terminal that shows `/log print`. Cut after `max` characters.
pub fn escape(msg: &str, max: usize) -> String {
    let mut out = String::with_capacity(msg.len().min(max + 16));
    for (n, c) in msg.chars().enumerate() {
        if n == max {
            out.push_str("…(cut)");
            break;
        }
        let unsafe_char = c.is_control()
            || matches!(c, '\u{2028}' | '\u{2029}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}');
        if unsafe_char {
            out.push_str(&format!("\\u{{{:x}}}", c as u32));
        } else {
            out.push(c);
        }
    }
    out
}

#[macro_export]
macro_rules! log_at {
    ($lvl:expr, $($arg:tt)*) => {
        if $crate::log::enabled($lvl) {
            $crate::log::write($lvl, module_path!(), format_args!($($arg)*))
        }
    };
}
#[macro_export]
macro_rules! debug { ($($arg:tt)*) => { $crate::log_at!($crate::log::Level::Debug, $($arg)*) }; }
#[macro_export]
macro_rules! info { ($($arg:tt)*) => { $crate::log_at!($crate::log::Level::Info, $($arg)*) }; }
#[macro_export]
macro_rules! warn { ($($arg:tt)*) => { $crate::log_at!($crate::log::Level::Warning, $($arg)*) }; }
#[macro_export]
macro_rules! error { ($($arg:tt)*) => { $crate::log_at!($crate::log::Level::Error, $($arg)*) }; }

#[cfg(test)]
mod tests {
    use super::escape;

    #[test]
    fn escapes_what_could_break_a_line_or_a_terminal() {
        assert_eq!(
            escape("a\u{1b}[2Jb\nc\rd\te\u{0}f\u{b}", 100),
            r"a\u{1b}[2Jb\u{a}c\u{d}d\u{9}e\u{0}f\u{b}"
        );
        assert_eq!(escape("x\u{85}y\u{2028}z\u{202e}w\u{7f}", 100), r"x\u{85}y\u{2028}z\u{202e}w\u{7f}");
        assert_eq!(escape("héllo 路由器 → ok", 100), "héllo 路由器 → ok");
        assert_eq!(escape("abcdef", 3), "abc…(cut)");
    }
}
