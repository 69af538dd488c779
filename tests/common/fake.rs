//! A tiny loopback HTTP server whose answers a closure decides, for fake provider APIs.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use ddns_gateway::rt::{Full, TokioIo, read_body};
use http::{HeaderMap, Response};
use hyper::service::service_fn;
use tokio::net::TcpListener;

#[derive(Clone, Debug)]
pub struct FakeReq {
    pub method: String,
    pub path: String,
    pub query: Vec<(String, String)>,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

impl FakeReq {
    pub fn param(&self, name: &str) -> Option<&str> {
        self.query.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).unwrap_or(serde_json::Value::Null)
    }
}

#[derive(Clone, Debug)]
pub struct FakeResp {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    /// Wait this long before answering (for timeouts).
    pub delay: Duration,
}

impl FakeResp {
    pub fn json(status: u16, v: &serde_json::Value) -> FakeResp {
        FakeResp {
            status,
            headers: vec![("content-type".into(), "application/json".into())],
            body: v.to_string().into_bytes(),
            delay: Duration::ZERO,
        }
    }
    pub fn raw(status: u16, body: &[u8]) -> FakeResp {
        FakeResp { status, headers: Vec::new(), body: body.to_vec(), delay: Duration::ZERO }
    }
    pub fn with_header(mut self, k: &str, v: &str) -> FakeResp {
        self.headers.push((k.into(), v.into()));
        self
    }
}

/// Requests being answered now, the most there ever were at once, and connections accepted.
#[derive(Debug, Default)]
pub struct InFlight {
    pub now: AtomicUsize,
    pub max: AtomicUsize,
    pub connections: AtomicUsize,
}

impl InFlight {
    pub fn max(&self) -> usize {
        self.max.load(Ordering::SeqCst)
    }
    pub fn reset(&self) {
        self.max.store(0, Ordering::SeqCst);
    }
}

/// The real time in Unix seconds (the fakes' own clock, before any skew).
pub fn now() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64
}

/// Serves a signed-API fake whose clock is the real one shifted by `skew(state)` seconds;
/// `handle` gets that time, and every answer carries it in a `Date` header.
pub async fn serve_with_clock<S: Send + 'static>(
    state: Arc<std::sync::Mutex<S>>,
    skew: fn(&S) -> i64,
    handle: fn(&mut S, &FakeReq, i64) -> FakeResp,
) -> SocketAddr {
    serve(move |req| {
        let mut st = state.lock().unwrap();
        let fake_now = now() + skew(&st);
        let date = httpdate::fmt_http_date(std::time::UNIX_EPOCH + Duration::from_secs(fake_now as u64));
        handle(&mut st, &req, fake_now).with_header("date", &date)
    })
    .await
}

/// Serves `handler` on 127.0.0.1:0 until the test's runtime ends.
pub async fn serve<F>(handler: F) -> SocketAddr
where
    F: Fn(FakeReq) -> FakeResp + Send + Sync + 'static,
{
    serve_counted(handler, Arc::new(InFlight::default())).await
}

/// `serve`, counting requests in flight into `inflight`.
pub async fn serve_counted<F>(handler: F, inflight: Arc<InFlight>) -> SocketAddr
where
    F: Fn(FakeReq) -> FakeResp + Send + Sync + 'static,
{
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let handler = Arc::new(handler);
    tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else { return };
            inflight.connections.fetch_add(1, Ordering::SeqCst);
            let handler = handler.clone();
            let inflight = inflight.clone();
            tokio::spawn(async move {
                let service = service_fn(move |req: http::Request<hyper::body::Incoming>| {
                    let handler = handler.clone();
                    let inflight = inflight.clone();
                    async move {
                        let n = inflight.now.fetch_add(1, Ordering::SeqCst) + 1;
                        inflight.max.fetch_max(n, Ordering::SeqCst);
                        let (parts, body) = req.into_parts();
                        let body = read_body(body, 1 << 20).await.unwrap_or_default();
                        let query = ddns_gateway::urlenc::decode_pairs(parts.uri.query().unwrap_or(""))
                            .unwrap_or_default();
                        let fake = FakeReq {
                            method: parts.method.to_string(),
                            path: parts.uri.path().to_string(),
                            query,
                            headers: parts.headers,
                            body,
                        };
                        let r = handler(fake);
                        if !r.delay.is_zero() {
                            tokio::time::sleep(r.delay).await;
                        }
                        inflight.now.fetch_sub(1, Ordering::SeqCst);
                        let mut resp = Response::new(Full::new(r.body));
                        *resp.status_mut() = http::StatusCode::from_u16(r.status).unwrap();
                        for (k, v) in r.headers {
                            resp.headers_mut().append(
                                http::HeaderName::from_bytes(k.as_bytes()).unwrap(),
                                http::HeaderValue::from_str(&v).unwrap(),
                            );
                        }
                        Ok::<_, std::convert::Infallible>(resp)
                    }
                });
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo(stream), service)
                    .await;
            });
        }
    });
    addr
}
