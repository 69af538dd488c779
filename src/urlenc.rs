//! Percent-encoding both ways: form/query decoding for requests we receive, and the strict
//! RFC 3986 encoding that provider URLs and Aliyun's signature need.

/// Encodes everything but `A-Z a-z 0-9 - _ . ~`, with upper-case hex (space → `%20`).
pub fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// `k=v&…` sorted by name, then value (byte order), both encoded: the canonical query of
/// Aliyun's v1 and Huawei's SDK-HMAC-SHA256 signatures (and the query Huawei is sent).
pub fn canonical_query(pairs: &[(&str, &str)]) -> String {
    let mut sorted = pairs.to_vec();
    sorted.sort_unstable();
    sorted.iter().map(|(k, v)| format!("{}={}", encode(k), encode(v))).collect::<Vec<_>>().join("&")
}

/// Decodes one `application/x-www-form-urlencoded` component: `+` is a space, `%XY` a byte.
/// A `%` not followed by two hex digits stays as it is, as browsers and servers do.
pub fn decode(s: &str) -> Result<String, std::string::FromUtf8Error> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' => match (hex_at(bytes, i + 1), hex_at(bytes, i + 2)) {
                (Some(hi), Some(lo)) => {
                    out.push(hi << 4 | lo);
                    i += 2;
                }
                _ => out.push(b'%'),
            },
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8(out)
}

fn hex_at(bytes: &[u8], i: usize) -> Option<u8> {
    bytes.get(i).and_then(|b| (*b as char).to_digit(16)).map(|d| d as u8)
}

/// Splits `a=1&b=2` into decoded pairs. Fails only on bytes that are not UTF-8.
pub fn decode_pairs(s: &str) -> Result<Vec<(String, String)>, std::string::FromUtf8Error> {
    s.split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            Ok((decode(k)?, decode(v)?))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips() {
        assert_eq!(encode("a b*c~/é"), "a%20b%2Ac~%2F%C3%A9");
        assert_eq!(decode("Hello+World%20%21").unwrap(), "Hello World !");
        assert_eq!(decode("100%").unwrap(), "100%");
        assert_eq!(decode("%zz%4").unwrap(), "%zz%4");
        assert_eq!(decode("%E9%BB%98%E8%AE%A4").unwrap(), "默认");
        assert!(decode("%FF").is_err());
        let pairs = decode_pairs("a=1&&b=&c&d=x%3Dy").unwrap();
        let want = [("a", "1"), ("b", ""), ("c", ""), ("d", "x=y")];
        assert_eq!(pairs, want.map(|(k, v)| (k.to_string(), v.to_string())));
    }
}
