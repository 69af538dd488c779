//! Huawei Cloud DNS (API v2, public zones), using only the actions of the minimal IAM
//! policy: dns:zone:list, dns:recordset:list, dns:recordset:create and
//! dns:recordset:update. Every call is signed with SDK-HMAC-SHA256; the service is global,
//! so no project id travels along.
//!
//! Huawei keeps one record set per name and type, holding a list of values. The gateway
//! manages one value: a set holding exactly it (or the value to replace) is that record,
//! a set with several values counts as that many records (409, as several records of one
//! name and type are for every provider), and nothing is merged into or dropped from it.
//! An exact name and type is one set (one per resolution line): no paging, far under
//! `upstream::MAX_RESPONSE`.
//!
//! Names go out in their ASCII form (an internationalised label as Punycode), the form DNS
//! stores a zone by; Huawei documents no other, and a listed name matches in either form.

use std::sync::Arc;

use bytes::Bytes;
use http::Method;

use super::body::{Body, json_string};
use super::huaweicloud_sign::{authorization, canonical_query, sdk_date};
use super::listed::{Answer, Listed, Text, text};
use super::txt::{txt_content, txt_text};
use super::{
    Call, Change, Listing, Meaning, Modified, Pending, Provider, Record, Registered, Shape, Signed,
    SignedClient, Spec, Zone, parse,
};
use crate::error::{Error, Op, ProviderError, provider_field};
use crate::record::{Desired, RecordType};
use crate::upstream::{Client, Endpoint, Response};
use crate::urlenc::encode;

const NAME: &str = Huaweicloud::SPEC.name;
const CONTENT_TYPE: &str = "application/json";
/// What Huawei gives a record set created without a TTL.
const DEFAULT_TTL: u32 = 300;
/// Huawei names no wait for its flow control; a minute outlasts the gateway's per-second
/// and per-minute windows (and a router's schedule is minutes anyway).
const RETRY_AFTER: Option<u32> = Some(60);
/// An `X-Sdk-Date` more than 15 minutes off fails with the code of any AK/SK failure and
/// this in the message ("calc aksk signature fail:signature expired, signature time:…").
const EXPIRED: &str = "signature expired";
/// The code such a failure is passed on with, so that it alone is re-signed.
const EXPIRED_CODE: &str = ".SignatureExpired";

pub struct Huaweicloud {
    api: SignedClient,
}

impl Huaweicloud {
    /// One signed call; the body of a 2xx answer.
    async fn call(
        &self,
        call: &mut Call<'_>,
        op: Op,
        method: Method,
        path: &str,
        query: &[(&str, &str)],
        body: Vec<u8>,
    ) -> Result<Bytes, Error> {
        let cred = call.cred;
        let (ak, sk) = cred.pair()?;
        let query = canonical_query(query);
        let target = if query.is_empty() { path.to_string() } else { format!("{path}?{query}") };
        // Signed as the server sees the request: with the endpoint's base path and Host
        // (tests and proxies use other endpoints).
        let full_path = format!("{}{path}", self.api.endpoint.path);
        let host = self.api.endpoint.authority();
        let sign = |now: i64| {
            let date = sdk_date(now);
            let signed = [("content-type", CONTENT_TYPE), ("host", &host), ("x-sdk-date", &date)];
            let auth = authorization(ak, sk, method.as_str(), &full_path, &query, &signed, &body);
            let headers =
                vec![("authorization", auth), ("content-type", CONTENT_TYPE.into()), ("x-sdk-date", date)];
            Signed { method: method.clone(), target: target.clone(), headers, body: body.clone() }
        };
        let mut answer = Bytes::new();
        let mut read = |resp: &Response| {
            answer = read(call, op, resp)?;
            Ok(())
        };
        self.api.exchange(&Self::SPEC, op, &sign, &mut read).await?;
        Ok(answer)
    }
}

