//! Aliyun DNS (alidns, RPC API 2015-01-09), using only the actions of the documented minimal
//! RAM policy: DescribeDomainRecords, AddDomainRecord, UpdateDomainRecord and
//! UpdateDomainRecordRemark.

use std::io::Read;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

use http::Method;
use serde_json::Value;

use super::aliyun_sign::signed_query;
use super::{
    Call, Change, Listing, Meaning, Modified, Provider, Record, Shape, Signed, SignedClient, Spec, hex,
};
use crate::error::{Error, Op, ProviderError, provider_field};
use crate::time::Utc;
use crate::upstream::{Client, Endpoint, Response};

const NAME: &str = Aliyun::SPEC.name;
const VERSION: &str = "2015-01-09";
/// The most DescribeDomainRecords returns per page.
const PAGE_SIZE: u64 = 500;
const MAX_PAGES: u64 = 20;
/// What Aliyun gives a record created without a TTL.
const DEFAULT_TTL: u32 = 600;

pub struct Aliyun {
    api: SignedClient,
}

/// Unique per request, as Aliyun requires: time, a counter and random bytes.
fn nonce() -> String {
    // 32 bits: ARMv5 and MIPS32 have no 64-bit atomics; time and random bytes do the rest.
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let mut random = [0u8; 8];
    let _ = std::fs::File::open("/dev/urandom").and_then(|mut f| f.read_exact(&mut random));
    let nanos =
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos());
    format!("{nanos:x}-{:x}-{}", COUNTER.fetch_add(1, Ordering::Relaxed), hex(&random))
}

impl Aliyun {
    /// One signed action (GET with the signature in the query).
    async fn call(
        &self,
        call: &mut Call<'_>,
        op: Op,
        action: &str,
        params: &[(&str, &str)],
    ) -> Result<Value, Error> {
        let cred = call.cred;
        let (id, secret) = cred.pair()?;
        let sign = |now: i64| {
            let timestamp = Utc::from_unix(now).iso8601();
            let nonce = nonce();
            let mut all: Vec<(&str, &str)> = vec![
                ("Action", action),
                ("Format", "JSON"),
                ("Version", VERSION),
                ("AccessKeyId", id),
                ("SignatureMethod", "HMAC-SHA1"),
                ("SignatureVersion", "1.0"),
                ("SignatureNonce", &nonce),
                ("Timestamp", &timestamp),
            ];
            all.extend_from_slice(params);
            let target = format!("/?{}", signed_query(secret, &all));
            Signed { method: Method::GET, target, headers: Vec::new(), body: Vec::new() }
        };
        let read = |resp: &Response| parse(call, op, action, resp);
        self.api.exchange(&Self::SPEC, op, sign, read).await
    }

    async fn set_remark(&self, call: &mut Call<'_>, id: &str, remark: &str) -> Result<(), Error> {
        let params = [("RecordId", id), ("Remark", remark)];
        self.call(call, Op::Update, "UpdateDomainRecordRemark", &params).await.map(drop)
    }

    /// Sets the remark after a write; a failure then is a warning, since the record was
    /// already written and the reply must not pretend the remark was set.
    async fn remark_after_write(&self, call: &mut Call<'_>, rec: &mut Record, remark: &str) {
        match self.set_remark(call, &rec.id, remark).await {
            Ok(()) => rec.comment = Some(remark.to_string()),
            Err(e) => call.warnings.push(format!("The record was written, but its comment was not set: {e}")),
        }
    }
}

impl Provider for Aliyun {
    const SPEC: Spec = Spec {
        id: "aliyun",
        name: "Aliyun",
        endpoint_key: "providers.aliyun.endpoint",
        default_endpoint: "https://alidns.aliyuncs.com",
        credential: Shape::IdAndSecret,
        signs_with_clock: true,
        max_comment: crate::record::MAX_COMMENT,
        // Any other code on a write is about the values we passed on.
        errors: &[
            ("InvalidDomainName.NoExist", Meaning::NoZone),
            ("IncorrectDomainUser", Meaning::NoZone),
            ("InvalidTimeStamp.Expired", Meaning::Clock),
            ("Throttling*", Meaning::RateLimit(None)),
            ("InvalidAccessKeyId*", Meaning::Credential),
            ("SignatureDoesNotMatch", Meaning::Credential),
            ("InvalidSecurityToken*", Meaning::Credential),
            ("Forbidden*", Meaning::Credential),
            ("SignatureNonceUsed", Meaning::Outage),
            ("InternalError*", Meaning::Outage),
            ("ServiceUnavailable*", Meaning::Outage),
            ("UnknownError*", Meaning::Outage),
        ],
    };
    type Zone = ();

    fn new(endpoint: Endpoint, client: Arc<Client>) -> Aliyun {
        Aliyun { api: SignedClient::new(endpoint, client) }
    }

    async fn list(&self, call: &mut Call<'_>) -> Result<Listing<()>, Error> {
        let want = call.want;
        let rtype = want.rtype.as_str();
        let mut out = Vec::new();
        let mut seen = 0;
        for page in 1..=MAX_PAGES {
            let (page_s, size_s) = (page.to_string(), PAGE_SIZE.to_string());
            // RRKeyWord is a fuzzy match (`home` finds `home2`, `a.home`): keep exact hits only.
            let params = [
                ("DomainName", want.zone.as_str()),
                ("RRKeyWord", want.name.as_str()),
                ("TypeKeyWord", rtype),
                ("PageNumber", page_s.as_str()),
                ("PageSize", size_s.as_str()),
            ];
            let v = self.call(call, Op::Query, "DescribeDomainRecords", &params).await?;
            let records = v["DomainRecords"]["Record"].as_array().cloned().unwrap_or_default();
            for r in &records {
                let same = r["RR"].as_str().is_some_and(|x| x.eq_ignore_ascii_case(&want.name));
                if same && r["Type"].as_str() == Some(rtype) {
                    out.push(record(r)?);
                }
            }
            // Count what came back rather than trust our PageSize: the server may cap it.
            seen += records.len() as u64;
            let total = v["TotalCount"].as_u64().unwrap_or(0);
            if records.is_empty() || seen >= total {
                break;
            }
        }
        Ok(Listing { zone: (), records: out })
    }

