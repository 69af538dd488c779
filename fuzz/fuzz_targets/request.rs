//! Query-string, form and JSON request parsing and validation: never panics, and whatever
//! validates is normalised (validating it again changes nothing).
#![no_main]

use ddns_gateway::request::Fields;
use ddns_gateway::urlenc;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((mode, rest)) = data.split_first() else { return };
    let fields = if mode % 2 == 0 {
        let Ok(text) = std::str::from_utf8(rest) else { return };
        // Percent-encoding round-trips.
        assert_eq!(urlenc::decode(&urlenc::encode(text)).unwrap(), text);
        Fields::from_form(text)
    } else {
        Fields::from_json(rest)
    };
    let Ok(fields) = fields else { return };
    if let Ok(valid) = fields.validate() {
        let want = &valid.record;
        // Zone and name as the client wrote them (Unicode stays Unicode).
        let (zone, name, _) = want.shown();
        let again = Fields {
            provider: Some(valid.provider.spec().id.to_string()),
            zone: Some(zone.to_string()),
            record: Some(name.to_string()),
            rtype: Some(want.rtype.as_str().to_string()),
            value: Some(want.value.clone()),
            ttl: want.ttl.map(|t| t.to_string()),
            comment: want.comment.clone(),
            // The combined address is a plain AAAA value.
            suffix: None,
            line: want.line.clone(),
        };
        let again = again.validate().expect("a valid request stays valid");
        assert_eq!(again, valid);
        let _ = want.fqdn();
    }
});
