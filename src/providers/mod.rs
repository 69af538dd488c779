//! DNS providers behind one trait, and the one registry of them. Everything a provider is
//! lives in its own module: its `Spec` (name, default endpoint, credential shape, clock
//! signing, limits, error-code table) and how it lists, creates and modifies records in
//! its API's terms. `reconcile` does the deciding (create, modify or leave alone).
//!
//! Adding a provider: a module here with `Registered` and `Provider` impls, and one line in
//! `registry!`.

pub mod aliyun_rpc;
pub mod aliyun_sign;
pub mod body;
pub mod huaweicloud_sign;
pub mod listed;
pub mod reconcile;
pub mod tc3;
pub mod tencent_sign;
pub mod txt;

use std::any::Any;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};

use http::Method;
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::credentials::Credential;
use crate::error::{Error, Op, ProviderError};
use crate::record::Desired;
use crate::time::unix_now;
use crate::upstream::{Client, Endpoint, Response};
use crate::warn;
use reconcile::Outcome;

/// Generates, from one line per provider, the `Kind` enum, its specs and how each provider
/// is made.
macro_rules! registry {
    ($($variant:ident => $module:ident :: $ty:ident),+ $(,)?) => {
        $(pub mod $module;)+

        /// Which provider a request names.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum Kind {
            $($variant),+
        }

        impl Kind {
            /// Every provider, in the order messages list them.
            pub const ALL: &'static [Kind] = &[$(Kind::$variant),+];

            pub fn spec(self) -> &'static Spec {
                match self {
                    $(Kind::$variant => &<$module::$ty as Registered>::SPEC),+
                }
            }

            fn start(self, endpoint: Endpoint, client: Arc<Client>) -> Box<dyn Provider> {
                match self {
                    $(Kind::$variant => Box::new(<$module::$ty as Registered>::new(endpoint, client))),+
                }
            }
        }
    };
}

/// One instance of every provider (each keeps its own caches and clock), sharing one HTTPS
/// client, in `Kind::ALL`'s order.
pub struct Providers(Vec<Box<dyn Provider>>);

impl Providers {
    pub fn new(endpoint: impl Fn(Kind) -> Endpoint, client: Arc<Client>) -> Providers {
        Providers(Kind::ALL.iter().map(|&k| k.start(endpoint(k), client.clone())).collect())
    }

    /// Makes the provider's record what the call asks for.
    pub async fn reconcile(&self, kind: Kind, call: Call<'_>) -> Result<Outcome, Error> {
        // Boxed: a provider's calls are the largest part of a request's state, and only
        // requests past their lock need it; the many that wait stay small.
        Box::pin(reconcile::run(kind.spec(), &*self.0[kind as usize], call)).await
    }

    /// How many entries the provider caches.
    pub fn cached(&self, kind: Kind) -> usize {
        self.0[kind as usize].cached()
    }
}

registry! {
    Cloudflare => cloudflare::Cloudflare,
    Aliyun => aliyun::Aliyun,
    Tencent => tencent::Tencent,
    Huaweicloud => huaweicloud::Huaweicloud,
    EdgeOne => edgeone::EdgeOne,
    Esa => esa::Esa,
    Porkbun => porkbun::Porkbun,
}

impl Kind {
    /// The provider a request names, in any case.
    pub fn from_id(id: &str) -> Option<Kind> {
        Kind::ALL.iter().copied().find(|k| k.spec().id.eq_ignore_ascii_case(id))
    }

    /// `cloudflare, aliyun, tencent, huaweicloud, edgeone, esa, porkbun`.
    pub fn ids() -> String {
        Kind::ALL.iter().map(|k| k.spec().id).collect::<Vec<_>>().join(", ")
    }
}

/// What a provider is, apart from its code.
pub struct Spec {
    /// How requests, replies and the config name it: `cloudflare`.
    pub id: &'static str,
    /// How messages name it: `Cloudflare`.
    pub name: &'static str,
    /// `providers.<id>.endpoint`.
    pub endpoint_key: &'static str,
    pub default_endpoint: &'static str,
    pub credential: Shape,
    /// Whether its requests carry a timestamp it checks (so a router's unset clock matters
    /// even over plain HTTP).
    pub signs_with_clock: bool,
    /// The longest comment (remark) it takes, in characters: checked before any write. 0: its
    /// records have no comment field, so a comment is not stored and the reply warns.
    pub max_comment: usize,
    /// The name of its default resolution line (Aliyun `default`, DNSPod `默认`), if it has
    /// lines at all: only then does a request take `line`.
    pub default_line: Option<&'static str>,
    /// Its error codes and what they mean; the first match wins. `Foo*` matches every
    /// code starting with `Foo`.
    pub errors: &'static [(&'static str, Meaning)],
}

