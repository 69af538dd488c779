//! A fake Alibaba Cloud ESA RPC API (2024-09-10) on loopback that checks what the real one
//! checks, in its order: the HTTP method each action takes (GET for the lists, POST with an
//! empty body for the writes, else `UnsupportedHTTPMethod`), then what the API gateway checks
//! for the Alidns fake too (`aliyun::pop_refusal`: the common parameters, a known AccessKeyId,
//! the v1 HMAC-SHA1 signature over the method received, the timestamp within 15 minutes of its
//! own clock, which a test may shift, nonces never reused), and a RAM policy of allowed actions
//! (`NoPermission`, 403). Errors are `{RequestId, HostId, Code, Message,
//! Recommend}` with the gateway's HTTP statuses; answers carry a `Date` header.
//!
//! It reproduces ESA's records: sites in NS or CNAME access (a CNAME-access site takes only
//! proxied A/AAAA and CNAME records), a `moved` twin; one `A/AAAA` record per name whose
//! `Data.Value` is a comma list of both families (≤ 8 IPv4, ≤ 4 IPv6; `Type=A` is
//! `Record.UnsupportedType`); `Data` a JSON string parameter on writes and an object in
//! listings; `Ttl` required on create, 1 or 30–86400; comments of at most 100 characters;
//! exact or fuzzy name matching and paging (a page size capped to force several pages);
//! UpdateRecord keeping the TTL, comment, `Proxied` and `BizName` it is not sent and answering
//! without a `RecordId`.

use std::collections::HashSet;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{Value, json};

use super::aliyun::pop_refusal;
use super::fake::{FakeReq, FakeResp, serve_with_clock};

#[derive(Clone, Debug, PartialEq)]
pub struct EsaSite {
    pub id: u64,
    pub name: String,
    /// `NS` or `CNAME`.
    pub access: String,
    /// `active`, `pending`, `offline` or `moved`.
    pub status: String,
}

#[derive(Clone, Debug, PartialEq)]
pub struct EsaRecord {
    pub id: u64,
    pub site_id: u64,
    /// The full name, lower case.
    pub name: String,
    pub rtype: String,
    pub value: String,
    pub ttl: u64,
    pub comment: Option<String>,
    pub proxied: bool,
    pub biz: Option<String>,
}

pub struct State {
    pub key_id: String,
    pub secret: String,
    pub sites: Vec<EsaSite>,
    pub records: Vec<EsaRecord>,
    pub allowed: Vec<&'static str>,
    /// The fake's clock minus the real one, in seconds.
    pub skew: i64,
    pub nonces: HashSet<String>,
    /// Every accepted action, with its parameters.
    pub actions: Vec<(String, Vec<(String, String)>)>,
    /// Requests refused for the clock.
    pub expired: usize,
    /// The most records a page holds, whatever PageSize asks.
    pub page_cap: usize,
    /// Answers for the next calls of an action: (action, HTTP status, code, message).
    pub inject: Vec<(String, u16, String, String)>,
    /// How long a ListRecords answer takes (its content is read when the call arrives).
    pub list_delay: Duration,
    next_id: u64,
}

pub const POLICY: [&str; 4] = ["ListSites", "ListRecords", "CreateRecord", "UpdateRecord"];
pub const HOST_ID: &str = "esa.cn-hangzhou.aliyuncs.com";

#[derive(Clone)]
pub struct FakeEsa {
    pub addr: SocketAddr,
    pub state: Arc<Mutex<State>>,
}

fn err(status: u16, code: &str, message: &str) -> FakeResp {
    FakeResp::json(
        status,
        &json!({"RequestId": format!("ERR-{}", req_id()), "HostId": HOST_ID, "Code": code, "Message": message,
                "Recommend": format!("https://api.aliyun.com/troubleshoot?q={code}&product=ESA")}),
    )
}

fn bad(code: &str, message: &str) -> FakeResp {
    err(400, code, message)
}

fn req_id() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(1);
    N.fetch_add(1, Ordering::Relaxed)
}

/// The method ESA's SDK uses for an action; `None`: no such action.
fn method_of(action: &str) -> Option<&'static str> {
    match action {
        "ListSites" | "ListRecords" | "GetRecord" => Some("GET"),
        "CreateRecord" | "UpdateRecord" | "DeleteRecord" => Some("POST"),
        _ => None,
    }
}

