//! The config file loader: never panics, every refusal is one line.
#![no_main]

use ddns_gateway::config::Config;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    match Config::from_toml_text(text) {
        Ok(c) => assert!(c.port >= 1 && (c.get_enabled || c.post_enabled)),
        Err(e) => assert!(!e.contains('\n'), "{e}"),
    }
});
