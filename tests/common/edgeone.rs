//! A fake Tencent EdgeOne API (teo 2022-09-01) on loopback that checks what the real one
//! checks: the TC3-HMAC-SHA256 signature with service `teo` over content-type and host, the
//! timestamp within 5 minutes of its own clock (which a test may shift), the version, a CAM
//! policy of allowed actions, unknown parameters, and 20 calls a second per action
//! (`RequestLimitExceeded`). Every error is HTTP 200 with `Response.Error`. It reproduces the
//! quirks: one name can be two sites (CNAME access `partial`, NS access `full`) and only the
//! NS-access one holds DNS records; `zone-name` and record `name` filters are exact only with
//! `Fuzzy: false`; record ids are strings; the apex's `Name` is the zone name; an empty list is
//! no error; ModifyDnsRecords resets a record's `Location` to `Default` when an entry leaves it
//! out and ignores `Status`; TTL 60–86400; names must be Punycode.

use std::collections::{HashMap, VecDeque};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use super::fake::{FakeReq, FakeResp, now, serve_with_clock};
use super::tc3::authenticate;

#[derive(Clone, Debug, PartialEq)]
pub struct Site {
    pub id: String,
    pub name: String,
    /// `full` (NS access), `partial` (CNAME access), `dnsPodAccess`, …
    pub access: String,
    /// `active`, `pending`, `moved`, …
    pub status: String,
}

#[derive(Clone, Debug, PartialEq)]
pub struct EoRecord {
    pub id: String,
    pub zone_id: String,
    pub name: String,
    pub rtype: String,
    pub content: String,
    pub location: String,
    pub ttl: i64,
    /// -1: no weight.
    pub weight: i64,
    /// `enable` or `disable`.
    pub status: String,
}

pub struct State {
    pub secret_id: String,
    pub secret_key: String,
    pub sites: Vec<Site>,
    pub records: Vec<EoRecord>,
    pub allowed: Vec<&'static str>,
    pub skew: i64,
    /// Calls per action allowed within any one second.
    pub rate: usize,
    calls: HashMap<String, VecDeque<Instant>>,
    /// Every call past the signature and policy checks: (action, body).
    pub actions: Vec<(String, Value)>,
    pub expired: usize,
    /// Answer the next call of an action with this error: (action, code, message).
    pub inject: Option<(String, String, String)>,
    next_id: u64,
}

pub const POLICY: [&str; 4] = ["DescribeZones", "DescribeDnsRecords", "CreateDnsRecord", "ModifyDnsRecords"];
/// The resolution lines the fake knows (a few of EdgeOne's codes).
pub const LOCATIONS: [&str; 4] = ["Default", "CN.BJ", "CN.FJ", "CN.GD"];
const TYPES: [&str; 8] = ["A", "AAAA", "CNAME", "TXT", "MX", "NS", "CAA", "SRV"];

#[derive(Clone)]
pub struct FakeEdgeOne {
    pub addr: SocketAddr,
    pub state: Arc<Mutex<State>>,
}

fn reply(mut v: Value) -> FakeResp {
    v["RequestId"] = json!(format!("eo-req-{}", now()));
    FakeResp::json(200, &json!({ "Response": v }))
}

fn err(code: &str, message: &str) -> FakeResp {
    reply(json!({"Error": {"Code": code, "Message": message}}))
}

/// `prefix` and 12 lower-case base-36 characters, like `record-225rcy8bw85g`.
fn new_id(st: &mut State, prefix: &str) -> String {
    st.next_id += 1;
    let mut n = st.next_id.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    let mut out = String::new();
    for _ in 0..12 {
        out.push(char::from_digit((n % 36) as u32, 36).unwrap());
        n /= 36;
    }
    format!("{prefix}-{out}")
}

