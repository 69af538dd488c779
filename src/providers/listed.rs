//! Every provider's JSON answers, and the records and sites in them, as the gateway reads
//! them: the fields it uses, under each provider's own names (serde aliases), and nothing
//! else (unknown fields are skipped, never held). One shape for every provider means one
//! parser in the binary: serde's code for a struct, and for a list of it, is about 3 KB per
//! type. Every field is renamed, so that only the names listed here are read.

use std::fmt;

use serde::Deserialize;
use serde::de::value::MapAccessDeserializer;
use serde::de::{Deserializer, MapAccess, SeqAccess, Visitor};

use super::{Record, Spec};
use crate::error::{Error, Op};

/// A listed record (or, from Cloudflare's and Huawei Cloud's zone lists, a zone: id, name,
/// status).
#[derive(Deserialize)]
pub struct Listed {
    #[serde(alias = "RecordId")]
    pub id: Text,
    /// The full name: Cloudflare, Huawei Cloud (with the final dot), Porkbun `name`, EdgeOne
    /// `Name`, ESA `RecordName`; relative: Aliyun `RR`, DNSPod `Name`.
    #[serde(alias = "Name", alias = "RR", alias = "RecordName")]
    pub name: String,
    #[serde(default, rename = "type", alias = "Type", alias = "RecordType")]
    pub rtype: String,
    #[serde(default, alias = "Value", alias = "Content")]
    pub content: String,
    /// ESA's content, `{"Value": …}`.
    #[serde(rename = "Data")]
    pub data: Option<Data>,
    /// A number, or a string of one (Porkbun).
    #[serde(alias = "TTL", alias = "Ttl")]
    pub ttl: Option<Text>,
    /// Aliyun and DNSPod `Remark`, Huawei Cloud `description`, Porkbun `notes`, ESA `Comment`.
    #[serde(alias = "Remark", alias = "description", alias = "notes", alias = "Comment")]
    pub comment: Option<String>,
    /// The resolution line: Aliyun and DNSPod `Line`, EdgeOne `Location`.
    #[serde(alias = "Line", alias = "Location")]
    pub line: Option<String>,
    /// Aliyun and DNSPod `ENABLE`/`DISABLE`; a Cloudflare zone's `active`, `deleted`…
    #[serde(alias = "Status")]
    pub status: Option<String>,
    /// DNSPod's weight; none when absent, negative or not a number.
    #[serde(alias = "Weight")]
    pub weight: Option<Text>,
    #[serde(default)]
    pub proxied: bool,
    /// A Huawei Cloud record set's values.
    #[serde(default)]
    pub records: Vec<String>,
}

/// ESA's record content.
#[derive(Deserialize)]
pub struct Data {
    #[serde(rename = "Value", default)]
    pub value: String,
}

/// A site as EdgeOne and ESA list them: its id, name, how it is connected (EdgeOne `Type`:
/// `full` for NS access, `partial` for CNAME access…; ESA `AccessType`: `NS`, `CNAME`) and
/// its status.
#[derive(Deserialize)]
pub struct Site {
    #[serde(alias = "ZoneId", alias = "SiteId")]
    pub id: Text,
    #[serde(alias = "ZoneName", alias = "SiteName")]
    pub name: String,
    #[serde(default, alias = "Type", alias = "AccessType")]
    pub access: String,
    #[serde(default, alias = "Status")]
    pub status: String,
}

