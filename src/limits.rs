//! What one client may take from the server, and the accept loop's view of each
//! connection (shared by `server`, which enforces it, and `api`, which reports when a
//! request is being worked on).

use std::sync::atomic::{AtomicU8, AtomicU32, Ordering};
use std::time::{Duration, Instant};

use tokio::sync::Notify;

#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// Connections served at once; each costs about 15 KB while it waits (hyper's buffers,
    /// its task), so this is what bounds memory under a flood. When all are taken, newcomers
    /// wait in the server's lobby (`server::LOBBY`, a few hundred bytes each) and get the
    /// next free place, the client of the host that holds the fewest first; a place is freed
    /// for them by closing a connection that only keeps us waiting (see `Conn::may_close`),
    /// or any one not being worked on of a host that holds at least two more places than
    /// the newcomer's.
    pub max_connections: usize,
    /// Requests for one record at once, the one at the provider included: the rest are
    /// answered 503 at once rather than queued behind calls that each may take the whole
    /// upstream timeout.
    pub max_per_record: usize,
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
            max_connections: 96,
            max_per_record: 64,
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

/// No connection is closed to make room within this long of its last step (connecting,
/// its request's headers, its answer): an answer just given is still on its way out, and a
/// request just connected is on its way in.
pub const SETTLE_GRACE: Duration = Duration::from_millis(100);

const FRESH: u8 = 0;
const READING: u8 = 1;
const BUSY: u8 = 2;
const IDLE: u8 = 3;

/// One connection as the accept loop sees it.
#[derive(Debug)]
pub struct Conn {
    pub since: Instant,
    /// The client's host (`host_of` its address), for the fair share of places.
    pub host: u128,
    phase: AtomicU8,
    /// When the phase last changed, in milliseconds after `since` (wrapping: 32-bit
    /// targets have no 64-bit atomics).
    changed: AtomicU32,
    close: Notify,
}

/// A client address as the fair share counts it: an IPv4 address, or an IPv6 /64 (one
/// host may use any address of its /64).
pub fn host_of(ip: std::net::IpAddr) -> u128 {
    match ip {
        std::net::IpAddr::V4(v4) => u32::from(v4).into(),
        std::net::IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => u32::from(v4).into(),
            None => u128::from(v6) & !u128::from(u64::MAX),
        },
    }
}

impl Conn {
    pub fn new(host: u128) -> Conn {
        Conn {
            since: Instant::now(),
            host,
            phase: AtomicU8::new(FRESH),
            changed: AtomicU32::new(0),
            close: Notify::new(),
        }
    }

    fn now_ms(&self) -> u32 {
        self.since.elapsed().as_millis() as u32
    }

    fn set(&self, phase: u8) {
        self.phase.store(phase, Ordering::Relaxed);
        self.changed.store(self.now_ms(), Ordering::Relaxed);
    }

    /// A request's headers have arrived; its body (if any) is being read.
    pub fn reading(&self) {
        self.set(READING);
    }

    /// Marks the connection as worked on (a provider call in flight) until the guard drops:
    /// it is then never closed to make room.
    pub fn working(&self) -> Working<'_> {
        self.set(BUSY);
        Working(self)
    }

    /// The request was answered; the connection waits for the next one.
    pub fn idle(&self) {
        self.set(IDLE);
    }

    /// Whether closing it now would only cut off a client that keeps us waiting: one that
    /// is slow with its body, idle after its answer, or silent since it connected (for
    /// `FRESH_GRACE`, or only `SETTLE_GRACE` when its host holds more than its share).
    /// Never one being worked on.
    pub fn may_close(&self, over_share: bool) -> bool {
        let phase = self.phase.load(Ordering::Relaxed);
        let waited = self.now_ms().wrapping_sub(self.changed.load(Ordering::Relaxed));
        let grace = if phase == FRESH && !over_share { FRESH_GRACE } else { SETTLE_GRACE };
        phase != BUSY && u128::from(waited) >= grace.as_millis()
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
        self.0.set(READING);
    }
}
