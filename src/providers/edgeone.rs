//! Tencent EdgeOne (teo, API 3.0 version 2022-09-01), using only the actions of the documented
//! minimal CAM policy: DescribeZones, DescribeDnsRecords, CreateDnsRecord and ModifyDnsRecords.
//! Only an NS-access site (`Type` `full`) holds DNS records, and one name can also be listed as
//! a CNAME-access site: the zone is the NS-access site of that exact name. Records have no
//! comment field. Names go out in Punycode, as the API asks.

use std::sync::Arc;

use super::body::{Body, json_string};
use super::listed::{Listed, Site, created_id};
use super::tc3::Tc3Api;
use super::txt::txt_text;
use super::{
    Call, Change, Listing, Meaning, Modified, Pending, Provider, Record, Registered, Shape, SignedClient,
    Spec, Zone,
};
use crate::error::{Error, Op};
use crate::idn::same_name;
use crate::record::{Desired, RecordType};
use crate::upstream::{Client, Endpoint};

const DEFAULT_LINE: &str = "Default";
/// CreateDnsRecord's documented default, sent explicitly so the reply reports what EdgeOne
/// holds.
const DEFAULT_TTL: u32 = 300;
/// "用户可指定值范围 60~86400": checked before any call.
const TTL_RANGE: std::ops::RangeInclusive<u32> = 60..=86400;
/// Sites per DescribeZones page (the default): the name is matched exactly, so one page
/// holds every site of that name, and 20 of EdgeOne's large site objects fit
/// `upstream::MAX_RESPONSE`.
const ZONES_LIMIT: u64 = 20;
/// Records asked for (the API allows 1000, and defaults to 20): name and type are matched
/// exactly, so one page holds far more than a real name has, and 50 of the longest records
/// fit `upstream::MAX_RESPONSE`, as for every provider.
const LIMIT: u64 = 50;

const API: Tc3Api =
    Tc3Api { spec: &EdgeOne::SPEC, service: "teo", version: "2022-09-01", fallback: Meaning::Outage };

pub struct EdgeOne {
    api: SignedClient,
}

/// A listed record; TXT sent as plain text, read as plain text too, unless it is written as
/// quoted strings (by the console or another client) that stand for the text.
fn record(r: Listed, want: &Desired) -> Record {
    let mut rec = r.into_record(DEFAULT_TTL);
    if want.rtype == RecordType::Txt && rec.value != want.value {
        rec.value = txt_text(&rec.value);
    }
    rec
}

/// A record as CreateDnsRecord and ModifyDnsRecords take it, with every field: an entry of
/// ModifyDnsRecords may reset what it leaves out (`Location` to Default, which would move a
/// CN.BJ record). `Name` is the full name, the apex's the zone's own; TXT is the text itself.
fn fields(want: &Desired, value: &str, ttl: u32, line: &str) -> Body {
    let body = Body::new().str("Name", &want.fqdn()).str("Type", want.rtype.as_str()).str("Content", value);
    body.num("TTL", ttl.into()).str("Location", line)
}

/// `[{"Name": …, "Values": [value], "Fuzzy": false}, …]`: exact-match filters.
fn filters(exact: &[(&str, &str)]) -> String {
    let each: Vec<String> = exact
        .iter()
        .map(|(name, value)| {
            let values = format!("[{}]", json_string(value));
            Body::new().str("Name", name).raw("Values", &values).bool("Fuzzy", false).end()
        })
        .collect();
    format!("[{}]", each.join(","))
}

impl EdgeOne {
    /// The id of the NS-access site of the zone's exact name: the active one, else one not
    /// moved away. A CNAME-access twin is listed under the same name but holds no records.
    async fn site(&self, call: &mut Call<'_>) -> Result<String, Error> {
        let want = call.want;
        // In Punycode, the DNS form: EdgeOne takes no internationalised site today ("暂不支持
        // punycode 接入"), so which form it would list one by is not known.
        let body = Body::new().raw("Filters", &filters(&[("zone-name", &want.zone)]));
        let body = body.num("Limit", ZONES_LIMIT).end();
        let sites = API.call(&self.api, call, Op::Query, "DescribeZones", body).await?;
        let named: Vec<Site> = sites.zones.into_iter().filter(|s| same_name(&s.name, &want.zone)).collect();
        let ns = || named.iter().filter(|s| s.access == "full");
        let live = ns()
            .find(|s| s.status == "active")
            .or_else(|| ns().find(|s| s.status != "moved" && s.status != "deleted"));
        if let Some(site) = live {
            return Ok(site.id.0.clone());
        }
        let hint = match named.iter().find(|s| s.access != "full").or(named.first()) {
            None => "",
            Some(s) if s.access == "partial" => {
                " (an EdgeOne site with CNAME access: its DNS records are at your DNS host, not at EdgeOne)"
            }
            Some(s) if s.access == "dnsPodAccess" => {
                " (an EdgeOne site whose DNS is hosted at DNSPod: use provider=tencent)"
            }
            Some(_) => {
                " (no EdgeOne site of that name with NS access that has not moved away: only such a site holds DNS records)"
            }
        };
        Err(Error::ZoneNotFound { zone: want.shown().0.to_string(), hint: hint.into() })
    }
}