impl FakeEsa {
    /// A fake with one active NS-access site per name.
    pub async fn start(key_id: &str, secret: &str, sites: &[&str]) -> FakeEsa {
        let state = Arc::new(Mutex::new(State {
            key_id: key_id.into(),
            secret: secret.into(),
            sites: Vec::new(),
            records: Vec::new(),
            allowed: POLICY.to_vec(),
            skew: 0,
            nonces: HashSet::new(),
            actions: Vec::new(),
            expired: 0,
            page_cap: 2,
            inject: Vec::new(),
            list_delay: Duration::ZERO,
            next_id: 3_227_405_728_754_000,
        }));
        let addr = serve_with_clock(state.clone(), |s| s.skew, handle).await;
        let fake = FakeEsa { addr, state };
        for name in sites {
            fake.add_site(name, "NS", "active");
        }
        fake
    }

    fn next_id(&self) -> u64 {
        let mut st = self.state.lock().unwrap();
        st.next_id += 1;
        st.next_id
    }

    pub fn add_site(&self, name: &str, access: &str, status: &str) -> u64 {
        let id = self.next_id();
        let site = EsaSite { id, name: name.into(), access: access.into(), status: status.into() };
        self.state.lock().unwrap().sites.push(site);
        id
    }

    /// A record on the site named `site` (not a moved twin), as the console would make it.
    pub fn add(&self, site: &str, name: &str, rtype: &str, value: &str, ttl: u64) -> u64 {
        let id = self.next_id();
        let mut st = self.state.lock().unwrap();
        let site_id = st.sites.iter().find(|s| s.name == site && s.status != "moved").unwrap().id;
        st.records.push(EsaRecord {
            id,
            site_id,
            name: name.to_ascii_lowercase(),
            rtype: rtype.into(),
            value: value.into(),
            ttl,
            comment: None,
            proxied: false,
            biz: None,
        });
        id
    }

    /// Proxies a record for a business scenario, as the console can.
    pub fn proxy(&self, id: u64, biz: &str) {
        let mut st = self.state.lock().unwrap();
        let r = st.records.iter_mut().find(|r| r.id == id).unwrap();
        (r.proxied, r.biz) = (true, Some(biz.into()));
    }

    pub fn record(&self, id: u64) -> EsaRecord {
        self.state.lock().unwrap().records.iter().find(|r| r.id == id).unwrap().clone()
    }

    pub fn records(&self) -> Vec<EsaRecord> {
        self.state.lock().unwrap().records.clone()
    }

    /// Answers the next call of `action` with this error.
    pub fn fail_next(&self, action: &str, status: u16, code: &str, message: &str) {
        self.state.lock().unwrap().inject.push((action.into(), status, code.into(), message.into()));
    }

    /// The parameters of every accepted call of `action`.
    pub fn calls_of(&self, action: &str) -> Vec<Vec<(String, String)>> {
        let st = self.state.lock().unwrap();
        st.actions.iter().filter(|(a, _)| a == action).map(|(_, p)| p.clone()).collect()
    }

    pub fn action_names(&self) -> Vec<String> {
        self.state.lock().unwrap().actions.iter().map(|(a, _)| a.clone()).collect()
    }

    /// Accepted CreateRecord and UpdateRecord calls.
    pub fn writes(&self) -> usize {
        self.action_names().iter().filter(|a| *a == "CreateRecord" || *a == "UpdateRecord").count()
    }

    pub fn clear_actions(&self) {
        self.state.lock().unwrap().actions.clear();
    }
}

/// The value of one parameter in a call's list.
pub fn param<'a>(call: &'a [(String, String)], name: &str) -> Option<&'a str> {
    call.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
}

