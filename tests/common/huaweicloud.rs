//! A fake Huawei Cloud DNS (API v2) on loopback that checks what the real one checks: the
//! SDK-HMAC-SHA256 signature over the headers it names (which must include host and
//! x-sdk-date), `X-Sdk-Date` within 15 minutes of its own clock (which a test may shift),
//! an AK/SK locked after five failures in a row, and an IAM policy of allowed actions. It
//! reproduces the API's shapes and quirks: zone and record set names end with a dot, `name`
//! matches by substring unless `search_mode=equal`, a record set holds a list of values,
//! TXT values must be quoted strings of at most 255 bytes (DNS.0308), writes answer 202,
//! DNS errors are `{code, message}` and the API gateway's `{error_code, error_msg}`.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use ddns_gateway::providers::huaweicloud_sign::{authorization, canonical_query, sdk_date};
use serde_json::{Value, json};

use super::fake::{FakeReq, FakeResp, serve_with_clock};

#[derive(Clone, Debug, PartialEq)]
pub struct HwSet {
    pub id: String,
    pub zone_id: String,
    /// The FQDN with its final dot.
    pub name: String,
    pub rtype: String,
    pub ttl: u64,
    pub records: Vec<String>,
    pub description: Option<String>,
}

/// A request that got past authentication: method, path, decoded query.
pub type Call = (String, String, Vec<(String, String)>);

pub struct State {
    pub ak: String,
    pub sk: String,
    /// (id, name with its final dot).
    pub zones: Vec<(String, String)>,
    pub sets: Vec<HwSet>,
    pub allowed: Vec<&'static str>,
    /// The fake's clock minus the real one, in seconds.
    pub skew: i64,
    /// Requests refused for their X-Sdk-Date.
    pub expired: usize,
    /// AK/SK failures in a row: five lock the key (Huawei: for five minutes).
    pub failures: usize,
    /// The smallest TTL the account's plan takes (DNS.0319 below it).
    pub min_ttl: u64,
    /// Every request that passed authentication: method, path, query.
    pub calls: Vec<Call>,
    /// Answer the next call of an action with (status, code, message) in a DNS error body.
    pub inject: Option<(&'static str, u16, String, String)>,
    /// Answer the next this many calls with the gateway's throttling error.
    pub throttle: usize,
    /// Match `name` by substring even with `search_mode=equal` (as the API did before it
    /// had the parameter).
    pub fuzzy_only: bool,
    next_id: u64,
}

pub const POLICY: [&str; 4] =
    ["dns:zone:list", "dns:recordset:list", "dns:recordset:create", "dns:recordset:update"];

#[derive(Clone)]
pub struct FakeHuawei {
    pub addr: SocketAddr,
    pub state: Arc<Mutex<State>>,
}

fn dns_err(status: u16, code: &str, message: &str) -> FakeResp {
    FakeResp::json(status, &json!({"code": code, "message": message}))
}

fn gw_err(status: u16, code: &str, message: &str) -> FakeResp {
    FakeResp::json(
        status,
        &json!({"error_code": code, "error_msg": message, "request_id": "0c8fb2a4c36f4e2a"}),
    )
}

/// Unix time of `20191115T033655Z` (days from the civil date, Howard Hinnant's algorithm).
fn parse_sdk_date(s: &str) -> Option<i64> {
    if s.len() != 16 || &s[8..9] != "T" || !s.ends_with('Z') {
        return None;
    }
    let n = |r: std::ops::Range<usize>| s.get(r)?.parse::<i64>().ok();
    let (y, m, d) = (n(0..4)?, n(4..6)?, n(6..8)?);
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    Some(days * 86_400 + n(9..11)? * 3600 + n(11..13)? * 60 + n(13..15)?)
}

impl FakeHuawei {
    pub async fn start(ak: &str, sk: &str, zones: &[&str]) -> FakeHuawei {
        // Zones of other names that a substring search for these would also find.
        let mut all = vec![("ff8080826b1a0d0e016b2a4c0d6e7f01".to_string(), "myexample.com.".to_string())];
        for (i, z) in zones.iter().enumerate() {
            all.push((format!("ff8080826b1a0d0e016b2a4c0d6e{:04x}", i + 2), format!("{z}.")));
        }
        all.push(("ff8080826b1a0d0e016b2a4c0d6effff".to_string(), "example.com.cn.".to_string()));
        let state = Arc::new(Mutex::new(State {
            ak: ak.into(),
            sk: sk.into(),
            zones: all,
            sets: Vec::new(),
            allowed: POLICY.to_vec(),
            skew: 0,
            expired: 0,
            failures: 0,
            min_ttl: 1,
            calls: Vec::new(),
            inject: None,
            throttle: 0,
            fuzzy_only: false,
            next_id: 0,
        }));
        let addr = serve_with_clock(state.clone(), |s| s.skew, handle).await;
        let fake = FakeHuawei { addr, state };
        // Every zone has its SOA and NS record sets.
        for z in zones {
            fake.add(
                z,
                "SOA",
                &["ns1.huaweicloud-dns.org. hostmaster.example.com. 1 7200 900 1209600 300"],
                300,
            );
            fake.add(z, "NS", &["ns1.huaweicloud-dns.org.", "ns1.huaweicloud-dns.net."], 172_800);
        }
        fake
    }

