//! The HTTPS client for provider APIs: hyper 1.x over tokio-rustls (ring, embedded webpki
//! roots), HTTP/1.1 connections kept alive and reused per host, one deadline per call and a
//! cap on what a response may make us hold.

use std::fmt;
use std::io;
use std::net::{SocketAddr, ToSocketAddrs};
use std::pin::Pin;
use std::sync::{Arc, Mutex, OnceLock};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http::{HeaderMap, Method, Request};
use hyper::client::conn::http1::SendRequest;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;

use crate::rt::{BodyError, Full, TokioIo, read_body};

/// A response body larger than this is cut off. The largest answer we ask for is one page of
/// a listing (50 records: Cloudflare's `per_page`, Aliyun's `PageSize`, DNSPod's `Limit`); a
/// real record is 0.3–1 KB of JSON, and even 50 with 2,048-character TXT values and
/// 500-character comments (about 4.5 KB each) stay under this. Held whole while parsed, up
/// to 32 calls at once.
pub const MAX_RESPONSE: usize = 256 * 1024;
/// Provider calls in flight at once; more wait (within their deadline). Bounds memory and
/// keeps a burst of updates from tripping a provider's rate limit all at once.
const MAX_IN_FLIGHT: usize = 32;
/// How long an idle connection is kept for reuse, and how many per host.
const IDLE_FOR: Duration = Duration::from_secs(50);
const IDLE_PER_HOST: usize = 4;
/// The largest response head (status line and headers) taken from a provider, which is also
/// what hyper's read buffer may grow to. Captured heads: Cloudflare 0.8 KiB (17 headers with
/// a cookie, Expect-CT and HSTS; about 1.1 KiB with today's two cookies), Aliyun 0.4 KiB
/// (10 headers), Tencent's documented common headers 0.2 KiB. A CDN adding cookies or a
/// policy header must not break every call.
/// The buffer starts at hyper's minimum (8 KiB) and grows only for a head or a read larger
/// than that, so it costs no more than an 8 KiB exact buffer for ordinary answers.
pub const MAX_HEAD: usize = 16 * 1024;
/// getaddrinfo needs little stack; the default 2 MiB would only be address space.
const RESOLVER_STACK: usize = 128 * 1024;

/// A provider's API base URL: `https://api.cloudflare.com/client/v4`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Endpoint {
    pub tls: bool,
    pub host: String,
    pub port: u16,
    /// Base path without a trailing slash (may be empty).
    pub path: String,
}

impl Endpoint {
    pub fn parse(s: &str) -> Result<Endpoint, String> {
        let s = s.trim();
        let (tls, rest) = if let Some(r) = s.strip_prefix("https://") {
            (true, r)
        } else if let Some(r) = s.strip_prefix("http://") {
            (false, r)
        } else {
            return Err("expected an http:// or https:// URL".into());
        };
        let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
        if authority.contains('@') {
            return Err("a user or password in the URL is not supported".into());
        }
        if path.contains(['?', '#']) {
            return Err("the URL must not have a query or fragment".into());
        }
        let default_port = if tls { 443 } else { 80 };
        let (host, port) = if let Some(v6) = authority.strip_prefix('[') {
            let (h, after) = v6.split_once(']').ok_or("unterminated IPv6 address")?;
            (format!("[{h}]"), after.strip_prefix(':'))
        } else {
            match authority.rsplit_once(':') {
                Some((h, p)) => (h.to_string(), Some(p)),
                None => (authority.to_string(), None),
            }
        };
        let port = match port {
            None => default_port,
            Some(p) => p.parse::<u16>().ok().filter(|p| *p > 0).ok_or("invalid port")?,
        };
        if host.is_empty() || host.contains(['@', ' ']) {
            return Err("the URL has no valid host".into());
        }
        Ok(Endpoint { tls, host: host.to_ascii_lowercase(), port, path: path.trim_end_matches('/').into() })
    }

    /// `host` or `host:port` when the port is not the scheme's default: the Host header.
    pub fn authority(&self) -> String {
        if self.port == if self.tls { 443 } else { 80 } {
            self.host.clone()
        } else {
            format!("{}:{}", self.host, self.port)
        }
    }
}

