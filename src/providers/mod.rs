//! DNS providers behind one trait. `update::run` does the deciding (create, update or leave
//! alone); a provider only lists, creates and changes records in its own API's terms.

pub mod aliyun;
pub mod aliyun_sign;
pub mod cloudflare;
pub mod tencent;
pub mod tencent_sign;

use std::sync::Mutex;
use std::time::UNIX_EPOCH;

use serde::Serialize;

use crate::credentials::Credential;
use crate::error::Error;
use crate::request::UpdateRequest;
use crate::time::unix_now;
use crate::upstream::Response;

/// One record as the provider stores it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Record {
    pub id: String,
    pub value: String,
    pub ttl: u32,
    /// `None` when the provider has none (or does not report it).
    pub comment: Option<String>,
    /// The resolution line (Tencent), kept as it is on updates.
    pub line: Option<String>,
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

/// One update in flight: what was asked, with what credential, and what the provider
/// calls have told us so far.
pub struct Call<'a> {
    pub req: &'a UpdateRequest,
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

#[allow(async_fn_in_trait)]
pub trait Provider {
    /// Every record whose name is exactly the request's name (case-insensitive) and whose
    /// type is the request's type.
    async fn list(&self, call: &mut Call<'_>) -> Result<Vec<Record>, Error>;
    /// Creates the record; ttl and comment only if the request has them.
    async fn create(&self, call: &mut Call<'_>) -> Result<Record, Error>;
    /// Changes exactly the fields in `change`; returns the record as it is afterwards, and
    /// whether the provider changed anything (it may find the record already as wanted).
    async fn update(
        &self,
        call: &mut Call<'_>,
        current: &Record,
        change: &Change,
    ) -> Result<(Record, bool), Error>;
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
        let date = httpdate::parse_http_date(resp.header("date")?).ok()?;
        let theirs = date.duration_since(UNIX_EPOCH).ok()?.as_secs() as i64;
        let offset = theirs - unix_now();
        *self.0.lock().unwrap_or_else(|e| e.into_inner()) = offset;
        Some(offset)
    }
}
