//! A fake Cloudflare API v4 on loopback that behaves like the real one where the gateway
//! can tell: bearer token enforced (9109 / 6003), zones by name with their status (a
//! deleted or moved twin is listed too), records listed by type and case-insensitive name
//! with pagination (per_page capped to force several pages), content stored exactly as sent
//! (TXT is not quoted for you; one quoted string over 255 bytes is split, as the API does),
//! PATCH changing only named fields, validation errors on write, `cf-ray` on every answer.
//! A proxied record's TTL is always 1 (automatic): listed so, and a TTL sent in a PATCH is
//! ignored. Zones and record names are known only in their Punycode form.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use serde_json::{Value, json};

use super::fake::{FakeReq, FakeResp, InFlight, serve_counted};

#[derive(Clone, Debug, PartialEq)]
pub struct CfRecord {
    pub id: String,
    pub zone_id: String,
    pub name: String,
    pub rtype: String,
    pub content: String,
    pub ttl: u64,
    pub comment: Option<String>,
    pub proxied: bool,
}

impl CfRecord {
    fn json(&self) -> Value {
        json!({
            "id": self.id, "zone_id": self.zone_id, "name": self.name, "type": self.rtype,
            "content": self.content, "ttl": if self.proxied { 1 } else { self.ttl }, "comment": self.comment,
            "proxied": self.proxied, "proxiable": true, "tags": [],
        })
    }
}

/// What the gateway sent, for assertions.
#[derive(Clone, Debug)]
pub struct SeenCall {
    pub method: String,
    pub path: String,
    pub query: Vec<(String, String)>,
    pub body: Value,
}

#[derive(Default)]
pub struct State {
    pub token: String,
    /// Also accept every token that starts with this (many distinct credentials).
    pub token_prefix: Option<String>,
    /// (id, name, status), listed in this order.
    pub zones: Vec<(String, String, String)>,
    pub records: Vec<CfRecord>,
    pub per_page_cap: usize,
    pub calls: Vec<SeenCall>,
    pub next_id: u64,
    /// Answer the next requests with this instead (count, reply).
    pub fault: Option<(usize, FakeResp)>,
    /// Answer every request with these in turn (when not empty).
    pub fault_cycle: Vec<FakeResp>,
    /// Wait this long before every answer.
    pub delay: std::time::Duration,
    /// Answer the first request of this method with this instead.
    pub fault_on: Option<(String, FakeResp)>,
}

#[derive(Clone)]
pub struct FakeCloudflare {
    pub addr: SocketAddr,
    pub state: Arc<Mutex<State>>,
    pub inflight: Arc<InFlight>,
}

fn envelope_err(status: u16, code: u64, message: &str) -> FakeResp {
    FakeResp::json(
        status,
        &json!({"success": false, "errors": [{"code": code, "message": message}], "messages": [], "result": null}),
    )
}

fn ok(result: Value) -> FakeResp {
    FakeResp::json(200, &json!({"success": true, "errors": [], "messages": [], "result": result}))
}

impl FakeCloudflare {
    pub async fn start(token: &str, zones: &[(&str, &str)]) -> FakeCloudflare {
        let state = Arc::new(Mutex::new(State {
            token: token.into(),
            zones: zones.iter().map(|(i, n)| (i.to_string(), n.to_string(), "active".to_string())).collect(),
            per_page_cap: 2,
            next_id: 1,
            ..State::default()
        }));
        let s = state.clone();
        let inflight = Arc::new(InFlight::default());
        let addr = serve_counted(
            move |req| {
                let mut st = s.lock().unwrap();
                let seq = st.calls.len();
                st.calls.push(SeenCall {
                    method: req.method.clone(),
                    path: req.path.clone(),
                    query: req.query.clone(),
                    body: req.json(),
                });
                let mut forced = match st.fault.as_mut() {
                    Some((n, r)) if *n > 0 => {
                        *n -= 1;
                        Some(r.clone())
                    }
                    _ => None,
                };
                if forced.is_none() && st.fault_on.as_ref().is_some_and(|(m, _)| *m == req.method) {
                    forced = st.fault_on.take().map(|(_, r)| r);
                }
                if forced.is_none() && !st.fault_cycle.is_empty() {
                    forced = Some(st.fault_cycle[seq % st.fault_cycle.len()].clone());
                }
                let mut resp = forced.unwrap_or_else(|| handle(&mut st, &req));
                if resp.delay.is_zero() {
                    resp.delay = st.delay;
                }
                resp.with_header("cf-ray", &format!("8f00000000{seq:06x}-TPE"))
            },
            inflight.clone(),
        )
        .await;
        FakeCloudflare { addr, state, inflight }
    }

