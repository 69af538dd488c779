//! Alibaba Cloud ESA (Edge Security Acceleration, RPC API 2024-09-10): the DNS records of an
//! ESA site, using only the actions of the minimal RAM policy — ListSites and ListRecords
//! (GET), CreateRecord and UpdateRecord (POST, the parameters still in the signed query).
//!
//! ESA keeps all A and AAAA addresses of a name in one record of type `A/AAAA`, as a comma
//! list: a request for one family reads that record and writes it back with the other
//! family's addresses as they were, so adding the first AAAA to a name with an A is an
//! UpdateRecord. Two requests for the two families of one name take turns, or the second
//! write would undo the first. Names go out in Punycode: which form ESA keys an
//! internationalised site by is not documented.

use std::net::IpAddr;
use std::sync::Arc;

use http::Method;
use tokio::sync::OwnedMutexGuard;

use super::aliyun_rpc::RpcApi;
use super::body::Body;
use super::listed::created_id;
use super::{
    Call, Change, Listing, Meaning, Modified, Pending, Provider, Record, Registered, Shape, SignedClient,
    Spec, Zone, fingerprint,
};
use crate::error::{Error, Op};
use crate::idn::same_name;
use crate::locks::Locks;
use crate::record::RecordType;
use crate::upstream::{Client, Endpoint};

const NAME: &str = Esa::SPEC.name;
const API: RpcApi = RpcApi { spec: &Esa::SPEC, version: "2024-09-10", ram: "esa" };
/// The one type ESA has for A and AAAA records.
const ADDRESSES: &str = "A/AAAA";
/// ESA's "automatic" TTL, sent on create when the request names none.
const AUTO_TTL: u32 = 1;
/// The other TTLs ESA takes.
const TTL_RANGE: std::ops::RangeInclusive<u32> = 30..=86_400;
/// Records per ListRecords page (the API allows 500): name and type are matched exactly, so
/// one page is all a name has, and 50 of the longest fit `upstream::MAX_RESPONSE`.
const PAGE_SIZE: u64 = 50;
const MAX_PAGES: u64 = 20;
/// Seconds to wait on a rate limit or a record still being configured: what Alibaba's own
/// Terraform provider waits before it retries these codes.
const BUSY_WAIT: Option<u32> = Some(5);

pub struct Esa {
    api: SignedClient,
    /// One turn per site and name for A and AAAA requests, which share a record.
    turns: Locks,
}

/// What `list` learned beside the site's id (kept in `Zone::more`): how the site is
/// connected, and for A and AAAA the name's shared record.
#[derive(Default)]
struct Site {
    /// CNAME access: ESA is not the site's DNS, and its records must be proxied.
    cname_access: bool,
    shared: Option<Shared>,
    /// Held until the request is done: the shared record is read, then written.
    _turn: Option<OwnedMutexGuard<()>>,
}

/// A name's `A/AAAA` record: every address it holds, both families.
struct Shared {
    id: String,
    addrs: Vec<String>,
    ttl: u32,
    comment: Option<String>,
}

/// The type ESA files a record type under.
fn esa_type(rtype: RecordType) -> &'static str {
    match rtype {
        RecordType::A | RecordType::Aaaa => ADDRESSES,
        other => other.as_str(),
    }
}

/// Whether `addr` is an address of the family `rtype` (A or AAAA) asks for.
fn of_family(rtype: RecordType, addr: &str) -> bool {
    addr.parse::<IpAddr>().is_ok_and(|ip| ip.is_ipv4() == (rtype == RecordType::A))
}

/// The shared record's addresses with `rtype`'s family replaced by `value`: IPv4 first,
/// the other family's addresses kept as they were listed.
fn with_family(addrs: &[String], rtype: RecordType, value: &str) -> String {
    let others = addrs.iter().filter(|a| !of_family(rtype, a)).map(String::as_str);
    let mut out: Vec<&str> = others.collect();
    if rtype == RecordType::A {
        out.insert(0, value)
    } else {
        out.push(value)
    }
    out.join(",")
}

/// Refuses a TTL ESA does not take, before anything is written.
fn check_ttl(ttl: Option<u32>) -> Result<(), Error> {
    match ttl {
        Some(t) if t != AUTO_TTL && !TTL_RANGE.contains(&t) => {
            Err(Error::Invalid(format!("ttl: {NAME} takes 1 (automatic) or 30 to 86400 seconds (got {t})")))
        }
        _ => Ok(()),
    }
}

