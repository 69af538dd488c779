//! The files we are pointed at (the config file, the log file): regular files only, opened
//! without waiting and read within a cap. A FIFO with nobody at its other end would hang
//! the start, and a device such as `/dev/zero` never ends.

use std::fs::{File, OpenOptions};
use std::io::{self, Read};
use std::os::unix::fs::OpenOptionsExt;

fn not_regular() -> io::Error {
    io::Error::other("not a regular file")
}

/// Opens `path` with `opts`, refusing anything but a regular file (or a path that does not
/// exist yet, when `opts` creates it).
pub fn open_regular(path: &str, opts: &mut OpenOptions) -> io::Result<File> {
    // Checked before opening, since opening a FIFO for writing with no reader fails with an
    // unhelpful "no such device"; and after, on what was actually opened.
    if std::fs::metadata(path).is_ok_and(|m| !m.is_file()) {
        return Err(not_regular());
    }
    // O_NONBLOCK: a FIFO swapped in meanwhile is opened at once rather than waited on (and
    // then refused below); regular files ignore the flag.
    let file = opts.custom_flags(libc::O_NONBLOCK).open(path)?;
    if !file.metadata()?.is_file() {
        return Err(not_regular());
    }
    Ok(file)
}

/// The whole text of a regular file of at most `max` bytes.
pub fn read_small(path: &str, max: usize) -> io::Result<String> {
    let file = open_regular(path, OpenOptions::new().read(true))?;
    let too_large = || io::Error::other(format!("larger than {} KiB", max / 1024));
    if file.metadata()?.len() > max as u64 {
        return Err(too_large());
    }
    let mut text = String::new();
    // The cap holds even if the file grows while it is read.
    file.take(max as u64 + 1).read_to_string(&mut text)?;
    if text.len() > max {
        return Err(too_large());
    }
    Ok(text)
}
