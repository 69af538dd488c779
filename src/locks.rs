//! One async lock per record, so two requests for the same record never race each other
//! into two records.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, Weak};

use tokio::sync::OwnedMutexGuard;

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
