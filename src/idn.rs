//! Internationalised domain names: Punycode (RFC 3492) and the conversion of names between
//! the ASCII form (A-labels, `xn--…`) and the Unicode form (U-labels), with the checks on a
//! U-label that need no Unicode tables.
//!
//! A name is kept in its ASCII form; a provider that keys its zones by the Unicode name is
//! handed `to_unicode` of it. A U-label must already be in the form a registry stores: lower
//! case and precomposed. Without Unicode tables we cannot map or normalise, so we refuse
//! what we can recognise by code-point ranges alone (`not_normalised`) and pass the rest on.

const BASE: u32 = 36;
const TMIN: u32 = 1;
const TMAX: u32 = 26;
const SKEW: u32 = 38;
const DAMP: u32 = 700;
const INITIAL_BIAS: u32 = 72;
const INITIAL_N: u32 = 128;
/// The ACE prefix of an A-label.
pub const ACE: &str = "xn--";
/// The most characters an A-label's Punycode part (and so a U-label) can have within DNS's
/// 63-octet label. Longer labels are never converted: both directions take time quadratic in
/// the length.
const MAX_CODE: usize = 63 - ACE.len();

fn adapt(delta: u32, points: u32, first: bool) -> u32 {
    let mut delta = if first { delta / DAMP } else { delta / 2 };
    delta += delta / points;
    let mut k = 0;
    while delta > ((BASE - TMIN) * TMAX) / 2 {
        delta /= BASE - TMIN;
        k += BASE;
    }
    k + (BASE - TMIN + 1) * delta / (delta + SKEW)
}

fn threshold(k: u32, bias: u32) -> u32 {
    k.saturating_sub(bias).clamp(TMIN, TMAX)
}

fn digit(d: u32) -> char {
    char::from(if d < 26 { b'a' + d as u8 } else { b'0' + (d - 26) as u8 })
}

/// Punycode of `input` (basic code points first, then the deltas); `None` on overflow.
pub fn encode(input: &str) -> Option<String> {
    let chars: Vec<u32> = input.chars().map(u32::from).collect();
    let mut out: String = input.chars().filter(char::is_ascii).collect();
    let basic = out.len() as u32;
    if basic > 0 {
        out.push('-');
    }
    let (mut n, mut delta, mut bias, mut h) = (INITIAL_N, 0u32, INITIAL_BIAS, basic);
    while (h as usize) < chars.len() {
        let m = chars.iter().copied().filter(|&c| c >= n).min()?;
        delta = delta.checked_add((m - n).checked_mul(h + 1)?)?;
        n = m;
        for &c in &chars {
            if c < n {
                delta = delta.checked_add(1)?;
            }
            if c == n {
                let mut q = delta;
                let mut k = BASE;
                loop {
                    let t = threshold(k, bias);
                    if q < t {
                        break;
                    }
                    out.push(digit(t + (q - t) % (BASE - t)));
                    q = (q - t) / (BASE - t);
                    k += BASE;
                }
                out.push(digit(q));
                bias = adapt(delta, h + 1, h == basic);
                delta = 0;
                h += 1;
            }
        }
        delta = delta.checked_add(1)?;
        n = n.checked_add(1)?;
    }
    Some(out)
}

/// The text a Punycode string stands for; `None` if it is not valid Punycode.
pub fn decode(input: &str) -> Option<String> {
    let (basic, deltas) = match input.rfind('-') {
        Some(at) => (&input[..at], &input[at + 1..]),
        None => ("", input),
    };
    if !basic.is_ascii() {
        return None;
    }
    let mut out: Vec<char> = basic.chars().collect();
    let (mut n, mut i, mut bias) = (INITIAL_N, 0u32, INITIAL_BIAS);
    let mut digits = deltas.bytes();
    while digits.len() > 0 {
        let old_i = i;
        let mut w = 1u32;
        let mut k = BASE;
        loop {
            let d = match digits.next()? {
                b @ b'a'..=b'z' => b - b'a',
                b @ b'A'..=b'Z' => b - b'A',
                b @ b'0'..=b'9' => b - b'0' + 26,
                _ => return None,
            } as u32;
            i = i.checked_add(d.checked_mul(w)?)?;
            let t = threshold(k, bias);
            if d < t {
                break;
            }
            w = w.checked_mul(BASE - t)?;
            k += BASE;
        }
        let len = out.len() as u32 + 1;
        bias = adapt(i - old_i, len, old_i == 0);
        n = n.checked_add(i / len)?;
        i %= len;
        let c = char::from_u32(n).filter(|c| !c.is_ascii())?;
        out.insert(i as usize, c);
        i += 1;
    }
    Some(out.into_iter().collect())
}

