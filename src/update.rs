//! Deciding what an update does: create the record, change what differs, or nothing; and
//! making sure two requests for the same record never race each other into two records.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, Weak};

use serde::Serialize;
use tokio::sync::OwnedMutexGuard;

use crate::error::Error;
use crate::providers::{Call, Change, Meta, Provider, Record};

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

/// What an update did.
#[derive(Debug)]
pub struct Outcome {
    pub action: Action,
    pub record: Record,
    pub previous_value: Option<String>,
    pub meta: Meta,
    pub warnings: Vec<String>,
}

/// The fields of `current` that differ from what the request asks for. An omitted ttl or
/// comment asks for nothing.
pub fn diff(call: &Call<'_>, current: &Record) -> Change {
    let req = call.req;
    Change {
        value: (!req.rtype.same_value(&current.value, &req.value)).then(|| req.value.clone()),
        ttl: req.ttl.filter(|t| *t != current.ttl),
        comment: req.comment.clone().filter(|c| c.as_str() != current.comment.as_deref().unwrap_or("")),
    }
}

pub async fn run<P: Provider>(provider: &P, mut call: Call<'_>) -> Result<Outcome, Error> {
    let records = provider.list(&mut call).await?;
    let (action, record, previous_value) = match records.as_slice() {
        [] => (Action::Created, provider.create(&mut call).await?, None),
        [current] => {
            let change = diff(&call, current);
            if change.is_empty() {
                (Action::Unchanged, current.clone(), None)
            } else {
                match provider.update(&mut call, current, &change).await? {
                    (after, true) => {
                        let previous = change.value.is_some().then(|| current.value.clone());
                        (Action::Updated, after, previous)
                    }
                    (after, false) => (Action::Unchanged, after, None),
                }
            }
        }
        many => {
            return Err(Error::MultipleRecords {
                fqdn: call.req.fqdn(),
                rtype: call.req.rtype.as_str().into(),
                count: many.len(),
            });
        }
    };
    let mut meta = call.meta;
    meta.record_id = Some(record.id.clone());
    Ok(Outcome { action, record, previous_value, meta, warnings: call.warnings })
}

/// One async lock per key (a fingerprint of provider, credential, zone, name and type),
/// created on demand and dropped when nobody holds or waits for it.
#[derive(Default)]
pub struct Locks(Mutex<HashMap<[u8; 32], Weak<tokio::sync::Mutex<()>>>>);

impl Locks {
    pub async fn lock(&self, key: [u8; 32]) -> OwnedMutexGuard<()> {
        let lock = {
            let mut map = self.0.lock().unwrap_or_else(|e| e.into_inner());
            map.retain(|_, w| w.strong_count() > 0);
            match map.get(&key).and_then(Weak::upgrade) {
                Some(l) => l,
                None => {
                    let l = Arc::new(tokio::sync::Mutex::new(()));
                    map.insert(key, Arc::downgrade(&l));
                    l
                }
            }
        };
        lock.lock_owned().await
    }

    /// Keys currently held or awaited (for tests of the clean-up).
    pub fn len(&self) -> usize {
        let map = self.0.lock().unwrap_or_else(|e| e.into_inner());
        map.values().filter(|w| w.strong_count() > 0).count()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn locks_serialise_one_key_and_disappear_when_unused() {
        let locks = Locks::default();
        let a = locks.lock([1; 32]).await;
        let b = locks.lock([2; 32]).await;
        assert_eq!(locks.len(), 2);
        // The same key waits for the holder.
        let again = tokio::time::timeout(std::time::Duration::from_millis(50), locks.lock([1; 32])).await;
        assert!(again.is_err(), "a second holder of one key");
        drop((a, b));
        assert!(locks.is_empty(), "nothing held, nothing kept");
        let _c = locks.lock([1; 32]).await;
        assert_eq!(locks.len(), 1);
    }
}
