//! Totals and short result lists of recent list requests, reused until a record changes.
//!
//! Every list answers with the total number of matches, and counting 100,000 cases or sorting a
//! few thousand name matches costs far more than reading the twenty on the page. Caseworkers page
//! through the same list and repeat the same search, so a list remembers, per record type,
//! caller scope, filters and order: its total, and its ids in order when it has few matches, or
//! when a deep page of a larger one was asked for (see [`keeps_ids`]); a page is then a slice.
//!
//! An entry is valid only for the record type's *generation*, a number that database triggers
//! increase with every change to its records or assignments (by this server or any other
//! process), and that each list request reads first. A cached answer is therefore never older
//! than the data: a change anywhere makes the next request of every list recompute it.

use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::sync::{Arc, Mutex, MutexGuard};

/// Lists with at most this many matches keep their ids whatever the page.
const SMALL: i64 = 20_000;
/// Larger lists keep them (about 60 bytes each: 6 MB at most) once a page this deep is asked
/// for: reading up to it costs as much as reading them all. Page 1 of a big list only needs
/// the first twenty, straight from an index.
const DEEP_OFFSET: usize = 2_000;
const MAX_IDS: i64 = 100_000;
/// Ids kept over all entries (30 MB), and entries kept at most.
const ID_BUDGET: usize = 500_000;
const MAX_ENTRIES: usize = 512;

/// What a list request found, as cached.
#[derive(Debug, Clone)]
pub struct Found {
    pub total: i64,
    /// Every matching id in order, if there were few enough to keep.
    pub ids: Option<Arc<Vec<String>>>,
}

struct Entry {
    generation: i64,
    found: Found,
    last_used: u64,
}

#[derive(Default)]
struct Inner {
    entries: HashMap<String, Entry>,
    ids_held: usize,
    clock: u64,
}

/// Whether a list of `total` matches should keep its ids when a page at `offset` is asked for.
pub fn keeps_ids(total: i64, offset: usize) -> bool {
    total <= SMALL || (offset >= DEEP_OFFSET && total <= MAX_IDS)
}

const TURNS: usize = 64;

pub struct ListCache {
    inner: Mutex<Inner>,
    /// Locks taken while working a list out, by a hash of its key.
    turns: [Mutex<()>; TURNS],
}

impl Default for ListCache {
    fn default() -> Self {
        Self {
            inner: Mutex::default(),
            turns: std::array::from_fn(|_| Mutex::new(())),
        }
    }
}

impl ListCache {
    /// Waits for and takes the turn to work out the list `key` (shared with a few other keys).
    pub fn turn(&self, key: &str) -> MutexGuard<'_, ()> {
        let mut h = std::collections::hash_map::DefaultHasher::new();
        key.hash(&mut h);
        let slot = usize::try_from(h.finish() % TURNS as u64).unwrap_or(0);
        // A panic while holding a turn leaves nothing half-done in the cache: carry on.
        self.turns[slot]
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The cached answer for `key`, if it was found at this generation.
    pub fn get(&self, key: &str, generation: i64) -> Option<Found> {
        let mut inner = self.inner.lock().ok()?;
        inner.clock += 1;
        let now = inner.clock;
        let entry = inner.entries.get_mut(key)?;
        if entry.generation != generation {
            return None;
        }
        entry.last_used = now;
        Some(entry.found.clone())
    }

    pub fn put(&self, key: String, generation: i64, found: Found) {
        let Ok(mut inner) = self.inner.lock() else {
            return;
        };
        let held = |f: &Found| f.ids.as_ref().map_or(0, |ids| ids.len());
        if let Some(old) = inner.entries.remove(&key) {
            inner.ids_held -= held(&old.found);
        }
        let adding = held(&found);
        // Drop the least recently used entries until the new one fits.
        while !inner.entries.is_empty()
            && (inner.entries.len() >= MAX_ENTRIES || inner.ids_held + adding > ID_BUDGET)
        {
            let oldest = inner
                .entries
                .iter()
                .min_by_key(|(_, e)| e.last_used)
                .map(|(k, _)| k.clone());
            if let Some(k) = oldest {
                if let Some(e) = inner.entries.remove(&k) {
                    inner.ids_held -= held(&e.found);
                }
            }
        }
        inner.clock += 1;
        let last_used = inner.clock;
        inner.ids_held += adding;
        inner.entries.insert(
            key,
            Entry {
                generation,
                found,
                last_used,
            },
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(n: usize) -> Option<Arc<Vec<String>>> {
        Some(Arc::new((0..n).map(|i| i.to_string()).collect()))
    }

    #[test]
    fn valid_only_for_its_generation() {
        let cache = ListCache::default();
        cache.put(
            "k".into(),
            7,
            Found {
                total: 3,
                ids: ids(3),
            },
        );
        assert_eq!(cache.get("k", 7).map(|f| f.total), Some(3));
        assert!(cache.get("k", 8).is_none());
        assert!(cache.get("other", 7).is_none());
    }

    #[test]
    fn ids_for_small_lists_and_deep_pages() {
        assert!(keeps_ids(3, 0));
        assert!(keeps_ids(20_000, 0));
        assert!(!keeps_ids(50_000, 0));
        assert!(!keeps_ids(50_000, 1_980));
        assert!(keeps_ids(50_000, 2_000));
        assert!(!keeps_ids(100_001, 40_000));
    }

    #[test]
    fn keeps_to_its_id_budget() {
        let cache = ListCache::default();
        for i in 0..60 {
            cache.put(
                format!("k{i}"),
                1,
                Found {
                    total: 15_000,
                    ids: ids(15_000),
                },
            );
        }
        let inner = cache.inner.lock().unwrap();
        assert!(inner.ids_held <= ID_BUDGET);
        assert_eq!(inner.ids_held, inner.entries.len() * 15_000);
        // The newest entries are the ones kept.
        assert!(inner.entries.contains_key("k59"));
        assert!(!inner.entries.contains_key("k0"));
    }
}