impl Registered for Huaweicloud {
    const SPEC: Spec = Spec {
        id: "huaweicloud",
        name: "Huawei Cloud",
        endpoint_key: "providers.huaweicloud.endpoint",
        default_endpoint: "https://dns.myhuaweicloud.com",
        credential: Shape::IdAndSecret,
        signs_with_clock: true,
        // DNS.0305: "The description can contain a maximum of 255 characters."
        max_comment: 255,
        default_line: None,
        // The DNS API reference's error codes and the API gateway's (APIGW.*; dedicated
        // gateways say APIG.*). Codes not here fall back by HTTP status (`parse`).
        errors: &[
            ("DNS.0302", Meaning::NoZone),
            ("DNS.1206", Meaning::NoZone),
            ("APIGW.0301.SignatureExpired", Meaning::Clock),
            ("APIG.0301.SignatureExpired", Meaning::Clock),
            ("APIGW.0308", Meaning::RateLimit(RETRY_AFTER)),
            ("APIG.0308", Meaning::RateLimit(RETRY_AFTER)),
            // "Request forbidden by flow control."
            ("DNS.0014", Meaning::RateLimit(RETRY_AFTER)),
            // AK/SK, token, IAM user or app not authorised, access denied.
            ("APIGW.03*", Meaning::Credential),
            ("APIG.03*", Meaning::Credential),
            // Authentication required, no API permission (project frozen), not permitted
            // by the IAM policy, real-name verification needed, invalid tenant or domain.
            ("DNS.0005", Meaning::Credential),
            ("DNS.0013", Meaning::Credential),
            ("DNS.0030", Meaning::Credential),
            ("DNS.0040", Meaning::Credential),
            ("DNS.0310", Meaning::Credential),
            ("DNS.0311", Meaning::Credential),
            // The zone or record set is changing, or the set went away since the list.
            ("DNS.0209", Meaning::Outage),
            ("DNS.0313", Meaning::Outage),
            ("DNS.0314", Meaning::Outage),
            // Record set name, value (DNS.0308), type, TTL (DNS.0319), description, levels,
            // an existing set (DNS.0312, DNS.0335), and quotas (DNS.0403).
            ("DNS.03*", Meaning::Values),
            ("DNS.04*", Meaning::Values),
        ],
    };

    fn new(endpoint: Endpoint, client: Arc<Client>) -> Huaweicloud {
        Huaweicloud { api: SignedClient::new(endpoint, client) }
    }
}

impl Provider for Huaweicloud {
    fn list<'a>(&'a self, call: &'a mut Call<'_>) -> Pending<'a, Listing> {
        Box::pin(async move {
            let want = call.want;
            // Without search_mode=equal both names match by substring (`myexample.com.`).
            let zone_name = format!("{}.", want.zone);
            let query = [("type", "public"), ("name", zone_name.as_str()), ("search_mode", "equal")];
            let body = self.call(call, Op::Query, Method::GET, "/v2/zones", &query, Vec::new()).await?;
            let listed: Answer = parse(&Self::SPEC, Op::Query, &body)?;
            let Some(zone) = listed.zones.into_iter().find(|z| same_name(&z.name, &zone_name)) else {
                return Err(Error::ZoneNotFound { zone: want.shown().0.to_string(), hint: String::new() });
            };
            let fqdn = format!("{}.", want.fqdn());
            let rtype = want.rtype;
            let path = format!("/v2/zones/{}/recordsets", encode(&zone.id.0));
            let query = [("name", fqdn.as_str()), ("type", rtype.as_str()), ("search_mode", "equal")];
            let body = self.call(call, Op::Query, Method::GET, &path, &query, Vec::new()).await?;
            let listed: Answer = parse(&Self::SPEC, Op::Query, &body)?;
            let mut records = Vec::new();
            for mut set in listed
                .records
                .0
                .into_iter()
                .filter(|s| same_name(&s.name, &fqdn) && s.rtype == rtype.as_str())
            {
                let values = std::mem::take(&mut set.records);
                let set = set.into_record(DEFAULT_TTL);
                for value in values {
                    let value = if rtype == RecordType::Txt { txt_text(&value) } else { value };
                    records.push(Record { value, ..set.clone() });
                }
            }
            Ok(Listing { zone: Zone::id(zone.id.0), records })
        })
    }

    fn create<'a>(&'a self, call: &'a mut Call<'_>, zone: &'a Zone) -> Pending<'a, Record> {
        Box::pin(async move {
            let want = call.want;
            let path = format!("/v2/zones/{}/recordsets", encode(&zone.id));
            let body = set_body(want, &want.value, want.ttl, want.comment.as_deref());
            let answer = self.call(call, Op::Create, Method::POST, &path, &[], body).await?;
            let set: Listed = parse(&Self::SPEC, Op::Create, &answer)?;
            Ok(Record {
                id: set.id.0,
                value: want.value.clone(),
                ttl: set.ttl.and_then(|t| t.number()).or(want.ttl).unwrap_or(DEFAULT_TTL),
                comment: want.comment.clone(),
                ..Record::default()
            })
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
            // The set's values become what is sent, and a PUT without records is refused
            // (DNS.0308): always send the value, and the TTL the set has.
            let value = change.value.as_deref().unwrap_or(&current.value);
            let ttl = change.ttl.unwrap_or(current.ttl);
            let path = format!("/v2/zones/{}/recordsets/{}", encode(&zone.id), encode(&current.id));
            let body = set_body(call.want, value, Some(ttl), change.comment.as_deref());
            self.call(call, Op::Update, Method::PUT, &path, &[], body).await?;
            Ok(Modified::Changed(Record {
                value: value.to_string(),
                ttl,
                comment: change.comment.clone().or_else(|| current.comment.clone()),
                ..current.clone()
            }))
        })
    }
}

