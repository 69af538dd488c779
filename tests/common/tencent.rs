//! A fake Tencent Cloud DNSPod API 3.0 on loopback that checks what the real one checks:
//! the TC3-HMAC-SHA256 signature over content-type and host, the timestamp within 5 minutes
//! of its own clock (which a test may shift), and a CAM policy of allowed actions. It
//! reproduces the quirks: an empty list is the error ResourceNotFound.NoDataOfRecord, a new
//! record shows up in lists only after a lag, ModifyRecord resets what it is not sent (TTL,
//! Remark kept; `Status` back to ENABLE, `Weight` cleared), only lines it knows, a subdomain
//! given as `Domain` is `InvalidParameter.DomainInvalid`. Internationalised domains are keyed
//! by their Unicode name.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use super::fake::{FakeReq, FakeResp, now, serve_with_clock};
use super::tc3::authenticate;

#[derive(Clone, Debug, PartialEq)]
pub struct TcRecord {
    pub id: u64,
    pub domain: String,
    pub name: String,
    pub rtype: String,
    pub value: String,
    pub ttl: u64,
    pub line: String,
    pub remark: String,
    pub created: Instant,
    /// `ENABLE`, or `DISABLE` for a record its owner paused.
    pub status: String,
    pub weight: Option<u64>,
}

pub struct State {
    pub secret_id: String,
    pub secret_key: String,
    pub domains: Vec<String>,
    pub records: Vec<TcRecord>,
    pub allowed: Vec<&'static str>,
    pub skew: i64,
    /// How long a new record stays out of DescribeRecordList.
    pub lag: Duration,
    pub actions: Vec<(String, Value)>,
    pub expired: usize,
    /// Answer the next call of an action with this error: (action, code, message).
    pub inject: Option<(String, String, String)>,
    /// The TTL CreateRecord gives a record created without one.
    pub default_ttl: u64,
    next_id: u64,
}

/// The lines the fake knows (DNSPod's names for the default line and the big carriers).
pub const LINES: [&str; 5] = ["默认", "电信", "联通", "移动", "境外"];

pub const POLICY: [&str; 3] = ["DescribeRecordList", "CreateRecord", "ModifyRecord"];

#[derive(Clone)]
pub struct FakeTencent {
    pub addr: SocketAddr,
    pub state: Arc<Mutex<State>>,
}

fn reply(mut v: Value) -> FakeResp {
    v["RequestId"] = json!(format!("tc-req-{}", now()));
    FakeResp::json(200, &json!({ "Response": v }))
}

fn err(code: &str, message: &str) -> FakeResp {
    reply(json!({"Error": {"Code": code, "Message": message}}))
}

impl FakeTencent {
    pub async fn start(secret_id: &str, secret_key: &str, domains: &[&str]) -> FakeTencent {
        let state = Arc::new(Mutex::new(State {
            secret_id: secret_id.into(),
            secret_key: secret_key.into(),
            domains: domains.iter().map(|d| d.to_string()).collect(),
            records: Vec::new(),
            allowed: POLICY.to_vec(),
            skew: 0,
            lag: Duration::ZERO,
            actions: Vec::new(),
            expired: 0,
            inject: None,
            default_ttl: 600,
            next_id: 1_000_000,
        }));
        let addr = serve_with_clock(state.clone(), |s| s.skew, handle).await;
        FakeTencent { addr, state }
    }

    pub fn add(&self, domain: &str, name: &str, rtype: &str, value: &str, ttl: u64) -> u64 {
        let mut st = self.state.lock().unwrap();
        st.next_id += 1;
        let id = st.next_id;
        st.records.push(TcRecord {
            id,
            domain: domain.into(),
            name: name.into(),
            rtype: rtype.into(),
            value: value.into(),
            ttl,
            line: "默认".into(),
            remark: String::new(),
            created: Instant::now() - Duration::from_secs(3600),
            status: "ENABLE".into(),
            weight: None,
        });
        id
    }

    /// Changes a stored record as its owner could in the console.
    pub fn edit(&self, id: u64, f: impl FnOnce(&mut TcRecord)) {
        f(self.state.lock().unwrap().records.iter_mut().find(|r| r.id == id).unwrap());
    }

    pub fn records(&self) -> Vec<TcRecord> {
        self.state.lock().unwrap().records.clone()
    }

    /// Answers the next call of `action` with the error `code` (HTTP 200, as DNSPod does).
    pub fn fail_next(&self, action: &str, code: &str, message: &str) {
        self.state.lock().unwrap().inject = Some((action.into(), code.into(), message.into()));
    }

    pub fn action_names(&self) -> Vec<String> {
        self.state.lock().unwrap().actions.iter().map(|(a, _)| a.clone()).collect()
    }
}