fn handle(st: &mut State, req: &FakeReq, fake_now: i64) -> FakeResp {
    let p = |name: &str| req.param(name).unwrap_or("").to_string();
    let action = p("Action");
    let Some(method) = method_of(&action) else {
        return err(
            404,
            "InvalidAction.NotFound",
            "Specified api is not found, please check your url and method.",
        );
    };
    if req.method != method {
        return bad("UnsupportedHTTPMethod", "This http method is not supported.");
    }
    if !req.body.is_empty() {
        return bad("IllegalBodyContentFormat", "The body content format is illegal.");
    }
    if let Some((status, code, message)) =
        pop_refusal(req, "2024-09-10", (&st.key_id, &st.secret), &mut st.nonces, fake_now)
    {
        st.expired += usize::from(code == "InvalidTimeStamp.Expired");
        return err(status, code, &message);
    }
    if !st.allowed.contains(&action.as_str()) {
        return err(
            403,
            "NoPermission",
            &format!(
                "You are not authorized to do this action. Resource: acs:esa:*:1234567890123456:site/* Action: esa:{action}"
            ),
        );
    }
    st.actions.push((action.clone(), req.query.clone()));
    if let Some(at) = st.inject.iter().position(|(a, ..)| *a == action) {
        let (_, status, code, message) = st.inject.remove(at);
        return err(status, &code, &message);
    }
    let answer = match action.as_str() {
        "ListSites" => list_sites(st, &p),
        "ListRecords" => list_records(st, &p),
        "CreateRecord" => create(st, &p),
        "UpdateRecord" => update(st, &p),
        _ => Err(bad("InvalidAction.NotFound", "Specified api is not found.")),
    };
    match answer {
        Ok(mut v) => {
            v["RequestId"] = json!(format!("REQ-{}", req_id()));
            let mut resp = FakeResp::json(200, &v);
            if action == "ListRecords" {
                resp.delay = st.list_delay;
            }
            resp
        }
        Err(e) => e,
    }
}

type Answer = Result<Value, FakeResp>;

/// `exact` (the default), `prefix`, `suffix` or `fuzzy`, case-insensitive.
fn matches(kind: &str, have: &str, asked: &str) -> bool {
    let (have, asked) = (have.to_ascii_lowercase(), asked.to_ascii_lowercase());
    match kind {
        "fuzzy" => have.contains(&asked),
        "prefix" => have.starts_with(&asked),
        "suffix" => have.ends_with(&asked),
        _ => have == asked,
    }
}

/// PageNumber and PageSize (1–500, then the fake's cap).
fn paging(st: &State, p: &dyn Fn(&str) -> String) -> (usize, usize) {
    let size = p("PageSize").parse::<usize>().unwrap_or(500).clamp(1, 500).min(st.page_cap);
    (p("PageNumber").parse::<usize>().unwrap_or(1).max(1), size)
}

fn list_sites(st: &State, p: &dyn Fn(&str) -> String) -> Answer {
    let name = p("SiteName");
    let found: Vec<&EsaSite> = st
        .sites
        .iter()
        .filter(|s| name.is_empty() || matches(&p("SiteSearchType"), &s.name, &name))
        .collect();
    let (page, size) = paging(st, p);
    let sites: Vec<Value> = found
        .iter()
        .skip((page - 1) * size)
        .take(size)
        .map(|s| {
            json!({"SiteId": s.id, "SiteName": s.name, "AccessType": s.access, "Status": s.status,
                   "Coverage": "domestic", "NameServerList": "ns1.example-esa.com,ns2.example-esa.com",
                   "CnameZone": format!("{}.cname-esa.example", s.id), "PlanName": "basic",
                   "CreateTime": "2025-01-01T00:00:00Z"})
        })
        .collect();
    Ok(json!({"TotalCount": found.len(), "PageNumber": page, "PageSize": size, "Sites": sites}))
}

fn site_of(st: &State, id: &str) -> Result<EsaSite, FakeResp> {
    if id.is_empty() {
        return Err(bad("MissingSiteId", "SiteId is mandatory for this action."));
    }
    st.sites
        .iter()
        .find(|s| s.id.to_string() == id)
        .cloned()
        .ok_or_else(|| bad("SiteNotFound", "The specified site does not exist."))
}

fn list_records(st: &State, p: &dyn Fn(&str) -> String) -> Answer {
    let site = site_of(st, &p("SiteId"))?;
    let (name, rtype) = (p("RecordName"), p("Type"));
    let found: Vec<&EsaRecord> = st
        .records
        .iter()
        .filter(|r| r.site_id == site.id)
        .filter(|r| name.is_empty() || matches(&p("RecordMatchType"), &r.name, &name))
        .filter(|r| rtype.is_empty() || r.rtype == rtype)
        .collect();
    let (page, size) = paging(st, p);
    let records: Vec<Value> = found
        .iter()
        .skip((page - 1) * size)
        .take(size)
        .map(|r| {
            let mut j = json!({"RecordId": r.id, "RecordName": r.name, "RecordType": r.rtype,
                               "Data": {"Value": r.value}, "Ttl": r.ttl, "Proxied": r.proxied,
                               "SiteId": r.site_id, "SiteName": site.name,
                               "CreateTime": "2025-01-01T00:00:00Z", "UpdateTime": "2025-01-01T00:00:00Z"});
            if let Some(c) = &r.comment {
                j["Comment"] = json!(c);
            }
            if let Some(b) = &r.biz {
                j["BizName"] = json!(b);
            }
            if site.access == "CNAME" {
                j["RecordCname"] = json!(format!("{}.{}.cname-esa.example", r.name, site.id));
            }
            j
        })
        .collect();
    Ok(json!({"TotalCount": found.len(), "PageNumber": page, "PageSize": size, "Records": records}))
}