/// What `list` kept in the zone (nothing for a zone it did not list).
fn kept(zone: &Zone) -> &Site {
    static NONE: Site = Site { cname_access: false, shared: None, _turn: None };
    zone.more.as_ref().and_then(|m| m.downcast_ref::<Site>()).unwrap_or(&NONE)
}

impl Esa {
    /// The site of the request's zone. One name can be listed twice: a `moved` entry is a
    /// superseded one and never used; of the others, NS access (ESA is the DNS) and then
    /// `active` come first.
    async fn site(&self, call: &mut Call<'_>) -> Result<(String, bool), Error> {
        let zone = call.want.zone.clone();
        let params = [("SiteName", zone.as_str()), ("SiteSearchType", "exact"), ("PageSize", "50")];
        let listed = API.call(&self.api, call, Op::Query, Method::GET, "ListSites", &params).await?;
        let is = |field: &str, value: &str| field.eq_ignore_ascii_case(value);
        listed
            .zones
            .into_iter()
            .filter(|s| same_name(&s.name, &zone) && !is(&s.status, "moved"))
            .min_by_key(|s| (!is(&s.access, "NS"), !is(&s.status, "active")))
            .map(|s| (s.id.0, is(&s.access, "CNAME")))
            .ok_or_else(|| Error::ZoneNotFound { zone: call.want.shown().0.to_string(), hint: String::new() })
    }

    /// The site's records of the wanted name and ESA type, every page.
    async fn records(&self, call: &mut Call<'_>, site: &str, rtype: &str) -> Result<Vec<Record>, Error> {
        let fqdn = call.want.fqdn();
        let mut out = Vec::new();
        let mut seen = 0;
        for page in 1..=MAX_PAGES {
            let (page_s, size_s) = (page.to_string(), PAGE_SIZE.to_string());
            let params = [
                ("SiteId", site),
                ("RecordName", fqdn.as_str()),
                ("RecordMatchType", "exact"),
                ("Type", rtype),
                ("PageNumber", page_s.as_str()),
                ("PageSize", size_s.as_str()),
            ];
            let v = API.call(&self.api, call, Op::Query, Method::GET, "ListRecords", &params).await?;
            // Count what came back rather than trust our PageSize: the server may cap it.
            let total = v.total();
            let records = v.into_records();
            seen += records.len() as u64;
            let last = records.is_empty() || seen >= total;
            for r in records.into_iter().filter(|r| same_name(&r.name, &fqdn) && r.rtype == rtype) {
                let mut rec = r.into_record(AUTO_TTL);
                rec.comment = rec.comment.filter(|c| !c.is_empty());
                out.push(rec);
            }
            if last {
                break;
            }
        }
        Ok(out)
    }

    /// UpdateRecord: the value, type and TTL always, the comment when given. `Proxied` and
    /// `BizName` are never sent, so a proxied record stays proxied for the same scenario.
    async fn update(
        &self,
        call: &mut Call<'_>,
        id: &str,
        value: &str,
        ttl: u32,
        comment: Option<&str>,
    ) -> Result<(), Error> {
        let (data, ttl) = (Body::new().str("Value", value).end(), ttl.to_string());
        let rtype = esa_type(call.want.rtype);
        let mut params =
            vec![("RecordId", id), ("Type", rtype), ("Data", data.as_str()), ("Ttl", ttl.as_str())];
        if let Some(c) = comment {
            params.push(("Comment", c));
        }
        API.call(&self.api, call, Op::Update, Method::POST, "UpdateRecord", &params).await.map(drop)
    }
}

