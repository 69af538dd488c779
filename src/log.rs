//! A small logger: one line per event to stderr (which RouterOS copies into the router log
//! with `logging=yes`) and, when enabled, appended to a file.
//! Format: `2026-01-12 03:58:51 INFO  [ddns_gateway.server] message` (UTC).

use std::fmt;
use std::fs::File;
use std::io::Write;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU8, Ordering};

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
static FILE: Mutex<Option<File>> = Mutex::new(None);

/// Sets the threshold and the optional file every later line also goes to.
pub fn init(level: Level, file: Option<File>) {
    LEVEL.store(level as u8, Ordering::Relaxed);
    *FILE.lock().unwrap_or_else(|e| e.into_inner()) = file;
}

pub fn enabled(level: Level) -> bool {
    level as u8 >= LEVEL.load(Ordering::Relaxed)
}

/// The longest message a line carries; the rest is cut (a client controls much of it).
pub const MAX_MESSAGE: usize = 2048;

/// Writes one line. Call through the macros, which skip formatting below the threshold.
pub fn write(level: Level, module: &str, args: fmt::Arguments<'_>) {
    let msg = escape(&args.to_string(), MAX_MESSAGE);
    let line =
        format!("{} {:<5} [{}] {}\n", Utc::now().log_stamp(), level.name(), module.replace("::", "."), msg);
    let _ = std::io::stderr().lock().write_all(line.as_bytes());
    if let Some(f) = FILE.lock().unwrap_or_else(|e| e.into_inner()).as_mut() {
        let _ = f.write_all(line.as_bytes());
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
