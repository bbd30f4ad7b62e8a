//! Totals and short result lists of recent list requests, reused until a record changes.
//!
//! Every list answers with the total number of matches, and counting 100,000 cases or sorting a
//! few thousand name matches costs far more than reading the twenty on the page. Caseworkers page
//! through the same list and repeat the same search, so a list remembers, per record type,
//! caller scope, filters and order: its total, and when it has at most [`MAX_IDS`] matches, their
//! ids in order (a later page is then a slice of them).
//!
//! An entry is valid only for the record type's *generation*, a number that database triggers
//! increase with every change to its records or assignments (by this server or any other
//! process), and that each list request reads first. A cached answer is therefore never older
//! than the data: a change anywhere makes the next request of every list recompute it.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// Lists with at most this many matches keep their ids (about 60 bytes each: 6 MB at most).
pub const MAX_IDS: usize = 100_000;
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

#[derive(Default)]
pub struct ListCache {
    inner: Mutex<Inner>,
}

impl ListCache {
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
