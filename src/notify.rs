//! In-process news of store changes: the API and the workers publish, the server-sent
//! events stream and waiting workers listen.

use tokio::sync::{Notify, broadcast};

use crate::storage::Store;

/// One store changed (or is gone, when `store.deleted_at` is set).
#[derive(Debug, Clone)]
pub struct StoreChange {
    pub store: Store,
}

#[derive(Debug)]
pub struct Notifier {
    changes: broadcast::Sender<StoreChange>,
    work: Notify,
}

impl Default for Notifier {
    fn default() -> Self {
        Self::new()
    }
}

impl Notifier {
    pub fn new() -> Self {
        let (changes, _) = broadcast::channel(1024);
        Self {
            changes,
            work: Notify::new(),
        }
    }

    /// Tell listeners a store changed. Nobody listening is fine.
    pub fn store_changed(&self, store: &Store) {
        let _ = self.changes.send(StoreChange {
            store: store.clone(),
        });
    }

    /// Tell listeners a store changed and that there is work to do for it.
    pub fn work_requested(&self, store: &Store) {
        self.store_changed(store);
        self.work.notify_waiters();
        self.work.notify_one();
    }

    pub fn subscribe(&self) -> broadcast::Receiver<StoreChange> {
        self.changes.subscribe()
    }

    /// Wait until someone requests work.
    pub async fn work_wanted(&self) {
        self.work.notified().await;
    }
}
