//! Tencent Cloud DNSPod (API 3.0, 2021-03-23), using only the actions of the documented
//! minimal CAM policy: DescribeRecordList, CreateRecord and ModifyRecord (the remark
//! travels in the last two). An internationalised zone goes out in Unicode, the name DNSPod
//! lists it by; record names go out in their ASCII form.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::body::Body;
use super::listed::created_id;
use super::tc3::Tc3Api;
use super::{
    Call, Change, Listing, Meaning, Modified, Pending, Provider, Record, Registered, Shape, SignedClient,
    Spec, Zone, fingerprint,
};
use crate::error::{Error, Op};
use crate::idn::same_name;
use crate::upstream::{Client, Endpoint};

const NAME: &str = Tencent::SPEC.name;
const DEFAULT_LINE: &str = "默认";
/// Sent on create when the request names no TTL: DNSPod's documented default, so the reply
/// reports what DNSPod holds rather than what we assume it chose.
const DEFAULT_TTL: u32 = 600;
/// Records per DescribeRecordList page (the API allows 3000): the name is matched exactly,
/// so one page is all a real name has, and the longest 50 records fit
/// `upstream::MAX_RESPONSE` with room to spare.
const LIMIT: u64 = 50;
const MAX_RECORDS: u64 = 2000;
/// DNSPod lists a new record only some seconds (up to ~30 s) after creating it; remember
/// our own creations longer than that, so a second call updates instead of creating again.
const REMEMBER_CREATED: Duration = Duration::from_secs(90);

const API: Tc3Api =
    Tc3Api { spec: &Tencent::SPEC, service: "dnspod", version: "2021-03-23", fallback: Meaning::Outage };

/// (fingerprint of secret id, zone, name, type, line), the record we created, and when: the
/// creations of the last few seconds, so a list (smaller in the binary than a map).
type Recent = Vec<([u8; 32], Record, Instant)>;

pub struct Tencent {
    api: SignedClient,
    recent: Mutex<Recent>,
}

fn recent_key(call: &Call<'_>) -> [u8; 32] {
    let (id, want) = (call.cred.id.as_deref().unwrap_or(""), call.want);
    let line = want.line.as_deref().unwrap_or(DEFAULT_LINE);
    fingerprint(&[Tencent::SPEC.id, id, &want.zone, &want.name, want.rtype.as_str(), line])
}