impl FakeEdgeOne {
    pub async fn start(secret_id: &str, secret_key: &str) -> FakeEdgeOne {
        let state = Arc::new(Mutex::new(State {
            secret_id: secret_id.into(),
            secret_key: secret_key.into(),
            sites: Vec::new(),
            records: Vec::new(),
            allowed: POLICY.to_vec(),
            skew: 0,
            rate: 20,
            calls: HashMap::new(),
            actions: Vec::new(),
            expired: 0,
            inject: None,
            next_id: 0,
        }));
        let addr = serve_with_clock(state.clone(), |s| s.skew, handle).await;
        FakeEdgeOne { addr, state }
    }

    /// Adds a site; its id.
    pub fn add_site(&self, name: &str, access: &str, status: &str) -> String {
        let mut st = self.state.lock().unwrap();
        let id = new_id(&mut st, "zone");
        st.sites.push(Site {
            id: id.clone(),
            name: name.into(),
            access: access.into(),
            status: status.into(),
        });
        id
    }

    /// Adds a record as the console would (Default line, no weight, enabled); its id.
    pub fn add(&self, zone_id: &str, name: &str, rtype: &str, content: &str, ttl: i64) -> String {
        let mut st = self.state.lock().unwrap();
        let id = new_id(&mut st, "record");
        st.records.push(EoRecord {
            id: id.clone(),
            zone_id: zone_id.into(),
            name: name.into(),
            rtype: rtype.into(),
            content: content.into(),
            location: "Default".into(),
            ttl,
            weight: -1,
            status: "enable".into(),
        });
        id
    }

    /// Changes a stored record as its owner could in the console.
    pub fn edit(&self, id: &str, f: impl FnOnce(&mut EoRecord)) {
        f(self.state.lock().unwrap().records.iter_mut().find(|r| r.id == id).unwrap());
    }

    pub fn records(&self) -> Vec<EoRecord> {
        self.state.lock().unwrap().records.clone()
    }

    pub fn record(&self, id: &str) -> EoRecord {
        self.records().into_iter().find(|r| r.id == id).unwrap()
    }

    /// Answers the next call of `action` with the error `code` (HTTP 200, as the API does).
    pub fn fail_next(&self, action: &str, code: &str, message: &str) {
        self.state.lock().unwrap().inject = Some((action.into(), code.into(), message.into()));
    }

    pub fn action_names(&self) -> Vec<String> {
        self.state.lock().unwrap().actions.iter().map(|(a, _)| a.clone()).collect()
    }

    /// Forgets the calls counted against the rate limit, as if a second had passed: a test
    /// makes more calls a second than any router does.
    pub fn next_second(&self) {
        self.state.lock().unwrap().calls.clear();
    }

    /// CreateDnsRecord and ModifyDnsRecords calls so far.
    pub fn writes(&self) -> usize {
        self.action_names().iter().filter(|a| a.starts_with("Create") || a.starts_with("Modify")).count()
    }

    /// The bodies of every call of `action`, oldest first.
    pub fn bodies(&self, action: &str) -> Vec<Value> {
        let st = self.state.lock().unwrap();
        st.actions.iter().filter(|(a, _)| a == action).map(|(_, b)| b.clone()).collect()
    }

    pub fn last_body(&self, action: &str) -> Value {
        self.bodies(action).pop().unwrap_or_else(|| panic!("no {action} call"))
    }
}

/// The top-level parameters each action takes (anything else is `UnknownParameter`).
fn known_params(action: &str) -> &'static [&'static str] {
    match action {
        "DescribeZones" => &["Offset", "Limit", "Filters", "Order", "Direction"],
        "DescribeDnsRecords" => &["ZoneId", "Offset", "Limit", "Filters", "SortBy", "SortOrder", "Match"],
        "CreateDnsRecord" => &["ZoneId", "Name", "Type", "Content", "Location", "TTL", "Weight", "Priority"],
        "ModifyDnsRecords" => &["ZoneId", "DnsRecords"],
        _ => &[],
    }
}

const DNS_RECORD_FIELDS: [&str; 12] = [
    "ZoneId",
    "RecordId",
    "Name",
    "Type",
    "Location",
    "Content",
    "TTL",
    "Weight",
    "Priority",
    "Status",
    "CreatedOn",
    "ModifiedOn",
];

