//! A DNS record as the client wants it: validated, normalised, the same for every provider.

use std::net::IpAddr;

/// The longest comment any provider gets; a provider may take less (`Spec::max_comment`).
pub const MAX_COMMENT: usize = 500;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RecordType {
    A,
    Aaaa,
    Cname,
    Txt,
}

impl RecordType {
    pub const ALL: [RecordType; 4] = [RecordType::A, RecordType::Aaaa, RecordType::Cname, RecordType::Txt];

    pub fn as_str(self) -> &'static str {
        match self {
            RecordType::A => "A",
            RecordType::Aaaa => "AAAA",
            RecordType::Cname => "CNAME",
            RecordType::Txt => "TXT",
        }
    }

    /// Whether a stored value and a wanted one mean the same record content. A provider
    /// hands over TXT as the text it encodes (Cloudflare's quoted strings are decoded).
    pub fn same_value(self, stored: &str, wanted: &str) -> bool {
        match self {
            RecordType::A | RecordType::Aaaa => {
                match (stored.trim().parse::<IpAddr>(), wanted.parse::<IpAddr>()) {
                    (Ok(a), Ok(b)) => a == b,
                    _ => stored == wanted,
                }
            }
            RecordType::Cname => {
                stored.trim_end_matches('.').eq_ignore_ascii_case(wanted.trim_end_matches('.'))
            }
            RecordType::Txt => stored == wanted,
        }
    }
}

/// The record a request asks for: lower-case zone and name in their ASCII form (an
/// internationalised label as its `xn--` A-label), canonical value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Desired {
    pub zone: String,
    /// `@` for the zone itself.
    pub name: String,
    pub rtype: RecordType,
    pub value: String,
    pub ttl: Option<u32>,
    pub comment: Option<String>,
    /// The resolution line asked for, in the provider's own names (providers with lines).
    pub line: Option<String>,
    /// Zone and name as the client wrote them, when either was in Unicode: the reply
    /// answers in the client's form.
    pub as_sent: Option<Box<(String, String)>>,
}

impl Desired {
    /// `home.example.com`, or the zone for `@`.
    pub fn fqdn(&self) -> String {
        join(&self.name, &self.zone)
    }

    /// The zone in Unicode, for providers that key internationalised zones that way.
    pub fn zone_unicode(&self) -> String {
        crate::idn::to_unicode(&self.zone)
    }

    /// The name in Unicode (`@` and ASCII names as they are).
    pub fn name_unicode(&self) -> String {
        crate::idn::to_unicode(&self.name)
    }

    /// Zone, name and full name as the client wrote them.
    pub fn shown(&self) -> (&str, &str, String) {
        let (zone, name) = self.as_sent.as_deref().map_or((&self.zone, &self.name), |(z, n)| (z, n));
        (zone, name, join(name, zone))
    }
}

fn join(name: &str, zone: &str) -> String {
    if name == "@" { zone.to_string() } else { format!("{name}.{zone}") }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comparisons() {
        assert!(RecordType::Aaaa.same_value("2001:db8:0::1", "2001:db8::1"));
        assert!(RecordType::Cname.same_value("Target.example.com.", "target.example.com"));
        assert!(!RecordType::A.same_value("1.2.3.4", "1.2.3.5"));
        assert!(!RecordType::Txt.same_value("Hello", "hello"));
    }
}
