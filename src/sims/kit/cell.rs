//! The newest-snapshot cell: engine threads publish a whole new snapshot, the UI thread
//! takes the newest one without locks or waiting (an `ArcSwap` underneath).

use std::sync::Arc;

use arc_swap::ArcSwap;

/// Holds the newest snapshot of type `T`; clones share the same cell.
#[derive(Debug)]
pub struct SnapshotCell<T> {
    inner: Arc<ArcSwap<T>>,
}

impl<T> Clone for SnapshotCell<T> {
    fn clone(&self) -> Self {
        SnapshotCell {
            inner: Arc::clone(&self.inner),
        }
    }
}

impl<T> SnapshotCell<T> {
    /// A cell holding `first`.
    pub fn new(first: T) -> Self {
        SnapshotCell {
            inner: Arc::new(ArcSwap::from_pointee(first)),
        }
    }

    /// Replaces the newest snapshot.
    pub fn publish(&self, snapshot: T) {
        self.inner.store(Arc::new(snapshot));
    }

    /// The newest snapshot (cheap: one reference count).
    pub fn latest(&self) -> Arc<T> {
        self.inner.load_full()
    }

    /// Publishes a copy of the newest snapshot changed by `edit` (e.g. marked paused).
    pub fn revise(&self, edit: impl FnOnce(&mut T))
    where
        T: Clone,
    {
        let mut next = (**self.inner.load()).clone();
        edit(&mut next);
        self.publish(next);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clones_share_the_newest_value() {
        let cell = SnapshotCell::new(1);
        let writer = cell.clone();
        writer.publish(2);
        assert_eq!(*cell.latest(), 2);
        writer.revise(|n| *n += 1);
        assert_eq!(*cell.latest(), 3);
    }
}
