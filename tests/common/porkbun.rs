//! A fake Porkbun API v3 on loopback (under `/api/json/v3`) that checks and answers what
//! the real one does: every call a POST whose JSON body carries `apikey` and
//! `secretapikey`; API access opted in per domain; record fields all strings and names
//! full domain names; a TTL below 600 (or none) stored as 600; an edit without `name`
//! moving the record to the apex (openwrt/packages#25148) and an edit that changes
//! nothing refused ("Edit error"); notes left alone when an edit omits them; the parking
//! records of a new domain (ALIAS @ and CNAME * to pixie.porkbun.com) blocking other
//! records at those names; TXT content kept as sent, except that white space at its end
//! is dropped (why dnscontrol refuses such TXT for Porkbun). Errors are HTTP 400
//! `{"status":"ERROR","message"}`; in `modern` mode also with the `code`, `requestId` and
//! string ids of Porkbun's current API reference, otherwise as older answers (message
//! only, numeric create ids). The rate limit answers an HTML 503 from the front end or a
//! JSON 429 `RATE_LIMIT_EXCEEDED` with `ttlRemaining`.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use serde_json::{Value, json};

use super::fake::{FakeReq, FakeResp, serve};

pub const BASE: &str = "/api/json/v3/";
pub const PARKING: &str = "pixie.porkbun.com";

#[derive(Clone, Debug, PartialEq)]
pub struct PbRecord {
    pub id: u64,
    pub domain: String,
    /// Below the domain; `""` for the apex.
    pub name: String,
    pub rtype: String,
    pub content: String,
    pub ttl: u64,
    /// `None` until set (listed as `null`).
    pub notes: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Limit {
    /// The front end's `503 Service Temporarily Unavailable` HTML page.
    Html503,
    /// The API's JSON 429 with `ttlRemaining`.
    Json429(u64),
}

pub struct State {
    pub api_key: String,
    pub secret_key: String,
    /// (domain, opted in to API access).
    pub domains: Vec<(String, bool)>,
    pub records: Vec<PbRecord>,
    pub modern: bool,
    /// Calls the rate limiter still lets through; `None`: no limit.
    pub budget: Option<usize>,
    pub limit: Limit,
    /// Every call that got past the rate limiter: (endpoint, JSON body).
    pub calls: Vec<(String, Value)>,
    /// Answer the next call of an endpoint (`create`, `edit`, `retrieveByNameType`) with
    /// this status and body instead.
    pub inject: Option<(String, u16, Value)>,
    next_id: u64,
    next_request: u64,
}

#[derive(Clone)]
pub struct FakePorkbun {
    pub addr: SocketAddr,
    pub state: Arc<Mutex<State>>,
}

impl FakePorkbun {
    /// A fake account holding `domains`, each opted in to API access.
    pub async fn start(api_key: &str, secret_key: &str, domains: &[&str]) -> FakePorkbun {
        let state = Arc::new(Mutex::new(State {
            api_key: api_key.into(),
            secret_key: secret_key.into(),
            domains: domains.iter().map(|d| (d.to_string(), true)).collect(),
            records: Vec::new(),
            modern: true,
            budget: None,
            limit: Limit::Html503,
            calls: Vec::new(),
            inject: None,
            next_id: 500_000_000,
            next_request: 0,
        }));
        let st = state.clone();
        let addr = serve(move |req| handle(&mut st.lock().unwrap(), &req)).await;
        FakePorkbun { addr, state }
    }

    pub fn add(&self, domain: &str, name: &str, rtype: &str, content: &str, ttl: u64) -> u64 {
        let mut st = self.state.lock().unwrap();
        st.next_id += 1;
        let id = st.next_id;
        st.records.push(PbRecord {
            id,
            domain: domain.into(),
            name: name.into(),
            rtype: rtype.into(),
            content: content.into(),
            ttl,
            notes: None,
        });
        id
    }

    /// The records a newly registered domain comes with.
    pub fn park(&self, domain: &str) {
        self.add(domain, "", "ALIAS", PARKING, 600);
        self.add(domain, "*", "CNAME", PARKING, 600);
    }

    pub fn records(&self) -> Vec<PbRecord> {
        self.state.lock().unwrap().records.clone()
    }

    pub fn record(&self, id: u64) -> PbRecord {
        self.records().into_iter().find(|r| r.id == id).expect("record")
    }

