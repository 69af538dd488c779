//! Cloudflare API v4 with an API token: zone id by name (cached), list by type and full
//! name, create with POST, change with PATCH carrying only what changes (so `proxied`
//! and everything else we do not name stay as they are). TXT content travels as RFC 1035
//! quoted strings, as Cloudflare's reference asks; it stores content exactly as sent.
//! Names go out in their ASCII form: Cloudflare knows internationalised names only so.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use http::Method;

use super::body::Body;
use super::listed::{Answer, Listed, Text, str_of};
use super::txt::{txt_content, txt_text};
use super::{
    Call, Change, Listing, Meaning, Modified, Pending, Provider, Record, Registered, Shape, Signed,
    SignedClient, Spec, Zone, fingerprint,
};
use crate::error::{Error, Op, ProviderError, provider_field};
use crate::record::RecordType;
use crate::upstream::{Client, Endpoint, Response, is_delta_seconds};
use crate::urlenc::encode;

/// Zone ids hardly ever change; a deleted and re-added zone is noticed within this time,
/// and sooner through the error that evicts it.
const ZONE_TTL: Duration = Duration::from_secs(600);
/// Zone ids kept at most: far more token and zone pairs than one router uses, and a bound
/// on what a client sending ever new tokens can make us hold.
pub const MAX_ZONES: usize = 256;
/// Records per page: the name and type are matched exactly, so one page is all a real name
/// has, and 50 records with the longest content and comments fit `upstream::MAX_RESPONSE`.
const PER_PAGE: u64 = 50;
/// Far more records of one name and type than any zone has; a bound on a looping API.
const MAX_PAGES: u64 = 50;
/// Zone states Cloudflare keeps listing after a zone stopped being this account's.
const DEAD_ZONES: [&str; 2] = ["deleted", "moved"];

/// (fingerprint of the token, zone name) → (zone id, when learned), oldest first.
type ZoneCache = Vec<(([u8; 32], String), (String, Instant))>;

pub struct Cloudflare {
    api: SignedClient,
    zones: Mutex<ZoneCache>,
}

impl Cloudflare {
    fn zone_key(call: &Call<'_>) -> Result<([u8; 32], String), Error> {
        Ok((fingerprint(&[Self::SPEC.id, call.cred.secret()?]), call.want.zone.clone()))
    }

    /// One API call: the answer (its `result`, and the page count of a listing), or the
    /// error it stands for.
    async fn call(
        &self,
        call: &mut Call<'_>,
        op: Op,
        method: Method,
        target: &str,
        body: Option<String>,
    ) -> Result<Answer, Error> {
        let mut headers = vec![("authorization", format!("Bearer {}", call.cred.secret()?))];
        if body.is_some() {
            headers.push(("content-type", "application/json".into()));
        }
        let body = body.map(String::into_bytes).unwrap_or_default();
        let sign = |_| Signed {
            method: method.clone(),
            target: target.into(),
            headers: headers.clone(),
            body: body.clone(),
        };
        let mut answer = None;
        let mut read = |resp: &Response| {
            if let Some(ray) = resp.header("cf-ray") {
                call.meta.extra.cf_ray = Some(provider_field(call.cred, ray));
            }
            answer = Some(envelope(call, op, resp)?);
            Ok(())
        };
        self.api.exchange(&Self::SPEC, op, &sign, &mut read).await?;
        answer.ok_or(Error::BadAnswer { op, provider: Self::SPEC.name, status: 200 })
    }

