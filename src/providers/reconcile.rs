//! Deciding what a request does to a provider's record: create it, modify what differs,
//! or nothing.

use serde::Serialize;

use super::{Call, Change, Listing, Meta, Modified, Provider, Record, Spec};
use crate::error::Error;
use crate::record::Desired;

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
/// comment asks for nothing; a proxied record's TTL is the provider's, never asked for.
pub fn diff(call: &Call<'_>, current: &Record) -> Change {
    let want = call.want;
    Change {
        value: (!want.rtype.same_value(&current.value, &want.value)).then(|| want.value.clone()),
        ttl: want.ttl.filter(|t| *t != current.ttl && !current.proxied),
        comment: want.comment.clone().filter(|c| c.as_str() != current.comment.as_deref().unwrap_or("")),
    }
}

/// The record a request is about among those of its name and type: with `line`, the one on
/// that line; without, a sole record whatever its line, else the one on the default line.
/// `None`: there is none, so one is created. Two candidates: 409, nothing is changed.
pub fn select<'r>(spec: &Spec, want: &Desired, records: &'r [Record]) -> Result<Option<&'r Record>, Error> {
    let default = spec.default_line.unwrap_or("");
    let on = |line: &str| -> Vec<&'r Record> {
        records.iter().filter(|r| r.line.as_deref().unwrap_or(default) == line).collect()
    };
    let candidates = match (&want.line, records) {
        (Some(line), _) => on(line),
        (None, [] | [_]) => records.iter().collect(),
        // Several on other lines and none on the default one: which is meant is unclear.
        (None, _) => Some(on(default)).filter(|c| !c.is_empty()).unwrap_or_else(|| records.iter().collect()),
    };
    match candidates.as_slice() {
        [] => Ok(None),
        [one] => Ok(Some(*one)),
        many => Err(Error::MultipleRecords {
            fqdn: want.shown().2,
            rtype: want.rtype.as_str().into(),
            count: many.len(),
        }),
    }
}

/// What the reply should say about a record the request leaves partly as it is.
fn notes(spec: &Spec, want: &Desired, current: &Record, warnings: &mut Vec<String>) {
    if let Some(ttl) = want.ttl.filter(|t| current.proxied && *t != current.ttl) {
        warnings.push(format!(
            "The record is proxied: {} keeps its TTL automatic, so ttl {ttl} was not applied",
            spec.name
        ));
    }
    if current.disabled {
        warnings.push(format!(
            "The record is paused at {}: it does not resolve until it is enabled there",
            spec.name
        ));
    }
}

/// The one decision every provider's request goes through (not generic: one copy).
pub async fn run(spec: &Spec, provider: &dyn Provider, mut call: Call<'_>) -> Result<Outcome, Error> {
    let Listing { zone, records } = provider.list(&mut call).await?;
    call.meta.zone_id = Some(zone.id.clone()).filter(|id| !id.is_empty());
    let no_comments = spec.max_comment == 0;
    if no_comments && call.want.comment.as_deref().is_some_and(|c| !c.is_empty()) {
        call.warnings
            .push(format!("{} records have no comment field: the comment was not stored", spec.name));
    }
    let (action, record, previous_value) = match select(spec, call.want, &records)? {
        None => (Action::Created, provider.create(&mut call, &zone).await?, None),
        Some(current) => {
            notes(spec, call.want, current, &mut call.warnings);
            let mut change = diff(&call, current);
            if no_comments {
                change.comment = None;
            }
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
    };
    let mut meta = call.meta;
    meta.record_id = Some(record.id.clone());
    Ok(Outcome { action, record, previous_value, meta, warnings: call.warnings })
}
