//! The one error type of the request path and its single mapping to status and message.

use std::fmt;

use http::StatusCode;
use serde::Serialize;

use crate::credentials::{self, Credential};
use crate::upstream::Fault;

/// Field order as the original's replies: status, code, message.
#[derive(Serialize)]
struct ErrorBody<'a> {
    status: &'static str,
    code: u16,
    message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    provider_error: Option<&'a ProviderError>,
}

/// `s` in double quotes with `"`, `\` and control characters escaped, as `{:?}` would write
/// it: the release build turns `Debug` formatting off (`-Zfmt-debug=none`, see cross/build.sh).
pub fn quoted(s: &str) -> String {
    format!("\"{}\"", s.escape_debug())
}

/// Which step of an update failed; it starts the message (`Failed to query DNS records: …`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    Query,
    Create,
    Update,
}

impl Op {
    fn prefix(self) -> &'static str {
        match self {
            Op::Query => "Failed to query DNS records",
            Op::Create => "Failed to create DNS record",
            Op::Update => "Failed to update DNS record",
        }
    }
}

/// What a provider said when it refused a call, already stripped of anything secret.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ProviderError {
    /// `Cloudflare`, `Aliyun`, `Tencent`.
    #[serde(skip)]
    pub provider: &'static str,
    pub code: String,
    pub message: String,
    pub request_id: Option<String>,
}

/// The longest provider message, and any other provider field, passed on.
const MAX_MESSAGE: usize = 300;
const MAX_FIELD: usize = 100;

impl ProviderError {
    /// Every field scrubbed of the credential and signatures and cut to size
    /// (`Credential::scrub`): nothing a provider sends goes on as it came.
    pub fn new(
        provider: &'static str,
        cred: &Credential,
        code: &str,
        message: &str,
        request_id: Option<&str>,
    ) -> ProviderError {
        ProviderError {
            provider,
            code: cred.scrub(code, MAX_FIELD),
            message: cred.scrub(message, MAX_MESSAGE),
            request_id: request_id.map(|r| cred.scrub(r, MAX_FIELD)),
        }
    }
}

/// A provider's id for a call (request id, `cf-ray`), scrubbed and cut like its errors.
pub fn provider_field(cred: &Credential, text: &str) -> String {
    cred.scrub(text, MAX_FIELD)
}

impl fmt::Display for ProviderError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {} {}", self.provider, self.code, self.message)
    }
}