impl Spec {
    /// What an error code means, by the provider's table.
    pub fn meaning(&self, code: &str) -> Option<Meaning> {
        self.errors
            .iter()
            .find(|(pattern, _)| match pattern.strip_suffix('*') {
                Some(prefix) => code.starts_with(prefix),
                None => code == *pattern,
            })
            .map(|(_, m)| *m)
    }

    /// The request-path error for a provider's refusal.
    pub fn failure(&self, op: Op, want: &Desired, err: ProviderError, fallback: Meaning) -> Error {
        let zone = || want.shown().0.to_string();
        match self.meaning(&err.code).unwrap_or(fallback) {
            Meaning::NoZone => Error::ZoneNotFound { zone: zone(), hint: String::new() },
            Meaning::NotRegistered => Error::ZoneNotFound {
                zone: zone(),
                hint: format!(
                    " ({} {}: give the domain as registered, e.g. example.com rather than home.example.com)",
                    self.name, err.code
                ),
            },
            Meaning::Locked => Error::Locked { op, err },
            Meaning::Input => Error::Refused { op, err },
            Meaning::RateLimit(secs) => {
                Error::RateLimited { provider: self.name, retry_after: secs.map(|s| s.to_string()) }
            }
            Meaning::Credential => Error::Denied { op, err },
            Meaning::Values if op != Op::Query => Error::Refused { op, err },
            Meaning::Values | Meaning::Outage | Meaning::Clock => Error::Provider { op, err },
        }
    }
}

/// The credential a provider needs in `X-Upstream-Authorization`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shape {
    /// `secret` only (an API token).
    Secret,
    /// `id` and `secret` (an access key pair).
    IdAndSecret,
}

impl Shape {
    /// The 400 naming what is missing, if anything.
    pub fn check(self, cred: &Credential) -> Result<(), Error> {
        match self {
            Shape::Secret => cred.secret().map(drop)?,
            Shape::IdAndSecret => cred.pair().map(drop)?,
        }
        Ok(())
    }
}

/// What an error code from a provider means for the client.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Meaning {
    /// The zone is not in this account: 404.
    NoZone,
    /// Slow down: 503, with `Retry-After` when the provider's documentation names a time.
    RateLimit(Option<u32>),
    /// The credential, its permissions or the account: 502 "credential or permission",
    /// whether on a read or a write.
    Credential,
    /// The values passed on: 422 on a write (502 on a read: we chose those values).
    Values,
    /// The request's own names or values, refused on a read too: 422.
    Input,
    /// The zone given is not the registered domain (a subdomain, an alias): 404 saying so.
    NotRegistered,
    /// The domain or record is locked or blocked at the provider: 423, neither a credential
    /// fault nor an outage.
    Locked,
    /// The provider's own trouble: 502.
    Outage,
    /// Our timestamp is off: signed once more with the provider's clock, then 502.
    Clock,
}

/// One record as the provider stores it. `Default` so that a provider sets only the
/// fields it has.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Record {
    pub id: String,
    /// The content, as the text it stands for (Cloudflare's TXT strings decoded).
    pub value: String,
    pub ttl: u32,
    /// `None` when the provider has none (or does not report it).
    pub comment: Option<String>,
    /// The resolution line (Aliyun, Tencent), kept as it is on updates.
    pub line: Option<String>,
    /// Served through the provider's proxy, whose TTL is fixed (Cloudflare).
    pub proxied: bool,
    /// Paused by its owner: it does not resolve, and an update keeps it paused.
    pub disabled: bool,
    /// The record's weight among several of one name (DNSPod), kept on updates.
    pub weight: Option<u32>,
}

/// `provider_metadata` of a reply.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Meta {
    pub record_id: Option<String>,
    pub zone_id: Option<String>,
    pub request_id: Option<String>,
    pub extra: Extra,
}

