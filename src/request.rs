//! The `/update` request: raw fields from a query string, a form body or a JSON object,
//! each checked by its own function and normalised into a `ValidRequest`.

use std::fmt;
use std::net::{Ipv4Addr, Ipv6Addr};

use serde::Deserialize;
use serde::de::{Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

use crate::error::{Error, quoted};
use crate::providers::Kind;
use crate::record::{Desired, MAX_COMMENT, RecordType};
use crate::urlenc;

pub const MAX_TTL: u32 = 604_800;
pub const MAX_TXT: usize = 2048;

/// A JSON value as `Fields::from_json` reads it: objects keep the fields of a request, in
/// their order; whatever else there is, is only checked to be JSON (no value tree).
enum Json {
    Null,
    Str(String),
    /// An integer, as text (`ttl` is checked as text later).
    Num(String),
    Object(Vec<(String, Json)>),
    Other,
}

const FIELDS: [&str; 9] = ["provider", "zone", "record", "type", "value", "ttl", "comment", "suffix", "line"];

impl<'de> Deserialize<'de> for Json {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Json, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Json;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("JSON")
            }
            fn visit_unit<E>(self) -> Result<Json, E> {
                Ok(Json::Null)
            }
            fn visit_bool<E>(self, _: bool) -> Result<Json, E> {
                Ok(Json::Other)
            }
            fn visit_str<E>(self, s: &str) -> Result<Json, E> {
                Ok(Json::Str(s.to_string()))
            }
            fn visit_u64<E>(self, n: u64) -> Result<Json, E> {
                Ok(Json::Num(n.to_string()))
            }
            fn visit_i64<E>(self, n: i64) -> Result<Json, E> {
                Ok(Json::Num(n.to_string()))
            }
            // Not an integer, however it is written (`1e3` too): no float formatting needed.
            fn visit_f64<E>(self, _: f64) -> Result<Json, E> {
                Ok(Json::Other)
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Json, A::Error> {
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(Json::Other)
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Json, A::Error> {
                let mut pairs = Vec::new();
                while let Some(k) = map.next_key::<String>()? {
                    if FIELDS.contains(&k.as_str()) {
                        let v = map.next_value::<Json>()?;
                        pairs.push((k, v));
                    } else {
                        map.next_value::<IgnoredAny>()?;
                    }
                }
                Ok(Json::Object(pairs))
            }
        }
        d.deserialize_any(V)
    }
}

/// A checked request: which provider, and the record wanted there.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ValidRequest {
    pub provider: Kind,
    pub record: Desired,
}

/// The fields as they arrived, before any check.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Fields {
    pub provider: Option<String>,
    pub zone: Option<String>,
    pub record: Option<String>,
    pub rtype: Option<String>,
    pub value: Option<String>,
    pub ttl: Option<String>,
    pub comment: Option<String>,
    /// AAAA only: the host part, combined with the prefix given in `value`.
    pub suffix: Option<String>,
    /// The resolution line (providers with lines only).
    pub line: Option<String>,
}

impl Fields {
    fn slot(&mut self, name: &str) -> Option<&mut Option<String>> {
        Some(match name {
            "provider" => &mut self.provider,
            "zone" => &mut self.zone,
            "record" => &mut self.record,
            "type" => &mut self.rtype,
            "value" => &mut self.value,
            "ttl" => &mut self.ttl,
            "comment" => &mut self.comment,
            "suffix" => &mut self.suffix,
            "line" => &mut self.line,
            _ => return None,
        })
    }

    /// From a query string or a form body. The first occurrence of a name wins.
    pub fn from_form(s: &str) -> Result<Fields, Error> {
        let pairs = urlenc::decode_pairs(s)
            .map_err(|_| Error::BadRequest("Request parameters are not valid UTF-8".into()))?;
        let mut f = Fields::default();
        for (k, v) in pairs {
            if let Some(slot) = f.slot(&k) {
                if slot.is_none() {
                    *slot = Some(v);
                }
            }
        }
        Ok(f)
    }

