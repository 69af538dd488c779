//! Deciding what a request does to a provider's record: create it, modify what differs,
//! or nothing.

use serde::Serialize;

use super::{Call, Change, Listing, Meta, Modified, Provider, Record};
use crate::error::Error;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Action {
    Created,
    Updated,
    Unchanged,
}

impl Action {
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Created => "created",
            Action::Updated => "updated",
            Action::Unchanged => "unchanged",
        }
    }

    pub fn message(self) -> &'static str {
        match self {
            Action::Created => "DNS record created successfully",
            Action::Updated => "DNS record updated successfully",
            Action::Unchanged => "DNS record is already up to date",
        }
    }
}

/// What a request did.
#[derive(Debug)]
pub struct Outcome {
    pub action: Action,
    pub record: Record,
    pub previous_value: Option<String>,
    pub meta: Meta,
    pub warnings: Vec<String>,
}

/// The fields of `current` that differ from what the call wants. An omitted ttl or
/// comment asks for nothing.
pub fn diff(call: &Call<'_>, current: &Record) -> Change {
    let want = call.want;
    Change {
        value: (!want.rtype.same_value(&current.value, &want.value)).then(|| want.value.clone()),
        ttl: want.ttl.filter(|t| *t != current.ttl),
        comment: want.comment.clone().filter(|c| c.as_str() != current.comment.as_deref().unwrap_or("")),
    }
}

pub async fn run<P: Provider>(provider: &P, mut call: Call<'_>) -> Result<Outcome, Error> {
    let Listing { zone, records } = provider.list(&mut call).await?;
    call.meta.zone_id = P::zone_id(&zone).map(String::from);
    let (action, record, previous_value) = match records.as_slice() {
        [] => (Action::Created, provider.create(&mut call, &zone).await?, None),
        [current] => {
            let change = diff(&call, current);
            if change.is_empty() {
                (Action::Unchanged, current.clone(), None)
            } else {
                match provider.modify(&mut call, &zone, current, &change).await? {
                    Modified::Changed(after) => {
                        let previous = change.value.is_some().then(|| current.value.clone());
                        (Action::Updated, after, previous)
                    }
                    Modified::AlreadyAsWanted(after) => (Action::Unchanged, after, None),
                }
            }
        }
        many => {
            return Err(Error::MultipleRecords {
                fqdn: call.want.fqdn(),
                rtype: call.want.rtype.as_str().into(),
                count: many.len(),
            });
        }
    };
    let mut meta = call.meta;
    meta.record_id = Some(record.id.clone());
    Ok(Outcome { action, record, previous_value, meta, warnings: call.warnings })
}