    /// Adds a record set named `fqdn` (without its final dot) to the zone it ends with.
    pub fn add(&self, fqdn: &str, rtype: &str, records: &[&str], ttl: u64) -> String {
        let mut st = self.state.lock().unwrap();
        let name = format!("{fqdn}.");
        let zone_id = st
            .zones
            .iter()
            .filter(|(_, z)| name == *z || name.ends_with(&format!(".{z}")))
            .max_by_key(|(_, z)| z.len())
            .map(|(id, _)| id.clone())
            .expect("a zone for the record set");
        let id = new_id(&mut st);
        let records = records.iter().map(|r| r.to_string()).collect();
        st.sets.push(HwSet {
            id: id.clone(),
            zone_id,
            name,
            rtype: rtype.into(),
            ttl,
            records,
            description: None,
        });
        id
    }

    /// The record sets of one name (without its final dot) and type.
    pub fn sets(&self, fqdn: &str, rtype: &str) -> Vec<HwSet> {
        let name = format!("{fqdn}.");
        self.state
            .lock()
            .unwrap()
            .sets
            .iter()
            .filter(|s| s.name == name && s.rtype == rtype)
            .cloned()
            .collect()
    }

    /// POSTs and PUTs that got past authentication.
    pub fn writes(&self) -> usize {
        self.state.lock().unwrap().calls.iter().filter(|(m, _, _)| m != "GET").count()
    }

    pub fn calls(&self) -> Vec<Call> {
        self.state.lock().unwrap().calls.clone()
    }

