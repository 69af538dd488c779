//! The RouterOS side. `routeros/ddns.rsc` must still hold the lines that build its requests;
//! the tests replay exactly what those lines send (a form POST with values through
//! `:convert from=raw to=url`, and one header per element of the `http-header-field` array,
//! the key values bare) for several records and IPv6 host entries (by interface identifier
//! and by MAC), against the gateway and the fake providers, and read the reply the way the
//! script does. `routeros/setup.rsc` must embed exactly `ddns.rsc` and be what
//! `routeros/embed.py` makes of its template, and accept every provider the gateway knows.

mod common;

use common::aliyun::FakeAliyun;
use common::cloudflare::FakeCloudflare;
use common::tencent::FakeTencent;
use common::{Gateway, Reply, config_all, request};
use ddns_gateway::urlenc::encode as convert_to_url;

const AUTH: &str = "router-token-0123456789";
const END_OF_SETTINGS: &str = "# --- end of settings ---\n";

fn file(name: &str) -> String {
    std::fs::read_to_string(format!("{}/routeros/{name}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

/// The lines of ddns.rsc whose behaviour the replay below reproduces.
const SCRIPT_LINES: &[&str] = &[
    r#":local cred ("ApiKey secret=" . $credSecret)"#,
    r#":if ($credId != "") do={ :set cred ("ApiKey id=" . $credId . " secret=" . $credSecret) }"#,
    r#":local headers ({("X-Upstream-Authorization: " . $cred)})"#,
    r#":if ($authToken != "") do={ :set headers ($headers, ("Authorization: Bearer " . $authToken)) }"#,
    r#":local base ("provider=" . $provider . "&zone=" . [:convert from=raw to=url $zone])"#,
    r#":if ($ttl != "") do={ :set base ($base . "&ttl=" . $ttl) }"#,
    r#":if ($comment != "") do={ :set base ($base . "&comment=" . [:convert from=raw to=url $comment]) }"#,
    r#":local data ($base . "&record=" . [:convert from=raw to=url $record] . "&type=" . $type . "&value=" . [:convert from=raw to=url $value])"#,
    r#":if ($suffix != "") do={ :set data ($data . "&suffix=" . [:convert from=raw to=url $suffix]) }"#,
    r#":local result [/tool fetch url=($gateway . "/update") http-method=post http-data=$data http-header-field=$headers idle-timeout=60s output=user as-value]"#,
    r#":if ([:typeof [:find $body "\"status\":\"success\""]] = "num") do={"#,
    r#":local at ([:find $body "\"value\":\""] + 9)"#,
    r#":local at2 ([:find $body "\"action\":\""] + 10)"#,
    r#"$send gateway=$gateway headers=$headers base=$base zone=$zone record=$record type="A" value=$addr4 suffix="" memo=$addr4"#,
    r#"$send gateway=$gateway headers=$headers base=$base zone=$zone record=$record type="AAAA" value=$addr6 suffix="" memo=$addr6"#,
    r#"$send gateway=$gateway headers=$headers base=$base zone=$zone record=$record type="AAAA" value=$prefix6 suffix=$suffix memo=($prefix6 . " " . $suffix)"#,
    // Every range RFC 6890 marks as never public.
    "{0.0.0.0/8;10.0.0.0/8;100.64.0.0/10;127.0.0.0/8;169.254.0.0/16;172.16.0.0/12;192.0.0.0/24;192.168.0.0/16;198.18.0.0/15;240.0.0.0/4}",
    "!($ip in fc00::/7) and !($ip in fe80::/10)",
];

/// What the script's settings hold.
struct Settings<'a> {
    provider: &'a str,
    zone: &'a str,
    cred_id: &'a str,
    cred_secret: &'a str,
    ttl: &'a str,
    comment: &'a str,
}

/// One `$send`: the form body the script builds, and the header lines fetch sends (one per
/// element of the script's header array).
fn as_routeros_sends(
    s: &Settings,
    record: &str,
    rtype: &str,
    value: &str,
    suffix: &str,
) -> (String, Vec<(String, String)>) {
    let mut base = format!("provider={}&zone={}", s.provider, convert_to_url(s.zone));
    if !s.ttl.is_empty() {
        base.push_str(&format!("&ttl={}", s.ttl));
    }
    if !s.comment.is_empty() {
        base.push_str(&format!("&comment={}", convert_to_url(s.comment)));
    }
    let mut data =
        format!("{base}&record={}&type={rtype}&value={}", convert_to_url(record), convert_to_url(value));
    if !suffix.is_empty() {
        data.push_str(&format!("&suffix={}", convert_to_url(suffix)));
    }
    let cred = if s.cred_id.is_empty() {
        format!("ApiKey secret={}", s.cred_secret)
    } else {
        format!("ApiKey id={} secret={}", s.cred_id, s.cred_secret)
    };
    let headers = vec![
        ("X-Upstream-Authorization".to_string(), cred),
        ("Authorization".to_string(), format!("Bearer {AUTH}")),
        // What fetch labels every http-data body with.
        ("Content-Type".to_string(), "application/x-www-form-urlencoded".to_string()),
    ];
    (data, headers)
}

/// The script's reading of a reply: success marker, then the text after the first
/// `"value":"` and `"action":"` up to the next quote.
fn as_routeros_reads(body: &str) -> Option<(String, String)> {
    body.find(r#""status":"success""#)?;
    let after = |key: &str| {
        let at = body.find(key).map(|i| i + key.len())?;
        Some(body[at..].split('"').next()?.to_string())
    };
    Some((after(r#""value":""#)?, after(r#""action":""#)?))
}

async fn send(gw: &Gateway, s: &Settings<'_>, record: &str, rtype: &str, value: &str, suffix: &str) -> Reply {
    let (data, headers) = as_routeros_sends(s, record, rtype, value, suffix);
    let h: Vec<(&str, &str)> = headers.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    request(gw.addr, "POST", "/update", &h, data.as_bytes()).await
}

#[tokio::test]
async fn update_script_records_and_lan_hosts_for_every_provider() {
    let script = file("ddns.rsc");
    for line in SCRIPT_LINES {
        assert!(script.contains(line), "ddns.rsc lost the line:\n{line}");
    }

    let cf = FakeCloudflare::start("cf-api-token", &[("z1", "example.com")]).await;
    let ali = FakeAliyun::start("LTAIrouter", "ali-secret", &["example.com"]).await;
    let tc = FakeTencent::start("AKIDrouter", "tc-secret", &["example.com"]).await;
    let mut config = config_all(cf.addr, ali.addr, tc.addr);
    config.auth_enabled = true;
    config.auth_tokens = vec![AUTH.into()];
    let gw = Gateway::start(config).await;

    let all = [
        Settings {
            provider: "cloudflare",
            zone: "example.com",
            cred_id: "",
            cred_secret: "cf-api-token",
            ttl: "",
            comment: "",
        },
        Settings {
            provider: "aliyun",
            zone: "example.com",
            cred_id: "LTAIrouter",
            cred_secret: "ali-secret",
            ttl: "600",
            comment: "hAP ax³ · 路由器",
        },
        Settings {
            provider: "tencent",
            zone: "example.com",
            cred_id: "AKIDrouter",
            cred_secret: "tc-secret",
            ttl: "",
            comment: "Updated by RouterOS",
        },
    ];
    let records4 = ["home", "vpn", "*.home", "@"];
    // (record, what hosts6 holds for it, the interface identifier that stands for)
    let hosts6 = [
        ("nas", "::11:22ff:fe33:4455", "::11:22ff:fe33:4455"),
        ("tv", "::a", "::a"),
        // By MAC: its modified EUI-64 identifier (U/L bit flipped, ff:fe in the middle).
        ("printer", "00-1A-2B-3C-4D-5E", "::21a:2bff:fe3c:4d5e"),
    ];
    for s in &all {
        // Two runs: the first creates, the second follows a new address and a new prefix.
        for (run, addr4, lan6, action) in [
            (1, "203.0.113.10", "2001:db8:1:2::1/64", "created"),
            (2, "203.0.113.11", "2001:db8:9:2::1/64", "updated"),
        ] {
            let addr6 = lan6.split('/').next().unwrap();
            let mut sends = Vec::new();
            for r in records4 {
                sends.push((r, "A", addr4, "", addr4.to_string()));
            }
            sends.push(("home", "AAAA", addr6, "", addr6.to_string()));
            for (r, suffix, iid) in hosts6 {
                // The /64's first half, the identifier's second.
                let net = u128::from(addr6.parse::<std::net::Ipv6Addr>().unwrap()) >> 64 << 64;
                let host = u128::from(iid.parse::<std::net::Ipv6Addr>().unwrap()) & u128::from(u64::MAX);
                sends.push((r, "AAAA", lan6, suffix, std::net::Ipv6Addr::from(net | host).to_string()));
            }
            for (record, rtype, value, suffix, want) in sends {
                let r = send(&gw, s, record, rtype, value, suffix).await;
                let what = format!("{} run {run}: {record} {rtype} {value} {suffix}", s.provider);
                assert_eq!(r.status, 200, "{what}: {}", r.body);
                let (value, got_action) =
                    as_routeros_reads(&r.body).unwrap_or_else(|| panic!("{what}: {}", r.body));
                let want: std::net::IpAddr = want.parse().unwrap();
                assert_eq!(
                    (value.parse::<std::net::IpAddr>().unwrap(), got_action.as_str()),
                    (want, action),
                    "{what}"
                );
            }
        }
    }
    // Per provider: 4 A records, the router's AAAA and 3 hosts, each written once and updated.
    let hosts = ["2001:db8:9:2:11:22ff:fe33:4455", "2001:db8:9:2::a", "2001:db8:9:2:21a:2bff:fe3c:4d5e"];
    let cf_values: Vec<String> = cf.records().iter().map(|r| r.content.clone()).collect();
    assert_eq!(cf_values.len(), 8, "{cf_values:?}");
    assert!(hosts.iter().all(|h| cf_values.iter().any(|v| v == h)), "{cf_values:?}");
    assert_eq!(cf.records().iter().filter(|r| r.name == "*.home.example.com").count(), 1);
    let ali_records = ali.records();
    assert_eq!(ali_records.len(), 8);
    assert_eq!(ali_records.iter().filter(|r| r.remark.as_deref() == Some("hAP ax³ · 路由器")).count(), 8);
    assert!(hosts.iter().all(|h| ali_records.iter().any(|r| r.value == *h)));
    let tc_records = tc.records();
    assert_eq!(tc_records.len(), 8);
    assert!(tc_records.iter().any(|r| r.name == "@" && r.value == "203.0.113.11"));
    assert!(hosts.iter().all(|h| tc_records.iter().any(|r| r.value == *h)));

    // A failing record is answered on its own (the script logs it and goes on): the
    // others of the same run still succeed.
    let r = send(&gw, &all[0], "bad..name", "A", "203.0.113.11", "").await;
    assert_eq!(r.status, 422);
    assert_eq!(as_routeros_reads(&r.body), None);
    let r = send(&gw, &all[0], "vpn", "A", "203.0.113.11", "").await;
    assert_eq!(as_routeros_reads(&r.body).map(|(_, a)| a).as_deref(), Some("unchanged"));

    // The quoted form with a comma (`\\,` in a one-string header list) is the same credential.
    let (data, _) = as_routeros_sends(&all[2], "home", "A", "203.0.113.11", "");
    let escaped = [
        ("Authorization", format!("Bearer {AUTH}")),
        ("X-Upstream-Authorization", r#"ApiKey id="AKIDrouter", secret="tc-secret""#.to_string()),
    ];
    let h: Vec<(&str, &str)> = escaped.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let r = request(gw.addr, "POST", "/update", &h, data.as_bytes()).await;
    assert_eq!(r.json()["action"], "unchanged", "{}", r.body);
    // Without the token fetch gets a 401 that it can report (WWW-Authenticate present).
    let r = request(gw.addr, "POST", "/update", &h[1..], data.as_bytes()).await;
    assert_eq!((r.status, r.header("www-authenticate").is_some()), (401, true));
    gw.stop().await;
}

/// RouterOS string escapes, as `embed.py` writes them.
fn unescape(s: &str) -> String {
    let mut out = String::new();
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some(c @ ('\\' | '"' | '$' | '?')) => out.push(c),
            other => panic!("unexpected escape \\{other:?} in {s}"),
        }
    }
    out
}

#[test]
fn setup_embeds_exactly_the_update_script() {
    let setup = file("setup.rsc");
    let script = file("ddns.rsc");
    let template = file("setup.rsc.in");
    let (prefix, suffix) = (r#":set body ($body . ""#, r#"")"#);
    let embedded: String = setup
        .lines()
        .filter_map(|l| l.strip_prefix(prefix))
        .map(|l| unescape(l.strip_suffix(suffix).expect("one string per line")))
        .collect();
    let body = &script[script.find(END_OF_SETTINGS).unwrap() + END_OF_SETTINGS.len()..];
    assert_eq!(embedded, body, "setup.rsc is stale: run `make routeros`");
    // Everything else is the template as it is.
    let mut rest: Vec<&str> = setup.lines().skip(1).filter(|l| !l.starts_with(prefix)).collect();
    let at = template.lines().position(|l| l == "# @embed ddns.rsc").unwrap();
    rest.insert(at, "# @embed ddns.rsc");
    assert_eq!(rest, template.lines().collect::<Vec<_>>(), "setup.rsc is stale: run `make routeros`");
}

#[test]
fn setup_settings_match_the_update_script() {
    // The setup writes the update script's settings block itself: every setting the
    // script reads must be one the setup writes, in the same order.
    let names = |text: &str, from: &str, to: &str| -> Vec<String> {
        let start = text.find(from).unwrap();
        let end = start + text[start..].find(to).unwrap();
        text[start..end]
            .split(":local ")
            .skip(1)
            .map(|s| s.split(' ').next().unwrap().to_string())
            .filter(|name| name != "src")
            .collect()
    };
    let script = file("ddns.rsc");
    let template = file("setup.rsc.in");
    let read = names(&script, "# --- settings ---", END_OF_SETTINGS);
    let written = names(&template, r##":local src ("# ddns: written"##, "# --- end of settings ---\\n");
    assert_eq!(read, written);
}

/// Lines of setup.rsc.in that carry a fix for a run-time fact (routeros/README.md, the row
/// in brackets); rsc-check sees the commands but not why each is there.
const SETUP_LINES: &[&str] = &[
    // The container's id from `add` (5), its state from the whole item (6, 9, 10).
    ":set cid [/container add file=$image ",
    ":set cid [/container add remote-image=$ref ",
    ":onerror e in={ :set c [/container get $1] } do={}",
    // Device-mode: all three features (26).
    r#":foreach f in={"container";"fetch";"scheduler"} do={"#,
    // Veth names (22).
    ":if (([:len $vethName] = 0) or ([:len $vethName] > 14)) do={",
    // The scheduler from boot (27), when added and when updated.
    "/system scheduler add name=ddns start-time=startup ",
    "/system scheduler set $kid start-time=startup ",
    // registry-url changed only when no other container exists (17).
    ":if ([:len [/container find]] = 0) do={",
    // Every wait pauses, whatever fetch returned (25).
    ":delay 3s",
];

#[test]
fn setup_keeps_its_run_time_fixes() {
    let template = file("setup.rsc.in");
    for line in SETUP_LINES {
        assert!(template.contains(line), "setup.rsc.in lost the line:\n{line}");
    }
    // Deadlines are on uptime, never on the clock NTP may set meanwhile (8).
    assert!(!template.contains("/system clock") && !template.contains(":timestamp"));
}

#[test]
fn setup_accepts_every_provider_the_gateway_knows() {
    let template = file("setup.rsc.in");
    let line = template.lines().find(|l| l.starts_with(":local providers {")).expect("the providers list");
    let listed = line.trim_start_matches(":local providers {").trim_end_matches('}');
    let listed: Vec<&str> = listed.split(';').map(|id| id.trim_matches('"')).collect();
    // Exactly the gateway's, in its order: no provider refused, none accepted that it lacks.
    assert_eq!(listed.join(", "), ddns_gateway::providers::Kind::ids(), "{line}");
    // The message naming them when the setting is wrong says the same.
    let ids = ddns_gateway::providers::Kind::ids();
    assert!(
        template.contains(&format!("is not one of {ids}\"")),
        "setup.rsc.in's message does not name {ids}"
    );
}
