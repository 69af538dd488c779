//! Porkbun (API v3). Every call is a POST whose JSON body carries the key pair
//! (`apikey`, `secretapikey`): nothing is signed, so no clock matters, but the keys travel
//! in every body and Porkbun's answers may echo them; every field of an answer is scrubbed
//! (`ProviderError::new`, `provider_field`) before it reaches a reply or a log line.
//!
//! Calls: `dns/retrieveByNameType/<zone>/<type>[/<name>]`, `dns/create/<zone>` and
//! `dns/edit/<zone>/<id>`. Editing by id, not `editByNameType`, changes exactly the one
//! record the listing found (by name and type would rewrite every record of that name and
//! type, and cannot change the notes of one). An edit without `name` moves the record to
//! the apex (openwrt/packages#25148), so the name is always sent, and so are the TTL and
//! content the record keeps. Listed fields are all strings (ids and TTLs may be numbers in
//! other answers) and names are full domain names. TXT content is stored as sent: it goes
//! out and is compared as plain text. Domains and names go out in their ASCII form (an
//! internationalised label as Punycode), the form DNS keys them by.

use std::sync::Arc;

use http::Method;

use super::body::Body;
use super::listed::{Answer, Text, text};
use super::{
    Call, Change, Listing, Meaning, Modified, Pending, Provider, Record, Registered, Shape, Signed,
    SignedClient, Spec, Zone,
};
use crate::error::{Error, Op, ProviderError, provider_field};
use crate::idn::same_name;
use crate::record::{Desired, RecordType};
use crate::upstream::{Client, Endpoint, Response, is_delta_seconds};

const NAME: &str = Porkbun::SPEC.name;
/// Porkbun stores a lower TTL (or none) as this, the account minimum its documentation
/// names ("typically 600"). The gateway sends and reports what is stored, so the next call
/// with the same lower TTL finds nothing to change.
const MIN_TTL: u32 = 600;
/// The wait passed on when a rate-limit answer names none. Porkbun's limit is about one
/// call per second per key; its 503s clear within seconds.
const RETRY_AFTER: u32 = 10;
/// The code `code_of` gives "Domain is not opted in to API access.".
const NOT_OPTED_IN: &str = "DOMAIN_IS_NOT_OPTED_IN_TO_API_ACCESS";

pub struct Porkbun {
    api: SignedClient,
}

impl Porkbun {
    /// One API call: POST `target` with the key pair and the record fields in `fields`.
    async fn call(&self, call: &mut Call<'_>, op: Op, target: &str, fields: Body) -> Result<Answer, Error> {
        let (key, secret) = call.cred.pair()?;
        let body = fields.str("apikey", key).str("secretapikey", secret).end().into_bytes();
        let headers = vec![("content-type", "application/json".to_string())];
        // Nothing is signed: the same request every time.
        let sign = |_| Signed {
            method: Method::POST,
            target: target.into(),
            headers: headers.clone(),
            body: body.clone(),
        };
        let mut answer = None;
        let mut read = |resp: &Response| {
            answer = Some(parse(call, op, resp)?);
            Ok(())
        };
        self.api.exchange(&Self::SPEC, op, &sign, &mut read).await?;
        answer.ok_or(Error::BadAnswer { op, provider: NAME, status: 200 })
    }
}