fn unknown(obj: &Value, known: &[&str]) -> Option<String> {
    obj.as_object()?.keys().find(|k| !known.contains(&k.as_str())).cloned()
}

/// Whether `value` passes a filter `{Name, Values, Fuzzy}` on the field it names: exact
/// (case-insensitive) unless `Fuzzy` is true, then a substring.
fn passes(filter: &Value, value: &str) -> bool {
    let fuzzy = filter["Fuzzy"].as_bool().unwrap_or(false);
    let value = value.to_ascii_lowercase();
    filter["Values"].as_array().into_iter().flatten().filter_map(Value::as_str).any(|v| {
        let v = v.to_ascii_lowercase();
        if fuzzy { value.contains(&v) } else { value == v }
    })
}

fn handle(st: &mut State, req: &FakeReq, fake_now: i64) -> FakeResp {
    let keys = (st.secret_id.as_str(), st.secret_key.as_str());
    let action = match authenticate(req, keys, ("teo", "2022-09-01"), fake_now, &mut st.expired) {
        Ok(action) => action,
        Err((code, message)) => return err(code, &message),
    };
    if !POLICY.contains(&action.as_str()) {
        return err("InvalidAction", &format!("The action `{action}` does not exist."));
    }
    if !st.allowed.contains(&action.as_str()) {
        return err(
            "UnauthorizedOperation.NoPermission",
            &format!("子账户没有操作权限，请添加权限后继续操作。(teo:{action})"),
        );
    }
    let window = st.calls.entry(action.clone()).or_default();
    window.retain(|at| at.elapsed() < Duration::from_secs(1));
    if window.len() >= st.rate {
        return err("RequestLimitExceeded", "Your current request times equals to `20` in a second.");
    }
    window.push_back(Instant::now());
    let body = req.json();
    if let Some(k) = unknown(&body, known_params(&action)) {
        return err("UnknownParameter", &format!("The parameter `{k}` is not recognized."));
    }
    st.actions.push((action.clone(), body.clone()));
    if st.inject.as_ref().is_some_and(|(a, _, _)| *a == action) {
        let (_, code, message) = st.inject.take().unwrap();
        return err(&code, &message);
    }
    match action.as_str() {
        "DescribeZones" => describe_zones(st, &body),
        "DescribeDnsRecords" => describe_records(st, &body),
        "CreateDnsRecord" => create(st, &body),
        _ => modify(st, &body),
    }
}

fn describe_zones(st: &State, body: &Value) -> FakeResp {
    let limit = body["Limit"].as_u64().unwrap_or(20);
    if limit > 100 {
        return err("InvalidParameterValue", "Limit 取值范围 0~100。");
    }
    let offset = body["Offset"].as_u64().unwrap_or(0) as usize;
    let filters = body["Filters"].as_array().cloned().unwrap_or_default();
    let matching: Vec<&Site> = st
        .sites
        .iter()
        .filter(|s| {
            filters.iter().all(|f| match f["Name"].as_str() {
                Some("zone-name") => passes(f, &s.name),
                Some("zone-type") => passes(f, &s.access),
                Some("zone-id") => passes(f, &s.id),
                Some("status") => passes(f, &s.status),
                _ => true,
            })
        })
        .collect();
    let zones: Vec<Value> = matching
        .iter()
        .skip(offset)
        .take(limit as usize)
        .map(|s| {
            let full = s.access == "full";
            json!({"ZoneId": s.id, "ZoneName": s.name, "AliasZoneName": "", "Area": "global", "Type": s.access,
                   "Status": s.status, "ActiveStatus": "active", "CnameStatus": "finished", "LockStatus": "enable",
                   "Paused": false, "IsFake": 0, "Tags": [], "Resources": [{"Id": "edgeone-2unuvzjmmn2q", "PayMode": 0}],
                   "NSDetail": if full { json!({"NameServers": ["a.eo.dnse1.com", "b.eo.dnse1.com"]}) } else { Value::Null },
                   "CNAMEDetail": if full { Value::Null } else { json!({"IdentificationStatus": "finished"}) },
                   "CreatedOn": "2025-01-01T00:00:00Z", "ModifiedOn": "2025-01-01T00:00:00Z"})
        })
        .collect();
    reply(json!({"TotalCount": matching.len(), "Zones": zones}))
}