impl Registered for Esa {
    const SPEC: Spec = Spec {
        id: "esa",
        name: "ESA",
        endpoint_key: "providers.esa.endpoint",
        default_endpoint: "https://esa.cn-hangzhou.aliyuncs.com",
        credential: Shape::IdAndSecret,
        signs_with_clock: true,
        // CreateRecord's documented limit.
        max_comment: 100,
        default_line: None,
        // From the POP gateway's codes (as Alidns) and ESA's record error codes. Any other
        // code on a write is about the values passed on: a conflicting or duplicate record,
        // a TTL, an IP or a text ESA refuses, the plan's record quota.
        errors: &[
            ("SiteNotFound", Meaning::NoZone),
            ("InvalidSite.NotFound", Meaning::NoZone),
            ("InvalidTimeStamp.Expired", Meaning::Clock),
            ("Throttling*", Meaning::RateLimit(BUSY_WAIT)),
            ("TooManyRequests", Meaning::RateLimit(BUSY_WAIT)),
            // "The record (site) is being configured, try again later".
            ("Record.ServiceBusy", Meaning::RateLimit(BUSY_WAIT)),
            ("Record.Reserved", Meaning::RateLimit(BUSY_WAIT)),
            ("Site.ServiceBusy", Meaning::RateLimit(BUSY_WAIT)),
            ("InvalidAccessKeyId*", Meaning::Credential),
            ("SignatureDoesNotMatch", Meaning::Credential),
            ("IncompleteSignature", Meaning::Credential),
            ("InvalidSecurityToken*", Meaning::Credential),
            ("NoPermission", Meaning::Credential),
            ("Forbidden*", Meaning::Credential),
            // The plan lapsed, the service was stopped or never activated.
            ("Instance.NotOnline", Meaning::Credential),
            ("UserDisable", Meaning::Credential),
            ("ServiceNotFound", Meaning::Credential),
            ("InvalidParameter.InvalidRecordName*", Meaning::Input),
            ("InvalidParameter.RecordNameExceedLimit", Meaning::Input),
            ("Record.UnmatchedRecordName*", Meaning::Input),
            ("Record.RecordNameInBlacklist", Meaning::Input),
            // Gone since we listed it: the next call lists again and creates it.
            ("Record.NotFound", Meaning::Outage),
            ("SignatureNonceUsed", Meaning::Outage),
            ("InternalError*", Meaning::Outage),
            ("InternalException", Meaning::Outage),
            ("ServiceUnavailable*", Meaning::Outage),
            ("ServiceInvokeFailed", Meaning::Outage),
            ("Record.NoResource", Meaning::Outage),
            // Ours to fix, never the user's: a parameter or method the API did not take.
            ("Missing*", Meaning::Outage),
            ("UnsupportedHTTPMethod", Meaning::Outage),
            ("IllegalBodyContentFormat", Meaning::Outage),
            ("InvalidVersion", Meaning::Outage),
            ("InvalidAction*", Meaning::Outage),
        ],
    };

    fn new(endpoint: Endpoint, client: Arc<Client>) -> Esa {
        Esa { api: SignedClient::new(endpoint, client), turns: Locks::default() }
    }
}