impl Registered for EdgeOne {
    const SPEC: Spec = Spec {
        id: "edgeone",
        name: "EdgeOne",
        endpoint_key: "providers.edgeone.endpoint",
        default_endpoint: "https://teo.tencentcloudapi.com",
        credential: Shape::IdAndSecret,
        signs_with_clock: true,
        // No comment field: a comment is not stored, and the reply says so.
        max_comment: 0,
        default_line: Some(DEFAULT_LINE),
        // From the SDK's errors.go (teo 2022-09-01) and the API 3.0 common codes. Exact codes
        // first: zone state, locks and rate limits hide under OperationDenied and
        // InvalidParameter.
        errors: &[
            ("InvalidParameter.ZoneNotFound", Meaning::NoZone),
            ("InvalidParameterValue.ZoneNotFound", Meaning::NoZone),
            ("ResourceNotFound.ZoneNotFound", Meaning::NoZone),
            ("ResourceUnavailable.ZoneNotFound", Meaning::NoZone),
            ("ResourceNotFound", Meaning::NoZone),
            ("AuthFailure.SignatureExpire", Meaning::Clock),
            // The API's limits are per second (20 calls a second per action).
            ("RequestLimitExceeded*", Meaning::RateLimit(Some(1))),
            ("LimitExceeded.RateLimitExceeded", Meaning::RateLimit(Some(1))),
            // "请稍后重试": a concurrent operation holds the site.
            ("OperationDenied.ResourceLockedTemporary", Meaning::RateLimit(Some(1))),
            ("OperationDenied.ResourceHasBeenLocked", Meaning::RateLimit(Some(1))),
            ("InvalidParameter.ZoneIsGrayPublishing", Meaning::Outage),
            // Blocked, paused or config-locked sites: released in the console.
            ("OperationDenied.DomainIsBlocked", Meaning::Locked),
            ("OperationDenied.ComplianceForbidden", Meaning::Locked),
            ("InvalidParameterValue.AccessBlacklist", Meaning::Locked),
            ("OperationDenied.ErrZoneIsAlreadyPaused", Meaning::Locked),
            ("InvalidParameterValue.ZonePaused", Meaning::Locked),
            ("OperationDenied.ConfigLocked", Meaning::Locked),
            ("InternalError.ConfigLocked", Meaning::Locked),
            ("OperationDenied.VersionControlLocked", Meaning::Locked),
            // "DNS 记录不允许添加": the record, not the credential.
            ("OperationDenied.RecordIsForbidden", Meaning::Values),
            ("AuthFailure*", Meaning::Credential),
            ("UnauthorizedOperation*", Meaning::Credential),
            ("OperationDenied*", Meaning::Credential),
            ("IpInBlacklist", Meaning::Credential),
            ("IpNotInWhitelist", Meaning::Credential),
            ("FailedOperation.InvalidZoneStatus", Meaning::Credential),
            ("InvalidParameter*", Meaning::Values),
            ("LimitExceeded*", Meaning::Values),
            ("UnsupportedOperation*", Meaning::Values),
        ],
    };

    fn new(endpoint: Endpoint, client: Arc<Client>) -> EdgeOne {
        EdgeOne { api: SignedClient::new(endpoint, client) }
    }
}

impl Provider for EdgeOne {
    fn list<'a>(&'a self, call: &'a mut Call<'_>) -> Pending<'a, Listing> {
        Box::pin(async move {
            let want = call.want;
            if want.ttl.is_some_and(|t| !TTL_RANGE.contains(&t)) {
                return Err(Error::Invalid("ttl: must be from 60 to 86400 (the EdgeOne limit)".into()));
            }
            let zone = self.site(call).await?;
            let (fqdn, rtype) = (want.fqdn(), want.rtype.as_str());
            // `name` is a fuzzy match unless told otherwise; exact hits are kept below anyway.
            let body = Body::new()
                .str("ZoneId", &zone)
                .raw("Filters", &filters(&[("name", &fqdn), ("type", rtype)]))
                .num("Limit", LIMIT)
                .end();
            // An empty list is a list, not an error.
            let page = API.call(&self.api, call, Op::Query, "DescribeDnsRecords", body).await?;
            let out = page
                .records
                .0
                .into_iter()
                .filter(|r| same_name(&r.name, &fqdn) && r.rtype == rtype)
                .map(|r| record(r, want))
                .collect();
            Ok(Listing { zone: Zone::id(zone), records: out })
        })
    }

    fn create<'a>(&'a self, call: &'a mut Call<'_>, zone: &'a Zone) -> Pending<'a, Record> {
        Box::pin(async move {
            let want = call.want;
            let line = want.line.as_deref().unwrap_or(DEFAULT_LINE);
            let ttl = want.ttl.unwrap_or(DEFAULT_TTL);
            let body = fields(want, &want.value, ttl, line).str("ZoneId", &zone.id).end();
            let created = API.call(&self.api, call, Op::Create, "CreateDnsRecord", body).await?;
            let id = created_id(created.id, &Self::SPEC)?;
            Ok(Record { id, value: want.value.clone(), ttl, line: Some(line.into()), ..Record::default() })
        })
    }

    fn modify<'a>(
        &'a self,
        call: &'a mut Call<'_>,
        zone: &'a Zone,
        current: &'a Record,
        change: &'a Change,
    ) -> Pending<'a, Modified> {
        Box::pin(async move {
            let want = call.want;
            let value = change.value.as_deref().unwrap_or(&current.value);
            let ttl = change.ttl.unwrap_or(current.ttl);
            // Status is not taken here, so a disabled record stays disabled.
            let mut rec = fields(want, value, ttl, current.line.as_deref().unwrap_or(DEFAULT_LINE));
            rec = rec.str("RecordId", &current.id);
            if let Some(w) = current.weight {
                rec = rec.num("Weight", w.into());
            }
            let records = format!("[{}]", rec.end());
            let body = Body::new().str("ZoneId", &zone.id).raw("DnsRecords", &records).end();
            // The answer is only a RequestId; `Answer` parses it without another parser.
            API.call(&self.api, call, Op::Update, "ModifyDnsRecords", body).await?;
            Ok(Modified::Changed(Record { value: value.to_string(), ttl, ..current.clone() }))
        })
    }
}
