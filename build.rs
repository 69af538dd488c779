//! Records when the binary was built: a system clock earlier than that is certainly wrong
//! (a router before NTP sync), and the gateway says so instead of failing obscurely.
//! SOURCE_DATE_EPOCH, when set, makes the build reproducible.

use std::time::{SystemTime, UNIX_EPOCH};

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-env-changed=SOURCE_DATE_EPOCH");
    let epoch = std::env::var("SOURCE_DATE_EPOCH")
        .ok()
        .and_then(|s| s.trim().parse::<u64>().ok())
        .unwrap_or_else(|| SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs()));
    println!("cargo:rustc-env=BUILD_EPOCH_SECS={epoch}");
}
