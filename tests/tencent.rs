//! Tencent DNSPod end to end against the fake DNSPod API.

mod common;

use std::time::Duration;

use common::tencent::FakeTencent;
use common::{Gateway, Reply, UNUSED, config_all, provider_update, update_query};

const SECRET_ID: &str = "AKIDtencentIDXXXXXXXX";
const SECRET_KEY: &str = "TencentKey-0123456789abcdef";

fn cred() -> String {
    // The comma-free form a RouterOS script can send safely.
    format!(r#"ApiKey id="{SECRET_ID}" secret="{SECRET_KEY}""#)
}

async fn setup() -> (FakeTencent, Gateway) {
    let tc = FakeTencent::start(SECRET_ID, SECRET_KEY, &["example.com"]).await;
    let gw = Gateway::start(config_all(UNUSED, UNUSED, tc.addr)).await;
    (tc, gw)
}

async fn update_with(gw: &Gateway, cred: &str, pairs: &[(&str, &str)]) -> Reply {
    provider_update(gw, "tencent", cred, pairs).await
}

async fn update(gw: &Gateway, pairs: &[(&str, &str)]) -> Reply {
    update_with(gw, &cred(), pairs).await
}

#[tokio::test]
async fn create_unchanged_update() {
    let (tc, gw) = setup().await;
    let r =
        update(&gw, &[("record", "home"), ("type", "A"), ("value", "1.2.3.4"), ("comment", "router")]).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let j = r.json();
    assert_eq!((j["action"].as_str(), j["data"]["ttl"].as_u64()), (Some("created"), Some(600)));
    assert!(j["provider_metadata"]["request_id"].as_str().unwrap().starts_with("tc-req-"));
    let rec = &tc.records()[0];
    assert_eq!((rec.name.as_str(), rec.remark.as_str(), rec.line.as_str()), ("home", "router", "默认"));
    assert_eq!(j["provider_metadata"]["record_id"], rec.id.to_string());

    let r = update(&gw, &[("record", "home"), ("type", "A"), ("value", "1.2.3.4")]).await;
    assert_eq!(r.json()["action"], "unchanged");
    let r = update(&gw, &[("record", "home"), ("type", "A"), ("value", "5.6.7.8")]).await;
    assert_eq!(
        (r.json()["action"].as_str(), r.json()["data"]["previous_value"].as_str()),
        (Some("updated"), Some("1.2.3.4"))
    );
    let rec = &tc.records()[0];
    assert_eq!(
        (rec.value.as_str(), rec.ttl, rec.remark.as_str()),
        ("5.6.7.8", 600, "router"),
        "TTL and remark kept"
    );
    let r = update(
        &gw,
        &[("record", "home"), ("type", "A"), ("value", "5.6.7.8"), ("ttl", "1200"), ("comment", "")],
    )
    .await;
    assert_eq!(r.json()["action"], "updated");
    let rec = &tc.records()[0];
    assert_eq!((rec.ttl, rec.remark.as_str()), (1200, ""));
    assert_eq!(tc.action_names().iter().filter(|a| *a == "ModifyRecord").count(), 2);
    gw.stop().await;
}

#[tokio::test]
async fn every_type_and_the_apex() {
    let (tc, gw) = setup().await;
    for (record, rtype, value) in [
        ("@", "A", "203.0.113.7"),
        ("v6", "AAAA", "2001:db8::7"),
        ("www", "CNAME", "target.example.net"),
        ("*.lan", "TXT", "x y"),
    ] {
        let r = update(&gw, &[("record", record), ("type", rtype), ("value", value)]).await;
        assert_eq!(r.json()["action"], "created", "{rtype}: {}", r.body);
        let r = update(&gw, &[("record", record), ("type", rtype), ("value", value)]).await;
        assert_eq!(r.json()["action"], "unchanged", "{rtype}: {}", r.body);
    }
    assert_eq!(tc.records().iter().find(|r| r.rtype == "A").unwrap().name, "@");
    assert_eq!(tc.records().len(), 4);
    gw.stop().await;
}

#[tokio::test]
async fn list_lag_never_makes_two_records() {
    let (tc, gw) = setup().await;
    tc.state.lock().unwrap().lag = Duration::from_secs(30);
    let r = update(&gw, &[("record", "new"), ("type", "A"), ("value", "1.2.3.4")]).await;
    assert_eq!(r.json()["action"], "created");
    // DNSPod does not list it yet; the gateway remembers what it created.
    let r = update(&gw, &[("record", "new"), ("type", "A"), ("value", "1.2.3.4")]).await;
    assert_eq!(r.json()["action"], "unchanged", "{}", r.body);
    let r = update(&gw, &[("record", "new"), ("type", "A"), ("value", "4.3.2.1")]).await;
    assert_eq!(r.json()["action"], "updated", "{}", r.body);
    // Concurrent first calls for another name.
    let calls = (0..8).map(|_| update(&gw, &[("record", "burst"), ("type", "A"), ("value", "9.9.9.9")]));
    let replies = futures_join(calls).await;
    assert!(replies.iter().all(|r| r.status == 200));
    assert_eq!(replies.iter().filter(|r| r.json()["action"] == "created").count(), 1);
    let names: Vec<String> = tc.records().into_iter().map(|r| format!("{}={}", r.name, r.value)).collect();
    assert_eq!(names, ["new=4.3.2.1", "burst=9.9.9.9"]);
    gw.stop().await;
}

/// Runs futures concurrently on this task (no extra crate for join_all).
async fn futures_join<F: std::future::Future<Output = Reply>>(futs: impl Iterator<Item = F>) -> Vec<Reply> {
    let mut futs: Vec<_> = futs.map(Box::pin).collect();
    let mut out: Vec<Option<Reply>> = futs.iter().map(|_| None).collect();
    std::future::poll_fn(|cx| {
        let mut pending = false;
        for (i, f) in futs.iter_mut().enumerate() {
            if out[i].is_none() {
                match f.as_mut().poll(cx) {
                    std::task::Poll::Ready(r) => out[i] = Some(r),
                    std::task::Poll::Pending => pending = true,
                }
            }
        }
        if pending { std::task::Poll::Pending } else { std::task::Poll::Ready(()) }
    })
    .await;
    out.into_iter().map(Option::unwrap).collect()
}

#[tokio::test]
async fn errors() {
    let (tc, gw) = setup().await;
    let wrong = format!(r#"ApiKey id="{SECRET_ID}", secret="WRONG-key-value""#);
    let r = update_with(&gw, &wrong, &[("record", "home"), ("type", "A"), ("value", "1.2.3.4")]).await;
    assert_eq!(r.status, 502);
    assert_eq!(r.json()["provider_error"]["code"], "AuthFailure.SignatureFailure");
    assert!(
        r.json()["message"]
            .as_str()
            .unwrap()
            .starts_with("Failed to query DNS records: Tencent refused the credential or permission: AuthFailure.SignatureFailure")
    );
    assert!(!r.body.contains("WRONG-key-value"));
    let r = update_with(
        &gw,
        r#"ApiKey id="AKIDnobody", secret="x""#,
        &[("record", "home"), ("type", "A"), ("value", "1.2.3.4")],
    )
    .await;
    assert_eq!(r.json()["provider_error"]["code"], "AuthFailure.SecretIdNotFound");

    let r = gw
        .get(
            &update_query(&[
                ("provider", "tencent"),
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
    assert_eq!(r.json()["provider_error"]["code"], "LimitExceeded.RecordTtlLimit");
    assert!(tc.records().is_empty());

    // A CAM policy without ModifyRecord: 502 naming the code.
    tc.add("example.com", "home", "A", "1.1.1.1", 600);
    tc.state.lock().unwrap().allowed.retain(|a| *a != "ModifyRecord");
    let r = update(&gw, &[("record", "home"), ("type", "A"), ("value", "1.2.3.4")]).await;
    assert_eq!(
        (r.status, r.json()["provider_error"]["code"].as_str()),
        (502, Some("AuthFailure.UnauthorizedOperation"))
    );
    gw.stop().await;
}

#[tokio::test]
async fn skewed_provider_clock_is_learned_once() {
    let (tc, gw) = setup().await;
    tc.state.lock().unwrap().skew = -20 * 60;
    let r = update(&gw, &[("record", "home"), ("type", "A"), ("value", "1.2.3.4")]).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(tc.state.lock().unwrap().expired, 1);
    let r = update(&gw, &[("record", "home"), ("type", "A"), ("value", "1.2.3.4")]).await;
    assert_eq!(r.json()["action"], "unchanged");
    assert_eq!(tc.state.lock().unwrap().expired, 1);
    gw.stop().await;
}

/// DNSPod reports rate limits and account problems under codes that look like parameter
/// errors; the SDK's errors.go names them. Each maps by its code, on a read or a write.
#[tokio::test]
async fn rate_limit_and_account_codes_on_reads_and_writes() {
    let (tc, gw) = setup().await;
    tc.add("example.com", "home", "A", "1.1.1.1", 600);
    let rate = [
        ("InvalidParameter.OperationIsTooFrequent", "当前操作过于频繁，请 1 分钟后重试。"),
        ("InvalidParameter.Common", "您操作过于频繁，请稍后重试。"),
    ];
    let account = [
        ("InvalidParameter.PermissionDenied", "鉴权失败。"),
        ("InvalidParameter.InvalidSecretId", "无效密钥 ID。"),
        ("InvalidParameter.InvalidSignature", "无效签名。"),
        ("InvalidParameter.TimestampExpired", "时间戳已过期。"),
        ("InvalidParameter.AccountIsBanned", "您的账号已被系统封禁，如果您有任何疑问请与我们联系。"),
        ("InvalidParameter.RequestIpLimited", "您的IP非法，请求被拒绝。"),
        ("InvalidParameter.UnrealNameUser", "未实名认证用户，请先完成实名认证再操作。"),
        ("LimitExceeded.FailedLoginLimitExceeded", "登录失败次数过多已被系统封禁。"),
    ];
    let change = [("record", "home"), ("type", "A"), ("value", "1.2.3.4")];
    for (action, step) in [("DescribeRecordList", "query DNS records"), ("ModifyRecord", "update DNS record")]
    {
        for (code, message) in rate {
            tc.fail_next(action, code, message);
            let r = update(&gw, &change).await;
            assert_eq!(
                (r.status, r.header("retry-after")),
                (503, Some("60")),
                "{code} on {action}: {}",
                r.body
            );
            assert_eq!(r.json()["message"], "Tencent rate limit reached; retry after 60 s");
        }
        for (code, message) in account {
            tc.fail_next(action, code, message);
            let r = update(&gw, &change).await;
            assert_eq!(r.status, 502, "{code} on {action}: {}", r.body);
            let want =
                format!("Failed to {step}: Tencent refused the credential or permission: {code} {message}");
            assert_eq!(r.json()["message"], want.as_str());
            assert_eq!(r.json()["provider_error"]["code"], code);
        }
    }
    assert_eq!(tc.records()[0].value, "1.1.1.1", "nothing was written");
    // A value the API refuses is still the caller's: 422.
    tc.fail_next("ModifyRecord", "InvalidParameter.RecordValueInvalid", "记录的值不正确。");
    assert_eq!(update(&gw, &change).await.status, 422);
    assert_eq!(update(&gw, &change).await.json()["action"], "updated");
    gw.stop().await;
}

/// DNSPod takes remarks of at most 200 characters: a longer one is refused before anything
/// is written, naming the limit.
#[tokio::test]
async fn remark_limit_is_checked_before_writing() {
    let (tc, gw) = setup().await;
    tc.add("example.com", "home", "A", "1.1.1.1", 600);
    let long = "备".repeat(201);
    let r = update(&gw, &[("record", "home"), ("type", "A"), ("value", "1.2.3.4"), ("comment", &long)]).await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert_eq!(r.json()["message"], "comment: longer than 200 characters (the Tencent limit)");
    assert!(tc.action_names().is_empty(), "{:?}", tc.action_names());
    assert_eq!(tc.records()[0].value, "1.1.1.1");
    let fits = "备".repeat(200);
    let r = update(&gw, &[("record", "home"), ("type", "A"), ("value", "1.2.3.4"), ("comment", &fits)]).await;
    assert_eq!(r.json()["action"], "updated", "{}", r.body);
    assert_eq!((tc.records()[0].value.as_str(), tc.records()[0].remark.as_str()), ("1.2.3.4", fits.as_str()));
    gw.stop().await;
}

/// Records of one name on several lines (默认, 电信): without `line` the default-line record
/// is updated; with `line` only that line's record counts, and one is created there when
/// none is; `data.line` says which line was written.
#[tokio::test]
async fn resolution_lines() {
    let (tc, gw) = setup().await;
    let default = tc.add("example.com", "home", "A", "1.1.1.1", 600);
    let telecom = tc.add("example.com", "home", "A", "2.2.2.2", 600);
    tc.edit(telecom, |r| r.line = "电信".into());
    let value = |id: u64| tc.records().into_iter().find(|r| r.id == id).unwrap().value;

    let r = update(&gw, &[("record", "home"), ("type", "A"), ("value", "1.1.1.9")]).await;
    let j = r.json();
    assert_eq!((j["action"].as_str(), j["data"]["line"].as_str()), (Some("updated"), Some("默认")), "{j}");
    assert_eq!((value(default), value(telecom)), ("1.1.1.9".into(), "2.2.2.2".into()));

    let r = update(&gw, &[("record", "home"), ("type", "A"), ("value", "2.2.2.9"), ("line", "电信")]).await;
    let j = r.json();
    assert_eq!((j["action"].as_str(), j["data"]["line"].as_str()), (Some("updated"), Some("电信")), "{j}");
    assert_eq!((value(default), value(telecom)), ("1.1.1.9".into(), "2.2.2.9".into()));
    assert_eq!(tc.records().iter().find(|r| r.id == telecom).unwrap().line, "电信", "line kept");

    let r = update(&gw, &[("record", "home"), ("type", "A"), ("value", "3.3.3.3"), ("line", "联通")]).await;
    let j = r.json();
    assert_eq!((j["action"].as_str(), j["data"]["line"].as_str()), (Some("created"), Some("联通")), "{j}");
    assert!(tc.records().iter().any(|r| r.line == "联通" && r.value == "3.3.3.3"));
    // A line DNSPod does not know: its refusal, before anything is written.
    let r =
        update(&gw, &[("record", "home"), ("type", "A"), ("value", "4.4.4.4"), ("line", "nowhere")]).await;
    assert_eq!(
        (r.status, r.json()["provider_error"]["code"].as_str()),
        (422, Some("InvalidParameter.RecordLineInvalid"))
    );
    assert_eq!(tc.records().len(), 3);
    gw.stop().await;
}

/// ModifyRecord sets Status to ENABLE and drops the weight when they are left out: an update
/// sends the record's own, so a paused record stays paused (and the reply says it does not
/// resolve) and a weighted one keeps its weight.
#[tokio::test]
async fn a_paused_record_stays_paused() {
    let (tc, gw) = setup().await;
    let id = tc.add("example.com", "home", "A", "1.1.1.1", 600);
    tc.edit(id, |r| {
        r.status = "DISABLE".into();
        r.weight = Some(30);
    });
    let r = update(&gw, &[("record", "home"), ("type", "A"), ("value", "1.2.3.4")]).await;
    let j = r.json();
    assert_eq!(j["action"], "updated", "{j}");
    assert!(j["warnings"][0].as_str().unwrap().contains("paused at Tencent"), "{j}");
    let rec = &tc.records()[0];
    assert_eq!((rec.value.as_str(), rec.status.as_str(), rec.weight), ("1.2.3.4", "DISABLE", Some(30)));
    // An enabled record stays enabled, and one without a weight gets none.
    tc.edit(id, |r| {
        r.status = "ENABLE".into();
        r.weight = None;
    });
    let r = update(&gw, &[("record", "home"), ("type", "A"), ("value", "1.2.3.5")]).await;
    assert_eq!(
        (r.json()["action"].as_str(), r.json()["warnings"].as_array().unwrap().len()),
        (Some("updated"), 0)
    );
    let rec = &tc.records()[0];
    assert_eq!((rec.status.as_str(), rec.weight), ("ENABLE", None));
    gw.stop().await;
}

/// The last DNSPod codes a user can cause, each a 4xx: a blacklisted value, a subdomain
/// given as the zone, a domain that is not there, a locked or blocked domain.
#[tokio::test]
async fn user_caused_codes_are_4xx() {
    let (tc, gw) = setup().await;
    tc.add("example.com", "home", "A", "1.1.1.1", 600);
    let change = [("record", "home"), ("type", "A"), ("value", "1.2.3.4")];
    tc.fail_next("ModifyRecord", "OperationDenied.IPInBlacklistNotAllowed", "抱歉，不允许添加黑名单中的IP。");
    let r = update(&gw, &change).await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(
        r.json()["message"]
            .as_str()
            .unwrap()
            .starts_with("Failed to update DNS record: Tencent OperationDenied")
    );

    // The real check: `sub.example.com` is not the registered domain.
    let q = update_query(&[
        ("provider", "tencent"),
        ("zone", "sub.example.com"),
        ("record", "a"),
        ("type", "A"),
        ("value", "1.2.3.4"),
    ]);
    let r = gw.get(&q, &[("X-Upstream-Authorization", &cred())]).await;
    assert_eq!(r.status, 404, "{}", r.body);
    let msg = r.json()["message"].as_str().unwrap().to_string();
    assert!(msg.starts_with("Zone not found for domain: sub.example.com (Tencent InvalidParameter.DomainInvalid: give the domain as registered"), "{msg}");

    tc.fail_next("DescribeRecordList", "ResourceNotFound.NoDataOfDomain", "域名列表为空。");
    assert_eq!(update(&gw, &change).await.status, 404);
    for (action, code) in [
        ("DescribeRecordList", "FailedOperation.DomainIsLocked"),
        ("ModifyRecord", "FailedOperation.DomainIsSpam"),
    ] {
        tc.fail_next(action, code, "锁定域名不能进行此操作。");
        let r = update(&gw, &change).await;
        assert_eq!(r.status, 423, "{code}: {}", r.body);
        let msg = r.json()["message"].as_str().unwrap().to_string();
        assert!(msg.contains("Tencent has locked or blocked this domain") && msg.contains(code), "{msg}");
        assert_eq!(r.json()["provider_error"]["code"], code);
    }
    assert_eq!(tc.records()[0].value, "1.1.1.1", "nothing was written");
    gw.stop().await;
}

/// DNSPod lists an internationalised domain by its Unicode name: a zone given in Punycode
/// goes out in Unicode, and the reply answers in the client's form.
#[tokio::test]
async fn idn_zones_go_out_in_unicode() {
    let tc = FakeTencent::start(SECRET_ID, SECRET_KEY, &["中文.cn"]).await;
    let gw = Gateway::start(config_all(UNUSED, UNUSED, tc.addr)).await;
    for (zone, action) in [("xn--fiq228c.cn", "created"), ("中文.cn", "unchanged")] {
        let q = update_query(&[
            ("provider", "tencent"),
            ("zone", zone),
            ("record", "home"),
            ("type", "A"),
            ("value", "1.2.3.4"),
        ]);
        let r = gw.get(&q, &[("X-Upstream-Authorization", &cred())]).await;
        let j = r.json();
        assert_eq!((j["action"].as_str(), j["data"]["zone"].as_str()), (Some(action), Some(zone)), "{j}");
    }
    assert_eq!((tc.records().len(), tc.records()[0].domain.as_str()), (1, "中文.cn"));
    gw.stop().await;
}

/// A record created without a TTL: the reply's TTL is the one DNSPod holds (sent
/// explicitly), whatever DNSPod's default would have been.
#[tokio::test]
async fn created_ttl_is_what_dnspod_holds() {
    let (tc, gw) = setup().await;
    tc.state.lock().unwrap().default_ttl = 1200;
    let r = update(&gw, &[("record", "home"), ("type", "A"), ("value", "1.2.3.4")]).await;
    let j = r.json();
    assert_eq!(j["action"], "created", "{j}");
    assert_eq!(j["data"]["ttl"].as_u64(), Some(tc.records()[0].ttl));
    gw.stop().await;
}
