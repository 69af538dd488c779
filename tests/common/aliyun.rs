//! A fake Aliyun DNS RPC API on loopback that checks what the real one checks: known
//! AccessKeyId, the HMAC-SHA1 signature, the timestamp within 15 minutes of its own clock
//! (which a test may shift), nonces never reused, and a RAM policy of allowed actions. It
//! reproduces the quirks: fuzzy RRKeyWord, paging (page size capped to force several pages),
//! DomainRecordDuplicate on identical writes and on a value another record of the name and
//! line holds, Line and TTL reset to their defaults when an update leaves them out (Status
//! left alone), error bodies that echo the string-to-sign. Internationalised domains are keyed
//! by their Unicode name (a Punycode `DomainName` does not exist) and host records are taken
//! in Unicode (an `xn--` RR is `SubDomainInvalid.RR`).

use std::collections::HashSet;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::UNIX_EPOCH;

use ddns_gateway::providers::aliyun_sign::{canonical_query, signature, string_to_sign};
use serde_json::{Value, json};

use super::fake::{FakeReq, FakeResp, serve_with_clock};

#[derive(Clone, Debug, PartialEq)]
pub struct AliRecord {
    pub id: String,
    pub domain: String,
    pub rr: String,
    pub rtype: String,
    pub value: String,
    pub ttl: u64,
    pub remark: Option<String>,
    /// The resolution line: `default`, `telecom`, `unicom`, `oversea`…
    pub line: String,
    /// `ENABLE`, or `DISABLE` for a record its owner paused.
    pub status: String,
}

pub struct State {
    pub key_id: String,
    pub secret: String,
    pub domains: Vec<String>,
    pub records: Vec<AliRecord>,
    pub allowed: Vec<&'static str>,
    /// The fake's clock minus the real one, in seconds.
    pub skew: i64,
    pub nonces: HashSet<String>,
    /// Every accepted action, with its parameters.
    pub actions: Vec<(String, Vec<(String, String)>)>,
    /// Requests refused for the clock.
    pub expired: usize,
    pub page_cap: usize,
    /// List this value instead of the stored one, for a record id, in the next listing (a
    /// stale read).
    pub stale: Option<(String, String)>,
    /// Records left out of the next listing (created a moment ago by someone else).
    pub hidden: Vec<String>,
    /// The TTL AddDomainRecord gives a record created without one.
    pub default_ttl: u64,
    /// Answer the next call of an action with this error: (action, code, message).
    pub inject: Option<(String, String, String)>,
    next_id: u64,
}

pub const POLICY: [&str; 4] =
    ["DescribeDomainRecords", "AddDomainRecord", "UpdateDomainRecord", "UpdateDomainRecordRemark"];

#[derive(Clone)]
pub struct FakeAliyun {
    pub addr: SocketAddr,
    pub state: Arc<Mutex<State>>,
}

fn err(status: u16, code: &str, message: &str) -> FakeResp {
    FakeResp::json(
        status,
        &json!({"RequestId": "ERR-REQ-1", "HostId": "alidns.aliyuncs.com", "Code": code, "Message": message,
                "Recommend": "https://api.aliyun.com/troubleshoot?q=".to_string() + code}),
    )
}

impl FakeAliyun {
    pub async fn start(key_id: &str, secret: &str, domains: &[&str]) -> FakeAliyun {
        let state = Arc::new(Mutex::new(State {
            key_id: key_id.into(),
            secret: secret.into(),
            domains: domains.iter().map(|d| d.to_string()).collect(),
            records: Vec::new(),
            allowed: POLICY.to_vec(),
            skew: 0,
            nonces: HashSet::new(),
            actions: Vec::new(),
            expired: 0,
            page_cap: 2,
            stale: None,
            hidden: Vec::new(),
            default_ttl: 600,
            inject: None,
            next_id: 100_000,
        }));
        let addr = serve_with_clock(state.clone(), |s| s.skew, handle).await;
        FakeAliyun { addr, state }
    }

