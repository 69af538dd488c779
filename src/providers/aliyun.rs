//! Aliyun DNS (alidns, RPC API 2015-01-09), using only the actions of the documented minimal
//! RAM policy: DescribeDomainRecords, AddDomainRecord, UpdateDomainRecord and
//! UpdateDomainRecordRemark. Internationalised zones and names go out in Unicode, the form
//! Alidns keys them by (a Punycode `DomainName` is `InvalidDomainName.NoExist`).

use std::sync::Arc;

use http::Method;

use super::aliyun_rpc::RpcApi;
use super::listed::created_id;
use super::{
    Call, Change, Listing, Meaning, Modified, Pending, Provider, Record, Registered, Shape, SignedClient,
    Spec, Zone,
};
use crate::error::{Error, Op};
use crate::idn::same_name;
use crate::upstream::{Client, Endpoint};

/// Records per DescribeDomainRecords page (the API allows 500). RRKeyWord is a fuzzy match,
/// so a page holds other names too; 50 records with the longest values and remarks still fit
/// `upstream::MAX_RESPONSE` with room to spare.
const PAGE_SIZE: u64 = 50;
const MAX_PAGES: u64 = 40;
/// What Aliyun is documented to give a record created without a TTL; reported only when a
/// new record cannot be read back.
const DEFAULT_TTL: u32 = 600;

const API: RpcApi = RpcApi { spec: &Aliyun::SPEC, version: "2015-01-09", ram: "alidns" };

pub struct Aliyun {
    api: SignedClient,
}

impl Aliyun {
    async fn set_remark(&self, call: &mut Call<'_>, id: &str, remark: &str) -> Result<(), Error> {
        let params = [("RecordId", id), ("Remark", remark)];
        API.call(&self.api, call, Op::Update, Method::GET, "UpdateDomainRecordRemark", &params)
            .await
            .map(drop)
    }

    /// Sets the remark after a write; a failure then is a warning, since the record was
    /// already written and the reply must not pretend the remark was set.
    async fn remark_after_write(&self, call: &mut Call<'_>, rec: &mut Record, remark: &str) {
        match self.set_remark(call, &rec.id, remark).await {
            Ok(()) => rec.comment = Some(remark.to_string()),
            Err(e) => call.warnings.push(format!("The record was written, but its comment was not set: {e}")),
        }
    }

    /// The record as Aliyun holds it now, read back by id after a write whose answer does
    /// not say (AddDomainRecord gives only the id).
    async fn reread(&self, call: &mut Call<'_>, id: &str) -> Result<Option<Record>, Error> {
        Ok(self.list(call).await?.records.into_iter().find(|r| r.id == id))
    }
}

impl Registered for Aliyun {
    const SPEC: Spec = Spec {
        id: "aliyun",
        name: "Aliyun",
        endpoint_key: "providers.aliyun.endpoint",
        default_endpoint: "https://alidns.aliyuncs.com",
        credential: Shape::IdAndSecret,
        signs_with_clock: true,
        max_comment: crate::record::MAX_COMMENT,
        default_line: Some("default"),
        // From Alidns's error center. Any other code on a write is about the values we
        // passed on.
        errors: &[
            ("InvalidDomainName.NoExist", Meaning::NoZone),
            ("IncorrectDomainUser", Meaning::NoZone),
            ("DomainAddedByOthers", Meaning::NoZone),
            ("InvalidDomainName.Format", Meaning::Input),
            ("SubDomainInvalid*", Meaning::Input),
            ("DomainForbidden", Meaning::Locked),
            ("DomainRecordLocked", Meaning::Locked),
            ("Forbidden.DomainLocked", Meaning::Locked),
            ("Forbidden.RecordLocked", Meaning::Locked),
            ("Forbidden.DomainExpired", Meaning::Locked),
            ("RecordForbidden.BlackHole", Meaning::Locked),
            ("InvalidTimeStamp.Expired", Meaning::Clock),
            ("Throttling*", Meaning::RateLimit(None)),
            // Sic: Aliyun's spelling.
            ("Fobidden.TooOfen", Meaning::RateLimit(None)),
            ("InvalidAccessKeyId*", Meaning::Credential),
            ("SignatureDoesNotMatch", Meaning::Credential),
            ("InvalidSecurityToken*", Meaning::Credential),
            ("Forbidden*", Meaning::Credential),
            ("SignatureNonceUsed", Meaning::Outage),
            ("InternalError*", Meaning::Outage),
            ("ServiceUnavailable*", Meaning::Outage),
            ("UnknownError*", Meaning::Outage),
            ("UnKnownError", Meaning::Outage),
        ],
    };

    fn new(endpoint: Endpoint, client: Arc<Client>) -> Aliyun {
        Aliyun { api: SignedClient::new(endpoint, client) }
    }
}

