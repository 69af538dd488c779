//! Webhook notifications and `/status`, over real sockets: the gateway on loopback, a fake
//! Cloudflare, and a webhook receiver (`common::fake::serve`) that records what it got.

mod common;

use std::net::SocketAddr;
use std::path::Path;
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::cloudflare::FakeCloudflare;
use common::fake::{FakeReq, FakeResp, serve};
use common::{Gateway, process, request, update_query};
use ddns_gateway::config::Config;
use ddns_gateway::providers::Kind;
use ddns_gateway::upstream::Endpoint;
use serde_json::{Value, json};

const CF_TOKEN: &str = "cf-token-Zq8SECRET";
const CRED: &str = r#"ApiKey secret="cf-token-Zq8SECRET""#;
const GW_TOKEN: &str = "gw-token-Hk3SECRET";
/// In the webhook URL's path and query, as a bot token would be.
const HOOK_SECRET: &str = "bot123:HOOK-SECRET";

/// How the receiver answers.
const OK: u8 = 0;
const FAIL_500: u8 = 1;
const HANG: u8 = 2;

/// A webhook receiver on loopback: what it got, and how it answers now.
struct Receiver {
    addr: SocketAddr,
    got: Arc<Mutex<Vec<FakeReq>>>,
    mode: Arc<AtomicU8>,
}

impl Receiver {
    async fn start(mode: u8) -> Receiver {
        let got = Arc::new(Mutex::new(Vec::new()));
        let mode = Arc::new(AtomicU8::new(mode));
        let (g, m) = (got.clone(), mode.clone());
        let addr = serve(move |req| {
            g.lock().unwrap().push(req);
            match m.load(Ordering::SeqCst) {
                OK => FakeResp::json(200, &json!({"ok": true})),
                FAIL_500 => FakeResp::raw(500, format!("upstream broke; you sent {HOOK_SECRET}").as_bytes()),
                _ => {
                    let mut r = FakeResp::raw(200, b"late");
                    r.delay = Duration::from_secs(60);
                    r
                }
            }
        })
        .await;
        Receiver { addr, got, mode }
    }

    /// The webhook URL, with a secret in its path and query.
    fn url(&self) -> String {
        format!("http://{}/hook/{HOOK_SECRET}/send?key=KEY-SECRET", self.addr)
    }

    fn count(&self) -> usize {
        self.got.lock().unwrap().len()
    }

