//! Tencent Cloud API 3.0 calls, for any of its services (DNSPod `dnspod`, EdgeOne `teo`):
//! one TC3-HMAC-SHA256-signed `POST /` with a JSON body, answered with HTTP 200 and
//! `{"Response":{…,"RequestId"}}`, or `{"Response":{"Error":{"Code","Message"},"RequestId"}}`
//! when refused. The `Response` is what `call` answers.

use http::Method;

use super::listed::{Answer, Text, str_of};
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

impl Tc3Api {
    /// One action: sign → send → read the answer, or the refusal it stands for.
    pub async fn call(
        &self,
        api: &SignedClient,
        call: &mut Call<'_>,
        op: Op,
        action: &str,
        body: String,
    ) -> Result<Answer, Error> {
        let body = body.into_bytes();
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
        let mut answer = None;
        let mut read = |resp: &Response| {
            answer = Some(self.read(call, op, resp)?);
            Ok(())
        };
        api.exchange(self.spec, op, &sign, &mut read).await?;
        answer.ok_or(Error::BadAnswer { op, provider: self.spec.name, status: 200 })
    }

    fn read(&self, call: &mut Call<'_>, op: Op, resp: &Response) -> Result<Answer, Error> {
        let name = self.spec.name;
        let answer = match serde_json::from_slice::<Answer>(&resp.body).map(|a| a.response) {
            Ok(Some(a)) => *a,
            _ if resp.status == 429 => return Err(Error::RateLimited { provider: name, retry_after: None }),
            _ => return Err(Error::BadAnswer { op, provider: name, status: resp.status }),
        };
        let request_id = answer.request_id.as_ref().map(|Text(id)| id.as_str());
        if let Some(id) = request_id {
            call.meta.request_id = Some(provider_field(call.cred, id));
        }
        let Some(e) = &answer.error else {
            return Ok(answer);
        };
        let err = ProviderError::new(name, call.cred, str_of(&e.code), str_of(&e.message), request_id);
        Err(self.spec.failure(op, call.want, err, self.fallback))
    }
}
