//! Cloudflare API v4 with an API token: zone id by name (cached), list by type and full
//! name, create with POST, change with PATCH carrying only what changes (so `proxied`
//! and everything else we do not name stay as they are).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use http::Method;
use serde_json::{Value, json};

use super::{Call, Change, Provider, Record, fingerprint};
use crate::error::{Error, Op, ProviderError, provider_field};
use crate::upstream::{Client, Endpoint, Response};
use crate::urlenc::encode;

const NAME: &str = "Cloudflare";
/// Zone ids hardly ever change; a deleted and re-added zone is noticed within this time,
/// and sooner through the error that evicts it.
const ZONE_TTL: Duration = Duration::from_secs(600);
/// Zone ids kept at most: far more token and zone pairs than one router uses, and a bound
/// on what a client sending ever new tokens can make us hold.
pub const MAX_ZONES: usize = 256;
const PER_PAGE: u32 = 100;
/// Far more records of one name and type than any zone has; a bound on a looping API.
const MAX_PAGES: u32 = 50;

/// (fingerprint of the token, zone name) → (zone id, when learned).
type ZoneCache = HashMap<([u8; 32], String), (String, Instant)>;

pub struct Cloudflare {
    endpoint: Endpoint,
    client: Arc<Client>,
    zones: Mutex<ZoneCache>,
}

impl Cloudflare {
    pub fn new(endpoint: Endpoint, client: Arc<Client>) -> Cloudflare {
        Cloudflare { endpoint, client, zones: Mutex::new(HashMap::new()) }
    }

    fn zone_key(call: &Call<'_>) -> Result<([u8; 32], String), Error> {
        Ok((fingerprint(&["cloudflare", call.cred.secret()?]), call.req.zone.clone()))
    }

    /// One API call; returns the envelope's `result` or the error it stands for.
    async fn call(
        &self,
        call: &mut Call<'_>,
        op: Op,
        method: Method,
        target: &str,
        body: Option<Value>,
    ) -> Result<(Value, Value), Error> {
        let auth = format!("Bearer {}", call.cred.secret()?);
        let mut headers = vec![("authorization", auth.as_str())];
        if body.is_some() {
            headers.push(("content-type", "application/json"));
        }
        let bytes = body.map(|b| b.to_string().into_bytes()).unwrap_or_default();
        let resp = self
            .client
            .send(&self.endpoint, method, target, &headers, bytes)
            .await
            .map_err(|fault| Error::Upstream { op, provider: NAME, fault })?;
        if let Some(ray) = resp.header("cf-ray") {
            call.meta.extra.cf_ray = Some(provider_field(call.cred, ray));
        }
        envelope(call, op, resp)
    }

    async fn zone_id(&self, call: &mut Call<'_>) -> Result<String, Error> {
        let key = Self::zone_key(call)?;
        if let Some((id, at)) = self.zones.lock().unwrap_or_else(|e| e.into_inner()).get(&key) {
            if at.elapsed() < ZONE_TTL {
                return Ok(id.clone());
            }
        }
        let target = format!("/zones?name={}", encode(&call.req.zone));
        let (result, _) = self.call(call, Op::Query, Method::GET, &target, None).await?;
        let id = result
            .as_array()
            .into_iter()
            .flatten()
            .find(|z| z["name"].as_str().is_some_and(|n| n.eq_ignore_ascii_case(&call.req.zone)))
            .and_then(|z| z["id"].as_str())
            .map(String::from)
            .ok_or_else(|| Error::ZoneNotFound {
                zone: call.req.zone.clone(),
                hint: " (or the API token has no access to it)",
            })?;
        self.remember_zone(key, id.clone());
        Ok(id)
    }

    /// Caches a zone id; when full, drops the expired ids first, then the oldest.
    fn remember_zone(&self, key: ([u8; 32], String), id: String) {
        let mut zones = self.zones.lock().unwrap_or_else(|e| e.into_inner());
        if zones.len() >= MAX_ZONES && !zones.contains_key(&key) {
            zones.retain(|_, (_, at)| at.elapsed() < ZONE_TTL);
            if zones.len() >= MAX_ZONES {
                let oldest = zones.iter().min_by_key(|(_, (_, at))| *at).map(|(k, _)| k.clone());
                if let Some(k) = oldest {
                    zones.remove(&k);
                }
            }
        }
        zones.insert(key, (id, Instant::now()));
    }

    /// How many zone ids are cached (for tests and the curious).
    pub fn cached_zones(&self) -> usize {
        self.zones.lock().unwrap_or_else(|e| e.into_inner()).len()
    }

    fn forget_zone(&self, call: &Call<'_>) {
        if let Ok(key) = Self::zone_key(call) {
            self.zones.lock().unwrap_or_else(|e| e.into_inner()).remove(&key);
        }
    }