/// Every provider's answer, success or refusal: fields an answer does not have stay empty.
/// Nested objects are answers too (DNSPod's and EdgeOne's `Response`, a refusal's `Error`,
/// a count's holder), so one parser reads them all.
#[derive(Default, Deserialize)]
#[serde(default)]
pub struct Answer {
    /// DNSPod's and EdgeOne's answer is `{"Response": …}`.
    #[serde(rename = "Response")]
    pub response: Option<Box<Answer>>,
    /// A refusal's code: Aliyun and ESA `Code` (and inside DNSPod's and EdgeOne's `Error`,
    /// Cloudflare's `errors`), Huawei Cloud DNS and Porkbun `code`.
    #[serde(rename = "code", alias = "Code")]
    pub code: Option<Text>,
    #[serde(rename = "message", alias = "Message")]
    pub message: Option<Text>,
    /// Huawei Cloud's API gateway names its refusals so.
    #[serde(rename = "error_code")]
    pub error_code: Option<Text>,
    #[serde(rename = "error_msg")]
    pub error_msg: Option<Text>,
    /// DNSPod's and EdgeOne's refusal.
    #[serde(rename = "Error")]
    pub error: Option<Box<Answer>>,
    /// Cloudflare's refusal.
    #[serde(rename = "errors")]
    pub errors: Vec<Answer>,
    /// Cloudflare: whether it did what was asked.
    #[serde(rename = "success")]
    pub success: bool,
    /// Porkbun: `SUCCESS` or `ERROR`.
    #[serde(rename = "status")]
    pub status: Option<Text>,
    #[serde(rename = "RequestId", alias = "requestId", alias = "request_id")]
    pub request_id: Option<Text>,
    /// Porkbun: seconds until its rate limit resets.
    #[serde(rename = "ttlRemaining")]
    pub ttl_remaining: Option<Text>,
    /// The records (or, from Cloudflare's zone list, zones): Cloudflare `result` (one or
    /// many), DNSPod `RecordList`, EdgeOne `DnsRecords`, ESA `Records`, Huawei Cloud
    /// `recordsets`, Porkbun `records`; inside Alidns's `DomainRecords`, `Record`.
    #[serde(
        rename = "records",
        alias = "result",
        alias = "RecordList",
        alias = "DnsRecords",
        alias = "Records",
        alias = "recordsets",
        alias = "Record"
    )]
    pub records: Results,
    /// Alidns: `{"DomainRecords": {"Record": […]}}`.
    #[serde(rename = "DomainRecords")]
    pub domain_records: Option<Box<Answer>>,
    /// Sites: EdgeOne `Zones`, ESA `Sites`, Huawei Cloud `zones`.
    #[serde(rename = "zones", alias = "Zones", alias = "Sites")]
    pub zones: Vec<Site>,
    /// How many there are in all (Aliyun, EdgeOne, ESA `TotalCount`; inside DNSPod's
    /// `RecordCountInfo`), or pages (inside Cloudflare's `result_info`).
    #[serde(rename = "TotalCount", alias = "total_pages")]
    pub total: Option<Text>,
    #[serde(rename = "RecordCountInfo", alias = "result_info")]
    pub count: Option<Box<Answer>>,
    /// The id a create answers with: Aliyun, DNSPod, EdgeOne, ESA `RecordId`, Porkbun `id`.
    #[serde(rename = "RecordId", alias = "id")]
    pub id: Option<Text>,
}

impl Answer {
    /// The total, where the answer (or its count) gives one.
    pub fn total(&self) -> u64 {
        let count = self.count.as_deref().and_then(|c| c.total.as_ref());
        self.total.as_ref().or(count).and_then(Text::number).unwrap_or(0)
    }

    /// The records, wherever the answer keeps them.
    pub fn into_records(self) -> Vec<Listed> {
        match self.domain_records {
            Some(inner) => inner.records.0,
            None => self.records.0,
        }
    }
}

/// Records in an answer: a list, one record (Cloudflare's answer to a create or a change), or
/// null (a refusal's).
#[derive(Default)]
pub struct Results(pub Vec<Listed>);

impl<'de> Deserialize<'de> for Results {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Results, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Results;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("records")
            }
            fn visit_unit<E>(self) -> Result<Results, E> {
                Ok(Results::default())
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Results, A::Error> {
                let mut all = Vec::new();
                while let Some(one) = seq.next_element()? {
                    all.push(one);
                }
                Ok(Results(all))
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Results, A::Error> {
                Listed::deserialize(MapAccessDeserializer::new(map)).map(|one| Results(vec![one]))
            }
        }
        d.deserialize_any(V)
    }
}

/// The id a create answered with; an answer without one is a bad answer.
pub fn created_id(id: Option<Text>, spec: &Spec) -> Result<String, Error> {
    id.map(|t| t.0).ok_or(Error::BadAnswer { op: Op::Create, provider: spec.name, status: 200 })
}

/// A value sent as a string in one answer and as a number in another, kept as text: record
/// ids (Cloudflare and Aliyun send strings, DNSPod numbers), Porkbun's every field. One type
/// for all of them, so one deserializer in the binary.
pub struct Text(pub String);

/// An optional field's text.
pub fn text(t: &Option<Text>) -> Option<&str> {
    t.as_ref().map(|Text(s)| s.as_str())
}

/// An optional field's text, empty when absent.
pub fn str_of(t: &Option<Text>) -> &str {
    text(t).unwrap_or("")
}

impl Text {
    /// The number it holds, if it holds one.
    pub fn number<N: std::str::FromStr>(&self) -> Option<N> {
        self.0.parse().ok()
    }
}

impl<'de> Deserialize<'de> for Text {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Text, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Text;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string or a number")
            }
            fn visit_str<E>(self, s: &str) -> Result<Text, E> {
                Ok(Text(s.to_string()))
            }
            fn visit_u64<E>(self, n: u64) -> Result<Text, E> {
                Ok(Text(n.to_string()))
            }
            fn visit_i64<E>(self, n: i64) -> Result<Text, E> {
                Ok(Text(n.to_string()))
            }
        }
        d.deserialize_any(V)
    }
}

impl Listed {
    /// The record, with its content as given and its TTL, when the answer has none, as
    /// `default_ttl`.
    pub fn into_record(self, default_ttl: u32) -> Record {
        Record {
            id: self.id.0,
            value: match self.data {
                Some(d) => d.value,
                None => self.content,
            },
            ttl: self.ttl.and_then(|t| t.number()).unwrap_or(default_ttl),
            comment: self.comment,
            line: self.line,
            proxied: self.proxied,
            disabled: self.status.is_some_and(|s| s.eq_ignore_ascii_case("disable")),
            weight: self.weight.and_then(|w| w.number()),
        }
    }
}