    async fn zone_id(&self, call: &mut Call<'_>) -> Result<String, Error> {
        let key = Self::zone_key(call)?;
        if let Some((_, (id, at))) =
            self.zones.lock().unwrap_or_else(|e| e.into_inner()).iter().find(|(k, _)| *k == key)
        {
            if at.elapsed() < ZONE_TTL {
                return Ok(id.clone());
            }
        }
        let zone = call.want.zone.clone();
        let target = format!("/zones?name={}", encode(&zone));
        // Zones come as the same shape as records: id, name and status.
        let zones = self.call(call, Op::Query, Method::GET, &target, None).await?;
        let named: Vec<Listed> =
            zones.records.0.into_iter().filter(|z| z.name.eq_ignore_ascii_case(&zone)).collect();
        let status = |z: &Listed| z.status.as_deref().unwrap_or("").to_ascii_lowercase();
        // An account can hold a deleted or moved twin listed before the live zone: take
        // the active one, else one still being set up (pending), never a dead one.
        let live = named
            .iter()
            .find(|z| status(z) == "active")
            .or_else(|| named.iter().find(|z| !DEAD_ZONES.contains(&status(z).as_str())));
        let Some(id) = live.map(|z| z.id.0.clone()) else {
            let hint = match named.first() {
                Some(dead) => format!(
                    " (this account only has a {} zone of that name; add the zone again in Cloudflare)",
                    status(dead)
                ),
                None => " (or the API token has no access to it)".to_string(),
            };
            return Err(Error::ZoneNotFound { zone: call.want.shown().0.to_string(), hint });
        };
        self.remember_zone(key, id.clone());
        Ok(id)
    }

    /// Caches a zone id; when full, drops the expired ids first, then the oldest. The ids
    /// are kept oldest first (a list searched in full: at most `MAX_ZONES`, and smaller in
    /// the binary than a map).
    fn remember_zone(&self, key: ([u8; 32], String), id: String) {
        let mut zones = self.zones.lock().unwrap_or_else(|e| e.into_inner());
        zones.retain(|(k, _)| *k != key);
        if zones.len() >= MAX_ZONES {
            zones.retain(|(_, (_, at))| at.elapsed() < ZONE_TTL);
            if zones.len() >= MAX_ZONES {
                zones.remove(0);
            }
        }
        zones.push((key, (id, Instant::now())));
    }

    fn forget_zone(&self, call: &Call<'_>) {
        if let Ok(key) = Self::zone_key(call) {
            self.zones.lock().unwrap_or_else(|e| e.into_inner()).retain(|(k, _)| *k != key);
        }
    }

    async fn list_in(&self, call: &mut Call<'_>, zone: &str) -> Result<Vec<Record>, Error> {
        let fqdn = call.want.fqdn();
        let rtype = call.want.rtype;
        let mut out = Vec::new();
        let mut page = 1;
        loop {
            let target = format!(
                "/zones/{zone}/dns_records?type={}&name={}&per_page={PER_PAGE}&page={page}",
                rtype.as_str(),
                encode(&fqdn)
            );
            let mut listed = self.call(call, Op::Query, Method::GET, &target, None).await?;
            for r in std::mem::take(&mut listed.records.0) {
                if r.name.eq_ignore_ascii_case(&fqdn) && r.rtype == rtype.as_str() {
                    out.push(record(r, rtype));
                }
            }
            let pages = listed.count.as_deref().map_or(1, Answer::total);
            if page >= pages || page >= MAX_PAGES {
                return Ok(out);
            }
            page += 1;
        }
    }
}

impl Registered for Cloudflare {
    const SPEC: Spec = Spec {
        id: "cloudflare",
        name: "Cloudflare",
        endpoint_key: "providers.cloudflare.endpoint",
        default_endpoint: "https://api.cloudflare.com/client/v4",
        credential: Shape::Secret,
        signs_with_clock: false,
        // 100 on the Free plan, 500 on paid plans; the plan is not known beforehand.
        max_comment: 500,
        default_line: None,
        errors: &[
            ("6003", Meaning::Credential),
            ("6111", Meaning::Credential),
            ("9106", Meaning::Credential),
            ("9109", Meaning::Credential),
            ("10000", Meaning::Credential),
        ],
    };

    fn new(endpoint: Endpoint, client: Arc<Client>) -> Cloudflare {
        Cloudflare { api: SignedClient::new(endpoint, client), zones: Mutex::new(Vec::new()) }
    }
}

impl Provider for Cloudflare {
    fn cached(&self) -> usize {
        self.zones.lock().unwrap_or_else(|e| e.into_inner()).len()
    }