/// The zone a DNS-record call names, if it may hold records.
fn zone_of<'s>(st: &'s State, body: &Value) -> Result<&'s Site, FakeResp> {
    let Some(zid) = body["ZoneId"].as_str() else {
        return Err(err("MissingParameter", "The request is missing a required parameter `ZoneId`."));
    };
    let Some(site) = st.sites.iter().find(|s| s.id == zid) else {
        return Err(err("InvalidParameter.ZoneNotFound", "站点不存在。"));
    };
    if site.access != "full" {
        return Err(err("OperationDenied", "站点为 NS 模式接入时才支持 DNS 记录。"));
    }
    Ok(site)
}

fn record_json(r: &EoRecord) -> Value {
    json!({"ZoneId": r.zone_id, "RecordId": r.id, "Name": r.name, "Type": r.rtype, "Location": r.location,
           "Content": r.content, "TTL": r.ttl, "Weight": r.weight, "Priority": 0, "Status": r.status,
           "CreatedOn": "2025-01-01T00:00:00Z", "ModifiedOn": "2025-01-01T00:00:00Z"})
}

fn describe_records(st: &State, body: &Value) -> FakeResp {
    let site = match zone_of(st, body) {
        Ok(s) => s,
        Err(e) => return e,
    };
    let limit = body["Limit"].as_u64().unwrap_or(20);
    if limit > 1000 {
        return err("InvalidParameterValue", "Limit 取值范围 0~1000。");
    }
    let offset = body["Offset"].as_u64().unwrap_or(0) as usize;
    let filters = body["Filters"].as_array().cloned().unwrap_or_default();
    let any = body["Match"] == "any";
    let hit = |r: &EoRecord, f: &Value| match f["Name"].as_str() {
        Some("name") => passes(f, &r.name),
        // `type` and `ttl` take no fuzzy match.
        Some("type") => passes(&json!({"Values": f["Values"]}), &r.rtype),
        Some("content") => passes(f, &r.content),
        Some("id") => passes(f, &r.id),
        _ => true,
    };
    let matching: Vec<&EoRecord> = st
        .records
        .iter()
        .filter(|r| r.zone_id == site.id)
        .filter(|r| {
            filters.is_empty()
                || if any { filters.iter().any(|f| hit(r, f)) } else { filters.iter().all(|f| hit(r, f)) }
        })
        .collect();
    let list: Vec<Value> =
        matching.iter().skip(offset).take(limit as usize).map(|r| record_json(r)).collect();
    reply(json!({"TotalCount": matching.len(), "DnsRecords": list}))
}

/// Checks a record as it would be stored; the error to answer when it is refused.
fn check(st: &State, site: &Site, r: &EoRecord) -> Result<(), FakeResp> {
    let zone = site.name.to_ascii_lowercase();
    let name = r.name.to_ascii_lowercase();
    if !name.is_ascii() || (name != zone && !name.ends_with(&format!(".{zone}"))) {
        return Err(err("InvalidParameterValue.InvalidDNSName", "DNS 记录名称错误。"));
    }
    if !TYPES.contains(&r.rtype.as_str()) {
        return Err(err("InvalidParameterValue", "Type 取值不在枚举范围内。"));
    }
    let content_ok = match r.rtype.as_str() {
        "A" => r.content.parse::<std::net::Ipv4Addr>().is_ok(),
        "AAAA" => r.content.parse::<std::net::Ipv6Addr>().is_ok(),
        _ => !r.content.is_empty(),
    };
    if !content_ok {
        return Err(err("InvalidParameterValue.InvalidDNSContent", "DNS 记录内容错误。"));
    }
    if r.rtype == "CNAME" && r.content.trim_end_matches('.').eq_ignore_ascii_case(&r.name) {
        return Err(err("InvalidParameterValue.ContentSameAsName", "记录内容不能与记录名相同。"));
    }
    if !(60..=86400).contains(&r.ttl) {
        return Err(err("InvalidParameterValue", "TTL 取值范围 60~86400。"));
    }
    if !LOCATIONS.contains(&r.location.as_str())
        || (r.location != "Default" && !["A", "AAAA", "CNAME"].contains(&r.rtype.as_str()))
    {
        return Err(err("InvalidParameterValue", "Location 取值不在枚举范围内。"));
    }
    if !(-1..=100).contains(&r.weight) {
        return Err(err("InvalidParameterValue", "Weight 取值范围 -1~100。"));
    }
    let clash = st
        .records
        .iter()
        .filter(|o| o.id != r.id && o.zone_id == r.zone_id && o.name.eq_ignore_ascii_case(&r.name));
    for o in clash {
        let same = o.rtype == r.rtype && o.content == r.content && o.location == r.location;
        if same || (o.rtype == "CNAME") != (r.rtype == "CNAME") {
            return Err(err("InvalidParameterValue.ConflictRecord", "与已经添加的记录冲突。"));
        }
    }
    Ok(())
}