fn handle(st: &mut State, req: &FakeReq, fake_now: i64) -> FakeResp {
    let keys = (st.secret_id.as_str(), st.secret_key.as_str());
    let action = match authenticate(req, keys, ("dnspod", "2021-03-23"), fake_now, &mut st.expired) {
        Ok(action) => action,
        Err((code, message)) => return err(code, &message),
    };
    if !st.allowed.contains(&action.as_str()) {
        return err(
            "AuthFailure.UnauthorizedOperation",
            &format!("You are not authorized to perform operation (dnspod:{action})."),
        );
    }
    let body = req.json();
    st.actions.push((action.clone(), body.clone()));
    if st.inject.as_ref().is_some_and(|(a, _, _)| *a == action) {
        let (_, code, message) = st.inject.take().unwrap();
        return err(&code, &message);
    }
    let s = |k: &str| body[k].as_str().unwrap_or("").to_string();
    let domain = s("Domain");
    if !st.domains.iter().any(|d| d.eq_ignore_ascii_case(&domain)) {
        if st.domains.iter().any(|d| domain.ends_with(&format!(".{d}"))) {
            return err("InvalidParameter.DomainInvalid", "域名不正确，请输入主域名，如 dnspod.cn。");
        }
        return err("InvalidParameterValue.DomainNotExists", "当前域名有误，请返回重新操作。");
    }
    match action.as_str() {
        "DescribeRecordList" => {
            if body.get("SubDomain").is_some() {
                return err("UnknownParameter", "The parameter `SubDomain` is not recognized.");
            }
            let lag = st.lag;
            let matching: Vec<&TcRecord> = st
                .records
                .iter()
                .filter(|r| r.domain == domain && r.created.elapsed() >= lag)
                .filter(|r| body.get("Subdomain").is_none() || r.name.eq_ignore_ascii_case(&s("Subdomain")))
                .filter(|r| body.get("RecordType").is_none() || r.rtype == s("RecordType"))
                .collect();
            if matching.is_empty() {
                return err("ResourceNotFound.NoDataOfRecord", "记录列表为空。");
            }
            let offset = body["Offset"].as_u64().unwrap_or(0) as usize;
            let limit = body["Limit"].as_u64().unwrap_or(100) as usize;
            let list: Vec<Value> = matching
                .iter()
                .skip(offset)
                .take(limit)
                .map(|r| json!({"RecordId": r.id, "Name": r.name, "Type": r.rtype, "Value": r.value, "TTL": r.ttl,
                                "Line": r.line, "LineId": "0", "Remark": r.remark, "Status": r.status,
                                "Weight": r.weight, "MX": 0, "MonitorStatus": "", "UpdatedOn": "2026-01-01 00:00:00"}))
                .collect();
            reply(
                json!({"RecordCountInfo": {"SubdomainCount": matching.len(), "ListCount": list.len(), "TotalCount": matching.len()},
                         "RecordList": list}),
            )
        }
        "CreateRecord" | "ModifyRecord" => {
            let line = if s("RecordLineId") == "0" { "默认".to_string() } else { s("RecordLine") };
            if !LINES.contains(&line.as_str()) {
                return err("InvalidParameter.RecordLineInvalid", "记录线路错误。");
            }
            // SubDomain defaults to @ when it is not sent.
            let name = Some(s("SubDomain")).filter(|x| !x.is_empty()).unwrap_or_else(|| "@".into());
            let ttl = body["TTL"].as_u64().unwrap_or(st.default_ttl);
            if ttl < 600 {
                return err("LimitExceeded.RecordTtlLimit", "记录的TTL值超出了限制。");
            }
            if s("Remark").chars().count() > 200 {
                return err("InvalidParameter.RemarkTooLong", "备注长度超出限制。");
            }
            if s("RecordType") == "A" && s("Value").parse::<std::net::Ipv4Addr>().is_err() {
                return err("InvalidParameter.RecordValueInvalid", "记录值无效。");
            }
            if action == "CreateRecord" {
                if st.records.iter().any(|r| {
                    r.domain == domain
                        && r.name == name
                        && r.rtype == s("RecordType")
                        && r.value == s("Value")
                        && r.line == line
                }) {
                    return err("InvalidParameter.DomainRecordExist", "记录已经存在，无需再次添加。");
                }
                st.next_id += 1;
                let id = st.next_id;
                st.records.push(TcRecord {
                    id,
                    domain,
                    name,
                    rtype: s("RecordType"),
                    value: s("Value"),
                    ttl,
                    line,
                    remark: s("Remark"),
                    created: Instant::now(),
                    status: "ENABLE".into(),
                    weight: None,
                });
                reply(json!({"RecordId": id}))
            } else {
                let rid = body["RecordId"].as_u64().unwrap_or(0);
                let Some(r) = st.records.iter_mut().find(|r| r.id == rid) else {
                    return err("InvalidParameter.RecordIdInvalid", "记录编号错误。");
                };
                r.name = name;
                r.rtype = s("RecordType");
                r.value = s("Value");
                r.ttl = ttl;
                r.line = line;
                if body.get("Remark").is_some() {
                    r.remark = s("Remark");
                }
                // "Status … 默认为 ENABLE": an update without it switches a paused record on.
                r.status = if body["Status"] == "DISABLE" { "DISABLE".into() } else { "ENABLE".into() };
                r.weight = body["Weight"].as_u64();
                reply(json!({"RecordId": rid}))
            }
        }
        _ => err("InvalidAction", "The action is not found."),
    }
}
