//! Aliyun end to end against the fake Aliyun DNS API.

mod common;

use common::aliyun::FakeAliyun;
use common::{Gateway, Reply, UNUSED, config_all, provider_update, update_query};
use ddns_gateway::api::App;

const KEY_ID: &str = "LTAI5tKEYIDXXXX";
const SECRET: &str = "AliSecret-0123456789abcdef";

fn cred() -> String {
    format!(r#"ApiKey id="{KEY_ID}", secret="{SECRET}""#)
}

async fn setup() -> (FakeAliyun, Gateway) {
    let ali = FakeAliyun::start(KEY_ID, SECRET, &["example.com"]).await;
    let gw = Gateway::start(config_all(UNUSED, ali.addr, UNUSED)).await;
    (ali, gw)
}

async fn update_with(gw: &Gateway, cred: &str, pairs: &[(&str, &str)]) -> Reply {
    provider_update(gw, "aliyun", cred, pairs).await
}

async fn update(gw: &Gateway, pairs: &[(&str, &str)]) -> Reply {
    update_with(gw, &cred(), pairs).await
}

#[tokio::test]
async fn create_unchanged_update_with_remark() {
    let (ali, gw) = setup().await;
    let r =
        update(&gw, &[("record", "home"), ("type", "A"), ("value", "1.2.3.4"), ("comment", "router")]).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let j = r.json();
    assert_eq!((j["action"].as_str(), j["data"]["ttl"].as_u64()), (Some("created"), Some(600)));
    assert!(j["provider_metadata"]["request_id"].as_str().unwrap().starts_with("REQ-"));
    assert_eq!(j["provider_metadata"]["record_id"], ali.records()[0].id.as_str());
    assert_eq!(ali.records()[0].remark.as_deref(), Some("router"));
    // The new record is read back: the reply reports what Aliyun holds.
    assert_eq!(
        ali.action_names(),
        ["DescribeDomainRecords", "AddDomainRecord", "UpdateDomainRecordRemark", "DescribeDomainRecords"]
    );

    ali.clear_actions();
    let r =
        update(&gw, &[("record", "HOME"), ("type", "a"), ("value", "1.2.3.4"), ("comment", "router")]).await;
    assert_eq!(r.json()["action"], "unchanged", "{}", r.body);
    assert_eq!(ali.action_names(), ["DescribeDomainRecords"]);

    ali.clear_actions();
    let r = update(&gw, &[("record", "home"), ("type", "A"), ("value", "5.6.7.8")]).await;
    let j = r.json();
    assert_eq!(
        (j["action"].as_str(), j["data"]["previous_value"].as_str()),
        (Some("updated"), Some("1.2.3.4"))
    );
    assert_eq!(ali.action_names(), ["DescribeDomainRecords", "UpdateDomainRecord"]);
    let rec = &ali.records()[0];
    assert_eq!((rec.value.as_str(), rec.ttl, rec.remark.as_deref()), ("5.6.7.8", 600, Some("router")));

    // TTL alone, then the remark alone.
    let r = update(&gw, &[("record", "home"), ("type", "A"), ("value", "5.6.7.8"), ("ttl", "1200")]).await;
    assert_eq!(
        (r.json()["action"].as_str(), r.json()["data"]["ttl"].as_u64()),
        (Some("updated"), Some(1200))
    );
    ali.clear_actions();
    let r = update(&gw, &[("record", "home"), ("type", "A"), ("value", "5.6.7.8"), ("comment", "new")]).await;
    assert_eq!(r.json()["action"], "updated");
    assert_eq!(ali.action_names(), ["DescribeDomainRecords", "UpdateDomainRecordRemark"]);
    assert_eq!(ali.records()[0].ttl, 1200, "TTL kept");
    gw.stop().await;
}

#[tokio::test]
async fn every_type_and_the_apex() {
    let (ali, gw) = setup().await;
    for (record, rtype, value) in [
        ("@", "A", "203.0.113.7"),
        ("v6", "AAAA", "2001:db8::7"),
        ("www", "CNAME", "target.example.net"),
        ("_acme-challenge", "TXT", "token value"),
    ] {
        let r = update(&gw, &[("record", record), ("type", rtype), ("value", value)]).await;
        assert_eq!(r.json()["action"], "created", "{rtype}: {}", r.body);
        let r = update(&gw, &[("record", record), ("type", rtype), ("value", value)]).await;
        assert_eq!(r.json()["action"], "unchanged", "{rtype}: {}", r.body);
    }
    let apex = ali.records().into_iter().find(|r| r.rtype == "A").unwrap();
    assert_eq!(apex.rr, "@");
    assert_eq!(ali.records().len(), 4);
    gw.stop().await;
}

#[tokio::test]
async fn fuzzy_keyword_and_paging_find_the_exact_record() {
    let (ali, gw) = setup().await;
    // RRKeyWord=home also matches these; the page size is capped at 2.
    for rr in ["home2", "a.home", "myhome", "home-lab"] {
        ali.add("example.com", rr, "A", "10.0.0.1", 600);
    }
    ali.add("example.com", "home", "TXT", "not an A", 600);
    let id = ali.add("example.com", "Home", "A", "10.9.9.9", 600);
    let r = update(&gw, &[("record", "home"), ("type", "A"), ("value", "10.9.9.10")]).await;
    let j = r.json();
    assert_eq!(j["action"], "updated", "{}", r.body);
    assert_eq!(j["provider_metadata"]["record_id"], id.as_str());
    let pages = ali.action_names().iter().filter(|a| *a == "DescribeDomainRecords").count();
    assert_eq!(pages, 3, "5 A records containing 'home', 2 a page");
    assert!(ali.records().iter().filter(|r| r.id != id).all(|r| r.value != "10.9.9.10"));
    gw.stop().await;
}

#[tokio::test]
async fn duplicate_write_counts_as_unchanged() {
    let (ali, gw) = setup().await;
    let id = ali.add("example.com", "home", "A", "1.1.1.1", 600);
    // The list is stale: it still shows the old value, so the gateway writes what is stored.
    ali.state.lock().unwrap().stale = Some((id, "9.9.9.9".into()));
    let r = update(&gw, &[("record", "home"), ("type", "A"), ("value", "1.1.1.1")]).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.json()["action"], "unchanged");
    // Refused as a duplicate, then read back: it holds the value and TTL asked for.
    assert_eq!(ali.action_names(), ["DescribeDomainRecords", "UpdateDomainRecord", "DescribeDomainRecords"]);
    gw.stop().await;
}