impl fmt::Display for Endpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let scheme = if self.tls { "https" } else { "http" };
        write!(f, "{scheme}://{}{}", self.authority(), self.path)
    }
}

/// Why a call got no usable HTTP response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fault {
    Timeout(Duration),
    Resolve(String),
    Connect(String),
    Tls(String),
    Protocol(String),
    TooLarge,
}

impl fmt::Display for Fault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Fault::Timeout(d) => write!(f, "no answer within {} s", d.as_secs()),
            Fault::Resolve(m) | Fault::Connect(m) | Fault::Tls(m) | Fault::Protocol(m) => f.write_str(m),
            Fault::TooLarge => write!(f, "response larger than {} KiB", MAX_RESPONSE / 1024),
        }
    }
}

#[derive(Debug)]
pub struct Response {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl Response {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

/// A wait a provider names (`Retry-After`, or a field of its own) in the delta-seconds form,
/// the only one passed on to clients: 1–6 digits.
pub fn is_delta_seconds(s: &str) -> bool {
    (1..=6).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit())
}

/// Idle connections with their endpoint and when each went idle, oldest first: a few per
/// configured endpoint, so a list (smaller in the binary than a map of lists).
type Pool = Vec<(String, SendRequest<Full>, Instant)>;

pub struct Client {
    timeout: Duration,
    in_flight: tokio::sync::Semaphore,
    idle: Mutex<Pool>,
    tls: OnceLock<tokio_rustls::TlsConnector>,
}

impl Client {
    pub fn new(timeout: Duration) -> Client {
        Client {
            timeout,
            in_flight: tokio::sync::Semaphore::new(MAX_IN_FLIGHT),
            idle: Mutex::new(Vec::new()),
            tls: OnceLock::new(),
        }
    }

    /// One call, within the configured deadline. `target` is the path and query below the
    /// endpoint's base path.
    pub async fn send(
        &self,
        ep: &Endpoint,
        method: Method,
        target: &str,
        headers: &[(&str, &str)],
        body: Vec<u8>,
    ) -> Result<Response, Fault> {
        let call = async {
            let _slot = self.in_flight.acquire().await;
            self.send_inner(ep, method, target, headers, body).await
        };
        tokio::time::timeout(self.timeout, call).await.unwrap_or(Err(Fault::Timeout(self.timeout)))
    }

    async fn send_inner(
        &self,
        ep: &Endpoint,
        method: Method,
        target: &str,
        headers: &[(&str, &str)],
        body: Vec<u8>,
    ) -> Result<Response, Fault> {
        let mut builder = Request::builder()
            .method(method)
            .uri(format!("{}{}", ep.path, target))
            .header("host", ep.authority())
            .header("user-agent", concat!("ddns-gateway/", env!("CARGO_PKG_VERSION")))
            .header("accept", "application/json");
        for (name, value) in headers {
            builder = builder.header(*name, *value);
        }
        let mut req = builder
            .body(Full::new(body))
            .map_err(|e| Fault::Protocol(format!("cannot build request: {e}")))?;

        let key = ep.to_string();
        // A pooled connection the server has closed meanwhile hands the request back
        // unsent; then a fresh connection gets it.
        let (mut sender, resp) = loop {
            let (mut sender, fresh) = match self.take_idle(&key) {
                Some(s) => (s, false),
                None => (self.connect(ep).await?, true),
            };
            if sender.ready().await.is_err() && !fresh {
                continue;
            }
            match sender.try_send_request(req).await {
                Ok(resp) => break (sender, resp),
                Err(mut e) => match e.take_message() {
                    Some(r) if !fresh => req = r,
                    _ => return Err(Fault::Protocol(format!("{}: {}", ep.host, e.error()))),
                },
            }
        };
        let status = resp.status().as_u16();
        let (parts, incoming) = resp.into_parts();
        let body = read_body(incoming, MAX_RESPONSE).await.map_err(|e| match e {
            BodyError::TooLarge => Fault::TooLarge,
            BodyError::Io(e) => Fault::Protocol(format!("{}: reading the response failed: {e}", ep.host)),
        })?;
        if sender.ready().await.is_ok() {
            self.put_idle(key, sender);
        }
        Ok(Response { status, headers: parts.headers, body: body.into() })
    }