    /// From a JSON object. Values are strings; `ttl` may also be a number; `null` is absent.
    /// Of a name given twice the last counts; of several wrong values, the first by name is
    /// reported.
    pub fn from_json(body: &[u8]) -> Result<Fields, Error> {
        let top: Json = serde_json::from_slice(body)
            .map_err(|e| Error::BadRequest(format!("Request body is not valid JSON: {e}")))?;
        let Json::Object(pairs) = top else {
            return Err(Error::BadRequest("Request body must be a JSON object".into()));
        };
        let mut f = Fields::default();
        let mut wrong: Option<String> = None;
        for (i, (k, v)) in pairs.iter().enumerate() {
            let Some(slot) = f.slot(k) else { continue };
            if pairs[i + 1..].iter().any(|(later, _)| later == k) {
                continue;
            }
            *slot = match v {
                Json::Null => None,
                Json::Str(s) => Some(s.clone()),
                Json::Num(n) if k == "ttl" => Some(n.clone()),
                _ => {
                    if wrong.as_ref().is_none_or(|w| k < w) {
                        wrong = Some(k.clone());
                    }
                    None
                }
            };
        }
        if let Some(k) = wrong {
            let want = if k == "ttl" { "an integer" } else { "a string" };
            return Err(Error::Invalid(format!("{k}: expected {want}")));
        }
        Ok(f)
    }

    /// Checks everything and returns every problem at once.
    pub fn validate(self) -> Result<ValidRequest, Error> {
        let present = |v: &Option<String>| v.as_deref().is_some_and(|s| !s.trim().is_empty());
        let missing: Vec<&str> = [
            ("provider", &self.provider),
            ("zone", &self.zone),
            ("record", &self.record),
            ("type", &self.rtype),
            ("value", &self.value),
        ]
        .into_iter()
        .filter(|(_, v)| !present(v))
        .map(|(n, _)| n)
        .collect();
        if !missing.is_empty() {
            return Err(Error::Invalid(format!("Missing required fields: {}", missing.join(", "))));
        }
        let text = |v: &Option<String>| v.as_deref().unwrap_or_default().trim().to_string();
        let mut problems = Vec::new();
        let provider = keep(provider(&text(&self.provider)), &mut problems);
        let zone = keep(zone(&text(&self.zone)), &mut problems);
        let zone_ascii = zone.as_ref().map_or("", |(ascii, _)| ascii.as_str());
        let name = keep(name(&text(&self.record), zone_ascii), &mut problems);
        let rtype = keep(record_type(&text(&self.rtype)), &mut problems);
        let suffix = self.suffix.as_deref().map(str::trim).filter(|s| !s.is_empty());
        let value =
            rtype.and_then(|t| keep(value(t, self.value.as_deref().unwrap_or(""), suffix), &mut problems));
        let ttl = keep(ttl(self.ttl.as_deref()), &mut problems);
        let comment = keep(comment(self.comment, provider), &mut problems);
        let line = keep(line(self.line, provider), &mut problems);
        match (provider, zone, name, rtype, value, ttl, comment, line) {
            // Every check passed: each failed one left a `None`.
            (
                Some(provider),
                Some((zone, zone_sent)),
                Some((name, name_sent)),
                Some(rtype),
                Some(value),
                Some(ttl),
                Some(comment),
                Some(line),
            ) => {
                let as_sent =
                    (zone_sent != zone || name_sent != name).then(|| Box::new((zone_sent, name_sent)));
                let record = Desired { zone, name, rtype, value, ttl, comment, line, as_sent };
                Ok(ValidRequest { provider, record })
            }
            _ => Err(Error::Invalid(problems.join("; "))),
        }
    }
}

/// The value of a check, or its problem added to the list.
fn keep<T>(checked: Result<T, String>, problems: &mut Vec<String>) -> Option<T> {
    checked.map_err(|p| problems.push(p)).ok()
}

fn provider(raw: &str) -> Result<Kind, String> {
    Kind::from_id(raw).ok_or_else(|| format!("provider: must be one of {} (got {})", Kind::ids(), shown(raw)))
}