    /// Waits (bounded) until `n` requests arrived; returns them all.
    async fn wait_for(&self, n: usize) -> Vec<FakeReq> {
        let deadline = Instant::now() + Duration::from_secs(10);
        while self.count() < n {
            assert!(Instant::now() < deadline, "{} of {n} notifications arrived", self.count());
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        self.got.lock().unwrap().clone()
    }
}

/// A gateway config from `[notify]` TOML (and more), its Cloudflare at `cf`.
fn config(cf: &FakeCloudflare, toml: &str) -> Config {
    let mut c = Config::from_toml_text(toml).unwrap_or_else(|e| panic!("{e}\n{toml}"));
    c.upstream_timeout = Duration::from_secs(5);
    c.set_endpoint(Kind::Cloudflare, Endpoint::parse(&format!("http://{}/client/v4", cf.addr)).unwrap());
    c
}

async fn fake_cf() -> FakeCloudflare {
    FakeCloudflare::start(CF_TOKEN, &[("z1", "example.com")]).await
}

/// A fake Cloudflare, a receiver that answers 200, and a gateway whose `[notify]` sends
/// there, with `more` lines in that section.
async fn setup(more: &str) -> (FakeCloudflare, Receiver, Gateway) {
    let cf = fake_cf().await;
    let hook = Receiver::start(OK).await;
    let gw = Gateway::start(config(&cf, &format!("[notify]\nurl = \"{}\"\n{more}", hook.url()))).await;
    (cf, hook, gw)
}

async fn update(gw: &Gateway, record: &str, rtype: &str, value: &str) -> common::Reply {
    update_at(gw.addr, record, rtype, value).await
}

async fn update_at(addr: SocketAddr, record: &str, rtype: &str, value: &str) -> common::Reply {
    let q = update_query(&[
        ("provider", "cloudflare"),
        ("zone", "example.com"),
        ("record", record),
        ("type", rtype),
        ("value", value),
    ]);
    request(
        addr,
        "GET",
        &q,
        &[("X-Upstream-Authorization", CRED), ("Authorization", &format!("Bearer {GW_TOKEN}"))],
        b"",
    )
    .await
}

fn events(got: &[FakeReq]) -> Vec<String> {
    got.iter().map(|r| r.json()["event"].as_str().unwrap_or("?").to_string()).collect()
}

#[tokio::test]
async fn default_body_for_created_and_updated_and_nothing_for_unchanged() {
    let (_cf, hook, gw) = setup("").await;

    assert_eq!(update(&gw, "home", "A", "1.2.3.4").await.status, 200);
    assert_eq!(update(&gw, "home", "A", "1.2.3.4").await.json()["action"], "unchanged");
    assert_eq!(update(&gw, "home", "A", "5.6.7.8").await.json()["action"], "updated");
    // One queue, sent in order: once the third update's notification is in, an unchanged
    // one would have come before it.
    let got = hook.wait_for(2).await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(events(&hook.got.lock().unwrap()), ["created", "updated"]);

    let r = &got[0];
    assert_eq!((r.method.as_str(), r.path.as_str()), ("POST", format!("/hook/{HOOK_SECRET}/send").as_str()));
    assert_eq!(r.param("key"), Some("KEY-SECRET"));
    assert_eq!(r.header("content-type"), Some("application/json"));
    let body = r.json();
    let keys: Vec<&str> = body.as_object().unwrap().keys().map(String::as_str).collect();
    let mut want =
        ["event", "provider", "zone", "record", "fqdn", "type", "value", "previous_value", "message", "time"];
    want.sort();
    assert_eq!(keys, want);
    let created = r.json();
    assert_eq!(
        (&created["provider"], &created["zone"], &created["record"], &created["fqdn"], &created["type"]),
        (
            &json!("cloudflare"),
            &json!("example.com"),
            &json!("home"),
            &json!("home.example.com"),
            &json!("A")
        )
    );
    assert_eq!((&created["value"], &created["previous_value"]), (&json!("1.2.3.4"), &Value::Null));
    assert_eq!(created["message"], "cloudflare home.example.com A created: 1.2.3.4");
    let time = created["time"].as_str().unwrap();
    assert!(time.len() == 20 && time.ends_with('Z') && time.as_bytes()[10] == b'T', "{time}");
    let updated = got[1].json();
    assert_eq!((&updated["value"], &updated["previous_value"]), (&json!("5.6.7.8"), &json!("1.2.3.4")));
    assert_eq!(updated["message"], "cloudflare home.example.com A updated: 1.2.3.4 -> 5.6.7.8");
    gw.stop().await;
}

#[tokio::test]
async fn one_failed_for_three_failures_in_a_row_then_one_recovered() {
    let (cf, hook, gw) = setup("").await;
    assert_eq!(update(&gw, "home", "A", "1.2.3.4").await.status, 200);
    hook.wait_for(1).await;

    let boom = json!({"success": false, "errors": [{"code": 10000, "message": "Authentication error"}]});
    cf.fail_next(3, FakeResp::json(403, &boom));
    for _ in 0..3 {
        assert_eq!(update(&gw, "home", "A", "5.6.7.8").await.status, 502);
    }
    assert_eq!(update(&gw, "home", "A", "5.6.7.8").await.json()["action"], "updated");
    let got = hook.wait_for(4).await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(events(&hook.got.lock().unwrap()), ["created", "failed", "recovered", "updated"]);
    let failed = got[1].json();
    assert_eq!((&failed["value"], &failed["previous_value"]), (&json!("5.6.7.8"), &json!("1.2.3.4")));
    let message = failed["message"].as_str().unwrap();
    assert!(
        message.starts_with("cloudflare home.example.com A failed: 502 Failed to query DNS records:"),
        "{message}"
    );
    assert!(message.contains("10000 Authentication error"), "{message}");
    assert_eq!(
        got[2].json()["message"],
        "cloudflare home.example.com A recovered after 3 failed update(s): 5.6.7.8"
    );

    // Failing again after the recovery is a new `failed`.
    cf.fail_next(1, FakeResp::json(403, &boom));
    assert_eq!(update(&gw, "home", "A", "9.9.9.9").await.status, 502);
    hook.wait_for(5).await;
    assert_eq!(events(&hook.got.lock().unwrap())[4], "failed");
    gw.stop().await;
}

#[tokio::test]
async fn a_request_the_gateway_refuses_is_no_record_failure() {
    let (_cf, hook, gw) = setup("").await;
    // A bad value (422 from our own checks) and a missing credential (400): nothing counts.
    assert_eq!(update(&gw, "home", "A", "1.2.3.999").await.status, 422);
    let q = update_query(&[
        ("provider", "cloudflare"),
        ("zone", "example.com"),
        ("record", "home"),
        ("type", "A"),
        ("value", "1.2.3.4"),
    ]);
    assert_eq!(gw.get(&q, &[]).await.status, 400);
    assert_eq!(update(&gw, "home", "A", "1.2.3.4").await.status, 200);
    hook.wait_for(1).await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(events(&hook.got.lock().unwrap()), ["created"]);
    let status = gw.get("/status", &[]).await.json();
    assert_eq!(status["records"][0]["failures"], 0);
    gw.stop().await;
}

#[tokio::test]
async fn json_template_escapes_quotes_and_backslashes() {
    let (_cf, hook, gw) =
        setup(r#"body = '{"text":"{event}: {value}","fqdn":"{fqdn}","was":"{previous_value}"}'"#).await;
    let value = r#"say "hi" \ to C:\path {value} é"#;
    assert_eq!(update(&gw, "txt", "TXT", value).await.status, 200);
    let got = hook.wait_for(1).await;
    let body: Value = serde_json::from_slice(&got[0].body)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&got[0].body)));
    assert_eq!(body, json!({"text": format!("created: {value}"), "fqdn": "txt.example.com", "was": ""}));
    gw.stop().await;
}