    /// The endpoints called so far, in order.
    pub fn endpoints(&self) -> Vec<String> {
        self.state.lock().unwrap().calls.iter().map(|(e, _)| e.clone()).collect()
    }

    /// Creates and edits received so far, refused or not.
    pub fn writes(&self) -> usize {
        self.endpoints().iter().filter(|e| *e == "create" || *e == "edit").count()
    }

    /// The body of the last call of `endpoint`.
    pub fn last_body(&self, endpoint: &str) -> Value {
        let st = self.state.lock().unwrap();
        st.calls.iter().rev().find(|(e, _)| e == endpoint).map(|(_, b)| b.clone()).expect("call")
    }

    pub fn opt_in(&self, domain: &str, on: bool) {
        let mut st = self.state.lock().unwrap();
        st.domains.iter_mut().filter(|(d, _)| d == domain).for_each(|(_, o)| *o = on);
    }

    pub fn fail_next(&self, endpoint: &str, status: u16, body: Value) {
        self.state.lock().unwrap().inject = Some((endpoint.into(), status, body));
    }
}

impl State {
    fn reply(&mut self, status: u16, mut v: Value) -> FakeResp {
        if self.modern && v.get("requestId").is_none() {
            self.next_request += 1;
            v["requestId"] = json!(format!("019f707d-0000-7e01-87b0-{:012x}", self.next_request));
        }
        FakeResp::json(status, &v)
    }

    /// An error as Porkbun words it; `code` only in modern answers.
    fn error(&mut self, code: Option<&str>, message: &str) -> FakeResp {
        let mut v = json!({"status": "ERROR", "message": message});
        if let (true, Some(c)) = (self.modern, code) {
            v["code"] = json!(c);
        }
        self.reply(400, v)
    }

    fn listed(&self, r: &PbRecord) -> Value {
        let fqdn = if r.name.is_empty() { r.domain.clone() } else { format!("{}.{}", r.name, r.domain) };
        json!({"id": r.id.to_string(), "name": fqdn, "type": r.rtype, "content": r.content,
               "ttl": r.ttl.to_string(), "prio": "0", "notes": r.notes})
    }

