//! `make bench`: size, memory, start-up and throughput of the release binary, printed as
//! one Markdown table. Everything runs on loopback: the gateway as a child process, a fast
//! fake Cloudflare (plain HTTP) and the load generator in this process.

// The same loopback fake server the tests use; the bench needs only part of it.
#[allow(dead_code)]
#[path = "../tests/common/fake.rs"]
mod fake;

use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use ddns_gateway::rt::{Full, TokioIo, read_body};
use fake::{FakeResp, InFlight, serve_counted};
use http::Request;
use serde_json::json;
use tokio::net::TcpStream;

/// The static x86_64 binary that ships, when `make dist` built it; else the host build.
const SHIPPED: &str = "dist/ddns-gateway-x86_64-unknown-linux-musl";
const HOST: &str = "target/release/ddns-gateway";

fn bin() -> &'static str {
    if std::path::Path::new(SHIPPED).exists() { SHIPPED } else { HOST }
}
const CONNECTIONS: usize = 64;
const RUN_FOR: Duration = Duration::from_secs(3);
const LAUNCHES: usize = 40;
const UPDATE: &str = "/update?provider=cloudflare&zone=example.com&record=home&type=A&value=203.0.113.7";
const CRED: &str = r#"ApiKey secret="bench-token""#;

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

fn status_kb(pid: u32, field: &str) -> u64 {
    let s = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let line = s.lines().find(|l| l.starts_with(field)).unwrap();
    line.split_whitespace().nth(1).unwrap().parse().unwrap()
}

struct Gateway {
    child: Child,
    addr: SocketAddr,
}

impl Drop for Gateway {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts the release binary and returns once `/health` answered 200, with the time that took.
async fn launch(cf: Option<SocketAddr>) -> (Gateway, Duration) {
    let port = free_port();
    let mut cmd = Command::new(bin());
    cmd.args([
        "--host",
        "127.0.0.1",
        "--port",
        &port.to_string(),
        "--health-enabled",
        "--log-level",
        "ERROR",
    ]);
    if let Some(cf) = cf {
        cmd.env("DDNS_GATEWAY_PROVIDERS_CLOUDFLARE_ENDPOINT", format!("http://{cf}/client/v4"));
    }
    let started = Instant::now();
    let child = cmd.stdin(Stdio::null()).stdout(Stdio::null()).stderr(Stdio::null()).spawn();
    // Owned at once, so the child is killed and reaped on every path.
    let gw = Gateway {
        child: child.expect("run `cargo build --release` first"),
        addr: ([127, 0, 0, 1], port).into(),
    };
    loop {
        if let Ok(s) = TcpStream::connect(gw.addr).await {
            if let Ok((200, _)) = one_request(s, "/health", &[]).await {
                let took = started.elapsed();
                return (gw, took);
            }
        }
        assert!(started.elapsed() < Duration::from_secs(10), "gateway did not start");
        tokio::task::yield_now().await;
    }
}

async fn one_request(
    s: TcpStream,
    path: &str,
    headers: &[(&str, &str)],
) -> Result<(u16, Vec<u8>), hyper::Error> {
    let (mut send, conn) = hyper::client::conn::http1::handshake(TokioIo(s)).await?;
    tokio::spawn(conn);
    get(&mut send, path, headers).await
}

async fn get(
    send: &mut hyper::client::conn::http1::SendRequest<Full>,
    path: &str,
    headers: &[(&str, &str)],
) -> Result<(u16, Vec<u8>), hyper::Error> {
    let mut req = Request::get(path).header("host", "bench");
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    send.ready().await?;
    let resp = send.send_request(req.body(Full::default()).unwrap()).await?;
    let status = resp.status().as_u16();
    let body = read_body(resp.into_body(), 1 << 20).await.unwrap_or_default();
    Ok((status, body))
}

/// `connections` keep-alive clients, each sending requests back to back for RUN_FOR.
/// Returns (requests per second, latencies sorted).
async fn load(
    addr: SocketAddr,
    path: &'static str,
    headers: &'static [(&'static str, &'static str)],
    connections: usize,
) -> (f64, Vec<Duration>) {
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..connections {
        tasks.push(tokio::spawn(async move {
            let s = TcpStream::connect(addr).await.unwrap();
            let (mut send, conn) = hyper::client::conn::http1::handshake(TokioIo(s)).await.unwrap();
            tokio::spawn(conn);
            let mut lat = Vec::new();
            while started.elapsed() < RUN_FOR {
                let t = Instant::now();
                let (status, body) = get(&mut send, path, headers).await.unwrap();
                assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
                lat.push(t.elapsed());
            }
            lat
        }));
    }
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await.unwrap());
    }
    let secs = started.elapsed().as_secs_f64();
    all.sort();
    (all.len() as f64 / secs, all)
}