/// Lower case, without a trailing dot; at least two labels. In its ASCII form, and as
/// written (either may be Unicode or `xn--`).
fn zone(raw: &str) -> Result<(String, String), String> {
    let zone = raw.to_ascii_lowercase();
    let zone = zone.strip_suffix('.').unwrap_or(&zone).to_string();
    let ascii = ascii_form(&zone, "zone")?;
    if !is_host_name(&ascii, false) || !ascii.contains('.') {
        return Err(format!("zone: {} is not a valid domain name", shown(&zone)));
    }
    Ok((ascii, zone))
}

/// The record's name in the zone: `@`, `*`, or labels (the first may be `*`); in its ASCII
/// form, and as written.
fn name(raw: &str, zone: &str) -> Result<(String, String), String> {
    let name = raw.to_ascii_lowercase();
    let ascii = ascii_form(&name, "record")?;
    if !(ascii == "@" || ascii == "*" || is_host_name(&ascii, true)) {
        return Err(format!(
            "record: {} is not a valid record name (use @ for the zone itself)",
            shown(&name)
        ));
    }
    if ascii != "@" && ascii.len() + 1 + zone.len() > 253 {
        return Err("record: the full name is longer than 253 characters".into());
    }
    Ok((ascii, name))
}

/// An internationalised name as its A-labels (`idn::to_ascii`), or the problem naming `field`.
fn ascii_form(name: &str, field: &str) -> Result<String, String> {
    crate::idn::to_ascii(name).map_err(|fault| match fault {
        crate::idn::Fault::NotNormalised => format!(
            "{field}: {} is not in lower-case normalised form (write it as registered: lower case, accented letters as one character, no fullwidth forms or spaces)",
            shown(name)
        ),
        crate::idn::Fault::BadPunycode => {
            format!("{field}: {} has an xn-- label that is not a valid internationalised label", shown(name))
        }
    })
}

/// The longest resolution line name taken.
const MAX_LINE: usize = 64;

/// A resolution line, in the provider's own names (`telecom`, `电信`); a provider without
/// lines takes none.
fn line(raw: Option<String>, provider: Option<Kind>) -> Result<Option<String>, String> {
    let Some(line) = raw.map(|l| l.trim().to_string()).filter(|l| !l.is_empty()) else {
        return Ok(None);
    };
    if let Some(spec) = provider.map(Kind::spec).filter(|s| s.default_line.is_none()) {
        return Err(format!("line: {} has no resolution lines", spec.name));
    }
    if line.chars().count() > MAX_LINE || line.chars().any(char::is_control) {
        return Err(format!("line: {} is not a resolution line name", shown(&line)));
    }
    Ok(Some(line))
}

fn record_type(raw: &str) -> Result<RecordType, String> {
    let names: Vec<&str> = RecordType::ALL.iter().map(|t| t.as_str()).collect();
    RecordType::ALL
        .into_iter()
        .find(|t| t.as_str().eq_ignore_ascii_case(raw))
        .ok_or_else(|| format!("type: must be one of {} (got {})", names.join(", "), shown(raw)))
}

/// The value in canonical form for its type; `suffix` only with AAAA.
fn value(rtype: RecordType, raw: &str, suffix: Option<&str>) -> Result<String, String> {
    if suffix.is_some() && rtype != RecordType::Aaaa {
        return Err("suffix: only type AAAA takes a suffix".into());
    }
    match rtype {
        RecordType::A => raw
            .trim()
            .parse::<Ipv4Addr>()
            .map(|ip| ip.to_string())
            .map_err(|_| format!("value: {} is not an IPv4 address (type A)", shown(raw.trim()))),
        RecordType::Aaaa => aaaa_value(raw.trim(), suffix).map(|ip| ip.to_string()),
        RecordType::Cname => {
            let v = raw.trim().to_ascii_lowercase();
            let v = v.strip_suffix('.').unwrap_or(&v).to_string();
            if !is_host_name(&v, false) || !v.contains('.') {
                return Err(format!("value: {} is not a valid host name (type CNAME)", shown(&v)));
            }
            Ok(v)
        }
        RecordType::Txt => {
            if raw.chars().count() > MAX_TXT {
                return Err(format!("value: TXT content is longer than {MAX_TXT} characters"));
            }
            if raw.contains(['\r', '\n']) {
                return Err("value: TXT content must not contain line breaks".into());
            }
            Ok(raw.to_string())
        }
    }
}

