//! The accept loop: a bounded number of connections, hyper's HTTP/1.1 with timeouts, and a
//! graceful stop that lets requests in flight finish.

use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use hyper::service::service_fn;
use tokio::net::TcpListener;
use tokio::sync::{Semaphore, watch};

use crate::api::{self, App};
use crate::limits::Conn;
use crate::rt::{TokioIo, TokioTimer};
use crate::{debug, info, warn};

/// How often a full server looks again for a connection it may close.
const SHED_RECHECK: Duration = Duration::from_millis(100);

/// Open connections by number, so a full server can close the one that waited longest.
#[derive(Default)]
struct Open(Mutex<HashMap<u64, Arc<Conn>>>);

impl Open {
    fn add(&self, id: u64, conn: Arc<Conn>) {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).insert(id, conn);
    }

    fn remove(&self, id: u64) {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).remove(&id);
    }

    /// Closes the oldest connection that only keeps us waiting (`Conn::may_close`).
    fn shed_oldest_waiting(&self) {
        let open = self.0.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(c) = open.values().filter(|c| c.may_close()).min_by_key(|c| c.since) {
            c.close();
        }
    }
}

/// Serves until `shutdown` completes, then drains. Returns when every connection has
/// closed or the drain time has run out.
pub async fn run(listener: TcpListener, app: Arc<App>, shutdown: impl Future<Output = ()>) {
    let limits = app.limits;
    let permits = Arc::new(Semaphore::new(limits.max_connections));
    let open = Arc::new(Open::default());
    let (stop_tx, stop_rx) = watch::channel(false);
    tokio::pin!(shutdown);

    for id in 0u64.. {
        let (stream, peer) = tokio::select! {
            r = listener.accept() => match r {
                Ok(ok) => ok,
                Err(e) => {
                    // Out of file descriptors and the like: wait a little, keep serving.
                    warn!("accept failed: {e}");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
            _ = &mut shutdown => break,
        };
        // All slots taken: make room by closing the connection that has kept us waiting
        // longest (slow body, idle keep-alive, silent since it connected), so stalled
        // clients cannot lock others out. Connections being worked on are never cut; if
        // nothing can go yet, look again shortly while waiting for a slot.
        let permit = loop {
            if let Ok(p) = permits.clone().try_acquire_owned() {
                break Some(p);
            }
            open.shed_oldest_waiting();
            tokio::select! {
                p = permits.clone().acquire_owned() => break p.ok(),
                _ = tokio::time::sleep(SHED_RECHECK) => {}
                _ = &mut shutdown => break None,
            }
        };
        let Some(permit) = permit else { break };
        let _ = stream.set_nodelay(true);
        let app = app.clone();
        let mut stop = stop_rx.clone();
        let conn_state = Arc::new(Conn::default());
        open.add(id, conn_state.clone());
        let open = open.clone();
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
                // Made room for a newer client: dropping the connection closes it.
                _ = conn_state.closed() => Ok(()),
            };
            if let Err(e) = result {
                debug!("connection from {peer}: {e}");
            }
            open.remove(id);
            drop(permit);
        });
    }

    drop(listener);
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
