//! TXT content as RFC 1035 character-strings, both ways: providers whose APIs take TXT as
//! zone-file text (Cloudflare, Huawei Cloud) send quoted strings and compare what they
//! read back as the text it encodes.

/// The longest RFC 1035 character-string, in bytes.
const MAX_STRING: usize = 255;

/// TXT text as RFC 1035 character-strings: each in double quotes with `"` and `\`
/// escaped, at most 255 bytes of text each (cut at a character boundary), separated by a
/// space.
pub fn txt_content(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    let mut rest = text;
    loop {
        let mut end = rest.len().min(MAX_STRING);
        while !rest.is_char_boundary(end) {
            end -= 1;
        }
        let (chunk, tail) = rest.split_at(end);
        if !out.is_empty() {
            out.push(' ');
        }
        out.push('"');
        for c in chunk.chars() {
            if c == '"' || c == '\\' {
                out.push('\\');
            }
            out.push(c);
        }
        out.push('"');
        rest = tail;
        if rest.is_empty() {
            return out;
        }
    }
}

/// The text stored TXT content stands for: its quoted strings joined (`"abc" "def"` is
/// `abcdef`, as dashboards split long text), with `\"`, `\\` and `\DDD` decoded.
/// Content that is not quoted strings (Cloudflare's, written before it asked for quotes)
/// is taken as it is.
pub fn txt_text(content: &str) -> String {
    let raw = || content.to_string();
    let bytes = content.trim().as_bytes();
    if bytes.first() != Some(&b'"') {
        return raw();
    }
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i].is_ascii_whitespace() {
            i += 1;
            continue;
        }
        if bytes[i] != b'"' {
            return raw();
        }
        i += 1;
        loop {
            match bytes.get(i) {
                None => return raw(),
                Some(b'"') => break,
                Some(b'\\') => {
                    let digits = bytes.get(i + 1..i + 4).filter(|d| d.iter().all(u8::is_ascii_digit));
                    if let Some(d) = digits {
                        let n = d.iter().fold(0u32, |n, b| n * 10 + u32::from(b - b'0'));
                        let Ok(byte) = u8::try_from(n) else { return raw() };
                        out.push(byte);
                        i += 4;
                    } else {
                        let Some(&b) = bytes.get(i + 1) else { return raw() };
                        out.push(b);
                        i += 2;
                    }
                }
                Some(&b) => {
                    out.push(b);
                    i += 1;
                }
            }
        }
        i += 1;
    }
    String::from_utf8(out).unwrap_or_else(|_| raw())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn txt_strings_round_trip() {
        assert_eq!(txt_content("v=spf1 -all"), r#""v=spf1 -all""#);
        assert_eq!(txt_content(r#"say "hi" \o/"#), r#""say \"hi\" \\o/""#);
        let long = "a".repeat(300);
        assert_eq!(txt_content(&long), format!("\"{}\" \"{}\"", "a".repeat(255), "a".repeat(45)));
        // Cut at a character boundary: 254 ASCII bytes and then a 3-byte character.
        let wide = format!("{}中文", "x".repeat(254));
        assert_eq!(txt_content(&wide), format!("\"{}\" \"中文\"", "x".repeat(254)));
        for text in ["v=spf1 -all", r#"a"b\c"#, &long, &wide, "", "  spaced  "] {
            assert_eq!(txt_text(&txt_content(text)), text);
        }
        assert_eq!(txt_text(r#""abc" "def""#), "abcdef");
        assert_eq!(txt_text(r#""a\065\"""#), "aA\"");
        // Not quoted strings: as stored.
        for raw in ["plain text", r#""unterminated"#, r#""a" b"#, r#""\999""#] {
            assert_eq!(txt_text(raw), raw);
        }
    }
}
