//! `X-Upstream-Authorization: ApiKey id="…", secret="…"` — the provider credential.
//!
//! Accepted: scheme in any case; `id`/`secret` in either order; values quoted with `"` or
//! `'` (a comma inside quotes is part of the value) or bare; spaces around `=`; fields
//! separated by `,`, `;` or just spaces — RouterOS `/tool fetch` splits header lists at
//! commas, so a comma-free form must work.

use std::fmt;

#[derive(Clone, Default, PartialEq, Eq)]
pub struct Credential {
    pub id: Option<String>,
    pub secret: Option<String>,
}

// Never print a credential, not even by accident in a debug line.
impl fmt::Debug for Credential {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Credential(<hidden>)")
    }
}

/// What is wrong with the credential; `error` turns it into a 400.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Fault {
    /// The header cannot be read: why, by field number and kind (never its text).
    Malformed(String),
    /// A field the provider needs is absent: its names.
    Missing(&'static str),
}

fn malformed(why: &str) -> Fault {
    Fault::Malformed(why.to_string())
}

impl Credential {
    /// Parses the header value. A missing header is an empty credential.
    pub fn parse(header: Option<&str>) -> Result<Credential, Fault> {
        let Some(header) = header.map(str::trim).filter(|h| !h.is_empty()) else {
            return Ok(Credential::default());
        };
        let (scheme, mut rest) = header.split_at(header.find(char::is_whitespace).unwrap_or(header.len()));
        if !scheme.eq_ignore_ascii_case("apikey") {
            return Err(malformed(r#"expected the ApiKey scheme: ApiKey id="…", secret="…""#));
        }
        let mut cred = Credential::default();
        // Faults are told by field number and kind: the header's text may be a secret.
        let mut field = 0;
        loop {
            rest = rest.trim_start_matches(|c: char| c.is_whitespace() || c == ',' || c == ';');
            if rest.is_empty() {
                break;
            }
            field += 1;
            let name_end = rest.find(|c: char| c == '=' || c.is_whitespace()).unwrap_or(rest.len());
            let name = &rest[..name_end];
            rest = rest[name_end..].trim_start();
            rest = rest
                .strip_prefix('=')
                .ok_or_else(|| malformed(&format!("field {field}: expected name=value")))?
                .trim_start();
            let value;
            if let Some(q) = rest.chars().next().filter(|c| *c == '"' || *c == '\'') {
                let close = rest[1..]
                    .find(q)
                    .ok_or_else(|| malformed(&format!("field {field}: unterminated quote")))?;
                value = &rest[1..1 + close];
                rest = &rest[close + 2..];
            } else {
                let end =
                    rest.find(|c: char| c.is_whitespace() || c == ',' || c == ';').unwrap_or(rest.len());
                value = &rest[..end];
                rest = &rest[end..];
            }
            let slot = match name.to_ascii_lowercase().as_str() {
                "id" => &mut cred.id,
                "secret" => &mut cred.secret,
                _ => continue,
            };
            // No provider's key starts or ends with a space: one pasted along with the key
            // would only look like a revoked key.
            *slot = Some(value.trim().to_string()).filter(|v| !v.is_empty());
        }
        Ok(cred)
    }

    /// The secret, or the 400 that says it is missing.
    pub fn secret(&self) -> Result<&str, Fault> {
        self.secret.as_deref().ok_or(Fault::Missing("secret"))
    }

    /// Both fields, as Aliyun and Tencent need them.
    pub fn pair(&self) -> Result<(&str, &str), Fault> {
        match (self.id.as_deref(), self.secret.as_deref()) {
            (Some(id), Some(secret)) => Ok((id, secret)),
            (None, None) => Err(Fault::Missing("id, secret")),
            (None, _) => Err(Fault::Missing("id")),
            (_, None) => Err(Fault::Missing("secret")),
        }
    }

    /// A text a provider sent (an error code or message, a request id, a ray id) made safe
    /// to pass on to a reply or a log line: this credential's strings and every
    /// `Signature=…` value replaced, control characters dropped, at most `max` characters.
    /// Providers echo what they were sent; a hostile or broken one may echo anything.
    pub fn scrub(&self, text: &str, max: usize) -> String {
        // Control characters are C0, DEL and C1 (U+0080…U+009F, encoded 0xC2 0x80…0x9F). Most
        // texts have none: looking for each such byte (memchr) and copying the text whole is
        // much cheaper than going through it char by char.
        let bytes = text.as_bytes();
        let mut out = if (0..0x20).chain([0x7f, 0xc2]).any(|b| bytes.contains(&b)) {
            text.chars().filter(|c| !c.is_control()).collect()
        } else {
            text.to_string()
        };
        for s in [&self.secret, &self.id].into_iter().flatten() {
            if s.len() >= 4 {
                out = out.replace(s.as_str(), "<redacted>");
            }
        }
        let out = without_signatures(&out);
        match out.char_indices().nth(max) {
            Some((at, _)) => format!("{}…", &out[..at]),
            None => out,
        }
    }
}

/// `Signature=abc…` (any case, also `Signature: abc…`) with the value replaced, up to the
/// next separator: Aliyun echoes its query and Tencent its Authorization header.
///
/// Linear, and cheap on long texts: every value follows an `=` or a `:`, so those are what
/// is searched for (memchr); only around each is the key looked for, and no byte is looked
/// at more than a few times.
fn without_signatures(text: &str) -> String {
    const KEY: &[u8] = b"signature";
    let bytes = text.as_bytes();
    let is_sep = |b: u8| matches!(b, b' ' | b'=' | b':' | b'"' | b'\'');
    let next = |c: char, at: usize| text[at..].find(c).map_or(usize::MAX, |n| at + n);
    let mut out = String::with_capacity(text.len());
    // `text[..copied]` is in `out`; what lies before `from` has been looked at.
    let (mut copied, mut from) = (0, 0);
    let (mut eq, mut colon) = (next('=', 0), next(':', 0));
    loop {
        if eq < from {
            eq = next('=', from);
        }
        if colon < from {
            colon = next(':', from);
        }
        let at = eq.min(colon);
        if at == usize::MAX {
            break;
        }
        // The run of spaces, quotes, `=` and `:` around it; the key must end where it starts.
        let (mut start, mut value) = (at, at + 1);
        while start > from && is_sep(bytes[start - 1]) {
            start -= 1;
        }
        while value < bytes.len() && is_sep(bytes[value]) {
            value += 1;
        }
        from = value;
        if start < copied + KEY.len() || !bytes[start - KEY.len()..start].eq_ignore_ascii_case(KEY) {
            continue;
        }
        // Every separator and terminator is ASCII: each index is a character boundary.
        let end = bytes[value..]
            .iter()
            .position(|b| b.is_ascii_whitespace() || b"&,;\"'}".contains(b))
            .map_or(bytes.len(), |n| value + n);
        out.push_str(&text[copied..value]);
        if end > value {
            out.push_str("<redacted>");
        }
        copied = end;
        from = end;
    }
    out.push_str(&text[copied..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Error;

    fn both(h: &str) -> (Option<String>, Option<String>) {
        let c = Credential::parse(Some(h)).unwrap_or_else(|e| panic!("{h}: {e:?}"));
        (c.id, c.secret)
    }

    #[test]
    fn every_form() {
        let want = (Some("a1".to_string()), Some("s,2".to_string()));
        for h in [
            r#"ApiKey id="a1", secret="s,2""#,
            r#"apikey secret="s,2", id="a1""#,
            r#"APIKEY id = 'a1' , secret = 's,2'"#,
            r#"ApiKey id=a1, secret="s,2""#,
            r#"ApiKey id="a1" secret="s,2""#,
            r#"ApiKey id="a1";secret="s,2""#,
            r#"ApiKey   id=a1   secret='s,2'   "#,
        ] {
            assert_eq!(both(h), want, "{h}");
        }
        assert_eq!(both(r#"ApiKey secret=tok_en-1"#), (None, Some("tok_en-1".into())));
        assert_eq!(both("ApiKey id=' abc', secret=\" sec \t\""), (Some("abc".into()), Some("sec".into())));
        assert_eq!(both(r#"ApiKey id="  ", secret=s"#), (None, Some("s".into())));
        assert_eq!(both(r#"ApiKey secret="x" other="y""#), (None, Some("x".into())));
    }

    #[test]
    fn scrubbing() {
        let c = Credential { id: Some("AKIDxyz".into()), secret: Some("s3cr3t-key".into()) };
        let echo = "bad: AccessKeyId=AKIDxyz&Signature=abc%2Bdef&x=1 Authorization: TC3 Credential=AKIDxyz/x, Signature=0f1e2d s3cr3t-key \"Signature\":\"zz9\"";
        let out = c.scrub(echo, 1000);
        for leak in ["AKIDxyz", "s3cr3t-key", "abc%2Bdef", "0f1e2d", "zz9"] {
            assert!(!out.contains(leak), "{leak} in {out}");
        }
        assert!(out.contains("Signature=<redacted>&x=1"), "{out}");
        assert_eq!(c.scrub("a\u{1b}[31mb\nc", 100), "a[31mbc");
        assert_eq!(c.scrub(&"x".repeat(50), 10), format!("{}…", "x".repeat(10)));
        assert_eq!(
            c.scrub("no signatures here; Signature alone", 100),
            "no signatures here; Signature alone"
        );
    }

    /// A long text full of `signature` is scrubbed in one pass: a hostile provider message
    /// of 1 MB costs milliseconds (a few hundred in a debug build), not minutes.
    #[test]
    fn scrubbing_is_linear() {
        let c = Credential { id: Some("AKIDxyz".into()), secret: Some("s3cr3t-key".into()) };
        let unit = "Signature signature=abc&SIGNATURE: x ";
        let text = unit.repeat((1 << 20) / unit.len());
        let started = std::time::Instant::now();
        let out = c.scrub(&text, 300);
        let took = started.elapsed();
        let want = "Signature signature=<redacted>&SIGNATURE: <redacted> ".repeat(10);
        assert_eq!(out, format!("{}…", want.chars().take(300).collect::<String>()));
        assert!(took < std::time::Duration::from_secs(2), "1 MB scrubbed in {took:?}");
        let plain = "signature".repeat((1 << 20) / 9);
        let started = std::time::Instant::now();
        assert_eq!(c.scrub(&plain, 300), format!("{}…", &plain[..300]));
        let took = started.elapsed();
        assert!(took < std::time::Duration::from_secs(2), "1 MB scrubbed in {took:?}");
    }

    #[test]
    fn errors() {
        for h in [r#"ApiKey id="a, secret="b""#, r#"Bearer xyz"#, r#"ApiKey id"#] {
            let e = Error::from(Credential::parse(Some(h)).unwrap_err());
            assert_eq!(e.status(), 400, "{h}");
            assert!(e.message().starts_with("Malformed X-Upstream-Authorization"), "{h}");
        }
        let none = Credential::parse(None).unwrap();
        assert_eq!(Error::from(none.secret().unwrap_err()).message(), "Missing required credential: secret");
        let only = Credential::parse(Some(r#"ApiKey secret="s""#)).unwrap();
        assert_eq!(Error::from(only.pair().unwrap_err()).message(), "Missing required credential: id");
        assert_eq!(format!("{only:?}"), "Credential(<hidden>)");
    }
}