#[derive(Clone, Debug, Default, Serialize)]
pub struct Extra {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cf_ray: Option<String>,
}

/// One request in flight: the record wanted, with what credential, and what the
/// provider's answers said about themselves (ids for the reply) and warnings.
pub struct Call<'a> {
    pub want: &'a Desired,
    pub cred: &'a Credential,
    pub meta: Meta,
    pub warnings: Vec<String>,
}

/// The fields of a record that must change; `None` leaves a field as it is.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Change {
    pub value: Option<String>,
    pub ttl: Option<u32>,
    pub comment: Option<String>,
}

impl Change {
    pub fn is_empty(&self) -> bool {
        self.value.is_none() && self.ttl.is_none() && self.comment.is_none()
    }
}

/// What listing taught a provider that creating or modifying needs: the zone's id, for
/// providers that have one (also the reply's `zone_id`), and whatever else it keeps for the
/// request (ESA: the name's shared address record, and its turn).
#[derive(Default)]
pub struct Zone {
    pub id: String,
    pub more: Option<Box<dyn Any + Send + Sync>>,
}

impl Zone {
    pub fn id(id: String) -> Zone {
        Zone { id, more: None }
    }
}

/// The records of the wanted name and type, and the zone they are in.
pub struct Listing {
    pub zone: Zone,
    pub records: Vec<Record>,
}

/// What `modify` did.
#[derive(Debug)]
pub enum Modified {
    /// The provider changed the record; this is it now.
    Changed(Record),
    /// The provider found it already as wanted (our list was stale).
    AlreadyAsWanted(Record),
}

/// A provider call in flight: boxed, so that one `reconcile::run` serves every provider
/// (one copy in the binary, not one per provider).
pub type Pending<'a, T> = Pin<Box<dyn Future<Output = Result<T, Error>> + Send + 'a>>;

/// What a provider does, in its API's terms.
pub trait Provider: Send + Sync {
    /// Every record whose name is exactly the wanted name (case-insensitive, in either
    /// form of an internationalised name) and whose type is the wanted type, on every
    /// resolution line: `reconcile::select` picks the one the request is about.
    fn list<'a>(&'a self, call: &'a mut Call<'_>) -> Pending<'a, Listing>;
    /// Creates the record (on the request's line, if it names one); ttl and comment only if
    /// the request has them.
    fn create<'a>(&'a self, call: &'a mut Call<'_>, zone: &'a Zone) -> Pending<'a, Record>;
    /// Changes exactly the fields in `change`.
    fn modify<'a>(
        &'a self,
        call: &'a mut Call<'_>,
        zone: &'a Zone,
        current: &'a Record,
        change: &'a Change,
    ) -> Pending<'a, Modified>;
    /// How many entries it caches (Cloudflare's zone ids), for tests and the curious.
    fn cached(&self) -> usize {
        0
    }
}

/// What the registry needs of a provider's type: what it is, and how one is made.
pub trait Registered: Provider + Sized + 'static {
    const SPEC: Spec;

    fn new(endpoint: Endpoint, client: Arc<Client>) -> Self;
}

/// One request as a signing provider builds it for a moment in time.
pub struct Signed {
    pub method: Method,
    pub target: String,
    pub headers: Vec<(&'static str, String)>,
    pub body: Vec<u8>,
}

/// A provider's API: where it is, the shared client, and the provider's idea of the time
/// (for those whose requests carry a signed timestamp).
pub struct SignedClient {
    pub endpoint: Endpoint,
    client: Arc<Client>,
    clock: Clock,
}

impl SignedClient {
    pub fn new(endpoint: Endpoint, client: Arc<Client>) -> SignedClient {
        SignedClient { endpoint, client, clock: Clock::default() }
    }

