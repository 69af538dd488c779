//! Cloudflare end to end: the gateway on loopback against the fake Cloudflare API.

mod common;

use common::cloudflare::FakeCloudflare;
use common::fake::FakeResp;
use common::{Gateway, config_for, update_query};
use std::time::Duration;

const TOKEN: &str = "cf-token-Zq8SECRET";
const ZONE_ID: &str = "023e105f4ecef8ad9ca31a8372d0c353";
const CRED: &str = r#"ApiKey secret="cf-token-Zq8SECRET""#;

async fn setup() -> (FakeCloudflare, Gateway) {
    let cf = FakeCloudflare::start(TOKEN, &[(ZONE_ID, "example.com"), ("otherzone", "example.org")]).await;
    let gw = Gateway::start(config_for(cf.addr)).await;
    (cf, gw)
}

fn q(record: &str, rtype: &str, value: &str, extra: &[(&str, &str)]) -> String {
    let mut p = vec![
        ("provider", "cloudflare"),
        ("zone", "example.com"),
        ("record", record),
        ("type", rtype),
        ("value", value),
    ];
    p.extend_from_slice(extra);
    update_query(&p)
}

async fn update(
    gw: &Gateway,
    record: &str,
    rtype: &str,
    value: &str,
    extra: &[(&str, &str)],
) -> common::Reply {
    gw.get(&q(record, rtype, value, extra), &[("X-Upstream-Authorization", CRED)]).await
}

/// An update in another zone than example.com.
async fn update_in(gw: &Gateway, zone: &str, record: &str, rtype: &str, value: &str) -> common::Reply {
    let q = update_query(&[
        ("provider", "cloudflare"),
        ("zone", zone),
        ("record", record),
        ("type", rtype),
        ("value", value),
    ]);
    gw.get(&q, &[("X-Upstream-Authorization", CRED)]).await
}

