//! Slow and hostile clients, misbehaving providers, and concurrent updates of one record.

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::cloudflare::FakeCloudflare;
use common::fake::{FakeResp, serve};
use common::{Gateway, config_for, parse_reply, raw_request, update_query};
use ddns_gateway::api::App;
use ddns_gateway::limits::Limits;
use ddns_gateway::providers::Kind;
use ddns_gateway::upstream::Endpoint;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const TOKEN: &str = "tok";
const CRED: &str = r#"ApiKey secret="tok""#;

async fn gateway_with(cf: &FakeCloudflare, limits: Limits) -> Gateway {
    let mut app = App::with_clock_floor(config_for(cf.addr), 0);
    app.limits = limits;
    Gateway::start_app(Arc::new(app)).await
}

fn quick_limits() -> Limits {
    Limits { header_timeout: Duration::from_millis(500), ..Limits::default() }
}

fn q(record: &str, value: &str) -> String {
    update_query(&[
        ("provider", "cloudflare"),
        ("zone", "example.com"),
        ("record", record),
        ("type", "A"),
        ("value", value),
    ])
}

/// One update of `record` on its own connection, as a task of its own.
fn spawn_update(
    addr: std::net::SocketAddr,
    record: String,
    value: &'static str,
) -> tokio::task::JoinHandle<common::Reply> {
    tokio::spawn(async move {
        common::request(addr, "GET", &q(&record, value), &[("X-Upstream-Authorization", CRED)], b"").await
    })
}

/// Reads until the peer closes; fails the test if that takes longer than `limit`.
async fn closed_within(s: &mut TcpStream, limit: Duration) -> Vec<u8> {
    let mut out = Vec::new();
    tokio::time::timeout(limit, s.read_to_end(&mut out))
        .await
        .expect("connection closed by the server")
        .unwrap_or(0);
    out
}

#[tokio::test]
async fn half_sent_request_blocks_nobody_and_is_dropped() {
    let cf = FakeCloudflare::start(TOKEN, &[("z1", "example.com")]).await;
    let gw = gateway_with(&cf, quick_limits()).await;
    let mut slow = TcpStream::connect(gw.addr).await.unwrap();
    slow.write_all(b"GET /update?provider=cloudfl").await.unwrap();
    // Others are served meanwhile.
    for i in 0..5 {
        let r = gw.get(&q("a", &format!("1.2.3.{i}")), &[("X-Upstream-Authorization", CRED)]).await;
        assert_eq!(r.status, 200, "{}", r.body);
    }
    // The half-sent request is cut off after the header timeout.
    closed_within(&mut slow, Duration::from_secs(5)).await;
    gw.stop().await;
}

#[tokio::test]
async fn idle_keep_alive_connections_are_closed() {
    let cf = FakeCloudflare::start(TOKEN, &[("z1", "example.com")]).await;
    let mut limits = quick_limits();
    limits.header_timeout = Duration::from_millis(300);
    let gw = gateway_with(&cf, limits).await;
    let mut s = TcpStream::connect(gw.addr).await.unwrap();
    s.write_all(b"GET /nope HTTP/1.1\r\nHost: x\r\n\r\n").await.unwrap();
    let mut buf = vec![0u8; 1024];
    let n = s.read(&mut buf).await.unwrap();
    assert_eq!(parse_reply(&buf[..n]).status, 404);
    // Kept alive, then closed once idle for the timeout.
    let rest = closed_within(&mut s, Duration::from_secs(5)).await;
    assert!(rest.is_empty());
    gw.stop().await;
}

