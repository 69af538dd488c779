//! The HTTP layer: routes, bearer-token auth, body limits, and JSON replies.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use http::{Method, Request, Response, StatusCode};
use hyper::body::Incoming;
use serde::Serialize;

use crate::config::Config;
use crate::credentials::Credential;
use crate::error::Error;
use crate::limits::{Conn, Limits};
use crate::locks::Locks;
use crate::notify::Notifier;
use crate::providers::reconcile::{Action, Outcome};
use crate::providers::{Call, Kind, Meta, Providers, fingerprint, sha256};
use crate::request::{Fields, ValidRequest};
use crate::rt::{BodyError, Full, read_body};
use crate::status::Records;
use crate::time::{Utc, unix_now};
use crate::upstream::Client;
use crate::{error, info, warn};

/// The largest request body accepted; an update is a few hundred bytes.
pub const MAX_BODY: usize = 64 * 1024;

/// When this binary was built (Unix seconds), from build.rs.
pub const BUILD_EPOCH: i64 = match i64::from_str_radix(env!("BUILD_EPOCH_SECS"), 10) {
    Ok(n) => n,
    Err(_) => 0,
};

/// Everything a request needs, shared by all connections.
pub struct App {
    pub config: Config,
    pub providers: Providers,
    pub locks: Locks,
    /// A system clock before this (Unix seconds) is not set: TLS certificates and signed
    /// timestamps cannot work. A day before the build, to allow for build-host clocks.
    pub clock_floor: i64,
    pub limits: Limits,
    /// Rate limit for the log lines of refused tokens (401/403).
    refusals: Mutex<Refusals>,
    /// What each record went through (`/status`), and the webhook told of it.
    pub records: Records,
    pub notifier: Option<Arc<Notifier>>,
}

/// Anyone can send requests without a token: their log lines must not grow the log
/// without bound. The first refusal of each interval is logged; the rest are counted and
/// reported with the next line.
#[derive(Default)]
struct Refusals {
    logged_at: Option<Instant>,
    hidden: u64,
}

/// At most one line for refused tokens per this interval.
pub const REFUSAL_LOG_INTERVAL: Duration = Duration::from_secs(60);

impl App {
    pub fn new(config: Config) -> Arc<App> {
        Arc::new(App::with_clock_floor(config, BUILD_EPOCH - 86_400))
    }

    pub fn with_clock_floor(mut config: Config, clock_floor: i64) -> App {
        let client = Arc::new(Client::new(config.upstream_timeout));
        App {
            providers: Providers::new(|kind| config.endpoint(kind).clone(), client),
            locks: Locks::default(),
            clock_floor,
            limits: Limits::default(),
            refusals: Mutex::new(Refusals::default()),
            records: Records::default(),
            // Moved, not copied: the notifier is the one user of these settings.
            notifier: config.notify.take().map(Notifier::new),
            config,
        }
    }

    /// Refuses to call out while the system clock is before the build date, where
    /// certificates look not yet valid and signatures expired.
    fn check_clock(&self, provider: Kind) -> Result<(), Error> {
        // Signatures carry the time; TLS checks certificate dates. An unsigned provider
        // over plain HTTP (a proxy) needs neither.
        let needs_clock = self.config.endpoint(provider).tls || provider.spec().signs_with_clock;
        let now = unix_now();
        if now >= self.clock_floor || !needs_clock {
            return Ok(());
        }
        Err(Error::ClockNotSet(format!(
            "System clock is not set (it reads {} UTC, before this build of {}); sync NTP on the router",
            Utc::from_unix(now).log_stamp(),
            Utc::from_unix(self.clock_floor + 86_400).date()
        )))
    }

    /// A 401/403 line, at most one per REFUSAL_LOG_INTERVAL (see `Refusals`).
    fn log_refusal(&self, e: &Error, started: Instant, peer: SocketAddr) {
        let mut r = self.refusals.lock().unwrap_or_else(|e| e.into_inner());
        if r.logged_at.is_some_and(|t| t.elapsed() < REFUSAL_LOG_INTERVAL) {
            r.hidden += 1;
            return;
        }
        let hidden = std::mem::take(&mut r.hidden);
        r.logged_at = Some(Instant::now());
        drop(r);
        let what = if hidden > 0 {
            format!("/update (and {hidden} more refused since the last such line)")
        } else {
            "/update".to_string()
        };
        log_failure(&what, e, started, peer);
    }
}

pub async fn handle(
    app: Arc<App>,
    peer: SocketAddr,
    conn: Arc<Conn>,
    req: Request<Incoming>,
) -> Result<Response<Full>, Infallible> {
    conn.reading();
    let reply = match req.uri().path() {
        "/health" => health(&app.config, req.method()),
        "/update" => Ok(update_route(&app, peer, &conn, req).await),
        "/status" => status(&app, &req),
        _ => Err(Error::NotFound),
    };
    conn.idle();
    Ok(reply.unwrap_or_else(|e| error_reply(&e)))
}

