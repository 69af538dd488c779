//! Test helpers: the gateway on 127.0.0.1:0, a plain HTTP client, and loopback fakes.
#![allow(dead_code)]

pub mod aliyun;
pub mod cloudflare;
pub mod edgeone;
pub mod esa;
pub mod fake;
pub mod huaweicloud;
pub mod porkbun;
pub mod process;
pub mod tc3;
pub mod tencent;

use std::net::SocketAddr;
use std::time::Duration;

use ddns_gateway::api::App;
use ddns_gateway::config::Config;
use ddns_gateway::providers::Kind;
use ddns_gateway::server;
use ddns_gateway::upstream::Endpoint;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// The gateway served in-process on an ephemeral loopback port.
pub struct Gateway {
    pub addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    task: JoinHandle<()>,
}

impl Gateway {
    pub async fn start(config: Config) -> Gateway {
        Gateway::start_app(App::new(config)).await
    }

    pub async fn start_app(app: std::sync::Arc<App>) -> Gateway {
        // Keep test output readable; the process tests check the log lines themselves.
        let _ = ddns_gateway::log::init(ddns_gateway::log::Level::Critical, None);
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (tx, rx) = oneshot::channel::<()>();
        let task = tokio::spawn(server::run(listener, app, async {
            let _ = rx.await;
        }));
        Gateway { addr, stop: Some(tx), task }
    }

    pub async fn stop(mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
        tokio::time::timeout(Duration::from_secs(15), &mut self.task).await.unwrap().unwrap();
    }

    pub async fn get(&self, path_and_query: &str, headers: &[(&str, &str)]) -> Reply {
        request(self.addr, "GET", path_and_query, headers, b"").await
    }

    pub async fn post(&self, path: &str, headers: &[(&str, &str)], body: &[u8]) -> Reply {
        request(self.addr, "POST", path, headers, body).await
    }
}

/// A config that talks to a fake Cloudflare at `cf` (and nothing else).
pub fn config_for(cf: SocketAddr) -> Config {
    let mut config = Config::default();
    config.upstream_timeout = Duration::from_secs(5);
    config.set_endpoint(Kind::Cloudflare, Endpoint::parse(&format!("http://{cf}/client/v4")).unwrap());
    config
}

/// A config whose every provider endpoint is a loopback fake.
pub fn config_all(cf: SocketAddr, aliyun: SocketAddr, tencent: SocketAddr) -> Config {
    let mut config = config_for(cf);
    config.set_endpoint(Kind::Aliyun, Endpoint::parse(&format!("http://{aliyun}")).unwrap());
    config.set_endpoint(Kind::Tencent, Endpoint::parse(&format!("http://{tencent}")).unwrap());
    config
}

/// A config whose `kind` endpoint is `http://{addr}` and every other one `UNUSED`.
pub fn config_with(kind: Kind, addr: SocketAddr) -> Config {
    config_at(kind, addr, "")
}

/// A config whose `kind` endpoint is `http://{addr}{path}` and every other one `UNUSED`.
pub fn config_at(kind: Kind, addr: SocketAddr, path: &str) -> Config {
    let mut config = config_all(UNUSED, UNUSED, UNUSED);
    config.set_endpoint(kind, Endpoint::parse(&format!("http://{addr}{path}")).unwrap());
    config
}

#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Reply {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }
}

/// One request on a fresh connection (`Connection: close`), read to the end.
pub async fn request(
    addr: SocketAddr,
    method: &str,
    target: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> Reply {
    let mut head = format!("{method} {target} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n");
    for (k, v) in headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    if method != "GET" || !body.is_empty() {
        head.push_str(&format!("Content-Length: {}\r\n", body.len()));
    }
    head.push_str("\r\n");
    let mut raw = head.into_bytes();
    raw.extend_from_slice(body);
    raw_request(addr, &raw).await
}

/// Sends bytes as they are and parses whatever comes back.
pub async fn raw_request(addr: SocketAddr, raw: &[u8]) -> Reply {
    let mut s = TcpStream::connect(addr).await.unwrap();
    s.write_all(raw).await.unwrap();
    let mut out = Vec::new();
    tokio::time::timeout(Duration::from_secs(20), s.read_to_end(&mut out))
        .await
        .expect("reply within 20 s")
        .unwrap();
    parse_reply(&out)
}

pub fn parse_reply(out: &[u8]) -> Reply {
    let text = String::from_utf8_lossy(out);
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or_else(|| panic!("no reply head: {text:?}"));
    let mut lines = head.split("\r\n");
    let status = lines.next().unwrap().split(' ').nth(1).unwrap().parse().unwrap();
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    Reply { status, headers, body: body.to_string() }
}

/// A provider endpoint nothing listens on, for the providers a test does not use.
pub const UNUSED: SocketAddr = SocketAddr::new(std::net::IpAddr::V4(std::net::Ipv4Addr::LOCALHOST), 9);

/// GET /update for `provider` in example.com with `pairs` and the credential header.
pub async fn provider_update(gw: &Gateway, provider: &str, cred: &str, pairs: &[(&str, &str)]) -> Reply {
    let mut all = vec![("provider", provider), ("zone", "example.com")];
    all.extend_from_slice(pairs);
    gw.get(&update_query(&all), &[("X-Upstream-Authorization", cred)]).await
}

/// `/update?…` from pairs, each value percent-encoded.
pub fn update_query(pairs: &[(&str, &str)]) -> String {
    let q: Vec<String> =
        pairs.iter().map(|(k, v)| format!("{k}={}", ddns_gateway::urlenc::encode(v))).collect();
    format!("/update?{}", q.join("&"))
}
