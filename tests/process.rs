//! The binary as a router runs it: flags, config errors and exit codes, log lines, signals,
//! and no secret in any log line.

mod common;

use std::time::{Duration, Instant};

use common::aliyun::FakeAliyun;
use common::cloudflare::FakeCloudflare;
use common::fake::FakeResp;
use common::process::{Running, run, scratch};
use common::{request, update_query};

#[test]
fn help_and_version() {
    let dir = scratch("help");
    let (code, out, _) = run(&dir, &["--version"], &[]);
    assert_eq!((code, out.trim()), (0, concat!("ddns-gateway ", env!("CARGO_PKG_VERSION"))));
    let (code, out, _) = run(&dir, &["-h"], &[]);
    assert_eq!(code, 0);
    for flag in
        ["--config", "--auth-tokens", "--methods", "--log-file-path", "--health-disabled", "DDNS_GATEWAY_"]
    {
        assert!(out.contains(flag), "{flag}");
    }
}

#[test]
fn usage_and_config_errors_exit_2_with_one_line() {
    let dir = scratch("usage");
    std::fs::write(dir.join("bad.toml"), "[server]\nport = \"abc\"\n").unwrap();
    // (arguments, environment, what the one line must say)
    type Case<'a> = (&'a [&'a str], &'a [(&'a str, &'a str)], &'a str);
    let cases: &[Case] = &[
        (&["--bogus"], &[], "--bogus"),
        (
            &["--auth-enabled", "--auth-disabled"],
            &[],
            "--auth-enabled and --auth-disabled cannot be used together",
        ),
        (&["--log-file-disabled", "--log-file-enabled"], &[], "--log-file-disabled and --log-file-enabled"),
        (&["--port"], &[], "--port"),
        (&["--port", "abc"], &[], "--port: expected an integer, got \"abc\""),
        (&["--port", "0"], &[], "--port: port must be between 1 and 65535"),
        (&["--methods", "put"], &[], "--methods"),
        (&["--log-level", "chatty"], &[], "--log-level: unknown log level \"chatty\""),
        (&["--config", "bad.toml"], &[], "server.port: expected an integer, got \"abc\""),
        (&["--config", "missing.toml"], &[], "cannot read config file missing.toml"),
        (
            &[],
            &[("DDNS_GATEWAY_HEALTH_ENABLED", "perhaps")],
            "DDNS_GATEWAY_HEALTH_ENABLED: expected a boolean, got \"perhaps\"",
        ),
    ];
    for (args, env, want) in cases {
        let (code, _, err) = run(&dir, args, env);
        assert_eq!(code, 2, "{args:?}: {err}");
        assert_eq!(err.lines().count(), 1, "{args:?}: {err}");
        assert!(err.contains(want), "{args:?}: {err}");
    }
    // A secret in the wrong place is named by key and kind, never printed.
    let token = "tok-9f8e7d6c5b4a39281706";
    let (code, _, err) = run(&dir, &[], &[("DDNS_GATEWAY_AUTH_ENABLED", token)]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("DDNS_GATEWAY_AUTH_ENABLED: expected a boolean, got a string of 24 characters"),
        "{err}"
    );
    let url = "https://user:pa55w0rd-xyz@proxy.example/v4";
    let (code, _, err) = run(&dir, &[], &[("DDNS_GATEWAY_PROVIDERS_CLOUDFLARE_ENDPOINT", url)]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("DDNS_GATEWAY_PROVIDERS_CLOUDFLARE_ENDPOINT: a user or password"), "{err}");
    for (e, secret) in [(&err, "pa55w0rd"), (&err, "user:")] {
        assert!(!e.contains(secret), "{e}");
    }
    let (_, _, err) = run(&dir, &["--port", token], &[]);
    assert!(err.contains("--port: expected an integer, got a string of 24") && !err.contains(token), "{err}");

    // A bad value in the file stops the gateway even when a flag or a variable overrides
    // it, and the line names the file it is in.
    let bad = dir.join("bad.toml");
    let bad = bad.to_str().unwrap();
    let want = format!("ddns-gateway: {bad}: server.port: expected an integer, got \"abc\"");
    type Override<'a> = (&'a [&'a str], &'a [(&'a str, &'a str)]);
    let overrides: [Override; 3] = [
        (&["--config", bad, "--port", "8080"], &[]),
        (&["--config", bad], &[("DDNS_GATEWAY_SERVER_PORT", "8080")]),
        (&["--port", "8080"], &[("DDNS_GATEWAY_CONFIG", bad)]),
    ];
    for (args, env) in overrides {
        let (code, _, err) = run(&dir, args, env);
        assert_eq!((code, err.trim_end()), (2, want.as_str()), "{args:?} {env:?}");
    }

    // The default ./config.toml is read when present.
    std::fs::write(dir.join("config.toml"), "[logging]\nlevel = 5\n").unwrap();
    let (code, _, err) = run(&dir, &[], &[]);
    assert_eq!(code, 2);
    assert!(err.contains("ddns-gateway: config.toml: logging.level: expected a string, got 5"), "{err}");
}

/// A value of at most 12 characters is quoted in a start-up error; the quotes around a
/// string do not count towards the 12.
#[test]
fn short_values_are_quoted_counting_the_value_only() {
    let dir = scratch("shown");
    for (value, want) in [
        ("not_a_number", "server.port: expected an integer, got \"not_a_number\""),
        ("not_a_number!", "server.port: expected an integer, got a string of 13 characters (not shown)"),
    ] {
        std::fs::write(dir.join("port.toml"), format!("[server]\nport = \"{value}\"\n")).unwrap();
        let (code, _, err) = run(&dir, &["--config", "port.toml"], &[]);
        assert_eq!(code, 2, "{err}");
        assert!(err.contains(want), "{err}");
    }
}

#[tokio::test]
async fn bind_failure_and_bad_log_file_exit_1() {
    let dir = scratch("bind");
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    let (code, _, err) = run(&dir, &["--host", "127.0.0.1", "--port", &port], &[]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains(&format!("cannot listen on 127.0.0.1:{port}")), "{err}");
    let (code, _, err) = run(&dir, &["--log-file-enabled", "--log-file-path", "/nonexistent-dir/x.log"], &[]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("cannot open log file /nonexistent-dir/x.log"), "{err}");
}

/// `--healthcheck` reads the same environment as the gateway and exits 0 only when the
/// configured port answers HTTP, within its 2 s deadline.
#[tokio::test]
async fn healthcheck_exits_0_only_when_the_gateway_answers() {
    let dir = scratch("healthcheck");
    // /health disabled (the default): a 404 is still an answer from a live gateway.
    let gw = Running::start(&dir, &[], &[]).await;
    let port = gw.port.to_string();
    let env = [("DDNS_GATEWAY_SERVER_HOST", "0.0.0.0"), ("DDNS_GATEWAY_SERVER_PORT", port.as_str())];
    let t = Instant::now();
    let (code, out, err) = run(&dir, &["--healthcheck"], &env);
    assert_eq!((code, out.as_str()), (0, ""), "{err}");
    assert!(t.elapsed() < Duration::from_secs(2), "{:?}", t.elapsed());
    drop(gw);

    // Nothing listens there any more.
    let t = Instant::now();
    let (code, _, err) = run(&dir, &["--healthcheck"], &env);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("health check: cannot connect"), "{err}");
    assert!(t.elapsed() < Duration::from_secs(2), "{:?}", t.elapsed());

    // A port that accepts but never answers: unhealthy once the deadline passes.
    let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = silent.local_addr().unwrap().port().to_string();
    let t = Instant::now();
    let (code, _, err) = run(&dir, &["--healthcheck", "--host", "127.0.0.1", "--port", &port], &[]);
    let took = t.elapsed();
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("no answer"), "{err}");
    assert!(took >= Duration::from_millis(1900) && took < Duration::from_secs(4), "{took:?}");

    // A broken configuration is unhealthy too, not a usage error.
    let (code, _, err) = run(&dir, &["--healthcheck", "--port", "abc"], &[]);
    assert_eq!(code, 1, "{err}");
}