/// Why a name has no valid ASCII form.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fault {
    /// A U-label is not lower case and precomposed, or holds a character no domain name may.
    NotNormalised,
    /// An `xn--` label is not the Punycode of a valid U-label.
    BadPunycode,
}

/// `name` with every U-label as its A-label; an A-label must decode to a valid U-label that
/// encodes back to exactly itself. ASCII labels are otherwise left as they are (their
/// syntax is the caller's to check). Expects ASCII letters in lower case.
pub fn to_ascii(name: &str) -> Result<String, Fault> {
    let mut out = Vec::new();
    for label in name.split('.') {
        if let Some(code) = label.strip_prefix(ACE) {
            let text = Some(code)
                .filter(|c| c.len() <= MAX_CODE)
                .and_then(decode)
                .filter(|t| !t.is_ascii())
                .ok_or(Fault::BadPunycode)?;
            if not_normalised(&text) || encode(&text).as_deref() != Some(code) {
                return Err(Fault::BadPunycode);
            }
            out.push(label.to_string());
        } else if label.is_ascii() || label.chars().count() > MAX_CODE {
            // Too long for any A-label: left as it is, for the caller's syntax check to refuse.
            out.push(label.to_string());
        } else {
            if not_normalised(label) {
                return Err(Fault::NotNormalised);
            }
            out.push(format!("{ACE}{}", encode(label).ok_or(Fault::NotNormalised)?));
        }
    }
    Ok(out.join("."))
}

/// `name` with every A-label as its U-label (labels that do not decode are kept).
pub fn to_unicode(name: &str) -> String {
    let labels: Vec<String> = name
        .split('.')
        .map(|l| {
            let code = l.strip_prefix(ACE).filter(|c| c.len() <= MAX_CODE);
            code.and_then(decode).unwrap_or_else(|| l.to_string())
        })
        .collect();
    labels.join(".")
}

/// Whether a name a provider lists is `ascii` (a name `to_ascii` made), in either form and
/// any ASCII case.
pub fn same_name(listed: &str, ascii: &str) -> bool {
    if listed.is_ascii() {
        return listed.eq_ignore_ascii_case(ascii);
    }
    to_ascii(&listed.to_ascii_lowercase()).is_ok_and(|a| a == ascii)
}