#[tokio::test]
async fn ram_policy_without_remark_permission() {
    let (ali, gw) = setup().await;
    ali.state.lock().unwrap().allowed.retain(|a| *a != "UpdateDomainRecordRemark");
    // The record is written; the reply says the comment was not.
    let r = update(&gw, &[("record", "home"), ("type", "A"), ("value", "1.2.3.4"), ("comment", "hi")]).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let j = r.json();
    assert_eq!(j["action"], "created");
    let w = j["warnings"][0].as_str().unwrap();
    assert!(
        w.contains("comment was not set")
            && w.contains("Forbidden.RAM")
            && w.contains("alidns:UpdateDomainRecordRemark"),
        "{w}"
    );
    assert_eq!(ali.records()[0].value, "1.2.3.4");
    assert_eq!(ali.records()[0].remark, None);
    // Only the comment to change: nothing was written, so it is an error.
    let r = update(&gw, &[("record", "home"), ("type", "A"), ("value", "1.2.3.4"), ("comment", "hi")]).await;
    assert_eq!(r.status, 502, "{}", r.body);
    assert_eq!(r.json()["provider_error"]["code"], "Forbidden.RAM");

    // A policy missing the query action: the first call fails, naming it.
    ali.state.lock().unwrap().allowed.clear();
    let r = update(&gw, &[("record", "x"), ("type", "A"), ("value", "1.2.3.4")]).await;
    assert_eq!(r.status, 502);
    let msg = r.json()["message"].as_str().unwrap().to_string();
    assert!(
        msg.starts_with(
            "Failed to query DNS records: Aliyun refused the credential or permission: Forbidden.RAM"
        ) && msg.contains("alidns:DescribeDomainRecords"),
        "{msg}"
    );
    gw.stop().await;
}

