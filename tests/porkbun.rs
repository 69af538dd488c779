//! Porkbun end to end against the fake Porkbun API: every step counts the writes the fake
//! received, and no reply may carry either key.

mod common;

use common::porkbun::{FakePorkbun, Limit};
use common::{Gateway, Reply, config_at, provider_update, update_query};
use ddns_gateway::providers::Kind;
use serde_json::json;

const API_KEY: &str = "pk1_5299b57125c8f3cdf347d2fe0e713311ee3a1e11f11a14942b26472593e35368";
const SECRET: &str = "sk1_7d119e3f656b00ae042980302e1425a04163c476efec1833a3cb0e54fc6f5022";

fn cred() -> String {
    format!(r#"ApiKey id="{API_KEY}" secret="{SECRET}""#)
}

async fn setup() -> (FakePorkbun, Gateway) {
    let pb = FakePorkbun::start(API_KEY, SECRET, &["example.com", "closed.net"]).await;
    pb.opt_in("closed.net", false);
    let gw = Gateway::start(config_at(Kind::Porkbun, pb.addr, "/api/json/v3")).await;
    (pb, gw)
}

async fn update_with(gw: &Gateway, cred: &str, pairs: &[(&str, &str)]) -> Reply {
    let r = provider_update(gw, "porkbun", cred, pairs).await;
    assert_clean(&r);
    r
}

async fn update(gw: &Gateway, pairs: &[(&str, &str)]) -> Reply {
    update_with(gw, &cred(), pairs).await
}

async fn update_in(gw: &Gateway, zone: &str, pairs: &[(&str, &str)]) -> Reply {
    let mut all = vec![("provider", "porkbun"), ("zone", zone)];
    all.extend_from_slice(pairs);
    let r = gw.get(&update_query(&all), &[("X-Upstream-Authorization", &cred())]).await;
    assert_clean(&r);
    r
}

/// Neither key, nor any recognisable part of one, in the body or a header.
fn assert_clean(r: &Reply) {
    for key in [API_KEY, SECRET, &API_KEY[4..40], &SECRET[4..40]] {
        assert!(!r.body.contains(key), "key in reply: {}", r.body);
        assert!(r.headers.iter().all(|(_, v)| !v.contains(key)), "key in headers: {:?}", r.headers);
    }
}

fn action(r: &Reply) -> String {
    assert_eq!(r.status, 200, "{}", r.body);
    r.json()["action"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn lifecycle() {
    let (pb, gw) = setup().await;

    // create, with a comment: Porkbun's notes.
    let r =
        update(&gw, &[("record", "home"), ("type", "A"), ("value", "1.2.3.4"), ("comment", "router")]).await;
    assert_eq!(action(&r), "created");
    let j = r.json();
    assert_eq!(j["data"]["ttl"], 600, "Porkbun's default TTL");
    assert!(j["provider_metadata"]["request_id"].as_str().unwrap().starts_with("019f707d-"));
    assert_eq!(pb.writes(), 1);
    let home = pb.records()[0].clone();
    assert_eq!((home.name.as_str(), home.content.as_str(), home.ttl), ("home", "1.2.3.4", 600));
    assert_eq!(home.notes.as_deref(), Some("router"));
    assert_eq!(j["provider_metadata"]["record_id"], home.id.to_string());
    let sent = pb.last_body("create");
    assert_eq!((sent["apikey"].as_str(), sent["secretapikey"].as_str()), (Some(API_KEY), Some(SECRET)));
    assert_eq!(sent["name"], "home");
    assert!(sent.get("ttl").is_none(), "no ttl asked, none sent: {sent}");

    // unchanged: one read, no write.
    let r = update(&gw, &[("record", "home"), ("type", "A"), ("value", "1.2.3.4")]).await;
    assert_eq!(action(&r), "unchanged");
    assert_eq!(pb.writes(), 1);
    assert_eq!(pb.endpoints().last().unwrap(), "retrieveByNameType");

    // update: one edit, which names the record (else Porkbun moves it to the apex) and
    // keeps its notes and TTL.
    let r = update(&gw, &[("record", "home"), ("type", "A"), ("value", "5.6.7.8")]).await;
    assert_eq!(action(&r), "updated");
    assert_eq!(r.json()["data"]["previous_value"], "1.2.3.4");
    assert_eq!(pb.writes(), 2);
    let after = pb.record(home.id);
    assert_eq!((after.name.as_str(), after.content.as_str(), after.ttl), ("home", "5.6.7.8", 600));
    assert_eq!(after.notes.as_deref(), Some("router"));
    let sent = pb.last_body("edit");
    assert_eq!(
        (sent["name"].as_str(), sent["type"].as_str(), sent["ttl"].as_str()),
        (Some("home"), Some("A"), Some("600"))
    );
    assert!(sent.get("notes").is_none(), "notes left alone: {sent}");

    // TXT: stored as sent, no quoting, and compared as that text.
    let text = r#"say "hi" \o/ v=spf1 -all"#;
    let r = update(&gw, &[("record", "_acme-challenge"), ("type", "TXT"), ("value", text)]).await;
    assert_eq!(action(&r), "created");
    assert_eq!(pb.records().last().unwrap().content, text);
    let r = update(&gw, &[("record", "_acme-challenge"), ("type", "TXT"), ("value", text)]).await;
    assert_eq!(action(&r), "unchanged");
    assert_eq!(pb.writes(), 3);

    // AAAA: another spelling of the same address is no change.
    let r = update(&gw, &[("record", "v6"), ("type", "AAAA"), ("value", "2001:db8::1")]).await;
    assert_eq!(action(&r), "created");
    let r = update(&gw, &[("record", "v6"), ("type", "AAAA"), ("value", "2001:DB8:0::1")]).await;
    assert_eq!(action(&r), "unchanged");
    assert_eq!(pb.writes(), 4);

    // @: the name Porkbun wants is "", its listing names the zone itself.
    let r = update(&gw, &[("record", "@"), ("type", "A"), ("value", "203.0.113.7")]).await;
    assert_eq!(action(&r), "created");
    assert_eq!(pb.last_body("create")["name"], "");
    let apex = pb.records().last().unwrap().id;
    assert_eq!(
        action(&update(&gw, &[("record", "@"), ("type", "A"), ("value", "203.0.113.7")]).await),
        "unchanged"
    );
    assert_eq!(
        action(&update(&gw, &[("record", "@"), ("type", "A"), ("value", "203.0.113.8")]).await),
        "updated"
    );
    assert_eq!((pb.record(apex).name.as_str(), pb.record(apex).content.as_str()), ("", "203.0.113.8"));
    assert_eq!(pb.writes(), 6);

    // Wildcards, `*` sent as it is in the listing's path.
    for (record, rtype, value) in [("*", "A", "198.51.100.1"), ("*.lan", "TXT", "lan")] {
        let r = update(&gw, &[("record", record), ("type", rtype), ("value", value)]).await;
        assert_eq!(action(&r), "created", "{record}");
        assert_eq!(pb.records().last().unwrap().name, record);
        let r = update(&gw, &[("record", record), ("type", rtype), ("value", value)]).await;
        assert_eq!(action(&r), "unchanged", "{record}");
    }
    assert_eq!(pb.writes(), 8);
    // Nothing moved to the apex, nothing created twice.
    let names: Vec<String> = pb.records().iter().map(|r| format!("{} {}", r.name, r.rtype)).collect();
    assert_eq!(names, ["home A", "_acme-challenge TXT", "v6 AAAA", " A", "* A", "*.lan TXT"]);

    // A wrong secret: 502 naming Porkbun's refusal, nothing written.
    let wrong = format!(r#"ApiKey id="{API_KEY}" secret="sk1_wrong-secret-0000""#);
    let r = update_with(&gw, &wrong, &[("record", "home"), ("type", "A"), ("value", "9.9.9.9")]).await;
    assert_eq!(r.status, 502, "{}", r.body);
    assert_eq!(
        r.json()["message"],
        "Failed to query DNS records: Porkbun refused the credential or permission: INVALID_API_KEYS_001 Invalid API key. (001)"
    );
    assert!(!r.body.contains("sk1_wrong-secret-0000"));
    assert_eq!(pb.writes(), 8);

    // A zone this account does not hold: 404.
    let r = update_in(&gw, "nothere.com", &[("record", "home"), ("type", "A"), ("value", "9.9.9.9")]).await;
    assert_eq!(
        (r.status, r.json()["message"].as_str()),
        (404, Some("Zone not found for domain: nothere.com"))
    );

    // A domain not opted in to API access: 502, saying what to turn on.
    let r = update_in(&gw, "closed.net", &[("record", "home"), ("type", "A"), ("value", "9.9.9.9")]).await;
    assert_eq!(r.status, 502, "{}", r.body);
    let message = r.json()["message"].as_str().unwrap().to_string();
    assert!(
        message.starts_with("Failed to query DNS records: Porkbun refused the credential or permission: DOMAIN_IS_NOT_OPTED_IN_TO_API_ACCESS Domain is not opted in to API access."),
        "{message}"
    );
    assert!(message.contains("turn on API ACCESS for this domain"), "{message}");
    assert_eq!(pb.writes(), 8);

    // The rate limit, as the front end's HTML 503 and as the API's JSON 429: 503 with
    // Retry-After, nothing written.
    for (limit, wait) in [(Limit::Html503, "10"), (Limit::Json429(12), "12")] {
        {
            let mut st = pb.state.lock().unwrap();
            st.budget = Some(0);
            st.limit = limit;
        }
        let r = update(&gw, &[("record", "home"), ("type", "A"), ("value", "9.9.9.9")]).await;
        assert_eq!((r.status, r.header("retry-after")), (503, Some(wait)), "{limit:?}: {}", r.body);
        assert_eq!(r.json()["message"], format!("Porkbun rate limit reached; retry after {wait} s"));
    }
    // Let through the listing, not the edit: still no half-done change.
    pb.state.lock().unwrap().budget = Some(1);
    let r = update(&gw, &[("record", "home"), ("type", "A"), ("value", "9.9.9.9")]).await;
    assert_eq!(r.status, 503, "{}", r.body);
    assert_eq!(pb.writes(), 8);
    assert_eq!(pb.record(home.id).content, "5.6.7.8");
    pb.state.lock().unwrap().budget = None;
    assert_eq!(
        action(&update(&gw, &[("record", "home"), ("type", "A"), ("value", "9.9.9.9")]).await),
        "updated"
    );
    gw.stop().await;
}

/// Older answers carry no `code`, and `dns/create` gives a numeric id: the same mapping
/// holds by the code made from the message.
#[tokio::test]
async fn answers_without_codes_map_the_same() {
    let (pb, gw) = setup().await;
    pb.state.lock().unwrap().modern = false;
    let r = update(&gw, &[("record", "home"), ("type", "A"), ("value", "1.2.3.4")]).await;
    assert_eq!(action(&r), "created");
    assert_eq!(r.json()["provider_metadata"]["record_id"], pb.records()[0].id.to_string());
    assert!(r.json()["provider_metadata"]["request_id"].is_null());
    assert_eq!(
        action(&update(&gw, &[("record", "home"), ("type", "A"), ("value", "1.2.3.4")]).await),
        "unchanged"
    );

    let wrong = format!(r#"ApiKey id="{API_KEY}" secret="sk1_wrong""#);
    let r = update_with(&gw, &wrong, &[("record", "home"), ("type", "A"), ("value", "9.9.9.9")]).await;
    assert_eq!(r.status, 502);
    assert_eq!(r.json()["provider_error"]["code"], "INVALID_API_KEY_002");
    assert_eq!(r.json()["provider_error"]["message"], "Invalid API key. (002)");
    let r = update_in(&gw, "nothere.com", &[("record", "home"), ("type", "A"), ("value", "9.9.9.9")]).await;
    assert_eq!(r.status, 404);
    let r = update_in(&gw, "closed.net", &[("record", "home"), ("type", "A"), ("value", "9.9.9.9")]).await;
    assert_eq!(r.status, 502);
    assert_eq!(r.json()["provider_error"]["code"], "DOMAIN_IS_NOT_OPTED_IN_TO_API_ACCESS");
    assert_eq!(pb.writes(), 1);
    gw.stop().await;
}

/// Porkbun stores a TTL below 600 as 600: the reply says 600 (and why), and the next call
/// with the same TTL writes nothing.
#[tokio::test]
async fn ttl_below_the_minimum_is_stored_as_600_and_then_unchanged() {
    let (pb, gw) = setup().await;
    let low = [("record", "home"), ("type", "A"), ("value", "1.2.3.4"), ("ttl", "60")];
    let r = update(&gw, &low).await;
    assert_eq!(action(&r), "created");
    assert_eq!(r.json()["data"]["ttl"], 600);
    assert_eq!(r.json()["warnings"], json!(["ttl 60 is below Porkbun's minimum of 600"]));
    assert_eq!(pb.last_body("create")["ttl"], "600");
    assert_eq!(pb.records()[0].ttl, 600);

    let r = update(&gw, &low).await;
    assert_eq!(action(&r), "unchanged", "{}", r.body);
    assert_eq!(r.json()["data"]["ttl"], 600);
    assert_eq!(r.json()["warnings"], json!(["ttl 60 is below Porkbun's minimum of 600"]));
    assert_eq!(pb.writes(), 1);

    let r = update(&gw, &[("record", "home"), ("type", "A"), ("value", "1.2.3.4"), ("ttl", "1200")]).await;
    assert_eq!(action(&r), "updated");
    assert_eq!((pb.records()[0].ttl, pb.writes()), (1200, 2));
    // From 1200 down to "300" is down to 600: a change.
    let r = update(&gw, &[("record", "home"), ("type", "A"), ("value", "1.2.3.4"), ("ttl", "300")]).await;
    assert_eq!(action(&r), "updated");
    assert_eq!(r.json()["data"]["ttl"], 600);
    assert_eq!((pb.records()[0].ttl, pb.writes()), (600, 3));

    // A TTL under the minimum set in the dashboard is nearer than the API can get: left
    // alone, until an edit of something else raises it to the minimum.
    let low = pb.add("example.com", "low", "A", "1.1.1.1", 300);
    let r = update(&gw, &[("record", "low"), ("type", "A"), ("value", "1.1.1.1"), ("ttl", "60")]).await;
    assert_eq!(action(&r), "unchanged");
    assert_eq!(r.json()["data"]["ttl"], 300);
    assert_eq!(pb.writes(), 3);
    let r = update(&gw, &[("record", "low"), ("type", "A"), ("value", "2.2.2.2"), ("ttl", "60")]).await;
    assert_eq!(action(&r), "updated");
    assert_eq!(r.json()["data"]["ttl"], 600);
    assert_eq!((pb.record(low).ttl, pb.last_body("edit")["ttl"].as_str()), (600, Some("300")));
    assert_eq!(
        action(&update(&gw, &[("record", "low"), ("type", "A"), ("value", "2.2.2.2"), ("ttl", "60")]).await),
        "unchanged"
    );
    assert_eq!(pb.writes(), 4);
    gw.stop().await;
}

/// Notes: set on create, changed alone (one edit, content kept), cleared with an empty
/// comment, left alone when the request has none.
#[tokio::test]
async fn comments_are_porkbun_notes() {
    let (pb, gw) = setup().await;
    let base = [("record", "home"), ("type", "A"), ("value", "1.2.3.4")];
    let with = |c: &'static str| [base[0], base[1], base[2], ("comment", c)];
    assert_eq!(action(&update(&gw, &with("first")).await), "created");
    assert_eq!(action(&update(&gw, &with("first")).await), "unchanged");
    assert_eq!(action(&update(&gw, &with("second")).await), "updated");
    assert_eq!(pb.last_body("edit")["notes"], "second");
    assert_eq!(pb.records()[0].notes.as_deref(), Some("second"));
    assert_eq!(action(&update(&gw, &with("")).await), "updated");
    assert_eq!(pb.records()[0].notes.as_deref(), Some(""));
    assert_eq!(action(&update(&gw, &base).await), "unchanged");
    assert_eq!(action(&update(&gw, &with("")).await), "unchanged");
    assert_eq!(pb.writes(), 3);
    // A record that never had notes lists them as null: no comment asked, no change.
    pb.add("example.com", "bare", "A", "1.1.1.1", 600);
    assert_eq!(
        action(&update(&gw, &[("record", "bare"), ("type", "A"), ("value", "1.1.1.1")]).await),
        "unchanged"
    );
    assert_eq!(
        action(
            &update(&gw, &[("record", "bare"), ("type", "A"), ("value", "1.1.1.1"), ("comment", "")]).await
        ),
        "unchanged"
    );
    assert_eq!(pb.writes(), 3);
    gw.stop().await;
}

#[tokio::test]
async fn two_records_of_the_name_and_type_are_a_conflict() {
    let (pb, gw) = setup().await;
    pb.add("example.com", "home", "A", "1.1.1.1", 600);
    pb.add("example.com", "HOME", "A", "2.2.2.2", 600);
    pb.add("example.com", "home", "AAAA", "2001:db8::1", 600);
    let r = update(&gw, &[("record", "home"), ("type", "A"), ("value", "3.3.3.3")]).await;
    assert_eq!(
        (r.status, r.json()["message"].as_str()),
        (409, Some("Multiple records found for home.example.com (A): 2"))
    );
    assert_eq!(pb.writes(), 0);
    gw.stop().await;
}

/// A new domain's parking records (ALIAS @, CNAME *) make Porkbun refuse records at those
/// names; the 422 says which records are in the way.
#[tokio::test]
async fn parking_records_block_the_apex_and_the_wildcard() {
    let (pb, gw) = setup().await;
    pb.park("example.com");
    for record in ["@", "*"] {
        let r = update(&gw, &[("record", record), ("type", "A"), ("value", "1.2.3.4")]).await;
        assert_eq!(r.status, 422, "{record}: {}", r.body);
        let message = r.json()["message"].as_str().unwrap().to_string();
        assert!(message.starts_with("Failed to create DNS record: Porkbun CREATE_ERROR Create error: We were unable to create the DNS record."), "{message}");
        assert!(message.contains("ALIAS @ and CNAME * to pixie.porkbun.com"), "{message}");
    }
    assert_eq!((pb.records().len(), pb.writes()), (2, 2));
    // Other names are not in the way, and their refusals get no such hint.
    assert_eq!(
        action(&update(&gw, &[("record", "www"), ("type", "A"), ("value", "1.2.3.4")]).await),
        "created"
    );
    let r = update(&gw, &[("record", "www"), ("type", "CNAME"), ("value", "elsewhere.example.net")]).await;
    assert_eq!(r.status, 422);
    assert!(!r.body.contains("pixie"), "{}", r.body);
    gw.stop().await;
}

/// Porkbun drops white space at the end of TXT content, which would then never compare
/// equal: refused before anything is written.
#[tokio::test]
async fn txt_ending_in_white_space_is_refused_before_writing() {
    let (pb, gw) = setup().await;
    let r = update(&gw, &[("record", "t"), ("type", "TXT"), ("value", "abc ")]).await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert_eq!(r.json()["message"], "value: Porkbun does not keep TXT content that ends in white space");
    pb.add("example.com", "t", "TXT", "abc", 600);
    let r = update(&gw, &[("record", "t"), ("type", "TXT"), ("value", "abc ")]).await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert_eq!(pb.writes(), 0);
    assert_eq!(action(&update(&gw, &[("record", "t"), ("type", "TXT"), ("value", " abc")]).await), "updated");
    gw.stop().await;
}

/// Porkbun's other codes: a refused value is the caller's on a write (422) and ours on a
/// read (502); its own failures are 502; a body that is not its JSON is a bad answer.
#[tokio::test]
async fn other_refusals_and_bad_answers() {
    let (pb, gw) = setup().await;
    let change = [("record", "home"), ("type", "A"), ("value", "1.2.3.4")];
    let invalid_type = json!({"status": "ERROR", "message": "Invalid type.", "code": "INVALID_TYPE"});
    pb.fail_next("create", 400, invalid_type.clone());
    let r = update(&gw, &change).await;
    assert_eq!((r.status, r.json()["provider_error"]["code"].as_str()), (422, Some("INVALID_TYPE")));
    pb.fail_next("retrieveByNameType", 400, invalid_type);
    assert_eq!(update(&gw, &change).await.status, 502);
    pb.fail_next("retrieveByNameType", 500, json!({"status": "ERROR", "message": "Internal error."}));
    let r = update(&gw, &change).await;
    assert_eq!((r.status, r.json()["provider_error"]["code"].as_str()), (502, Some("INTERNAL_ERROR")));
    pb.fail_next("retrieveByNameType", 200, json!({"records": []}));
    let r = update(&gw, &change).await;
    assert_eq!(r.status, 502, "{}", r.body);
    assert_eq!(
        r.json()["message"],
        "Failed to query DNS records: Porkbun answered HTTP 200 without a usable JSON body"
    );
    pb.fail_next("create", 200, json!({"status": "SUCCESS"}));
    assert_eq!(update(&gw, &change).await.status, 502);
    assert_eq!(pb.writes(), 2);
    assert_eq!(action(&update(&gw, &change).await), "created");
    gw.stop().await;
}

/// Porkbun's answers may echo what they were sent; the keys are scrubbed from every field
/// passed on.
#[tokio::test]
async fn echoed_keys_never_reach_a_reply() {
    let (pb, gw) = setup().await;
    let echo = json!({"status": "ERROR", "code": format!("BAD_{SECRET}"), "requestId": API_KEY,
                      "message": format!("Invalid API key {API_KEY} with {SECRET}.")});
    pb.fail_next("retrieveByNameType", 400, echo.clone());
    let r = update(&gw, &[("record", "home"), ("type", "A"), ("value", "1.2.3.4")]).await;
    assert_eq!(r.status, 502, "{}", r.body);
    assert!(r.body.contains("<redacted>"), "{}", r.body);
    pb.fail_next("create", 400, echo);
    let r = update(&gw, &[("record", "home"), ("type", "A"), ("value", "1.2.3.4")]).await;
    assert_eq!(r.status, 422, "{}", r.body);
    // And on success, in the request id passed on.
    pb.fail_next(
        "create",
        200,
        json!({"status": "SUCCESS", "id": "77", "requestId": format!("req-{SECRET}")}),
    );
    let r = update(&gw, &[("record", "home"), ("type", "A"), ("value", "1.2.3.4")]).await;
    assert_eq!(action(&r), "created");
    assert_eq!(r.json()["provider_metadata"]["request_id"], "req-<redacted>");
    gw.stop().await;
}

/// An internationalised domain and name go out in Punycode, and the reply answers in the
/// client's form.
#[tokio::test]
async fn idn_names_go_out_in_punycode() {
    let pb = FakePorkbun::start(API_KEY, SECRET, &["xn--fiq228c.cn"]).await;
    let gw = Gateway::start(config_at(Kind::Porkbun, pb.addr, "/api/json/v3")).await;
    let pairs = [("record", "家"), ("type", "A"), ("value", "1.2.3.4")];
    let r = update_in(&gw, "中文.cn", &pairs).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let j = r.json();
    assert_eq!((j["action"].as_str(), j["data"]["fqdn"].as_str()), (Some("created"), Some("家.中文.cn")));
    assert_eq!(
        (pb.records()[0].domain.as_str(), pb.records()[0].name.as_str()),
        ("xn--fiq228c.cn", "xn--fct")
    );
    assert_eq!(update_in(&gw, "中文.cn", &pairs).await.json()["action"], "unchanged");
    assert_eq!(pb.writes(), 1);
    gw.stop().await;
}