    fn take_idle(&self, key: &str) -> Option<SendRequest<Full>> {
        let mut idle = self.idle.lock().unwrap_or_else(|e| e.into_inner());
        idle.retain(|(_, s, since)| since.elapsed() < IDLE_FOR && !s.is_closed());
        let newest = idle.iter().rposition(|(k, ..)| k == key)?;
        Some(idle.remove(newest).1)
    }

    fn put_idle(&self, key: String, sender: SendRequest<Full>) {
        let mut idle = self.idle.lock().unwrap_or_else(|e| e.into_inner());
        idle.retain(|(_, s, since)| since.elapsed() < IDLE_FOR && !s.is_closed());
        if idle.iter().filter(|(k, ..)| *k == key).count() < IDLE_PER_HOST {
            idle.push((key, sender, Instant::now()));
        }
    }

    async fn connect(&self, ep: &Endpoint) -> Result<SendRequest<Full>, Fault> {
        let host = ep.host.trim_start_matches('[').trim_end_matches(']');
        let addrs = resolve(host, ep.port)
            .await
            .map_err(|e| Fault::Resolve(format!("cannot resolve {host}: {e}")))?;
        let mut last = None;
        let mut tcp = None;
        for addr in addrs {
            match TcpStream::connect(addr).await {
                Ok(s) => {
                    tcp = Some(s);
                    break;
                }
                Err(e) => last = Some(e),
            }
        }
        let tcp = tcp.ok_or_else(|| {
            let why = last.map_or("no address".to_string(), |e| e.to_string());
            Fault::Connect(format!("cannot connect to {}: {why}", ep.authority()))
        })?;
        let _ = tcp.set_nodelay(true);
        let stream = if ep.tls {
            let name = rustls::pki_types::ServerName::try_from(host.to_string())
                .map_err(|_| Fault::Tls(format!("invalid TLS server name {host}")))?;
            let tls = self.tls().connect(name, tcp).await.map_err(|e| tls_fault(host, e))?;
            Stream::Tls(Box::new(tls))
        } else {
            Stream::Plain(tcp)
        };
        let (sender, conn) = hyper::client::conn::http1::Builder::new()
            .max_buf_size(MAX_HEAD)
            .handshake(TokioIo(stream))
            .await
            .map_err(|e| Fault::Protocol(format!("{}: {e}", ep.host)))?;
        tokio::spawn(async move {
            let _ = conn.await;
        });
        Ok(sender)
    }

    fn tls(&self) -> &tokio_rustls::TlsConnector {
        // Built on first use: a gateway pointed only at plain-HTTP endpoints never pays for it.
        self.tls.get_or_init(|| {
            let roots = rustls::RootCertStore { roots: webpki_roots::TLS_SERVER_ROOTS.to_vec() };
            let provider = Arc::new(crate::tls::provider());
            let mut config = rustls::ClientConfig::builder_with_provider(provider)
                .with_safe_default_protocol_versions()
                .expect("ring supports the default protocol versions")
                .with_root_certificates(roots)
                .with_no_client_auth();
            config.alpn_protocols = vec![b"http/1.1".to_vec()];
            tokio_rustls::TlsConnector::from(Arc::new(config))
        })
    }
}

/// A provider connection, plain (tests, proxies) or TLS: one type, so hyper's client is
/// compiled once.
enum Stream {
    Plain(TcpStream),
    Tls(Box<tokio_rustls::client::TlsStream<TcpStream>>),
}

impl AsyncRead for Stream {
    fn poll_read(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Stream::Plain(s) => Pin::new(s).poll_read(cx, buf),
            Stream::Tls(s) => Pin::new(s).poll_read(cx, buf),
        }
    }
}

impl AsyncWrite for Stream {
    fn poll_write(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        match self.get_mut() {
            Stream::Plain(s) => Pin::new(s).poll_write(cx, buf),
            Stream::Tls(s) => Pin::new(s).poll_write(cx, buf),
        }
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Stream::Plain(s) => Pin::new(s).poll_flush(cx),
            Stream::Tls(s) => Pin::new(s).poll_flush(cx),
        }
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Stream::Plain(s) => Pin::new(s).poll_shutdown(cx),
            Stream::Tls(s) => Pin::new(s).poll_shutdown(cx),
        }
    }
}

