//! Alibaba Cloud RPC-style calls, for any of its APIs (Alidns, ESA): one request whose query
//! carries the action, the common parameters and the v1 (HMAC-SHA1) signature, which covers
//! the HTTP method (ESA takes its writes only as POST, still with an empty body); a refusal
//! is `{RequestId, Code, Message}` with an HTTP status that varies.

use std::io::Read;
use std::sync::atomic::{AtomicU32, Ordering};

use http::Method;

use super::aliyun_sign::signed_query;
use super::listed::{Answer, Text, str_of, text};
use super::{Call, Signed, SignedClient, Spec, hex};
use crate::error::{Error, Op, ProviderError, provider_field};
use crate::time::Utc;
use crate::upstream::Response;

/// One API: its version and the RAM service prefix its actions are granted under.
pub struct RpcApi {
    pub spec: &'static Spec,
    pub version: &'static str,
    /// `alidns`: a `Forbidden.RAM` refusal names `alidns:<Action>`.
    pub ram: &'static str,
}

/// Unique per request, as the API requires: time, a counter and random bytes.
pub fn nonce() -> String {
    // 32 bits: ARMv5 and MIPS32 have no 64-bit atomics; time and random bytes do the rest.
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let mut random = [0u8; 8];
    let _ = std::fs::File::open("/dev/urandom").and_then(|mut f| f.read_exact(&mut random));
    let nanos =
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos());
    format!("{nanos:x}-{:x}-{}", COUNTER.fetch_add(1, Ordering::Relaxed), hex(&random))
}

impl RpcApi {
    /// One action, sent with `method`: its answer, or the refusal it stands for. Codes
    /// missing from the spec's table mean the values passed on.
    pub async fn call(
        &self,
        api: &SignedClient,
        call: &mut Call<'_>,
        op: Op,
        method: Method,
        action: &str,
        params: &[(&str, &str)],
    ) -> Result<Answer, Error> {
        let key = call.cred.pair()?;
        let sign = |now: i64| {
            let stamp = (Utc::from_unix(now).iso8601(), nonce());
            self.signed(&method, key, action, params, (&stamp.0, &stamp.1))
        };
        let mut answer = None;
        let mut read = |resp: &Response| {
            answer = Some(self.read(call, op, action, resp)?);
            Ok(())
        };
        api.exchange(self.spec, op, &sign, &mut read).await?;
        answer.ok_or(Error::BadAnswer { op, provider: self.spec.name, status: 200 })
    }

    /// The request for `action` signed with `(id, secret)` at `(timestamp, nonce)`: every
    /// parameter in the query, also for a POST, and the body empty.
    fn signed(
        &self,
        method: &Method,
        (id, secret): (&str, &str),
        action: &str,
        params: &[(&str, &str)],
        (timestamp, nonce): (&str, &str),
    ) -> Signed {
        let mut all: Vec<(&str, &str)> = vec![
            ("Action", action),
            ("Format", "JSON"),
            ("Version", self.version),
            ("AccessKeyId", id),
            ("SignatureMethod", "HMAC-SHA1"),
            ("SignatureVersion", "1.0"),
            ("SignatureNonce", nonce),
            ("Timestamp", timestamp),
        ];
        all.extend_from_slice(params);
        let target = format!("/?{}", signed_query(method.as_str(), secret, &all));
        Signed { method: method.clone(), target, headers: Vec::new(), body: Vec::new() }
    }

    fn read(&self, call: &mut Call<'_>, op: Op, action: &str, resp: &Response) -> Result<Answer, Error> {
        let name = self.spec.name;
        let ok = (200..300).contains(&resp.status);
        let head = match serde_json::from_slice::<Answer>(&resp.body) {
            Ok(h) => h,
            Err(_) if resp.status == 429 => {
                return Err(Error::RateLimited { provider: name, retry_after: None });
            }
            Err(_) => return Err(Error::BadAnswer { op, provider: name, status: resp.status }),
        };
        if let Some(Text(id)) = &head.request_id {
            call.meta.request_id = Some(provider_field(call.cred, id));
        }
        let code = match &head.code {
            _ if ok => return Ok(head),
            Some(Text(code)) => code,
            None => return Err(Error::BadAnswer { op, provider: name, status: resp.status }),
        };
        let mut message = first_sentence(str_of(&head.message));
        // Alidns says Forbidden.RAM, ESA NoPermission.
        if code == "Forbidden.RAM" || code == "NoPermission" {
            message = format!("{message} (the RAM policy must allow {}:{action})", self.ram);
        }
        let err = ProviderError::new(name, call.cred, code, &message, text(&head.request_id));
        Err(self.spec.failure(op, call.want, err, super::Meaning::Values))
    }
}

/// Error messages may echo the string-to-sign (with the AccessKeyId): keep the first
/// sentence only (`ProviderError::new` scrubs what is left).
fn first_sentence(msg: &str) -> String {
    if msg.is_empty() {
        "request failed".into()
    } else if msg.to_ascii_lowercase().contains("string to sign") {
        msg.split(". ").next().unwrap_or("").trim_end_matches('.').to_string() + "."
    } else {
        msg.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::providers::Kind;

    /// A POST is signed as one: `POST&%2F&AccessKeyId%3Dtestid%26Action%3DCreateRecord…`
    /// over the same parameters, which stay in the query (the body is empty). The expected
    /// signature is HMAC-SHA1 of that string (`Type` in it as `A%252FAAAA`), computed
    /// outside with `openssl dgst -sha1 -hmac 'testsecret&'`.
    #[test]
    fn a_post_is_signed_as_a_post() {
        let api = RpcApi { spec: Kind::Esa.spec(), version: "2024-09-10", ram: "esa" };
        let stamp = ("2016-02-23T12:46:24Z", "3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf");
        let params = [("SiteId", "1234567890123"), ("Type", "A/AAAA")];
        let req = api.signed(&Method::POST, ("testid", "testsecret"), "CreateRecord", &params, stamp);
        assert_eq!((req.method, req.body.len()), (Method::POST, 0));
        assert!(req.target.starts_with("/?AccessKeyId=testid&Action=CreateRecord&"), "{}", req.target);
        assert!(req.target.ends_with("&Signature=BvUsBERAAzHgF6qdUsAXzPcJ884%3D"), "{}", req.target);
        // The same call as a GET is signed differently.
        let get = api.signed(&Method::GET, ("testid", "testsecret"), "CreateRecord", &params, stamp);
        assert_ne!(get.target, req.target);
    }

    #[test]
    fn nonces_differ() {
        let a: std::collections::HashSet<String> = (0..1000).map(|_| nonce()).collect();
        assert_eq!(a.len(), 1000);
    }
}
