//! Tencent Cloud API 3.0 calls, for any of its services (DNSPod `dnspod`, EdgeOne `teo`):
//! one TC3-HMAC-SHA256-signed `POST /` with a JSON body, answered with HTTP 200 and
//! `{"Response":{…,"RequestId"}}`, or `{"Response":{"Error":{"Code","Message"},"RequestId"}}`
//! when refused. The answer is parsed into the caller's small typed struct.

use bytes::Bytes;
use http::Method;
use serde::Deserialize;
use serde::de::DeserializeOwned;

use super::tencent_sign::sign;
use super::{Call, Meaning, Signed, SignedClient, Spec};
use crate::error::{Error, Op, ProviderError, provider_field};
use crate::upstream::Response;

const CONTENT_TYPE: &str = "application/json; charset=utf-8";

/// One API of the family: its service name (the signature's scope) and version.
pub struct Tc3Api {
    pub spec: &'static Spec,
    pub service: &'static str,
    pub version: &'static str,
    /// What a code missing from the spec's table means.
    pub fallback: Meaning,
}

#[derive(Deserialize)]
struct Envelope {
    #[serde(rename = "Response")]
    response: Head,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Head {
    error: Option<ApiError>,
    request_id: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ApiError {
    code: String,
    #[serde(default)]
    message: String,
}

#[derive(Deserialize)]
struct Answer<T> {
    #[serde(rename = "Response")]
    response: T,
}

impl Tc3Api {
    /// One action; the answer's `Response` as `T` (unknown fields ignored).
    pub async fn call<T: DeserializeOwned>(
        &self,
        api: &SignedClient,
        call: &mut Call<'_>,
        op: Op,
        action: &str,
        body: &serde_json::Value,
    ) -> Result<T, Error> {
        let bytes = self.send(api, call, op, action, body.to_string().into_bytes()).await?;
        serde_json::from_slice::<Answer<T>>(&bytes).map(|a| a.response).map_err(|_| Error::BadAnswer {
            op,
            provider: self.spec.name,
            status: 200,
        })
    }

    /// Sign → send → read the envelope: the body of an answer that is no refusal.
    async fn send(
        &self,
        api: &SignedClient,
        call: &mut Call<'_>,
        op: Op,
        action: &str,
        body: Vec<u8>,
    ) -> Result<Bytes, Error> {
        let (id, secret) = call.cred.pair()?;
        // Signed for the host we actually send to (tests and proxies use other endpoints).
        let host = api.endpoint.authority();
        let sign = |now: i64| {
            let signed = sign(id, secret, self.service, &host, CONTENT_TYPE, &body, now);
            let headers = vec![
                ("authorization", signed.authorization),
                ("content-type", CONTENT_TYPE.to_string()),
                ("x-tc-action", action.to_string()),
                ("x-tc-version", self.version.to_string()),
                ("x-tc-timestamp", signed.timestamp),
            ];
            Signed { method: Method::POST, target: "/".into(), headers, body: body.clone() }
        };
        let read = |resp: &Response| self.envelope(call, op, resp);
        api.exchange(self.spec, op, sign, read).await
    }

    fn envelope(&self, call: &mut Call<'_>, op: Op, resp: &Response) -> Result<Bytes, Error> {
        let name = self.spec.name;
        let head = match serde_json::from_slice::<Envelope>(&resp.body) {
            Ok(e) => e.response,
            Err(_) if resp.status == 429 => {
                return Err(Error::RateLimited { provider: name, retry_after: None });
            }
            Err(_) => return Err(Error::BadAnswer { op, provider: name, status: resp.status }),
        };
        if let Some(id) = &head.request_id {
            call.meta.request_id = Some(provider_field(call.cred, id));
        }
        let Some(e) = head.error else {
            return Ok(resp.body.clone());
        };
        let err = ProviderError::new(name, call.cred, &e.code, &e.message, head.request_id.as_deref());
        Err(self.spec.failure(op, call.want, err, self.fallback))
    }
}
