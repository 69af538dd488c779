//! Tencent EdgeOne end to end against the fake EdgeOne API.

mod common;

use common::edgeone::FakeEdgeOne;
use common::{Gateway, Reply, provider_update, update_query};
use ddns_gateway::config::Config;
use serde_json::json;

const SECRET_ID: &str = "AKIDedgeoneIDXXXXXXXX";
const SECRET_KEY: &str = "EdgeOneKey-0123456789abcdef";

fn cred() -> String {
    format!(r#"ApiKey id="{SECRET_ID}" secret="{SECRET_KEY}""#)
}

/// The gateway with `providers.edgeone.endpoint` pointing at the fake, as a config file sets it.
async fn gateway(eo: &FakeEdgeOne) -> Gateway {
    let toml = format!("[providers.edgeone]\nendpoint = \"http://{}\"\n", eo.addr);
    Gateway::start(Config::from_toml_text(&toml).unwrap()).await
}

/// A fake with the NS-access site example.com, and the gateway.
async fn setup() -> (FakeEdgeOne, String, Gateway) {
    let eo = FakeEdgeOne::start(SECRET_ID, SECRET_KEY).await;
    let zone = eo.add_site("example.com", "full", "active");
    let gw = gateway(&eo).await;
    (eo, zone, gw)
}

async fn update(gw: &Gateway, pairs: &[(&str, &str)]) -> Reply {
    provider_update(gw, "edgeone", &cred(), pairs).await
}

async fn update_in(gw: &Gateway, zone: &str, pairs: &[(&str, &str)]) -> Reply {
    let mut all = vec![("provider", "edgeone"), ("zone", zone)];
    all.extend_from_slice(pairs);
    gw.get(&update_query(&all), &[("X-Upstream-Authorization", &cred())]).await
}

fn action(r: &Reply) -> String {
    assert_eq!(r.status, 200, "{}", r.body);
    r.json()["action"].as_str().unwrap().to_string()
}

fn warnings(r: &Reply) -> Vec<String> {
    r.json()["warnings"].as_array().unwrap().iter().map(|w| w.as_str().unwrap().to_string()).collect()
}

/// create → unchanged → update → TXT → AAAA → `@` → wildcard → comment → Location kept →
/// twin site → wrong secret → unknown zone → rate limit → clock skew, counting writes.
#[tokio::test]
async fn lifecycle() {
    let (eo, zone, gw) = setup().await;
    let home = [("record", "home"), ("type", "A"), ("value", "203.0.113.7")];
    let r = update(&gw, &home).await;
    assert_eq!(action(&r), "created");
    let j = r.json();
    assert_eq!((j["data"]["ttl"].as_u64(), j["data"]["line"].as_str()), (Some(300), Some("Default")));
    let id = eo.records()[0].id.clone();
    assert!(id.starts_with("record-"), "{id}");
    assert_eq!(j["provider_metadata"]["record_id"], id.as_str());
    assert_eq!(j["provider_metadata"]["zone_id"], zone.as_str());
    assert!(j["provider_metadata"]["request_id"].as_str().unwrap().starts_with("eo-req-"));
    assert_eq!(eo.action_names(), ["DescribeZones", "DescribeDnsRecords", "CreateDnsRecord"]);
    assert_eq!(
        eo.last_body("CreateDnsRecord"),
        json!({"ZoneId": zone, "Name": "home.example.com", "Type": "A", "Content": "203.0.113.7",
               "TTL": 300, "Location": "Default"})
    );
    assert_eq!(
        eo.last_body("DescribeZones")["Filters"][0],
        json!({"Name": "zone-name", "Values": ["example.com"], "Fuzzy": false})
    );
    assert_eq!(eo.writes(), 1);

    assert_eq!(action(&update(&gw, &home).await), "unchanged");
    assert_eq!(eo.writes(), 1);

    let r = update(&gw, &[("record", "home"), ("type", "A"), ("value", "203.0.113.8")]).await;
    assert_eq!(action(&r), "updated");
    assert_eq!(r.json()["data"]["previous_value"], "203.0.113.7");
    assert_eq!(
        eo.last_body("ModifyDnsRecords"),
        json!({"ZoneId": zone, "DnsRecords": [{"RecordId": id, "Name": "home.example.com", "Type": "A",
               "Content": "203.0.113.8", "TTL": 300, "Location": "Default"}]})
    );
    assert_eq!((eo.record(&id).content.as_str(), eo.writes()), ("203.0.113.8", 2));

    // TXT is sent and compared as the text itself.
    let txt = r#"v=spf1 include:"_spf.example.net"  -all"#;
    let t = [("record", "_spf"), ("type", "TXT"), ("value", txt)];
    assert_eq!(action(&update(&gw, &t).await), "created");
    assert_eq!(action(&update(&gw, &t).await), "unchanged");
    assert_eq!(eo.records().iter().find(|r| r.rtype == "TXT").unwrap().content, txt);
    assert_eq!(eo.writes(), 3);

    let v6 = [("record", "home"), ("type", "AAAA"), ("value", "2001:db8::7")];
    assert_eq!(action(&update(&gw, &v6).await), "created");
    assert_eq!(
        action(&update(&gw, &[("record", "home"), ("type", "AAAA"), ("value", "2001:DB8:0::7")]).await),
        "unchanged"
    );
    assert_eq!(eo.writes(), 4);

    // The apex's Name is the zone's own.
    let apex = [("record", "@"), ("type", "A"), ("value", "203.0.113.9")];
    let r = update(&gw, &apex).await;
    assert_eq!((action(&r).as_str(), r.json()["data"]["fqdn"].as_str()), ("created", Some("example.com")));
    assert_eq!(eo.last_body("CreateDnsRecord")["Name"], "example.com");
    assert_eq!(action(&update(&gw, &apex).await), "unchanged");
    assert_eq!(eo.writes(), 5);

    let wild = [("record", "*"), ("type", "A"), ("value", "203.0.113.10")];
    assert_eq!(action(&update(&gw, &wild).await), "created");
    assert_eq!(eo.last_body("CreateDnsRecord")["Name"], "*.example.com");
    assert_eq!(action(&update(&gw, &wild).await), "unchanged");
    assert_eq!(eo.writes(), 6);

    // No comment field: a comment alone changes nothing; with a new value it is written
    // without the comment; either way the reply says it was not stored.
    let no_comment = "EdgeOne records have no comment field: the comment was not stored";
    let r =
        update(&gw, &[("record", "home"), ("type", "A"), ("value", "203.0.113.8"), ("comment", "router")])
            .await;
    assert_eq!((action(&r).as_str(), warnings(&r)), ("unchanged", vec![no_comment.to_string()]));
    assert_eq!(eo.writes(), 6);
    let r =
        update(&gw, &[("record", "home"), ("type", "A"), ("value", "203.0.113.11"), ("comment", "router")])
            .await;
    assert_eq!((action(&r).as_str(), warnings(&r)), ("updated", vec![no_comment.to_string()]));
    let r =
        update(&gw, &[("record", "nas"), ("type", "A"), ("value", "203.0.113.12"), ("comment", "nas")]).await;
    assert_eq!((action(&r).as_str(), warnings(&r)), ("created", vec![no_comment.to_string()]));
    assert_eq!(eo.writes(), 8);
    let r =
        update(&gw, &[("record", "nas"), ("type", "A"), ("value", "203.0.113.12"), ("comment", "")]).await;
    assert_eq!((action(&r).as_str(), warnings(&r)), ("unchanged", Vec::<String>::new()));

    // A record moved to another line (with its own TTL and weight) keeps them on an update:
    // ModifyDnsRecords would reset a Location left out to Default.
    eo.edit(&id, |r| {
        r.location = "CN.BJ".into();
        r.ttl = 600;
        r.weight = 40;
    });
    let r = update(&gw, &[("record", "home"), ("type", "A"), ("value", "203.0.113.13")]).await;
    assert_eq!((action(&r).as_str(), r.json()["data"]["line"].as_str()), ("updated", Some("CN.BJ")));
    let rec = eo.record(&id);
    assert_eq!(
        (rec.content.as_str(), rec.location.as_str(), rec.ttl, rec.weight),
        ("203.0.113.13", "CN.BJ", 600, 40)
    );
    assert_eq!(eo.last_body("ModifyDnsRecords")["DnsRecords"][0]["Weight"], 40);
    assert_eq!(eo.writes(), 9);

    // Twin sites: a CNAME-access site listed first, the NS-access one holds the records.
    eo.next_second();
    let cname_site = eo.add_site("example.net", "partial", "active");
    let ns_site = eo.add_site("example.net", "full", "active");
    let r =
        update_in(&gw, "example.net", &[("record", "home"), ("type", "A"), ("value", "198.51.100.1")]).await;
    assert_eq!(action(&r), "created");
    assert_eq!(r.json()["provider_metadata"]["zone_id"], ns_site.as_str());
    assert_eq!(eo.records().last().unwrap().zone_id, ns_site);
    assert!(
        eo.state.lock().unwrap().actions.iter().all(|(_, b)| b["ZoneId"] != cname_site.as_str()),
        "no call names the CNAME-access site"
    );
    assert_eq!(eo.writes(), 10);

    // A wrong secret: 502 naming the refusal, nothing written, the secret not echoed.
    let wrong = format!(r#"ApiKey id="{SECRET_ID}" secret="WRONG-key-value""#);
    let r = provider_update(&gw, "edgeone", &wrong, &home).await;
    assert_eq!(r.status, 502, "{}", r.body);
    assert_eq!(r.json()["provider_error"]["code"], "AuthFailure.SignatureFailure");
    assert!(
        r.json()["message"]
            .as_str()
            .unwrap()
            .starts_with("Failed to query DNS records: EdgeOne refused the credential or permission: AuthFailure.SignatureFailure"),
        "{}",
        r.body
    );
    assert!(!r.body.contains("WRONG-key-value"));
    assert_eq!(eo.writes(), 10);

    // An unknown zone: 404 after one DescribeZones, no record call.
    let before = eo.action_names().len();
    let r = update_in(&gw, "nothere.cn", &home).await;
    assert_eq!(
        (r.status, r.json()["message"].as_str()),
        (404, Some("Zone not found for domain: nothere.cn"))
    );
    assert_eq!(eo.action_names()[before..], ["DescribeZones"]);

    // The API's rate limit: 503 with Retry-After, nothing written.
    eo.next_second();
    eo.state.lock().unwrap().rate = 1;
    let now = [("record", "home"), ("type", "A"), ("value", "203.0.113.13")];
    assert_eq!(action(&update(&gw, &now).await), "unchanged");
    let limited = update(&gw, &now).await;
    assert_eq!((limited.status, limited.header("retry-after")), (503, Some("1")), "{}", limited.body);
    assert_eq!(limited.json()["message"], "EdgeOne rate limit reached; retry after 1 s");
    eo.state.lock().unwrap().rate = 20;
    eo.fail_next("CreateDnsRecord", "LimitExceeded.RateLimitExceeded", "单位时间内接口请求频率达到限制。");
    let r = update(&gw, &[("record", "new"), ("type", "A"), ("value", "192.0.2.1")]).await;
    assert_eq!((r.status, r.header("retry-after")), (503, Some("1")), "{}", r.body);
    assert!(eo.records().iter().all(|r| r.name != "new.example.com"));
    assert_eq!(eo.writes(), 11, "the refused create is the only write since");

    // EdgeOne's clock 1000 s ahead: refused once, signed again with its time, then learned.
    eo.next_second();
    eo.state.lock().unwrap().skew = 1000;
    let r = update(&gw, &[("record", "home"), ("type", "A"), ("value", "203.0.113.14")]).await;
    assert_eq!(action(&r), "updated");
    assert_eq!(eo.state.lock().unwrap().expired, 1);
    assert_eq!(
        action(&update(&gw, &[("record", "home"), ("type", "A"), ("value", "203.0.113.14")]).await),
        "unchanged"
    );
    assert_eq!(eo.state.lock().unwrap().expired, 1);
    assert_eq!(eo.writes(), 12);
    gw.stop().await;
}

/// Only an NS-access site holds records: a name that is only a CNAME-access or DNSPod-hosted
/// site is a 404 saying so, without any record call; a moved NS-access twin is passed over.
#[tokio::test]
async fn sites_without_records_are_404_and_dead_twins_are_skipped() {
    let eo = FakeEdgeOne::start(SECRET_ID, SECRET_KEY).await;
    eo.add_site("cname.example", "partial", "active");
    eo.add_site("dnspod.example", "dnsPodAccess", "active");
    let moved = eo.add_site("twin.example", "full", "moved");
    let live = eo.add_site("twin.example", "full", "pending");
    eo.add_site("fuzzy-twin.example", "full", "active");
    let gw = gateway(&eo).await;
    let a = [("record", "home"), ("type", "A"), ("value", "192.0.2.1")];

    let r = update_in(&gw, "cname.example", &a).await;
    assert_eq!(r.status, 404, "{}", r.body);
    assert!(
        r.json()["message"].as_str().unwrap().contains("CNAME access: its DNS records are at your DNS host"),
        "{}",
        r.body
    );
    let r = update_in(&gw, "dnspod.example", &a).await;
    assert_eq!(r.status, 404, "{}", r.body);
    assert!(r.json()["message"].as_str().unwrap().ends_with("use provider=tencent)"), "{}", r.body);
    eo.add_site("gone.example", "full", "moved");
    let r = update_in(&gw, "gone.example", &a).await;
    assert_eq!(r.status, 404, "{}", r.body);
    assert!(
        r.json()["message"]
            .as_str()
            .unwrap()
            .contains("no EdgeOne site of that name with NS access that has not moved away"),
        "{}",
        r.body
    );
    assert_eq!(eo.action_names(), ["DescribeZones", "DescribeZones", "DescribeZones"]);

    let r = update_in(&gw, "twin.example", &a).await;
    assert_eq!(action(&r), "created");
    assert_eq!(eo.records()[0].zone_id, live);
    assert_ne!(live, moved);
    gw.stop().await;
}

/// `line` picks the record on that EdgeOne Location (or creates one there); without it, the
/// Default record of several is the one updated.
#[tokio::test]
async fn resolution_lines() {
    let (eo, zone, gw) = setup().await;
    let default = eo.add(&zone, "home.example.com", "A", "192.0.2.1", 300);
    let bj = eo.add(&zone, "home.example.com", "A", "192.0.2.2", 300);
    eo.edit(&bj, |r| r.location = "CN.BJ".into());

    let r = update(&gw, &[("record", "home"), ("type", "A"), ("value", "192.0.2.9")]).await;
    assert_eq!((action(&r).as_str(), r.json()["data"]["line"].as_str()), ("updated", Some("Default")));
    assert_eq!(
        (eo.record(&default).content, eo.record(&bj).content),
        ("192.0.2.9".into(), "192.0.2.2".into())
    );

    let r =
        update(&gw, &[("record", "home"), ("type", "A"), ("value", "192.0.2.8"), ("line", "CN.BJ")]).await;
    assert_eq!((action(&r).as_str(), r.json()["data"]["line"].as_str()), ("updated", Some("CN.BJ")));
    assert_eq!((eo.record(&bj).content.as_str(), eo.record(&bj).location.as_str()), ("192.0.2.8", "CN.BJ"));

    let r =
        update(&gw, &[("record", "home"), ("type", "A"), ("value", "192.0.2.7"), ("line", "CN.FJ")]).await;
    assert_eq!((action(&r).as_str(), r.json()["data"]["line"].as_str()), ("created", Some("CN.FJ")));
    assert_eq!(eo.last_body("CreateDnsRecord")["Location"], "CN.FJ");
    // A Location EdgeOne does not know: its refusal, a 422.
    let r =
        update(&gw, &[("record", "home"), ("type", "A"), ("value", "192.0.2.6"), ("line", "Nowhere")]).await;
    assert_eq!((r.status, r.json()["provider_error"]["code"].as_str()), (422, Some("InvalidParameterValue")));
    assert_eq!(eo.records().len(), 3);
    gw.stop().await;
}

/// Two records of the name and type on the default line (weighted): 409, nothing written. A
/// disabled record is updated, stays disabled, and the reply warns.
#[tokio::test]
async fn duplicates_conflict_and_a_disabled_record_stays_disabled() {
    let (eo, zone, gw) = setup().await;
    let one = eo.add(&zone, "lb.example.com", "A", "192.0.2.1", 300);
    let two = eo.add(&zone, "lb.example.com", "A", "192.0.2.2", 300);
    eo.edit(&one, |r| r.weight = 40);
    eo.edit(&two, |r| r.weight = 60);
    let r = update(&gw, &[("record", "lb"), ("type", "A"), ("value", "192.0.2.3")]).await;
    assert_eq!(r.status, 409, "{}", r.body);
    assert_eq!(r.json()["message"], "Multiple records found for lb.example.com (A): 2");
    assert_eq!(eo.writes(), 0);

    let off = eo.add(&zone, "off.example.com", "A", "192.0.2.1", 300);
    eo.edit(&off, |r| r.status = "disable".into());
    let r = update(&gw, &[("record", "off"), ("type", "A"), ("value", "192.0.2.4")]).await;
    assert_eq!(action(&r), "updated");
    assert_eq!(
        warnings(&r),
        ["The record is paused at EdgeOne: it does not resolve until it is enabled there"]
    );
    let rec = eo.record(&off);
    assert_eq!((rec.content.as_str(), rec.status.as_str()), ("192.0.2.4", "disable"));
    gw.stop().await;
}

/// EdgeOne's codes, met on a read or a write, each mapped by its code; nothing is written
/// after a failed read.
#[tokio::test]
async fn provider_codes_map_by_code() {
    let (eo, zone, gw) = setup().await;
    let id = eo.add(&zone, "home.example.com", "A", "192.0.2.1", 300);
    let change = [("record", "home"), ("type", "A"), ("value", "192.0.2.2")];
    let cases: &[(&str, &str, u16)] = &[
        ("RequestLimitExceeded", "DescribeZones", 503),
        ("RequestLimitExceeded.UinLimitExceeded", "ModifyDnsRecords", 503),
        ("OperationDenied.ResourceLockedTemporary", "ModifyDnsRecords", 503),
        ("UnauthorizedOperation.NoPermission", "DescribeDnsRecords", 502),
        ("AuthFailure.UnauthorizedOperation", "ModifyDnsRecords", 502),
        ("OperationDenied.PlanHasBeenExpired", "DescribeDnsRecords", 502),
        ("InternalError.SystemError", "DescribeDnsRecords", 502),
        ("FailedOperation.FailedToCallDNSPod", "ModifyDnsRecords", 502),
        ("InvalidParameter.ZoneNotFound", "DescribeDnsRecords", 404),
        ("ResourceNotFound", "DescribeDnsRecords", 404),
        ("InvalidParameterValue.InvalidDNSContent", "ModifyDnsRecords", 422),
        ("OperationDenied.RecordIsForbidden", "ModifyDnsRecords", 422),
        ("LimitExceeded.PackNotAllow", "ModifyDnsRecords", 422),
        ("OperationDenied.ErrZoneIsAlreadyPaused", "DescribeDnsRecords", 423),
        ("OperationDenied.DomainIsBlocked", "ModifyDnsRecords", 423),
        ("OperationDenied.ConfigLocked", "ModifyDnsRecords", 423),
    ];
    for (code, at, status) in cases {
        eo.fail_next(at, code, "消息");
        let r = update(&gw, &change).await;
        assert_eq!(r.status, *status, "{code} on {at}: {}", r.body);
        match status {
            503 => assert_eq!(r.header("retry-after"), Some("1"), "{code}"),
            404 => assert_eq!(r.json()["message"], "Zone not found for domain: example.com"),
            _ => assert_eq!(r.json()["provider_error"]["code"], *code, "{code}"),
        }
        if *status == 502 && code.contains("Unauthorized") {
            assert!(
                r.json()["message"]
                    .as_str()
                    .unwrap()
                    .contains("EdgeOne refused the credential or permission")
            );
        }
    }
    assert_eq!(eo.record(&id).content, "192.0.2.1", "nothing was written");
    assert_eq!(action(&update(&gw, &change).await), "updated");
    gw.stop().await;
}

/// A CAM policy without CreateDnsRecord: the lookups work, the create is a 502 naming the
/// refusal; an A record where a CNAME is is EdgeOne's conflict, a 422.
#[tokio::test]
async fn cam_policy_and_conflicts() {
    let (eo, zone, gw) = setup().await;
    eo.state.lock().unwrap().allowed.retain(|a| *a != "CreateDnsRecord");
    let r = update(&gw, &[("record", "home"), ("type", "A"), ("value", "192.0.2.1")]).await;
    assert_eq!(r.status, 502, "{}", r.body);
    assert_eq!(r.json()["provider_error"]["code"], "UnauthorizedOperation.NoPermission");
    assert!(
        r.json()["message"]
            .as_str()
            .unwrap()
            .starts_with("Failed to create DNS record: EdgeOne refused the credential")
    );
    assert_eq!(eo.action_names(), ["DescribeZones", "DescribeDnsRecords"]);

    eo.state.lock().unwrap().allowed = common::edgeone::POLICY.to_vec();
    eo.add(&zone, "www.example.com", "CNAME", "origin.example.net", 300);
    let r = update(&gw, &[("record", "www"), ("type", "A"), ("value", "192.0.2.1")]).await;
    assert_eq!(
        (r.status, r.json()["provider_error"]["code"].as_str()),
        (422, Some("InvalidParameterValue.ConflictRecord"))
    );
    assert_eq!(eo.records().len(), 1);
    gw.stop().await;
}

/// EdgeOne takes TTLs of 60 to 86400: any other is a 422 before any call.
#[tokio::test]
async fn ttl_range_is_checked_before_any_call() {
    let (eo, _, gw) = setup().await;
    for ttl in ["59", "86401"] {
        let r = update(&gw, &[("record", "home"), ("type", "A"), ("value", "192.0.2.1"), ("ttl", ttl)]).await;
        assert_eq!(r.status, 422, "{}", r.body);
        assert_eq!(r.json()["message"], "ttl: must be from 60 to 86400 (the EdgeOne limit)");
    }
    assert!(eo.action_names().is_empty());
    let r = update(&gw, &[("record", "home"), ("type", "A"), ("value", "192.0.2.1"), ("ttl", "60")]).await;
    assert_eq!((action(&r).as_str(), eo.records()[0].ttl), ("created", 60));
    gw.stop().await;
}

/// Names go out in Punycode, as the API asks for record names (EdgeOne takes no
/// internationalised site today, so Punycode, the DNS form, is the guess for the site's).
#[tokio::test]
async fn internationalised_names_go_out_in_punycode() {
    let eo = FakeEdgeOne::start(SECRET_ID, SECRET_KEY).await;
    eo.add_site("xn--fiq228c.cn", "full", "active");
    let gw = gateway(&eo).await;
    for (zone, record, act) in [("中文.cn", "家", "created"), ("xn--fiq228c.cn", "xn--fct", "unchanged")] {
        let r = update_in(&gw, zone, &[("record", record), ("type", "A"), ("value", "192.0.2.1")]).await;
        assert_eq!((action(&r).as_str(), r.json()["data"]["zone"].as_str()), (act, Some(zone)), "{}", r.body);
    }
    assert_eq!(eo.records()[0].name, "xn--fct.xn--fiq228c.cn");
    assert_eq!(eo.last_body("DescribeZones")["Filters"][0]["Values"], json!(["xn--fiq228c.cn"]));
    gw.stop().await;
}

/// A TXT record written as quoted strings (by the console or another client) counts as the
/// text it stands for.
#[tokio::test]
async fn quoted_txt_counts_as_its_text() {
    let (eo, zone, gw) = setup().await;
    eo.add(&zone, "example.com", "TXT", r#""v=spf1 -all""#, 300);
    let r = update(&gw, &[("record", "@"), ("type", "TXT"), ("value", "v=spf1 -all")]).await;
    assert_eq!(action(&r), "unchanged");
    assert_eq!(eo.writes(), 0);
    gw.stop().await;
}