    pub fn add(&self, zone_id: &str, name: &str, rtype: &str, content: &str, ttl: u64) -> String {
        let mut st = self.state.lock().unwrap();
        let id = format!("rec{:029}", st.next_id);
        st.next_id += 1;
        st.records.push(CfRecord {
            id: id.clone(),
            zone_id: zone_id.into(),
            name: name.into(),
            rtype: rtype.into(),
            content: content.into(),
            ttl,
            comment: None,
            proxied: false,
        });
        id
    }

    /// A record served through Cloudflare's proxy (its stored TTL is ignored: it is 1).
    pub fn add_proxied(&self, zone_id: &str, name: &str, rtype: &str, content: &str) -> String {
        let id = self.add(zone_id, name, rtype, content, 300);
        self.state.lock().unwrap().records.iter_mut().find(|r| r.id == id).unwrap().proxied = true;
        id
    }

    /// A zone of that name listed before the others, in a state like `deleted` or `moved`.
    pub fn add_zone_first(&self, id: &str, name: &str, status: &str) {
        self.state.lock().unwrap().zones.insert(0, (id.into(), name.into(), status.into()));
    }

    /// Answers the first request of `method` with `resp`.
    pub fn fail_method(&self, method: &str, resp: FakeResp) {
        self.state.lock().unwrap().fault_on = Some((method.into(), resp));
    }

    /// Write calls (POST, PATCH, PUT, DELETE) so far.
    pub fn writes(&self) -> usize {
        self.calls().iter().filter(|c| c.method != "GET").count()
    }

    pub fn records(&self) -> Vec<CfRecord> {
        self.state.lock().unwrap().records.clone()
    }

    pub fn calls(&self) -> Vec<SeenCall> {
        self.state.lock().unwrap().calls.clone()
    }

    /// Method and path of each call so far, e.g. `GET /client/v4/zones`.
    pub fn call_lines(&self) -> Vec<String> {
        self.calls().iter().map(|c| format!("{} {}", c.method, c.path)).collect()
    }

    pub fn clear_calls(&self) {
        self.state.lock().unwrap().calls.clear();
    }

    pub fn fail_next(&self, times: usize, resp: FakeResp) {
        self.state.lock().unwrap().fault = Some((times, resp));
    }
}

fn handle(st: &mut State, req: &FakeReq) -> FakeResp {
    let auth = req.header("authorization");
    match auth {
        None => return envelope_err(400, 9106, "Missing X-Auth-Key, X-Auth-Email or Authorization headers"),
        Some(a) => match a.strip_prefix("Bearer ") {
            None => return envelope_err(400, 6003, "Invalid request headers"),
            Some(t) if t != st.token && !st.token_prefix.as_deref().is_some_and(|p| t.starts_with(p)) => {
                return envelope_err(403, 9109, "Invalid access token");
            }
            Some(_) => {}
        },
    }
    let Some(path) = req.path.strip_prefix("/client/v4") else {
        return envelope_err(404, 7000, "No route for that URI");
    };
    let parts: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    match (req.method.as_str(), parts.as_slice()) {
        ("GET", ["zones"]) => {
            let name = req.param("name").unwrap_or("");
            let found: Vec<Value> = st
                .zones
                .iter()
                .filter(|(_, n, _)| n.eq_ignore_ascii_case(name))
                .map(|(id, n, status)| json!({"id": id, "name": n, "status": status}))
                .collect();
            ok(Value::Array(found))
        }
        (method, ["zones", zone, "dns_records", rest @ ..]) => {
            if !st.zones.iter().any(|(id, _, status)| id == zone && status == "active") {
                return envelope_err(
                    400,
                    7003,
                    "Could not route to /zones, perhaps your object identifier is invalid?",
                );
            }
            match (method, rest) {
                ("GET", []) => list(st, zone, req),
                ("POST", []) => create(st, zone, &req.json()),
                ("PATCH", [id]) => patch(st, zone, id, &req.json()),
                _ => envelope_err(405, 10405, "Method not allowed for this route"),
            }
        }
        _ => envelope_err(404, 7000, "No route for that URI"),
    }
}

fn list(st: &State, zone: &str, req: &FakeReq) -> FakeResp {
    let matching: Vec<&CfRecord> = st
        .records
        .iter()
        .filter(|r| r.zone_id == zone)
        .filter(|r| req.param("type").is_none_or(|t| r.rtype == t))
        .filter(|r| req.param("name").is_none_or(|n| r.name.eq_ignore_ascii_case(n)))
        .collect();
    let per_page =
        req.param("per_page").and_then(|p| p.parse().ok()).unwrap_or(100usize).min(st.per_page_cap);
    let page = req.param("page").and_then(|p| p.parse().ok()).unwrap_or(1usize).max(1);
    let total_pages = matching.len().div_ceil(per_page).max(1);
    let items: Vec<Value> =
        matching.iter().skip((page - 1) * per_page).take(per_page).map(|r| r.json()).collect();
    FakeResp::json(
        200,
        &json!({
            "success": true, "errors": [], "messages": [], "result": items,
            "result_info": {"page": page, "per_page": per_page, "count": items.len(),
                            "total_count": matching.len(), "total_pages": total_pages},
        }),
    )
}

