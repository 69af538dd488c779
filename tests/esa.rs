//! Alibaba Cloud ESA end to end against the fake ESA API.

mod common;

use std::time::Duration;

use common::esa::{FakeEsa, param};
use common::{Gateway, Reply, provider_update, update_query};
use ddns_gateway::config::Config;
use ddns_gateway::providers::Kind;

const KEY_ID: &str = "LTAI5tESAKEYID0001";
const SECRET: &str = "EsaSecret-0123456789abcdef";

fn cred() -> String {
    format!(r#"ApiKey id="{KEY_ID}", secret="{SECRET}""#)
}

/// The fake's address set through `providers.esa.endpoint`, the key a user sets.
fn config(esa: &FakeEsa) -> Config {
    let mut config =
        Config::from_toml_text(&format!("[providers.esa]\nendpoint = \"http://{}\"\n", esa.addr))
            .expect("the endpoint key is taken");
    config.upstream_timeout = Duration::from_secs(5);
    config
}

async fn setup() -> (FakeEsa, Gateway) {
    let esa = FakeEsa::start(KEY_ID, SECRET, &["example.com"]).await;
    let gw = Gateway::start(config(&esa)).await;
    (esa, gw)
}

async fn update_with(gw: &Gateway, cred: &str, pairs: &[(&str, &str)]) -> Reply {
    provider_update(gw, "esa", cred, pairs).await
}

async fn update(gw: &Gateway, pairs: &[(&str, &str)]) -> Reply {
    update_with(gw, &cred(), pairs).await
}

/// The one record of `name` and `rtype` the fake holds.
fn only(esa: &FakeEsa, name: &str, rtype: &str) -> common::esa::EsaRecord {
    let found: Vec<_> = esa.records().into_iter().filter(|r| r.name == name && r.rtype == rtype).collect();
    assert_eq!(found.len(), 1, "{found:?}");
    found[0].clone()
}

fn action_of(r: &Reply) -> String {
    assert_eq!(r.status, 200, "{}", r.body);
    r.json()["action"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn lifecycle() {
    let (esa, gw) = setup().await;
    let site_id = esa.state.lock().unwrap().sites[0].id;

    // Created as a DNS-only A/AAAA record with ESA's automatic TTL.
    let r = update(&gw, &[("record", "home"), ("type", "A"), ("value", "1.2.3.4")]).await;
    assert_eq!(action_of(&r), "created");
    let j = r.json();
    let rec = only(&esa, "home.example.com", "A/AAAA");
    assert_eq!((rec.value.as_str(), rec.ttl, rec.proxied), ("1.2.3.4", 1, false));
    assert_eq!(j["data"]["ttl"], 1);
    assert_eq!(j["provider_metadata"]["record_id"], rec.id.to_string());
    assert_eq!(j["provider_metadata"]["zone_id"], site_id.to_string());
    assert!(j["provider_metadata"]["request_id"].as_str().unwrap().starts_with("REQ-"));
    assert_eq!(esa.action_names(), ["ListSites", "ListRecords", "CreateRecord"]);
    let sent = &esa.calls_of("CreateRecord")[0];
    for (k, v) in [
        ("SiteId", site_id.to_string().as_str()),
        ("RecordName", "home.example.com"),
        ("Type", "A/AAAA"),
        ("Data", r#"{"Value":"1.2.3.4"}"#),
        ("Ttl", "1"),
        ("Proxied", "false"),
    ] {
        assert_eq!(param(sent, k), Some(v), "{k} in {sent:?}");
    }

    // The same again: read only.
    esa.clear_actions();
    let r = update(&gw, &[("record", "HOME"), ("type", "a"), ("value", "1.2.3.4")]).await;
    assert_eq!(action_of(&r), "unchanged");
    assert_eq!(esa.action_names(), ["ListSites", "ListRecords"]);

    // A new address: one UpdateRecord, which leaves Proxied and BizName alone.
    esa.clear_actions();
    let r = update(&gw, &[("record", "home"), ("type", "A"), ("value", "1.2.3.5")]).await;
    assert_eq!(action_of(&r), "updated");
    assert_eq!(r.json()["data"]["previous_value"], "1.2.3.4");
    assert_eq!(esa.writes(), 1);
    let sent = &esa.calls_of("UpdateRecord")[0];
    assert_eq!(param(sent, "RecordId"), Some(rec.id.to_string().as_str()));
    assert_eq!(param(sent, "Data"), Some(r#"{"Value":"1.2.3.5"}"#));
    assert!(param(sent, "Proxied").is_none() && param(sent, "BizName").is_none(), "{sent:?}");
    assert_eq!(only(&esa, "home.example.com", "A/AAAA").value, "1.2.3.5");

    // TXT: created, then the same text is unchanged.
    esa.clear_actions();
    let txt = [("record", "_acme-challenge"), ("type", "TXT"), ("value", "token value")];
    assert_eq!(action_of(&update(&gw, &txt).await), "created");
    assert_eq!(action_of(&update(&gw, &txt).await), "unchanged");
    assert_eq!(esa.writes(), 1);
    let rec_txt = only(&esa, "_acme-challenge.example.com", "TXT");
    assert_eq!(rec_txt.value, "token value");
    assert!(esa.calls_of("CreateRecord").iter().all(|c| param(c, "Proxied").is_none()));

    // The first AAAA of a name with an A joins its record: one UpdateRecord, the IPv4 kept.
    esa.clear_actions();
    let r = update(&gw, &[("record", "home"), ("type", "AAAA"), ("value", "2001:db8:0::1")]).await;
    assert_eq!(action_of(&r), "created");
    assert_eq!(esa.action_names(), ["ListSites", "ListRecords", "UpdateRecord"]);
    let shared = only(&esa, "home.example.com", "A/AAAA");
    assert_eq!((shared.id, shared.value.as_str()), (rec.id, "1.2.3.5,2001:db8::1"));
    assert_eq!(r.json()["provider_metadata"]["record_id"], rec.id.to_string());

    // A new IPv4 keeps the IPv6; the IPv6 asked again is unchanged.
    esa.clear_actions();
    let r = update(&gw, &[("record", "home"), ("type", "A"), ("value", "5.6.7.8")]).await;
    assert_eq!(action_of(&r), "updated");
    assert_eq!(r.json()["data"]["previous_value"], "1.2.3.5");
    assert_eq!(only(&esa, "home.example.com", "A/AAAA").value, "5.6.7.8,2001:db8::1");
    let r = update(&gw, &[("record", "home"), ("type", "AAAA"), ("value", "2001:db8::1")]).await;
    assert_eq!(action_of(&r), "unchanged");
    assert_eq!(esa.writes(), 1);

    // The apex and a wildcard, under their full names.
    esa.clear_actions();
    let r = update(&gw, &[("record", "@"), ("type", "A"), ("value", "203.0.113.7")]).await;
    assert_eq!((action_of(&r).as_str(), r.json()["data"]["fqdn"].as_str()), ("created", Some("example.com")));
    assert_eq!(param(&esa.calls_of("CreateRecord")[0], "RecordName"), Some("example.com"));
    let wild = [("record", "*"), ("type", "A"), ("value", "203.0.113.8")];
    assert_eq!(action_of(&update(&gw, &wild).await), "created");
    assert_eq!(action_of(&update(&gw, &wild).await), "unchanged");
    assert_eq!(only(&esa, "*.example.com", "A/AAAA").value, "203.0.113.8");
    assert_eq!(esa.writes(), 2);

    // A comment over ESA's 100 characters: refused before any call.
    esa.clear_actions();
    let long = "c".repeat(101);
    let r = update(&gw, &[("record", "home"), ("type", "A"), ("value", "5.6.7.9"), ("comment", &long)]).await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert_eq!(r.json()["message"], "comment: longer than 100 characters (the ESA limit)");
    assert!(esa.action_names().is_empty());

    // A wrong secret: 502 naming the refusal, nothing of the key or the string-to-sign.
    let bad = format!(r#"ApiKey id="{KEY_ID}", secret="WRONG-secret-value""#);
    let r = update_with(&gw, &bad, &[("record", "home"), ("type", "A"), ("value", "5.6.7.9")]).await;
    assert_eq!(r.status, 502, "{}", r.body);
    let j = r.json();
    assert_eq!(j["provider_error"]["code"], "SignatureDoesNotMatch");
    assert_eq!(
        j["message"],
        "Failed to query DNS records: ESA refused the credential or permission: SignatureDoesNotMatch Specified signature does not match our calculation."
    );
    for leak in [KEY_ID, "WRONG-secret-value", SECRET, "GET&%2F"] {
        assert!(!r.body.contains(leak), "{leak} in {}", r.body);
    }
    assert_eq!(esa.writes(), 0);

    // A zone that is no site of this account: 404 after ListSites alone.
    esa.clear_actions();
    let q = update_query(&[
        ("provider", "esa"),
        ("zone", "nothere.cn"),
        ("record", "a"),
        ("type", "A"),
        ("value", "1.2.3.4"),
    ]);
    let r = gw.get(&q, &[("X-Upstream-Authorization", &cred())]).await;
    assert_eq!(
        (r.status, r.json()["message"].as_str()),
        (404, Some("Zone not found for domain: nothere.cn"))
    );
    assert_eq!(esa.action_names(), ["ListSites"]);

    // Throttled on the write: 503 with Retry-After, and not written twice.
    esa.clear_actions();
    esa.fail_next("UpdateRecord", 429, "TooManyRequests", "Request was denied due to flow control.");
    let r = update(&gw, &[("record", "home"), ("type", "A"), ("value", "5.6.7.9")]).await;
    assert_eq!(r.status, 503, "{}", r.body);
    assert_eq!(r.header("retry-after"), Some("5"));
    assert_eq!(r.json()["message"], "ESA rate limit reached; retry after 5 s");
    assert_eq!(esa.action_names(), ["ListSites", "ListRecords", "UpdateRecord"]);
    assert_eq!(only(&esa, "home.example.com", "A/AAAA").value, "5.6.7.8,2001:db8::1");

    // ESA's clock 20 minutes ahead: one refusal, signed again with its time, then done.
    esa.clear_actions();
    esa.state.lock().unwrap().skew = 20 * 60;
    let r = update(&gw, &[("record", "home"), ("type", "A"), ("value", "5.6.7.9")]).await;
    assert_eq!(action_of(&r), "updated");
    assert_eq!(esa.state.lock().unwrap().expired, 1);
    assert_eq!(esa.writes(), 1);
    assert_eq!(only(&esa, "home.example.com", "A/AAAA").value, "5.6.7.9,2001:db8::1");
    let r = update(&gw, &[("record", "home"), ("type", "A"), ("value", "5.6.7.9")]).await;
    assert_eq!(action_of(&r), "unchanged");
    assert_eq!(esa.state.lock().unwrap().expired, 1, "later requests use the learned offset");
    gw.stop().await;
}

/// One A/AAAA record holds both families: each family is compared and written on its own,
/// the other kept. Two addresses of the asked family are ambiguous: 409, nothing written.
#[tokio::test]
async fn families_share_one_record() {
    let (esa, gw) = setup().await;
    let home = esa.add("example.com", "home.example.com", "A/AAAA", "1.2.3.4,2001:db8::1", 600);
    for (rtype, value) in [("A", "1.2.3.4"), ("AAAA", "2001:db8:0:0::1")] {
        let r = update(&gw, &[("record", "home"), ("type", rtype), ("value", value)]).await;
        assert_eq!(action_of(&r), "unchanged", "{rtype}");
    }
    let r = update(&gw, &[("record", "home"), ("type", "AAAA"), ("value", "2001:db8::2")]).await;
    assert_eq!(action_of(&r), "updated");
    assert_eq!(r.json()["data"]["previous_value"], "2001:db8::1");
    assert_eq!((esa.record(home).value.as_str(), esa.record(home).ttl), ("1.2.3.4,2001:db8::2", 600));
    let sent = &esa.calls_of("UpdateRecord")[0];
    assert_eq!((param(sent, "Type"), param(sent, "Ttl")), (Some("A/AAAA"), Some("600")));

    let multi = esa.add("example.com", "multi.example.com", "A/AAAA", "1.1.1.1,1.1.1.2,2001:db8::9", 600);
    esa.clear_actions();
    let r = update(&gw, &[("record", "multi"), ("type", "A"), ("value", "1.1.1.3")]).await;
    assert_eq!(r.status, 409, "{}", r.body);
    assert_eq!(r.json()["message"], "Multiple records found for multi.example.com (A): 2");
    assert_eq!(esa.writes(), 0);
    // The name's one IPv6 is still the gateway's to keep.
    let r = update(&gw, &[("record", "multi"), ("type", "AAAA"), ("value", "2001:db8::a")]).await;
    assert_eq!(action_of(&r), "updated");
    assert_eq!(esa.record(multi).value, "1.1.1.1,1.1.1.2,2001:db8::a");

    // An IPv6-only record gets its IPv4 first.
    let v6 = esa.add("example.com", "v6.example.com", "A/AAAA", "2001:db8::5", 600);
    let r = update(&gw, &[("record", "v6"), ("type", "A"), ("value", "9.9.9.9")]).await;
    assert_eq!(action_of(&r), "created");
    assert_eq!(esa.record(v6).value, "9.9.9.9,2001:db8::5");
    assert_eq!(esa.records().iter().filter(|r| r.name == "v6.example.com").count(), 1);
    gw.stop().await;
}

/// A and AAAA of one name at the same moment: the second waits for the first, so neither
/// write undoes the other.
#[tokio::test]
async fn concurrent_families_keep_each_other() {
    let (esa, gw) = setup().await;
    let home = esa.add("example.com", "home.example.com", "A/AAAA", "1.2.3.4", 600);
    // Both listings would be answered before either write without the turn.
    esa.state.lock().unwrap().list_delay = Duration::from_millis(300);
    let (a, aaaa) = tokio::join!(
        update(&gw, &[("record", "home"), ("type", "A"), ("value", "5.6.7.8")]),
        update(&gw, &[("record", "home"), ("type", "AAAA"), ("value", "2001:db8::1")]),
    );
    assert_eq!((action_of(&a), action_of(&aaaa)), ("updated".into(), "created".into()));
    assert_eq!(esa.record(home).value, "5.6.7.8,2001:db8::1");
    assert_eq!(esa.writes(), 2);
    gw.stop().await;
}

/// TTL: 1 or 30–86400, refused otherwise before anything is written; comments alone are
/// one write; TTL and comment belong to the shared record, so to both families.
#[tokio::test]
async fn ttl_and_comment() {
    let (esa, gw) = setup().await;
    let home = esa.add("example.com", "home.example.com", "A/AAAA", "1.2.3.4", 600);
    let r =
        update(&gw, &[("record", "home"), ("type", "A"), ("value", "1.2.3.4"), ("comment", "router")]).await;
    assert_eq!(action_of(&r), "updated");
    assert!(r.json()["data"]["previous_value"].is_null());
    let sent = &esa.calls_of("UpdateRecord")[0];
    assert_eq!((param(sent, "Comment"), param(sent, "Ttl")), (Some("router"), Some("600")));
    let rec = esa.record(home);
    assert_eq!((rec.comment.as_deref(), rec.ttl, rec.value.as_str()), (Some("router"), 600, "1.2.3.4"));
    let r =
        update(&gw, &[("record", "home"), ("type", "A"), ("value", "1.2.3.4"), ("comment", "router")]).await;
    assert_eq!(action_of(&r), "unchanged");

    esa.clear_actions();
    for (record, ttl) in [("home", "10"), ("home", "86401"), ("new", "29")] {
        let r = update(&gw, &[("record", record), ("type", "A"), ("value", "1.2.3.9"), ("ttl", ttl)]).await;
        assert_eq!(r.status, 422, "{}", r.body);
        let want = format!("ttl: ESA takes 1 (automatic) or 30 to 86400 seconds (got {ttl})");
        assert_eq!(r.json()["message"], want.as_str());
    }
    assert_eq!(esa.writes(), 0);
    assert_eq!(esa.record(home).value, "1.2.3.4");

    // The AAAA joins with its TTL, which is the A's too now; the comment stays.
    let r =
        update(&gw, &[("record", "home"), ("type", "AAAA"), ("value", "2001:db8::1"), ("ttl", "300")]).await;
    assert_eq!((action_of(&r).as_str(), r.json()["data"]["ttl"].as_u64()), ("created", Some(300)));
    let rec = esa.record(home);
    assert_eq!(
        (rec.value.as_str(), rec.ttl, rec.comment.as_deref()),
        ("1.2.3.4,2001:db8::1", 300, Some("router"))
    );
    let r = update(&gw, &[("record", "home"), ("type", "A"), ("value", "1.2.3.4"), ("ttl", "300")]).await;
    assert_eq!(action_of(&r), "unchanged");
    let r = update(&gw, &[("record", "home"), ("type", "A"), ("value", "1.2.3.4"), ("ttl", "1")]).await;
    assert_eq!((action_of(&r).as_str(), esa.record(home).ttl), ("updated", 1));

    // A value ESA refuses is a 422 naming its code.
    let long = "t".repeat(451);
    let r = update(&gw, &[("record", "txt"), ("type", "TXT"), ("value", &long)]).await;
    assert_eq!(r.status, 422, "{}", r.body);
    let msg = r.json()["message"].as_str().unwrap().to_string();
    assert!(msg.starts_with("Failed to create DNS record: ESA Record.TXTRecordValueExceedLimit"), "{msg}");
    gw.stop().await;
}

/// A proxied record stays proxied for its scenario: UpdateRecord is sent neither Proxied nor
/// BizName. ESA keeps a TTL for it like any other (nothing documents it fixing one), so a
/// TTL asked for is written.
#[tokio::test]
async fn a_proxied_record_stays_proxied() {
    let (esa, gw) = setup().await;
    let home = esa.add("example.com", "home.example.com", "A/AAAA", "1.2.3.4", 1);
    esa.proxy(home, "api");
    let r = update(&gw, &[("record", "home"), ("type", "A"), ("value", "1.2.3.5"), ("ttl", "600")]).await;
    assert_eq!(action_of(&r), "updated");
    assert_eq!(r.json()["warnings"].as_array().unwrap().len(), 0);
    let sent = &esa.calls_of("UpdateRecord")[0];
    assert!(param(sent, "Proxied").is_none() && param(sent, "BizName").is_none(), "{sent:?}");
    let rec = esa.record(home);
    assert_eq!(
        (rec.value.as_str(), rec.ttl, rec.proxied, rec.biz.as_deref()),
        ("1.2.3.5", 600, true, Some("api"))
    );
    gw.stop().await;
}

/// A site in CNAME access takes only proxied A/AAAA and CNAME records: the gateway creates
/// none there (422 before any write) but keeps the ones made in the console up to date.
#[tokio::test]
async fn cname_access_sites() {
    let esa = FakeEsa::start(KEY_ID, SECRET, &[]).await;
    esa.add_site("example.com", "CNAME", "active");
    let gw = Gateway::start(config(&esa)).await;
    let r = update(&gw, &[("record", "_acme"), ("type", "TXT"), ("value", "x")]).await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert_eq!(
        r.json()["message"],
        "type: example.com is an ESA site in CNAME access, which has no TXT records"
    );
    let r = update(&gw, &[("record", "www"), ("type", "A"), ("value", "1.2.3.4")]).await;
    assert_eq!(r.status, 422, "{}", r.body);
    let msg = r.json()["message"].as_str().unwrap().to_string();
    assert!(
        msg.contains("CNAME access, whose records must be proxied: create this A record in the ESA console"),
        "{msg}"
    );
    assert_eq!((esa.writes(), esa.records().len()), (0, 0));

    let home = esa.add("example.com", "home.example.com", "A/AAAA", "1.2.3.4", 1);
    esa.proxy(home, "web");
    let r = update(&gw, &[("record", "home"), ("type", "A"), ("value", "1.2.3.9")]).await;
    assert_eq!(action_of(&r), "updated");
    let r = update(&gw, &[("record", "home"), ("type", "AAAA"), ("value", "2001:db8::9")]).await;
    assert_eq!(action_of(&r), "created");
    let rec = esa.record(home);
    assert_eq!(
        (rec.value.as_str(), rec.proxied, rec.biz.as_deref()),
        ("1.2.3.9,2001:db8::9", true, Some("web"))
    );
    gw.stop().await;
}

/// A `moved` twin listed first is never used; records are followed over pages (here every
/// TXT of the name, five on three pages of two, which are a 409 together).
#[tokio::test]
async fn moved_twins_and_pages() {
    let esa = FakeEsa::start(KEY_ID, SECRET, &[]).await;
    let moved = esa.add_site("example.com", "NS", "moved");
    let live = esa.add_site("example.com", "NS", "active");
    let gw = Gateway::start(config(&esa)).await;
    let r = update(&gw, &[("record", "home"), ("type", "A"), ("value", "1.2.3.4")]).await;
    assert_eq!(action_of(&r), "created");
    assert_eq!(r.json()["provider_metadata"]["zone_id"], live.to_string());
    assert_eq!(only(&esa, "home.example.com", "A/AAAA").site_id, live);
    assert!(esa.records().iter().all(|r| r.site_id != moved));

    for i in 1..=5 {
        esa.add("example.com", "_acme.example.com", "TXT", &format!("t{i}"), 600);
    }
    esa.clear_actions();
    let r = update(&gw, &[("record", "_acme"), ("type", "TXT"), ("value", "t6")]).await;
    assert_eq!(r.status, 409, "{}", r.body);
    assert_eq!(r.json()["message"], "Multiple records found for _acme.example.com (TXT): 5");
    assert_eq!(esa.action_names().iter().filter(|a| *a == "ListRecords").count(), 3);
    assert_eq!(esa.writes(), 0);
    gw.stop().await;
}

/// A RAM policy without an action: 502 naming the action to allow.
#[tokio::test]
async fn ram_policy_names_the_missing_action() {
    let (esa, gw) = setup().await;
    esa.state.lock().unwrap().allowed.retain(|a| *a != "CreateRecord");
    let r = update(&gw, &[("record", "home"), ("type", "A"), ("value", "1.2.3.4")]).await;
    assert_eq!(r.status, 502, "{}", r.body);
    let msg = r.json()["message"].as_str().unwrap().to_string();
    assert!(
        msg.starts_with(
            "Failed to create DNS record: ESA refused the credential or permission: NoPermission"
        ) && msg.ends_with("(the RAM policy must allow esa:CreateRecord)"),
        "{msg}"
    );
    assert!(esa.records().is_empty());
    esa.state.lock().unwrap().allowed.clear();
    let r = update(&gw, &[("record", "home"), ("type", "A"), ("value", "1.2.3.4")]).await;
    assert_eq!(r.status, 502);
    assert!(r.json()["message"].as_str().unwrap().contains("esa:ListSites"), "{}", r.body);
    gw.stop().await;
}

/// A record still being configured after a write: 503 with ESA's wait, one write, and the
/// next call goes through.
#[tokio::test]
async fn a_busy_record_is_retried_later_not_now() {
    let (esa, gw) = setup().await;
    let home = esa.add("example.com", "home.example.com", "A/AAAA", "1.2.3.4", 600);
    esa.fail_next("UpdateRecord", 400, "Record.ServiceBusy", "该解析记录正在配置中，请稍后重试");
    let r = update(&gw, &[("record", "home"), ("type", "A"), ("value", "1.2.3.5")]).await;
    assert_eq!((r.status, r.header("retry-after")), (503, Some("5")), "{}", r.body);
    assert_eq!((esa.calls_of("UpdateRecord").len(), esa.record(home).value.as_str()), (1, "1.2.3.4"));
    let r = update(&gw, &[("record", "home"), ("type", "A"), ("value", "1.2.3.5")]).await;
    assert_eq!(action_of(&r), "updated");
    assert_eq!(esa.record(home).value, "1.2.3.5");
    gw.stop().await;
}

/// Internationalised names go out in Punycode (how ESA keys such a site is undocumented);
/// the reply answers in the form the client sent.
#[tokio::test]
async fn idn_names_go_out_in_punycode() {
    let esa = FakeEsa::start(KEY_ID, SECRET, &["xn--fiq228c.cn"]).await;
    let gw = Gateway::start(config(&esa)).await;
    let q = update_query(&[
        ("provider", "esa"),
        ("zone", "中文.cn"),
        ("record", "家"),
        ("type", "A"),
        ("value", "1.2.3.4"),
    ]);
    let r = gw.get(&q, &[("X-Upstream-Authorization", &cred())]).await;
    assert_eq!(action_of(&r), "created");
    assert_eq!(r.json()["data"]["fqdn"], "家.中文.cn");
    assert_eq!(param(&esa.calls_of("ListSites")[0], "SiteName"), Some("xn--fiq228c.cn"));
    assert_eq!(esa.records()[0].name, "xn--fct.xn--fiq228c.cn");
    gw.stop().await;
}

#[test]
fn endpoints() {
    assert_eq!(Config::default().endpoint(Kind::Esa).to_string(), "https://esa.cn-hangzhou.aliyuncs.com");
    let intl = "[providers.esa]\nendpoint = \"https://esa.ap-southeast-1.aliyuncs.com\"\n";
    let c = Config::from_toml_text(intl).unwrap();
    assert_eq!(c.endpoint(Kind::Esa).to_string(), "https://esa.ap-southeast-1.aliyuncs.com");
}