fn health(config: &Config, method: &Method) -> Result<Response<Full>, Error> {
    if !config.health_enabled {
        return Err(Error::NotFound);
    }
    if method != Method::GET && method != Method::HEAD {
        return Err(Error::MethodNotAllowed("Method Not Allowed".into(), "GET, HEAD"));
    }
    Ok(json_reply(StatusCode::OK, r#"{"status":"ok"}"#.into()))
}

/// What each record went through since the start; behind the same tokens as `/update`.
fn status(app: &App, req: &Request<Incoming>) -> Result<Response<Full>, Error> {
    check_auth(&app.config, req.headers().get(http::header::AUTHORIZATION))?;
    if req.method() != Method::GET && req.method() != Method::HEAD {
        return Err(Error::MethodNotAllowed("Method Not Allowed".into(), "GET, HEAD"));
    }
    Ok(json_reply(StatusCode::OK, app.records.json()))
}

#[derive(Serialize)]
struct Success<'a> {
    status: &'static str,
    code: u16,
    message: &'static str,
    action: Action,
    data: Data<'a>,
    provider_metadata: &'a Meta,
    warnings: &'a [String],
}

#[derive(Serialize)]
struct Data<'a> {
    provider: &'static str,
    zone: &'a str,
    record: &'a str,
    fqdn: String,
    #[serde(rename = "type")]
    rtype: &'static str,
    value: &'a str,
    ttl: u32,
    previous_value: Option<&'a str>,
    /// The resolution line written (providers with lines).
    #[serde(skip_serializing_if = "Option::is_none")]
    line: Option<&'a str>,
}

async fn update_route(app: &App, peer: SocketAddr, conn: &Conn, req: Request<Incoming>) -> Response<Full> {
    let started = Instant::now();
    // Boxed like the provider calls below: what a request waits in stays small.
    let (valid, cred) = match Box::pin(prepare(&app.config, app.limits.body_timeout, req)).await {
        Ok(ok) => ok,
        Err(e @ (Error::MissingToken | Error::InvalidToken)) => {
            app.log_refusal(&e, started, peer);
            return error_reply(&e);
        }
        Err(e) => {
            log_failure("/update", &e, started, peer);
            return error_reply(&e);
        }
    };
    let want = &valid.record;
    let what = format!("{} {} {}", valid.provider.spec().id, want.fqdn(), want.rtype.as_str());
    // From here on the client only waits for us: never close this connection to make room.
    let _working = conn.working();
    let result = execute(app, &valid, &cred).await;
    app.records.observe(&valid, &result, app.notifier.as_ref());
    match result {
        Ok(out) => {
            let change = match &out.previous_value {
                Some(prev) => format!("{prev} -> {}", want.value),
                None => want.value.clone(),
            };
            let ms = started.elapsed().as_millis();
            let ttl = out.record.ttl;
            info!("{what} {} {change} (ttl {ttl}) in {ms} ms from {}", out.action.as_str(), peer.ip());
            for w in &out.warnings {
                warn!("{what}: {w}");
            }
            success_reply(&valid, &out)
        }
        Err(e) => {
            log_failure(&what, &e, started, peer);
            error_reply(&e)
        }
    }
}

/// One line per failed update; the provider's own code in brackets, never a secret.
fn log_failure(what: &str, e: &Error, started: Instant, peer: SocketAddr) {
    let ms = started.elapsed().as_millis();
    let code = e.provider_code().map(|c| format!(" [{c}]")).unwrap_or_default();
    let (status, ip) = (e.status(), peer.ip());
    let status_code = status.as_u16();
    if status.is_server_error() {
        error!("{what} failed: {status_code} {e}{code} in {ms} ms from {ip}");
    } else {
        warn!("{what} failed: {status_code} {e}{code} in {ms} ms from {ip}");
    }
}

/// Everything that needs no provider: method, auth, fields, credential.
async fn prepare(
    config: &Config,
    body_timeout: Duration,
    req: Request<Incoming>,
) -> Result<(ValidRequest, Credential), Error> {
    // The token first: what anyone can send without one gets the rate-limited refusal line
    // (`log_refusal`), whatever its method.
    check_auth(config, req.headers().get(http::header::AUTHORIZATION))?;
    let method = req.method().clone();
    let enabled = match method {
        Method::GET => config.get_enabled,
        Method::POST => config.post_enabled,
        _ => return Err(Error::MethodNotAllowed("Method Not Allowed".into(), config.allowed_methods())),
    };
    if !enabled {
        return Err(Error::MethodNotAllowed(
            format!("{method} method is disabled"),
            config.allowed_methods(),
        ));
    }

    // RouterOS may send the credential as several header lines; they are one list.
    let cred_header = req
        .headers()
        .get_all("x-upstream-authorization")
        .iter()
        .map(|v| {
            v.to_str().map_err(|_| Error::BadRequest("X-Upstream-Authorization is not valid text".into()))
        })
        .collect::<Result<Vec<_>, _>>()?
        .join(",");
    let fields = if method == Method::GET {
        Fields::from_form(req.uri().query().unwrap_or(""))?
    } else {
        read_fields(req, body_timeout).await?
    };
    let valid = fields.validate()?;
    let cred = Credential::parse(Some(cred_header.as_str()))?;
    valid.provider.spec().credential.check(&cred)?;
    Ok((valid, cred))
}