impl Registered for Porkbun {
    const SPEC: Spec = Spec {
        id: "porkbun",
        name: "Porkbun",
        endpoint_key: "providers.porkbun.endpoint",
        default_endpoint: "https://api.porkbun.com/api/json/v3",
        credential: Shape::IdAndSecret,
        signs_with_clock: false,
        // Porkbun documents no limit for a record's notes.
        max_comment: crate::record::MAX_COMMENT,
        default_line: None,
        // Porkbun's error codes (its API reference, "Error codes"). Older answers carry no
        // code: `code_of` makes one from the message in the same spelling ("Invalid
        // domain." is INVALID_DOMAIN), so one table serves both. Any other error is about
        // the values on a write (Create error…, Edit error…, INVALID_TYPE).
        errors: &[
            // "Domain parameter is invalid or not in your account".
            ("INVALID_DOMAIN", Meaning::NoZone),
            (NOT_OPTED_IN, Meaning::Credential),
            // INVALID_API_KEYS_001; "Invalid API key. (002)" without a code.
            ("INVALID_API_KEY*", Meaning::Credential),
            ("API_KEY_REQUIRED", Meaning::Credential),
            ("INVALID_USER", Meaning::Credential),
            ("INVALID_TOKEN", Meaning::Credential),
            ("RATE_LIMIT*", Meaning::RateLimit(Some(RETRY_AFTER))),
        ],
    };

    fn new(endpoint: Endpoint, client: Arc<Client>) -> Porkbun {
        Porkbun { api: SignedClient::new(endpoint, client) }
    }
}

impl Provider for Porkbun {
    fn list<'a>(&'a self, call: &'a mut Call<'_>) -> Pending<'a, Listing> {
        Box::pin(async move {
            let want = call.want;
            let rtype = want.rtype.as_str();
            // Names are `a-z 0-9 - _ . *`: nothing to escape, and Porkbun wants `*` as it is.
            let mut target = format!("/dns/retrieveByNameType/{}/{rtype}", want.zone);
            if want.name != "@" {
                target = format!("{target}/{}", want.name);
            }
            let answer = self.call(call, Op::Query, &target, Body::new()).await?;
            let fqdn = want.fqdn();
            let mut out = Vec::new();
            for r in answer.records.0 {
                if same_name(&r.name, &fqdn) && r.rtype == rtype {
                    out.push(r.into_record(MIN_TTL));
                }
            }
            Ok(Listing { zone: Zone::default(), records: out })
        })
    }

    fn create<'a>(&'a self, call: &'a mut Call<'_>, _: &'a Zone) -> Pending<'a, Record> {
        Box::pin(async move {
            let want = call.want;
            check_value(want.rtype, &want.value)?;
            let ttl = want.ttl.map(|t| at_least_min(call, t));
            let body = fields(want, &want.value, ttl, want.comment.as_deref());
            let target = format!("/dns/create/{}", want.zone);
            let answer = match self.call(call, Op::Create, &target, body).await {
                // A new domain comes with parking records that block these two names.
                Err(Error::Refused { op, mut err }) if want.name == "@" || want.name == "*" => {
                    err.message.push_str(
                    " (if Porkbun's parking records, ALIAS @ and CNAME * to pixie.porkbun.com, are still there, delete them first)",
                );
                    return Err(Error::Refused { op, err });
                }
                other => other?,
            };
            let Some(Text(id)) = answer.id.filter(|Text(id)| !id.is_empty()) else {
                return Err(Error::BadAnswer { op: Op::Create, provider: NAME, status: 200 });
            };
            Ok(Record {
                id,
                value: want.value.clone(),
                ttl: ttl.unwrap_or(MIN_TTL),
                comment: want.comment.clone(),
                ..Record::default()
            })
        })
    }

    fn modify<'a>(
        &'a self,
        call: &'a mut Call<'_>,
        _: &'a Zone,
        current: &'a Record,
        change: &'a Change,
    ) -> Pending<'a, Modified> {
        Box::pin(async move {
            let want = call.want;
            let ttl = match change.ttl {
                // Below the minimum: a record at or under it already has the nearest TTL the API
                // can give (a lower one was set in the dashboard), so nothing to write for it.
                Some(t) if t < MIN_TTL => Some(at_least_min(call, t)).filter(|_| current.ttl > MIN_TTL),
                other => other,
            };
            if change.value.is_none() && ttl.is_none() && change.comment.is_none() {
                return Ok(Modified::AlreadyAsWanted(current.clone()));
            }
            let value = change.value.as_deref().unwrap_or(&current.value);
            check_value(want.rtype, value)?;
            let ttl = ttl.unwrap_or(current.ttl);
            let body = fields(want, value, Some(ttl), change.comment.as_deref());
            let target = format!("/dns/edit/{}/{}", want.zone, current.id);
            self.call(call, Op::Update, &target, body).await?;
            Ok(Modified::Changed(Record {
                value: value.to_string(),
                // An edit raises a dashboard-set TTL under the minimum to it.
                ttl: ttl.max(MIN_TTL),
                comment: change.comment.clone().or_else(|| current.comment.clone()),
                ..current.clone()
            }))
        })
    }
}