/// Absent or empty: the provider's default (or, on an update, what the record has).
fn ttl(raw: Option<&str>) -> Result<Option<u32>, String> {
    let Some(t) = raw.map(str::trim).filter(|t| !t.is_empty()) else {
        return Ok(None);
    };
    match t.parse::<u32>() {
        Ok(n) if (1..=MAX_TTL).contains(&n) => Ok(Some(n)),
        _ => Err(format!("ttl: must be an integer from 1 to {MAX_TTL} (got {})", shown(t))),
    }
}

/// Within the provider's limit, checked here so nothing is half-written when the
/// provider would refuse it after a record was already changed.
fn comment(raw: Option<String>, provider: Option<Kind>) -> Result<Option<String>, String> {
    let Some(c) = raw else { return Ok(None) };
    let (max, whose) = match provider.map(Kind::spec) {
        // 0: the provider stores no comment; the general limit still holds.
        Some(spec) if (1..MAX_COMMENT).contains(&spec.max_comment) => {
            (spec.max_comment, format!(" (the {} limit)", spec.name))
        }
        _ => (MAX_COMMENT, String::new()),
    };
    if c.chars().count() > max {
        return Err(format!("comment: longer than {max} characters{whose}"));
    }
    if c.contains(['\r', '\n']) {
        return Err("comment: must not contain line breaks".into());
    }
    Ok(Some(c))
}

/// An AAAA value: an IPv6 address, or with `suffix` a prefix (`2001:db8:1:2::9/64`) whose
/// first *length* bits are kept and the rest taken from the suffix. This lets a router
/// publish LAN hosts whose addresses follow the delegated prefix. A MAC address as suffix
/// stands for the host's SLAAC address: its modified EUI-64 identifier in the low 64 bits
/// after the value's first 64 (SLAAC needs a /64, so the length must be 64 or less).
fn aaaa_value(value: &str, suffix: Option<&str>) -> Result<Ipv6Addr, String> {
    let Some(suffix) = suffix else {
        return value
            .parse::<Ipv6Addr>()
            .map_err(|_| format!("value: {} is not an IPv6 address (type AAAA)", shown(value)));
    };
    let (host, from_mac) = match (suffix.parse::<Ipv6Addr>(), eui64(suffix)) {
        (Ok(ip), _) => (u128::from(ip), false),
        (_, Some(id)) => (u128::from(id), true),
        _ => {
            return Err(format!(
                "suffix: {} is not an IPv6 address or a MAC address (like ::11:22ff:fe33:4455 or 00:11:22:33:44:55)",
                shown(suffix)
            ));
        }
    };
    let prefix = value.split_once('/').and_then(|(addr, len)| {
        let len = len.parse::<u8>().ok().filter(|l| *l <= 128)?;
        Some((addr.parse::<Ipv6Addr>().ok()?, len))
    });
    let Some((net, mut len)) = prefix else {
        return Err(format!(
            "value: with a suffix, expected an IPv6 address with a prefix length like 2001:db8:1:2::/64 (got {})",
            shown(value)
        ));
    };
    if from_mac {
        if len > 64 {
            return Err(format!("value: a MAC suffix needs a prefix length of 64 or less (got /{len})"));
        }
        len = 64;
    }
    let mask = u128::MAX.checked_shl(128 - u32::from(len)).unwrap_or(0);
    Ok(Ipv6Addr::from((u128::from(net) & mask) | (host & !mask)))
}

/// The modified EUI-64 interface identifier of a MAC address written as six hex pairs
/// separated by `:` or `-` (RFC 4291 appendix A: `ff:fe` in the middle, U/L bit flipped).
fn eui64(mac: &str) -> Option<u64> {
    let sep = if mac.contains('-') { '-' } else { ':' };
    let mut b = [0u8; 8];
    let mut parts = mac.split(sep);
    for at in [0, 1, 2, 5, 6, 7] {
        let part = parts.next().filter(|p| p.len() == 2 && p.bytes().all(|c| c.is_ascii_hexdigit()))?;
        b[at] = u8::from_str_radix(part, 16).ok()?;
    }
    if parts.next().is_some() {
        return None;
    }
    b[0] ^= 0x02;
    (b[3], b[4]) = (0xff, 0xfe);
    Some(u64::from_be_bytes(b))
}