#[tokio::test]
async fn creates_then_reports_unchanged_then_updates() {
    let (cf, gw) = setup().await;

    let r = update(&gw, "home", "A", "1.2.3.4", &[]).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(r.body.contains(r#""status":"success""#), "{}", r.body);
    let j = r.json();
    assert_eq!(j["action"], "created");
    assert_eq!(j["message"], "DNS record created successfully");
    assert_eq!(j["data"]["fqdn"], "home.example.com");
    assert_eq!(j["data"]["ttl"], 1, "Cloudflare's automatic TTL on create");
    assert_eq!(j["data"]["previous_value"], serde_json::Value::Null);
    assert_eq!(j["provider_metadata"]["zone_id"], ZONE_ID);
    assert!(j["provider_metadata"]["extra"]["cf_ray"].as_str().unwrap().ends_with("-TPE"));
    assert_eq!(j["warnings"], serde_json::json!([]));
    let recs = cf.records();
    assert_eq!(recs.len(), 1);
    assert_eq!(
        (recs[0].name.as_str(), recs[0].content.as_str(), recs[0].proxied),
        ("home.example.com", "1.2.3.4", false)
    );
    assert_eq!(j["provider_metadata"]["record_id"], recs[0].id.as_str());
    let post = cf.calls().into_iter().find(|c| c.method == "POST").unwrap();
    assert!(post.body.get("comment").is_none(), "no comment given, none sent: {}", post.body);

    cf.clear_calls();
    let r = update(&gw, "home", "A", "1.2.3.4", &[]).await;
    assert_eq!(r.json()["action"], "unchanged");
    assert_eq!(r.json()["data"]["previous_value"], serde_json::Value::Null);
    // Zone id cached: one list call, nothing written.
    assert_eq!(cf.call_lines(), [format!("GET /client/v4/zones/{ZONE_ID}/dns_records")]);

    cf.clear_calls();
    let r = update(&gw, "home", "A", "5.6.7.8", &[("ttl", "600")]).await;
    let j = r.json();
    assert_eq!(j["action"], "updated", "{}", r.body);
    assert_eq!(j["data"]["previous_value"], "1.2.3.4");
    assert_eq!(j["data"]["value"], "5.6.7.8");
    assert_eq!(j["data"]["ttl"], 600);
    let patch = cf.calls().into_iter().find(|c| c.method == "PATCH").unwrap();
    assert_eq!(patch.body, serde_json::json!({"content": "5.6.7.8", "ttl": 600}));
    // Six provider calls over three updates, on one kept-alive connection.
    assert_eq!(cf.inflight.connections.load(std::sync::atomic::Ordering::SeqCst), 1);
    gw.stop().await;
}

#[tokio::test]
async fn patch_carries_only_changes() {
    let (cf, gw) = setup().await;
    let id = cf.add(ZONE_ID, "web.example.com", "A", "9.9.9.9", 300);

    // Only the TTL differs: value untouched, no previous_value.
    let r = update(&gw, "web", "A", "9.9.9.9", &[("ttl", "120")]).await;
    let j = r.json();
    assert_eq!(j["action"], "updated");
    assert_eq!(j["data"]["previous_value"], serde_json::Value::Null);
    assert!(j.get("line").is_none() && j["data"].get("line").is_none(), "Cloudflare has no lines: {j}");
    let patch = cf.calls().into_iter().find(|c| c.method == "PATCH").unwrap();
    assert_eq!(patch.path, format!("/client/v4/zones/{ZONE_ID}/dns_records/{id}"));
    assert_eq!(patch.body, serde_json::json!({"ttl": 120}));

    // A comment is set when given, and left alone when omitted.
    let r = update(&gw, "web", "A", "9.9.9.9", &[("comment", "Router A")]).await;
    assert_eq!(r.json()["action"], "updated");
    assert_eq!(cf.records()[0].comment.as_deref(), Some("Router A"));
    let r = update(&gw, "web", "A", "9.9.9.9", &[]).await;
    assert_eq!(r.json()["action"], "unchanged");
    assert_eq!(cf.records()[0].comment.as_deref(), Some("Router A"));
    let r = update(&gw, "web", "A", "9.9.9.9", &[("comment", "Router A"), ("ttl", "120")]).await;
    assert_eq!(r.json()["action"], "unchanged");
    gw.stop().await;
}

#[tokio::test]
async fn txt_case_and_ipv6_forms_are_the_same_value() {
    let (cf, gw) = setup().await;
    let r = update(&gw, "_acme-challenge", "txt", "hello world, ok", &[]).await;
    assert_eq!(r.json()["action"], "created", "{}", r.body);
    assert_eq!(cf.records()[0].content, "\"hello world, ok\"", "sent as a quoted string");
    let r = update(&gw, "_ACME-Challenge", "TXT", "hello world, ok", &[]).await;
    assert_eq!(r.json()["action"], "unchanged", "{}", r.body);
    assert_eq!(r.json()["data"]["record"], "_acme-challenge");

    // Stored in mixed case and long form; the request is another spelling of the same.
    cf.add(ZONE_ID, "V6.Example.com", "AAAA", "2001:0db8:0000::0001", 300);
    let r = update(&gw, "v6", "AAAA", "2001:DB8::1", &[]).await;
    assert_eq!(r.json()["action"], "unchanged", "{}", r.body);
    assert_eq!(r.json()["data"]["value"], "2001:db8::1");
    assert_eq!(cf.records().len(), 2);
    gw.stop().await;
}

#[tokio::test]
async fn apex_and_pagination() {
    let (cf, gw) = setup().await;
    // Other records of the same name and type spread the match across pages (2 a page).
    for i in 0..5 {
        cf.add(ZONE_ID, &format!("n{i}.example.com"), "A", "10.0.0.1", 300);
    }
    cf.add(ZONE_ID, "example.com", "TXT", "\"a\"", 300);
    cf.add(ZONE_ID, "example.com", "TXT", "\"b\"", 300);
    cf.add(ZONE_ID, "example.com", "TXT", "\"c\"", 300);
    let r = update(&gw, "@", "TXT", "a", &[]).await;
    assert_eq!(r.status, 409, "{}", r.body);
    assert_eq!(r.json()["message"], "Multiple records found for example.com (TXT): 3");
    let pages: Vec<String> = cf
        .calls()
        .iter()
        .filter(|c| c.method == "GET" && c.path.ends_with("dns_records"))
        .map(|c| c.query.iter().find(|(k, _)| k == "page").unwrap().1.clone())
        .collect();
    assert_eq!(pages, ["1", "2"]);
    assert!(cf.calls().iter().all(|c| c.method == "GET"), "a conflict changes nothing");

    let r = update(&gw, "@", "A", "203.0.113.9", &[]).await;
    let j = r.json();
    assert_eq!((j["action"].as_str(), j["data"]["fqdn"].as_str()), (Some("created"), Some("example.com")));
    gw.stop().await;
}

#[tokio::test]
async fn errors_map_to_statuses() {
    let (cf, gw) = setup().await;

    // Unknown zone (or no access): 404 with the hint.
    let r = update_in(&gw, "nothere.net", "a", "A", "1.1.1.1").await;
    assert_eq!(r.status, 404);
    assert_eq!(
        r.json()["message"],
        "Zone not found for domain: nothere.net (or the API token has no access to it)"
    );

    // Wrong token: 502 naming Cloudflare's code, with provider_error, and no secret anywhere.
    let r = gw
        .get(
            &q("home", "A", "1.2.3.4", &[]),
            &[("X-Upstream-Authorization", r#"ApiKey secret="wrong-token-XYZ""#)],
        )
        .await;
    assert_eq!(r.status, 502);
    let j = r.json();
    assert_eq!(
        j["message"],
        "Failed to query DNS records: Cloudflare refused the credential or permission: 9109 Invalid access token"
    );
    assert_eq!(j["provider_error"]["code"], "9109");
    assert_eq!(j["provider_error"]["message"], "Invalid access token");
    assert!(j["provider_error"]["request_id"].as_str().is_some());
    assert!(!r.body.contains("wrong-token-XYZ"));

    // Values the provider refuses: 422 with its message.
    let r = update(&gw, "home", "A", "1.2.3.4", &[("ttl", "30")]).await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(
        r.json()["message"].as_str().unwrap().starts_with("Failed to create DNS record: Cloudflare 9021")
    );
    let long = "c".repeat(150);
    let r = update(&gw, "home", "A", "1.2.3.4", &[("comment", &long)]).await;
    assert_eq!((r.status, r.json()["provider_error"]["code"].as_str()), (422, Some("9313")));
    cf.add(ZONE_ID, "alias.example.com", "CNAME", "target.example.net", 300);
    let r = update(&gw, "alias", "A", "1.2.3.4", &[]).await;
    assert_eq!((r.status, r.json()["provider_error"]["code"].as_str()), (422, Some("81053")));

    // Rate limit: 503 passing Retry-After on.
    cf.fail_next(
        1,
        FakeResp::json(
            429,
            &serde_json::json!({"success": false, "errors": [{"code": 971, "message": "Please wait"}]}),
        )
        .with_header("retry-after", "37"),
    );
    let r = update(&gw, "home", "A", "1.2.3.4", &[]).await;
    assert_eq!((r.status, r.header("retry-after")), (503, Some("37")), "{}", r.body);

    // An outage page instead of JSON: 502 saying what came back.
    cf.fail_next(1, FakeResp::raw(502, b"<html>Bad gateway</html>"));
    let r = update(&gw, "home", "A", "1.2.3.4", &[]).await;
    assert_eq!(r.status, 502);
    assert_eq!(
        r.json()["message"],
        "Failed to query DNS records: Cloudflare answered HTTP 502 without a usable JSON body"
    );
    assert!(cf.records().iter().all(|r| r.name != "home.example.com"), "no half-done change");
    gw.stop().await;
}

#[tokio::test]
async fn slow_or_absent_provider() {
    let cf = FakeCloudflare::start(TOKEN, &[(ZONE_ID, "example.com")]).await;
    let mut config = config_for(cf.addr);
    config.upstream_timeout = Duration::from_secs(1);
    let gw = Gateway::start(config).await;
    let mut slow = FakeResp::json(200, &serde_json::json!({"success": true, "result": []}));
    slow.delay = Duration::from_secs(3);
    cf.fail_next(1, slow);
    let r = update(&gw, "home", "A", "1.2.3.4", &[]).await;
    assert_eq!(r.status, 504, "{}", r.body);
    assert_eq!(r.json()["message"], "Failed to query DNS records: Cloudflare: no answer within 1 s");
    gw.stop().await;

    // Nothing listening: 502 that says the connection was refused.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap();
    let gw = Gateway::start(config_for(closed)).await;
    let r = update(&gw, "home", "A", "1.2.3.4", &[]).await;
    assert_eq!(r.status, 502);
    let msg = r.json()["message"].as_str().unwrap().to_string();
    assert!(msg.contains("cannot connect to 127.0.0.1:") && msg.to_lowercase().contains("refused"), "{msg}");
    gw.stop().await;
}

#[tokio::test]
async fn post_json_and_form_bodies() {
    let (cf, gw) = setup().await;
    let body = serde_json::json!({"provider": "cloudflare", "zone": "example.com", "record": "j", "type": "A", "value": "1.2.3.4", "ttl": 300, "comment": "Hello World"});
    let r = gw
        .post(
            "/update",
            &[("X-Upstream-Authorization", CRED), ("Content-Type", "application/json")],
            body.to_string().as_bytes(),
        )
        .await;
    assert_eq!(r.json()["action"], "created", "{}", r.body);
    // RouterOS fetch: form content type, JSON body; ttl as a string.
    let body = br#"{"provider":"cloudflare","zone":"example.com","record":"j","type":"A","value":"1.2.3.4","ttl":"300"}"#;
    let r = gw
        .post(
            "/update",
            &[("X-Upstream-Authorization", CRED), ("Content-Type", "application/x-www-form-urlencoded")],
            body,
        )
        .await;
    assert_eq!(r.json()["action"], "unchanged", "{}", r.body);
    // A real form body.
    let r = gw
        .post(
            "/update",
            &[("X-Upstream-Authorization", CRED)],
            b"provider=cloudflare&zone=example.com&record=f&type=TXT&value=Hello+World%21",
        )
        .await;
    assert_eq!(r.json()["action"], "created", "{}", r.body);
    let f = cf.records().into_iter().find(|r| r.name == "f.example.com").unwrap();
    assert_eq!(f.content, "\"Hello World!\"");
    let j = cf.records().into_iter().find(|r| r.name == "j.example.com").unwrap();
    assert_eq!((j.ttl, j.comment.as_deref()), (300, Some("Hello World")));
    gw.stop().await;
}

/// An endpoint given by name is resolved (on the gateway's own resolver thread), here
/// through /etc/hosts, and several updates at once share the lookups' limit.
#[tokio::test]
async fn endpoint_host_names_are_resolved() {
    let cf = FakeCloudflare::start("t0k", &[("z1", "example.com")]).await;
    let mut config = config_for(cf.addr);
    let by_name = format!("http://localhost:{}/client/v4", cf.addr.port());
    config.set_endpoint(
        ddns_gateway::providers::Kind::Cloudflare,
        ddns_gateway::upstream::Endpoint::parse(&by_name).unwrap(),
    );
    let gw = Gateway::start(config).await;
    let mut tasks = Vec::new();
    for i in 0..12 {
        let addr = gw.addr;
        let q = update_query(&[
            ("provider", "cloudflare"),
            ("zone", "example.com"),
            ("record", &format!("n{i}")),
            ("type", "A"),
            ("value", "192.0.2.9"),
        ]);
        tasks.push(tokio::spawn(async move {
            common::request(addr, "GET", &q, &[("X-Upstream-Authorization", r#"ApiKey secret="t0k""#)], b"")
                .await
        }));
    }
    for t in tasks {
        let r = t.await.unwrap();
        assert_eq!((r.status, r.json()["action"].as_str()), (200, Some("created")), "{}", r.body);
    }
    assert_eq!(cf.records().len(), 12);
    gw.stop().await;
}

/// TXT goes out as RFC 1035 quoted strings (the API stores content exactly as sent), and
/// what is stored is compared as the text it encodes.
#[tokio::test]
async fn txt_is_sent_as_quoted_strings_and_compared_as_text() {
    let (cf, gw) = setup().await;
    let content = |name: &str| {
        cf.records().into_iter().find(|r| r.name == format!("{name}.example.com")).map(|r| r.content).unwrap()
    };

    // Quotes and backslashes inside are escaped.
    let text = r#"say "hi" \o/"#;
    assert_eq!(update(&gw, "q", "TXT", text, &[]).await.json()["action"], "created");
    assert_eq!(content("q"), r#""say \"hi\" \\o/""#);
    let r = update(&gw, "q", "TXT", text, &[]).await;
    assert_eq!(
        (r.json()["action"].as_str(), r.json()["data"]["value"].as_str()),
        (Some("unchanged"), Some(text))
    );

    // Longer than 255 bytes: several strings, split by us; unchanged on the next run.
    let long = format!("v=DKIM1; k=rsa; p={}", "A".repeat(380));
    assert_eq!(update(&gw, "dkim", "TXT", &long, &[]).await.json()["action"], "created");
    assert_eq!(content("dkim"), format!("\"{}\" \"{}\"", &long[..255], &long[255..]));
    let before = cf.writes();
    assert_eq!(update(&gw, "dkim", "TXT", &long, &[]).await.json()["action"], "unchanged");
    assert_eq!(cf.writes(), before, "an unchanged TXT writes nothing");

    // Split elsewhere by the dashboard (or the API, given one long string): the same text.
    let split = format!("\"{}\" \"{}\"", &long[..100], &long[100..]);
    let id = cf.add(ZONE_ID, "dash.example.com", "TXT", &split, 300);
    cf.add(ZONE_ID, "dash2.example.com", "TXT", &format!("\"{long}\""), 300);
    cf.clear_calls();
    for name in ["dash", "dash2"] {
        let r = update(&gw, name, "TXT", &long, &[]).await;
        assert_eq!(r.json()["action"], "unchanged", "{name}: {}", r.body);
    }
    assert_eq!(cf.writes(), 0);
    // A real change to such a record is written back as our strings.
    let r = update(&gw, "dash", "TXT", "short now", &[]).await;
    assert_eq!(r.json()["action"], "updated");
    assert_eq!(r.json()["data"]["previous_value"], long.as_str());
    let rec = cf.records().into_iter().find(|r| r.id == id).unwrap();
    assert_eq!(rec.content, "\"short now\"");

    // A record written unquoted before Cloudflare asked for quotes is that text.
    cf.add(ZONE_ID, "old.example.com", "TXT", "legacy token", 300);
    assert_eq!(update(&gw, "old", "TXT", "legacy token", &[]).await.json()["action"], "unchanged");
    assert_eq!(update(&gw, "old", "TXT", "new token", &[]).await.json()["action"], "updated");
    assert_eq!(content("old"), "\"new token\"");
    gw.stop().await;
}

/// An account may list a deleted or moved zone of the same name before the live one.
#[tokio::test]
async fn dead_zone_twins_are_skipped() {
    let (cf, gw) = setup().await;
    cf.add_zone_first("dead0000000000000000000000000000", "example.com", "deleted");
    cf.add_zone_first("moved000000000000000000000000000", "example.com", "moved");
    let r = update(&gw, "home", "A", "1.2.3.4", &[]).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.json()["provider_metadata"]["zone_id"], ZONE_ID);
    assert_eq!(cf.records()[0].zone_id, ZONE_ID);

    // Only a dead one: 404 saying so.
    cf.add_zone_first("deadorg0000000000000000000000000", "example.net", "deleted");
    let r = update_in(&gw, "example.net", "home", "A", "1.2.3.4").await;
    assert_eq!(r.status, 404, "{}", r.body);
    assert_eq!(
        r.json()["message"],
        "Zone not found for domain: example.net (this account only has a deleted zone of that name; add the zone again in Cloudflare)"
    );
    assert_eq!(cf.writes(), 1);
    gw.stop().await;
}

/// A malformed answer to a create or an update names that step, not the query before it.
#[tokio::test]
async fn malformed_write_answers_name_their_step() {
    let (cf, gw) = setup().await;
    let broken =
        FakeResp::json(200, &serde_json::json!({"success": true, "errors": [], "result": {"id": 7}}));
    cf.fail_method("POST", broken.clone());
    let r = update(&gw, "home", "A", "1.2.3.4", &[]).await;
    assert_eq!(r.status, 502, "{}", r.body);
    assert_eq!(
        r.json()["message"],
        "Failed to create DNS record: Cloudflare answered HTTP 200 without a usable JSON body"
    );
    cf.add(ZONE_ID, "home.example.com", "A", "1.1.1.1", 300);
    cf.fail_method("PATCH", broken);
    let r = update(&gw, "home", "A", "1.2.3.4", &[]).await;
    assert_eq!(
        r.json()["message"],
        "Failed to update DNS record: Cloudflare answered HTTP 200 without a usable JSON body"
    );
    gw.stop().await;
}

/// A proxied record's TTL is Cloudflare's ("Auto", listed as 1) and a TTL in a PATCH is
/// ignored: a requested TTL is not compared or sent, the reply warns and reports 1, and a
/// value change PATCHes only the value, keeping the record proxied.
#[tokio::test]
async fn proxied_records_keep_their_automatic_ttl() {
    let (cf, gw) = setup().await;
    cf.add_proxied(ZONE_ID, "web.example.com", "A", "9.9.9.9");
    for _ in 0..2 {
        let r = update(&gw, "web", "A", "9.9.9.9", &[("ttl", "300")]).await;
        let j = r.json();
        assert_eq!((j["action"].as_str(), j["data"]["ttl"].as_u64()), (Some("unchanged"), Some(1)), "{j}");
        let w = j["warnings"][0].as_str().unwrap();
        assert!(w.contains("proxied") && w.contains("300"), "{w}");
    }
    assert_eq!(cf.writes(), 0, "nothing to write: {:?}", cf.call_lines());

    let r = update(&gw, "web", "A", "9.9.9.10", &[("ttl", "300")]).await;
    let j = r.json();
    assert_eq!((j["action"].as_str(), j["data"]["ttl"].as_u64()), (Some("updated"), Some(1)), "{j}");
    assert_eq!(j["warnings"].as_array().unwrap().len(), 1);
    let patch = cf.calls().into_iter().find(|c| c.method == "PATCH").unwrap();
    assert_eq!(patch.body, serde_json::json!({"content": "9.9.9.10"}));
    assert!(cf.records()[0].proxied, "PATCH must not un-proxy the record");
    // Without a ttl: no warning.
    let r = update(&gw, "web", "A", "9.9.9.10", &[]).await;
    assert_eq!(
        (r.json()["action"].as_str(), r.json()["warnings"].as_array().unwrap().len()),
        (Some("unchanged"), 0)
    );
    gw.stop().await;
}

/// Cloudflare has no resolution lines: `line` is refused, naming it, before any call.
#[tokio::test]
async fn line_is_refused_for_cloudflare() {
    let (cf, gw) = setup().await;
    let r = update(&gw, "home", "A", "1.2.3.4", &[("line", "telecom")]).await;
    assert_eq!(
        (r.status, r.json()["message"].as_str()),
        (422, Some("line: Cloudflare has no resolution lines"))
    );
    let r = gw
        .post(
            "/update",
            &[("X-Upstream-Authorization", CRED), ("Content-Type", "application/json")],
            br#"{"provider":"cloudflare","zone":"example.com","record":"home","type":"A","value":"1.2.3.4","line":"default"}"#,
        )
        .await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(cf.calls().is_empty());
    gw.stop().await;
}

/// Cloudflare knows an internationalised zone and its names only in Punycode: a zone or
/// record given in Unicode goes out as Punycode, and the reply answers in the client's form.
/// A Unicode label not in lower-case normalised form is a 422 naming its field.
#[tokio::test]
async fn idn_zones_go_out_in_punycode() {
    let cf = FakeCloudflare::start(TOKEN, &[("idnzone", "xn--bcher-kva.example")]).await;
    let gw = Gateway::start(config_for(cf.addr)).await;
    let r = update_in(&gw, "bücher.example", "straße", "A", "1.2.3.4").await;
    assert_eq!(r.status, 200, "{}", r.body);
    let j = r.json();
    assert_eq!((j["action"].as_str(), j["data"]["zone"].as_str()), (Some("created"), Some("bücher.example")));
    assert_eq!(
        (j["data"]["record"].as_str(), j["data"]["fqdn"].as_str()),
        (Some("straße"), Some("straße.bücher.example"))
    );
    assert_eq!(cf.records()[0].name, "xn--strae-oqa.xn--bcher-kva.example");
    assert!(cf.calls()[0].query.contains(&("name".into(), "xn--bcher-kva.example".into())));
    // The same record in Punycode, answered in Punycode.
    let r = update_in(&gw, "XN--BCHER-KVA.example", "xn--strae-oqa", "A", "1.2.3.4").await;
    let j = r.json();
    assert_eq!(
        (j["action"].as_str(), j["data"]["fqdn"].as_str()),
        (Some("unchanged"), Some("xn--strae-oqa.xn--bcher-kva.example"))
    );
    for (zone, record, field) in [
        ("BÜCHER.example", "home", "zone:"),
        ("bu\u{308}cher.example", "home", "zone:"),
        ("xn--bcher-2pa.example", "home", "zone:"),
        ("bücher.example", "Ärger", "record:"),
        ("bücher.example", "ｈｏｍｅ", "record:"),
    ] {
        let r = update_in(&gw, zone, record, "A", "1.2.3.4").await;
        assert_eq!(r.status, 422, "{zone} {record}: {}", r.body);
        assert!(r.json()["message"].as_str().unwrap().starts_with(field), "{}", r.body);
    }
    assert_eq!(cf.writes(), 1);
    gw.stop().await;
}

/// A listing page is at most 50 records, and 50 of the longest a name can hold (2,048
/// characters of TXT, 500-character comments in Chinese) fit `upstream::MAX_RESPONSE`: read
/// whole, here to find 60 records where one is wanted.
#[tokio::test]
async fn a_page_of_the_longest_records_fits_the_response_cap() {
    let (cf, gw) = setup().await;
    let text = format!("\"{}\"", "v".repeat(2048));
    for _ in 0..60 {
        cf.add(ZONE_ID, "_long.example.com", "TXT", &text, 300);
    }
    {
        let mut st = cf.state.lock().unwrap();
        st.per_page_cap = 100;
        for r in &mut st.records {
            r.comment = Some("备".repeat(500));
        }
    }
    let r = update(&gw, "_long", "TXT", "x", &[]).await;
    assert_eq!(
        (r.status, r.json()["message"].as_str()),
        (409, Some("Multiple records found for _long.example.com (TXT): 60"))
    );
    let pages: Vec<_> = cf.calls().into_iter().filter(|c| c.path.ends_with("/dns_records")).collect();
    assert_eq!(pages.len(), 2, "50 a page");
    gw.stop().await;
}