#[tokio::test]
async fn full_server_makes_room_but_never_cuts_work() {
    let cf = FakeCloudflare::start(TOKEN, &[("z1", "example.com")]).await;
    let limits = Limits { max_connections: 4, header_timeout: Duration::from_secs(30), ..Limits::default() };
    let gw = gateway_with(&cf, limits).await;
    // Four clients that stall in their headers take every slot.
    let mut stalled = Vec::new();
    for _ in 0..4 {
        let mut s = TcpStream::connect(gw.addr).await.unwrap();
        s.write_all(b"GET /health HTTP/1.1\r\nHost: x\r\n").await.unwrap();
        stalled.push(s);
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    // A fifth is served at once: the one that stalled longest makes room, and is closed.
    let r = tokio::time::timeout(
        Duration::from_secs(2),
        raw_request(gw.addr, b"GET /nope HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"),
    )
    .await
    .expect("served while stalled clients hold every slot");
    assert_eq!(r.status, 404);
    assert!(closed_within(&mut stalled[0], Duration::from_secs(2)).await.is_empty());
    drop(stalled);

    // Four updates waiting on a slow provider are work: a fifth client waits for a slot.
    cf.state.lock().unwrap().delay = Duration::from_millis(1500);
    let busy: Vec<_> = (0..4).map(|i| spawn_update(gw.addr, format!("busy{i}"), "192.0.2.1")).collect();
    tokio::time::sleep(Duration::from_millis(300)).await;
    let addr = gw.addr;
    let fifth = tokio::spawn(async move {
        raw_request(addr, b"GET /nope HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").await
    });
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(!fifth.is_finished(), "served beyond the cap while every slot was working");
    for b in busy {
        assert_eq!(b.await.unwrap().status, 200, "work is never cut to make room");
    }
    let r = tokio::time::timeout(Duration::from_secs(5), fifth).await.unwrap().unwrap();
    assert_eq!(r.status, 404);
    gw.stop().await;
}

/// POSTs that declare a body and never send it (or trickle it) hold nobody up: the server
/// stays available, and each is answered 408 and closed by the body deadline.
#[tokio::test]
async fn bodyless_posts_are_cut_at_the_deadline() {
    let cf = FakeCloudflare::start(TOKEN, &[("z1", "example.com")]).await;
    // 128 places: more than the 100 answers with a 408 counted below.
    let limits = Limits { body_timeout: Duration::from_secs(2), max_connections: 128, ..Limits::default() };
    let gw = gateway_with(&cf, limits).await;
    let started = std::time::Instant::now();
    let mut clients = Vec::new();
    for i in 0..300 {
        let mut s = TcpStream::connect(gw.addr).await.unwrap();
        let head = "POST /update HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n";
        s.write_all(head.as_bytes()).await.unwrap();
        if i % 3 == 0 {
            // A trickle: one byte now, more later; the deadline covers the whole body.
            s.write_all(b"{").await.unwrap();
        }
        clients.push(s);
    }
    let t = std::time::Instant::now();
    let r = common::request(gw.addr, "GET", "/nope", &[], b"").await;
    assert_eq!(r.status, 404);
    assert!(t.elapsed() < Duration::from_secs(1), "served in {:?}", t.elapsed());
    for s in clients.iter_mut().step_by(3) {
        let _ = s.write_all(b" ").await;
    }
    // Every one is closed by the deadline (2 s after it was accepted, plus slack): those
    // still open then get a 408, those that made room earlier were closed without one.
    let mut timed_out = 0;
    for mut s in clients {
        let left = Duration::from_secs(5).saturating_sub(started.elapsed());
        let out = closed_within(&mut s, left.max(Duration::from_millis(100))).await;
        if !out.is_empty() {
            let r = parse_reply(&out);
            assert_eq!(r.status, 408, "{}", r.body);
            assert_eq!(r.header("connection"), Some("close"));
            timed_out += 1;
        }
    }
    assert!(timed_out >= 100, "{timed_out} answered 408");
    gw.stop().await;
}

#[tokio::test]
async fn oversized_and_garbage_requests() {
    let cf = FakeCloudflare::start(TOKEN, &[("z1", "example.com")]).await;
    let gw = gateway_with(&cf, quick_limits()).await;
    let big = format!("GET /update HTTP/1.1\r\nHost: x\r\nX-Big: {}\r\n\r\n", "a".repeat(20 * 1024));
    let r = raw_request(gw.addr, big.as_bytes()).await;
    assert_eq!(r.status, 431);
    for garbage in [
        &b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03"[..],
        b"GET / HTTP/9.9\r\n\r\n",
        b"GET /update?x=%zz HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n",
    ] {
        let mut s = TcpStream::connect(gw.addr).await.unwrap();
        s.write_all(garbage).await.unwrap();
        let out = closed_within(&mut s, Duration::from_secs(5)).await;
        if !out.is_empty() {
            let status = parse_reply(&out).status;
            assert!((400..500).contains(&status), "{status}");
        }
    }
    // Still serving.
    assert_eq!(gw.get("/nope", &[]).await.status, 404);
    gw.stop().await;
}

#[tokio::test]
async fn provider_faults_map_to_clear_errors() {
    let cf = FakeCloudflare::start(TOKEN, &[("z1", "example.com")]).await;
    let gw = gateway_with(&cf, quick_limits()).await;
    let path = q("home", "1.2.3.4");
    let get = || gw.get(&path, &[("X-Upstream-Authorization", CRED)]);

    cf.fail_next(
        1,
        FakeResp::json(
            500,
            &serde_json::json!({"success": false, "errors": [{"code": 10001, "message": "Internal error"}]}),
        ),
    );
    let r = get().await;
    assert_eq!(
        (r.status, r.json()["message"].as_str()),
        (502, Some("Failed to query DNS records: Cloudflare 10001 Internal error"))
    );

    cf.fail_next(1, FakeResp::raw(200, b"not json at all"));
    let r = get().await;
    assert_eq!(
        (r.status, r.json()["message"].as_str()),
        (502, Some("Failed to query DNS records: Cloudflare answered HTTP 200 without a usable JSON body"))
    );

    cf.fail_next(1, FakeResp::raw(200, &vec![b'x'; ddns_gateway::upstream::MAX_RESPONSE + 1]));
    let r = get().await;
    assert_eq!(
        (r.status, r.json()["message"].as_str()),
        (502, Some("Failed to query DNS records: Cloudflare: response larger than 256 KiB"))
    );

    cf.fail_next(
        1,
        FakeResp::json(429, &serde_json::json!({"success": false, "errors": []}))
            .with_header("retry-after", "120"),
    );
    let r = get().await;
    assert_eq!((r.status, r.header("retry-after")), (503, Some("120")));
    assert_eq!(get().await.status, 200, "recovers once the provider does");
    gw.stop().await;

    // TLS to something that does not speak TLS: 502 that says so.
    let plain = serve(|_| FakeResp::raw(400, b"plain http")).await;
    let mut config = config_for(cf.addr);
    config.set_endpoint(
        ddns_gateway::providers::Kind::Cloudflare,
        Endpoint::parse(&format!("https://{plain}/client/v4")).unwrap(),
    );
    let gw = Gateway::start_app(Arc::new(App::with_clock_floor(config, 0))).await;
    let r = gw.get(&q("home", "1.2.3.4"), &[("X-Upstream-Authorization", CRED)]).await;
    assert_eq!(r.status, 502);
    let msg = r.json()["message"].as_str().unwrap().to_string();
    assert!(
        msg.starts_with("Failed to query DNS records: Cloudflare: TLS handshake with 127.0.0.1 failed"),
        "{msg}"
    );
    gw.stop().await;
}

/// A provider may send a long head (cookies, policy headers): up to `MAX_HEAD` is taken,
/// and a longer one is a 502 that says what was wrong.
#[tokio::test]
async fn long_provider_heads_are_taken_up_to_the_limit() {
    use ddns_gateway::upstream::MAX_HEAD;
    let cf = FakeCloudflare::start(TOKEN, &[("z1", "example.com")]).await;
    let gw = gateway_with(&cf, quick_limits()).await;
    let with_cookies = |bytes: usize| {
        let zones = serde_json::json!({"success": true, "errors": [], "result": [{"id": "z1", "name": "example.com"}]});
        let mut r = FakeResp::json(200, &zones);
        for i in 0..bytes / 256 {
            r = r.with_header("set-cookie", &format!("c{i:03}={}; Path=/; HttpOnly", "v".repeat(226)));
        }
        r
    };
    // 10 KiB of headers: about ten times what the providers send today.
    cf.fail_next(1, with_cookies(10 * 1024));
    let r = gw.get(&q("head", "192.0.2.1"), &[("X-Upstream-Authorization", CRED)]).await;
    assert_eq!(r.status, 200, "{}", r.body);
    // (hyper checks the limit while a head is incomplete: one that arrives whole in the
    // buffer's spare room may pass a little over it.)
    cf.fail_next(1, with_cookies(4 * MAX_HEAD));
    let r = gw.get(&q("head", "192.0.2.2"), &[("X-Upstream-Authorization", CRED)]).await;
    assert_eq!(r.status, 502, "{}", r.body);
    let msg = r.json()["message"].as_str().unwrap().to_string();
    assert!(
        msg.starts_with("Failed to query DNS records: Cloudflare: ") && msg.contains("too large"),
        "{msg}"
    );
    gw.stop().await;
}

#[tokio::test]
async fn simultaneous_first_updates_make_one_record() {
    let cf = FakeCloudflare::start(TOKEN, &[("z1", "example.com")]).await;
    cf.state.lock().unwrap().delay = Duration::from_millis(20);
    let gw = gateway_with(&cf, quick_limits()).await;
    let addr = gw.addr;
    let tasks: Vec<_> = (0..24).map(|_| spawn_update(addr, "race".into(), "198.51.100.1")).collect();
    let mut actions = Vec::new();
    for t in tasks {
        let r = t.await.unwrap();
        assert_eq!(r.status, 200, "{}", r.body);
        assert_eq!(r.json()["data"]["value"], "198.51.100.1");
        actions.push(r.json()["action"].as_str().unwrap().to_string());
    }
    assert_eq!(actions.iter().filter(|a| *a == "created").count(), 1, "{actions:?}");
    assert_eq!(actions.iter().filter(|a| *a == "unchanged").count(), 23);
    assert_eq!(cf.records().len(), 1);
    assert_eq!(cf.inflight.max(), 1, "one record's calls never overlap");

    // Different names still run side by side.
    cf.inflight.reset();
    let tasks: Vec<_> = (0..8).map(|i| spawn_update(addr, format!("n{i}"), "198.51.100.2")).collect();
    for t in tasks {
        assert_eq!(t.await.unwrap().json()["action"], "created");
    }
    assert!(cf.inflight.max() > 1, "different names were serialised");
    assert_eq!(cf.records().len(), 9);
    gw.stop().await;
}

/// `count` GETs on one keep-alive connection; each reply's status and body.
async fn keep_alive_gets(addr: std::net::SocketAddr, targets: Vec<(String, String)>) -> Vec<(u16, String)> {
    use tokio::io::AsyncBufReadExt;
    let s = TcpStream::connect(addr).await.unwrap();
    let (r, mut w) = s.into_split();
    let mut r = tokio::io::BufReader::new(r);
    let mut out = Vec::new();
    for (target, cred) in targets {
        let req = format!("GET {target} HTTP/1.1\r\nHost: x\r\nX-Upstream-Authorization: {cred}\r\n\r\n");
        w.write_all(req.as_bytes()).await.unwrap();
        let (mut status, mut len) = (0, 0);
        loop {
            let mut line = String::new();
            r.read_line(&mut line).await.unwrap();
            let line = line.trim_end();
            if line.is_empty() {
                break;
            }
            if let Some(rest) = line.strip_prefix("HTTP/1.1 ") {
                status = rest[..3].parse().unwrap();
            } else if let Some((k, v)) = line.split_once(':') {
                if k.eq_ignore_ascii_case("content-length") {
                    len = v.trim().parse().unwrap();
                }
            }
        }
        let mut body = vec![0; len];
        r.read_exact(&mut body).await.unwrap();
        out.push((status, String::from_utf8(body).unwrap()));
    }
    out
}

/// Every distinct token and zone pair leaves a cached zone id behind; the cache stays
/// bounded however many there are.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn zone_cache_stays_bounded() {
    use ddns_gateway::providers::cloudflare::MAX_ZONES;
    let cf = FakeCloudflare::start(TOKEN, &[("z1", "example.com")]).await;
    cf.state.lock().unwrap().token_prefix = Some("tok-".into());
    cf.add("z1", "home.example.com", "A", "192.0.2.1", 300);
    let app = Arc::new(App::with_clock_floor(config_for(cf.addr), 0));
    let gw = Gateway::start_app(app.clone()).await;
    let workers: Vec<_> = (0..20)
        .map(|w| {
            let targets = (0..1000)
                .map(|i| (q("home", "192.0.2.1"), format!(r#"ApiKey secret="tok-{w}-{i}""#)))
                .collect();
            tokio::spawn(keep_alive_gets(gw.addr, targets))
        })
        .collect();
    let mut unchanged = 0;
    for w in workers {
        for (status, body) in w.await.unwrap() {
            assert_eq!(status, 200, "{body}");
            unchanged += usize::from(body.contains(r#""action":"unchanged""#));
        }
        assert!(app.providers.cached(Kind::Cloudflare) <= MAX_ZONES);
    }
    assert_eq!(unchanged, 20_000);
    assert_eq!(app.providers.cached(Kind::Cloudflare), MAX_ZONES);
    gw.stop().await;
}