    /// Whether a record of `rtype` at `name` clashes with what is there: a CNAME stands
    /// alone, and an ALIAS holds its name against A, AAAA and CNAME.
    fn clashes(&self, domain: &str, name: &str, rtype: &str, except: u64) -> bool {
        self.records.iter().filter(|r| r.domain == domain && r.name == name && r.id != except).any(|r| {
            r.rtype == "CNAME"
                || rtype == "CNAME"
                || (r.rtype == "ALIAS" && ["A", "AAAA"].contains(&rtype))
                || (rtype == "ALIAS" && ["A", "AAAA"].contains(&r.rtype.as_str()))
        })
    }
}

/// A TTL as Porkbun stores it: at least 600, and 600 when absent, 0 or not a number.
fn stored_ttl(v: &Value) -> u64 {
    let t = match v {
        Value::String(s) => s.parse().unwrap_or(0),
        Value::Number(n) => n.as_u64().unwrap_or(0),
        _ => 0,
    };
    t.max(600)
}

fn valid_content(rtype: &str, content: &str) -> bool {
    match rtype {
        "A" => content.parse::<std::net::Ipv4Addr>().is_ok(),
        "AAAA" => content.parse::<std::net::Ipv6Addr>().is_ok(),
        "CNAME" | "ALIAS" => !content.is_empty() && !content.contains(' '),
        "TXT" => !content.trim().is_empty(),
        _ => false,
    }
}

fn handle(st: &mut State, req: &FakeReq) -> FakeResp {
    if let Some(left) = st.budget.as_mut() {
        if *left == 0 {
            return match st.limit {
                Limit::Html503 => FakeResp::raw(
                    503,
                    b"<html>\r\n<head><title>503 Service Temporarily Unavailable</title></head>\r\n<body>\r\n<center><h1>503 Service Temporarily Unavailable</h1></center>\r\n<hr><center>openresty</center>\r\n</body>\r\n</html>\r\n",
                )
                .with_header("content-type", "text/html"),
                Limit::Json429(ttl) => st.reply(
                    429,
                    json!({"status": "ERROR", "message": "Rate limit exceeded. Please try again later.",
                           "code": "RATE_LIMIT_EXCEEDED", "ttlRemaining": ttl}),
                ),
            };
        }
        *left -= 1;
    }
    if req.method != "POST" {
        return st.error(Some("METHOD_NOT_ALLOWED"), "Method not allowed.");
    }
    let Some(path) = req.path.strip_prefix(BASE) else {
        return FakeResp::raw(404, b"Not Found");
    };
    let parts: Vec<&str> = path.split('/').collect();
    let body = req.json();
    if !body.is_object() {
        return st.error(Some("INVALID_OR_EMPTY_JSON"), "Invalid or empty JSON.");
    }
    let endpoint = match parts.as_slice() {
        ["dns", e, ..] => e.to_string(),
        _ => path.to_string(),
    };
    st.calls.push((endpoint.clone(), body.clone()));
    let s = |k: &str| body[k].as_str().unwrap_or("").to_string();
    if s("apikey") != st.api_key || s("secretapikey") != st.secret_key {
        return if st.modern {
            st.error(Some("INVALID_API_KEYS_001"), "Invalid API key. (001)")
        } else {
            st.error(None, "Invalid API key. (002)")
        };
    }
    if st.inject.as_ref().is_some_and(|(e, _, _)| *e == endpoint) {
        let (_, status, v) = st.inject.take().unwrap();
        return st.reply(status, v);
    }
    let domain = parts.get(2).copied().unwrap_or("").to_string();
    match st.domains.iter().find(|(d, _)| *d == domain) {
        None => return st.error(Some("INVALID_DOMAIN"), "Invalid domain."),
        // This one comes without a code even from the current API.
        Some((_, false)) => {
            let message = if st.modern {
                "Domain is not opted in to API access. You can enable API access for all domains globally from your account settings at porkbun.com."
            } else {
                "Domain is not opted in to API access."
            };
            return st.error(None, message);
        }
        Some(_) => {}
    }
    match (endpoint.as_str(), &parts[3..]) {
        ("retrieveByNameType", [rtype, rest @ ..]) if rest.len() <= 1 => {
            let name = rest.first().copied().unwrap_or("");
            let records: Vec<Value> = st
                .records
                .iter()
                .filter(|r| r.domain == domain && r.rtype == *rtype && r.name.eq_ignore_ascii_case(name))
                .map(|r| st.listed(r))
                .collect();
            st.reply(200, json!({"status": "SUCCESS", "cloudflare": "disabled", "records": records}))
        }
        ("create", []) => {
            let (name, rtype) = (s("name"), s("type"));
            let mut content = s("content");
            if rtype == "TXT" {
                content = content.trim_end().to_string();
            }
            if !valid_content(&rtype, &content)
                || st.clashes(&domain, &name, &rtype, 0)
                || st
                    .records
                    .iter()
                    .any(|r| r.domain == domain && r.name == name && r.rtype == rtype && r.content == content)
            {
                return st.error(None, "Create error: We were unable to create the DNS record.");
            }
            st.next_id += 1;
            let id = st.next_id;
            let notes = body["notes"].as_str().map(String::from);
            let ttl = stored_ttl(&body["ttl"]);
            st.records.push(PbRecord { id, domain, name, rtype, content, ttl, notes });
            let id = if st.modern { json!(id.to_string()) } else { json!(id) };
            st.reply(200, json!({"status": "SUCCESS", "id": id}))
        }
        ("edit", [id]) => {
            let id: u64 = id.parse().unwrap_or(0);
            let Some(at) = st.records.iter().position(|r| r.id == id && r.domain == domain) else {
                return st.error(Some("INVALID_RECORD_ID"), "Invalid record ID.");
            };
            let (rtype, content) = (s("type"), s("content"));
            // Without `name` the record goes to the apex.
            let name = s("name");
            let ttl = stored_ttl(&body["ttl"]);
            let notes = match &body["notes"] {
                Value::String(n) => Some(n.clone()),
                _ => st.records[at].notes.clone(),
            };
            let old = &st.records[at];
            let same = (&old.name, &old.rtype, &old.content, old.ttl, &old.notes)
                == (&name, &rtype, &content, ttl, &notes);
            if same || !valid_content(&rtype, &content) || st.clashes(&domain, &name, &rtype, id) {
                return st.error(None, "Edit error: We were unable to edit the DNS record.");
            }
            st.records[at] = PbRecord { id, domain, name, rtype, content, ttl, notes };
            st.reply(200, json!({"status": "SUCCESS"}))
        }
        _ => st.error(None, "Invalid endpoint."),
    }
}