/// SIGTERM, and SIGHUP likewise (a closed terminal, a supervisor's reload).
#[tokio::test]
async fn sigterm_lets_the_request_in_flight_finish() {
    for sig in ["TERM", "HUP"] {
        let dir = scratch(&format!("sig{sig}"));
        let cf = FakeCloudflare::start("tok", &[("z1", "example.com")]).await;
        let endpoint = format!("http://{}/client/v4", cf.addr);
        let mut gw = Running::start(
            &dir,
            &["--health-enabled"],
            &[("DDNS_GATEWAY_PROVIDERS_CLOUDFLARE_ENDPOINT", &endpoint)],
        )
        .await;
        // The zone lookup takes a second: the stop arrives while the request is in flight.
        let mut slow = FakeResp::json(
            200,
            &serde_json::json!({"success": true, "result": [{"id": "z1", "name": "example.com"}]}),
        );
        slow.delay = Duration::from_millis(1000);
        cf.fail_next(1, slow);
        let addr = gw.addr();
        let path = update_query(&[
            ("provider", "cloudflare"),
            ("zone", "example.com"),
            ("record", "a"),
            ("type", "A"),
            ("value", "1.2.3.4"),
        ]);
        let in_flight = tokio::spawn(async move {
            request(addr, "GET", &path, &[("X-Upstream-Authorization", "ApiKey secret=tok")], b"").await
        });
        tokio::time::sleep(Duration::from_millis(300)).await;
        gw.signal(&format!("-{sig}"));
        let reply = in_flight.await.unwrap();
        assert_eq!(reply.status, 200, "{sig}: {}", reply.body);
        let (code, log) = gw.wait(Duration::from_secs(5)).await;
        assert_eq!(code, 0, "{sig}: {log}");
        assert!(log.contains(&format!("received SIG{sig}, shutting down")), "{log}");
        assert!(log.contains("DDNS Gateway stopped"), "{log}");
    }

    // SIGINT too, when idle: quick.
    let dir = scratch("sigint");
    let mut gw = Running::start(&dir, &[], &[]).await;
    let started = Instant::now();
    gw.signal("-INT");
    let (code, _) = gw.wait(Duration::from_secs(5)).await;
    assert_eq!(code, 0);
    assert!(started.elapsed() < Duration::from_secs(2));
}

