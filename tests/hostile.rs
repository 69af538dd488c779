//! Hostile input against the binary, round three: one host's silent connections, a log
//! nobody reads, requests without a token, a provider's megabyte of `signature`, paths that
//! are not small regular files, and a queue of updates for one record. (SIGHUP is with the
//! other signals in `process.rs`.)

mod common;

use std::io::Read;
use std::net::{Ipv4Addr, SocketAddr};
use std::time::{Duration, Instant};

use common::fake::{FakeResp, serve};
use common::process::{Running, run_within, scratch};
use common::{parse_reply, request};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// An update of home.example.com to 192.0.2.1 through Cloudflare.
const HOME: &str = "/update?provider=cloudflare&zone=example.com&record=home&type=A&value=192.0.2.1";

/// `GET /health` from `from`, another loopback address (another host to the gateway): it
/// must be answered 200 within 1 s.
async fn health_from(gw: SocketAddr, from: Ipv4Addr) {
    let reply = tokio::time::timeout(Duration::from_secs(1), async {
        let socket = tokio::net::TcpSocket::new_v4().unwrap();
        socket.bind((from, 0).into()).unwrap();
        let mut s = socket.connect(gw).await.unwrap();
        s.write_all(b"GET /health HTTP/1.1\r\nHost: gw\r\nConnection: close\r\n\r\n").await.unwrap();
        let mut out = Vec::new();
        s.read_to_end(&mut out).await.unwrap();
        out
    })
    .await
    .unwrap_or_else(|_| panic!("/health from {from} not answered within 1 s"));
    assert_eq!(parse_reply(&reply).status, 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn silent_connections_from_one_host_lock_nobody_out() {
    let dir = scratch("silent-flood");
    let gw = Running::start(&dir, &["--health-enabled"], &[]).await;
    let addr = gw.addr();
    // 2,000 connections from 127.0.0.1 as fast as they go, none sending a byte, all kept.
    let flood = std::thread::spawn(move || {
        let until = Instant::now() + Duration::from_secs(10);
        let mut held = Vec::new();
        while held.len() < 2000 && Instant::now() < until {
            if let Ok(s) = std::net::TcpStream::connect_timeout(&addr, Duration::from_secs(2)) {
                held.push(s);
            }
        }
        held
    });
    // Other hosts are answered at once, during the flood and once it is all open.
    let mut host = 2;
    while !flood.is_finished() {
        health_from(addr, Ipv4Addr::new(127, 0, 0, host)).await;
        host += 1;
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let held = flood.join().unwrap();
    assert_eq!(held.len(), 2000, "connections made within 10 s");
    for _ in 0..3 {
        health_from(addr, Ipv4Addr::new(127, 0, 0, host)).await;
        host += 1;
    }
    drop(held);
}

/// `n` requests that each write a log line (a 422 for missing fields), 20 at a time, each
/// answered within 5 s.
async fn logged_requests(addr: SocketAddr, n: usize) {
    let tasks: Vec<_> = (0..20)
        .map(|w| {
            tokio::spawn(async move {
                for _ in (w..n).step_by(20) {
                    let r = tokio::time::timeout(
                        Duration::from_secs(5),
                        request(addr, "GET", "/update?provider=cloudflare", &[], b""),
                    )
                    .await
                    .expect("answered within 5 s");
                    assert_eq!(r.status, 422, "{}", r.body);
                }
            })
        })
        .collect();
    for t in tasks {
        t.await.unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stalled_log_reader_freezes_nothing() {
    let dir = scratch("stalled-log");
    // stderr on a pipe nobody reads: it fills after a few hundred lines.
    let (mut gw, pipe) = Running::start_piped(&dir, &["--health-enabled"], &[]).await;
    logged_requests(gw.addr(), 1000).await;
    health_from(gw.addr(), Ipv4Addr::new(127, 0, 0, 2)).await;
    gw.signal("-TERM");
    let (code, _) = gw.wait(Duration::from_secs(5)).await;
    assert_eq!(code, 0, "exit after SIGTERM with the log still stalled");
    drop(pipe);

    // Once the reader is back, the next line says how many were dropped meanwhile.
    let (mut gw, mut pipe) = Running::start_piped(&dir, &[], &[]).await;
    logged_requests(gw.addr(), 1000).await;
    let reader = std::thread::spawn(move || {
        let mut log = String::new();
        pipe.read_to_string(&mut log).unwrap();
        log
    });
    tokio::time::sleep(Duration::from_millis(300)).await;
    logged_requests(gw.addr(), 1).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    gw.signal("-TERM");
    assert_eq!(gw.wait(Duration::from_secs(5)).await.0, 0);
    let log = reader.join().unwrap();
    let notice = log.lines().find(|l| l.contains("log line(s) dropped")).unwrap_or_else(|| panic!("{log}"));
    assert!(notice.contains(" WARNING [ddns_gateway.log] "), "{notice}");
    let dropped: usize =
        notice.split(']').nth(1).unwrap().split_whitespace().next().unwrap().parse().unwrap();
    let kept = log.lines().filter(|l| l.contains("/update failed: 422")).count();
    assert!(dropped > 0 && kept > 0, "{kept} kept, {dropped} dropped");
    assert_eq!(kept + dropped, 1001, "every line written whole or counted as dropped");
    assert!(log.ends_with("DDNS Gateway stopped\n"), "{log}");
}

#[tokio::test]
async fn requests_without_a_token_add_at_most_two_log_lines() {
    for (methods, method) in [("get,post", "PUT"), ("post", "GET")] {
        let dir = scratch(&format!("untokened-{method}"));
        let args = ["--auth-enabled", "--auth-tokens", "GW-TOKEN-1234", "--methods", methods];
        let mut gw = Running::start(&dir, &args, &[]).await;
        for i in 0..100 {
            let wrong = format!("Bearer WRONG-{i}");
            let auth: &[(&str, &str)] = if i % 2 == 0 { &[] } else { &[("Authorization", &wrong)] };
            let r = request(gw.addr(), method, "/update?provider=cloudflare", auth, b"").await;
            assert!(r.status == 401 || r.status == 403, "{method}: {} {}", r.status, r.body);
        }
        // With the token, the method is what is wrong (and that is logged).
        let auth = [("Authorization", "Bearer GW-TOKEN-1234")];
        let r = request(gw.addr(), method, "/update?provider=cloudflare", &auth, b"").await;
        assert_eq!(
            (r.status, r.header("allow")),
            (405, Some(if methods == "post" { "POST" } else { "GET, POST" }))
        );
        gw.signal("-TERM");
        let (code, log) = gw.wait(Duration::from_secs(5)).await;
        assert_eq!(code, 0);
        let refused = log.lines().filter(|l| l.contains("/update") && !l.contains(" 405 ")).count();
        assert!(refused <= 2, "{method}: {refused} lines for 100 requests without a token:\n{log}");
        assert!(log.contains("failed: 405"), "{log}");
    }
}

#[tokio::test]
async fn a_megabyte_of_signature_from_a_provider_is_answered_at_once() {
    let dir = scratch("signature");
    // As long a message as a provider answer may be (whatever that cap is).
    let message = "signature".repeat((ddns_gateway::upstream::MAX_RESPONSE - 1024) / 9);
    let body =
        serde_json::json!({"success": false, "errors": [{"code": 9109, "message": message}], "result": null});
    let cf = serve(move |_| FakeResp::json(403, &body)).await;
    let endpoint = format!("http://{cf}/client/v4");
    let gw = Running::start(&dir, &[], &[("DDNS_GATEWAY_PROVIDERS_CLOUDFLARE_ENDPOINT", &endpoint)]).await;
    let cred = [("X-Upstream-Authorization", r#"ApiKey secret="CF-TOKEN-5678""#)];
    let started = Instant::now();
    let r = tokio::time::timeout(Duration::from_secs(1), request(gw.addr(), "GET", HOME, &cred, b""))
        .await
        .expect("answered within 1 s");
    eprintln!("answered in {:?}", started.elapsed());
    assert_eq!(r.status, 502, "{}", r.body);
    let passed_on = r.json()["provider_error"]["message"].as_str().unwrap().to_string();
    assert_eq!(passed_on, format!("{}…", &message[..300]));
}

#[test]
fn config_and_log_paths_that_are_not_small_regular_files_are_refused() {
    let dir = scratch("paths");
    let fifo = |name: &str| {
        let path = dir.join(name);
        let c = std::ffi::CString::new(path.to_str().unwrap()).unwrap();
        // SAFETY: a valid C string; mkfifo only creates the node.
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
        path.to_str().unwrap().to_string()
    };
    let config_fifo = fifo("fifo.toml");
    let log_fifo = fifo("log.fifo");
    let big = dir.join("big.toml");
    std::fs::write(&big, "# SECRET-CONTENT of a very long comment\n".repeat(10 << 20 >> 5)).unwrap();
    let big = big.to_str().unwrap();
    let limit = Duration::from_secs(2);
    for (path, why) in [
        (config_fifo.as_str(), "not a regular file"),
        ("/dev/zero", "not a regular file"),
        (big, "larger than 64 KiB"),
    ] {
        let (code, err, took) = run_within(&dir, &["--config", path], limit);
        assert_eq!(code, 2, "{path}: {err}");
        assert!(took < limit, "{path}: {took:?}");
        assert_eq!(err.trim_end(), format!("ddns-gateway: cannot read config file {path}: {why}"));
    }
    // The default ./config.toml likewise.
    let cwd = dir.join("cwd");
    std::fs::create_dir(&cwd).unwrap();
    std::fs::rename(&config_fifo, cwd.join("config.toml")).unwrap();
    let (code, err, _) = run_within(&cwd, &[], limit);
    assert_eq!(
        (code, err.trim_end()),
        (2, "ddns-gateway: cannot read config file config.toml: not a regular file")
    );
    // A log file is a regular file (created when missing), never a FIFO or a device.
    for path in [log_fifo.as_str(), "/dev/null"] {
        let (code, err, took) = run_within(&dir, &["--log-file-enabled", "--log-file-path", path], limit);
        assert_eq!(code, 1, "{path}: {err}");
        assert!(took < limit, "{path}: {took:?}");
        assert_eq!(err.trim_end(), format!("ddns-gateway: cannot open log file {path}: not a regular file"));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn updates_beyond_what_may_queue_for_one_record_are_refused_at_once() {
    let dir = scratch("record-queue");
    // A bad credential: every call is refused, after 50 ms.
    let mut refused = FakeResp::json(
        403,
        &serde_json::json!({"success": false, "errors": [{"code": 9109, "message": "Invalid access token"}]}),
    );
    refused.delay = Duration::from_millis(50);
    let cf = serve(move |_| refused.clone()).await;
    let endpoint = format!("http://{cf}/client/v4");
    let gw = Running::start(
        &dir,
        &["--health-enabled", "--log-level", "critical"],
        &[("DDNS_GATEWAY_PROVIDERS_CLOUDFLARE_ENDPOINT", &endpoint)],
    )
    .await;
    let addr = gw.addr();
    let started = Instant::now();
    let tasks: Vec<_> = (0..300)
        .map(|_| {
            tokio::spawn(async move {
                request(addr, "GET", HOME, &[("X-Upstream-Authorization", "ApiKey secret=bad-token")], b"")
                    .await
            })
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(200)).await;
    health_from(addr, Ipv4Addr::new(127, 0, 0, 2)).await;
    let (mut denied, mut busy) = (0, 0);
    for t in tasks {
        let r = t.await.unwrap();
        match r.status {
            502 => denied += 1,
            503 => {
                assert_eq!(r.header("retry-after"), Some("15"), "{}", r.body);
                assert_eq!(r.json()["message"], "Too many updates of this record at once; retry after 15 s");
                busy += 1;
            }
            other => panic!("{other}: {}", r.body),
        }
    }
    eprintln!("{denied} refused by the provider, {busy} refused at once, in {:?}", started.elapsed());
    assert!(busy >= 150, "only {busy} of 300 refused at once");
}