#[tokio::test]
async fn form_template_percent_encodes_each_field() {
    let form = "content_type = \"application/x-www-form-urlencoded\"\nbody = \"chat_id=42&text={message}&v={value}\"";
    let (_cf, hook, gw) = setup(form).await;
    let value = "a&b=c d+e%f\"g";
    assert_eq!(update(&gw, "txt", "TXT", value).await.status, 200);
    let got = hook.wait_for(1).await;
    assert_eq!(got[0].header("content-type"), Some("application/x-www-form-urlencoded"));
    let text = String::from_utf8(got[0].body.clone()).unwrap();
    let pairs = ddns_gateway::urlenc::decode_pairs(&text).unwrap();
    let want = [
        ("chat_id", "42"),
        ("text", &format!("cloudflare txt.example.com TXT created: {value}")),
        ("v", value),
    ];
    assert_eq!(pairs, want.map(|(k, v)| (k.to_string(), v.to_string())));
    gw.stop().await;
}

/// `n` updates of one record, each a change; returns the slowest reply and the total time.
async fn timed_updates(gw: &Gateway, n: usize) -> (Duration, Duration) {
    let start = Instant::now();
    let mut slowest = Duration::ZERO;
    for i in 0..n {
        let t = Instant::now();
        let r = update(gw, "home", "A", &format!("10.0.0.{}", i % 200 + 1)).await;
        assert_eq!(r.status, 200, "{}", r.body);
        slowest = slowest.max(t.elapsed());
    }
    (slowest, start.elapsed())
}

#[tokio::test]
async fn hanging_or_failing_webhooks_never_slow_an_update() {
    const N: usize = 40;
    let cf = fake_cf().await;
    let gw = Gateway::start(config(&cf, "")).await;
    let (_, without) = timed_updates(&gw, N).await;
    gw.stop().await;

    for mode in [HANG, FAIL_500] {
        let hook = Receiver::start(mode).await;
        let gw = Gateway::start(config(&cf, &format!("[notify]\nurl = \"{}\"\n", hook.url()))).await;
        let (slowest, with) = timed_updates(&gw, N).await;
        // Generous: a reply never waits for the webhook (a hanging one would take 10 s).
        assert!(slowest < Duration::from_secs(1), "mode {mode}: slowest reply {slowest:?}");
        assert!(
            with < without * 3 + Duration::from_millis(500),
            "mode {mode}: {with:?} vs {without:?} without"
        );
        match mode {
            // The one worker is stuck on the first: nothing else was sent meanwhile.
            HANG => assert_eq!(hook.count(), 1),
            // Each tried at most twice (one retry a second later): a couple so far, not N.
            _ => {
                let got = hook.wait_for(2).await;
                assert_eq!(events(&got[..2]), ["updated", "updated"]);
                assert!(hook.count() <= 4, "{}", hook.count());
            }
        }
        // /status answers meanwhile too.
        assert_eq!(gw.get("/status", &[]).await.status, 200);
        gw.stop().await;
    }
}

