//! Huawei Cloud DNS end to end against the fake Huawei Cloud DNS API.

mod common;

use common::huaweicloud::FakeHuawei;
use common::{Gateway, Reply, config_with, provider_update, update_query};
use ddns_gateway::providers::Kind;

const AK: &str = "HPUAQ3XKZ1EXAMPLEAK7";
const SK: &str = "hwSecretKey0123456789abcdefEXAMPLEsk4q";

fn cred() -> String {
    format!(r#"ApiKey id="{AK}" secret="{SK}""#)
}

async fn setup() -> (FakeHuawei, Gateway) {
    let hw = FakeHuawei::start(AK, SK, &["example.com"]).await;
    let gw = Gateway::start(config_with(Kind::Huaweicloud, hw.addr)).await;
    (hw, gw)
}

async fn update_with(gw: &Gateway, cred: &str, pairs: &[(&str, &str)]) -> Reply {
    provider_update(gw, "huaweicloud", cred, pairs).await
}

async fn update(gw: &Gateway, pairs: &[(&str, &str)]) -> Reply {
    update_with(gw, &cred(), pairs).await
}

/// The id the fake gave a zone.
fn zone_id(hw: &FakeHuawei, name: &str) -> String {
    let st = hw.state.lock().unwrap();
    st.zones.iter().find(|(_, z)| z == name).unwrap().0.clone()
}

/// Requests the fake refused for their X-Sdk-Date.
fn expired(hw: &FakeHuawei) -> usize {
    hw.state.lock().unwrap().expired
}

fn action(r: &Reply) -> String {
    r.json()["action"].as_str().unwrap_or_else(|| panic!("no action: {} {}", r.status, r.body)).to_string()
}

/// Every promise in one run, each step with the writes it may make.
#[tokio::test]
async fn lifecycle() {
    let (hw, gw) = setup().await;

    // Create: one POST, with the name's final dot, the comment as description.
    let r =
        update(&gw, &[("record", "home"), ("type", "A"), ("value", "1.2.3.4"), ("comment", "router")]).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!((action(&r).as_str(), r.json()["data"]["ttl"].as_u64()), ("created", Some(300)));
    let set = &hw.sets("home.example.com", "A")[0];
    assert_eq!(
        (set.name.as_str(), set.records.as_slice()),
        ("home.example.com.", &["1.2.3.4".to_string()][..])
    );
    assert_eq!((set.ttl, set.description.as_deref()), (300, Some("router")));
    let meta = &r.json()["provider_metadata"];
    assert_eq!(meta["zone_id"], zone_id(&hw, "example.com."));
    assert_eq!(meta["record_id"], set.id.as_str());
    assert!(meta["request_id"].as_str().unwrap().starts_with("hw-req-"));
    assert_eq!(hw.writes(), 1);
    // Zone and record sets looked up by exact name, not by substring.
    for (_, _, query) in hw.calls().iter().filter(|(m, _, _)| m == "GET") {
        assert!(query.contains(&("search_mode".into(), "equal".into())), "{query:?}");
    }

    // Unchanged: no write.
    let r = update(&gw, &[("record", "home"), ("type", "A"), ("value", "1.2.3.4")]).await;
    assert_eq!(action(&r), "unchanged");
    assert_eq!(hw.writes(), 1);

    // Update: one PUT; TTL and description kept.
    let r = update(&gw, &[("record", "home"), ("type", "A"), ("value", "5.6.7.8")]).await;
    assert_eq!(
        (action(&r).as_str(), r.json()["data"]["previous_value"].as_str()),
        ("updated", Some("1.2.3.4"))
    );
    let set = &hw.sets("home.example.com", "A")[0];
    assert_eq!(
        (set.records[0].as_str(), set.ttl, set.description.as_deref()),
        ("5.6.7.8", 300, Some("router"))
    );
    assert_eq!(hw.writes(), 2);
    // TTL and comment alone.
    let r = update(
        &gw,
        &[("record", "home"), ("type", "A"), ("value", "5.6.7.8"), ("ttl", "600"), ("comment", "")],
    )
    .await;
    assert_eq!(action(&r), "updated");
    let set = &hw.sets("home.example.com", "A")[0];
    assert_eq!((set.records[0].as_str(), set.ttl, set.description.as_deref()), ("5.6.7.8", 600, Some("")));
    assert_eq!(hw.writes(), 3);

    // TXT: sent as quoted strings (the fake refuses anything else with DNS.0308), compared
    // as text.
    let text = r#"v=spf1 "quoted" \ back"#;
    let r = update(&gw, &[("record", "_txt"), ("type", "TXT"), ("value", text)]).await;
    assert_eq!(action(&r), "created", "{}", r.body);
    assert_eq!(hw.sets("_txt.example.com", "TXT")[0].records, [r#""v=spf1 \"quoted\" \\ back""#]);
    assert_eq!(
        action(&update(&gw, &[("record", "_txt"), ("type", "TXT"), ("value", text)]).await),
        "unchanged"
    );
    let long = "k".repeat(300);
    let r = update(&gw, &[("record", "_long"), ("type", "TXT"), ("value", &long)]).await;
    assert_eq!(action(&r), "created", "{}", r.body);
    assert_eq!(
        hw.sets("_long.example.com", "TXT")[0].records,
        [format!("\"{}\" \"{}\"", "k".repeat(255), "k".repeat(45))]
    );
    assert_eq!(
        action(&update(&gw, &[("record", "_long"), ("type", "TXT"), ("value", &long)]).await),
        "unchanged"
    );
    assert_eq!(hw.writes(), 5);

    // AAAA, compared as addresses.
    let r = update(&gw, &[("record", "v6"), ("type", "AAAA"), ("value", "2001:db8::7")]).await;
    assert_eq!(action(&r), "created");
    let r = update(&gw, &[("record", "v6"), ("type", "AAAA"), ("value", "2001:DB8:0::7")]).await;
    assert_eq!(action(&r), "unchanged");
    assert_eq!(hw.writes(), 6);

    // The apex, beside the zone's own SOA and NS record sets.
    let r = update(&gw, &[("record", "@"), ("type", "A"), ("value", "203.0.113.7")]).await;
    assert_eq!(action(&r), "created", "{}", r.body);
    assert_eq!(hw.sets("example.com", "A")[0].name, "example.com.");
    assert_eq!(
        action(&update(&gw, &[("record", "@"), ("type", "A"), ("value", "203.0.113.7")]).await),
        "unchanged"
    );
    assert_eq!(hw.writes(), 7);

    // A wildcard.
    let r = update(&gw, &[("record", "*.lan"), ("type", "A"), ("value", "192.0.2.9")]).await;
    assert_eq!(action(&r), "created", "{}", r.body);
    assert_eq!(hw.sets("*.lan.example.com", "A")[0].records, ["192.0.2.9"]);
    assert_eq!(
        action(&update(&gw, &[("record", "*.lan"), ("type", "A"), ("value", "192.0.2.9")]).await),
        "unchanged"
    );
    assert_eq!(hw.writes(), 8);

    // A comment over Huawei's 255 characters: refused before any call.
    let calls = hw.calls().len();
    let long_comment = "c".repeat(256);
    let r =
        update(&gw, &[("record", "home"), ("type", "A"), ("value", "9.9.9.9"), ("comment", &long_comment)])
            .await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert_eq!(r.json()["message"], "comment: longer than 255 characters (the Huawei Cloud limit)");
    assert_eq!((hw.calls().len(), hw.writes()), (calls, 8));

    // A wrong secret: 502 naming the refusal, tried once, the secret nowhere.
    let wrong = format!(r#"ApiKey id="{AK}" secret="WRONG-secret-value""#);
    let r = update_with(&gw, &wrong, &[("record", "home"), ("type", "A"), ("value", "9.9.9.9")]).await;
    assert_eq!(r.status, 502, "{}", r.body);
    assert_eq!(r.json()["provider_error"]["code"], "APIGW.0301");
    assert_eq!(
        r.json()["message"],
        "Failed to query DNS records: Huawei Cloud refused the credential or permission: APIGW.0301 \
         Incorrect IAM authentication information: verify aksk signature fail"
    );
    assert!(!r.body.contains("WRONG-secret-value"));
    assert_eq!(hw.state.lock().unwrap().failures, 1, "not signed again");
    // An unknown AK: Huawei echoes it; the reply does not.
    let r = update_with(
        &gw,
        r#"ApiKey id="HPUAnobodyAK" secret="x""#,
        &[("record", "a"), ("type", "A"), ("value", "1.1.1.1")],
    )
    .await;
    assert_eq!((r.status, r.json()["provider_error"]["code"].as_str()), (502, Some("APIGW.0301")));
    assert!(
        r.json()["message"]
            .as_str()
            .unwrap()
            .ends_with("Get secretKey failed,ak:<redacted>,err:ak not exist")
    );
    assert!(!r.body.contains("HPUAnobodyAK"));
    assert_eq!(hw.writes(), 8);

    // An unknown zone, and one that only a substring search would find.
    for zone in ["nothere.cn", "ample.com"] {
        let q = [
            ("provider", "huaweicloud"),
            ("zone", zone),
            ("record", "a"),
            ("type", "A"),
            ("value", "1.2.3.4"),
        ];
        let r = gw.get(&update_query(&q), &[("X-Upstream-Authorization", &cred())]).await;
        assert_eq!(r.status, 404, "{}", r.body);
        assert_eq!(r.json()["message"], format!("Zone not found for domain: {zone}"));
    }
    assert_eq!(hw.writes(), 8);

    // The API gateway's throttling: 503 with Retry-After, nothing written.
    hw.state.lock().unwrap().throttle = 1;
    let r = update(&gw, &[("record", "home"), ("type", "A"), ("value", "9.9.9.9")]).await;
    assert_eq!((r.status, r.header("retry-after")), (503, Some("60")), "{}", r.body);
    assert_eq!(r.json()["message"], "Huawei Cloud rate limit reached; retry after 60 s");
    assert_eq!(hw.writes(), 8);

    // Huawei's clock 20 minutes behind ours: refused once, re-signed with its time, then
    // its time is used from the start.
    hw.state.lock().unwrap().skew = -20 * 60;
    let r = update(&gw, &[("record", "home"), ("type", "A"), ("value", "9.9.9.9")]).await;
    assert_eq!(action(&r), "updated", "{}", r.body);
    assert_eq!((expired(&hw), hw.writes()), (1, 9));
    let r = update(&gw, &[("record", "home"), ("type", "A"), ("value", "9.9.9.9")]).await;
    assert_eq!(action(&r), "unchanged");
    assert_eq!((expired(&hw), hw.writes()), (1, 9));
    assert_eq!(hw.sets("home.example.com", "A")[0].records, ["9.9.9.9"]);
    gw.stop().await;
}

/// A record set is a list of values; the gateway manages one. Several values are several
/// records of that name and type: 409, nothing merged or dropped.
#[tokio::test]
async fn a_record_set_with_several_values_is_a_conflict() {
    let (hw, gw) = setup().await;
    hw.add("multi.example.com", "A", &["1.1.1.1", "2.2.2.2"], 300);
    for value in ["1.1.1.1", "3.3.3.3"] {
        let r = update(&gw, &[("record", "multi"), ("type", "A"), ("value", value)]).await;
        assert_eq!(r.status, 409, "{}", r.body);
        assert_eq!(r.json()["message"], "Multiple records found for multi.example.com (A): 2");
    }
    assert_eq!(hw.sets("multi.example.com", "A")[0].records, ["1.1.1.1", "2.2.2.2"]);
    assert_eq!(hw.writes(), 0);
    // One value that is not ours is the record to change.
    hw.add("single.example.com", "A", &["1.1.1.1"], 300);
    let r = update(&gw, &[("record", "single"), ("type", "A"), ("value", "3.3.3.3")]).await;
    assert_eq!(action(&r), "updated");
    assert_eq!(hw.sets("single.example.com", "A")[0].records, ["3.3.3.3"]);
    gw.stop().await;
}

/// Names match by substring where `search_mode=equal` is not honoured: the gateway keeps
/// only the exact zone and record set, whatever comes back first.
#[tokio::test]
async fn substring_matches_are_not_taken() {
    let (hw, gw) = setup().await;
    hw.state.lock().unwrap().fuzzy_only = true;
    hw.add("home.example.com.cn", "A", &["7.7.7.7"], 300);
    hw.add("myhome.example.com", "A", &["7.7.7.7"], 300);
    let r = update(&gw, &[("record", "home"), ("type", "A"), ("value", "1.2.3.4")]).await;
    assert_eq!(action(&r), "created", "{}", r.body);
    assert_eq!(r.json()["provider_metadata"]["zone_id"], zone_id(&hw, "example.com."));
    assert_eq!(hw.sets("home.example.com", "A")[0].records, ["1.2.3.4"]);
    assert_eq!(hw.sets("myhome.example.com", "A")[0].records, ["7.7.7.7"]);
    assert_eq!(
        action(&update(&gw, &[("record", "home"), ("type", "A"), ("value", "1.2.3.4")]).await),
        "unchanged"
    );
    gw.stop().await;
}

/// TXT text a console split into several strings is the same text.
#[tokio::test]
async fn txt_split_into_strings_is_the_same_text() {
    let (hw, gw) = setup().await;
    hw.add("_dkim.example.com", "TXT", &[r#""v=DKIM1; k=rsa; " "p=MIGf""#], 300);
    let r = update(&gw, &[("record", "_dkim"), ("type", "TXT"), ("value", "v=DKIM1; k=rsa; p=MIGf")]).await;
    assert_eq!(action(&r), "unchanged", "{}", r.body);
    assert_eq!(hw.writes(), 0);
    gw.stop().await;
}

/// Each code a user can cause, on a read or a write, maps to its status.
#[tokio::test]
async fn provider_codes_map_to_statuses() {
    let (hw, gw) = setup().await;
    hw.add("home.example.com", "A", &["1.1.1.1"], 300);
    let change = [("record", "home"), ("type", "A"), ("value", "1.2.3.4")];
    let cases: [(&str, u16, &str, &str, u16); 10] = [
        ("dns:recordset:update", 400, "DNS.0308", "Invalid record set value.", 422),
        ("dns:recordset:update", 400, "DNS.0319", "The TTL parameter has been out of range.", 422),
        ("dns:recordset:update", 400, "DNS.0312", "This record set already exists.", 422),
        ("dns:recordset:update", 403, "DNS.0403", "Insufficient record set quota.", 422),
        ("dns:recordset:update", 400, "DNS.0314", "The record set is not in a steady state.", 502),
        ("dns:recordset:list", 404, "DNS.0302", "This zone does not exist.", 404),
        ("dns:recordset:list", 401, "DNS.0005", "Authentication required.", 502),
        (
            "dns:recordset:list",
            401,
            "DNS.0013",
            "You do not have the permission to perform this operation.",
            502,
        ),
        ("dns:recordset:list", 400, "DNS.0308", "Invalid record set value.", 502),
        ("dns:zone:list", 403, "DNS.0014", "Request forbidden by flow control.", 503),
    ];
    for (action, status, code, message, want) in cases {
        hw.fail_next(action, status, code, message);
        let r = update(&gw, &change).await;
        assert_eq!(r.status, want, "{code} on {action}: {}", r.body);
        match want {
            503 => assert_eq!(r.header("retry-after"), Some("60")),
            404 => assert_eq!(r.json()["message"], "Zone not found for domain: example.com"),
            _ => assert_eq!(r.json()["provider_error"]["code"], code),
        }
        if code == "DNS.0005" || code == "DNS.0013" {
            let want = format!(
                "Failed to query DNS records: Huawei Cloud refused the credential or permission: {code} {message}"
            );
            assert_eq!(r.json()["message"], want.as_str());
        }
    }
    assert_eq!(hw.sets("home.example.com", "A")[0].records, ["1.1.1.1"], "nothing was written");

    // A TTL below the plan's minimum, refused by Huawei itself.
    hw.state.lock().unwrap().min_ttl = 300;
    let r = update(&gw, &[("record", "home"), ("type", "A"), ("value", "1.2.3.4"), ("ttl", "60")]).await;
    assert_eq!(
        (r.status, r.json()["provider_error"]["code"].as_str()),
        (422, Some("DNS.0319")),
        "{}",
        r.body
    );
    assert_eq!(hw.sets("home.example.com", "A")[0].records, ["1.1.1.1"]);

    // An IAM policy without dns:recordset:update.
    hw.state.lock().unwrap().allowed.retain(|a| *a != "dns:recordset:update");
    let r = update(&gw, &change).await;
    assert_eq!(
        (r.status, r.json()["provider_error"]["code"].as_str()),
        (502, Some("DNS.0030")),
        "{}",
        r.body
    );
    assert!(
        r.json()["message"]
            .as_str()
            .unwrap()
            .starts_with("Failed to update DNS record: Huawei Cloud refused")
    );
    gw.stop().await;
}

/// Five AK/SK failures in a row lock the key; the gateway never signs a refused credential
/// twice, so each wrong call counts once.
#[tokio::test]
async fn wrong_secrets_are_not_retried() {
    let (hw, gw) = setup().await;
    let wrong = format!(r#"ApiKey id="{AK}" secret="not-the-secret""#);
    for n in 1..=5 {
        let r = update_with(&gw, &wrong, &[("record", "home"), ("type", "A"), ("value", "1.2.3.4")]).await;
        assert_eq!(r.status, 502);
        assert_eq!(hw.state.lock().unwrap().failures, n);
    }
    let r = update(&gw, &[("record", "home"), ("type", "A"), ("value", "1.2.3.4")]).await;
    assert_eq!(r.status, 502);
    assert!(r.json()["message"].as_str().unwrap().ends_with("AK access failed to reach the limit,forbidden"));
    assert_eq!(hw.writes(), 0);
    gw.stop().await;
}

/// An internationalised zone and name go out in Punycode, the form DNS keys them by, and
/// the reply answers in the client's form.
#[tokio::test]
async fn idn_names_go_out_in_punycode() {
    let hw = FakeHuawei::start(AK, SK, &["xn--fiq228c.cn"]).await;
    let gw = Gateway::start(config_with(Kind::Huaweicloud, hw.addr)).await;
    let pairs = [
        ("provider", "huaweicloud"),
        ("zone", "中文.cn"),
        ("record", "家"),
        ("type", "A"),
        ("value", "1.2.3.4"),
    ];
    let auth = cred();
    let r = gw.get(&update_query(&pairs), &[("X-Upstream-Authorization", auth.as_str())]).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let j = r.json();
    assert_eq!((j["action"].as_str(), j["data"]["fqdn"].as_str()), (Some("created"), Some("家.中文.cn")));
    assert_eq!(hw.sets("xn--fct.xn--fiq228c.cn", "A")[0].records, ["1.2.3.4"]);
    let gets: Vec<_> = hw.calls().into_iter().filter(|(m, _, _)| m == "GET").collect();
    assert!(gets[0].2.contains(&("name".into(), "xn--fiq228c.cn.".into())), "{:?}", gets[0]);
    let r = gw.get(&update_query(&pairs), &[("X-Upstream-Authorization", auth.as_str())]).await;
    assert_eq!(action(&r), "unchanged");
    assert_eq!(hw.writes(), 1);
    gw.stop().await;
}