/// A record's fields as create and edit take them: always the name (an edit without it
/// moves the record to the apex), type and content; the TTL as a string, as Porkbun's own
/// examples send it; the notes only when given (omitted, an edit leaves them alone; `""`
/// clears them).
fn fields(want: &Desired, content: &str, ttl: Option<u32>, notes: Option<&str>) -> Body {
    let body = Body::new().str("name", subdomain(&want.name)).str("type", want.rtype.as_str());
    body.str("content", content).opt("ttl", ttl.map(|t| t.to_string()).as_deref()).opt("notes", notes)
}

/// `name` as Porkbun takes it: the labels below the zone, `""` for the apex.
fn subdomain(name: &str) -> &str {
    if name == "@" { "" } else { name }
}

/// The TTL Porkbun will store for `ttl`; one below its minimum is said in the warnings.
fn at_least_min(call: &mut Call<'_>, ttl: u32) -> u32 {
    if ttl >= MIN_TTL {
        return ttl;
    }
    call.warnings.push(format!("ttl {ttl} is below Porkbun's minimum of {MIN_TTL}"));
    MIN_TTL
}

/// Porkbun does not keep TXT content that ends in white space as sent, so it would never
/// compare equal and every call would write: refused before anything is written.
fn check_value(rtype: RecordType, value: &str) -> Result<(), Error> {
    if rtype == RecordType::Txt && value.ends_with(char::is_whitespace) {
        return Err(Error::Invalid(
            "value: Porkbun does not keep TXT content that ends in white space".into(),
        ));
    }
    Ok(())
}

/// The code an error is known by: Porkbun's own, or for older answers one made from the
/// message's first sentence, upper case with `_` between words, and the number in
/// parentheses that some messages end with ("Invalid API key. (002)": INVALID_API_KEY_002).
fn code_of(code: Option<&str>, message: &str) -> String {
    if let Some(c) = code.map(str::trim).filter(|c| !c.is_empty()) {
        return c.to_string();
    }
    let first = message.split(['.', ':']).next().unwrap_or("");
    let mut out = String::new();
    for word in first.split(|c: char| !c.is_ascii_alphanumeric()).filter(|w| !w.is_empty()) {
        if !out.is_empty() {
            out.push('_');
        }
        out.push_str(&word.to_ascii_uppercase());
    }
    let number = message.rsplit_once('(').and_then(|(_, r)| r.split_once(')')).map(|(n, _)| n);
    if let Some(n) = number.filter(|n| (1..=4).contains(&n.len()) && n.bytes().all(|b| b.is_ascii_digit())) {
        out = format!("{out}_{n}");
    }
    out
}

/// Seconds to wait, as a rate-limit answer names them: `ttlRemaining`, else a numeric
/// `Retry-After`, else our default.
fn retry_after(resp: &Response, answer: Option<&Answer>) -> String {
    let header = resp.header("retry-after").map(str::trim);
    answer
        .and_then(|a| a.ttl_remaining.as_ref())
        .map(|Text(t)| t.as_str())
        .or(header)
        .filter(|s| is_delta_seconds(s) && *s != "0")
        .map_or_else(|| RETRY_AFTER.to_string(), String::from)
}