#[tokio::test]
async fn status_needs_the_token_and_shows_each_record_without_secrets() {
    let cf = fake_cf().await;
    let hook = Receiver::start(OK).await;
    let toml = format!(
        "[auth]\nenabled = true\ntokens = [\"{GW_TOKEN}\"]\n[notify]\nurl = \"{}\"\nheaders = [\"Authorization: Bearer HDR-SECRET\"]\n",
        hook.url()
    );
    let gw = Gateway::start(config(&cf, &toml)).await;

    let r = gw.get("/status", &[]).await;
    assert_eq!(r.status, 401, "{}", r.body);
    assert_eq!(r.header("www-authenticate"), Some("Bearer realm=\"ddns-gateway\""));
    assert_eq!(gw.get("/status", &[("Authorization", "Bearer wrong")]).await.status, 403);
    let auth = format!("Bearer {GW_TOKEN}");
    let r = gw.post("/status", &[("Authorization", &auth)], b"").await;
    assert_eq!((r.status, r.header("allow")), (405, Some("GET, HEAD")));
    let empty = gw.get("/status", &[("Authorization", &auth)]).await.json();
    assert_eq!((&empty["status"], &empty["records"]), (&json!("ok"), &json!([])));
    assert_eq!(empty["version"], env!("CARGO_PKG_VERSION"));
    assert!(empty["uptime"].as_u64().is_some());

    assert_eq!(update(&gw, "home", "A", "1.2.3.4").await.status, 200);
    assert_eq!(update(&gw, "home", "A", "1.2.3.4").await.status, 200);
    assert_eq!(update(&gw, "v6", "AAAA", "2001:db8::1").await.status, 200);
    cf.fail_next(2, FakeResp::json(403, &json!({"success": false, "errors": [{"code": 9109, "message": format!("Invalid access token {CF_TOKEN}")}]})));
    assert_eq!(update(&gw, "v6", "AAAA", "2001:db8::2").await.status, 502);
    assert_eq!(update(&gw, "new", "A", "1.1.1.1").await.status, 502);

    let r = gw.get("/status", &[("Authorization", &auth)]).await;
    assert_eq!((r.status, r.header("content-type")), (200, Some("application/json")));
    for secret in [CF_TOKEN, GW_TOKEN, "HOOK-SECRET", "KEY-SECRET", "HDR-SECRET", "/hook/"] {
        assert!(!r.body.contains(secret), "{secret} in {}", r.body);
    }
    let records = r.json()["records"].as_array().unwrap().clone();
    let by_name =
        |fqdn: &str| records.iter().find(|r| r["fqdn"] == fqdn).unwrap_or_else(|| panic!("{fqdn}")).clone();
    assert_eq!(records.len(), 3);
    let home = by_name("home.example.com");
    assert_eq!(
        (&home["provider"], &home["type"], &home["value"], &home["last_action"]),
        (&json!("cloudflare"), &json!("A"), &json!("1.2.3.4"), &json!("unchanged"))
    );
    assert_eq!(
        (&home["updates"], &home["failures"], &home["last_error"], &home["last_error_at"]),
        (&json!(2), &json!(0), &Value::Null, &Value::Null)
    );
    assert!(home["last_success"].as_str().unwrap().ends_with('Z'));
    let v6 = by_name("v6.example.com");
    assert_eq!(
        (&v6["value"], &v6["last_action"], &v6["updates"], &v6["failures"]),
        (&json!("2001:db8::1"), &json!("failed"), &json!(1), &json!(1))
    );
    let error = v6["last_error"].as_str().unwrap();
    assert!(error.contains("9109 Invalid access token <redacted>"), "{error}");
    assert!(v6["last_error_at"].as_str().unwrap().ends_with('Z'));
    let new = by_name("new.example.com");
    assert_eq!(
        (&new["value"], &new["last_success"], &new["failures"]),
        (&Value::Null, &Value::Null, &json!(1))
    );
    // HEAD works, and /status is never a notification.
    assert_eq!(request(gw.addr, "HEAD", "/status", &[("Authorization", &auth)], b"").await.status, 200);
    gw.stop().await;
}