#[derive(Debug)]
pub enum Error {
    /// A malformed request or header.
    BadRequest(String),
    /// The `X-Upstream-Authorization` header is malformed or lacks a field.
    Credential(credentials::Fault),
    MissingToken,
    InvalidToken,
    /// No such route.
    NotFound,
    ZoneNotFound {
        zone: String,
        /// Said after the zone: why it may not be found.
        hint: String,
    },
    /// The message, and the methods the route does take (the `Allow` header).
    MethodNotAllowed(String, &'static str),
    MultipleRecords {
        fqdn: String,
        rtype: String,
        count: usize,
    },
    PayloadTooLarge,
    /// The body did not arrive whole within this many seconds.
    BodyTimeout(u64),
    /// The request's own values are wrong.
    Invalid(String),
    /// The provider refused the values it was given.
    Refused {
        op: Op,
        err: ProviderError,
    },
    /// The domain or record is locked or blocked at the provider.
    Locked {
        op: Op,
        err: ProviderError,
    },
    /// The provider refused the credential, its permissions or the account.
    Denied {
        op: Op,
        err: ProviderError,
    },
    /// The provider failed.
    Provider {
        op: Op,
        err: ProviderError,
    },
    /// No usable answer from the provider: network, TLS, protocol, bad body, timeout.
    Upstream {
        op: Op,
        provider: &'static str,
        fault: Fault,
    },
    /// The provider answered with a non-JSON body or an unexpected status.
    BadAnswer {
        op: Op,
        provider: &'static str,
        status: u16,
    },
    RateLimited {
        provider: &'static str,
        retry_after: Option<String>,
    },
    /// Too many requests for one record already wait for it; retry after this many seconds.
    RecordBusy(u64),
    ClockNotSet(String),
}

impl Error {
    /// The one place an error gets its HTTP status.
    pub fn status(&self) -> StatusCode {
        match self {
            Error::BadRequest(_) | Error::Credential(_) => StatusCode::BAD_REQUEST,
            Error::MissingToken => StatusCode::UNAUTHORIZED,
            Error::InvalidToken => StatusCode::FORBIDDEN,
            Error::NotFound | Error::ZoneNotFound { .. } => StatusCode::NOT_FOUND,
            Error::MethodNotAllowed(..) => StatusCode::METHOD_NOT_ALLOWED,
            Error::MultipleRecords { .. } => StatusCode::CONFLICT,
            Error::BodyTimeout(_) => StatusCode::REQUEST_TIMEOUT,
            Error::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Error::Invalid(_) | Error::Refused { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            Error::Locked { .. } => StatusCode::LOCKED,
            Error::Denied { .. } | Error::Provider { .. } | Error::BadAnswer { .. } => {
                StatusCode::BAD_GATEWAY
            }
            Error::Upstream { fault: Fault::Timeout(_), .. } => StatusCode::GATEWAY_TIMEOUT,
            Error::Upstream { .. } => StatusCode::BAD_GATEWAY,
            Error::RateLimited { .. } | Error::RecordBusy(_) | Error::ClockNotSet(_) => {
                StatusCode::SERVICE_UNAVAILABLE
            }
        }
    }

    pub fn message(&self) -> String {
        match self {
            Error::BadRequest(m) | Error::Invalid(m) | Error::MethodNotAllowed(m, _) => m.clone(),
            Error::Credential(credentials::Fault::Missing(field)) => {
                format!("Missing required credential: {field}")
            }
            Error::Credential(credentials::Fault::Malformed(why)) => {
                format!("Malformed X-Upstream-Authorization header: {why}")
            }
            Error::MissingToken => "Missing authentication token".into(),
            Error::InvalidToken => "Invalid authentication token".into(),
            Error::NotFound => "Not Found".into(),
            Error::ZoneNotFound { zone, hint } => format!("Zone not found for domain: {zone}{hint}"),
            Error::MultipleRecords { fqdn, rtype, count } => {
                format!("Multiple records found for {fqdn} ({rtype}): {count}")
            }
            Error::PayloadTooLarge => "Request body is too large".into(),
            Error::BodyTimeout(s) => format!("Request body not received within {s} s"),
            Error::Refused { op, err } | Error::Provider { op, err } => {
                format!("{}: {err}", op.prefix())
            }
            Error::Locked { op, err } => format!(
                "{}: {} has locked or blocked this domain or record (release it there): {} {}",
                op.prefix(),
                err.provider,
                err.code,
                err.message
            ),
            Error::Denied { op, err } => format!(
                "{}: {} refused the credential or permission: {} {}",
                op.prefix(),
                err.provider,
                err.code,
                err.message
            ),
            Error::Upstream { op, provider, fault } => format!("{}: {provider}: {fault}", op.prefix()),
            Error::BadAnswer { op, provider, status } => {
                format!("{}: {provider} answered HTTP {status} without a usable JSON body", op.prefix())
            }
            Error::RateLimited { provider, retry_after } => match retry_after {
                Some(s) => format!("{provider} rate limit reached; retry after {s} s"),
                None => format!("{provider} rate limit reached; retry later"),
            },
            Error::RecordBusy(s) => {
                format!("Too many updates of this record at once; retry after {s} s")
            }
            Error::ClockNotSet(m) => m.clone(),
        }
    }

    pub fn provider_error(&self) -> Option<&ProviderError> {
        match self {
            Error::Refused { err, .. }
            | Error::Locked { err, .. }
            | Error::Denied { err, .. }
            | Error::Provider { err, .. } => Some(err),
            _ => None,
        }
    }

    /// Headers the status calls for.
    pub fn headers(&self) -> Vec<(&'static str, String)> {
        match self {
            // RouterOS fetch reports a 401 without this header as an error of its own.
            Error::MissingToken => vec![("www-authenticate", "Bearer realm=\"ddns-gateway\"".into())],
            Error::MethodNotAllowed(_, allow) => vec![("allow", (*allow).into())],
            Error::RateLimited { retry_after: Some(s), .. } => vec![("retry-after", s.clone())],
            Error::RecordBusy(s) => vec![("retry-after", s.to_string())],
            // The rest of that body may still come: the connection is not reusable.
            Error::BodyTimeout(_) => vec![("connection", "close".into())],
            _ => Vec::new(),
        }
    }

    /// The JSON body: `{"status":"error","code":N,"message":"…"}` (+ `provider_error`).
    /// Unknown routes keep the original's `{"detail":"Not Found"}`.
    pub fn body(&self) -> String {
        if let Error::NotFound = self {
            return r#"{"detail":"Not Found"}"#.into();
        }
        let body = ErrorBody {
            status: "error",
            code: self.status().as_u16(),
            message: self.message(),
            provider_error: self.provider_error(),
        };
        serde_json::to_string(&body).unwrap_or_default()
    }

    /// The provider's own error code for the log line, if it gave one.
    pub fn provider_code(&self) -> Option<&str> {
        self.provider_error().map(|p| p.code.as_str())
    }
}

impl From<credentials::Fault> for Error {
    fn from(fault: credentials::Fault) -> Error {
        Error::Credential(fault)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message())
    }
}
