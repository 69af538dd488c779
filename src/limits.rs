//! What one client may take from the server, and the accept loop's view of each
//! connection (shared by `server`, which enforces it, and `api`, which reports when a
//! request is being worked on).

use std::sync::atomic::{AtomicU8, Ordering};
use std::time::{Duration, Instant};

use tokio::sync::Notify;

#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// Connections served at once; each costs about 15 KB while it waits (hyper's buffers,
    /// its task), so this is what bounds memory under a flood. When all are taken, a new
    /// client takes the place of the one that has waited longest on its own client (for
    /// headers, a body, or its next request); if every one is being worked on, newcomers
    /// wait in the kernel's accept queue.
    pub max_connections: usize,
    /// A client has this long to send a request's headers; an idle keep-alive connection
    /// is closed after it too.
    pub header_timeout: Duration,
    /// A request body must arrive whole within this, however it trickles in.
    pub body_timeout: Duration,
    /// Request line and headers together; RouterOS sends well under 1 KiB.
    pub max_header_bytes: usize,
    /// How long a stop waits for requests in flight.
    pub drain_timeout: Duration,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_connections: 128,
            header_timeout: Duration::from_secs(10),
            body_timeout: Duration::from_secs(10),
            max_header_bytes: 16 * 1024,
            drain_timeout: Duration::from_secs(10),
        }
    }
}

/// A connection not yet sent a whole request for this long may be closed to make room:
/// a real client sends its request as soon as it connects.
pub const FRESH_GRACE: Duration = Duration::from_secs(1);

const FRESH: u8 = 0;
const READING: u8 = 1;
const BUSY: u8 = 2;
const IDLE: u8 = 3;

/// One connection as the accept loop sees it.
#[derive(Debug)]
pub struct Conn {
    pub since: Instant,
    phase: AtomicU8,
    close: Notify,
}

impl Default for Conn {
    fn default() -> Conn {
        Conn { since: Instant::now(), phase: AtomicU8::new(FRESH), close: Notify::new() }
    }
}

impl Conn {
    /// A request's headers have arrived; its body (if any) is being read.
    pub fn reading(&self) {
        self.phase.store(READING, Ordering::Relaxed);
    }

    /// Marks the connection as worked on (a provider call in flight) until the guard drops:
    /// it is then never closed to make room.
    pub fn working(&self) -> Working<'_> {
        self.phase.store(BUSY, Ordering::Relaxed);
        Working(self)
    }

    /// The request was answered; the connection waits for the next one.
    pub fn idle(&self) {
        self.phase.store(IDLE, Ordering::Relaxed);
    }

    /// Whether closing it now would only cut off a client that keeps us waiting: one that
    /// is slow with its body, idle between requests, or silent since it connected.
    pub fn may_close(&self) -> bool {
        match self.phase.load(Ordering::Relaxed) {
            READING | IDLE => true,
            FRESH => self.since.elapsed() >= FRESH_GRACE,
            _ => false,
        }
    }

    /// Asks the connection's task to close it now.
    pub fn close(&self) {
        self.close.notify_one();
    }

    /// Resolves when `close` was called.
    pub async fn closed(&self) {
        self.close.notified().await;
    }
}

pub struct Working<'a>(&'a Conn);

impl Drop for Working<'_> {
    fn drop(&mut self) {
        self.0.phase.store(READING, Ordering::Relaxed);
    }
}