impl Provider for Aliyun {
    fn list<'a>(&'a self, call: &'a mut Call<'_>) -> Pending<'a, Listing> {
        Box::pin(async move {
            let want = call.want;
            let rtype = want.rtype.as_str();
            let (zone, rr) = (want.zone_unicode(), want.name_unicode());
            let mut out = Vec::new();
            let mut seen = 0;
            for page in 1..=MAX_PAGES {
                let (page_s, size_s) = (page.to_string(), PAGE_SIZE.to_string());
                // RRKeyWord is a fuzzy match (`home` finds `home2`, `a.home`): keep exact hits only.
                let params = [
                    ("DomainName", zone.as_str()),
                    ("RRKeyWord", rr.as_str()),
                    ("TypeKeyWord", rtype),
                    ("PageNumber", page_s.as_str()),
                    ("PageSize", size_s.as_str()),
                ];
                let v = API
                    .call(&self.api, call, Op::Query, Method::GET, "DescribeDomainRecords", &params)
                    .await?;
                let total = v.total();
                let records = v.into_records();
                // Count what came back rather than trust our PageSize: the server may cap it.
                seen += records.len() as u64;
                let last = records.is_empty() || seen >= total;
                for r in records {
                    if same_name(&r.name, &want.name) && r.rtype == rtype {
                        out.push(r.into_record(DEFAULT_TTL));
                    }
                }
                if last {
                    break;
                }
            }
            Ok(Listing { zone: Zone::default(), records: out })
        })
    }

    fn create<'a>(&'a self, call: &'a mut Call<'_>, _: &'a Zone) -> Pending<'a, Record> {
        Box::pin(async move {
            let want = call.want;
            let ttl = want.ttl.map(|t| t.to_string());
            let (zone, rr) = (want.zone_unicode(), want.name_unicode());
            let mut params = vec![
                ("DomainName", zone.as_str()),
                ("RR", rr.as_str()),
                ("Type", want.rtype.as_str()),
                ("Value", want.value.as_str()),
            ];
            if let Some(t) = &ttl {
                params.push(("TTL", t));
            }
            if let Some(line) = &want.line {
                params.push(("Line", line));
            }
            let added =
                API.call(&self.api, call, Op::Create, Method::GET, "AddDomainRecord", &params).await?;
            let mut rec = Record {
                id: created_id(added.id, &Self::SPEC)?,
                value: want.value.clone(),
                ttl: want.ttl.unwrap_or(DEFAULT_TTL),
                line: Some(want.line.as_deref().unwrap_or("default").to_string()),
                ..Record::default()
            };
            if let Some(c) = &want.comment {
                self.remark_after_write(call, &mut rec, c).await;
            }
            // Report what Aliyun holds (its default TTL, a TTL it raised to the edition's
            // minimum), not what we assume; the write is done, so a failed read is not an error.
            if let Ok(Some(held)) = self.reread(call, &rec.id).await {
                rec = held;
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
            let mut rec = current.clone();
            let mut wrote = false;
            if change.value.is_some() || change.ttl.is_some() {
                let value = change.value.as_deref().unwrap_or(&current.value);
                // What is not sent is reset: TTL to the default, and Line to `default`, which
                // would move a `telecom` or `oversea` record. Send what the record has.
                let ttl = change.ttl.unwrap_or(current.ttl);
                let (ttl_s, rr) = (ttl.to_string(), want.name_unicode());
                let mut params = vec![
                    ("RecordId", current.id.as_str()),
                    ("RR", rr.as_str()),
                    ("Type", want.rtype.as_str()),
                    ("Value", value),
                    ("TTL", ttl_s.as_str()),
                ];
                if let Some(line) = &current.line {
                    params.push(("Line", line));
                }
                match API.call(&self.api, call, Op::Update, Method::GET, "UpdateDomainRecord", &params).await
                {
                    Ok(_) => {
                        wrote = true;
                        (rec.value, rec.ttl) = (value.to_string(), ttl);
                    }
                    // Refused as a duplicate: the write is identical to what Aliyun stores (our
                    // list was stale), or another record holds that value. The record itself,
                    // read back, tells which; only the first is "already as wanted".
                    Err(Error::Refused { op, err }) if err.code == "DomainRecordDuplicate" => {
                        let held = self.reread(call, &current.id).await?;
                        match held {
                            Some(h) if want.rtype.same_value(&h.value, value) && h.ttl == ttl => rec = h,
                            _ => return Err(Error::Refused { op, err }),
                        }
                    }
                    Err(e) => return Err(e),
                }
            }
            if let Some(c) = &change.comment {
                if wrote {
                    self.remark_after_write(call, &mut rec, c).await;
                } else {
                    self.set_remark(call, &current.id, c).await?;
                    rec.comment = Some(c.clone());
                    wrote = true;
                }
            }
            Ok(if wrote { Modified::Changed(rec) } else { Modified::AlreadyAsWanted(rec) })
        })
    }
}
