//! Tencent EdgeOne (teo, API 3.0 version 2022-09-01), using only the actions of the documented
//! minimal CAM policy: DescribeZones, DescribeDnsRecords, CreateDnsRecord and ModifyDnsRecords.
//! Only an NS-access site (`Type` `full`) holds DNS records, and one name can also be listed as
//! a CNAME-access site: the zone is the NS-access site of that exact name. Records have no
//! comment field. Names go out in Punycode, as the API asks.

use std::sync::Arc;

use serde::Deserialize;
use serde::de::IgnoredAny;
use serde_json::json;

use super::cloudflare::txt_text;
use super::tc3::Tc3Api;
use super::{Call, Change, Listing, Meaning, Modified, Provider, Record, Shape, SignedClient, Spec};
use crate::error::{Error, Op, provider_field};
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
const ZONES_LIMIT: u32 = 20;
/// Records per DescribeDnsRecords page (the API allows 1000, and defaults to 20): the name
/// is matched exactly, so one page is all a real name has, and the longest 50 records fit
/// `upstream::MAX_RESPONSE` with room to spare.
const LIMIT: u64 = 50;
const MAX_RECORDS: u64 = 2000;

const API: Tc3Api =
    Tc3Api { spec: &EdgeOne::SPEC, service: "teo", version: "2022-09-01", fallback: Meaning::Outage };

