//! The accept loop: a bounded number of connections served by hyper with timeouts, a lobby
//! where the others wait their turn, shared fairly between client hosts, and a graceful stop
//! that lets requests in flight finish.

use std::collections::{HashMap, VecDeque};
use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use hyper::service::service_fn;
use tokio::net::{TcpListener, TcpSocket, TcpStream};
use tokio::sync::{OwnedSemaphorePermit, Semaphore, watch};

use crate::api::{self, App};
use crate::limits::{Conn, host_of};
use crate::rt::{TokioIo, TokioTimer};
use crate::{debug, info, warn};

/// How often a full server looks again for a connection it may close.
const SHED_RECHECK: Duration = Duration::from_millis(100);

/// Accepted connections waiting for a place, at most. Each costs a file descriptor and a
/// few hundred bytes (no buffers until it is served). The loop accepts whatever the kernel
/// has queued at once, so a flood of connections from one host fills this lobby, where the
/// host's own oldest ones make room for its newest, instead of the kernel's queue, where
/// everyone's connections would wait behind it or be dropped.
pub const LOBBY: usize = 512;

/// The kernel's queue of connections not yet accepted. It only has to absorb a burst
/// between two turns of the accept loop; tokio's default (128) overflowed under a burst of
/// 2,000 connections, and a client whose SYN is dropped tries again only after 1 s.
pub const BACKLOG: u32 = 1024;

/// Listens on the first of `addrs` that can be bound, with the `BACKLOG`.
pub fn listen(addrs: impl IntoIterator<Item = SocketAddr>) -> io::Result<TcpListener> {
    let mut last = io::Error::new(io::ErrorKind::InvalidInput, "could not resolve to any address");
    for addr in addrs {
        let socket = if addr.is_ipv4() { TcpSocket::new_v4() } else { TcpSocket::new_v6() };
        let listener = socket.and_then(|s| {
            s.set_reuseaddr(true)?;
            s.bind(addr)?;
            s.listen(BACKLOG)
        });
        match listener {
            Ok(l) => return Ok(l),
            Err(e) => last = e,
        }
    }
    Err(last)
}

/// Open connections by number, and how many places each host holds, so that a full server
/// can close one to make room.
#[derive(Default)]
struct Open(Mutex<Places>);

#[derive(Default)]
struct Places {
    conns: HashMap<u64, Arc<Conn>>,
    hosts: HashMap<u128, usize>,
}

impl Places {
    fn held_by(&self, host: u128) -> usize {
        self.hosts.get(&host).copied().unwrap_or(0)
    }

    fn remove(&mut self, id: u64) -> Option<Arc<Conn>> {
        let c = self.conns.remove(&id)?;
        if let Some(n) = self.hosts.get_mut(&c.host) {
            *n -= 1;
            if *n == 0 {
                self.hosts.remove(&c.host);
            }
        }
        Some(c)
    }
}

impl Open {
    fn lock(&self) -> std::sync::MutexGuard<'_, Places> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn add(&self, id: u64, conn: Arc<Conn>) {
        let mut p = self.lock();
        *p.hosts.entry(conn.host).or_insert(0) += 1;
        p.conns.insert(id, conn);
    }

    fn remove(&self, id: u64) {
        self.lock().remove(id);
    }

    fn len(&self) -> usize {
        self.lock().conns.len()
    }

    /// Closes one connection that only keeps us waiting (`Conn::may_close`) so that a
    /// client of `host` can have its place: first one of a host that holds at least two
    /// places more than `host` (its share is over, and it is then not given the silent
    /// second that `FRESH_GRACE` allows), the heaviest host first; else the oldest.
    fn make_room(&self, host: u128) {
        let mut p = self.lock();
        let mine = p.held_by(host);
        let victim = p
            .conns
            .iter()
            .map(|(id, c)| (*id, c, p.held_by(c.host) >= mine + 2))
            .filter(|(_, c, over_share)| c.may_close(*over_share))
            .max_by_key(|(_, c, over_share)| (*over_share, p.held_by(c.host), std::cmp::Reverse(c.since)))
            .map(|(id, ..)| id);
        // Out of the count at once: the task lets go of its place when it next runs.
        if let Some(c) = victim.and_then(|id| p.remove(id)) {
            c.close();
        }
    }
}

/// A connection accepted but not served yet.
struct Waiting {
    stream: TcpStream,
    peer: SocketAddr,
    /// Its place in the order of arrival.
    seq: u64,
}

/// Connections waiting for a place, by host, each host's in the order they came.
#[derive(Default)]
struct Lobby {
    hosts: HashMap<u128, VecDeque<Waiting>>,
    len: usize,
    arrivals: u64,
}

impl Lobby {
    /// Adds a newcomer; when full, first drops the oldest waiting connection of the host
    /// that has the most of them waiting.
    fn push(&mut self, stream: TcpStream, peer: SocketAddr) {
        if self.len >= LOBBY {
            let heaviest = self.hosts.iter().max_by_key(|(_, q)| q.len()).map(|(h, _)| *h);
            drop(heaviest.and_then(|h| self.take(h)));
        }
        self.arrivals += 1;
        let w = Waiting { stream, peer, seq: self.arrivals };
        self.hosts.entry(host_of(peer.ip())).or_default().push_back(w);
        self.len += 1;
    }