    pub fn add(&self, domain: &str, rr: &str, rtype: &str, value: &str, ttl: u64) -> String {
        let mut st = self.state.lock().unwrap();
        st.next_id += 1;
        let id = st.next_id.to_string();
        st.records.push(AliRecord {
            id: id.clone(),
            domain: domain.into(),
            rr: rr.into(),
            rtype: rtype.into(),
            value: value.into(),
            ttl,
            remark: None,
            line: "default".into(),
            status: "ENABLE".into(),
        });
        id
    }

    /// Puts a record on another resolution line.
    pub fn set_line(&self, id: &str, line: &str) {
        let mut st = self.state.lock().unwrap();
        st.records.iter_mut().find(|r| r.id == id).unwrap().line = line.into();
    }

    /// Pauses a record (`DISABLE`), as its owner can in the console.
    pub fn pause(&self, id: &str) {
        let mut st = self.state.lock().unwrap();
        st.records.iter_mut().find(|r| r.id == id).unwrap().status = "DISABLE".into();
    }

    /// Answers the next call of `action` with the error `code`.
    pub fn fail_next(&self, action: &str, code: &str, message: &str) {
        self.state.lock().unwrap().inject = Some((action.into(), code.into(), message.into()));
    }

    /// The parameters of every accepted call of `action`.
    pub fn calls_of(&self, action: &str) -> Vec<Vec<(String, String)>> {
        let st = self.state.lock().unwrap();
        st.actions.iter().filter(|(a, _)| a == action).map(|(_, p)| p.clone()).collect()
    }

    pub fn records(&self) -> Vec<AliRecord> {
        self.state.lock().unwrap().records.clone()
    }

    pub fn action_names(&self) -> Vec<String> {
        self.state.lock().unwrap().actions.iter().map(|(a, _)| a.clone()).collect()
    }

    pub fn clear_actions(&self) {
        self.state.lock().unwrap().actions.clear();
    }
}

/// What Alibaba Cloud's API gateway checks on every RPC call (Alidns, ESA), in its order: the
/// common parameters for `version`, a known AccessKeyId, the signature over the method the
/// call came with, the timestamp within 15 minutes of `now`, a nonce never used before. The
/// refusal as (HTTP status, code, message); a bad signature's message echoes the
/// string-to-sign, as the real one does.
pub fn pop_refusal(
    req: &FakeReq,
    version: &str,
    (key_id, secret): (&str, &str),
    nonces: &mut HashSet<String>,
    now: i64,
) -> Option<(u16, &'static str, String)> {
    let p = |name: &str| req.param(name).unwrap_or("").to_string();
    for (name, want) in [
        ("Format", "JSON"),
        ("Version", version),
        ("SignatureMethod", "HMAC-SHA1"),
        ("SignatureVersion", "1.0"),
    ] {
        if p(name) != want {
            return Some((400, "MissingParameter", format!("{name} is mandatory or wrong for this action.")));
        }
    }
    if p("AccessKeyId") != key_id {
        return Some((404, "InvalidAccessKeyId.NotFound", "Specified access key is not found.".into()));
    }
    let params: Vec<(&str, &str)> =
        req.query.iter().filter(|(k, _)| k != "Signature").map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let sts = string_to_sign(&req.method, &canonical_query(&params));
    if p("Signature") != signature(secret, &sts) {
        let message = format!(
            "Specified signature does not match our calculation. The server string to sign is: {sts}"
        );
        return Some((400, "SignatureDoesNotMatch", message));
    }
    if parse_ts(&p("Timestamp")).is_none_or(|t| (t - now).abs() > 15 * 60) {
        return Some((
            400,
            "InvalidTimeStamp.Expired",
            "Specified time stamp or date value is expired.".into(),
        ));
    }
    if p("SignatureNonce").is_empty() || !nonces.insert(p("SignatureNonce")) {
        return Some((400, "SignatureNonceUsed", "Specified signature nonce was used already.".into()));
    }
    None
}