#[tokio::test]
async fn log_lines_and_no_secrets() {
    let dir = scratch("logs");
    let cf = FakeCloudflare::start("CF-PROVIDER-SECRET-123", &[("z1", "example.com")]).await;
    let endpoint = format!("http://{}/client/v4", cf.addr);
    // Aliyun echoes the AccessKeyId and the string-to-sign in its errors.
    let ali = FakeAliyun::start("LTAI-ALIYUN-ID-333", "ALIYUN-SECRET-444", &["example.com"]).await;
    let ali_endpoint = format!("http://{}", ali.addr);
    let logfile = dir.join("gw.log");
    std::fs::write(&logfile, "earlier line\n").unwrap();
    std::fs::write(
        dir.join("config.toml"),
        "[auth]\nenabled = true\ntokens = [\"GW-TOKEN-SECRET-456\"]\n[surprise]\nx = 1\n",
    )
    .unwrap();
    let mut gw = Running::start(
        &dir,
        &["--log-level", "debug", "--log-file-enabled", "--log-file-path", logfile.to_str().unwrap()],
        &[
            ("DDNS_GATEWAY_PROVIDERS_CLOUDFLARE_ENDPOINT", &endpoint),
            ("DDNS_GATEWAY_PROVIDERS_ALIYUN_ENDPOINT", &ali_endpoint),
        ],
    )
    .await;
    let path = |v: &str| {
        update_query(&[
            ("provider", "cloudflare"),
            ("zone", "example.com"),
            ("record", "home"),
            ("type", "A"),
            ("value", v),
        ])
    };
    let auth = ("Authorization", "Bearer GW-TOKEN-SECRET-456");
    let good = ("X-Upstream-Authorization", r#"ApiKey id="ID-SECRET-789", secret="CF-PROVIDER-SECRET-123""#);
    let wrong = ("X-Upstream-Authorization", r#"ApiKey secret="WRONG-SECRET-000""#);
    let ali_wrong =
        ("X-Upstream-Authorization", r#"ApiKey id="LTAI-ALIYUN-ID-333", secret="ALIYUN-WRONG-555""#);
    let ali_good =
        ("X-Upstream-Authorization", r#"ApiKey id="LTAI-ALIYUN-ID-333", secret="ALIYUN-SECRET-444""#);
    let replies = [
        request(gw.addr(), "GET", &path("1.2.3.4"), &[auth, good], b"").await,
        request(gw.addr(), "GET", &path("1.2.3.4"), &[auth, good], b"").await,
        request(gw.addr(), "GET", &path("5.6.7.8"), &[auth, good], b"").await,
        request(gw.addr(), "GET", &path("5.6.7.8"), &[auth, wrong], b"").await,
        request(
            gw.addr(),
            "GET",
            &path("5.6.7.8"),
            &[("Authorization", "Bearer WRONG-GW-TOKEN-111"), good],
            b"",
        )
        .await,
        request(
            gw.addr(),
            "GET",
            &path("5.6.7.8"),
            &[auth, ("X-Upstream-Authorization", r#"ApiKey secret="UNTERMINATED-222"#)],
            b"",
        )
        .await,
        request(gw.addr(), "GET", &path("5.6.7.8").replace("cloudflare", "aliyun"), &[auth, ali_wrong], b"")
            .await,
        request(gw.addr(), "GET", &path("5.6.7.8").replace("cloudflare", "aliyun"), &[auth, ali_good], b"")
            .await,
    ];
    let statuses: Vec<u16> = replies.iter().map(|r| r.status).collect();
    assert_eq!(statuses, [200, 200, 200, 502, 403, 400, 502, 200]);
    gw.signal("-TERM");
    let (code, stderr) = gw.wait(Duration::from_secs(5)).await;
    assert_eq!(code, 0);
    let file = std::fs::read_to_string(&logfile).unwrap();
    assert!(file.starts_with("earlier line\n"), "appended, not truncated");

    for log in [&stderr, &file] {
        let want_start =
            format!("DDNS Gateway starting on \"127.0.0.1:{}\" (Methods: GET, POST)", gw_port(log));
        assert!(log.contains(&want_start), "{log}");
        assert!(log.contains("config.toml: unknown keys ignored: surprise"), "{log}");
        assert!(log.contains("cloudflare home.example.com A created 1.2.3.4"), "{log}");
        assert!(log.contains("cloudflare home.example.com A unchanged 1.2.3.4"), "{log}");
        assert!(log.contains("cloudflare home.example.com A updated 1.2.3.4 -> 5.6.7.8"), "{log}");
        assert!(
            log.contains(
                "failed: 502 Failed to query DNS records: Cloudflare refused the credential or permission: 9109 Invalid access token [9109]"
            ),
            "{log}"
        );
        assert!(log.contains("failed: 403 Invalid authentication token"), "{log}");
        assert!(log.contains("aliyun home.example.com A failed: 502 Failed to query DNS records: Aliyun refused the credential or permission: SignatureDoesNotMatch"), "{log}");
        assert!(log.contains("aliyun home.example.com A created 5.6.7.8"), "{log}");
        // Line shape: `2026-01-12 03:58:51 INFO  [ddns_gateway.api] …`
        let line = log.lines().find(|l| l.contains(" created ")).unwrap();
        let b = line.as_bytes();
        assert!(b[4] == b'-' && b[10] == b' ' && b[13] == b':' && &line[19..27] == " INFO  [", "{line}");
        for secret in [
            "GW-TOKEN-SECRET-456",
            "CF-PROVIDER-SECRET-123",
            "ID-SECRET-789",
            "WRONG-SECRET-000",
            "WRONG-GW-TOKEN-111",
            "UNTERMINATED-222",
            "LTAI-ALIYUN-ID-333",
            "ALIYUN-SECRET-444",
            "ALIYUN-WRONG-555",
            "Signature=",
        ] {
            assert!(!log.contains(secret), "{secret} leaked into the log:\n{log}");
        }
    }
    for r in &replies {
        for secret in [
            "GW-TOKEN-SECRET-456",
            "CF-PROVIDER-SECRET-123",
            "ID-SECRET-789",
            "WRONG-SECRET-000",
            "LTAI-ALIYUN-ID-333",
            "ALIYUN-WRONG-555",
        ] {
            assert!(!r.body.contains(secret), "{secret} in reply {}", r.body);
        }
    }
}

fn gw_port(log: &str) -> String {
    let at = log.find("starting on \"127.0.0.1:").expect("startup line") + "starting on \"127.0.0.1:".len();
    log[at..].chars().take_while(char::is_ascii_digit).collect()
}

fn proc_status(pid: u32, field: &str) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let line = status.lines().find(|l| l.starts_with(field)).unwrap();
    line.split_whitespace().nth(1).unwrap().parse().unwrap()
}

fn open_fds(pid: u32) -> usize {
    std::fs::read_dir(format!("/proc/{pid}/fd")).unwrap().count()
}

#[tokio::test]
async fn failing_calls_leak_neither_memory_nor_descriptors() {
    let dir = scratch("leak");
    let cf = FakeCloudflare::start("tok", &[("z1", "example.com")]).await;
    let mut slow = FakeResp::raw(200, b"{}");
    slow.delay = Duration::from_millis(1500);
    cf.state.lock().unwrap().fault_cycle = vec![
        FakeResp::json(
            500,
            &serde_json::json!({"success": false, "errors": [{"code": 10001, "message": "boom"}]}),
        ),
        FakeResp::raw(502, b"<html>bad gateway</html>"),
        FakeResp::raw(200, &vec![b'x'; 1_100_000]),
        FakeResp::json(429, &serde_json::json!({"success": false})).with_header("retry-after", "5"),
        FakeResp::json(
            403,
            &serde_json::json!({"success": false, "errors": [{"code": 9109, "message": "Invalid access token"}]}),
        ),
        slow,
    ];
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap();
    let gw = Running::start(
        &dir,
        &[],
        &[
            ("DDNS_GATEWAY_PROVIDERS_CLOUDFLARE_ENDPOINT", &format!("http://{}/client/v4", cf.addr)),
            ("DDNS_GATEWAY_PROVIDERS_TENCENT_ENDPOINT", &format!("http://{closed}")),
            ("DDNS_GATEWAY_UPSTREAM_TIMEOUT", "1"),
            ("DDNS_GATEWAY_LOGGING_LEVEL", "CRITICAL"),
        ],
    )
    .await;
    let pid = gw.child.id();
    let addr = gw.addr();
    let round = |n: usize| async move {
        let mut tasks = Vec::new();
        for i in 0..n {
            let provider = if i % 4 == 3 { "tencent" } else { "cloudflare" };
            let path = update_query(&[
                ("provider", provider),
                ("zone", "example.com"),
                ("record", &format!("r{i}")),
                ("type", "A"),
                ("value", "1.2.3.4"),
            ]);
            tasks.push(tokio::spawn(async move {
                request(
                    addr,
                    "GET",
                    &path,
                    &[("X-Upstream-Authorization", r#"ApiKey id="i" secret="tok""#)],
                    b"",
                )
                .await
                .status
            }));
        }
        let mut statuses = Vec::new();
        for t in tasks {
            statuses.push(t.await.unwrap());
        }
        statuses
    };
    // Warm up: every kind of failure once, buffers and pools at their working size.
    for _ in 0..3 {
        round(40).await;
    }
    let (rss_before, fds_before) = (proc_status(pid, "VmRSS:"), open_fds(pid));
    let mut seen = std::collections::BTreeSet::new();
    for _ in 0..10 {
        seen.extend(round(40).await);
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    let (rss_after, fds_after) = (proc_status(pid, "VmRSS:"), open_fds(pid));
    eprintln!("400 failing calls: RSS {rss_before} → {rss_after} kB, descriptors {fds_before} → {fds_after}");
    assert!(seen.iter().all(|s| *s >= 500), "only failures: {seen:?}");
    assert!(seen.contains(&502) && seen.contains(&503) && seen.contains(&504), "{seen:?}");
    assert!(
        rss_after <= rss_before + 512,
        "RSS grew from {rss_before} kB to {rss_after} kB over 400 failing calls"
    );
    assert!(fds_after <= fds_before + 2, "descriptors grew from {fds_before} to {fds_after}");
    gw.signal("-TERM");
    let mut gw = gw;
    assert_eq!(gw.wait(Duration::from_secs(5)).await.0, 0);
}

/// What a hostile client or a broken provider sends never reaches the log or a reply as it
/// came: no header text in a parse error, no echoed credential or signature, no control
/// character, and a bounded number of lines for a flood of refused tokens.
#[tokio::test]
async fn hostile_input_never_reaches_the_log_raw() {
    use common::fake::{FakeReq, serve};
    let dir = scratch("hostile");
    // Every provider answers every call with an error whose every field echoes what it was
    // sent: the Authorization header (Cloudflare's token, Tencent's signature) and the
    // query (Aliyun's AccessKeyId and Signature).
    let echo = |req: &FakeReq| {
        let auth = req.header("authorization").unwrap_or("").to_string();
        let query: Vec<String> = req.query.iter().map(|(k, v)| format!("{k}={v}")).collect();
        format!("{auth} {} \u{1b}[2J", query.join("&"))
    };
    let cf = serve(move |req| {
        let e = echo(&req);
        FakeResp::json(
            403,
            &serde_json::json!({"success": false, "errors": [{"code": e, "message": e}], "result": null}),
        )
        .with_header("cf-ray", &e.replace('\u{1b}', ""))
    })
    .await;
    let ali = serve(move |req| {
        let e = echo(&req);
        FakeResp::json(400, &serde_json::json!({"Code": e, "Message": e, "RequestId": e}))
    })
    .await;
    let tc = serve(move |req| {
        let e = echo(&req);
        FakeResp::json(
            200,
            &serde_json::json!({"Response": {"Error": {"Code": e, "Message": e}, "RequestId": e}}),
        )
    })
    .await;
    // Porkbun's keys travel in the JSON body: its echo is of the body.
    let pb = serve(move |req| {
        let e = format!("{} \u{1b}[2J", String::from_utf8_lossy(&req.body));
        FakeResp::json(400, &serde_json::json!({"status": "ERROR", "code": e, "message": e, "requestId": e}))
    })
    .await;
    let endpoints = [
        ("DDNS_GATEWAY_PROVIDERS_CLOUDFLARE_ENDPOINT", format!("http://{cf}/client/v4")),
        ("DDNS_GATEWAY_PROVIDERS_ALIYUN_ENDPOINT", format!("http://{ali}")),
        ("DDNS_GATEWAY_PROVIDERS_TENCENT_ENDPOINT", format!("http://{tc}")),
        ("DDNS_GATEWAY_PROVIDERS_PORKBUN_ENDPOINT", format!("http://{pb}/api/json/v3")),
        ("DDNS_GATEWAY_AUTH_ENABLED", "true".into()),
        ("DDNS_GATEWAY_AUTH_TOKENS", "GW-TOKEN-0123456789".into()),
    ];
    let env: Vec<(&str, &str)> = endpoints.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let mut gw = Running::start(&dir, &[], &env).await;
    let auth = ("Authorization", "Bearer GW-TOKEN-0123456789");
    let q = |provider: &str, value: &str| {
        update_query(&[
            ("provider", provider),
            ("zone", "example.com"),
            ("record", "txt"),
            ("type", "TXT"),
            ("value", value),
        ])
    };

    // Malformed credentials: the reply and the log say where and what, never the text.
    for (header, leak) in [
        ("ApiKey CFSECRET-aaaa1111", "CFSECRET"),
        ("ApiKey secret=abc DEFHALF-bbbb2222", "DEFHALF"),
        (r#"ApiKey id="x", secret="UNCLOSED-cccc3333"#, "UNCLOSED"),
    ] {
        let r = request(
            gw.addr(),
            "GET",
            &q("cloudflare", "x"),
            &[auth, ("X-Upstream-Authorization", header)],
            b"",
        )
        .await;
        assert_eq!(r.status, 400, "{}", r.body);
        assert!(r.json()["message"].as_str().unwrap().contains("field "), "{}", r.body);
        assert!(!r.body.contains(leak) && !r.body.contains("aaaa") && !r.body.contains("bbbb"), "{}", r.body);
    }

    // Providers echoing the credential and the signature into every field.
    let creds = [
        ("cloudflare", r#"ApiKey secret="CF-TOKEN-dddd4444""#),
        ("aliyun", r#"ApiKey id="LTAI-eeee5555" secret="ALI-SECRET-ffff6666""#),
        ("tencent", r#"ApiKey id="AKID-gggg7777" secret="TC-SECRET-hhhh8888""#),
        ("porkbun", r#"ApiKey id="pk1_jjjj1010" secret="sk1_kkkk1111""#),
    ];
    let control = "a\u{1b}[31mb\u{b}c\u{0}d\u{85}e\u{2028}f";
    for (provider, cred) in creds {
        let r = request(
            gw.addr(),
            "GET",
            &q(provider, control),
            &[auth, ("X-Upstream-Authorization", cred)],
            b"",
        )
        .await;
        assert!(r.status >= 400, "{provider}: {}", r.body);
        for leak in
            ["dddd4444", "eeee5555", "ffff6666", "gggg7777", "hhhh8888", "jjjj1010", "kkkk1111", "\\u001b"]
        {
            assert!(!r.body.contains(leak), "{provider} leaked {leak}: {}", r.body);
        }
        let j = r.json();
        assert!(j["provider_error"].is_object(), "{provider}: {}", r.body);
        let sig = j.to_string().to_ascii_lowercase();
        if let Some(at) = sig.find("signature=") {
            assert!(sig[at..].starts_with("signature=<redacted>"), "{provider}: {sig}");
        }
        for field in ["code", "message", "request_id"] {
            let text = j["provider_error"][field].as_str().unwrap_or("");
            assert!(text.chars().count() <= 301, "{provider} {field}: {} characters", text.chars().count());
        }
    }

    // 5,000 requests without a valid token: a bounded number of log lines.
    let lines_before = std::fs::read_to_string(&gw.stderr).unwrap().lines().count();
    let addr = gw.addr();
    let mut tasks = Vec::new();
    for batch in 0..50 {
        tasks.push(tokio::spawn(async move {
            for i in 0..100 {
                let token = format!("Bearer WRONG-{batch}-{i}");
                let h: &[(&str, &str)] = if i % 2 == 0 { &[] } else { &[("Authorization", token.as_str())] };
                let r = request(addr, "GET", "/update?provider=cloudflare", h, b"").await;
                assert!(r.status == 401 || r.status == 403, "{}", r.status);
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    let log = std::fs::read_to_string(&gw.stderr).unwrap();
    let added = log.lines().count() - lines_before;
    assert!(added <= 3, "{added} lines for 5,000 refusals:\n{log}");

    gw.signal("-TERM");
    let (_, log) = gw.wait(Duration::from_secs(5)).await;
    for leak in [
        "CFSECRET", "DEFHALF", "UNCLOSED", "dddd4444", "eeee5555", "ffff6666", "gggg7777", "hhhh8888",
        "jjjj1010", "kkkk1111", "WRONG-",
    ] {
        assert!(!log.contains(leak), "{leak} in the log:\n{log}");
    }
    for raw in ['\u{1b}', '\u{b}', '\u{0}', '\u{85}', '\u{2028}'] {
        assert!(!log.contains(raw), "raw {raw:?} in the log:\n{log}");
    }
    let lower = log.to_ascii_lowercase();
    assert!(
        lower.match_indices("signature=").all(|(at, _)| lower[at..].starts_with("signature=<redacted>")),
        "{log}"
    );

    // A value that reaches the log (the line of a successful update) arrives escaped.
    let fake = FakeCloudflare::start("CF-TOKEN-iiii9999", &[("z1", "example.com")]).await;
    let endpoint = format!("http://{}/client/v4", fake.addr);
    let mut gw =
        Running::start(&dir, &[], &[("DDNS_GATEWAY_PROVIDERS_CLOUDFLARE_ENDPOINT", &endpoint)]).await;
    let cred = ("X-Upstream-Authorization", r#"ApiKey secret="CF-TOKEN-iiii9999""#);
    let r = request(gw.addr(), "GET", &q("cloudflare", control), &[cred], b"").await;
    assert_eq!(r.status, 200, "{}", r.body);
    gw.signal("-TERM");
    let (_, log) = gw.wait(Duration::from_secs(5)).await;
    assert!(log.contains(r"created a\u{1b}[31mb\u{b}c\u{0}d\u{85}e\u{2028}f"), "{log}");
    for raw in ['\u{1b}', '\u{b}', '\u{0}', '\u{85}', '\u{2028}'] {
        assert!(!log.contains(raw), "raw {raw:?} in the log:\n{log}");
    }
}