#[tokio::test]
async fn wrong_credentials_unknown_zone_and_refused_values() {
    let (ali, gw) = setup().await;
    let bad = format!(r#"ApiKey id="{KEY_ID}", secret="WRONG-secret-value""#);
    let r = update_with(&gw, &bad, &[("record", "home"), ("type", "A"), ("value", "1.2.3.4")]).await;
    assert_eq!(r.status, 502);
    let j = r.json();
    assert_eq!(j["provider_error"]["code"], "SignatureDoesNotMatch");
    assert_eq!(
        j["message"],
        "Failed to query DNS records: Aliyun refused the credential or permission: SignatureDoesNotMatch Specified signature does not match our calculation."
    );
    // The fake echoed the string-to-sign with the AccessKeyId: none of it comes back.
    for leak in [KEY_ID, "WRONG-secret-value", "GET&%2F"] {
        assert!(!r.body.contains(leak), "{leak} in {}", r.body);
    }
    let r = update_with(
        &gw,
        r#"ApiKey id="LTAInobody", secret="x""#,
        &[("record", "home"), ("type", "A"), ("value", "1.2.3.4")],
    )
    .await;
    assert_eq!(
        (r.status, r.json()["provider_error"]["code"].as_str()),
        (502, Some("InvalidAccessKeyId.NotFound"))
    );

    let r = gw
        .get(
            &update_query(&[
                ("provider", "aliyun"),
                ("zone", "nothere.cn"),
                ("record", "a"),
                ("type", "A"),
                ("value", "1.2.3.4"),
            ]),
            &[("X-Upstream-Authorization", &cred())],
        )
        .await;
    assert_eq!(
        (r.status, r.json()["message"].as_str()),
        (404, Some("Zone not found for domain: nothere.cn"))
    );

    let r = update(&gw, &[("record", "home"), ("type", "A"), ("value", "1.2.3.4"), ("ttl", "60")]).await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(
        r.json()["message"]
            .as_str()
            .unwrap()
            .starts_with("Failed to create DNS record: Aliyun QuotaExceeded.TTL")
    );
    assert!(ali.records().is_empty());
    gw.stop().await;
}

#[tokio::test]
async fn skewed_provider_clock_is_learned_once() {
    let (ali, gw) = setup().await;
    ali.state.lock().unwrap().skew = 20 * 60;
    let r = update(&gw, &[("record", "home"), ("type", "A"), ("value", "1.2.3.4")]).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(ali.state.lock().unwrap().expired, 1, "one refusal, then re-signed with Aliyun's time");
    let r = update(&gw, &[("record", "home"), ("type", "A"), ("value", "1.2.3.4")]).await;
    assert_eq!(r.json()["action"], "unchanged");
    assert_eq!(ali.state.lock().unwrap().expired, 1, "later requests use the learned offset");
    gw.stop().await;
}

#[tokio::test]
async fn clock_before_the_build_date_refuses_without_calling_out() {
    let ali = FakeAliyun::start(KEY_ID, SECRET, &["example.com"]).await;
    let floor = ddns_gateway::time::unix_now() + 10 * 86_400;
    let gw = Gateway::start_app(std::sync::Arc::new(App::with_clock_floor(
        config_all(UNUSED, ali.addr, UNUSED),
        floor,
    )))
    .await;
    let r = update(&gw, &[("record", "home"), ("type", "A"), ("value", "1.2.3.4")]).await;
    assert_eq!(r.status, 503);
    let msg = r.json()["message"].as_str().unwrap().to_string();
    assert!(msg.starts_with("System clock is not set (") && msg.ends_with("sync NTP on the router"), "{msg}");
    assert!(ali.action_names().is_empty());
    gw.stop().await;
}

/// UpdateDomainRecord resets `Line` to `default` when it is not sent: a record on another
/// line keeps it.
#[tokio::test]
async fn an_update_keeps_the_records_line() {
    let (ali, gw) = setup().await;
    let id = ali.add("example.com", "home", "A", "1.1.1.1", 600);
    ali.set_line(&id, "telecom");
    let r = update(&gw, &[("record", "home"), ("type", "A"), ("value", "1.2.3.4"), ("ttl", "900")]).await;
    assert_eq!(r.json()["action"], "updated", "{}", r.body);
    let rec = &ali.records()[0];
    assert_eq!((rec.value.as_str(), rec.ttl, rec.line.as_str()), ("1.2.3.4", 900, "telecom"));
    let sent = &ali.calls_of("UpdateDomainRecord")[0];
    assert!(sent.contains(&("Line".into(), "telecom".into())), "{sent:?}");
    // A record on the default line stays there.
    ali.add("example.com", "vpn", "A", "1.1.1.1", 600);
    let r = update(&gw, &[("record", "vpn"), ("type", "A"), ("value", "1.2.3.5")]).await;
    assert_eq!(r.json()["action"], "updated", "{}", r.body);
    assert_eq!(ali.records()[1].line, "default");
    gw.stop().await;
}

/// Spaces pasted inside the quotes of a credential are not part of any provider's key.
#[tokio::test]
async fn spaces_inside_quoted_credentials_are_trimmed() {
    let (ali, gw) = setup().await;
    let padded = format!(r#"ApiKey id=' {KEY_ID}', secret=" {SECRET}  ""#);
    let r = update_with(&gw, &padded, &[("record", "home"), ("type", "A"), ("value", "1.2.3.4")]).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(ali.records().len(), 1);
    gw.stop().await;
}

/// Records of one name on several resolution lines: without `line` the one on `default` is
/// updated and the others are left alone; with `line` only the record on that line counts
/// (none there: created on it); two on one line are a 409. `data.line` says which line.
#[tokio::test]
async fn resolution_lines() {
    let (ali, gw) = setup().await;
    let default = ali.add("example.com", "home", "A", "1.1.1.1", 600);
    let telecom = ali.add("example.com", "home", "A", "2.2.2.2", 600);
    ali.set_line(&telecom, "telecom");
    let value = |id: &str| ali.records().into_iter().find(|r| r.id == id).unwrap().value;

    let r = update(&gw, &[("record", "home"), ("type", "A"), ("value", "1.1.1.9")]).await;
    let j = r.json();
    assert_eq!((j["action"].as_str(), j["data"]["line"].as_str()), (Some("updated"), Some("default")), "{j}");
    assert_eq!((value(&default), value(&telecom)), ("1.1.1.9".into(), "2.2.2.2".into()));

    let r =
        update(&gw, &[("record", "home"), ("type", "A"), ("value", "2.2.2.9"), ("line", "telecom")]).await;
    let j = r.json();
    assert_eq!((j["action"].as_str(), j["data"]["line"].as_str()), (Some("updated"), Some("telecom")), "{j}");
    assert_eq!(j["provider_metadata"]["record_id"], telecom.as_str());
    assert_eq!((value(&default), value(&telecom)), ("1.1.1.9".into(), "2.2.2.9".into()));
    let sent = ali.calls_of("UpdateDomainRecord").pop().unwrap();
    assert!(sent.contains(&("Line".into(), "telecom".into())), "{sent:?}");

    let r = update(&gw, &[("record", "home"), ("type", "A"), ("value", "3.3.3.3"), ("line", "unicom")]).await;
    let j = r.json();
    assert_eq!((j["action"].as_str(), j["data"]["line"].as_str()), (Some("created"), Some("unicom")), "{j}");
    let unicom: Vec<_> = ali.records().into_iter().filter(|r| r.line == "unicom").collect();
    assert_eq!((unicom.len(), unicom[0].value.as_str()), (1, "3.3.3.3"));

    // A second record on the telecom line: that line is ambiguous, the default one is not.
    let twin = ali.add("example.com", "home", "A", "2.2.2.8", 600);
    ali.set_line(&twin, "telecom");
    ali.clear_actions();
    let r =
        update(&gw, &[("record", "home"), ("type", "A"), ("value", "4.4.4.4"), ("line", "telecom")]).await;
    assert_eq!(r.status, 409, "{}", r.body);
    assert_eq!(r.json()["message"], "Multiple records found for home.example.com (A): 2");
    assert!(ali.action_names().iter().all(|a| a == "DescribeDomainRecords"), "nothing written");
    let r = update(&gw, &[("record", "home"), ("type", "A"), ("value", "1.1.1.9")]).await;
    assert_eq!(r.json()["action"], "unchanged", "{}", r.body);
    gw.stop().await;
}

/// Several records on lines other than the default one, and no `line`: which one is meant
/// is unclear, so nothing is written.
#[tokio::test]
async fn several_lines_without_a_default_record_are_a_conflict() {
    let (ali, gw) = setup().await;
    for (value, line) in [("2.2.2.2", "telecom"), ("3.3.3.3", "unicom")] {
        let id = ali.add("example.com", "home", "A", value, 600);
        ali.set_line(&id, line);
    }
    let r = update(&gw, &[("record", "home"), ("type", "A"), ("value", "1.1.1.1")]).await;
    assert_eq!(r.status, 409, "{}", r.body);
    assert_eq!(ali.records().len(), 2);
    gw.stop().await;
}

/// UpdateDomainRecord leaves a paused record paused: the update goes through, and the reply
/// warns that the record does not resolve.
#[tokio::test]
async fn a_paused_record_is_updated_with_a_warning() {
    let (ali, gw) = setup().await;
    let id = ali.add("example.com", "home", "A", "1.1.1.1", 600);
    ali.pause(&id);
    let r = update(&gw, &[("record", "home"), ("type", "A"), ("value", "1.2.3.4")]).await;
    let j = r.json();
    assert_eq!(j["action"], "updated", "{j}");
    let w = j["warnings"][0].as_str().unwrap();
    assert!(w.contains("paused at Aliyun") && w.contains("does not resolve"), "{w}");
    assert_eq!((ali.records()[0].value.as_str(), ali.records()[0].status.as_str()), ("1.2.3.4", "DISABLE"));
    gw.stop().await;
}

/// Alidns keys an internationalised zone (and host record) by its Unicode name and answers
/// a Punycode DomainName with InvalidDomainName.NoExist: either form from the client works,
/// and the reply answers in that form.
#[tokio::test]
async fn idn_zones_go_out_in_unicode() {
    let ali = FakeAliyun::start(KEY_ID, SECRET, &["中文.cn"]).await;
    let gw = Gateway::start(config_all(UNUSED, ali.addr, UNUSED)).await;
    let at = |zone: &'static str, record: &'static str, value: &'static str| {
        let q = update_query(&[
            ("provider", "aliyun"),
            ("zone", zone),
            ("record", record),
            ("type", "A"),
            ("value", value),
        ]);
        let gw = &gw;
        async move { gw.get(&q, &[("X-Upstream-Authorization", &cred())]).await }
    };
    let r = at("xn--fiq228c.cn", "家", "1.2.3.4").await;
    let j = r.json();
    assert_eq!(j["action"], "created", "{j}");
    assert_eq!(
        (j["data"]["zone"].as_str(), j["data"]["fqdn"].as_str()),
        (Some("xn--fiq228c.cn"), Some("家.xn--fiq228c.cn"))
    );
    let rec = &ali.records()[0];
    assert_eq!((rec.domain.as_str(), rec.rr.as_str()), ("中文.cn", "家"));
    let r = at("中文.cn", "xn--fct", "1.2.3.5").await;
    let j = r.json();
    assert_eq!(j["action"], "updated", "{j}");
    assert_eq!(
        (j["data"]["zone"].as_str(), j["data"]["fqdn"].as_str()),
        (Some("中文.cn"), Some("xn--fct.中文.cn"))
    );
    assert_eq!(ali.records().len(), 1);
    gw.stop().await;
}

/// The reply reports the TTL Aliyun holds: a record created without a TTL gets the
/// domain's default (read back, not assumed), and a write refused as a duplicate is only
/// "unchanged" when the record, read back, holds what was asked.
#[tokio::test]
async fn replies_report_what_aliyun_holds() {
    let (ali, gw) = setup().await;
    ali.state.lock().unwrap().default_ttl = 1200;
    let r = update(&gw, &[("record", "home"), ("type", "A"), ("value", "1.2.3.4")]).await;
    let j = r.json();
    assert_eq!((j["action"].as_str(), j["data"]["ttl"].as_u64()), (Some("created"), Some(1200)), "{j}");
    assert_eq!(ali.records()[0].ttl, 1200);

    // Another client has just given a twin on the same line the wanted value; our listing
    // does not show it yet, so the write (value and TTL) is refused as a duplicate.
    let twin = ali.add("example.com", "home", "A", "5.6.7.8", 600);
    ali.state.lock().unwrap().hidden.push(twin);
    let r = update(&gw, &[("record", "home"), ("type", "A"), ("value", "5.6.7.8"), ("ttl", "900")]).await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert_eq!(r.json()["provider_error"]["code"], "DomainRecordDuplicate");
    let rec = &ali.records()[0];
    assert_eq!((rec.value.as_str(), rec.ttl), ("1.2.3.4", 1200), "nothing changed");
    gw.stop().await;
}

/// Codes a user causes are 4xx: a locked or forbidden domain is 423 saying so, a malformed
/// domain name is 422 even on a read.
#[tokio::test]
async fn locked_domains_and_bad_names_are_the_users() {
    let (ali, gw) = setup().await;
    ali.add("example.com", "home", "A", "1.1.1.1", 600);
    let change = [("record", "home"), ("type", "A"), ("value", "1.2.3.4")];
    for (action, code, step) in [
        ("UpdateDomainRecord", "DomainForbidden", "update"),
        ("UpdateDomainRecord", "DomainRecordLocked", "update"),
        ("DescribeDomainRecords", "Forbidden.DomainLocked", "query"),
    ] {
        ali.fail_next(action, code, "The domain name is locked.");
        let r = update(&gw, &change).await;
        assert_eq!(r.status, 423, "{code}: {}", r.body);
        let msg = r.json()["message"].as_str().unwrap().to_string();
        assert!(
            msg.contains(step) && msg.contains("Aliyun has locked or blocked") && msg.contains(code),
            "{msg}"
        );
    }
    ali.fail_next("DescribeDomainRecords", "InvalidDomainName.Format", "The domain name format is invalid.");
    assert_eq!(update(&gw, &change).await.status, 422);
    assert_eq!(ali.records()[0].value, "1.1.1.1");
    gw.stop().await;
}
