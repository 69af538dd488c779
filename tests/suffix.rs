//! AAAA from a prefix and a host suffix (`value=2001:db8:1:2::1/64&suffix=::11:22ff:fe33:4455`,
//! or the host's MAC `suffix=00:11:22:33:44:55` for its SLAAC address), end to end for every
//! provider: what a router sends for a LAN host whose address follows the delegated prefix.

mod common;

use common::aliyun::FakeAliyun;
use common::cloudflare::FakeCloudflare;
use common::tencent::FakeTencent;
use common::{Gateway, config_all, provider_update};

const HOST: &str = "::11:22ff:fe33:4455";

/// The three fake providers (each with the zone example.com), the gateway in front of them,
/// and each provider's credential header.
struct Three {
    cf: FakeCloudflare,
    ali: FakeAliyun,
    tc: FakeTencent,
    gw: Gateway,
    creds: [(&'static str, &'static str); 3],
}

async fn three_providers() -> Three {
    let cf = FakeCloudflare::start("cf-token", &[("z1", "example.com")]).await;
    let ali = FakeAliyun::start("LTAIsuffix", "ali-secret", &["example.com"]).await;
    let tc = FakeTencent::start("AKIDsuffix", "tc-secret", &["example.com"]).await;
    let gw = Gateway::start(config_all(cf.addr, ali.addr, tc.addr)).await;
    let creds = [
        ("cloudflare", r#"ApiKey secret="cf-token""#),
        ("aliyun", r#"ApiKey id="LTAIsuffix" secret="ali-secret""#),
        ("tencent", r#"ApiKey id="AKIDsuffix" secret="tc-secret""#),
    ];
    Three { cf, ali, tc, gw, creds }
}

#[tokio::test]
async fn prefix_and_suffix_for_every_provider() {
    let Three { cf, ali, tc, gw, creds } = three_providers().await;
    for (provider, cred) in creds {
        // (prefix as RouterOS shows the LAN address, the combined record, the action)
        for (value, want, action) in [
            ("2001:db8:1:2::1/64", "2001:db8:1:2:11:22ff:fe33:4455", "created"),
            // Same prefix, another router address in it: nothing to write.
            ("2001:db8:1:2::abcd/64", "2001:db8:1:2:11:22ff:fe33:4455", "unchanged"),
            // The ISP hands out a new prefix: the host's record follows.
            ("2001:db8:9:2::1/64", "2001:db8:9:2:11:22ff:fe33:4455", "updated"),
        ] {
            let pairs = [("record", "nas"), ("type", "AAAA"), ("value", value), ("suffix", HOST)];
            let r = provider_update(&gw, provider, cred, &pairs).await;
            assert_eq!(r.status, 200, "{provider} {value}: {}", r.body);
            let j = r.json();
            assert_eq!((j["action"].as_str(), j["data"]["value"].as_str()), (Some(action), Some(want)));
        }
    }
    let stored = "2001:db8:9:2:11:22ff:fe33:4455";
    assert_eq!(cf.records().iter().map(|r| r.content.as_str()).collect::<Vec<_>>(), [stored]);
    assert_eq!(ali.records().iter().map(|r| r.value.as_str()).collect::<Vec<_>>(), [stored]);
    assert_eq!(tc.records().iter().map(|r| r.value.as_str()).collect::<Vec<_>>(), [stored]);

    // POST JSON takes it too.
    let body = r#"{"provider":"cloudflare","zone":"example.com","record":"tv","type":"AAAA","value":"2001:db8:9:2::1/56","suffix":"::1:0:0:0:7"}"#;
    let r = gw.post("/update", &[("X-Upstream-Authorization", creds[0].1)], body.as_bytes()).await;
    assert_eq!((r.status, r.json()["data"]["value"].as_str()), (200, Some("2001:db8:9:1::7")), "{}", r.body);
    gw.stop().await;
}

#[tokio::test]
async fn mac_suffix_is_the_hosts_slaac_address_for_every_provider() {
    let Three { cf, ali, tc, gw, creds } = three_providers().await;
    for (provider, cred) in creds {
        // (prefix, MAC as the router's settings hold it, the combined record, the action)
        for (value, mac, want, action) in [
            ("2001:db8:1:2::1/64", "00:11:22:33:44:55", "2001:db8:1:2:211:22ff:fe33:4455", "created"),
            // The same host written with dashes: the same record.
            ("2001:db8:1:2::1/64", "00-11-22-33-44-55", "2001:db8:1:2:211:22ff:fe33:4455", "unchanged"),
            ("2001:db8:9:2::1/64", "00:11:22:33:44:55", "2001:db8:9:2:211:22ff:fe33:4455", "updated"),
            // A locally administered MAC: the U/L bit flips the other way.
            ("2001:db8:9:2::1/64", "02:AB:CD:EF:01:23", "2001:db8:9:2:ab:cdff:feef:123", "created"),
        ] {
            let record = if mac.starts_with("02") { "vm" } else { "nas" };
            let pairs = [("record", record), ("type", "AAAA"), ("value", value), ("suffix", mac)];
            let r = provider_update(&gw, provider, cred, &pairs).await;
            assert_eq!(r.status, 200, "{provider} {value} {mac}: {}", r.body);
            let j = r.json();
            let got = (j["action"].as_str(), j["data"]["value"].as_str());
            assert_eq!(got, (Some(action), Some(want)), "{provider} {value} {mac}");
        }
    }
    let stored = ["2001:db8:9:2:211:22ff:fe33:4455", "2001:db8:9:2:ab:cdff:feef:123"];
    let mut values: Vec<String> = cf.records().iter().map(|r| r.content.clone()).collect();
    values.sort();
    assert_eq!(values, stored);
    let mut values: Vec<String> = ali.records().iter().map(|r| r.value.clone()).collect();
    values.sort();
    assert_eq!(values, stored);
    let mut values: Vec<String> = tc.records().iter().map(|r| r.value.clone()).collect();
    values.sort();
    assert_eq!(values, stored);
    gw.stop().await;
}

#[tokio::test]
async fn suffix_mistakes_are_422_naming_the_field_and_call_nobody() {
    let cf = FakeCloudflare::start("cf-token", &[("z1", "example.com")]).await;
    let gw = Gateway::start(common::config_for(cf.addr)).await;
    let cred = r#"ApiKey secret="cf-token""#;
    for (rtype, value, suffix, starts) in [
        ("A", "203.0.113.7", HOST, "suffix: only type AAAA takes a suffix"),
        ("TXT", "hello", HOST, "suffix:"),
        ("AAAA", "2001:db8:1:2::1/64", "192.0.2.1", "suffix: \"192.0.2.1\" is not an IPv6 address"),
        (
            "AAAA",
            "2001:db8:1:2::1",
            HOST,
            "value: with a suffix, expected an IPv6 address with a prefix length",
        ),
        ("AAAA", "2001:db8:1:2::1/129", HOST, "value: with a suffix"),
        // Not a MAC: five or seven groups, mixed separators, a non-hex digit.
        (
            "AAAA",
            "2001:db8:1:2::1/64",
            "00:11:22:33:44",
            "suffix: \"00:11:22:33:44\" is not an IPv6 address or a MAC",
        ),
        ("AAAA", "2001:db8:1:2::1/64", "00:11:22:33:44:55:66", "suffix:"),
        ("AAAA", "2001:db8:1:2::1/64", "00:11-22:33:44:55", "suffix:"),
        ("AAAA", "2001:db8:1:2::1/64", "00:11:22:33:44:5g", "suffix:"),
        // A MAC stands for a SLAAC address: that needs a /64.
        (
            "AAAA",
            "2001:db8:1:2::1/80",
            "00:11:22:33:44:55",
            "value: a MAC suffix needs a prefix length of 64",
        ),
    ] {
        let pairs = [("record", "nas"), ("type", rtype), ("value", value), ("suffix", suffix)];
        let r = provider_update(&gw, "cloudflare", cred, &pairs).await;
        assert_eq!(r.status, 422, "{rtype} {value} {suffix}: {}", r.body);
        let msg = r.json()["message"].as_str().unwrap().to_string();
        assert!(msg.starts_with(starts), "{rtype} {value} {suffix}: {msg}");
    }
    // A long suffix is named, not echoed whole.
    let long = "00:11:22:33:44:55-".repeat(20);
    let pairs = [("record", "nas"), ("type", "AAAA"), ("value", "2001:db8:1:2::1/64"), ("suffix", &long)];
    let r = provider_update(&gw, "cloudflare", cred, &pairs).await;
    let msg = r.json()["message"].as_str().unwrap().to_string();
    assert_eq!(r.status, 422, "{msg}");
    assert!(msg.starts_with("suffix:") && !msg.contains(&long) && msg.len() < 250, "{msg}");
    // A prefix length without a suffix is not an address.
    let pairs = [("record", "nas"), ("type", "AAAA"), ("value", "2001:db8:1:2::1/64")];
    let r = provider_update(&gw, "cloudflare", cred, &pairs).await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(cf.calls().is_empty(), "nothing reaches the provider");
    gw.stop().await;
}
