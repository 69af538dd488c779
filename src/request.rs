//! The `/update` request: raw fields from a query string, a form body or a JSON object,
//! validated and normalised into an `UpdateRequest`.

use std::net::{Ipv4Addr, Ipv6Addr};

use crate::error::Error;
use crate::urlenc;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ProviderKind {
    Cloudflare,
    Aliyun,
    Tencent,
}

impl ProviderKind {
    /// The name used in requests and replies.
    pub fn id(self) -> &'static str {
        match self {
            ProviderKind::Cloudflare => "cloudflare",
            ProviderKind::Aliyun => "aliyun",
            ProviderKind::Tencent => "tencent",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RecordType {
    A,
    Aaaa,
    Cname,
    Txt,
}

impl RecordType {
    pub fn as_str(self) -> &'static str {
        match self {
            RecordType::A => "A",
            RecordType::Aaaa => "AAAA",
            RecordType::Cname => "CNAME",
            RecordType::Txt => "TXT",
        }
    }

    /// Whether a stored value and a wanted one mean the same record content.
    pub fn same_value(self, stored: &str, wanted: &str) -> bool {
        match self {
            RecordType::A | RecordType::Aaaa => {
                match (stored.trim().parse::<std::net::IpAddr>(), wanted.parse::<std::net::IpAddr>()) {
                    (Ok(a), Ok(b)) => a == b,
                    _ => stored == wanted,
                }
            }
            RecordType::Cname => {
                stored.trim_end_matches('.').eq_ignore_ascii_case(wanted.trim_end_matches('.'))
            }
            RecordType::Txt => unquote(stored) == unquote(wanted),
        }
    }
}

/// TXT content with one pair of surrounding double quotes removed: Cloudflare stores
/// `"v=spf1 …"` for `v=spf1 …`.
pub fn unquote(s: &str) -> &str {
    s.strip_prefix('"').and_then(|r| r.strip_suffix('"')).unwrap_or(s)
}

pub const MAX_TTL: u32 = 604_800;
pub const MAX_TXT: usize = 2048;
pub const MAX_COMMENT: usize = 500;

/// A validated update: lower-case zone and record, upper-case type, canonical value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UpdateRequest {
    pub provider: ProviderKind,
    pub zone: String,
    /// `@` for the zone itself.
    pub record: String,
    pub rtype: RecordType,
    pub value: String,
    pub ttl: Option<u32>,
    pub comment: Option<String>,
}

impl UpdateRequest {
    /// `home.example.com`, or the zone for `@`.
    pub fn fqdn(&self) -> String {
        if self.record == "@" { self.zone.clone() } else { format!("{}.{}", self.record, self.zone) }
    }
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
    pub fn from_json(body: &[u8]) -> Result<Fields, Error> {
        let v: serde_json::Value = serde_json::from_slice(body)
            .map_err(|e| Error::BadRequest(format!("Request body is not valid JSON: {e}")))?;
        let serde_json::Value::Object(map) = v else {
            return Err(Error::BadRequest("Request body must be a JSON object".into()));
        };
        let mut f = Fields::default();
        for (k, v) in map {
            let Some(slot) = f.slot(&k) else { continue };
            *slot = match v {
                serde_json::Value::Null => None,
                serde_json::Value::String(s) => Some(s),
                serde_json::Value::Number(n) if k == "ttl" => Some(n.to_string()),
                _ => {
                    let want = if k == "ttl" { "an integer" } else { "a string" };
                    return Err(Error::Invalid(format!("{k}: expected {want}")));
                }
            };
        }
        Ok(f)
    }

    /// Checks everything and returns every problem at once.
    pub fn validate(self) -> Result<UpdateRequest, Error> {
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
        let text = |v: Option<String>| v.unwrap_or_default().trim().to_string();
        let mut problems = Vec::new();

        let provider_raw = text(self.provider);
        let provider = match provider_raw.to_ascii_lowercase().as_str() {
            "cloudflare" => Some(ProviderKind::Cloudflare),
            "aliyun" => Some(ProviderKind::Aliyun),
            "tencent" => Some(ProviderKind::Tencent),
            _ => {
                problems.push(format!(
                    "provider: must be one of cloudflare, aliyun, tencent (got {})",
                    shown(&provider_raw)
                ));
                None
            }
        };

        let zone = text(self.zone).to_ascii_lowercase();
        let zone = zone.strip_suffix('.').unwrap_or(&zone).to_string();
        if !is_host_name(&zone, false) || !zone.contains('.') {
            problems.push(format!("zone: {} is not a valid domain name", shown(&zone)));
        }

        let record = text(self.record).to_ascii_lowercase();
        if !(record == "@" || record == "*" || is_host_name(&record, true)) {
            problems.push(format!(
                "record: {} is not a valid record name (use @ for the zone itself)",
                shown(&record)
            ));
        } else if record != "@" && record.len() + 1 + zone.len() > 253 {
            problems.push("record: the full name is longer than 253 characters".into());
        }

        let rtype_raw = text(self.rtype);
        let rtype = match rtype_raw.to_ascii_uppercase().as_str() {
            "A" => Some(RecordType::A),
            "AAAA" => Some(RecordType::Aaaa),
            "CNAME" => Some(RecordType::Cname),
            "TXT" => Some(RecordType::Txt),
            _ => {
                problems
                    .push(format!("type: must be one of A, AAAA, CNAME, TXT (got {})", shown(&rtype_raw)));
                None
            }
        };

        let suffix = self.suffix.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_string);
        if suffix.is_some() && rtype.is_some_and(|t| t != RecordType::Aaaa) {
            problems.push("suffix: only type AAAA takes a suffix".into());
        }
        let raw_value = self.value.unwrap_or_default();
        let value = match rtype {
            Some(RecordType::A) => match raw_value.trim().parse::<Ipv4Addr>() {
                Ok(ip) => ip.to_string(),
                Err(_) => {
                    problems
                        .push(format!("value: {} is not an IPv4 address (type A)", shown(raw_value.trim())));
                    String::new()
                }
            },
            Some(RecordType::Aaaa) => match aaaa_value(raw_value.trim(), suffix.as_deref()) {
                Ok(ip) => ip.to_string(),
                Err(problem) => {
                    problems.push(problem);
                    String::new()
                }
            },
            Some(RecordType::Cname) => {
                let v = raw_value.trim().to_ascii_lowercase();
                let v = v.strip_suffix('.').unwrap_or(&v).to_string();
                if !is_host_name(&v, false) || !v.contains('.') {
                    problems.push(format!("value: {} is not a valid host name (type CNAME)", shown(&v)));
                }
                v
            }
            Some(RecordType::Txt) => {
                if raw_value.chars().count() > MAX_TXT {
                    problems.push(format!("value: TXT content is longer than {MAX_TXT} characters"));
                } else if raw_value.contains(['\r', '\n']) {
                    problems.push("value: TXT content must not contain line breaks".into());
                }
                raw_value
            }
            None => raw_value,
        };

