//! Tencent Cloud DNSPod (API 3.0, 2021-03-23), using only the actions of the documented
//! minimal CAM policy: DescribeRecordList, CreateRecord and ModifyRecord (the remark
//! travels in the last two).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use http::Method;
use serde_json::{Value, json};

use super::tencent_sign::sign;
use super::{
    Call, Change, Listing, Meaning, Modified, Provider, Record, Shape, Signed, SignedClient, Spec, fingerprint,
};
use crate::error::{Error, Op, ProviderError, provider_field};
use crate::upstream::{Client, Endpoint, Response};

const NAME: &str = Tencent::SPEC.name;
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
    api: SignedClient,
    recent: Mutex<Recent>,
}

fn recent_key(call: &Call<'_>) -> [u8; 32] {
    let id = call.cred.id.as_deref().unwrap_or("");
    fingerprint(&[Tencent::SPEC.id, id, &call.want.zone, &call.want.name, call.want.rtype.as_str()])
}

impl Tencent {
    fn recent(&self) -> std::sync::MutexGuard<'_, Recent> {
        self.recent.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// One signed action (POST / with a JSON body).
    async fn call(&self, call: &mut Call<'_>, op: Op, action: &str, body: &Value) -> Result<Value, Error> {
        let cred = call.cred;
        let (id, secret) = cred.pair()?;
        let body = body.to_string().into_bytes();
        // Signed for the host we actually send to (tests and proxies use other endpoints).
        let host = self.api.endpoint.authority();
        let sign = |now: i64| {
            let signed = sign(id, secret, SERVICE, &host, CONTENT_TYPE, &body, now);
            let headers = vec![
                ("authorization", signed.authorization),
                ("content-type", CONTENT_TYPE.to_string()),
                ("x-tc-action", action.to_string()),
                ("x-tc-version", VERSION.to_string()),
                ("x-tc-timestamp", signed.timestamp),
            ];
            Signed { method: Method::POST, target: "/".into(), headers, body: body.clone() }
        };
        let read = |resp: &Response| parse(call, op, resp);
        self.api.exchange(&Self::SPEC, op, sign, read).await
    }
}

impl Provider for Tencent {
    const SPEC: Spec = Spec {
        id: "tencent",
        name: "Tencent",
        endpoint_key: "providers.tencent.endpoint",
        default_endpoint: "https://dnspod.tencentcloudapi.com",
        credential: Shape::IdAndSecret,
        signs_with_clock: true,
        // InvalidParameter.RemarkTooLong: "不能超过200个字".
        max_comment: 200,
        // From the SDK's errors.go (dnspod 2021-03-23). Exact codes first: several
        // account and rate-limit problems hide under InvalidParameter.
        errors: &[
            ("InvalidParameterValue.DomainNotExists", Meaning::NoZone),
            ("FailedOperation.NotDomainOwner", Meaning::NoZone),
            ("AuthFailure.SignatureExpire", Meaning::Clock),
            // "当前操作过于频繁，请 1 分钟后重试" / "您操作过于频繁，请稍后重试".
            ("InvalidParameter.OperationIsTooFrequent", Meaning::RateLimit(Some(60))),
            ("InvalidParameter.Common", Meaning::RateLimit(Some(60))),
            // The API's own limit is per second.
            ("RequestLimitExceeded*", Meaning::RateLimit(Some(1))),
            ("AuthFailure*", Meaning::Credential),
            ("UnauthorizedOperation*", Meaning::Credential),
            ("OperationDenied*", Meaning::Credential),
            ("InvalidParameter.PermissionDenied", Meaning::Credential),
            ("InvalidParameter.InvalidSecretId", Meaning::Credential),
            ("InvalidParameter.InvalidSignature", Meaning::Credential),
            ("InvalidParameter.TimestampExpired", Meaning::Credential),
            ("InvalidParameter.AccountIsBanned", Meaning::Credential),
            ("InvalidParameter.RequestIpLimited", Meaning::Credential),
            ("InvalidParameter.UnrealNameUser", Meaning::Credential),
            ("InvalidParameter.UserAlreadyLocked", Meaning::Credential),
            ("InvalidParameter.LoginToken*", Meaning::Credential),
            ("LimitExceeded.FailedLoginLimitExceeded", Meaning::Credential),
            ("FailedOperation.AccountIsLocked", Meaning::Credential),
            ("FailedOperation.LoginAreaNotAllowed", Meaning::Credential),
            ("FailedOperation.LoginFailed", Meaning::Credential),
            ("FailedOperation.LoginTimeout", Meaning::Credential),
            ("FailedOperation.NotRealNamedUser", Meaning::Credential),
            ("FailedOperation.NotResourceOwner", Meaning::Credential),
            ("InvalidParameter*", Meaning::Values),
            ("LimitExceeded*", Meaning::Values),
            ("MissingParameter", Meaning::Values),
        ],
    };
    type Zone = ();

    fn new(endpoint: Endpoint, client: Arc<Client>) -> Tencent {
        Tencent { api: SignedClient::new(endpoint, client), recent: Mutex::new(HashMap::new()) }
    }

    async fn list(&self, call: &mut Call<'_>) -> Result<Listing<()>, Error> {
        let want = call.want;
        let rtype = want.rtype.as_str();
        let mut out = Vec::new();
        let mut offset = 0;
        loop {
            let body = json!({
                "Domain": want.zone,
                "Subdomain": want.name,
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
                let same = r["Name"].as_str().is_some_and(|n| n.eq_ignore_ascii_case(&want.name));
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
        Ok(Listing { zone: (), records: out })
    }

    async fn create(&self, call: &mut Call<'_>, _: &()) -> Result<Record, Error> {
        let want = call.want;
        let mut body = json!({
            "Domain": want.zone,
            "SubDomain": want.name,
            "RecordType": want.rtype.as_str(),
            "RecordLine": DEFAULT_LINE,
            "Value": want.value,
        });
        if let Some(t) = want.ttl {
            body["TTL"] = json!(t);
        }
        if let Some(c) = &want.comment {
            body["Remark"] = json!(c);
        }
        let v = self.call(call, Op::Create, "CreateRecord", &body).await?;
        let id =
            v["RecordId"].as_u64().ok_or(Error::BadAnswer { op: Op::Create, provider: NAME, status: 200 })?;
        let rec = Record {
            id: id.to_string(),
            value: want.value.clone(),
            ttl: want.ttl.unwrap_or(DEFAULT_TTL),
            comment: want.comment.clone(),
            line: Some(DEFAULT_LINE.into()),
        };
        self.recent().insert(recent_key(call), (rec.clone(), Instant::now()));
        Ok(rec)
    }

    async fn modify(&self, call: &mut Call<'_>, _: &(), current: &Record, change: &Change) -> Result<Modified, Error> {
        let want = call.want;
        let id: u64 = current.id.parse().map_err(|_| Error::BadAnswer {
            op: Op::Update,
            provider: NAME,
            status: 200,
        })?;
        let value = change.value.clone().unwrap_or_else(|| current.value.clone());
        // ModifyRecord resets what it is not given: send the TTL and line the record has.
        let ttl = change.ttl.unwrap_or(current.ttl);
        let mut body = json!({
            "Domain": want.zone,
            "SubDomain": want.name,
            "RecordType": want.rtype.as_str(),
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
        Ok(Modified::Changed(rec))
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
    Err(Tencent::SPEC.failure(op, call.want, err, Meaning::Outage))
}