async fn execute(app: &App, valid: &ValidRequest, cred: &Credential) -> Result<Outcome, Error> {
    app.check_clock(valid.provider)?;
    let want = &valid.record;
    let key = fingerprint(&[
        valid.provider.spec().id,
        cred.id.as_deref().unwrap_or(""),
        cred.secret.as_deref().unwrap_or(""),
        &want.fqdn(),
        want.rtype.as_str(),
    ]);
    // Same record, same credential: one at a time, so two first calls cannot both create.
    let busy = Error::RecordBusy(app.config.upstream_timeout.as_secs());
    let _guard = app.locks.lock(key, app.limits.max_per_record).await.ok_or(busy)?;
    let call = Call { want, cred, meta: Meta::default(), warnings: Vec::new() };
    app.providers.reconcile(valid.provider, call).await
}

async fn read_fields(req: Request<Incoming>, deadline: Duration) -> Result<Fields, Error> {
    let declared = req
        .headers()
        .get(http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > MAX_BODY as u64) {
        return Err(Error::PayloadTooLarge);
    }
    let json_type = req
        .headers()
        .get(http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| t.to_ascii_lowercase().contains("json"));
    // One deadline for the whole body: a client trickling a byte at a time cannot keep its
    // connection slot past it.
    let body = tokio::time::timeout(deadline, read_body(req.into_body(), MAX_BODY))
        .await
        .map_err(|_| Error::BodyTimeout(deadline.as_secs()))?
        .map_err(|e| match e {
            BodyError::TooLarge => Error::PayloadTooLarge,
            BodyError::Io(e) => Error::BadRequest(format!("Could not read the request body: {e}")),
        })?;
    // RouterOS fetch labels its body form-encoded whatever it holds: a body that starts
    // with `{` is JSON.
    if body.trim_ascii_start().starts_with(b"{") || json_type {
        Fields::from_json(&body)
    } else {
        let text = std::str::from_utf8(&body)
            .map_err(|_| Error::BadRequest("Request body is not valid UTF-8".into()))?;
        Fields::from_form(text.trim())
    }
}

/// `Authorization: Bearer <token>`, compared in constant time against every token.
fn check_auth(config: &Config, header: Option<&http::HeaderValue>) -> Result<(), Error> {
    if !config.auth_enabled {
        return Ok(());
    }
    let value = header.and_then(|v| v.to_str().ok()).map(str::trim).unwrap_or("");
    if value.is_empty() {
        return Err(Error::MissingToken);
    }
    let (scheme, token) = value.split_once(char::is_whitespace).unwrap_or((value, ""));
    let token = token.trim();
    if !scheme.eq_ignore_ascii_case("bearer") {
        return Err(Error::InvalidToken);
    }
    if token.is_empty() {
        return Err(Error::MissingToken);
    }
    // Hashing first makes every comparison the same length; no early exit on a match.
    let given = sha256(token.as_bytes());
    let mut matched = 0u8;
    for t in &config.auth_tokens {
        let want = sha256(t.as_bytes());
        let diff = given.iter().zip(want.iter()).fold(0u8, |acc, (a, b)| acc | (a ^ b));
        matched |= u8::from(diff == 0);
    }
    if matched == 1 { Ok(()) } else { Err(Error::InvalidToken) }
}

fn json_reply(status: StatusCode, body: String) -> Response<Full> {
    let mut resp = Response::new(Full::new(body));
    *resp.status_mut() = status;
    let h = resp.headers_mut();
    h.insert(http::header::CONTENT_TYPE, http::HeaderValue::from_static("application/json"));
    h.insert(http::header::CACHE_CONTROL, http::HeaderValue::from_static("no-store"));
    resp
}

/// The single place an `Error` becomes a response.
pub fn error_reply(e: &Error) -> Response<Full> {
    let mut resp = json_reply(e.status(), e.body());
    for (name, value) in e.headers() {
        if let Ok(v) = http::HeaderValue::from_str(&value) {
            resp.headers_mut().insert(name, v);
        }
    }
    resp
}

fn success_reply(valid: &ValidRequest, out: &Outcome) -> Response<Full> {
    let t = &valid.record;
    let (zone, record, fqdn) = t.shown();
    let spec = valid.provider.spec();
    let line = spec.default_line.map(|default| out.record.line.as_deref().unwrap_or(default));
    let body = Success {
        status: "success",
        code: 200,
        message: out.action.message(),
        action: out.action,
        data: Data {
            provider: spec.id,
            zone,
            record,
            fqdn,
            rtype: t.rtype.as_str(),
            value: &t.value,
            ttl: out.record.ttl,
            previous_value: out.previous_value.as_deref(),
            line,
        },
        provider_metadata: &out.meta,
        warnings: &out.warnings,
    };
    json_reply(StatusCode::OK, serde_json::to_string(&body).unwrap_or_default())
}