impl Provider for Esa {
    fn list<'a>(&'a self, call: &'a mut Call<'_>) -> Pending<'a, Listing> {
        Box::pin(async move {
            let want = call.want;
            let (id, cname_access) = self.site(call).await?;
            let family = matches!(want.rtype, RecordType::A | RecordType::Aaaa);
            // Never refused (no bound here): the requests of each family are bounded per record
            // before they get this far.
            let turn = if family {
                self.turns.lock(fingerprint(&[Self::SPEC.id, &id, &want.fqdn()]), usize::MAX).await
            } else {
                None
            };
            let listed = self.records(call, &id, esa_type(want.rtype)).await?;
            let mut site = Site { cname_access, shared: None, _turn: turn };
            let records = match listed.as_slice() {
                [] => Vec::new(),
                [one] if family => {
                    let addrs: Vec<String> = one
                        .value
                        .split(',')
                        .map(str::trim)
                        .filter(|a| !a.is_empty())
                        .map(String::from)
                        .collect();
                    let mine = addrs
                        .iter()
                        .filter(|a| of_family(want.rtype, a))
                        .map(|a| Record { value: a.clone(), ..one.clone() })
                        .collect();
                    let (ttl, comment) = (one.ttl, one.comment.clone());
                    site.shared = Some(Shared { id: one.id.clone(), addrs, ttl, comment });
                    mine
                }
                // Which of several A/AAAA records of one name holds the family is unclear.
                many if family => {
                    return Err(Error::MultipleRecords {
                        fqdn: want.shown().2,
                        rtype: ADDRESSES.into(),
                        count: many.len(),
                    });
                }
                _ => listed
                    .into_iter()
                    .map(|mut r| {
                        // Whether ESA lists TXT quoted is undocumented: a quoted copy of the
                        // wanted text is that text.
                        let unquoted = r.value.strip_prefix('"').and_then(|t| t.strip_suffix('"'));
                        if want.rtype == RecordType::Txt && unquoted == Some(want.value.as_str()) {
                            r.value = want.value.clone();
                        }
                        r
                    })
                    .collect(),
            };
            Ok(Listing { zone: Zone { id, more: Some(Box::new(site)) }, records })
        })
    }

    fn create<'a>(&'a self, call: &'a mut Call<'_>, zone: &'a Zone) -> Pending<'a, Record> {
        Box::pin(async move {
            let want = call.want;
            let site = kept(zone);
            if let Some(shared) = &site.shared {
                // The name's record holds only the other family: this one joins it.
                check_ttl(want.ttl)?;
                let ttl = want.ttl.unwrap_or(shared.ttl);
                let addrs = with_family(&shared.addrs, want.rtype, &want.value);
                self.update(call, &shared.id, &addrs, ttl, want.comment.as_deref()).await?;
                let comment = want.comment.clone().or_else(|| shared.comment.clone());
                return Ok(Record {
                    id: shared.id.clone(),
                    value: want.value.clone(),
                    ttl,
                    comment,
                    ..Record::default()
                });
            }
            if site.cname_access {
                let (zone, what) = (want.shown().0, want.rtype.as_str());
                return Err(Error::Invalid(if want.rtype == RecordType::Txt {
                    format!("type: {zone} is an {NAME} site in CNAME access, which has no {what} records")
                } else {
                    format!(
                        "type: {zone} is an {NAME} site in CNAME access, whose records must be proxied: \
                     create this {what} record in the {NAME} console, then the gateway keeps it up to date"
                    )
                }));
            }
            check_ttl(want.ttl)?;
            let ttl = want.ttl.unwrap_or(AUTO_TTL);
            let (fqdn, data, ttl_s) =
                (want.fqdn(), Body::new().str("Value", &want.value).end(), ttl.to_string());
            let mut params = vec![
                ("SiteId", zone.id.as_str()),
                ("RecordName", fqdn.as_str()),
                ("Type", esa_type(want.rtype)),
                ("Data", data.as_str()),
                ("Ttl", ttl_s.as_str()),
            ];
            if want.rtype != RecordType::Txt {
                // New records are DNS only (only address and CNAME records take the flag).
                params.push(("Proxied", "false"));
            }
            if let Some(c) = &want.comment {
                params.push(("Comment", c));
            }
            let created =
                API.call(&self.api, call, Op::Create, Method::POST, "CreateRecord", &params).await?;
            Ok(Record {
                id: created_id(created.id, &Self::SPEC)?,
                value: want.value.clone(),
                ttl,
                comment: want.comment.clone(),
                ..Record::default()
            })
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
            check_ttl(change.ttl)?;
            let ttl = change.ttl.unwrap_or(current.ttl);
            let value = change.value.as_deref().unwrap_or(&current.value);
            let data = match &kept(zone).shared {
                Some(shared) => with_family(&shared.addrs, call.want.rtype, value),
                None => value.to_string(),
            };
            self.update(call, &current.id, &data, ttl, change.comment.as_deref()).await?;
            Ok(Modified::Changed(Record {
                value: value.to_string(),
                ttl,
                comment: change.comment.clone().or_else(|| current.comment.clone()),
                ..current.clone()
            }))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn addrs(list: &str) -> Vec<String> {
        list.split(',').map(String::from).collect()
    }

    #[test]
    fn a_family_is_replaced_and_the_other_kept() {
        let both = addrs("1.2.3.4,1.2.3.9,2001:db8::1");
        assert_eq!(with_family(&both, RecordType::A, "5.6.7.8"), "5.6.7.8,2001:db8::1");
        assert_eq!(with_family(&both, RecordType::Aaaa, "2001:db8::2"), "1.2.3.4,1.2.3.9,2001:db8::2");
        assert_eq!(with_family(&addrs("1.2.3.4"), RecordType::Aaaa, "2001:db8::1"), "1.2.3.4,2001:db8::1");
        assert_eq!(with_family(&addrs("2001:db8::1"), RecordType::A, "1.2.3.4"), "1.2.3.4,2001:db8::1");
        assert!(of_family(RecordType::A, "1.2.3.4") && !of_family(RecordType::A, "::1"));
        assert!(!of_family(RecordType::Aaaa, "junk"));
    }

    #[test]
    fn ttls_esa_takes() {
        for ok in [None, Some(1), Some(30), Some(600), Some(86_400)] {
            assert!(check_ttl(ok).is_ok(), "{ok:?}");
        }
        for bad in [2, 29, 86_401] {
            let e = check_ttl(Some(bad)).unwrap_err();
            assert_eq!(e.status(), 422);
            assert!(
                e.message().starts_with("ttl: ESA takes 1 (automatic) or 30 to 86400"),
                "{}",
                e.message()
            );
        }
    }
}