impl Tencent {
    fn recent(&self) -> std::sync::MutexGuard<'_, Recent> {
        self.recent.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl Registered for Tencent {
    const SPEC: Spec = Spec {
        id: "tencent",
        name: "Tencent",
        endpoint_key: "providers.tencent.endpoint",
        default_endpoint: "https://dnspod.tencentcloudapi.com",
        credential: Shape::IdAndSecret,
        signs_with_clock: true,
        // InvalidParameter.RemarkTooLong: "不能超过200个字".
        max_comment: 200,
        default_line: Some(DEFAULT_LINE),
        // From the SDK's errors.go (dnspod 2021-03-23). Exact codes first: several account,
        // domain and rate-limit problems hide under InvalidParameter and OperationDenied.
        errors: &[
            ("InvalidParameterValue.DomainNotExists", Meaning::NoZone),
            ("FailedOperation.NotDomainOwner", Meaning::NoZone),
            ("FailedOperation.DomainOwnedByOtherUser", Meaning::NoZone),
            ("ResourceNotFound.NoDataOfDomain", Meaning::NoZone),
            ("InvalidParameter.DomainNotReged", Meaning::NoZone),
            // "域名不正确，请输入主域名": a subdomain (or an alias) given as the zone.
            ("InvalidParameter.DomainInvalid", Meaning::NotRegistered),
            ("InvalidParameter.DomainIsAliaser", Meaning::NotRegistered),
            ("FailedOperation.DomainIsLocked", Meaning::Locked),
            ("FailedOperation.DomainIsSpam", Meaning::Locked),
            ("InvalidParameter.DomainNotAllowedModifyRecords", Meaning::Locked),
            ("InvalidParameter.DomainInEffectOrInvalidated", Meaning::Locked),
            ("InvalidParameter.SubdomainInvalid", Meaning::Input),
            ("InvalidParameter.DomainTooLong", Meaning::Input),
            // "不允许添加黑名单中的IP": the value, not the credential.
            ("OperationDenied.IPInBlacklistNotAllowed", Meaning::Values),
            ("AuthFailure.SignatureExpire", Meaning::Clock),
            // "当前操作过于频繁，请 1 分钟后重试" / "您操作过于频繁，请稍后重试".
            ("InvalidParameter.OperationIsTooFrequent", Meaning::RateLimit(Some(60))),
            ("InvalidParameter.Common", Meaning::RateLimit(Some(60))),
            // The API's own limit is per second.
            ("RequestLimitExceeded*", Meaning::RateLimit(Some(1))),
            ("AuthFailure*", Meaning::Credential),
            ("UnauthorizedOperation*", Meaning::Credential),
            ("OperationDenied*", Meaning::Credential),
            ("InvalidParameter.PermissionDenied", Meaning::Credential),
            ("InvalidParameter.InvalidSecretId", Meaning::Credential),
            ("InvalidParameter.InvalidSignature", Meaning::Credential),
            ("InvalidParameter.TimestampExpired", Meaning::Credential),
            ("InvalidParameter.AccountIsBanned", Meaning::Credential),
            ("InvalidParameter.RequestIpLimited", Meaning::Credential),
            ("InvalidParameter.UnrealNameUser", Meaning::Credential),
            ("InvalidParameter.UserAlreadyLocked", Meaning::Credential),
            ("InvalidParameter.LoginToken*", Meaning::Credential),
            ("LimitExceeded.FailedLoginLimitExceeded", Meaning::Credential),
            ("FailedOperation.AccountIsLocked", Meaning::Credential),
            ("FailedOperation.LoginAreaNotAllowed", Meaning::Credential),
            ("FailedOperation.LoginFailed", Meaning::Credential),
            ("FailedOperation.LoginTimeout", Meaning::Credential),
            ("FailedOperation.NotRealNamedUser", Meaning::Credential),
            ("FailedOperation.NotResourceOwner", Meaning::Credential),
            ("InvalidParameter*", Meaning::Values),
            ("LimitExceeded*", Meaning::Values),
            ("MissingParameter", Meaning::Values),
        ],
    };

    fn new(endpoint: Endpoint, client: Arc<Client>) -> Tencent {
        Tencent { api: SignedClient::new(endpoint, client), recent: Mutex::new(Vec::new()) }
    }
}

impl Provider for Tencent {
    fn list<'a>(&'a self, call: &'a mut Call<'_>) -> Pending<'a, Listing> {
        Box::pin(async move {
            let want = call.want;
            let rtype = want.rtype.as_str();
            let zone = want.zone_unicode();
            let mut out = Vec::new();
            let mut offset = 0;
            loop {
                let body = Body::new()
                    .str("Domain", &zone)
                    .str("Subdomain", &want.name)
                    .str("RecordType", rtype)
                    .num("Limit", LIMIT)
                    .num("Offset", offset)
                    .end();
                let v = match API.call(&self.api, call, Op::Query, "DescribeRecordList", body).await {
                    Ok(v) => v,
                    // DNSPod answers an empty list with this error.
                    Err(Error::Provider { err, .. }) if err.code == "ResourceNotFound.NoDataOfRecord" => {
                        break;
                    }
                    Err(e) => return Err(e),
                };
                let total = v.total();
                let records = v.records.0;
                offset += records.len() as u64;
                let last = records.is_empty() || offset >= total || offset >= MAX_RECORDS;
                for r in records {
                    if same_name(&r.name, &want.name) && r.rtype == rtype {
                        out.push(r.into_record(DEFAULT_TTL));
                    }
                }
                if last {
                    break;
                }
            }
            // A record we created moments ago may not be listed yet.
            let key = recent_key(call);
            let mut recent = self.recent();
            recent.retain(|(.., at)| at.elapsed() < REMEMBER_CREATED);
            if let Some(i) = recent.iter().position(|(k, ..)| *k == key) {
                if out.iter().any(|r| r.id == recent[i].1.id) {
                    recent.remove(i);
                } else {
                    out.push(recent[i].1.clone());
                }
            }
            Ok(Listing { zone: Zone::default(), records: out })
        })
    }

    fn create<'a>(&'a self, call: &'a mut Call<'_>, _: &'a Zone) -> Pending<'a, Record> {
        Box::pin(async move {
            let want = call.want;
            let line = want.line.as_deref().unwrap_or(DEFAULT_LINE);
            let ttl = want.ttl.unwrap_or(DEFAULT_TTL);
            let body = Body::new()
                .str("Domain", &want.zone_unicode())
                .str("SubDomain", &want.name)
                .str("RecordType", want.rtype.as_str())
                .str("RecordLine", line)
                .str("Value", &want.value)
                .num("TTL", ttl.into())
                .opt("Remark", want.comment.as_deref())
                .end();
            let created = API.call(&self.api, call, Op::Create, "CreateRecord", body).await?;
            let rec = Record {
                id: created_id(created.id, &Self::SPEC)?,
                value: want.value.clone(),
                ttl,
                comment: want.comment.clone(),
                line: Some(line.into()),
                ..Record::default()
            };
            let key = recent_key(call);
            {
                let mut recent = self.recent();
                recent.retain(|(k, ..)| *k != key);
                recent.push((key, rec.clone(), Instant::now()));
            }
            Ok(rec)
        })
    }

    fn modify<'a>(
        &'a self,
        call: &'a mut Call<'_>,
        _: &'a Zone,
        current: &'a Record,
        change: &'a Change,
    ) -> Pending<'a, Modified> {
        Box::pin(async move {
            let want = call.want;
            let id: u64 = current.id.parse().map_err(|_| Error::BadAnswer {
                op: Op::Update,
                provider: NAME,
                status: 200,
            })?;
            let value = change.value.clone().unwrap_or_else(|| current.value.clone());
            // ModifyRecord resets what it is not given — TTL, line, and Status to ENABLE, which
            // would switch on a record its owner paused: send what the record has.
            let ttl = change.ttl.unwrap_or(current.ttl);
            let mut body = Body::new()
                .str("Domain", &want.zone_unicode())
                .str("SubDomain", &want.name)
                .str("RecordType", want.rtype.as_str())
                .str("RecordLine", current.line.as_deref().unwrap_or(DEFAULT_LINE))
                .str("Value", &value)
                .num("RecordId", id)
                .num("TTL", ttl.into())
                .str("Status", if current.disabled { "DISABLE" } else { "ENABLE" });
            if let Some(w) = current.weight {
                body = body.num("Weight", w.into());
            }
            let body = body.opt("Remark", change.comment.as_deref()).end();
            let key = recent_key(call);
            if let Err(e) = API.call(&self.api, call, Op::Update, "ModifyRecord", body).await {
                // If it was our remembered record that is gone, stop pretending it exists.
                self.recent().retain(|(k, ..)| *k != key);
                return Err(e);
            }
            let rec = Record {
                value,
                ttl,
                comment: change.comment.clone().or_else(|| current.comment.clone()),
                ..current.clone()
            };
            if let Some((_, remembered, _)) = self.recent().iter_mut().find(|(k, ..)| *k == key) {
                *remembered = rec.clone();
            }
            Ok(Modified::Changed(rec))
        })
    }
}
