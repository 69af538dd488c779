//! One async lock per record, so two requests for the same record never race each other
//! into two records.

use std::sync::{Arc, Mutex, Weak};

use tokio::sync::OwnedMutexGuard;

/// One async lock per key (a fingerprint of provider, credential, zone, name and type),
/// created on demand and dropped when nobody holds or waits for it. A list: it holds only the
/// records of requests in flight (at most the connection limit), and costs less binary than
/// a hash map.
#[derive(Default)]
pub struct Locks(Mutex<Vec<([u8; 32], Weak<RecordLock>)>>);

type RecordLock = tokio::sync::Mutex<()>;

impl Locks {
    /// The key's lock, once the requests before it are done; `None` at once when `max`
    /// requests already hold it or wait for it (those would only wait longer still).
    pub async fn lock(&self, key: [u8; 32], max: usize) -> Option<OwnedMutexGuard<()>> {
        let lock = {
            let mut map = self.0.lock().unwrap_or_else(|e| e.into_inner());
            map.retain(|(_, w)| w.strong_count() > 0);
            match map.iter().find(|(k, _)| *k == key).and_then(|(_, w)| w.upgrade()) {
                Some(l) => l,
                None => {
                    let l = Arc::new(RecordLock::new(()));
                    map.push((key, Arc::downgrade(&l)));
                    l
                }
            }
        };
        // Each holder and each waiter owns a clone of the lock (in its guard or in its
        // waiting future, gone when a client leaves), and so does this request.
        if Arc::strong_count(&lock) > max {
            return None;
        }
        Some(lock.lock_owned().await)
    }

    /// Keys currently held or awaited (for tests of the clean-up).
    pub fn len(&self) -> usize {
        let map = self.0.lock().unwrap_or_else(|e| e.into_inner());
        map.iter().filter(|(_, w)| w.strong_count() > 0).count()
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
        let a = locks.lock([1; 32], 8).await.unwrap();
        let b = locks.lock([2; 32], 8).await.unwrap();
        assert_eq!(locks.len(), 2);
        // The same key waits for the holder.
        let again = tokio::time::timeout(std::time::Duration::from_millis(50), locks.lock([1; 32], 8)).await;
        assert!(again.is_err(), "a second holder of one key");
        drop((a, b));
        assert!(locks.is_empty(), "nothing held, nothing kept");
        let _c = locks.lock([1; 32], 8).await.unwrap();
        assert_eq!(locks.len(), 1);
    }

    #[tokio::test]
    async fn waiters_beyond_the_bound_are_refused_and_leaving_ones_counted_out() {
        let locks = Arc::new(Locks::default());
        let held = locks.lock([1; 32], 3).await.unwrap();
        let waiters: Vec<_> = (0..2)
            .map(|_| {
                let locks = locks.clone();
                tokio::spawn(async move { locks.lock([1; 32], 3).await.is_some() })
            })
            .collect();
        tokio::task::yield_now().await;
        let at_once = std::time::Duration::from_millis(50);
        let fourth = tokio::time::timeout(at_once, locks.lock([1; 32], 3)).await;
        assert!(matches!(fourth, Ok(None)), "a fourth request for one key is refused at once");
        assert!(locks.lock([2; 32], 3).await.is_some(), "other keys are not affected");
        // A waiter that leaves (its client went away) frees its place in the queue.
        waiters[0].abort();
        let _ = tokio::time::timeout(std::time::Duration::from_secs(1), async {
            while !waiters[0].is_finished() {
                tokio::task::yield_now().await;
            }
        })
        .await;
        let again = tokio::time::timeout(at_once, locks.lock([1; 32], 3)).await;
        assert!(again.is_err(), "admitted to wait, so still waiting");
        drop(held);
        assert!(waiters.into_iter().nth(1).unwrap().await.unwrap());
    }
}