/// Whether a U-label holds something a registry would have mapped, composed or refused,
/// as far as code-point ranges tell without Unicode tables: ASCII other than `a-z 0-9 -`;
/// controls, spaces, format and private-use characters, noncharacters; capital letters of
/// Latin-1, Latin Extended-A and Additional (Vietnamese), Greek, Cyrillic and Armenian;
/// combining accents (U+0300–U+036F) and conjoining Hangul jamo, which NFC composes into one
/// character; fullwidth and halfwidth forms, CJK compatibility ideographs and the
/// ideographic full stop, which IDNA maps to other characters.
pub fn not_normalised(label: &str) -> bool {
    label.chars().any(|c| {
        let u = u32::from(c);
        let even = u % 2 == 0;
        match u {
            0..=0x7F => !(c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'),
            // C1 controls, no-break space, soft hyphen; capitals but the sign ×.
            0x80..=0xA0 | 0xAD => true,
            0xC0..=0xDE => u != 0xD7,
            0x100..=0x137 | 0x14A..=0x177 => even,
            0x139..=0x148 | 0x179..=0x17E => !even,
            0x178 => true,
            0x300..=0x36F => true,
            0x386 | 0x388..=0x38F | 0x391..=0x3AB => true,
            0x400..=0x42F | 0x531..=0x556 => true,
            0x1100..=0x11FF => true,
            0x1E00..=0x1E94 | 0x1EA0..=0x1EFF => even,
            0x1E9E => true,
            0x2000..=0x206F | 0x3000..=0x3002 => true,
            0xE000..=0xF8FF | 0xF900..=0xFAFF | 0xFDD0..=0xFDEF | 0xFE00..=0xFE0F | 0xFEFF => true,
            0xFF00..=0xFFFF | 0xE0000..=0xE007F | 0xF0000.. => true,
            _ => u & 0xFFFE == 0xFFFE,
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 3492 section 7.1, samples A–S: (text, Punycode). The RFC's mixed-case annotation
    /// (an upper-case letter among the deltas of sample I) is written in lower case here, as
    /// an encoder emits it; `decode` reads either.
    const SAMPLES: [(&str, &str); 19] = [
        (
            "\u{644}\u{64A}\u{647}\u{645}\u{627}\u{628}\u{62A}\u{643}\u{644}\u{645}\u{648}\u{634}\u{639}\u{631}\u{628}\u{64A}\u{61F}",
            "egbpdaj6bu4bxfgehfvwxn",
        ),
        (
            "\u{4ED6}\u{4EEC}\u{4E3A}\u{4EC0}\u{4E48}\u{4E0D}\u{8BF4}\u{4E2D}\u{6587}",
            "ihqwcrb4cv8a8dqg056pqjye",
        ),
        (
            "\u{4ED6}\u{5011}\u{7232}\u{4EC0}\u{9EBD}\u{4E0D}\u{8AAA}\u{4E2D}\u{6587}",
            "ihqwctvzc91f659drss3x8bo0yb",
        ),
        ("Pro\u{10D}prost\u{11B}nemluv\u{ED}\u{10D}esky", "Proprostnemluvesky-uyb24dma41a"),
        (
            "\u{5DC}\u{5DE}\u{5D4}\u{5D4}\u{5DD}\u{5E4}\u{5E9}\u{5D5}\u{5D8}\u{5DC}\u{5D0}\u{5DE}\u{5D3}\u{5D1}\u{5E8}\u{5D9}\u{5DD}\u{5E2}\u{5D1}\u{5E8}\u{5D9}\u{5EA}",
            "4dbcagdahymbxekheh6e0a7fei0b",
        ),
        (
            "\u{92F}\u{939}\u{932}\u{94B}\u{917}\u{939}\u{93F}\u{928}\u{94D}\u{926}\u{940}\u{915}\u{94D}\u{92F}\u{94B}\u{902}\u{928}\u{939}\u{940}\u{902}\u{92C}\u{94B}\u{932}\u{938}\u{915}\u{924}\u{947}\u{939}\u{948}\u{902}",
            "i1baa7eci9glrd9b2ae1bj0hfcgg6iyaf8o0a1dig0cd",
        ),
        (
            "\u{306A}\u{305C}\u{307F}\u{3093}\u{306A}\u{65E5}\u{672C}\u{8A9E}\u{3092}\u{8A71}\u{3057}\u{3066}\u{304F}\u{308C}\u{306A}\u{3044}\u{306E}\u{304B}",
            "n8jok5ay5dzabd5bym9f0cm5685rrjetr6pdxa",
        ),
        (
            "\u{C138}\u{ACC4}\u{C758}\u{BAA8}\u{B4E0}\u{C0AC}\u{B78C}\u{B4E4}\u{C774}\u{D55C}\u{AD6D}\u{C5B4}\u{B97C}\u{C774}\u{D574}\u{D55C}\u{B2E4}\u{BA74}\u{C5BC}\u{B9C8}\u{B098}\u{C88B}\u{C744}\u{AE4C}",
            "989aomsvi5e83db1d2a355cv1e0vak1dwrv93d5xbh15a0dt30a5jpsd879ccm6fea98c",
        ),
        (
            "\u{43F}\u{43E}\u{447}\u{435}\u{43C}\u{443}\u{436}\u{435}\u{43E}\u{43D}\u{438}\u{43D}\u{435}\u{433}\u{43E}\u{432}\u{43E}\u{440}\u{44F}\u{442}\u{43F}\u{43E}\u{440}\u{443}\u{441}\u{441}\u{43A}\u{438}",
            "b1abfaaepdrnnbgefbadotcwatmq2g4l",
        ),
        (
            "Porqu\u{E9}nopuedensimplementehablarenEspa\u{F1}ol",
            "PorqunopuedensimplementehablarenEspaol-fmd56a",
        ),
        (
            "T\u{1EA1}isaoh\u{1ECD}kh\u{F4}ngth\u{1EC3}ch\u{1EC9}n\u{F3}iti\u{1EBF}ngVi\u{1EC7}t",
            "TisaohkhngthchnitingVit-kjcr8268qyxafd2f1b9g",
        ),
        ("3\u{5E74}B\u{7D44}\u{91D1}\u{516B}\u{5148}\u{751F}", "3B-ww4c5e180e575a65lsy2b"),
        (
            "\u{5B89}\u{5BA4}\u{5948}\u{7F8E}\u{6075}-with-SUPER-MONKEYS",
            "-with-SUPER-MONKEYS-pc58ag80a8qai00g7n9n",
        ),
        (
            "Hello-Another-Way-\u{305D}\u{308C}\u{305E}\u{308C}\u{306E}\u{5834}\u{6240}",
            "Hello-Another-Way--fc4qua05auwb3674vfr0b",
        ),
        ("\u{3072}\u{3068}\u{3064}\u{5C4B}\u{6839}\u{306E}\u{4E0B}2", "2-u9tlzr9756bt3uc0v"),
        ("Maji\u{3067}Koi\u{3059}\u{308B}5\u{79D2}\u{524D}", "MajiKoi5-783gue6qz075azm5e"),
        ("\u{30D1}\u{30D5}\u{30A3}\u{30FC}de\u{30EB}\u{30F3}\u{30D0}", "de-jg4avhby1noc0d"),
        ("\u{305D}\u{306E}\u{30B9}\u{30D4}\u{30FC}\u{30C9}\u{3067}", "d9juau41awczczp"),
        ("-> $1.00 <-", "-> $1.00 <--"),
    ];

    #[test]
    fn rfc_3492_samples() {
        for (text, code) in SAMPLES {
            assert_eq!(encode(text).as_deref(), Some(code), "{text}");
            assert_eq!(decode(code).as_deref(), Some(text), "{code}");
        }
        // The RFC's own spelling of sample I, with its case annotation.
        assert_eq!(decode("b1abfaaepdrnnbgefbaDotcwatmq2g4l").as_deref(), Some(SAMPLES[8].0));
        for bad in ["a-b-%", "99999999999", "bcher-kva9", "a-"] {
            assert!(decode(bad).is_none_or(|t| t.is_ascii()), "{bad}");
        }
    }

    #[test]
    fn names_in_both_forms() {
        assert_eq!(to_ascii("bücher.example").unwrap(), "xn--bcher-kva.example");
        assert_eq!(to_ascii("中文.例子.cn").unwrap(), "xn--fiq228c.xn--fsqu00a.cn");
        assert_eq!(to_ascii("xn--bcher-kva.example").unwrap(), "xn--bcher-kva.example");
        assert_eq!(to_unicode("home.xn--fiq228c.cn"), "home.中文.cn");
        assert!(same_name("HOME.中文.cn", "home.xn--fiq228c.cn"));
        assert!(same_name("home.XN--fiq228c.cn", "home.xn--fiq228c.cn"));
        assert!(!same_name("home.中文.com", "home.xn--fiq228c.cn"));
        for (bad, why) in [
            ("Bücher.example", Fault::NotNormalised),
            ("bÜcher.example", Fault::NotNormalised),
            ("bu\u{308}cher.example", Fault::NotNormalised),
            ("ｂücher.example", Fault::NotNormalised),
            ("bü cher.example", Fault::NotNormalised),
            ("中文。cn", Fault::NotNormalised),
            ("ПРИМЕР.рф", Fault::NotNormalised),
            ("xn--abc.example", Fault::BadPunycode),
            ("xn--bcher-kva9.example", Fault::BadPunycode),
            // Punycode of an upper-case Ü: decodes, but to a label not in normal form.
            ("xn--bcher-2pa.example", Fault::BadPunycode),
        ] {
            assert_eq!(to_ascii(bad), Err(why), "{bad}");
        }
        assert!(to_ascii("пример.рф").is_ok() && to_ascii("ελληνικά.gr").is_ok());
        assert!(to_ascii("tiếngviệt.vn").is_ok() && to_ascii("한국.kr").is_ok());
        // A label too long for DNS is never converted (each direction is quadratic in it).
        let long = "ü".repeat(60_000);
        assert_eq!(to_ascii(&long).unwrap(), long);
        let long = format!("{ACE}{}", "a".repeat(60_000));
        assert_eq!(to_ascii(&long), Err(Fault::BadPunycode));
        assert_eq!(to_unicode(&long), long);
    }
}
