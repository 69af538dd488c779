//! Aliyun RPC signature, "SignatureVersion 1.0": HMAC-SHA1 over the sorted, percent-encoded
//! parameters, keyed with `secret + "&"`.

use base64::Engine;

pub use crate::urlenc::canonical_query;
use crate::urlenc::encode;

/// `METHOD&%2F&<encoded canonical query>`.
pub fn string_to_sign(method: &str, canonical: &str) -> String {
    format!("{method}&{}&{}", encode("/"), encode(canonical))
}

/// base64(HMAC-SHA1(secret + "&", string_to_sign)).
pub fn signature(secret: &str, string_to_sign: &str) -> String {
    // SHA-1 is what the API demands; ring names it for legacy use only.
    let key =
        ring::hmac::Key::new(ring::hmac::HMAC_SHA1_FOR_LEGACY_USE_ONLY, format!("{secret}&").as_bytes());
    base64::engine::general_purpose::STANDARD.encode(ring::hmac::sign(&key, string_to_sign.as_bytes()))
}

/// The full query string of a request signed for `method` (`GET`, `POST`): canonical
/// parameters plus `Signature`.
pub fn signed_query(method: &str, secret: &str, params: &[(&str, &str)]) -> String {
    let canonical = canonical_query(params);
    let sig = signature(secret, &string_to_sign(method, &canonical));
    format!("{canonical}&Signature={}", encode(&sig))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Alibaba Cloud's published example (ECS DescribeRegions).
    #[test]
    fn official_describe_regions_vector() {
        let params = [
            ("AccessKeyId", "testid"),
            ("Action", "DescribeRegions"),
            ("Format", "XML"),
            ("SignatureMethod", "HMAC-SHA1"),
            ("SignatureNonce", "3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf"),
            ("SignatureVersion", "1.0"),
            ("Timestamp", "2016-02-23T12:46:24Z"),
            ("Version", "2014-05-26"),
        ];
        let sts = string_to_sign("GET", &canonical_query(&params));
        assert_eq!(
            sts,
            "GET&%2F&AccessKeyId%3Dtestid%26Action%3DDescribeRegions%26Format%3DXML%26\
             SignatureMethod%3DHMAC-SHA1%26SignatureNonce%3D3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf%26\
             SignatureVersion%3D1.0%26Timestamp%3D2016-02-23T12%253A46%253A24Z%26Version%3D2014-05-26"
        );
        assert_eq!(signature("testsecret", &sts), "OLeaidS1JvxuMvnyHOwuJ+uX5qY=");
        // The same call as a POST (ESA's writes) signs `POST&%2F&…`; the signature is
        // HMAC-SHA1 of that string, computed with `openssl dgst -sha1 -hmac 'testsecret&'`.
        let post = signed_query("POST", "testsecret", &params);
        assert!(post.ends_with("&Signature=MxbnVAM4w6sft9xjVpe%2FGCKueuk%3D"), "{post}");
    }

    /// Alibaba Cloud's published SMS example: UTF-8 and JSON in values, unsorted input.
    #[test]
    fn official_utf8_vector() {
        let params = [
            ("TemplateParam", r#"{"customer":"test"}"#),
            ("AccessKeyId", "testId"),
            ("Action", "SendSms"),
            ("Format", "XML"),
            ("OutId", "123"),
            ("PhoneNumbers", "15300000001"),
            ("RegionId", "cn-hangzhou"),
            ("SignName", "阿里云短信测试专用"),
            ("SignatureMethod", "HMAC-SHA1"),
            ("SignatureNonce", "45e25e9b-0a6f-4070-8c85-2956eda1b466"),
            ("SignatureVersion", "1.0"),
            ("TemplateCode", "SMS_71390007"),
            ("Timestamp", "2017-07-12T02:42:19Z"),
            ("Version", "2017-05-25"),
        ];
        let sts = string_to_sign("GET", &canonical_query(&params));
        assert_eq!(signature("testSecret", &sts), "zJDF+Lrzhj/ThnlvIToysFRq6t4=");
        let q = signed_query("GET", "testSecret", &params);
        assert!(q.ends_with("&Signature=zJDF%2BLrzhj%2FThnlvIToysFRq6t4%3D"), "{q}");
    }
}
