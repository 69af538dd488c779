//! Tencent Cloud API 3.0 signature, TC3-HMAC-SHA256, for `POST /` with a JSON body and the
//! signed headers `content-type;host`.

use super::{hex, hmac_sha256, sha256};

fn hmac256(key: &[u8], data: &str) -> [u8; 32] {
    hmac_sha256(key, data.as_bytes())
}

pub fn canonical_request(content_type: &str, host: &str, body: &[u8]) -> String {
    format!(
        "POST\n/\n\ncontent-type:{}\nhost:{}\n\ncontent-type;host\n{}",
        content_type.trim().to_ascii_lowercase(),
        host.trim().to_ascii_lowercase(),
        hex(&sha256(body))
    )
}

/// `YYYY-MM-DD` (UTC) of a Unix timestamp: part of the credential scope.
pub fn scope_date(timestamp: i64) -> String {
    crate::time::Utc::from_unix(timestamp).date()
}

pub fn string_to_sign(timestamp: i64, service: &str, canonical_request: &str) -> String {
    format!(
        "TC3-HMAC-SHA256\n{timestamp}\n{}/{service}/tc3_request\n{}",
        scope_date(timestamp),
        hex(&sha256(canonical_request.as_bytes()))
    )
}

pub fn signing_key(secret_key: &str, date: &str, service: &str) -> [u8; 32] {
    let k_date = hmac256(format!("TC3{secret_key}").as_bytes(), date);
    let k_service = hmac256(&k_date, service);
    hmac256(&k_service, "tc3_request")
}

pub struct Signed {
    pub authorization: String,
    pub timestamp: String,
}

/// Signs one request; the `Authorization` header value and `X-TC-Timestamp` to send.
pub fn sign(
    secret_id: &str,
    secret_key: &str,
    service: &str,
    host: &str,
    content_type: &str,
    body: &[u8],
    timestamp: i64,
) -> Signed {
    let date = scope_date(timestamp);
    let sts = string_to_sign(timestamp, service, &canonical_request(content_type, host, body));
    let signature = hex(&hmac256(&signing_key(secret_key, &date, service), &sts));
    Signed {
        authorization: format!(
            "TC3-HMAC-SHA256 Credential={secret_id}/{date}/{service}/tc3_request, \
             SignedHeaders=content-type;host, Signature={signature}"
        ),
        timestamp: timestamp.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Tencent Cloud's published example ("Signature v3", service cvm).
    #[test]
    fn official_vector() {
        let body =
            r#"{"Limit": 1, "Filters": [{"Values": ["\u672a\u547d\u540d"], "Name": "instance-name"}]}"#;
        let ct = "application/json; charset=utf-8";
        let host = "cvm.tencentcloudapi.com";
        let ts = 1_551_113_065;
        assert_eq!(
            hex(&sha256(body.as_bytes())),
            "35e9c5b0e3ae67532d3c9f17ead6c90222632e5b1ff7f6e89887f1398934f064"
        );
        let creq = canonical_request(ct, host, body.as_bytes());
        assert_eq!(
            hex(&sha256(creq.as_bytes())),
            "5ffe6a04c0664d6b969fab9a13bdab201d63ee709638e2749d62a09ca18d7031"
        );
        assert_eq!(scope_date(ts), "2019-02-25");
        let key = signing_key("Gu5t9xGARNpq86cd98joQYCN3EXAMPLE", "2019-02-25", "cvm");
        assert_eq!(hex(&key), "ac658d5dde49e9bfdd14e04e062f66b05d9f637d44b8a8d845327d4a77f666b1");
        let s = sign(
            "AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE",
            "Gu5t9xGARNpq86cd98joQYCN3EXAMPLE",
            "cvm",
            host,
            ct,
            body.as_bytes(),
            ts,
        );
        assert_eq!(
            s.authorization,
            "TC3-HMAC-SHA256 Credential=AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE/2019-02-25/cvm/tc3_request, \
             SignedHeaders=content-type;host, \
             Signature=72e494ea809ad7a8c8f7a4507b9bddcbaa8e581f516e8da2f66e2c5a96525168"
        );
        assert_eq!(s.timestamp, "1551113065");
    }
}
