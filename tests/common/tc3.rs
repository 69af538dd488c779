//! What every fake Tencent Cloud API 3.0 service checks before it reads a call, as the real
//! gateway does: `POST /`, the TC3-HMAC-SHA256 `Authorization` (a known SecretId, the
//! signature over content-type and host with the service's own scope), the timestamp within
//! 5 minutes of the fake's clock, and the API version.

use ddns_gateway::providers::tencent_sign::sign;

use super::fake::FakeReq;

/// The action the call names, or the error (code, message) to answer with; `expired` counts
/// the calls refused for their timestamp.
pub fn authenticate(
    req: &FakeReq,
    (secret_id, secret_key): (&str, &str),
    (service, version): (&str, &str),
    fake_now: i64,
    expired: &mut usize,
) -> Result<String, (&'static str, String)> {
    let h = |n: &str| req.header(n).unwrap_or("").to_string();
    if req.method != "POST" || req.path != "/" {
        return Err(("InvalidParameter", "Only POST / is supported.".into()));
    }
    let auth = h("authorization");
    let Some(rest) = auth.strip_prefix("TC3-HMAC-SHA256 Credential=") else {
        return Err(("AuthFailure.InvalidAuthorization", "Authorization header is malformed.".into()));
    };
    let id = rest.split('/').next().unwrap_or("");
    if id != secret_id {
        return Err((
            "AuthFailure.SecretIdNotFound",
            "The SecretId is not found, please ensure that your SecretId is correct.".into(),
        ));
    }
    let ts: i64 = h("x-tc-timestamp").parse().unwrap_or(0);
    if (ts - fake_now).abs() > 300 {
        *expired += 1;
        return Err((
            "AuthFailure.SignatureExpire",
            format!("Signature expired. Timestamp is {ts}, server time is {fake_now}."),
        ));
    }
    if h("x-tc-version") != version {
        return Err(("NoSuchVersion", "The API version does not exist.".into()));
    }
    // The scope names the service, whatever the host (`teo` on the international host too).
    let expected = sign(id, secret_key, service, &h("host"), &h("content-type"), &req.body, ts);
    if auth != expected.authorization {
        return Err((
            "AuthFailure.SignatureFailure",
            "The provided credentials could not be validated. Please check your signature is correct.".into(),
        ));
    }
    Ok(h("x-tc-action"))
}