    pub fn fail_next(&self, action: &'static str, status: u16, code: &str, message: &str) {
        self.state.lock().unwrap().inject = Some((action, status, code.into(), message.into()));
    }
}

fn new_id(st: &mut State) -> String {
    st.next_id += 1;
    format!("8aace3ba6b0e4f6c016b{:012x}", st.next_id)
}

/// `SDK-HMAC-SHA256 Access=…, SignedHeaders=…, Signature=…` split into its three values.
fn parse_authorization(h: &str) -> Option<(&str, &str, &str)> {
    let rest = h.strip_prefix("SDK-HMAC-SHA256 ")?;
    let mut parts = rest.split(", ");
    let access = parts.next()?.strip_prefix("Access=")?;
    let signed = parts.next()?.strip_prefix("SignedHeaders=")?;
    let signature = parts.next()?.strip_prefix("Signature=")?;
    Some((access, signed, signature))
}

fn handle(st: &mut State, req: &FakeReq, fake_now: i64) -> FakeResp {
    let resp = authenticate(st, req, fake_now).unwrap_or_else(|| route(st, req));
    resp.with_header("x-request-id", &format!("hw-req-{}", st.calls.len()))
}

/// The API gateway's checks, in its order; `None` when the request may pass.
fn authenticate(st: &mut State, req: &FakeReq, fake_now: i64) -> Option<FakeResp> {
    const IAM: &str = "Incorrect IAM authentication information";
    let auth = req.header("authorization").unwrap_or("");
    let Some((access, signed, signature)) = parse_authorization(auth) else {
        return Some(gw_err(401, "APIGW.0301", &format!("{IAM}: Authorization format incorrect")));
    };
    if access != st.ak {
        return Some(gw_err(
            401,
            "APIGW.0301",
            &format!("{IAM}: Get secretKey failed,ak:{access},err:ak not exist"),
        ));
    }
    if st.failures >= 5 {
        return Some(gw_err(
            401,
            "APIGW.0301",
            &format!("{IAM}: AK access failed to reach the limit,forbidden"),
        ));
    }
    let names: Vec<&str> = signed.split(';').collect();
    let date = req.header("x-sdk-date").unwrap_or("");
    let Some(t) = parse_sdk_date(date).filter(|_| names.contains(&"host") && names.contains(&"x-sdk-date"))
    else {
        st.failures += 1;
        return Some(gw_err(401, "APIGW.0301", &format!("{IAM}: verify aksk signature fail")));
    };
    if (t - fake_now).abs() > 15 * 60 {
        st.expired += 1;
        let msg = format!(
            "{IAM}: calc aksk signature fail:signature expired, signature time:{date},server time:{}",
            sdk_date(fake_now)
        );
        return Some(gw_err(401, "APIGW.0301", &msg));
    }
    let headers: Vec<(&str, &str)> = names.iter().map(|n| (*n, req.header(n).unwrap_or(""))).collect();
    let pairs: Vec<(&str, &str)> = req.query.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let query = canonical_query(&pairs);
    let expected = authorization(access, &st.sk, &req.method, &req.path, &query, &headers, &req.body);
    if expected.rsplit("Signature=").next() != Some(signature) {
        st.failures += 1;
        return Some(gw_err(401, "APIGW.0301", &format!("{IAM}: verify aksk signature fail")));
    }
    st.failures = 0;
    if st.throttle > 0 {
        st.throttle -= 1;
        return Some(gw_err(
            429,
            "APIGW.0308",
            "The throttling threshold has been reached: policy user over ratelimit,limit:20,time:1 minute",
        ));
    }
    None
}

fn set_json(s: &HwSet, zone: &str, status: &str) -> Value {
    json!({"id": s.id, "name": s.name, "description": s.description, "zone_id": s.zone_id, "zone_name": zone,
           "type": s.rtype, "ttl": s.ttl, "records": s.records, "create_at": "2026-01-01T00:00:00.000",
           "update_at": "2026-01-01T00:00:00.000", "status": status, "default": s.rtype == "SOA" || s.rtype == "NS",
           "project_id": "05041fffa40025702f6dc009cc6f8f33",
           "links": {"self": format!("https://dns.myhuaweicloud.com/v2/zones/{}/recordsets/{}", s.zone_id, s.id)}})
}

/// What `name` finds: the exact name with `search_mode=equal`, else any name containing it.
fn name_matches(stored: &str, wanted: Option<&str>, equal: bool) -> bool {
    match wanted {
        None => true,
        Some(w) if equal => stored.eq_ignore_ascii_case(w),
        Some(w) => stored.to_ascii_lowercase().contains(&w.trim_end_matches('.').to_ascii_lowercase()),
    }
}

fn route(st: &mut State, req: &FakeReq) -> FakeResp {
    let segments: Vec<&str> = req.path.trim_start_matches('/').split('/').collect();
    let action = match (req.method.as_str(), segments.as_slice()) {
        ("GET", ["v2", "zones"]) => "dns:zone:list",
        ("GET", ["v2", "zones", _, "recordsets"]) => "dns:recordset:list",
        ("POST", ["v2", "zones", _, "recordsets"]) => "dns:recordset:create",
        ("PUT", ["v2", "zones", _, "recordsets", _]) => "dns:recordset:update",
        _ => {
            return gw_err(
                404,
                "APIGW.0101",
                "The API does not exist or has not been published in the environment",
            );
        }
    };
    if !st.allowed.contains(&action) {
        return dns_err(403, "DNS.0030", &format!("Policy doesn't allow {action} to be performed."));
    }
    st.calls.push((req.method.clone(), req.path.clone(), req.query.clone()));
    if st.inject.as_ref().is_some_and(|(a, ..)| *a == action) {
        let (_, status, code, message) = st.inject.take().unwrap();
        return dns_err(status, &code, &message);
    }
    let equal = req.param("search_mode") == Some("equal") && !st.fuzzy_only;
    if action == "dns:zone:list" {
        // Public zones are listed without a type or with type=public.
        let public = req.param("type").is_none_or(|t| t == "public");
        let zones: Vec<Value> = st
            .zones
            .iter()
            .filter(|(_, z)| public && name_matches(z, req.param("name"), equal))
            .map(|(id, z)| {
                json!({"id": id, "name": z, "description": null, "email": format!("hostmaster@{z}"), "ttl": 300,
                       "serial": 1, "status": "ACTIVE", "zone_type": "public", "record_num": 2,
                       "pool_id": "00000000570e54ee01570e9939b20019", "project_id": "05041fffa40025702f6dc009cc6f8f33",
                       "created_at": "2026-01-01T00:00:00.000", "updated_at": null, "masters": [],
                       "links": {"self": format!("https://dns.myhuaweicloud.com/v2/zones/{id}")}})
            })
            .collect();
        return FakeResp::json(
            200,
            &json!({"links": {"self": "https://dns.myhuaweicloud.com/v2/zones"}, "zones": zones,
                   "metadata": {"total_count": zones.len()}}),
        );
    }
    let zone_id = segments[2];
    let Some(zone) = st.zones.iter().find(|(id, _)| id == zone_id).map(|(_, z)| z.clone()) else {
        return dns_err(404, "DNS.0302", "This zone does not exist.");
    };
    match action {
        "dns:recordset:list" => {
            let sets: Vec<Value> = st
                .sets
                .iter()
                .filter(|s| s.zone_id == zone_id && name_matches(&s.name, req.param("name"), equal))
                .filter(|s| req.param("type").is_none_or(|t| t == s.rtype))
                .map(|s| set_json(s, &zone, "ACTIVE"))
                .collect();
            FakeResp::json(
                200,
                &json!({"links": {"self": "https://dns.myhuaweicloud.com/v2/zones/x/recordsets"}, "recordsets": sets,
                       "metadata": {"total_count": sets.len()}}),
            )
        }
        "dns:recordset:create" => {
            let body = req.json();
            let s = |k: &str| body[k].as_str().unwrap_or("").to_string();
            let (name, rtype) = (s("name"), s("type"));
            if !(name == zone || name.ends_with(&format!(".{zone}"))) {
                return dns_err(400, "DNS.0304", "Invalid record set name.");
            }
            if let Some(refusal) = check(st, &body, &rtype) {
                return refusal;
            }
            if st
                .sets
                .iter()
                .any(|x| x.zone_id == zone_id && x.name.eq_ignore_ascii_case(&name) && x.rtype == rtype)
            {
                return dns_err(400, "DNS.0312", "This record set already exists.");
            }
            let set = HwSet {
                id: new_id(st),
                zone_id: zone_id.into(),
                name,
                rtype,
                ttl: body["ttl"].as_u64().unwrap_or(300),
                records: values(&body),
                description: body["description"].as_str().map(String::from),
            };
            let answer = set_json(&set, &zone, "PENDING_CREATE");
            st.sets.push(set);
            FakeResp::json(202, &answer)
        }
        _ => {
            let body = req.json();
            let Some(i) = st.sets.iter().position(|x| x.zone_id == zone_id && x.id == segments[4]) else {
                return dns_err(404, "DNS.0313", "This record set does not exist.");
            };
            let set = st.sets[i].clone();
            if body["name"].as_str().is_some_and(|n| !n.eq_ignore_ascii_case(&set.name)) {
                return dns_err(400, "DNS.0304", "Invalid record set name.");
            }
            if body["type"].as_str().is_some_and(|t| t != set.rtype) {
                return dns_err(400, "DNS.0307", "Invalid record set type.");
            }
            if let Some(refusal) = check(st, &body, &set.rtype) {
                return refusal;
            }
            let set = &mut st.sets[i];
            set.records = values(&body);
            if let Some(t) = body["ttl"].as_u64() {
                set.ttl = t;
            }
            if let Some(d) = body["description"].as_str() {
                set.description = Some(d.into());
            }
            let answer = set_json(set, &zone, "PENDING_UPDATE");
            FakeResp::json(202, &answer)
        }
    }
}

fn values(body: &Value) -> Vec<String> {
    body["records"].as_array().into_iter().flatten().filter_map(|v| v.as_str().map(String::from)).collect()
}

/// The value, TTL and description rules of a create or an update.
fn check(st: &State, body: &Value, rtype: &str) -> Option<FakeResp> {
    let records = values(body);
    if records.is_empty() {
        return Some(dns_err(400, "DNS.0308", "Attribute 'records' is invalid, records is null or empty."));
    }
    if body["description"].as_str().is_some_and(|d| d.chars().count() > 255) {
        return Some(dns_err(
            400,
            "DNS.0305",
            "Invalid record set description. The description can contain a maximum of 255 characters.",
        ));
    }
    if let Some(t) = body.get("ttl").filter(|t| !t.is_null()) {
        if !t.as_u64().is_some_and(|t| (st.min_ttl..=2_147_483_647).contains(&t)) {
            return Some(dns_err(
                400,
                "DNS.0319",
                &format!(
                    "The TTL parameter has been out of range. The value ranges from {} to 2147483647.",
                    st.min_ttl
                ),
            ));
        }
    }
    let valid = |r: &String| match rtype {
        "A" => r.parse::<std::net::Ipv4Addr>().is_ok(),
        "AAAA" => r.parse::<std::net::Ipv6Addr>().is_ok(),
        "CNAME" => records.len() == 1 && !r.is_empty() && !r.contains(' '),
        "TXT" => quoted_strings(r),
        _ => true,
    };
    if !records.iter().all(valid) {
        return Some(dns_err(400, "DNS.0308", "Invalid record set value."));
    }
    None
}

/// One or more `"…"` strings separated by spaces, `\"` and `\\` escaped, each at most 255
/// bytes of text.
fn quoted_strings(r: &str) -> bool {
    let mut rest = r.as_bytes();
    loop {
        let Some(after) = rest.strip_prefix(b"\"") else { return false };
        let (mut i, mut len) = (0, 0);
        loop {
            match after.get(i) {
                None => return false,
                Some(b'"') => break,
                Some(b'\\') => i += 2,
                Some(_) => i += 1,
            }
            len += 1;
        }
        if len > 255 {
            return false;
        }
        rest = &after[i + 1..];
        if rest.is_empty() {
            return true;
        }
        let Some(next) = rest.strip_prefix(b" ") else { return false };
        rest = next;
    }
}