    async fn create(&self, call: &mut Call<'_>, _: &()) -> Result<Record, Error> {
        let want = call.want;
        let ttl = want.ttl.map(|t| t.to_string());
        let mut params = vec![
            ("DomainName", want.zone.as_str()),
            ("RR", want.name.as_str()),
            ("Type", want.rtype.as_str()),
            ("Value", want.value.as_str()),
        ];
        if let Some(t) = &ttl {
            params.push(("TTL", t));
        }
        let v = self.call(call, Op::Create, "AddDomainRecord", &params).await?;
        let id =
            id_of(&v["RecordId"]).ok_or(Error::BadAnswer { op: Op::Create, provider: NAME, status: 200 })?;
        let ttl = want.ttl.unwrap_or(DEFAULT_TTL);
        let mut rec = Record { id, value: want.value.clone(), ttl, comment: None, line: None };
        if let Some(c) = &want.comment {
            self.remark_after_write(call, &mut rec, c).await;
        }
        Ok(rec)
    }

    async fn modify(&self, call: &mut Call<'_>, _: &(), current: &Record, change: &Change) -> Result<Modified, Error> {
        let want = call.want;
        let mut rec = current.clone();
        let mut wrote = false;
        if change.value.is_some() || change.ttl.is_some() {
            let value = change.value.clone().unwrap_or_else(|| current.value.clone());
            // What is not sent is reset: TTL to the default, and Line to `default`, which
            // would move a `telecom` or `oversea` record. Send what the record has.
            let ttl = change.ttl.unwrap_or(current.ttl).to_string();
            let mut params = vec![
                ("RecordId", current.id.as_str()),
                ("RR", want.name.as_str()),
                ("Type", want.rtype.as_str()),
                ("Value", value.as_str()),
                ("TTL", ttl.as_str()),
            ];
            if let Some(line) = &current.line {
                params.push(("Line", line));
            }
            match self.call(call, Op::Update, "UpdateDomainRecord", &params).await {
                Ok(_) => wrote = true,
                // Aliyun refuses a write identical to what it stores (our list was stale, or
                // it spells the value differently): the record is already as wanted.
                Err(Error::Refused { err, .. }) if err.code == "DomainRecordDuplicate" => {}
                Err(e) => return Err(e),
            }
            rec.value = value;
            rec.ttl = change.ttl.unwrap_or(current.ttl);
        }
        if let Some(c) = &change.comment {
            if wrote {
                self.remark_after_write(call, &mut rec, c).await;
            } else {
                self.set_remark(call, &current.id, c).await?;
                rec.comment = Some(c.clone());
                wrote = true;
            }
        }
        Ok(if wrote { Modified::Changed(rec) } else { Modified::AlreadyAsWanted(rec) })
    }
}

fn id_of(v: &Value) -> Option<String> {
    match v {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn record(r: &Value) -> Result<Record, Error> {
    let bad = || Error::BadAnswer { op: Op::Query, provider: NAME, status: 200 };
    Ok(Record {
        id: id_of(&r["RecordId"]).ok_or_else(bad)?,
        value: r["Value"].as_str().ok_or_else(bad)?.to_string(),
        ttl: r["TTL"].as_u64().unwrap_or(u64::from(DEFAULT_TTL)) as u32,
        comment: r["Remark"].as_str().map(String::from),
        line: r["Line"].as_str().map(String::from),
    })
}

/// Aliyun error messages may echo the string-to-sign (with the AccessKeyId): keep the
/// first sentence only (`ProviderError::new` scrubs what is left).
fn first_sentence(msg: &str) -> String {
    if msg.to_ascii_lowercase().contains("string to sign") {
        msg.split(". ").next().unwrap_or("").trim_end_matches('.').to_string() + "."
    } else {
        msg.to_string()
    }
}

fn parse(call: &mut Call<'_>, op: Op, action: &str, resp: &Response) -> Result<Value, Error> {
    let v: Value = match serde_json::from_slice(&resp.body) {
        Ok(v @ Value::Object(_)) => v,
        _ if resp.status == 429 => return Err(Error::RateLimited { provider: NAME, retry_after: None }),
        _ => return Err(Error::BadAnswer { op, provider: NAME, status: resp.status }),
    };
    let request_id = v["RequestId"].as_str();
    if let Some(id) = request_id {
        call.meta.request_id = Some(provider_field(call.cred, id));
    }
    let Some(code) = v["Code"].as_str().filter(|_| !(200..300).contains(&resp.status)) else {
        if (200..300).contains(&resp.status) {
            return Ok(v);
        }
        return Err(Error::BadAnswer { op, provider: NAME, status: resp.status });
    };
    let mut message = first_sentence(v["Message"].as_str().unwrap_or("request failed"));
    if code == "Forbidden.RAM" {
        message = format!("{message} (the RAM policy must allow alidns:{action})");
    }
    let err = ProviderError::new(NAME, call.cred, code, &message, request_id);
    Err(Aliyun::SPEC.failure(op, call.want, err, Meaning::Values))
}

#[cfg(test)]
mod tests {
    use super::nonce;

    #[test]
    fn nonces_differ() {
        let a: std::collections::HashSet<String> = (0..1000).map(|_| nonce()).collect();
        assert_eq!(a.len(), 1000);
    }
}
