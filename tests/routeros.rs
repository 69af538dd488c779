//! Replays exactly what the scripts in routeros/ send: the URL they build (values through
//! `:convert from=raw to=url`) and the headers `/tool fetch` emits after splitting its
//! header list at commas, against the gateway and the fake providers.

mod common;

use common::aliyun::FakeAliyun;
use common::cloudflare::FakeCloudflare;
use common::tencent::FakeTencent;
use common::{Gateway, config_all, request};
use ddns_gateway::urlenc::encode as convert_to_url;

const AUTH: &str = "router-token-0123456789";

fn script(name: &str) -> String {
    std::fs::read_to_string(format!("{}/routeros/{name}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

/// The request-building lines each scheduler script must contain, for `rtype`.
fn assert_script_shape(text: &str, rtype: &str) {
    let url = format!(
        r#":local url ($gateway . "/update?provider=" . $provider . "&zone=" . [:convert from=raw to=url $zone] . "&record=" . [:convert from=raw to=url $record] . "&type={rtype}&value=" . [:convert from=raw to=url $addr])"#
    );
    for line in [
        url.as_str(),
        r#":if ($ttl != "") do={ :set url ($url . "&ttl=" . $ttl) }"#,
        r#":if ($comment != "") do={ :set url ($url . "&comment=" . [:convert from=raw to=url $comment]) }"#,
        r#":local cred ("X-Upstream-Authorization: ApiKey secret=\"" . $credSecret . "\"")"#,
        r#":if ($credId != "") do={ :set cred ("X-Upstream-Authorization: ApiKey id=\"" . $credId . "\" secret=\"" . $credSecret . "\"") }"#,
        r#":if ($authToken != "") do={ :set headers ("Authorization: Bearer " . $authToken . "," . $cred) }"#,
        r#"/tool fetch url=$url http-header-field=$headers output=user as-value"#,
        r#":if ([:typeof [:find ($result->"data") "\"status\":\"success\""]] = "num") do={"#,
        ":onerror err in={",
        "RouterOS 7.15+",
        "/system scheduler add",
    ] {
        assert!(text.contains(line), "script lost the line:\n{line}");
    }
}

struct Vars<'a> {
    provider: &'a str,
    zone: &'a str,
    record: &'a str,
    cred_id: &'a str,
    cred_secret: &'a str,
    ttl: &'a str,
    comment: &'a str,
}

/// What the script's lines produce: the URL path and the header lines fetch sends.
fn as_routeros_sends(v: &Vars, rtype: &str, addr: &str) -> (String, Vec<(String, String)>) {
    let mut url = format!(
        "/update?provider={}&zone={}&record={}&type={rtype}&value={}",
        v.provider,
        convert_to_url(v.zone),
        convert_to_url(v.record),
        convert_to_url(addr)
    );
    if !v.ttl.is_empty() {
        url.push_str(&format!("&ttl={}", v.ttl));
    }
    if !v.comment.is_empty() {
        url.push_str(&format!("&comment={}", convert_to_url(v.comment)));
    }
    let cred = if v.cred_id.is_empty() {
        format!(r#"ApiKey secret="{}""#, v.cred_secret)
    } else {
        format!(r#"ApiKey id="{}" secret="{}""#, v.cred_id, v.cred_secret)
    };
    // "Authorization: Bearer …,X-Upstream-Authorization: …" split at the comma.
    let headers = vec![
        ("Authorization".to_string(), format!("Bearer {AUTH}")),
        ("X-Upstream-Authorization".to_string(), cred),
    ];
    (url, headers)
}

#[tokio::test]
async fn scheduler_scripts_work_for_every_provider() {
    let v4 = script("ddns-v4.rsc");
    let v6 = script("ddns-v6.rsc");
    assert_script_shape(&v4, "A");
    assert_script_shape(&v6, "AAAA");
    assert!(v6.contains("deprecated=no") && v6.contains("fc00::/7"), "v6 skips deprecated and ULA addresses");
    assert!(v4.contains("100.64.0.0/10") && v4.contains("192.168.0.0/16"), "v4 skips private and CGNAT");
    let install = script("install.rsc");
    for needle in
        ["start-on-boot=yes logging=yes", "/interface veth add", "masquerade", "DDNS_GATEWAY_AUTH_TOKENS"]
    {
        assert!(install.contains(needle), "install.rsc: {needle}");
    }

    let cf = FakeCloudflare::start("cf-api-token", &[("z1", "example.com")]).await;
    let ali = FakeAliyun::start("LTAIrouter", "ali-secret", &["example.com"]).await;
    let tc = FakeTencent::start("AKIDrouter", "tc-secret", &["example.com"]).await;
    let mut config = config_all(cf.addr, ali.addr, tc.addr);
    config.auth_enabled = true;
    config.auth_tokens = vec![AUTH.into()];
    let gw = Gateway::start(config).await;

    let providers = [
        Vars {
            provider: "cloudflare",
            zone: "example.com",
            record: "home",
            cred_id: "",
            cred_secret: "cf-api-token",
            ttl: "",
            comment: "",
        },
        Vars {
            provider: "aliyun",
            zone: "example.com",
            record: "home",
            cred_id: "LTAIrouter",
            cred_secret: "ali-secret",
            ttl: "600",
            comment: "hAP ax³ · 路由器",
        },
        Vars {
            provider: "tencent",
            zone: "example.com",
            record: "@",
            cred_id: "AKIDrouter",
            cred_secret: "tc-secret",
            ttl: "",
            comment: "Updated by RouterOS DDNS script",
        },
    ];
    for v in &providers {
        for (rtype, first, second) in
            [("A", "203.0.113.10", "203.0.113.11"), ("AAAA", "2001:db8:1::10", "2001:db8:1::11")]
        {
            for (addr, want) in [(first, "created"), (second, "updated")] {
                let (url, headers) = as_routeros_sends(v, rtype, addr);
                let h: Vec<(&str, &str)> = headers.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
                let r = request(gw.addr, "GET", &url, &h, b"").await;
                assert_eq!(r.status, 200, "{} {rtype}: {}", v.provider, r.body);
                // What the script checks for.
                assert!(r.body.contains(r#""status":"success""#));
                assert_eq!(r.json()["action"], want, "{} {rtype} {addr}", v.provider);
                if !v.comment.is_empty() && want == "created" {
                    assert_eq!(r.json()["warnings"], serde_json::json!([]));
                }
            }
        }
    }
    assert_eq!(cf.records().len(), 2);
    assert_eq!(ali.records().iter().filter(|r| r.remark.as_deref() == Some("hAP ax³ · 路由器")).count(), 2);
    assert_eq!(tc.records().iter().filter(|r| r.name == "@").count(), 2);

    // The same credential written with "\\," in the script arrives as one header line.
    let escaped = [
        ("Authorization", format!("Bearer {AUTH}")),
        ("X-Upstream-Authorization", r#"ApiKey id="AKIDrouter", secret="tc-secret""#.to_string()),
    ];
    let h: Vec<(&str, &str)> = escaped.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (url, _) = as_routeros_sends(&providers[2], "A", "203.0.113.11");
    let r = request(gw.addr, "GET", &url, &h, b"").await;
    assert_eq!(r.json()["action"], "unchanged", "{}", r.body);
    // Without the token fetch gets a 401 that it can report (WWW-Authenticate present).
    let r = request(gw.addr, "GET", &url, &h[1..], b"").await;
    assert_eq!((r.status, r.header("www-authenticate").is_some()), (401, true));
    gw.stop().await;
}
