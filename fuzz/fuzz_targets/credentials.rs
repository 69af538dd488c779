//! The X-Upstream-Authorization parser: never panics; what it accepts round-trips.
#![no_main]

use ddns_gateway::credentials::Credential;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Ok(cred) = Credential::parse(Some(text)) {
        // A parsed credential written back in the canonical form parses to the same thing
        // (when its values can be quoted with double quotes).
        let quotable = |v: &Option<String>| v.as_deref().is_none_or(|v| !v.contains('"'));
        if quotable(&cred.id) && quotable(&cred.secret) {
            let mut canonical = String::from("ApiKey");
            if let Some(id) = &cred.id {
                canonical.push_str(&format!(" id=\"{id}\","));
            }
            if let Some(secret) = &cred.secret {
                canonical.push_str(&format!(" secret=\"{secret}\""));
            }
            assert_eq!(Credential::parse(Some(&canonical)).unwrap(), cred, "{canonical}");
        }
        // Whatever a provider echoes, the scrubbed text holds neither credential string
        // (ones a real key could be: letters, digits, - and _), no control character, and
        // at most the cap (plus the ellipsis).
        let out = cred.scrub(text, 100);
        assert!(out.chars().count() <= 101, "{out}");
        assert!(!out.chars().any(char::is_control), "{out:?}");
        for s in [&cred.secret, &cred.id].into_iter().flatten() {
            // (A "secret" inside the marker word itself, like "dacted", is no leak.)
            let key_like = s.len() >= 4
                && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
                && !"<redacted>".contains(s.as_str());
            assert!(!key_like || !out.contains(s.as_str()), "{s} in {out}");
        }
    }
});
