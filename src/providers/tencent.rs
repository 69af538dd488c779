//! Tencent Cloud DNSPod (API 3.0, 2021-03-23), using only the actions of the documented
//! minimal CAM policy: DescribeRecordList, CreateRecord and ModifyRecord (the remark
//! travels in the last two).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use http::Method;
use serde_json::{Value, json};

use super::tencent_sign::sign;
use super::{Call, Change, Clock, Provider, Record, fingerprint};
use crate::error::{Error, Op, ProviderError, provider_field};
use crate::upstream::{Client, Endpoint, Response};
use crate::warn;

const NAME: &str = "Tencent";
const VERSION: &str = "2021-03-23";
const SERVICE: &str = "dnspod";
const CONTENT_TYPE: &str = "application/json; charset=utf-8";
const DEFAULT_LINE: &str = "默认";
const DEFAULT_TTL: u32 = 600;
const LIMIT: u64 = 3000;
/// DNSPod lists a new record only some seconds (up to ~30 s) after creating it; remember
/// our own creations longer than that, so a second call updates instead of creating again.
const REMEMBER_CREATED: Duration = Duration::from_secs(90);

/// (fingerprint of secret id, zone, name, type) → the record we created, and when.
type Recent = HashMap<[u8; 32], (Record, Instant)>;

pub struct Tencent {
    endpoint: Endpoint,
    client: Arc<Client>,
    clock: Clock,
    recent: Mutex<Recent>,
}

fn recent_key(call: &Call<'_>) -> [u8; 32] {
    let id = call.cred.id.as_deref().unwrap_or("");
    fingerprint(&["tencent", id, &call.req.zone, &call.req.record, call.req.rtype.as_str()])
}

impl Tencent {
    pub fn new(endpoint: Endpoint, client: Arc<Client>) -> Tencent {
        Tencent { endpoint, client, clock: Clock::default(), recent: Mutex::new(HashMap::new()) }
    }

    fn recent(&self) -> std::sync::MutexGuard<'_, Recent> {
        self.recent.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// One signed action; re-signed once with the server's clock if it calls ours expired.
    async fn call(&self, call: &mut Call<'_>, op: Op, action: &str, body: &Value) -> Result<Value, Error> {
        let (id, secret) = call.cred.pair()?;
        let body = body.to_string().into_bytes();
        // Signed for the host we actually send to (tests and proxies use other endpoints).
        let host = self.endpoint.authority();
        let mut retried = false;
        loop {
            let signed = sign(id, secret, SERVICE, &host, CONTENT_TYPE, &body, self.clock.now());
            let headers = [
                ("authorization", signed.authorization.as_str()),
                ("content-type", CONTENT_TYPE),
                ("x-tc-action", action),
                ("x-tc-version", VERSION),
                ("x-tc-timestamp", signed.timestamp.as_str()),
            ];
            let resp = self
                .client
                .send(&self.endpoint, Method::POST, "/", &headers, body.clone())
                .await
                .map_err(|fault| Error::Upstream { op, provider: NAME, fault })?;
            match parse(call, op, &resp) {
                Err(Error::Provider { err, .. }) if err.code == "AuthFailure.SignatureExpire" && !retried => {
                    let Some(offset) = self.clock.learn(&resp) else {
                        return Err(Error::Provider { op, err });
                    };
                    warn!("Tencent says our clock is off by {offset} s; signing with Tencent's time");
                    retried = true;
                }
                other => return other,
            }
        }
    }
}

impl Provider for Tencent {
    async fn list(&self, call: &mut Call<'_>) -> Result<Vec<Record>, Error> {
        let rtype = call.req.rtype.as_str();
        let mut out = Vec::new();
        let mut offset = 0;
        loop {
            let body = json!({
                "Domain": call.req.zone,
                "Subdomain": call.req.record,
                "RecordType": rtype,
                "Limit": LIMIT,
                "Offset": offset,
            });
            let v = match self.call(call, Op::Query, "DescribeRecordList", &body).await {
                Ok(v) => v,
                // DNSPod answers an empty list with this error.
                Err(Error::Provider { err, .. }) if err.code == "ResourceNotFound.NoDataOfRecord" => break,
                Err(e) => return Err(e),
            };
            let list = v["RecordList"].as_array().cloned().unwrap_or_default();
            for r in &list {
                let same = r["Name"].as_str().is_some_and(|n| n.eq_ignore_ascii_case(&call.req.record));
                if same && r["Type"].as_str() == Some(rtype) {
                    out.push(record(r)?);
                }
            }
            offset += list.len() as u64;
            let total = v["RecordCountInfo"]["TotalCount"].as_u64().unwrap_or(0);
            if list.is_empty() || offset >= total || offset >= 10 * LIMIT {
                break;
            }
        }
        // A record we created moments ago may not be listed yet.
        let key = recent_key(call);
        let mut recent = self.recent();
        recent.retain(|_, (_, at)| at.elapsed() < REMEMBER_CREATED);
        if let Some((rec, _)) = recent.get(&key) {
            if out.iter().any(|r| r.id == rec.id) {
                recent.remove(&key);
            } else {
                out.push(rec.clone());
            }
        }
        Ok(out)
    }

