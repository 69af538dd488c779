//! One record as any provider's JSON answer spells it: the fields the gateway uses, under
//! each provider's own names (serde aliases), and nothing else (unknown fields are skipped,
//! never held). One shape for every provider means one parser in the binary: serde's code
//! for a struct, and for a list of it, is about 3 KB per type.

use std::fmt;

use serde::Deserialize;
use serde::de::{Deserializer, Visitor};

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

/// The id a create answered with; an answer without one is a bad answer.
pub fn created_id(id: Option<Text>, spec: &Spec) -> Result<String, Error> {
    id.map(|t| t.0).ok_or(Error::BadAnswer { op: Op::Create, provider: spec.name, status: 200 })
}

/// A value sent as a string in one answer and as a number in another, kept as text: record
/// ids (Cloudflare and Aliyun send strings, DNSPod numbers), Porkbun's every field. One type
/// for all of them, so one deserializer in the binary.
pub struct Text(pub String);

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