fn pct(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 * p) as usize).min(sorted.len() - 1)]
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}

/// A fake Cloudflare that answers at once: the zone, and the record already as wanted.
async fn fast_cloudflare(calls: Arc<AtomicUsize>) -> SocketAddr {
    serve_counted(
        move |req| {
            calls.fetch_add(1, Ordering::Relaxed);
            let result = if req.path.ends_with("/zones") {
                json!([{"id": "z1", "name": "example.com", "status": "active"}])
            } else {
                json!([{"id": "r1", "name": "home.example.com", "type": "A", "content": "203.0.113.7", "ttl": 300, "comment": null, "proxied": false}])
            };
            FakeResp::json(200, &json!({"success": true, "errors": [], "messages": [], "result": result, "result_info": {"page": 1, "total_pages": 1}}))
        },
        Arc::new(InFlight::default()),
    )
    .await
}

/// A fake Cloudflare that takes a second per call and has every record already as wanted.
async fn slow_cloudflare() -> SocketAddr {
    serve_counted(
        move |req| {
            let result = if req.path.ends_with("/zones") {
                json!([{"id": "z1", "name": "example.com", "status": "active"}])
            } else {
                let name = req.param("name").unwrap_or("home.example.com");
                json!([{"id": format!("r-{name}"), "name": name, "type": "A", "content": "203.0.113.7", "ttl": 300, "comment": null, "proxied": false}])
            };
            let mut r = FakeResp::json(200, &json!({"success": true, "errors": [], "messages": [], "result": result, "result_info": {"page": 1, "total_pages": 1}}));
            r.delay = Duration::from_secs(1);
            r
        },
        Arc::new(InFlight::default()),
    )
    .await
}

