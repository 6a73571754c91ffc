//! News of store changes: the API and the workers publish, the server-sent events stream
//! and idle workers listen. On PostgreSQL the news also travels to other replicas
//! (LISTEN/NOTIFY, see `app::replica_news`).

use std::sync::Arc;

use tokio::sync::{Notify, broadcast};

use crate::storage::{Backend, Storage, Store};

/// One store changed (or is gone, when `store.deleted_at` is set).
#[derive(Debug, Clone)]
pub struct StoreChange {
    pub store: Store,
}

/// A user's sessions or role changed (sign-out, password change, role change): open
/// event streams of that user check again whether they may go on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AccessChange {
    pub user: uuid::Uuid,
}

#[derive(Debug)]
pub struct Notifier {
    changes: broadcast::Sender<StoreChange>,
    access: broadcast::Sender<AccessChange>,
    work: Notify,
    /// Other replicas hear of changes through the database.
    storage: Option<Arc<dyn Storage>>,
}

impl Default for Notifier {
    fn default() -> Self {
        Self::new(None)
    }
}

impl Notifier {
    pub fn new(storage: Option<Arc<dyn Storage>>) -> Self {
        let (changes, _) = broadcast::channel(1024);
        let (access, _) = broadcast::channel(256);
        Self {
            changes,
            access,
            work: Notify::new(),
            storage,
        }
    }

    /// Tell listeners here (and on other replicas) that a store changed.
    pub fn store_changed(&self, store: &Store) {
        self.changed_here(store);
        if let Some(storage) = self.storage.clone() {
            if storage.backend() == Backend::Postgres {
                let id = store.id;
                tokio::spawn(async move {
                    if let Err(e) = storage.announce(id).await {
                        tracing::debug!(error = %e, "cannot announce a store change");
                    }
                });
            }
        }
    }

    /// Tell listeners in this process only (for news that came from another replica).
    pub fn changed_here(&self, store: &Store) {
        let _ = self.changes.send(StoreChange {
            store: store.clone(),
        });
    }

    /// Tell listeners a store changed and that there is work to do for it.
    pub fn work_requested(&self, store: &Store) {
        self.store_changed(store);
        self.wake_workers();
    }

    /// Wake idle workers.
    pub fn wake_workers(&self) {
        self.work.notify_waiters();
        self.work.notify_one();
    }

    pub fn subscribe(&self) -> broadcast::Receiver<StoreChange> {
        self.changes.subscribe()
    }

    /// Tell this process's event streams that `user`'s access changed.
    pub fn access_changed(&self, user: uuid::Uuid) {
        let _ = self.access.send(AccessChange { user });
    }

    pub fn subscribe_access(&self) -> broadcast::Receiver<AccessChange> {
        self.access.subscribe()
    }

    /// Wait until someone requests work.
    pub async fn work_wanted(&self) {
        self.work.notified().await;
    }
}