    /// The host whose client is served next: of the hosts waiting, the one that holds the
    /// fewest places, and of those the one whose client came first.
    fn fairest(&self, open: &Open) -> Option<u128> {
        let p = open.lock();
        let first = |(h, q): (&u128, &VecDeque<Waiting>)| Some((*h, q.front()?.seq));
        self.hosts.iter().filter_map(first).min_by_key(|(h, seq)| (p.held_by(*h), *seq)).map(|(h, _)| h)
    }

    /// The oldest waiting connection of `host`.
    fn take(&mut self, host: u128) -> Option<Waiting> {
        let queue = self.hosts.get_mut(&host)?;
        let w = queue.pop_front();
        if queue.is_empty() {
            self.hosts.remove(&host);
        }
        self.len -= usize::from(w.is_some());
        w
    }

    /// The next connection to serve (see `fairest`).
    fn next(&mut self, open: &Open) -> Option<Waiting> {
        self.fairest(open).and_then(|h| self.take(h))
    }
}

/// Serves until `shutdown` completes, then drains. Returns when every connection has
/// closed or the drain time has run out.
pub async fn run(listener: TcpListener, app: Arc<App>, shutdown: impl Future<Output = ()>) {
    let limits = app.limits;
    let permits = Arc::new(Semaphore::new(limits.max_connections));
    let open = Arc::new(Open::default());
    let mut lobby = Lobby::default();
    let (stop_tx, stop_rx) = watch::channel(false);
    let mut next_id = 0u64;
    let mut start = |w: Waiting, permit| {
        next_id += 1;
        serve(w, next_id, permit, &app, &open, &stop_rx);
    };
    tokio::pin!(shutdown);

    loop {
        // Everyone waiting gets a free place, the fairest first.
        while lobby.len > 0 {
            let Ok(permit) = permits.clone().try_acquire_owned() else { break };
            if let Some(w) = lobby.next(&open) {
                start(w, permit);
            }
        }
        // No place free: make one for the fairest waiting client, one at a time (a closed
        // connection gives up its place as soon as its task runs). Connections being worked
        // on are never cut; if nothing can go yet, look again shortly.
        let in_use = limits.max_connections - permits.available_permits();
        let closing = in_use.saturating_sub(open.len());
        if let (0, Some(host)) = (closing, lobby.fairest(&open)) {
            open.make_room(host);
        }
        let waiting = lobby.len > 0;
        tokio::select! {
            r = listener.accept() => match r {
                Ok((stream, peer)) => lobby.push(stream, peer),
                Err(e) => {
                    // Out of file descriptors and the like: wait a little, keep serving.
                    warn!("accept failed: {e}");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
            },
            p = permits.clone().acquire_owned(), if waiting => {
                if let (Ok(permit), Some(w)) = (p, lobby.next(&open)) {
                    start(w, permit);
                }
            }
            _ = tokio::time::sleep(SHED_RECHECK), if waiting => {}
            _ = &mut shutdown => break,
        }
    }

    drop((listener, lobby));
    let _ = stop_tx.send(true);
    let busy = limits.max_connections - permits.available_permits();
    if busy > 0 {
        info!("stopping: waiting for {busy} open connection(s)");
    }
    let all = permits.acquire_many(limits.max_connections as u32);
    if tokio::time::timeout(limits.drain_timeout, all).await.is_err() {
        warn!("stopping: connections still open after {} s, closing them", limits.drain_timeout.as_secs());
    }
}

/// Serves one connection on its own task, holding `permit` (its place) until it closes.
fn serve(
    w: Waiting,
    id: u64,
    permit: OwnedSemaphorePermit,
    app: &Arc<App>,
    open: &Arc<Open>,
    stop: &watch::Receiver<bool>,
) {
    let Waiting { stream, peer, .. } = w;
    let _ = stream.set_nodelay(true);
    let limits = app.limits;
    let (app, open, mut stop) = (app.clone(), open.clone(), stop.clone());
    let conn_state = Arc::new(Conn::new(host_of(peer.ip())));
    open.add(id, conn_state.clone());
    tokio::spawn(async move {
        let state = conn_state.clone();
        let service = service_fn(move |req| api::handle(app.clone(), peer, state.clone(), req));
        let mut builder = hyper::server::conn::http1::Builder::new();
        builder
            .timer(TokioTimer)
            .header_read_timeout(limits.header_timeout)
            .max_buf_size(limits.max_header_bytes.max(8192))
            .max_header_size(limits.max_header_bytes)
            .keep_alive(true);
        let conn = builder.serve_connection(TokioIo(stream), service);
        tokio::pin!(conn);
        let result = tokio::select! {
            r = conn.as_mut() => r,
            _ = async { stop.wait_for(|s| *s).await.is_ok() } => {
                conn.as_mut().graceful_shutdown();
                conn.await
            }
            // Made room for another client: dropping the connection closes it.
            _ = conn_state.closed() => Ok(()),
        };
        if let Err(e) = result {
            debug!("connection from {peer}: {e}");
        }
        open.remove(id);
        drop(permit);
    });
}