    async fn list_in(&self, call: &mut Call<'_>, zone: &str) -> Result<Vec<Record>, Error> {
        let fqdn = call.req.fqdn();
        let rtype = call.req.rtype.as_str();
        let mut out = Vec::new();
        let mut page = 1;
        loop {
            let target = format!(
                "/zones/{zone}/dns_records?type={rtype}&name={}&per_page={PER_PAGE}&page={page}",
                encode(&fqdn)
            );
            let (result, whole) = self.call(call, Op::Query, Method::GET, &target, None).await?;
            for r in result.as_array().into_iter().flatten() {
                let same_name = r["name"].as_str().is_some_and(|n| n.eq_ignore_ascii_case(&fqdn));
                if same_name && r["type"].as_str() == Some(rtype) {
                    out.push(record(r)?);
                }
            }
            let pages = whole["result_info"]["total_pages"].as_u64().unwrap_or(1);
            if u64::from(page) >= pages || page >= MAX_PAGES {
                return Ok(out);
            }
            page += 1;
        }
    }
}

impl Provider for Cloudflare {
    async fn list(&self, call: &mut Call<'_>) -> Result<Vec<Record>, Error> {
        let zone = self.zone_id(call).await?;
        call.meta.zone_id = Some(zone.clone());
        let listed = self.list_in(call, &zone).await;
        if listed.is_err() {
            // A cached id may be stale (zone deleted and added again): ask afresh next time.
            self.forget_zone(call);
        }
        listed
    }

    async fn create(&self, call: &mut Call<'_>) -> Result<Record, Error> {
        let zone = call.meta.zone_id.clone().unwrap_or_default();
        let mut body = json!({
            "type": call.req.rtype.as_str(),
            "name": call.req.fqdn(),
            "content": call.req.value,
            // 1 is Cloudflare's "automatic" TTL, its default for new records.
            "ttl": call.req.ttl.unwrap_or(1),
            "proxied": false,
        });
        if let Some(c) = &call.req.comment {
            body["comment"] = json!(c);
        }
        let target = format!("/zones/{zone}/dns_records");
        let (result, _) = self.call(call, Op::Create, Method::POST, &target, Some(body)).await?;
        record(&result)
    }

    async fn update(
        &self,
        call: &mut Call<'_>,
        current: &Record,
        change: &Change,
    ) -> Result<(Record, bool), Error> {
        let zone = call.meta.zone_id.clone().unwrap_or_default();
        let mut body = json!({});
        if let Some(v) = &change.value {
            body["content"] = json!(v);
        }
        if let Some(t) = change.ttl {
            body["ttl"] = json!(t);
        }
        if let Some(c) = &change.comment {
            body["comment"] = json!(c);
        }
        let target = format!("/zones/{zone}/dns_records/{}", current.id);
        let (result, _) = self.call(call, Op::Update, Method::PATCH, &target, Some(body)).await?;
        Ok((record(&result)?, true))
    }
}

fn record(r: &Value) -> Result<Record, Error> {
    let bad = || Error::BadAnswer { op: Op::Query, provider: NAME, status: 200 };
    Ok(Record {
        id: r["id"].as_str().ok_or_else(bad)?.to_string(),
        value: r["content"].as_str().ok_or_else(bad)?.to_string(),
        ttl: r["ttl"].as_u64().unwrap_or(1) as u32,
        comment: r["comment"].as_str().map(String::from),
        line: None,
    })
}

/// Reads Cloudflare's envelope `{success, errors, result}`.
fn envelope(call: &Call<'_>, op: Op, resp: Response) -> Result<(Value, Value), Error> {
    if resp.status == 429 {
        // Passed on as our own header: only the delta-seconds form, nothing else.
        let retry_after = resp
            .header("retry-after")
            .map(str::trim)
            .filter(|s| !s.is_empty() && s.len() <= 6 && s.bytes().all(|b| b.is_ascii_digit()))
            .map(String::from);
        return Err(Error::RateLimited { provider: NAME, retry_after });
    }
    let whole: Value = match serde_json::from_slice(&resp.body) {
        Ok(v @ Value::Object(_)) => v,
        _ => return Err(Error::BadAnswer { op, provider: NAME, status: resp.status }),
    };
    if whole["success"].as_bool() == Some(true) && (200..300).contains(&resp.status) {
        let result = whole["result"].clone();
        return Ok((result, whole));
    }
    let first = &whole["errors"][0];
    let code = match &first["code"] {
        Value::Number(n) => n.to_string(),
        Value::String(s) => s.clone(),
        _ => resp.status.to_string(),
    };
    let message = first["message"].as_str().unwrap_or("request failed");
    let err = ProviderError::new(NAME, call.cred, &code, message, resp.header("cf-ray"));
    // A 400 on a write is Cloudflare refusing the values we passed on (bad content, TTL,
    // comment too long, a conflicting record): the caller's to fix. Anything else —
    // credential, permission, outage — is the provider's side.
    if op != Op::Query && resp.status == 400 {
        Err(Error::Refused { op, err })
    } else {
        Err(Error::Provider { op, err })
    }
}