/// A fake Cloudflare whose record listing is about `size` bytes of JSON: records of other
/// names, each as Cloudflare spells a record, as a provider ignoring the name filter might send.
async fn bulky_cloudflare(size: usize) -> SocketAddr {
    let record = json!({"id": "372e67954025e0ba6aaa6d586b9e0b59", "zone_id": "z1", "zone_name": "example.com",
        "name": "other.example.com", "type": "TXT", "content": "x".repeat(300), "proxiable": false,
        "proxied": false, "ttl": 1, "settings": {}, "meta": {"auto_added": false}, "comment": null, "tags": [],
        "created_on": "2026-01-01T00:00:00.000000Z", "modified_on": "2026-01-01T00:00:00.000000Z"})
    .to_string();
    let n = size / (record.len() + 1);
    let list = format!(
        r#"{{"success":true,"errors":[],"messages":[],"result":[{}],"result_info":{{"page":1,"per_page":{n},"total_pages":1}}}}"#,
        vec![record; n].join(",")
    )
    .into_bytes();
    serve_counted(
        move |req| {
            if req.path.ends_with("/zones") {
                let zones = json!([{"id": "z1", "name": "example.com", "status": "active"}]);
                return FakeResp::json(200, &json!({"success": true, "errors": [], "result": zones}));
            }
            if req.method == "POST" {
                let created = json!({"id": "r1", "name": "home.example.com", "type": "A", "content": "203.0.113.7", "ttl": 1});
                return FakeResp::json(200, &json!({"success": true, "errors": [], "result": created}));
            }
            FakeResp::raw(200, &list).with_header("content-type", "application/json")
        },
        Arc::new(InFlight::default()),
    )
    .await
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let mut rows: Vec<(String, String, String)> = Vec::new();
    let size = std::fs::metadata(HOST).expect("run `cargo build --release` first").len();
    rows.push((
        "Release binary, host build (x86_64 glibc, stripped)".into(),
        format!("{size} bytes"),
        "—".into(),
    ));
    println!(
        "Measuring {} on {} cores\n",
        bin(),
        std::thread::available_parallelism().map_or(1, |n| n.get())
    );
    for (target, goal) in [
        ("x86_64-unknown-linux-musl", "the binary measured below"),
        ("aarch64-unknown-linux-musl", "≤ 1,150,000 bytes"),
        ("armv7-unknown-linux-musleabihf", "≤ 800,000 bytes"),
    ] {
        if let Ok(m) = std::fs::metadata(format!("dist/ddns-gateway-{target}")) {
            rows.push((
                format!("Static binary {target} (`make dist`)"),
                format!("{} bytes", m.len()),
                goal.into(),
            ));
        }
    }

    let mut launches = Vec::new();
    let mut idle_rss = 0;
    for i in 0..LAUNCHES {
        let (gw, took) = launch(None).await;
        launches.push(took);
        if i == 0 {
            tokio::time::sleep(Duration::from_millis(300)).await;
            idle_rss = status_kb(gw.child.id(), "VmRSS:");
        }
    }
    launches.sort();
    rows.push(("Idle RSS".into(), format!("{:.2} MB", idle_rss as f64 / 1024.0), "≤ 1.5 MB".into()));
    rows.push((
        format!("Launch → first `/health` 200 (median of {LAUNCHES})"),
        ms(pct(&launches, 0.5)),
        "≤ 2 ms".into(),
    ));

    let (gw, _) = launch(None).await;
    let (rps, lat) = load(gw.addr, "/health", &[], CONNECTIONS).await;
    rows.push((
        format!("`/health`, {CONNECTIONS} keep-alive connections"),
        format!("{rps:.0} req/s"),
        format!("p50 {}, p99 {}", ms(pct(&lat, 0.5)), ms(pct(&lat, 0.99))),
    ));
    drop(gw);

    let calls = Arc::new(AtomicUsize::new(0));
    let cf = fast_cloudflare(calls.clone()).await;
    let (gw, _) = launch(Some(cf)).await;
    const HDR: &[(&str, &str)] = &[("x-upstream-authorization", CRED)];
    // Prime the zone cache, then count.
    let (s, _) = one_request(TcpStream::connect(gw.addr).await.unwrap(), UPDATE, HDR).await.unwrap();
    assert_eq!(s, 200);
    calls.store(0, Ordering::Relaxed);
    let (rps, lat) = load(gw.addr, UPDATE, HDR, CONNECTIONS).await;
    let per_update = calls.load(Ordering::Relaxed) as f64 / lat.len() as f64;
    rows.push((
        format!("`/update` unchanged via fake Cloudflare, {CONNECTIONS} connections"),
        format!("{rps:.0} req/s"),
        format!("p50 {}, p99 {}", ms(pct(&lat, 0.5)), ms(pct(&lat, 0.99))),
    ));
    rows.push((
        "Upstream calls per unchanged update (zone id cached)".into(),
        format!("{per_update:.2}"),
        "1".into(),
    ));
    // The same number of clients calling the fake's list directly: what the gateway adds.
    let (_, direct) =
        load(cf, "/client/v4/zones/z1/dns_records?type=A&name=home.example.com", HDR, CONNECTIONS).await;
    let (_, one) = load(gw.addr, UPDATE, HDR, 1).await;
    let (_, one_direct) =
        load(cf, "/client/v4/zones/z1/dns_records?type=A&name=home.example.com", HDR, 1).await;
    rows.push((
        "Gateway's added latency over the direct call (p50)".into(),
        format!("{} (1 client)", ms(pct(&one, 0.5).saturating_sub(pct(&one_direct, 0.5)))),
        format!("{} at {CONNECTIONS} clients", ms(pct(&lat, 0.5).saturating_sub(pct(&direct, 0.5)))),
    ));
    drop(gw);

    // Peak memory: 256 updates at once, each on its own connection, three times over. Those
    // beyond what may queue for one record are refused at once (503).
    let (gw, _) = launch(Some(cf)).await;
    let mut shed = 0;
    for _ in 0..3 {
        let mut tasks = Vec::new();
        for _ in 0..256 {
            let addr = gw.addr;
            tasks.push(tokio::spawn(async move {
                one_request(TcpStream::connect(addr).await.unwrap(), UPDATE, HDR).await.unwrap().0
            }));
        }
        for t in tasks {
            let status = t.await.unwrap();
            assert!(status == 200 || status == 503, "{status}");
            shed += usize::from(status == 503);
        }
    }
    let hwm = status_kb(gw.child.id(), "VmHWM:");
    rows.push((
        "Peak RSS (VmHWM), 256 concurrent `/update` of one record".into(),
        format!("{:.2} MB", hwm as f64 / 1024.0),
        format!("≤ 5 MB; {shed} of 768 refused (503: too many for one record)"),
    ));
    drop(gw);

    // Peak memory under a flood that piles up: 256 updates at once for 32 different
    // records, through a provider that takes 1 s to answer.
    let slow = slow_cloudflare().await;
    let (gw, _) = launch(Some(slow)).await;
    let idle = status_kb(gw.child.id(), "VmRSS:");
    let started = Instant::now();
    let mut tasks = Vec::new();
    for i in 0..256 {
        let addr = gw.addr;
        tasks.push(tokio::spawn(async move {
            let path = UPDATE.replace("record=home", &format!("record=host{}", i % 32));
            one_request(TcpStream::connect(addr).await.unwrap(), &path, HDR).await.unwrap().0
        }));
    }
    for t in tasks {
        assert_eq!(t.await.unwrap(), 200);
    }
    let took = started.elapsed();
    let hwm = status_kb(gw.child.id(), "VmHWM:");
    rows.push((
        "Peak RSS (VmHWM), 256 concurrent `/update` for 32 records, provider answering in 1 s".into(),
        format!("{:.2} MB", hwm as f64 / 1024.0),
        format!("≤ 5 MB; idle {:.2} MB, all done in {:.1} s", idle as f64 / 1024.0, took.as_secs_f64()),
    ));
    drop(gw);

    // Peak memory while one provider answer is read and parsed: a listing under the
    // response cap, and one of 1 MB, over it (cut off at the cap, never parsed).
    for (size, label) in [(240 * 1024, "240 KiB"), (1_000_000, "1 MB")] {
        let (gw, _) = launch(Some(bulky_cloudflare(size).await)).await;
        let idle = status_kb(gw.child.id(), "VmRSS:");
        let (status, _) = one_request(TcpStream::connect(gw.addr).await.unwrap(), UPDATE, HDR).await.unwrap();
        let hwm = status_kb(gw.child.id(), "VmHWM:");
        rows.push((
            format!("Peak RSS (VmHWM), one `/update` whose provider listing is {label}"),
            format!("{:.2} MB", hwm as f64 / 1024.0),
            format!("idle {:.2} MB; answered {status}", idle as f64 / 1024.0),
        ));
    }

    println!("| Measure | Result | Target / detail |");
    println!("|---|---|---|");
    for (a, b, c) in rows {
        println!("| {a} | {b} | {c} |");
    }
}