/// Whether a name Huawei lists is the wanted one (sent in its ASCII form): any case, in
/// either form of an internationalised name, with or without the final dot.
fn same_name(listed: &str, ascii: &str) -> bool {
    crate::idn::same_name(listed.trim_end_matches('.'), ascii.trim_end_matches('.'))
}

/// The JSON of the wanted name's record set holding one value, as created (POST) or
/// replaced (PUT, which needs name, type and records); TXT as quoted strings: Huawei
/// refuses it unquoted with DNS.0308.
fn set_body(want: &Desired, value: &str, ttl: Option<u32>, description: Option<&str>) -> Vec<u8> {
    let fqdn = format!("{}.", want.fqdn());
    let content = if want.rtype == RecordType::Txt { txt_content(value) } else { value.to_string() };
    let body = Body::new().str("name", &fqdn).str("type", want.rtype.as_str());
    let mut body = body.raw("records", &format!("[{}]", json_string(&content)));
    if let Some(t) = ttl {
        body = body.num("ttl", t.into());
    }
    body.opt("description", description).end().into_bytes()
}

fn read(call: &mut Call<'_>, op: Op, resp: &Response) -> Result<Bytes, Error> {
    let request_id = resp.header("x-request-id");
    if let Some(id) = request_id {
        call.meta.request_id = Some(provider_field(call.cred, id));
    }
    if (200..300).contains(&resp.status) {
        return Ok(resp.body.clone());
    }
    let failure: Answer = serde_json::from_slice(&resp.body).unwrap_or_default();
    let fallback = match resp.status {
        401 | 403 => Meaning::Credential,
        429 => Meaning::RateLimit(RETRY_AFTER),
        400 | 409 | 422 => Meaning::Values,
        _ => Meaning::Outage,
    };
    let Some(Text(mut code)) = failure.code.or(failure.error_code) else {
        if let Meaning::RateLimit(secs) = fallback {
            return Err(Error::RateLimited { provider: NAME, retry_after: secs.map(|s| s.to_string()) });
        }
        return Err(Error::BadAnswer { op, provider: NAME, status: resp.status });
    };
    let message = failure.message.or(failure.error_msg).map(|Text(m)| m).unwrap_or_default();
    if code.starts_with("APIG") && code.ends_with(".0301") && message.contains(EXPIRED) {
        code.push_str(EXPIRED_CODE);
    }
    let request_id = request_id.or(text(&failure.request_id));
    let err = ProviderError::new(NAME, call.cred, &code, &message, request_id);
    Err(Huaweicloud::SPEC.failure(op, call.want, err, fallback))
}