const TYPES: [&str; 8] = ["A/AAAA", "CNAME", "TXT", "MX", "NS", "SRV", "CAA", "URI"];

/// `Data`: a JSON object with a string `Value`.
fn data_value(data: &str) -> Result<String, FakeResp> {
    let v: Value = serde_json::from_str(data).map_err(|_| {
        bad("Record.ParseJSONRecordValueFailed", "Failed to parse the JSON of the record value.")
    })?;
    let value = v.get("Value").and_then(Value::as_str).ok_or_else(|| {
        bad("Record.ParseJSONRecordValueFailed", "Failed to parse the JSON of the record value.")
    })?;
    if value.trim().is_empty() {
        return Err(bad("Record.EmptyRecordValue", "The record value cannot be empty."));
    }
    Ok(value.to_string())
}

/// The value for its type, as ESA checks it.
fn check_value(rtype: &str, name: &str, value: &str) -> Result<(), FakeResp> {
    match rtype {
        "A/AAAA" => {
            let mut ips = Vec::new();
            for item in value.split(',') {
                let ip = item.trim().parse::<IpAddr>().map_err(|_| {
                    bad(
                        "Record.AorAAAARecordValueContainInvalidIP",
                        "The A/AAAA record value contains an invalid IP.",
                    )
                })?;
                ips.push(ip);
            }
            let v4 = ips.iter().filter(|ip| ip.is_ipv4()).count();
            if v4 > 8 || ips.len() - v4 > 4 {
                return Err(bad(
                    "Record.AorAAAARecordValueIPExceedLimit",
                    "A record name takes at most 8 IPv4 and 4 IPv6 addresses.",
                ));
            }
        }
        "TXT" if value.chars().count() > 450 => {
            return Err(bad(
                "Record.TXTRecordValueExceedLimit",
                "The TXT record value exceeds 450 characters.",
            ));
        }
        "CNAME" if value.len() > 253 => {
            return Err(bad(
                "Record.CNameRecordValueExceedLimit",
                "The CNAME record value exceeds 253 characters.",
            ));
        }
        "CNAME" if value.trim_end_matches('.').eq_ignore_ascii_case(name) => {
            return Err(bad(
                "Record.CNameRecordValueCannotEqualHostRecord",
                "The CNAME record value cannot equal the record name.",
            ));
        }
        _ => {}
    }
    Ok(())
}

/// Ttl, Comment, Proxied and BizName, when sent: (ttl, comment, proxied, biz).
type Options = (Option<u64>, Option<String>, Option<bool>, Option<String>);

fn check_options(rtype: &str, p: &dyn Fn(&str) -> String) -> Result<Options, FakeResp> {
    let ttl = match p("Ttl") {
        t if t.is_empty() => None,
        t => match t.parse::<u64>() {
            Ok(n) if n == 1 || (30..=86_400).contains(&n) => Some(n),
            _ => return Err(bad("Record.TTLExceedLimit", "The TTL must be 1 or from 30 to 86400.")),
        },
    };
    let comment = Some(p("Comment")).filter(|c| !c.is_empty());
    if comment.as_ref().is_some_and(|c| c.chars().count() > 100) {
        return Err(bad(
            "InvalidParameter.RecordCommentExceedLimit",
            "The record comment exceeds the maximum length.",
        ));
    }
    let proxied = match p("Proxied").as_str() {
        "" => None,
        "true" => Some(true),
        "false" => Some(false),
        _ => return Err(bad("InvalidParameter", "Proxied is invalid.")),
    };
    let biz = Some(p("BizName")).filter(|b| !b.is_empty());
    if proxied == Some(true) {
        if rtype != "A/AAAA" && rtype != "CNAME" {
            return Err(bad(
                "Record.ValidProxiedForSpecifedRecordType",
                "Only A/AAAA and CNAME records can be proxied.",
            ));
        }
        if !matches!(biz.as_deref(), Some("web" | "api" | "image_video")) {
            return Err(bad("InvalidParameter.InvalidBiz", "The business scenario is empty or invalid."));
        }
    }
    Ok((ttl, comment, proxied, biz))
}