pub fn parse_ts(ts: &str) -> Option<i64> {
    // YYYY-MM-DDThh:mm:ssZ, compared through httpdate's parser (independent of ours).
    let b = ts.as_bytes();
    if b.len() != 20 || b[10] != b'T' || b[19] != b'Z' {
        return None;
    }
    let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
    let month: usize = ts[5..7].parse().ok()?;
    let http = format!(
        "Mon, {} {} {} {} GMT",
        &ts[8..10],
        months.get(month.checked_sub(1)?)?,
        &ts[0..4],
        &ts[11..19]
    );
    // httpdate checks the weekday; try each until one parses.
    ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"].iter().find_map(|wd| {
        let s = format!("{wd}{}", &http[3..]);
        httpdate::parse_http_date(&s).ok().map(|t| t.duration_since(UNIX_EPOCH).unwrap().as_secs() as i64)
    })
}

fn handle(st: &mut State, req: &FakeReq, fake_now: i64) -> FakeResp {
    let p = |name: &str| req.param(name).unwrap_or("").to_string();
    if req.method != "GET" && req.method != "POST" {
        return err(400, "UnsupportedHTTPMethod", "This http method is not supported.");
    }
    if let Some((status, code, message)) =
        pop_refusal(req, "2015-01-09", (&st.key_id, &st.secret), &mut st.nonces, fake_now)
    {
        st.expired += usize::from(code == "InvalidTimeStamp.Expired");
        return err(status, code, &message);
    }
    let action = p("Action");
    if !st.allowed.contains(&action.as_str()) {
        return err(
            403,
            "Forbidden.RAM",
            "User not authorized to operate on the specified resource, or this API doesn't support RAM.",
        );
    }
    st.actions.push((action.clone(), req.query.clone()));
    if st.inject.as_ref().is_some_and(|(a, _, _)| *a == action) {
        let (_, code, message) = st.inject.take().unwrap();
        return err(400, &code, &message);
    }
    if p("RR").contains("xn--") {
        return err(400, "SubDomainInvalid.RR", "The host record is invalid.");
    }
    let ok = |v: Value| {
        let mut v = v;
        v["RequestId"] = json!(format!("REQ-{}", st_req_id()));
        FakeResp::json(200, &v)
    };
    let domain_known = |d: &str| st.domains.iter().any(|x| x.eq_ignore_ascii_case(d));
    match action.as_str() {
        "DescribeDomainRecords" => {
            if !domain_known(&p("DomainName")) {
                return err(
                    400,
                    "InvalidDomainName.NoExist",
                    "The specified domain name does not exist. Refresh the page and try again.",
                );
            }
            let kw = p("RRKeyWord").to_ascii_lowercase();
            let ty = p("TypeKeyWord");
            let matching: Vec<&AliRecord> = st
                .records
                .iter()
                .filter(|r| r.domain.eq_ignore_ascii_case(&p("DomainName")))
                .filter(|r| kw.is_empty() || r.rr.to_ascii_lowercase().contains(&kw))
                .filter(|r| ty.is_empty() || r.rtype == ty)
                .collect();
            let size = p("PageSize").parse::<usize>().unwrap_or(20).clamp(1, 500).min(st.page_cap);
            let page = p("PageNumber").parse::<usize>().unwrap_or(1).max(1);
            let matching: Vec<&AliRecord> =
                matching.into_iter().filter(|r| !st.hidden.contains(&r.id)).collect();
            let items: Vec<Value> = matching
                .iter()
                .skip((page - 1) * size)
                .take(size)
                .map(|r| {
                    let value = match &st.stale {
                        Some((id, v)) if *id == r.id => v.clone(),
                        _ => r.value.clone(),
                    };
                    let mut j = json!({"RecordId": r.id, "RR": r.rr.to_ascii_lowercase(), "Type": r.rtype, "Value": value,
                                       "TTL": r.ttl, "Line": r.line, "Status": r.status, "Locked": false,
                                       "Weight": 1, "DomainName": r.domain});
                    if let Some(rm) = &r.remark {
                        j["Remark"] = json!(rm);
                    }
                    j
                })
                .collect();
            let total = matching.len();
            // A stale read is a moment's; the next listing is current.
            st.stale = None;
            st.hidden.clear();
            ok(json!({"TotalCount": total, "PageNumber": page, "PageSize": size,
                      "DomainRecords": {"Record": items}}))
        }
        "AddDomainRecord" => {
            if !domain_known(&p("DomainName")) {
                return err(
                    400,
                    "InvalidDomainName.NoExist",
                    "The specified domain name does not exist. Refresh the page and try again.",
                );
            }
            let ttl = if p("TTL").is_empty() { st.default_ttl } else { p("TTL").parse().unwrap_or(0) };
            if let Some(e) = check(&p("Type"), &p("Value"), ttl) {
                return e;
            }
            let (rr, rtype, value) = (p("RR").to_ascii_lowercase(), p("Type"), p("Value"));
            let line = line_or_default(&p("Line"));
            if st.records.iter().any(|r| {
                r.domain == p("DomainName")
                    && r.rr == rr
                    && r.rtype == rtype
                    && r.value == value
                    && r.line == line
            }) {
                return err(400, "DomainRecordDuplicate", "The DNS record already exists.");
            }
            st.next_id += 1;
            let id = st.next_id.to_string();
            st.records.push(AliRecord {
                id: id.clone(),
                domain: p("DomainName"),
                rr,
                rtype,
                value,
                ttl,
                remark: None,
                line,
                status: "ENABLE".into(),
            });
            ok(json!({"RecordId": id}))
        }
        "UpdateDomainRecord" => {
            let Some(pos) = st.records.iter().position(|r| r.id == p("RecordId")) else {
                return err(
                    400,
                    "DomainRecordNotBelongToUser",
                    "The DNS record does not exist or does not belong to you.",
                );
            };
            let ttl = if p("TTL").is_empty() { 600 } else { p("TTL").parse().unwrap_or(0) };
            if let Some(e) = check(&p("Type"), &p("Value"), ttl) {
                return e;
            }
            let rr = p("RR").to_ascii_lowercase();
            // Line, like TTL, is reset to its default when it is not sent.
            let line = line_or_default(&p("Line"));
            let twin = st.records.iter().any(|o| {
                o.id != p("RecordId")
                    && o.domain == st.records[pos].domain
                    && o.rr == rr
                    && o.rtype == p("Type")
                    && o.value == p("Value")
                    && o.line == line
            });
            let r = &mut st.records[pos];
            let same =
                r.rr == rr && r.rtype == p("Type") && r.value == p("Value") && r.ttl == ttl && r.line == line;
            if twin || same {
                return err(400, "DomainRecordDuplicate", "The DNS record already exists.");
            }
            r.line = line;
            r.rr = rr;
            r.rtype = p("Type");
            r.value = p("Value");
            r.ttl = ttl;
            let id = r.id.clone();
            ok(json!({"RecordId": id}))
        }
        "UpdateDomainRecordRemark" => {
            let Some(r) = st.records.iter_mut().find(|r| r.id == p("RecordId")) else {
                return err(
                    400,
                    "DomainRecordNotBelongToUser",
                    "The DNS record does not exist or does not belong to you.",
                );
            };
            r.remark = Some(p("Remark")).filter(|x| !x.is_empty());
            ok(json!({}))
        }
        _ => err(
            400,
            "InvalidAction.NotFound",
            "Specified api is not found, please check your url and method.",
        ),
    }
}

fn line_or_default(line: &str) -> String {
    if line.is_empty() { "default".into() } else { line.into() }
}

fn st_req_id() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(1);
    N.fetch_add(1, Ordering::Relaxed)
}

fn check(rtype: &str, value: &str, ttl: u64) -> Option<FakeResp> {
    if rtype == "A" && value.parse::<std::net::Ipv4Addr>().is_err() {
        return Some(err(400, "InvalidValue", "The value of the DNS record is invalid."));
    }
    if !(600..=86400).contains(&ttl) {
        return Some(err(400, "QuotaExceeded.TTL", "TTL is not valid for the edition of this domain."));
    }
    None
}