fn parse(call: &mut Call<'_>, op: Op, resp: &Response) -> Result<Answer, Error> {
    let spec = &Porkbun::SPEC;
    let answer = serde_json::from_slice::<Answer>(&resp.body).ok();
    if let Some(id) = answer.as_ref().and_then(|a| text(&a.request_id)) {
        call.meta.request_id = Some(provider_field(call.cred, id));
    }
    let ok = (200..300).contains(&resp.status);
    let answer = match answer {
        Some(a) if ok && text(&a.status) == Some("SUCCESS") => return Ok(a),
        other => other,
    };
    let code = answer.as_ref().map(|a| code_of(text(&a.code), text(&a.message).unwrap_or("")));
    let code = code.unwrap_or_default();
    // Its API answers 429 RATE_LIMIT_EXCEEDED; its front end answers a burst with an HTML
    // 503 (clients have seen it from about two calls a second): the rate limit, not an outage.
    if matches!(resp.status, 429 | 503) || matches!(spec.meaning(&code), Some(Meaning::RateLimit(_))) {
        return Err(Error::RateLimited {
            provider: NAME,
            retry_after: Some(retry_after(resp, answer.as_ref())),
        });
    }
    // An answer is JSON with a status, or an error by its HTTP status.
    let Some(answer) = answer.filter(|a| a.status.is_some() || !ok) else {
        return Err(Error::BadAnswer { op, provider: NAME, status: resp.status });
    };
    let code = if code.is_empty() { format!("HTTP_{}", resp.status) } else { code };
    let mut message = answer.message.map_or_else(|| "request failed".into(), |Text(m)| m);
    if code == NOT_OPTED_IN {
        message.push_str(
            " (turn on API ACCESS for this domain in Porkbun's Domain Management, or for all domains in the account's API settings)",
        );
    }
    let err = ProviderError::new(NAME, call.cred, &code, &message, text(&answer.request_id));
    let fallback = match resp.status {
        401 | 403 => Meaning::Credential,
        500.. => Meaning::Outage,
        _ => Meaning::Values,
    };
    Err(spec.failure(op, call.want, err, fallback))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_from_messages_spell_as_porkbuns_own() {
        assert_eq!(code_of(None, "Invalid domain."), "INVALID_DOMAIN");
        assert_eq!(code_of(None, "Invalid API key. (002)"), "INVALID_API_KEY_002");
        assert_eq!(code_of(None, "Domain is not opted in to API access."), NOT_OPTED_IN);
        assert_eq!(
            code_of(None, "Domain is not opted in to API access. You can enable API access for all domains."),
            NOT_OPTED_IN
        );
        assert_eq!(code_of(None, "Edit error: We were unable to edit the DNS record."), "EDIT_ERROR");
        assert_eq!(code_of(None, "Rate limit exceeded. Please try again later."), "RATE_LIMIT_EXCEEDED");
        assert_eq!(code_of(Some("INVALID_API_KEYS_001"), "Invalid API key. (001)"), "INVALID_API_KEYS_001");
        assert_eq!(code_of(Some(" "), "Invalid domain."), "INVALID_DOMAIN");
        assert_eq!(code_of(None, ""), "");
        assert_eq!(code_of(None, "配额"), "");
    }

    #[test]
    fn the_table_reads_both_spellings() {
        let spec = &Porkbun::SPEC;
        for code in ["INVALID_API_KEYS_001", "INVALID_API_KEY_002", NOT_OPTED_IN, "INVALID_USER"] {
            assert_eq!(spec.meaning(code), Some(Meaning::Credential), "{code}");
        }
        assert_eq!(spec.meaning("INVALID_DOMAIN"), Some(Meaning::NoZone));
        assert!(matches!(spec.meaning("RATE_LIMIT_EXCEEDED"), Some(Meaning::RateLimit(_))));
        assert_eq!(spec.meaning("CREATE_ERROR"), None);
    }
}