        let ttl = match self.ttl.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
            None => None,
            Some(t) => match t.parse::<u32>() {
                Ok(n) if (1..=MAX_TTL).contains(&n) => Some(n),
                _ => {
                    problems.push(format!("ttl: must be an integer from 1 to {MAX_TTL} (got {})", shown(t)));
                    None
                }
            },
        };

        let comment = self.comment;
        if let Some(c) = &comment {
            if c.chars().count() > MAX_COMMENT {
                problems.push(format!("comment: longer than {MAX_COMMENT} characters"));
            } else if c.contains(['\r', '\n']) {
                problems.push("comment: must not contain line breaks".into());
            }
        }

        match (provider, rtype) {
            (Some(provider), Some(rtype)) if problems.is_empty() => {
                Ok(UpdateRequest { provider, zone, record, rtype, value, ttl, comment })
            }
            _ => Err(Error::Invalid(problems.join("; "))),
        }
    }
}

/// An AAAA value: an IPv6 address, or with `suffix` a prefix (`2001:db8:1:2::9/64`) whose
/// first *length* bits are kept and the rest taken from the suffix. This lets a router
/// publish LAN hosts whose addresses follow the delegated prefix.
fn aaaa_value(value: &str, suffix: Option<&str>) -> Result<Ipv6Addr, String> {
    let Some(suffix) = suffix else {
        return value
            .parse::<Ipv6Addr>()
            .map_err(|_| format!("value: {} is not an IPv6 address (type AAAA)", shown(value)));
    };
    let host = suffix.parse::<Ipv6Addr>().map_err(|_| {
        format!("suffix: {} is not an IPv6 address (like ::11:22ff:fe33:4455)", shown(suffix))
    })?;
    let prefix = value.split_once('/').and_then(|(addr, len)| {
        let len = len.parse::<u8>().ok().filter(|l| *l <= 128)?;
        Some((addr.parse::<Ipv6Addr>().ok()?, len))
    });
    let Some((net, len)) = prefix else {
        return Err(format!(
            "value: with a suffix, expected an IPv6 address with a prefix length like 2001:db8:1:2::/64 (got {})",
            shown(value)
        ));
    };
    let mask = u128::MAX.checked_shl(128 - u32::from(len)).unwrap_or(0);
    Ok(Ipv6Addr::from((u128::from(net) & mask) | (u128::from(host) & !mask)))
}

/// A value quoted for a message, cut short so a reply stays small.
fn shown(s: &str) -> String {
    if s.chars().count() > 64 {
        format!("{:?}…", s.chars().take(64).collect::<String>())
    } else {
        format!("{s:?}")
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
        let r = fields(
            "provider=CloudFlare&zone=Example.COM.&record=Home&type=aaaa&value=2001:DB8:0:0::1&ttl=600",
        )
        .validate()
        .unwrap();
        assert_eq!(r.provider, ProviderKind::Cloudflare);
        assert_eq!((r.zone.as_str(), r.record.as_str()), ("example.com", "home"));
        assert_eq!((r.rtype, r.value.as_str(), r.ttl), (RecordType::Aaaa, "2001:db8::1", Some(600)));
        assert_eq!(r.fqdn(), "home.example.com");
        let r = fields("provider=aliyun&zone=example.com&record=@&type=TXT&value=hello+world")
            .validate()
            .unwrap();
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
    }

    #[test]
    fn comparisons() {
        assert!(RecordType::Txt.same_value("\"hello world\"", "hello world"));
        assert!(RecordType::Aaaa.same_value("2001:db8:0::1", "2001:db8::1"));
        assert!(RecordType::Cname.same_value("Target.example.com.", "target.example.com"));
        assert!(!RecordType::A.same_value("1.2.3.4", "1.2.3.5"));
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
        let q = "provider=aliyun&zone=x.com&record=nas&type=AAAA&value=2001:db8:1:2::1/64&suffix=::5";
        assert_eq!(fields(q).validate().unwrap().value, "2001:db8:1:2::5");
        let e = fields("provider=aliyun&zone=x.com&record=a&type=A&value=1.2.3.4&suffix=::5").validate();
        assert!(e.unwrap_err().message().starts_with("suffix:"));
        // An empty suffix is no suffix.
        let q = "provider=aliyun&zone=x.com&record=a&type=AAAA&value=2001:db8::7&suffix=";
        assert_eq!(fields(q).validate().unwrap().value, "2001:db8::7");
    }
}
