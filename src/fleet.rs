//! The fleet rollout driver: every couple of seconds, and whenever a store changes, it
//! advances each rollout that has work (see [`crate::storage::Fleet::advance_rollout`]).
//! Everything it knows lives in the database, so it holds no state of its own: after a
//! restart, or on another replica, it continues where the rollout stands.

use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use tokio::sync::broadcast;
use tokio_util::sync::CancellationToken;

use crate::domain::{Engine, StoreStatus};
use crate::notify::Notifier;
use crate::provision::Provisioner;
use crate::storage::{DbResult, Storage, Store};

/// How often running rollouts are looked at when nothing else wakes the driver.
const TICK: Duration = Duration::from_secs(2);

/// The Ready stores of `engine` whose release differs from what the platform would apply
/// now (its chart, the operator's values, the store's values), oldest first: what a
/// rollout upgrades.
pub async fn stores_behind(
    storage: &dyn Storage,
    provisioner: &Provisioner,
    engine: Engine,
) -> DbResult<Vec<Store>> {
    let mut stores: Vec<Store> = storage
        .list_stores(None)
        .await?
        .into_iter()
        .filter(|s| s.engine == engine && s.status == StoreStatus::Ready)
        .filter(|s| {
            let target = provisioner.target_fingerprint(s, &s.owner_email);
            target.is_some() && target != s.release.applied_fingerprint
        })
        .collect();
    stores.sort_by_key(|s| (s.created_at, s.id));
    Ok(stores)
}

/// Advance every rollout in motion once; the stores sent to Upgrading are handed to the
/// provisioning workers.
pub async fn advance_all(storage: &dyn Storage, notifier: &Notifier) -> anyhow::Result<usize> {
    let mut started = 0;
    for id in storage.rollouts_in_motion().await? {
        match storage.advance_rollout(id, Utc::now()).await {
            Ok(stores) => {
                for store in &stores {
                    notifier.work_requested(store);
                }
                started += stores.len();
            }
            Err(e) => tracing::warn!(rollout = %id, error = %e, "cannot advance the rollout"),
        }
    }
    Ok(started)
}

/// Whether a change of this store can let a rollout move on: a store that has left
/// Upgrading (upgraded, rolled back, failed) or is being deleted. An upgrade's own
/// progress cannot, and neither can the driver's own news of the upgrades it starts:
/// reacting to those made the driver read the whole rollout several times per upgraded
/// store (a quarter of the server's CPU in a 1,000-store rollout).
fn may_move_a_rollout(store: &Store) -> bool {
    store.status != StoreStatus::Upgrading || store.is_deleted()
}

/// Drive rollouts until `token` is cancelled.
pub async fn run(
    storage: Arc<dyn Storage>,
    notifier: Arc<Notifier>,
    token: CancellationToken,
) -> anyhow::Result<()> {
    let mut changes = notifier.subscribe();
    let mut listening = true;
    loop {
        if let Err(e) = advance_all(storage.as_ref(), &notifier).await {
            tracing::debug!(error = %e, "fleet rollouts not advanced this time");
        }
        let tick = tokio::time::Instant::now() + TICK;
        loop {
            tokio::select! {
                () = token.cancelled() => return Ok(()),
                () = tokio::time::sleep_until(tick) => break,
                change = changes.recv(), if listening => match change {
                    Ok(c) if !may_move_a_rollout(&c.store) => {}
                    // Missed news (lagged): look at the rollouts.
                    Ok(_) | Err(broadcast::error::RecvError::Lagged(_)) => break,
                    Err(broadcast::error::RecvError::Closed) => listening = false,
                },
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_store_leaving_its_upgrade_wakes_the_driver() {
        let mut store = Store::sample("shop");
        store.status = StoreStatus::Upgrading;
        assert!(!may_move_a_rollout(&store), "an upgrade's own progress");
        for status in [
            StoreStatus::Ready,
            StoreStatus::Failed,
            StoreStatus::Deleting,
        ] {
            store.status = status;
            assert!(may_move_a_rollout(&store), "{status:?}");
        }
        store.status = StoreStatus::Upgrading;
        store.deleted_at = Some(chrono::Utc::now());
        assert!(may_move_a_rollout(&store), "deleted while upgrading");
    }
}