fn create(st: &mut State, body: &Value) -> FakeResp {
    let site = match zone_of(st, body) {
        Ok(s) => s.clone(),
        Err(e) => return e,
    };
    let s = |k: &str| body[k].as_str().map(String::from);
    let (Some(name), Some(rtype), Some(content)) = (s("Name"), s("Type"), s("Content")) else {
        return err("MissingParameter", "The request is missing a required parameter.");
    };
    let mut rec = EoRecord {
        id: String::new(),
        zone_id: site.id.clone(),
        name,
        rtype,
        content,
        // "不指定默认为 Default", "默认为 300", weight -1.
        location: s("Location").unwrap_or_else(|| "Default".into()),
        ttl: body["TTL"].as_i64().unwrap_or(300),
        weight: body["Weight"].as_i64().unwrap_or(-1),
        status: "enable".into(),
    };
    if let Err(e) = check(st, &site, &rec) {
        return e;
    }
    rec.id = new_id(st, "record");
    let id = rec.id.clone();
    st.records.push(rec);
    reply(json!({"RecordId": id}))
}

fn modify(st: &mut State, body: &Value) -> FakeResp {
    let site = match zone_of(st, body) {
        Ok(s) => s.clone(),
        Err(e) => return e,
    };
    let entries = body["DnsRecords"].as_array().cloned().unwrap_or_default();
    if entries.is_empty() {
        return err("MissingParameter", "The request is missing a required parameter `DnsRecords`.");
    }
    if entries.len() > 100 {
        return err("InvalidParameterValue", "一次最多修改 100 条记录。");
    }
    // All or nothing: every entry is checked before any is applied.
    let mut updated = Vec::new();
    for e in &entries {
        if let Some(k) = unknown(e, &DNS_RECORD_FIELDS) {
            return err("UnknownParameter", &format!("The parameter `DnsRecords.{k}` is not recognized."));
        }
        let rid = e["RecordId"].as_str().unwrap_or("");
        let Some(old) = st.records.iter().find(|r| r.id == rid && r.zone_id == site.id) else {
            return err("ResourceNotFound", "资源不存在。");
        };
        let s = |k: &str, keep: &str| e[k].as_str().unwrap_or(keep).to_string();
        let rec = EoRecord {
            name: s("Name", &old.name),
            rtype: s("Type", &old.rtype),
            content: s("Content", &old.content),
            // "DNS 记录解析线路，不指定默认为 Default": an entry without it moves the record.
            location: s("Location", "Default"),
            ttl: e["TTL"].as_i64().unwrap_or(old.ttl),
            weight: e["Weight"].as_i64().unwrap_or(old.weight),
            // Status, ZoneId, CreatedOn and ModifiedOn are output only: ignored here.
            ..old.clone()
        };
        if let Err(resp) = check(st, &site, &rec) {
            return resp;
        }
        updated.push(rec);
    }
    for rec in updated {
        let slot = st.records.iter_mut().find(|r| r.id == rec.id).unwrap();
        *slot = rec;
    }
    reply(json!({}))
}