    /// Sign → send → read; when the provider says our timestamp is off (a
    /// `Meaning::Clock` code), learn its clock from the `Date` header and sign once more.
    /// Not generic (one copy for every provider): `read` keeps what it reads.
    pub async fn exchange(
        &self,
        spec: &'static Spec,
        op: Op,
        sign: &(dyn Fn(i64) -> Signed + Sync),
        read: &mut (dyn FnMut(&Response) -> Result<(), Error> + Send),
    ) -> Result<(), Error> {
        let mut retried = false;
        loop {
            let req = sign(self.clock.now());
            let headers: Vec<(&str, &str)> = req.headers.iter().map(|(k, v)| (*k, v.as_str())).collect();
            let resp = self
                .client
                .send(&self.endpoint, req.method, &req.target, &headers, req.body)
                .await
                .map_err(|fault| Error::Upstream { op, provider: spec.name, fault })?;
            match read(&resp) {
                Err(Error::Provider { err, .. })
                    if !retried && spec.meaning(&err.code) == Some(Meaning::Clock) =>
                {
                    let Some(offset) = self.clock.learn(&resp) else {
                        return Err(Error::Provider { op, err });
                    };
                    warn!("{} says our clock is off by {offset} s; signing with its time", spec.name);
                    retried = true;
                }
                other => return other,
            }
        }
    }
}

/// An answer's body as `T` (unknown fields ignored); one that is not is a bad answer.
pub fn parse<T: DeserializeOwned>(spec: &Spec, op: Op, body: &[u8]) -> Result<T, Error> {
    serde_json::from_slice(body).map_err(|_| Error::BadAnswer { op, provider: spec.name, status: 200 })
}

/// A digest that stands for a secret in maps and caches, so none of them holds the secret.
pub fn fingerprint(parts: &[&str]) -> [u8; 32] {
    let mut h = ring::digest::Context::new(&ring::digest::SHA256);
    for p in parts {
        h.update(&(p.len() as u64).to_be_bytes());
        h.update(p.as_bytes());
    }
    to_32(h.finish().as_ref())
}

// Hashes and MACs come from ring, which the TLS stack links anyway (and with assembly for
// every target): no second implementation in the binary.

/// SHA-256 of `data`.
pub fn sha256(data: &[u8]) -> [u8; 32] {
    to_32(ring::digest::digest(&ring::digest::SHA256, data).as_ref())
}

/// HMAC-SHA256 of `data` under `key`.
pub fn hmac_sha256(key: &[u8], data: &[u8]) -> [u8; 32] {
    let key = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, key);
    to_32(ring::hmac::sign(&key, data).as_ref())
}

fn to_32(bytes: &[u8]) -> [u8; 32] {
    let mut out = [0; 32];
    out.copy_from_slice(bytes);
    out
}

/// Lower-case hex.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A provider's idea of the time, as an offset to ours: routers often run with a wrong
/// clock until NTP syncs, and signed requests carry a timestamp the provider checks.
/// (A mutex, not an AtomicI64: ARMv5 and MIPS32 have no 64-bit atomics.)
#[derive(Debug, Default)]
pub struct Clock(Mutex<i64>);

impl Clock {
    pub fn now(&self) -> i64 {
        unix_now() + *self.0.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Learns the offset from a response's `Date` header; returns it in seconds.
    pub fn learn(&self, resp: &Response) -> Option<i64> {
        let theirs = crate::time::parse_http_date(resp.header("date")?)?;
        let offset = theirs - unix_now();
        *self.0.lock().unwrap_or_else(|e| e.into_inner()) = offset;
        Some(offset)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn specs_agree_with_themselves() {
        for kind in Kind::ALL {
            let spec = kind.spec();
            assert_eq!(spec.endpoint_key, format!("providers.{}.endpoint", spec.id));
            assert_eq!(Kind::from_id(&spec.id.to_ascii_uppercase()), Some(*kind));
            assert!(Endpoint::parse(spec.default_endpoint).is_ok(), "{}", spec.id);
            assert!(spec.max_comment <= crate::record::MAX_COMMENT);
        }
        assert_eq!(Kind::ids(), "cloudflare, aliyun, tencent, huaweicloud, edgeone, esa, porkbun");
    }

    #[test]
    fn error_tables_match_exactly_or_by_declared_prefix() {
        let spec = Kind::Tencent.spec();
        assert_eq!(spec.meaning("AuthFailure.SignatureExpire"), Some(Meaning::Clock));
        assert_eq!(spec.meaning("InvalidParameter.PermissionDenied"), Some(Meaning::Credential));
        assert_eq!(spec.meaning("InvalidParameter.RecordValueInvalid"), Some(Meaning::Values));
        assert!(matches!(
            spec.meaning("InvalidParameter.OperationIsTooFrequent"),
            Some(Meaning::RateLimit(_))
        ));
    }
}