fn create(st: &mut State, p: &dyn Fn(&str) -> String) -> Answer {
    for name in ["SiteId", "RecordName", "Type", "Data", "Ttl"] {
        if p(name).is_empty() {
            return Err(bad(&format!("Missing{name}"), &format!("{name} is mandatory for this action.")));
        }
    }
    let site = site_of(st, &p("SiteId"))?;
    let (name, rtype) = (p("RecordName").to_ascii_lowercase(), p("Type"));
    if !TYPES.contains(&rtype.as_str()) {
        return Err(bad("Record.UnsupportedType", "The record type is not supported."));
    }
    if name != site.name && !name.ends_with(&format!(".{}", site.name)) {
        return Err(bad(
            "InvalidParameter.InvalidRecordNameSuffix",
            "The record name must end with the site name, except the apex record.",
        ));
    }
    let value = data_value(&p("Data"))?;
    check_value(&rtype, &name, &value)?;
    let (ttl, comment, proxied, biz) = check_options(&rtype, p)?;
    let proxied = proxied.unwrap_or(false);
    if site.access == "CNAME" {
        if rtype != "A/AAAA" && rtype != "CNAME" {
            return Err(bad(
                "InvalidParameter.CnameSiteRecordUnsupport",
                "A site in CNAME access supports only A/AAAA and CNAME records.",
            ));
        }
        if !proxied {
            return Err(bad(
                "InvalidParameter.CnameSiteRecordNoProxied",
                "Records of a site in CNAME access must be proxied.",
            ));
        }
    }
    let same_name = |r: &&EsaRecord| r.site_id == site.id && r.name == name;
    if st.records.iter().filter(same_name).any(|r| r.rtype == rtype && r.value == value) {
        return Err(bad(
            "Record.RecordNameConflictWithSameRecordType",
            "A record with the same name, type and value exists.",
        ));
    }
    let address_or_alias = |t: &str| t == "A/AAAA" || t == "CNAME";
    if st.records.iter().filter(same_name).any(|r| address_or_alias(&r.rtype) && address_or_alias(&rtype)) {
        return Err(if st.records.iter().filter(same_name).any(|r| r.rtype == rtype) {
            // One A/AAAA record per name: its value lists every address.
            bad("Record.Conflict", "The record conflicts with an existing record.")
        } else {
            bad(
                "Record.RecordNameConflictForSpecifiedRecordType",
                "A/AAAA and CNAME records cannot share a record name.",
            )
        });
    }
    st.next_id += 1;
    let id = st.next_id;
    st.records.push(EsaRecord {
        id,
        site_id: site.id,
        name,
        rtype,
        value,
        ttl: ttl.unwrap_or(1),
        comment,
        proxied,
        biz: biz.filter(|_| proxied),
    });
    Ok(json!({"RecordId": id}))
}

fn update(st: &mut State, p: &dyn Fn(&str) -> String) -> Answer {
    if p("RecordId").is_empty() {
        return Err(bad("MissingRecordId", "RecordId is mandatory for this action."));
    }
    if p("Data").is_empty() {
        return Err(bad("MissingData", "Data is mandatory for this action."));
    }
    let Some(pos) = st.records.iter().position(|r| r.id.to_string() == p("RecordId")) else {
        return Err(bad("Record.NotFound", "The record does not exist or has been deleted."));
    };
    let current = st.records[pos].clone();
    if !p("Type").is_empty() && p("Type") != current.rtype {
        return Err(bad("InvalidParameter", "The record type cannot be changed."));
    }
    let value = data_value(&p("Data"))?;
    check_value(&current.rtype, &current.name, &value)?;
    let (ttl, comment, proxied, biz) = check_options(&current.rtype, p)?;
    let r = &mut st.records[pos];
    r.value = value;
    // What is not sent stays as it is.
    r.ttl = ttl.unwrap_or(r.ttl);
    if comment.is_some() {
        r.comment = comment;
    }
    r.proxied = proxied.unwrap_or(r.proxied);
    if biz.is_some() {
        r.biz = biz;
    }
    Ok(json!({}))
}