    async fn create(&self, call: &mut Call<'_>) -> Result<Record, Error> {
        let mut body = json!({
            "Domain": call.req.zone,
            "SubDomain": call.req.record,
            "RecordType": call.req.rtype.as_str(),
            "RecordLine": DEFAULT_LINE,
            "Value": call.req.value,
        });
        if let Some(t) = call.req.ttl {
            body["TTL"] = json!(t);
        }
        if let Some(c) = &call.req.comment {
            body["Remark"] = json!(c);
        }
        let v = self.call(call, Op::Create, "CreateRecord", &body).await?;
        let id =
            v["RecordId"].as_u64().ok_or(Error::BadAnswer { op: Op::Create, provider: NAME, status: 200 })?;
        let rec = Record {
            id: id.to_string(),
            value: call.req.value.clone(),
            ttl: call.req.ttl.unwrap_or(DEFAULT_TTL),
            comment: call.req.comment.clone(),
            line: Some(DEFAULT_LINE.into()),
        };
        self.recent().insert(recent_key(call), (rec.clone(), Instant::now()));
        Ok(rec)
    }

    async fn update(
        &self,
        call: &mut Call<'_>,
        current: &Record,
        change: &Change,
    ) -> Result<(Record, bool), Error> {
        let id: u64 = current.id.parse().map_err(|_| Error::BadAnswer {
            op: Op::Update,
            provider: NAME,
            status: 200,
        })?;
        let value = change.value.clone().unwrap_or_else(|| current.value.clone());
        // ModifyRecord resets what it is not given: send the TTL and line the record has.
        let ttl = change.ttl.unwrap_or(current.ttl);
        let mut body = json!({
            "Domain": call.req.zone,
            "SubDomain": call.req.record,
            "RecordType": call.req.rtype.as_str(),
            "RecordLine": current.line.as_deref().unwrap_or(DEFAULT_LINE),
            "Value": value,
            "RecordId": id,
            "TTL": ttl,
        });
        if let Some(c) = &change.comment {
            body["Remark"] = json!(c);
        }
        let key = recent_key(call);
        if let Err(e) = self.call(call, Op::Update, "ModifyRecord", &body).await {
            // If it was our remembered record that is gone, stop pretending it exists.
            self.recent().remove(&key);
            return Err(e);
        }
        let rec = Record {
            id: current.id.clone(),
            value,
            ttl,
            comment: change.comment.clone().or_else(|| current.comment.clone()),
            line: current.line.clone(),
        };
        if let Some((remembered, _)) = self.recent().get_mut(&key) {
            *remembered = rec.clone();
        }
        Ok((rec, true))
    }
}

fn record(r: &Value) -> Result<Record, Error> {
    let bad = || Error::BadAnswer { op: Op::Query, provider: NAME, status: 200 };
    Ok(Record {
        id: r["RecordId"].as_u64().ok_or_else(bad)?.to_string(),
        value: r["Value"].as_str().ok_or_else(bad)?.to_string(),
        ttl: r["TTL"].as_u64().unwrap_or(u64::from(DEFAULT_TTL)) as u32,
        comment: r["Remark"].as_str().map(String::from),
        line: r["Line"].as_str().map(String::from),
    })
}

fn parse(call: &mut Call<'_>, op: Op, resp: &Response) -> Result<Value, Error> {
    let v: Value = match serde_json::from_slice::<Value>(&resp.body) {
        Ok(v) if v["Response"].is_object() => v["Response"].clone(),
        _ if resp.status == 429 => return Err(Error::RateLimited { provider: NAME, retry_after: None }),
        _ => return Err(Error::BadAnswer { op, provider: NAME, status: resp.status }),
    };
    let request_id = v["RequestId"].as_str();
    if let Some(id) = request_id {
        call.meta.request_id = Some(provider_field(call.cred, id));
    }
    let Some(code) = v["Error"]["Code"].as_str() else {
        return Ok(v);
    };
    let message = v["Error"]["Message"].as_str().unwrap_or("request failed");
    let err = ProviderError::new(NAME, call.cred, code, message, request_id);
    Err(match code {
        "InvalidParameterValue.DomainNotExists" => {
            Error::ZoneNotFound { zone: call.req.zone.clone(), hint: "" }
        }
        c if c.starts_with("RequestLimitExceeded") => {
            Error::RateLimited { provider: NAME, retry_after: None }
        }
        c if op != Op::Query && (c.starts_with("InvalidParameter") || c.starts_with("LimitExceeded")) => {
            Error::Refused { op, err }
        }
        _ => Error::Provider { op, err },
    })
}