// --- The README's recipes -----------------------------------------------------------------

/// Each recipe block of the README's Notifications section: (service, TOML).
fn readme_recipes() -> Vec<(String, String)> {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let start = readme.find("\n## Notifications").expect("a Notifications section");
    let section = &readme[start + 1..];
    let section = &section[..section[3..].find("\n## ").map_or(section.len(), |i| i + 3)];
    let mut out = Vec::new();
    for block in section.split("```toml\n").skip(1) {
        let toml = &block[..block.find("```").unwrap()];
        let name = toml.lines().next().unwrap().trim_start_matches('#').trim().to_string();
        out.push((name, toml.to_string()));
    }
    out
}

/// The recipe's URL pointed at the receiver: scheme and host replaced, path and query kept.
fn to_loopback(toml: &str, addr: SocketAddr) -> String {
    let at = toml.find("url = \"https://").unwrap() + "url = \"".len();
    let host_end = at + "https://".len() + toml[at + 8..].find(['/', '"']).unwrap();
    format!("{}http://{addr}{}", &toml[..at], &toml[host_end..])
}

fn text_of(v: &Value) -> &str {
    v.as_str().filter(|s| !s.is_empty()).unwrap_or_else(|| panic!("not a text: {v}"))
}

#[tokio::test]
async fn every_readme_recipe_makes_a_request_its_service_takes() {
    let recipes = readme_recipes();
    let names: Vec<&str> = recipes.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["ntfy", "Telegram", "Bark", "WeCom", "DingTalk", "Feishu", "Discord", "Slack"]);
    let cf = fake_cf().await;
    for (i, (name, toml)) in recipes.iter().enumerate() {
        let hook = Receiver::start(OK).await;
        let gw = Gateway::start(config(&cf, &to_loopback(toml, hook.addr))).await;
        // Slack's recipe sends only failed and recovered.
        let record = format!("r{i}");
        if name == "Slack" {
            cf.fail_next(
                1,
                FakeResp::json(
                    500,
                    &json!({"success": false, "errors": [{"code": 10001, "message": "boom"}]}),
                ),
            );
            assert_eq!(update(&gw, &record, "A", "203.0.113.7").await.status, 502);
        }
        assert_eq!(update(&gw, &record, "A", "203.0.113.7").await.status, 200);
        let got = hook.wait_for(1).await;
        let r = &got[0];
        assert_eq!(r.method, "POST", "{name}");
        let fqdn = format!("r{i}.example.com");
        let json = || -> Value {
            assert!(r.header("content-type").unwrap().starts_with("application/json"), "{name}");
            serde_json::from_slice(&r.body).unwrap_or_else(|e| panic!("{name}: not JSON ({e})"))
        };
        match name.as_str() {
            // A text body: the message; title and tags from headers.
            "ntfy" => {
                assert!(r.path.starts_with('/') && r.path.len() > 8, "{name}: {}", r.path);
                let body = String::from_utf8(r.body.clone()).unwrap();
                assert!(body.contains(&fqdn) && body.contains("created"), "{name}: {body}");
                assert_eq!(r.header("title"), Some("ddns-gateway"));
                assert!(r.header("tags").is_some());
            }
            "Telegram" => {
                assert!(r.path.starts_with("/bot") && r.path.ends_with("/sendMessage"), "{}", r.path);
                let b = json();
                text_of(&b["chat_id"]);
                assert!(text_of(&b["text"]).contains(&fqdn));
            }
            "Bark" => {
                assert_eq!(r.path, "/push");
                let b = json();
                text_of(&b["device_key"]);
                assert!(text_of(&b["body"]).contains(&fqdn));
                assert_eq!(b["title"], "DDNS created");
            }
            "WeCom" | "DingTalk" => {
                let (path, key) = if name == "WeCom" {
                    ("/cgi-bin/webhook/send", "key")
                } else {
                    ("/robot/send", "access_token")
                };
                assert_eq!(r.path, path);
                assert!(r.param(key).is_some_and(|k| !k.is_empty()), "{name}");
                let b = json();
                assert_eq!(b["msgtype"], "text");
                assert!(text_of(&b["text"]["content"]).contains(&fqdn));
                if name == "DingTalk" {
                    assert!(text_of(&b["text"]["content"]).contains("DDNS"), "the keyword");
                }
            }
            "Feishu" => {
                assert!(r.path.starts_with("/open-apis/bot/v2/hook/"), "{}", r.path);
                let b = json();
                assert_eq!(b["msg_type"], "text");
                assert!(text_of(&b["content"]["text"]).contains("DDNS"));
            }
            "Discord" => {
                assert!(r.path.starts_with("/api/webhooks/"), "{}", r.path);
                let content = text_of(&json()["content"]).to_string();
                assert!(content.contains(&fqdn) && content.chars().count() <= 2000);
            }
            "Slack" => {
                assert!(r.path.starts_with("/services/"), "{}", r.path);
                let b = json();
                assert!(text_of(&b["text"]).contains("failed"), "{b}");
                let got = hook.wait_for(2).await;
                let b: Value = serde_json::from_slice(&got[1].body).unwrap();
                assert!(text_of(&b["text"]).contains("recovered"), "{b}");
            }
            other => panic!("no check for {other}"),
        }
        gw.stop().await;
    }
}