    fn list<'a>(&'a self, call: &'a mut Call<'_>) -> Pending<'a, Listing> {
        Box::pin(async move {
            let zone = self.zone_id(call).await?;
            match self.list_in(call, &zone).await {
                Ok(records) => Ok(Listing { zone: Zone::id(zone), records }),
                Err(e) => {
                    // A cached id may be stale (zone deleted and added again): ask afresh next time.
                    self.forget_zone(call);
                    Err(e)
                }
            }
        })
    }

    fn create<'a>(&'a self, call: &'a mut Call<'_>, zone: &'a Zone) -> Pending<'a, Record> {
        Box::pin(async move {
            let want = call.want;
            let body = Body::new()
                .str("type", want.rtype.as_str())
                .str("name", &want.fqdn())
                .str("content", &content(want.rtype, &want.value))
                // 1 is Cloudflare's "automatic" TTL, its default for new records.
                .num("ttl", want.ttl.unwrap_or(1).into())
                .bool("proxied", false)
                .opt("comment", want.comment.as_deref())
                .end();
            let target = format!("/zones/{}/dns_records", zone.id);
            let created = self.call(call, Op::Create, Method::POST, &target, Some(body)).await?;
            Ok(record(one(created, Op::Create)?, want.rtype))
        })
    }

    fn modify<'a>(
        &'a self,
        call: &'a mut Call<'_>,
        zone: &'a Zone,
        current: &'a Record,
        change: &'a Change,
    ) -> Pending<'a, Modified> {
        Box::pin(async move {
            let rtype = call.want.rtype;
            let mut body =
                Body::new().opt("content", change.value.as_deref().map(|v| content(rtype, v)).as_deref());
            if let Some(t) = change.ttl {
                body = body.num("ttl", t.into());
            }
            let body = body.opt("comment", change.comment.as_deref()).end();
            let target = format!("/zones/{}/dns_records/{}", zone.id, current.id);
            let changed = self.call(call, Op::Update, Method::PATCH, &target, Some(body)).await?;
            Ok(Modified::Changed(record(one(changed, Op::Update)?, rtype)))
        })
    }
}

/// The `content` to send for a value.
fn content(rtype: RecordType, value: &str) -> String {
    if rtype == RecordType::Txt { txt_content(value) } else { value.to_string() }
}

/// A record from the API, TXT content as the text it stands for. A proxied record's TTL
/// is always 1 (automatic), as is one the answer gives none.
fn record(r: Listed, rtype: RecordType) -> Record {
    let mut rec = r.into_record(1);
    if rtype == RecordType::Txt {
        rec.value = txt_text(&rec.value);
    }
    rec
}

/// The one record a create or a change answers with.
fn one(answer: Answer, op: Op) -> Result<Listed, Error> {
    let bad = Error::BadAnswer { op, provider: Cloudflare::SPEC.name, status: 200 };
    answer.records.0.into_iter().next().ok_or(bad)
}

/// Reads Cloudflare's envelope `{success, errors, result}`: the answer of a success.
fn envelope(call: &Call<'_>, op: Op, resp: &Response) -> Result<Answer, Error> {
    let spec = &Cloudflare::SPEC;
    if resp.status == 429 {
        // Passed on as our own header: only the delta-seconds form, nothing else.
        let retry_after =
            resp.header("retry-after").map(str::trim).filter(|s| is_delta_seconds(s)).map(String::from);
        return Err(Error::RateLimited { provider: spec.name, retry_after });
    }
    let Ok(head) = serde_json::from_slice::<Answer>(&resp.body) else {
        return Err(Error::BadAnswer { op, provider: spec.name, status: resp.status });
    };
    if head.success && (200..300).contains(&resp.status) {
        return Ok(head);
    }
    let first = head.errors.into_iter().next();
    let code = match first.as_ref().and_then(|e| e.code.as_ref()) {
        Some(Text(c)) => c.clone(),
        None => resp.status.to_string(),
    };
    let message = first.as_ref().map_or("", |e| str_of(&e.message));
    let message = if message.is_empty() { "request failed" } else { message };
    let err = ProviderError::new(spec.name, call.cred, &code, message, resp.header("cf-ray"));
    // A 400 on a write is Cloudflare refusing the values we passed on (bad content, TTL,
    // comment too long, a conflicting record): the caller's to fix. Anything else —
    // outage, a stale id — is the provider's side.
    let fallback = if resp.status == 400 { Meaning::Values } else { Meaning::Outage };
    Err(spec.failure(op, call.want, err, fallback))
}