/// Name lookups running at once: each holds a thread and its stack until the resolver
/// answers or gives up.
const MAX_RESOLVERS: usize = 4;
static RESOLVERS: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(MAX_RESOLVERS);

/// Name resolution on a short-lived thread of our own (tokio's `lookup_host` would use its
/// blocking pool, which std's thread naming and printf come with: see `thread`). An address
/// needs no lookup. A lookup that hangs is abandoned at the call's deadline; its thread
/// keeps its slot until the resolver gives up.
async fn resolve(host: &str, port: u16) -> io::Result<Vec<SocketAddr>> {
    if let Ok(ip) = host.parse::<std::net::IpAddr>() {
        return Ok(vec![SocketAddr::new(ip, port)]);
    }
    let host = host.to_string();
    on_own_thread(&RESOLVERS, move || (host.as_str(), port).to_socket_addrs().map(Iterator::collect)).await?
}

/// Runs `job` on a thread of its own that holds one of `slots` for as long as it lives: a
/// caller that stops waiting gives up the answer, not the slot, so `slots` counts threads,
/// not callers.
async fn on_own_thread<T: Send + 'static>(
    slots: &'static tokio::sync::Semaphore,
    job: impl FnOnce() -> T + Send + 'static,
) -> io::Result<T> {
    let slot = slots.acquire().await.map_err(io::Error::other)?;
    let (tx, rx) = tokio::sync::oneshot::channel();
    crate::thread::spawn_detached(
        RESOLVER_STACK,
        Box::new(move || {
            let _slot = slot;
            let _ = tx.send(job());
        }),
    )?;
    rx.await.map_err(|_| io::Error::other("the resolver thread ended"))
}

fn tls_fault(host: &str, e: std::io::Error) -> Fault {
    let inner = e.get_ref().and_then(|i| i.downcast_ref::<rustls::Error>());
    let hint = match inner {
        Some(rustls::Error::InvalidCertificate(
            rustls::CertificateError::NotValidYet | rustls::CertificateError::Expired,
        )) => " (is the system clock right? sync NTP on the router)",
        _ => "",
    };
    let what = inner.map_or_else(|| e.to_string(), crate::tls::describe);
    Fault::Tls(format!("TLS handshake with {host} failed: {what}{hint}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A lookup whose caller gave up still holds its slot while its thread runs: hung
    /// lookups cannot pile up threads beyond the bound.
    #[tokio::test]
    async fn an_abandoned_lookup_keeps_its_slot_until_its_thread_ends() {
        static SLOTS: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(2);
        let mut release = Vec::new();
        for _ in 0..2 {
            let (tx, rx) = std::sync::mpsc::channel::<()>();
            release.push(tx);
            let hung = on_own_thread(&SLOTS, move || {
                let _ = rx.recv();
            });
            assert!(tokio::time::timeout(Duration::from_millis(20), hung).await.is_err());
        }
        let third = tokio::time::timeout(Duration::from_millis(200), on_own_thread(&SLOTS, || 7)).await;
        assert!(third.is_err(), "a third thread started while two hung ones still ran");
        drop(release);
        let third = tokio::time::timeout(Duration::from_secs(5), on_own_thread(&SLOTS, || 7)).await;
        assert_eq!(third.unwrap().unwrap(), 7);
    }

    #[test]
    fn endpoints() {
        let e = Endpoint::parse("https://api.cloudflare.com/client/v4/").unwrap();
        assert_eq!(
            (e.tls, e.host.as_str(), e.port, e.path.as_str()),
            (true, "api.cloudflare.com", 443, "/client/v4")
        );
        assert_eq!(e.authority(), "api.cloudflare.com");
        let e = Endpoint::parse("http://127.0.0.1:8080").unwrap();
        assert_eq!((e.authority().as_str(), e.path.as_str()), ("127.0.0.1:8080", ""));
        let e = Endpoint::parse("http://[::1]:9000/x").unwrap();
        assert_eq!(e.to_string(), "http://[::1]:9000/x");
        for bad in ["ftp://x", "api.cloudflare.com", "http://", "http://h:0", "http://h:99999", "http://h/?a"]
        {
            assert!(Endpoint::parse(bad).is_err(), "{bad}");
        }
    }
}