// --- The binary: config errors, --check-notify, a bad webhook under load ---------------

/// `process::run` off the runtime, so the receiver keeps serving meanwhile: (exit code,
/// stdout, stderr).
async fn run(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> (i32, String, String) {
    let dir = dir.to_path_buf();
    let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
    let env: Vec<(String, String)> = env.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    tokio::task::spawn_blocking(move || {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        process::run(&dir, &args, &env)
    })
    .await
    .unwrap()
}

#[tokio::test]
async fn bad_notify_settings_stop_the_start_with_exit_2() {
    let dir = process::scratch("bad");
    for (key, value, want) in [
        (
            "DDNS_GATEWAY_NOTIFY_URL",
            "ftp://h/bot1:URL-SECRET",
            "DDNS_GATEWAY_NOTIFY_URL: expected an http:// or https:// URL",
        ),
        (
            "DDNS_GATEWAY_NOTIFY_EVENTS",
            "created,changed",
            "DDNS_GATEWAY_NOTIFY_EVENTS: unknown event \"changed\"",
        ),
        (
            "DDNS_GATEWAY_NOTIFY_HEADERS",
            "Title: x\nBearer HDR-SECRET",
            "DDNS_GATEWAY_NOTIFY_HEADERS: header 2: expected Name: value",
        ),
    ] {
        let (code, _, err) = run(&dir, &["--port", "1"], &[(key, value)]).await;
        assert_eq!((code, err.lines().count()), (2, 1), "{err}");
        assert!(err.starts_with(&format!("ddns-gateway: {want}")), "{err}");
        assert!(!err.contains("SECRET"), "{err}");
    }
}

#[tokio::test]
async fn check_notify_sends_one_test_and_says_how_it_went() {
    let dir = process::scratch("check");
    let hook = Receiver::start(OK).await;
    let url = hook.url();
    let (code, out, err) = run(&dir, &["--check-notify"], &[("DDNS_GATEWAY_NOTIFY_URL", &url)]).await;
    assert_eq!(code, 0, "{out}{err}");
    assert_eq!(
        out.trim(),
        format!("test notification sent to http://{}: HTTP 200: {{\"ok\":true}}", hook.addr)
    );
    let got = hook.wait_for(1).await;
    assert_eq!((got[0].json()["event"].as_str(), got.len()), (Some("test"), 1));
    assert_eq!(got[0].json()["fqdn"], "ddns-gateway-test.example.com");

    // A 500 is tried once more, then exit 1 with the answer, its secrets replaced.
    hook.mode.store(FAIL_500, Ordering::SeqCst);
    let (code, out, err) = run(&dir, &["--check-notify"], &[("DDNS_GATEWAY_NOTIFY_URL", &url)]).await;
    assert_eq!((code, out.as_str()), (1, ""), "{err}");
    let want = format!(
        "ddns-gateway: check-notify: http://{}: HTTP 500: upstream broke; you sent <redacted>:<redacted>",
        hook.addr
    );
    assert_eq!(err.trim(), want);
    assert_eq!(hook.count(), 3);

    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap();
    let (code, _, err) = run(
        &dir,
        &["--check-notify"],
        &[("DDNS_GATEWAY_NOTIFY_URL", &format!("http://{closed}/bot1:URL-SECRET"))],
    )
    .await;
    assert_eq!(code, 1, "{err}");
    assert!(
        err.starts_with(&format!("ddns-gateway: check-notify: http://{closed}: cannot connect")),
        "{err}"
    );
    assert!(!err.contains("SECRET"), "{err}");

    let (code, _, err) = run(&dir, &["--check-notify"], &[]).await;
    assert_eq!((code, err.trim()), (1, "ddns-gateway: check-notify: notify.url is not set"));
}

fn vm_rss_kb(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let line = status.lines().find(|l| l.starts_with("VmRSS:")).unwrap();
    line.split_whitespace().nth(1).unwrap().parse().unwrap()
}

#[tokio::test]
async fn a_bad_webhook_under_1000_updates_keeps_memory_flat_and_logs_no_secret() {
    let dir = process::scratch("load");
    let cf = fake_cf().await;
    let hook = Receiver::start(FAIL_500).await;
    let (cf_url, hook_url) = (format!("http://{}/client/v4", cf.addr), hook.url());
    let env = [
        ("DDNS_GATEWAY_PROVIDERS_CLOUDFLARE_ENDPOINT", cf_url.as_str()),
        ("DDNS_GATEWAY_NOTIFY_URL", &hook_url),
        ("DDNS_GATEWAY_NOTIFY_HEADERS", "Authorization: Bearer HDR-SECRET"),
        ("DDNS_GATEWAY_AUTH_ENABLED", "true"),
        ("DDNS_GATEWAY_AUTH_TOKENS", GW_TOKEN),
        ("DDNS_GATEWAY_LOGGING_LEVEL", "WARNING"),
    ];
    let gw = process::Running::start(&dir, &[], &env).await;
    let (addr, pid, stderr) = (gw.addr(), gw.child.id(), gw.stderr.clone());
    // Every update creates a new record: a notification each, and more records than the
    // status table holds.
    let round = |from: usize, n: usize| async move {
        let mut tasks = Vec::new();
        for w in 0..8 {
            tasks.push(tokio::spawn(async move {
                for i in (from + w..from + n).step_by(8) {
                    let r = update_at(addr, &format!("r{i}"), "A", "203.0.113.7").await;
                    assert_eq!(r.status, 200, "{}", r.body);
                }
            }));
        }
        for t in tasks {
            t.await.unwrap();
        }
    };
    round(0, 300).await;
    // One notification tried twice (500, then 500 again a second later) before the hang.
    hook.wait_for(2).await;
    let before = vm_rss_kb(pid);
    hook.mode.store(HANG, Ordering::SeqCst);
    round(300, 500).await;
    hook.mode.store(FAIL_500, Ordering::SeqCst);
    round(800, 500).await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    let after = vm_rss_kb(pid);
    eprintln!("1,000 updates with a hanging, then failing webhook: RSS {before} → {after} kB");
    assert!(after <= before + 512, "RSS grew from {before} kB to {after} kB");

    let auth = format!("Bearer {GW_TOKEN}");
    let status = request(addr, "GET", "/status", &[("Authorization", &auth)], b"").await.json();
    // The table holds the 256 seen last: the first ones went to make room.
    let records = status["records"].as_array().unwrap();
    assert_eq!(records.len(), 256);
    let names: Vec<&str> = records.iter().map(|r| r["fqdn"].as_str().unwrap()).collect();
    assert!(names.contains(&"r1299.example.com") && !names.contains(&"r0.example.com"), "{names:?}");
    // The worker frees itself from the hanging webhook within its 10 s and counts the drops.
    let deadline = Instant::now() + Duration::from_secs(20);
    let log = loop {
        let log = std::fs::read_to_string(&stderr).unwrap();
        if log.contains("dropped") {
            break log;
        }
        assert!(Instant::now() < deadline, "no line counting dropped notifications:\n{log}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    let host = format!("notify http://{}: ", hook.addr);
    assert!(
        log.lines()
            .any(|l| l.contains(&host) && l.contains("notification(s) dropped: 16 were already waiting")),
        "{log}"
    );
    assert!(
        log.lines()
            .any(|l| l.contains(&host)
                && l.contains("not sent: HTTP 500: upstream broke; you sent <redacted>")),
        "{log}"
    );
    for secret in ["SECRET", "/hook/", "key="] {
        assert!(!log.contains(secret), "{secret} in the log:\n{log}");
    }
    // Bounded: at most two tries for each sent, and most were dropped.
    assert!(hook.count() < 100, "{} requests to the webhook", hook.count());
    drop(gw);
}