/// A value quoted for a message, cut short so a reply stays small.
fn shown(s: &str) -> String {
    if s.chars().count() > 64 {
        format!("{}…", quoted(&s.chars().take(64).collect::<String>()))
    } else {
        quoted(s)
    }
}

/// Dot-separated labels of `a-z 0-9 - _` (underscore for names like `_acme-challenge`),
/// 1–63 characters each, no hyphen at either end, 253 in all. With `wildcard`, the first
/// label may be `*`. Expects lower case.
pub fn is_host_name(s: &str, wildcard: bool) -> bool {
    if s.is_empty() || s.len() > 253 {
        return false;
    }
    s.split('.').enumerate().all(|(i, label)| {
        (wildcard && i == 0 && label == "*")
            || (!label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_'))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(q: &str) -> Fields {
        Fields::from_form(q).unwrap()
    }

    #[test]
    fn normalises() {
        let v = fields(
            "provider=CloudFlare&zone=Example.COM.&record=Home&type=aaaa&value=2001:DB8:0:0::1&ttl=600",
        )
        .validate()
        .unwrap();
        assert_eq!(v.provider, Kind::Cloudflare);
        let r = v.record;
        assert_eq!((r.zone.as_str(), r.name.as_str()), ("example.com", "home"));
        assert_eq!((r.rtype, r.value.as_str(), r.ttl), (RecordType::Aaaa, "2001:db8::1", Some(600)));
        assert_eq!(r.fqdn(), "home.example.com");
        let r = fields("provider=aliyun&zone=example.com&record=@&type=TXT&value=hello+world")
            .validate()
            .unwrap()
            .record;
        assert_eq!((r.fqdn().as_str(), r.value.as_str()), ("example.com", "hello world"));
        for rec in ["*", "*.lan", "a.b", "_acme-challenge"] {
            let q = format!("provider=tencent&zone=example.com&record={rec}&type=A&value=1.2.3.4");
            assert!(fields(&q).validate().is_ok(), "{rec}");
        }
    }

    #[test]
    fn missing_fields_in_order() {
        let e = fields("provider=cloudflare&zone=x.com&value=").validate().unwrap_err();
        assert_eq!(e.message(), "Missing required fields: record, type, value");
        assert_eq!(e.status(), 422);
    }

    #[test]
    fn bad_values_name_the_field() {
        let cases = [
            ("provider=foo&zone=x.com&record=a&type=A&value=1.2.3.4", "provider:"),
            ("provider=aliyun&zone=x&record=a&type=A&value=1.2.3.4", "zone:"),
            ("provider=aliyun&zone=x.com&record=a..b&type=A&value=1.2.3.4", "record:"),
            ("provider=aliyun&zone=x.com&record=a*&type=A&value=1.2.3.4", "record:"),
            ("provider=aliyun&zone=x.com&record=a&type=MX&value=1.2.3.4", "type:"),
            ("provider=aliyun&zone=x.com&record=a&type=A&value=1.2.3", "value:"),
            ("provider=aliyun&zone=x.com&record=a&type=AAAA&value=1.2.3.4", "value:"),
            ("provider=aliyun&zone=x.com&record=a&type=CNAME&value=no+spaces", "value:"),
            ("provider=aliyun&zone=x.com&record=a&type=A&value=1.2.3.4&ttl=0", "ttl:"),
            ("provider=aliyun&zone=x.com&record=a&type=A&value=1.2.3.4&ttl=604801", "ttl:"),
            ("provider=aliyun&zone=x.com&record=a&type=A&value=1.2.3.4&ttl=abc", "ttl:"),
            ("provider=aliyun&zone=x.com&record=a&type=A&value=1.2.3.4&comment=a%0Ab", "comment:"),
        ];
        for (q, field) in cases {
            let e = fields(q).validate().unwrap_err();
            assert_eq!(e.status(), 422, "{q}");
            assert!(e.message().starts_with(field), "{q}: {}", e.message());
        }
        let long = "x".repeat(MAX_TXT + 1);
        let e = fields(&format!("provider=aliyun&zone=x.com&record=a&type=TXT&value={long}")).validate();
        assert!(e.unwrap_err().message().contains("2048"));
        let e = fields("provider=foo&zone=x.com&record=a&type=MX&value=v").validate().unwrap_err();
        assert!(e.message().contains("provider:") && e.message().contains("; type:"), "{}", e.message());
    }

    #[test]
    fn json_fields() {
        let f = Fields::from_json(br#"{"provider":"cloudflare","ttl":300,"comment":null,"x":[1]}"#).unwrap();
        assert_eq!((f.ttl.as_deref(), f.comment), (Some("300"), None));
        assert_eq!(Fields::from_json(br#"{"value":5}"#).unwrap_err().message(), "value: expected a string");
        assert_eq!(Fields::from_json(b"[1]").unwrap_err().status(), 400);
        assert_eq!(Fields::from_json(b"{").unwrap_err().status(), 400);
        assert_eq!(Fields::from_json(b"\"x\"").unwrap_err().message(), "Request body must be a JSON object");
        assert_eq!(Fields::from_json(b"[1,").unwrap_err().status(), 400);
        // The last of a repeated name counts, even over a wrong earlier one.
        let f = Fields::from_json(br#"{"ttl":[1],"ttl":"60","zone":"a","zone":"b"}"#).unwrap();
        assert_eq!((f.ttl.as_deref(), f.zone.as_deref()), (Some("60"), Some("b")));
        // Of several wrong values, the first by name; integers only for ttl.
        let e = Fields::from_json(br#"{"zone":1,"comment":{"a":1},"ttl":true}"#).unwrap_err();
        assert_eq!(e.message(), "comment: expected a string");
        assert_eq!(Fields::from_json(br#"{"ttl":-5}"#).unwrap().ttl.as_deref(), Some("-5"));
        for float in [&br#"{"ttl":1e3}"#[..], br#"{"ttl":2.5}"#] {
            let e = Fields::from_json(float).unwrap_err();
            assert_eq!((e.status().as_u16(), e.message().as_str()), (422, "ttl: expected an integer"));
        }
    }

    #[test]
    fn comment_limits_are_the_providers() {
        let q = |p: &str, n: usize| {
            format!("provider={p}&zone=x.com&record=a&type=A&value=1.2.3.4&comment={}", "é".repeat(n))
        };
        assert!(fields(&q("tencent", 200)).validate().is_ok());
        let e = fields(&q("tencent", 201)).validate().unwrap_err();
        assert_eq!(e.message(), "comment: longer than 200 characters (the Tencent limit)");
        assert!(fields(&q("aliyun", 500)).validate().is_ok());
        assert_eq!(
            fields(&q("cloudflare", 501)).validate().unwrap_err().message(),
            "comment: longer than 500 characters"
        );
    }

    #[test]
    fn prefix_and_suffix() {
        let ok = |value: &str, suffix: &str| aaaa_value(value, Some(suffix)).unwrap().to_string();
        assert_eq!(ok("2001:db8:1:2::9/64", "::11:22ff:fe33:4455"), "2001:db8:1:2:11:22ff:fe33:4455");
        // Bits of the suffix inside the prefix are ignored, and so are host bits of the value.
        assert_eq!(ok("2001:db8:1:2:ffff::/64", "2001:db8:9:9::5"), "2001:db8:1:2::5");
        assert_eq!(ok("2001:db8:1:2::/56", "::3:0:0:0:7"), "2001:db8:1:3::7");
        assert_eq!(ok("2001:db8::1/128", "::2"), "2001:db8::1");
        assert_eq!(ok("2001:db8::1/0", "::2"), "::2");
        for (value, suffix, field) in [
            ("2001:db8::1", "::5", "value:"),
            ("2001:db8::/129", "::5", "value:"),
            ("2001:db8::/x", "::5", "value:"),
            ("10.0.0.0/8", "::5", "value:"),
            ("2001:db8::/64", "1.2.3.4", "suffix:"),
            ("2001:db8::/64", "nas", "suffix:"),
        ] {
            let e = aaaa_value(value, Some(suffix)).unwrap_err();
            assert!(e.starts_with(field), "{value} {suffix}: {e}");
        }
        // A MAC: its modified EUI-64 identifier after the /64 of the value.
        assert_eq!(ok("2001:db8:1:2::1/64", "00:11:22:33:44:55"), "2001:db8:1:2:211:22ff:fe33:4455");
        assert_eq!(ok("2001:db8:1:2::1/64", "00-11-22-33-44-55"), "2001:db8:1:2:211:22ff:fe33:4455");
        // Locally administered (U/L bit set) becomes 0; upper case is fine.
        assert_eq!(ok("2001:db8:1:2::1/64", "02:00:5E:10:00:01"), "2001:db8:1:2:0:5eff:fe10:1");
        // A shorter length still keeps the value's whole /64 (the host's SLAAC network).
        assert_eq!(ok("2001:db8:1:2::1/56", "00:11:22:33:44:55"), "2001:db8:1:2:211:22ff:fe33:4455");
        for bad in [
            "00:11:22:33:44",
            "00:11:22:33:44:55:66",
            "00:11-22:33:44:55",
            "00:11:22:33:44:5g",
            "0:11:22:33:44:55",
            "000:11:22:33:44:55",
            "+0:11:22:33:44:55",
            "00:11:22:33:44:55:",
            "",
        ] {
            assert!(eui64(bad).is_none(), "{bad}");
        }
        let e = aaaa_value("2001:db8::/80", Some("00:11:22:33:44:55")).unwrap_err();
        assert!(e.starts_with("value: a MAC suffix needs"), "{e}");
        let long = "00:11:22:33:44:55".repeat(10);
        let e = aaaa_value("2001:db8::/64", Some(&long)).unwrap_err();
        assert!(e.starts_with("suffix:") && !e.contains(&long) && e.len() < 200, "{e}");
        let q = "provider=aliyun&zone=x.com&record=nas&type=AAAA&value=2001:db8:1:2::1/64&suffix=::5";
        assert_eq!(fields(q).validate().unwrap().record.value, "2001:db8:1:2::5");
        let e = fields("provider=aliyun&zone=x.com&record=a&type=A&value=1.2.3.4&suffix=::5").validate();
        assert!(e.unwrap_err().message().starts_with("suffix:"));
        // An empty suffix is no suffix.
        let q = "provider=aliyun&zone=x.com&record=a&type=AAAA&value=2001:db8::7&suffix=";
        assert_eq!(fields(q).validate().unwrap().record.value, "2001:db8::7");
    }

    #[test]
    fn lines_and_internationalised_names() {
        let q = |rest: &str| format!("provider=aliyun&zone=x.com&record=a&type=A&value=1.2.3.4&{rest}");
        assert_eq!(fields(&q("line=+telecom+")).validate().unwrap().record.line.as_deref(), Some("telecom"));
        assert_eq!(fields(&q("line=")).validate().unwrap().record.line, None);
        for bad in ["line=a%01b".to_string(), format!("line={}", "l".repeat(65))] {
            assert!(fields(&q(&bad)).validate().unwrap_err().message().starts_with("line:"), "{bad}");
        }
        let v = Fields::from_json("{\"provider\":\"Tencent\",\"zone\":\"中文.CN.\",\"record\":\"家\",\"type\":\"A\",\"value\":\"1.2.3.4\"}".as_bytes());
        let r = v.unwrap().validate().unwrap().record;
        assert_eq!(
            (r.zone.as_str(), r.name.as_str(), r.fqdn().as_str()),
            ("xn--fiq228c.cn", "xn--fct", "xn--fct.xn--fiq228c.cn")
        );
        assert_eq!(r.shown(), ("中文.cn", "家", "家.中文.cn".to_string()));
        assert_eq!((r.zone_unicode().as_str(), r.name_unicode().as_str()), ("中文.cn", "家"));
        let r = fields("provider=aliyun&zone=xn--fiq228c.cn&record=@&type=A&value=1.2.3.4")
            .validate()
            .unwrap()
            .record;
        assert_eq!((r.as_sent.is_none(), r.fqdn().as_str()), (true, "xn--fiq228c.cn"));
    }
}
