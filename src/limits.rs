//! What one client may take from the server, and the accept loop's view of each
//! connection (shared by `server`, which enforces it, and `api`, which reports when a
//! request is being worked on).

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use tokio::sync::Notify;

#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// Connections served at once. When all are taken, a new client takes the place of
    /// the one that has waited longest on its own client (for headers, a body, or its next
    /// request); if every one is being worked on, the newcomer waits.
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
            max_connections: 256,
            header_timeout: Duration::from_secs(10),
            body_timeout: Duration::from_secs(10),
            max_header_bytes: 16 * 1024,
            drain_timeout: Duration::from_secs(10),
        }
    }
}

/// One connection as the accept loop sees it.
#[derive(Debug)]
pub struct Conn {
    pub since: Instant,
    busy: AtomicBool,
    close: Notify,
}

impl Default for Conn {
    fn default() -> Conn {
        Conn { since: Instant::now(), busy: AtomicBool::new(false), close: Notify::new() }
    }
}

impl Conn {
    /// Marks the connection as worked on (a provider call in flight) until the guard drops:
    /// it is then never closed to make room.
    pub fn working(&self) -> Working<'_> {
        self.busy.store(true, Ordering::Relaxed);
        Working(self)
    }

    pub fn is_busy(&self) -> bool {
        self.busy.load(Ordering::Relaxed)
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
        self.0.busy.store(false, Ordering::Relaxed);
    }
}
