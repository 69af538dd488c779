//! Tencent Cloud API 3.0 calls, for any of its services (DNSPod `dnspod`, EdgeOne `teo`):
//! one TC3-HMAC-SHA256-signed `POST /` with a JSON body, answered with HTTP 200 and
//! `{"Response":{…,"RequestId"}}`, or `{"Response":{"Error":{"Code","Message"},"RequestId"}}`
//! when refused. Every action's answer is read into the one `Answer` type.

use http::Method;
use serde::Deserialize;

use super::listed::{Listed, Site, Text};
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
    response: Answer,
}

/// The `Response` of every action the gateway calls, DNSPod's and EdgeOne's: one type, so
/// one parser in the binary.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Answer {
    error: Option<ApiError>,
    request_id: Option<String>,
    /// DNSPod DescribeRecordList `RecordList`, EdgeOne DescribeDnsRecords `DnsRecords`.
    #[serde(default, alias = "DnsRecords")]
    pub record_list: Vec<Listed>,
    /// DNSPod: how many records the whole list has.
    pub record_count_info: Option<CountInfo>,
    /// EdgeOne DescribeZones.
    #[serde(default)]
    pub zones: Vec<Site>,
    /// CreateRecord, CreateDnsRecord.
    pub record_id: Option<Text>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct CountInfo {
    pub total_count: u64,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ApiError {
    code: String,
    #[serde(default)]
    message: String,
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
        let answer = match serde_json::from_slice::<Envelope>(&resp.body) {
            Ok(e) => e.response,
            Err(_) if resp.status == 429 => {
                return Err(Error::RateLimited { provider: name, retry_after: None });
            }
            Err(_) => return Err(Error::BadAnswer { op, provider: name, status: resp.status }),
        };
        if let Some(id) = &answer.request_id {
            call.meta.request_id = Some(provider_field(call.cred, id));
        }
        let Some(e) = &answer.error else {
            return Ok(answer);
        };
        let err = ProviderError::new(name, call.cred, &e.code, &e.message, answer.request_id.as_deref());
        Err(self.spec.failure(op, call.want, err, self.fallback))
    }
}
