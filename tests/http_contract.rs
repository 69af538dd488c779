//! The HTTP contract that needs no provider: routes, auth, methods, validation, limits.

mod common;

use common::cloudflare::FakeCloudflare;
use common::{Gateway, config_for, raw_request, update_query};
use ddns_gateway::config::Config;

const GOOD: &[(&str, &str)] = &[
    ("provider", "cloudflare"),
    ("zone", "example.com"),
    ("record", "home"),
    ("type", "A"),
    ("value", "1.2.3.4"),
];

async fn gateway(edit: impl FnOnce(&mut Config)) -> (FakeCloudflare, Gateway) {
    let cf = FakeCloudflare::start("tok", &[("z1", "example.com")]).await;
    let mut c = config_for(cf.addr);
    edit(&mut c);
    (cf, Gateway::start(c).await)
}

#[tokio::test]
async fn health_and_unknown_routes() {
    let (_, gw) = gateway(|_| {}).await;
    let r = gw.get("/health", &[]).await;
    assert_eq!((r.status, r.body.as_str()), (404, r#"{"detail":"Not Found"}"#));
    let r = gw.get("/nope", &[]).await;
    assert_eq!((r.status, r.body.as_str()), (404, r#"{"detail":"Not Found"}"#));
    assert_eq!(r.header("content-type"), Some("application/json"));
    gw.stop().await;

    // Enabled, and never behind auth.
    let (_, gw) = gateway(|c| {
        c.health_enabled = true;
        c.auth_enabled = true;
        c.auth_tokens = vec!["t".into()];
    })
    .await;
    let r = gw.get("/health", &[]).await;
    assert_eq!((r.status, r.body.as_str()), (200, r#"{"status":"ok"}"#));
    gw.stop().await;
}

#[tokio::test]
async fn methods() {
    let (_, gw) = gateway(|_| {}).await;
    let r = common::request(gw.addr, "DELETE", "/update", &[], b"").await;
    assert_eq!((r.status, r.header("allow")), (405, Some("GET, POST")));
    assert_eq!(r.json()["status"], "error");
    assert_eq!(r.json()["code"], 405);
    gw.stop().await;

    let (_, gw) = gateway(|c| c.get_enabled = false).await;
    let r = gw.get(&update_query(GOOD), &[]).await;
    assert_eq!(r.header("allow"), Some("POST"));
    assert_eq!(
        (r.status, r.body.as_str()),
        (405, r#"{"status":"error","code":405,"message":"GET method is disabled"}"#)
    );
    gw.stop().await;

    let (_, gw) = gateway(|c| c.post_enabled = false).await;
    let r = gw.post("/update", &[], b"{}").await;
    assert_eq!(r.json()["message"], "POST method is disabled");
    gw.stop().await;
}

#[tokio::test]
async fn bearer_auth() {
    let (_, gw) = gateway(|c| {
        c.auth_enabled = true;
        c.auth_tokens = vec!["alpha-token".into(), "beta-token".into()];
    })
    .await;
    let path = update_query(&[("provider", "cloudflare")]);
    let r = gw.get(&path, &[]).await;
    assert_eq!(r.status, 401);
    assert_eq!(r.body, r#"{"status":"error","code":401,"message":"Missing authentication token"}"#);
    assert_eq!(r.header("www-authenticate"), Some(r#"Bearer realm="ddns-gateway""#));
    for bad in ["Bearer nope", "Basic YWxwaGEtdG9rZW4=", "Bearer alpha-token-extra", "Bearer alpha"] {
        let r = gw.get(&path, &[("Authorization", bad)]).await;
        assert_eq!(r.status, 403, "{bad}");
        assert_eq!(r.json()["message"], "Invalid authentication token");
    }
    // Passing auth reaches validation; scheme in any case.
    for good in ["Bearer beta-token", "bearer alpha-token", "BEARER   alpha-token"] {
        let r = gw.get(&path, &[("Authorization", good)]).await;
        assert_eq!(r.status, 422, "{good}: {}", r.body);
    }
    gw.stop().await;

    // Enabled with no tokens: everything is refused.
    let (_, gw) = gateway(|c| c.auth_enabled = true).await;
    let r = gw.get(&path, &[("Authorization", "Bearer anything")]).await;
    assert_eq!(r.status, 403);
    gw.stop().await;
}

#[tokio::test]
async fn validation_errors() {
    let (cf, gw) = gateway(|_| {}).await;
    let r = gw.get("/update?provider=cloudflare&zone=example.com", &[]).await;
    assert_eq!(r.status, 422);
    assert_eq!(
        r.body,
        r#"{"status":"error","code":422,"message":"Missing required fields: record, type, value"}"#
    );
    let r = gw.get("/update", &[]).await;
    assert_eq!(r.json()["message"], "Missing required fields: provider, zone, record, type, value");

    let cases: &[(&str, &str, &str)] = &[
        (
            "provider",
            "godaddy",
            "provider: must be one of cloudflare, aliyun, tencent, huaweicloud, edgeone, esa, porkbun",
        ),
        ("type", "MX", "type: must be one of A, AAAA, CNAME, TXT"),
        ("value", "300.1.1.1", "value: \"300.1.1.1\" is not an IPv4 address"),
        ("zone", "exa mple.com", "zone: \"exa mple.com\" is not a valid domain name"),
        ("record", "bad_label-", "record: \"bad_label-\" is not a valid record name"),
    ];
    for (field, value, want) in cases {
        let pairs: Vec<(&str, &str)> =
            GOOD.iter().map(|(k, v)| if k == field { (*k, *value) } else { (*k, *v) }).collect();
        let r = gw.get(&update_query(&pairs), &[]).await;
        assert_eq!(r.status, 422, "{field}");
        let msg = r.json()["message"].as_str().unwrap().to_string();
        assert!(msg.starts_with(want), "{field}: {msg}");
    }
    let mut pairs = GOOD.to_vec();
    pairs.push(("ttl", "604801"));
    let r = gw.get(&update_query(&pairs), &[]).await;
    assert!(r.json()["message"].as_str().unwrap().starts_with("ttl: must be an integer from 1 to 604800"));
    assert!(cf.calls().is_empty(), "nothing reaches the provider");
    gw.stop().await;
}

#[tokio::test]
async fn credentials() {
    let (cf, gw) = gateway(|_| {}).await;
    let r = gw.get(&update_query(GOOD), &[]).await;
    assert_eq!((r.status, r.json()["message"].as_str()), (400, Some("Missing required credential: secret")));
    let r =
        gw.get(&update_query(GOOD), &[("X-Upstream-Authorization", r#"ApiKey secret="unterminated"#)]).await;
    assert_eq!(r.status, 400);
    assert!(r.json()["message"].as_str().unwrap().contains("unterminated quote"));
    let mut aliyun = GOOD.to_vec();
    aliyun[0] = ("provider", "aliyun");
    let r = gw.get(&update_query(&aliyun), &[("X-Upstream-Authorization", r#"ApiKey secret="s""#)]).await;
    assert_eq!((r.status, r.json()["message"].as_str()), (400, Some("Missing required credential: id")));
    // Cloudflare ignores `id`; RouterOS may split the header into two lines at the comma.
    let r = gw
        .get(
            &update_query(GOOD),
            &[
                ("X-Upstream-Authorization", r#"ApiKey id="x""#),
                ("X-Upstream-Authorization", r#"secret="tok""#),
            ],
        )
        .await;
    assert_eq!(r.json()["action"], "created", "{}", r.body);
    assert_eq!(cf.records().len(), 1);
    gw.stop().await;
}

#[tokio::test]
async fn limits_and_garbage() {
    let (_, gw) = gateway(|_| {}).await;
    let big = vec![b'a'; 64 * 1024 + 1];
    let r = gw.post("/update", &[], &big).await;
    assert_eq!(r.status, 413);
    assert_eq!(r.json()["code"], 413);
    // The same without a declared length (chunked).
    let mut raw =
        b"POST /update HTTP/1.1\r\nHost: x\r\nConnection: close\r\nTransfer-Encoding: chunked\r\n\r\n"
            .to_vec();
    for _ in 0..20 {
        raw.extend_from_slice(format!("{:x}\r\n", 4096).as_bytes());
        raw.extend_from_slice(&[b'x'; 4096]);
        raw.extend_from_slice(b"\r\n");
    }
    raw.extend_from_slice(b"0\r\n\r\n");
    assert_eq!(raw_request(gw.addr, &raw).await.status, 413);

    let r = gw.post("/update", &[("Content-Type", "application/json")], b"[1,2]").await;
    assert_eq!((r.status, r.json()["message"].as_str()), (400, Some("Request body must be a JSON object")));
    let r = gw.post("/update", &[], b"{\"provider\": ").await;
    assert_eq!(r.status, 400);
    assert!(r.json()["message"].as_str().unwrap().starts_with("Request body is not valid JSON"));
    let r = gw.get("/update?value=%FF%FE", &[]).await;
    assert_eq!(r.status, 400);
    // A malformed request line gets an HTTP error from hyper, and the server lives on.
    let r = raw_request(gw.addr, b"BLAH\r\n\r\n").await;
    assert_eq!(r.status, 400);
    assert_eq!(gw.get("/nope", &[]).await.status, 404);
    gw.stop().await;
}
