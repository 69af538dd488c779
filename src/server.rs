//! The accept loop: a bounded number of connections, hyper's HTTP/1.1 with timeouts, and a
//! graceful stop that lets requests in flight finish.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use hyper::service::service_fn;
use tokio::net::TcpListener;
use tokio::sync::{Semaphore, watch};

use crate::api::{self, App};
use crate::rt::{TokioIo, TokioTimer};
use crate::{debug, info, warn};

/// What one client may take from the server.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// Connections served at once; further clients wait in the kernel's accept queue.
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

/// Serves until `shutdown` completes, then drains. Returns when every connection has
/// closed or the drain time has run out.
pub async fn run(listener: TcpListener, app: Arc<App>, shutdown: impl Future<Output = ()>) {
    let limits = app.limits;
    let permits = Arc::new(Semaphore::new(limits.max_connections));
    let (stop_tx, stop_rx) = watch::channel(false);
    tokio::pin!(shutdown);

    loop {
        // Back-pressure: take a connection slot before accepting.
        let permit = tokio::select! {
            p = permits.clone().acquire_owned() => match p {
                Ok(p) => p,
                Err(_) => break,
            },
            _ = &mut shutdown => break,
        };
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
        let _ = stream.set_nodelay(true);
        let app = app.clone();
        let mut stop = stop_rx.clone();
        tokio::spawn(async move {
            let service = service_fn(move |req| api::handle(app.clone(), peer, req));
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
            };
            if let Err(e) = result {
                debug!("connection from {peer}: {e}");
            }
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