pub struct EdgeOne {
    api: SignedClient,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Sites {
    #[serde(default)]
    zones: Vec<Site>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Site {
    zone_id: String,
    zone_name: String,
    /// `full` (NS access), `partial` (CNAME access), `dnsPodAccess`, …
    #[serde(rename = "Type", default)]
    access: String,
    #[serde(default)]
    status: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Page {
    #[serde(default)]
    total_count: u64,
    #[serde(default)]
    dns_records: Vec<Listed>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Listed {
    record_id: String,
    name: String,
    #[serde(rename = "Type")]
    rtype: String,
    #[serde(default)]
    content: String,
    location: Option<String>,
    #[serde(rename = "TTL")]
    ttl: Option<u32>,
    /// -1 for none.
    weight: Option<i64>,
    status: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Created {
    record_id: String,
}

impl Listed {
    fn into_record(self, want: &Desired) -> Record {
        // Sent as plain text; read as plain text too, unless it is written as quoted strings
        // (by the console or another client) that stand for the text.
        let value = if want.rtype == RecordType::Txt && self.content != want.value {
            txt_text(&self.content)
        } else {
            self.content
        };
        Record {
            id: self.record_id,
            value,
            ttl: self.ttl.unwrap_or(DEFAULT_TTL),
            line: self.location,
            disabled: self.status.is_some_and(|s| s.eq_ignore_ascii_case("disable")),
            weight: self.weight.and_then(|w| u32::try_from(w).ok()),
            ..Record::default()
        }
    }
}

impl EdgeOne {
    /// The id of the NS-access site of the zone's exact name: the active one, else one not
    /// moved away. A CNAME-access twin is listed under the same name but holds no records.
    async fn site(&self, call: &mut Call<'_>) -> Result<String, Error> {
        let want = call.want;
        // Sites are keyed by Punycode as far as known (EdgeOne takes no internationalised
        // site today); the Unicode form rides along in the same filter at no cost.
        let mut names = vec![want.zone.clone()];
        let unicode = want.zone_unicode();
        if unicode != want.zone {
            names.push(unicode);
        }
        let body = json!({
            "Filters": [{"Name": "zone-name", "Values": names, "Fuzzy": false}],
            "Limit": ZONES_LIMIT,
        });
        let sites: Sites = API.call(&self.api, call, Op::Query, "DescribeZones", &body).await?;
        let named: Vec<Site> = sites.zones.into_iter().filter(|s| same_name(&s.zone_name, &want.zone)).collect();
        let ns = || named.iter().filter(|s| s.access == "full");
        let live = ns()
            .find(|s| s.status == "active")
            .or_else(|| ns().find(|s| s.status != "moved" && s.status != "deleted"));
        if let Some(site) = live {
            return Ok(site.zone_id.clone());
        }
        let hint = match named.iter().find(|s| s.access != "full").or(named.first()) {
            None => String::new(),
            Some(s) if s.access == "partial" => {
                " (an EdgeOne site with CNAME access: its DNS records are at your DNS host, not at EdgeOne)".into()
            }
            Some(s) if s.access == "dnsPodAccess" => {
                " (an EdgeOne site whose DNS is hosted at DNSPod: use provider=tencent)".into()
            }
            Some(s) => format!(
                " (the EdgeOne site is of type {}, status {}: the gateway uses only an NS-access site that has not moved away)",
                provider_field(call.cred, &s.access),
                provider_field(call.cred, &s.status)
            ),
        };
        Err(Error::ZoneNotFound { zone: want.shown().0.to_string(), hint })
    }
}

impl Provider for EdgeOne {
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
    /// The site's id.
    type Zone = String;

    fn new(endpoint: Endpoint, client: Arc<Client>) -> EdgeOne {
        EdgeOne { api: SignedClient::new(endpoint, client) }
    }

    fn zone_id(zone: &String) -> Option<&str> {
        Some(zone)
    }

    async fn list(&self, call: &mut Call<'_>) -> Result<Listing<String>, Error> {
        let want = call.want;
        if want.ttl.is_some_and(|t| !TTL_RANGE.contains(&t)) {
            return Err(Error::Invalid("ttl: must be from 60 to 86400 (the EdgeOne limit)".into()));
        }
        let zone = self.site(call).await?;
        let (fqdn, rtype) = (want.fqdn(), want.rtype.as_str());
        let mut out = Vec::new();
        let mut offset = 0;
        loop {
            // `name` is a fuzzy match unless told otherwise; exact hits are kept below anyway.
            let body = json!({
                "ZoneId": zone,
                "Filters": [
                    {"Name": "name", "Values": [fqdn], "Fuzzy": false},
                    {"Name": "type", "Values": [rtype], "Fuzzy": false},
                ],
                "Offset": offset,
                "Limit": LIMIT,
            });
            // An empty list is a list, not an error.
            let page: Page = API.call(&self.api, call, Op::Query, "DescribeDnsRecords", &body).await?;
            offset += page.dns_records.len() as u64;
            let last = page.dns_records.is_empty() || offset >= page.total_count || offset >= MAX_RECORDS;
            for r in page.dns_records {
                if same_name(&r.name, &fqdn) && r.rtype == rtype {
                    out.push(r.into_record(want));
                }
            }
            if last {
                break;
            }
        }
        Ok(Listing { zone, records: out })
    }

    async fn create(&self, call: &mut Call<'_>, zone: &String) -> Result<Record, Error> {
        let want = call.want;
        let line = want.line.as_deref().unwrap_or(DEFAULT_LINE);
        let ttl = want.ttl.unwrap_or(DEFAULT_TTL);
        // `Name` is the full name, the apex the zone's own; TXT goes as the text itself.
        let body = json!({
            "ZoneId": zone,
            "Name": want.fqdn(),
            "Type": want.rtype.as_str(),
            "Content": want.value,
            "TTL": ttl,
            "Location": line,
        });
        let created: Created = API.call(&self.api, call, Op::Create, "CreateDnsRecord", &body).await?;
        Ok(Record {
            id: created.record_id,
            value: want.value.clone(),
            ttl,
            line: Some(line.into()),
            ..Record::default()
        })
    }

    async fn modify(&self, call: &mut Call<'_>, zone: &String, current: &Record, change: &Change) -> Result<Modified, Error> {
        let want = call.want;
        let value = change.value.as_deref().unwrap_or(&current.value);
        let ttl = change.ttl.unwrap_or(current.ttl);
        // A field left out of a ModifyDnsRecords entry may be reset (`Location` to Default,
        // which would move a CN.BJ record): send everything the record has. Status is not
        // taken here, so a disabled record stays disabled.
        let mut rec = json!({
            "RecordId": current.id,
            "Name": want.fqdn(),
            "Type": want.rtype.as_str(),
            "Content": value,
            "TTL": ttl,
            "Location": current.line.as_deref().unwrap_or(DEFAULT_LINE),
        });
        if let Some(w) = current.weight {
            rec["Weight"] = json!(w);
        }
        let body = json!({"ZoneId": zone, "DnsRecords": [rec]});
        API.call::<IgnoredAny>(&self.api, call, Op::Update, "ModifyDnsRecords", &body).await?;
        Ok(Modified::Changed(Record { value: value.to_string(), ttl, ..current.clone() }))
    }
}