/// Content, TTL and comment checks Cloudflare makes on writes.
fn check(rtype: &str, content: &str, ttl: u64, comment: Option<&str>) -> Option<FakeResp> {
    let bad_content = match rtype {
        "A" => content.parse::<std::net::Ipv4Addr>().is_err(),
        "AAAA" => content.parse::<std::net::Ipv6Addr>().is_err(),
        _ => content.is_empty(),
    };
    if bad_content {
        let code = if rtype == "AAAA" { 9006 } else { 9005 };
        return Some(envelope_err(400, code, &format!("Content for {rtype} record is invalid.")));
    }
    if ttl != 1 && !(60..=86400).contains(&ttl) {
        return Some(envelope_err(
            400,
            9021,
            "Invalid TTL. Must be between 60 and 86400 seconds, or 1 for Automatic.",
        ));
    }
    if comment.is_some_and(|c| c.chars().count() > 100) {
        return Some(envelope_err(
            400,
            9313,
            "DNS record comment is too long: max 100 characters on this plan",
        ));
    }
    None
}

/// Content as Cloudflare stores it: as sent, except that TXT sent as one quoted string of
/// more than 255 bytes is split into several (the API's documented behaviour).
fn stored(rtype: &str, content: &str) -> String {
    let inner = content.strip_prefix('"').and_then(|c| c.strip_suffix('"'));
    match inner {
        Some(text) if rtype == "TXT" && text.len() > 255 && !text.contains('"') => {
            let mut parts = Vec::new();
            let mut rest = text;
            while !rest.is_empty() {
                let mut at = rest.len().min(255);
                while !rest.is_char_boundary(at) {
                    at -= 1;
                }
                parts.push(format!("\"{}\"", &rest[..at]));
                rest = &rest[at..];
            }
            parts.join(" ")
        }
        _ => content.to_string(),
    }
}

fn create(st: &mut State, zone: &str, body: &Value) -> FakeResp {
    let rtype = body["type"].as_str().unwrap_or("").to_string();
    let name = body["name"].as_str().unwrap_or("").to_ascii_lowercase();
    let ttl = body["ttl"].as_u64().unwrap_or(1);
    let comment = body["comment"].as_str();
    let content = stored(&rtype, body["content"].as_str().unwrap_or(""));
    if let Some(e) = check(&rtype, &content, ttl, comment) {
        return e;
    }
    let same_name = |r: &&CfRecord| r.zone_id == zone && r.name == name;
    if st.records.iter().filter(same_name).any(|r| r.rtype == rtype && r.content == content) {
        return envelope_err(400, 81057, "Record already exists.");
    }
    let exclusive = ["A", "AAAA", "CNAME"];
    if st.records.iter().filter(same_name).any(|r| {
        (r.rtype == "CNAME") != (rtype == "CNAME")
            && exclusive.contains(&r.rtype.as_str())
            && exclusive.contains(&rtype.as_str())
    }) {
        return envelope_err(400, 81053, "An A, AAAA, or CNAME record with that host already exists.");
    }
    let id = format!("rec{:029}", st.next_id);
    st.next_id += 1;
    let rec = CfRecord {
        id,
        zone_id: zone.into(),
        name,
        rtype,
        content,
        ttl,
        comment: comment.map(String::from),
        proxied: body["proxied"].as_bool().unwrap_or(false),
    };
    let out = rec.json();
    st.records.push(rec);
    ok(out)
}

fn patch(st: &mut State, zone: &str, id: &str, body: &Value) -> FakeResp {
    let Some(pos) = st.records.iter().position(|r| r.zone_id == zone && r.id == id) else {
        return envelope_err(404, 81044, "Record does not exist.");
    };
    let mut rec = st.records[pos].clone();
    if let Some(c) = body["content"].as_str() {
        rec.content = stored(&rec.rtype, c);
    }
    // "All proxied records have a TTL of Auto … This value cannot be edited": ignored.
    if let Some(t) = body["ttl"].as_u64().filter(|_| !rec.proxied) {
        rec.ttl = t;
    }
    if body.get("comment").is_some() {
        rec.comment = body["comment"].as_str().filter(|c| !c.is_empty()).map(String::from);
    }
    if let Some(p) = body["proxied"].as_bool() {
        rec.proxied = p;
    }
    if let Some(e) = check(&rec.rtype, &rec.content, rec.ttl, rec.comment.as_deref()) {
        return e;
    }
    st.records[pos] = rec.clone();
    ok(rec.json())
}
