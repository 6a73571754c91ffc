//! The engine's decisions, as pure functions of what a pass saw: what to do about a
//! release, what a pass's end means for the store (record an outcome, retry with
//! backoff, fail, wait, hand back, or nothing), and whether a lease is still ours.
//! Everything with I/O lives in `pipeline` and `mod`; these have table tests.

use std::time::Duration;

use crate::cluster::ReleaseRevision;
use crate::domain::{Desired, LifecycleEvent, Step, StoreStatus};
use crate::helm::ReleaseState;
use crate::storage::{EventLevel, Outcome, Store, Timestamp, UpgradeResult};

use super::diagnose::{FailureKind, Finding};

/// What to do about a store's Helm release, from helm's record of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReleaseAction {
    /// Deployed with the planned fingerprint: nothing to do.
    Keep { revision: u32 },
    /// An interrupted helm left it locked (`pending-*`): unlock it, then decide again.
    Unlock { revision: u32, status: String },
    /// Someone is uninstalling it: come back later.
    WaitForUninstall,
    /// Install or upgrade it.
    Apply,
}

/// `fingerprint_matches`: the namespace records that the deployed release was applied
/// with the planned chart and values. `may_change`: this pass may change a deployed
/// release (a new store, or an upgrade); a repair of a store that was Ready keeps the
/// release it runs, so that a chart or values change reaches running stores only through
/// an upgrade.
pub fn release_action(
    state: &ReleaseState,
    fingerprint_matches: bool,
    may_change: bool,
) -> ReleaseAction {
    match state {
        ReleaseState::Deployed { revision } if fingerprint_matches || !may_change => {
            ReleaseAction::Keep {
                revision: *revision,
            }
        }
        ReleaseState::Pending { revision, status } => ReleaseAction::Unlock {
            revision: *revision,
            status: status.clone(),
        },
        ReleaseState::Uninstalling { .. } => ReleaseAction::WaitForUninstall,
        ReleaseState::Absent
        | ReleaseState::Deployed { .. }
        | ReleaseState::Failed { .. }
        | ReleaseState::Other { .. } => ReleaseAction::Apply,
    }
}

/// The revision whose manifest `revision` deploys. Helm's rollback copies the target
/// revision's manifest unchanged (described "Rollback to N"), and that may itself be a
/// rollback's. A record Helm no longer keeps ends the search at the number it named.
pub fn manifest_revision(history: &[ReleaseRevision], revision: u32) -> u32 {
    let mut at = revision;
    for _ in 0..=history.len() {
        let Some(record) = history.iter().find(|r| r.revision == at) else {
            break;
        };
        match record
            .description
            .strip_prefix("Rollback to ")
            .and_then(|n| n.trim().parse::<u32>().ok())
        {
            Some(n) if n < at => at = n,
            _ => break,
        }
    }
    at
}

/// How a pass over a store ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PassEnd {
    /// Provisioned and verified: the store is Ready at these storefront and admin URLs,
    /// running `applied` (revision and fingerprint) when the pass learnt it.
    /// `checkout_verified`: this pass placed a test order (`Some(true)`), skipped
    /// verification (`Some(false)`), or kept the first provisioning's verdict (`None`).
    Ready {
        url: String,
        admin_url: String,
        applied: Option<(i64, String)>,
        checkout_verified: Option<bool>,
    },
    /// An upgrade or rollback failed and the store was returned to `revision`, which it
    /// serves again.
    RolledBack {
        finding: Finding,
        revision: i64,
        fingerprint: String,
    },
    /// A Ready store was checked and nothing drifted.
    StillReady,
    /// Everything of a deleted store is gone.
    Gone,
    /// Not done yet (workloads coming up, namespace terminating): look again after
    /// `recheck`, or sooner when the watch cache sees a change.
    Waiting { reason: String, recheck: Duration },
    /// Something that may pass by itself (API unreachable, conflict, lock).
    Transient(String),
    /// Something that will not pass without a person changing something.
    Failed(Finding),
    /// The cluster is not configured or does not answer.
    NoCluster(String),
    /// Another worker owns the store now: write nothing.
    LeaseLost,
    /// The store changed under the pass (deleted or retried): hand it back unchanged.
    Superseded,
}

/// How long things wait, for [`dispose`].
#[derive(Debug, Clone, Copy)]
pub struct Waits {
    /// When a Ready store is checked again.
    pub resync: Duration,
    /// When a store that waits for the cluster is tried again.
    pub no_cluster: Duration,
}

/// What to do with the store at the end of a pass.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GiveBack {
    /// Release the lease, recording this outcome.
    Record(Outcome),
    /// Release the lease without changing the store, due now.
    Unchanged,
    /// Do nothing: the lease is not ours any more.
    Nothing,
}

/// A pass's end turned into what to record, the event to tell the owner, and the failure
/// to count in metrics.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Disposition {
    pub give_back: GiveBack,
    pub event: Option<(EventLevel, String)>,
    pub failure: Option<FailureKind>,
}

/// The lifecycle event for a store that is still being worked on.
pub fn working_event(store: &Store) -> LifecycleEvent {
    match (store.desired, store.status) {
        (Desired::Absent, _) => LifecycleEvent::Delete,
        (_, StoreStatus::Pending) => LifecycleEvent::Wait,
        _ => LifecycleEvent::Work,
    }
}

/// Decide what a pass's end means. `store` is the store as the pass left it (current
/// step and progress); `backoff` gives the wait before attempt `n` (1-based).
pub fn dispose(
    store: &Store,
    end: PassEnd,
    now: Timestamp,
    waits: Waits,
    backoff: impl Fn(i64) -> Duration,
) -> Disposition {
    let at = |d: Duration| now + chrono::Duration::from_std(d).unwrap_or(chrono::TimeDelta::MAX);
    let keep_working = |status_reason: String, next: Duration, attempts: i64| Outcome {
        event: working_event(store),
        status_reason,
        step: store.step.clone(),
        steps_done: store.steps_done,
        next_attempt_at: Some(at(next)),
        attempts,
        urls: None,
        applied: None,
        upgrade_result: None,
        checkout_verified: None,
    };
    let record = |outcome| Disposition {
        give_back: GiveBack::Record(outcome),
        event: None,
        failure: None,
    };
    // An upgrade ends with its own event, so that a pass which began before the upgrade
    // was asked for cannot end it.
    let upgrading = store.status == StoreStatus::Upgrading;
    let ready = |urls, applied, checkout_verified| Outcome {
        event: if upgrading {
            LifecycleEvent::Upgraded
        } else {
            LifecycleEvent::Succeed
        },
        status_reason: "Ready".to_owned(),
        step: Some(Step::Ready.as_str().to_owned()),
        steps_done: Step::TOTAL,
        next_attempt_at: Some(at(waits.resync)),
        attempts: 0,
        urls,
        applied,
        upgrade_result: upgrading.then_some(UpgradeResult::Succeeded),
        checkout_verified,
    };
    match end {
        PassEnd::Ready {
            url,
            admin_url,
            applied,
            checkout_verified,
        } => record(ready(Some((url, admin_url)), applied, checkout_verified)),
        PassEnd::StillReady => record(ready(None, None, None)),
        PassEnd::RolledBack {
            finding,
            revision,
            fingerprint,
        } => Disposition {
            event: Some((EventLevel::Error, finding.reason.clone())),
            failure: Some(finding.kind),
            give_back: GiveBack::Record(Outcome {
                event: LifecycleEvent::Upgraded,
                status_reason: finding.reason,
                step: Some(Step::Ready.as_str().to_owned()),
                steps_done: Step::TOTAL,
                next_attempt_at: Some(at(waits.resync)),
                attempts: 0,
                urls: None,
                applied: Some((revision, fingerprint)),
                upgrade_result: Some(UpgradeResult::RolledBack),
                checkout_verified: None,
            }),
        },
        PassEnd::Gone => record(Outcome {
            event: LifecycleEvent::Gone,
            status_reason: "Deleted".to_owned(),
            step: None,
            steps_done: store.steps_done,
            next_attempt_at: None,
            attempts: 0,
            urls: None,
            applied: None,
            upgrade_result: None,
            checkout_verified: None,
        }),
        PassEnd::Waiting { reason, recheck } => record(keep_working(reason, recheck, 0)),
        PassEnd::NoCluster(problem) => record(keep_working(
            format!("Waiting for the cluster: {problem}"),
            waits.no_cluster,
            store.attempts + 1,
        )),
        PassEnd::Transient(message) => {
            let attempts = store.attempts + 1;
            let wait = backoff(attempts);
            Disposition {
                give_back: GiveBack::Record(keep_working(
                    format!("Retrying after a temporary error: {message}"),
                    wait,
                    attempts,
                )),
                event: Some((
                    EventLevel::Warning,
                    format!(
                        "Temporary error, retrying in {} s: {message}",
                        wait.as_secs().max(1)
                    ),
                )),
                failure: None,
            }
        }
        // Deletion never gives up; it reports and keeps trying.
        PassEnd::Failed(finding) if store.desired == Desired::Absent => {
            let attempts = store.attempts + 1;
            record(keep_working(
                format!("Deletion is blocked: {}", finding.reason),
                backoff(attempts),
                attempts,
            ))
        }
        PassEnd::Failed(finding) => Disposition {
            event: Some((EventLevel::Error, finding.reason.clone())),
            failure: Some(finding.kind),
            give_back: GiveBack::Record(Outcome {
                event: LifecycleEvent::Fail,
                status_reason: finding.reason,
                step: store.step.clone(),
                steps_done: store.steps_done,
                next_attempt_at: None,
                attempts: store.attempts,
                urls: None,
                applied: None,
                upgrade_result: None,
                checkout_verified: None,
            }),
        },
        PassEnd::LeaseLost => Disposition {
            give_back: GiveBack::Nothing,
            event: None,
            failure: None,
        },
        PassEnd::Superseded => Disposition {
            give_back: GiveBack::Unchanged,
            event: None,
            failure: None,
        },
    }
}

/// What a lease renewal answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Renewal {
    /// Renewed: the lease runs for another full term from when it was asked.
    Renewed,
    /// The database says another worker holds it (or nobody does).
    Refused,
    /// The renewal failed or did not answer in time; the lease runs out as it was.
    Failed,
}

/// Whether a pass may go on holding its lease after a renewal. `remaining` is how long
/// the lease runs after that answer (from the last successful renewal); a failed
/// renewal still holds while the next attempt (`renew_every` away) can come before the
/// lease runs out — after that another replica may claim the store, so stop first.
pub fn still_held(renewal: Renewal, remaining: Duration, renew_every: Duration) -> bool {
    match renewal {
        Renewal::Renewed => true,
        Renewal::Refused => false,
        Renewal::Failed => remaining > renew_every,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Engine;
    use chrono::TimeZone as _;

    fn store(status: StoreStatus, desired: Desired) -> Store {
        let t = chrono::Utc
            .with_ymd_and_hms(2026, 11, 26, 12, 0, 0)
            .unwrap();
        Store {
            id: uuid::Uuid::nil(),
            owner_id: uuid::Uuid::nil(),
            owner_email: "owner@example.com".to_owned(),
            name: "shop".into(),
            engine: Engine::WooCommerce,
            domain: "shop.stores.localhost".into(),
            namespace: "store-shop".into(),
            status,
            status_reason: String::new(),
            step: Some("workloads".into()),
            steps_done: 4,
            steps_total: 8,
            desired,
            attempts: 2,
            next_attempt_at: None,
            lease_owner: Some("w".into()),
            lease_expires_at: None,
            url: None,
            admin_url: None,
            created_at: t,
            updated_at: t,
            ready_at: None,
            work_started_at: Some(t),
            deleted_at: None,
            step_started_at: Some(t),
            release: Default::default(),
            display_name: None,
            checkout_verified: None,
        }
    }

    fn now() -> Timestamp {
        chrono::Utc
            .with_ymd_and_hms(2026, 11, 26, 12, 1, 0)
            .unwrap()
    }

    const WAITS: Waits = Waits {
        resync: Duration::from_secs(300),
        no_cluster: Duration::from_secs(10),
    };

    fn secs(n: i64) -> chrono::Duration {
        chrono::Duration::seconds(n)
    }

    #[test]
    fn a_rollback_deploys_the_manifest_of_the_revision_it_names() {
        let record = |revision: u32, description: &str| ReleaseRevision {
            revision,
            status: "superseded".into(),
            updated: None,
            description: description.into(),
            chart_version: "0.1.0".into(),
            app_version: "6.8.3".into(),
            values: serde_json::Value::Null,
        };
        let history = vec![
            record(1, "Install complete"),
            record(2, "Upgrade complete"),
            record(3, "Rollback to 1"),
            record(4, "Upgrade complete"),
            record(5, "Rollback to 3"),
        ];
        assert_eq!(manifest_revision(&history, 2), 2);
        assert_eq!(manifest_revision(&history, 3), 1);
        assert_eq!(manifest_revision(&history, 5), 1);
        // Helm no longer keeps revision 1: the number named is still the manifest's.
        assert_eq!(manifest_revision(&history[2..], 5), 1);
        assert_eq!(manifest_revision(&[], 7), 7);
        // A description that names a later revision is not followed.
        assert_eq!(manifest_revision(&[record(2, "Rollback to 9")], 2), 2);
    }

    #[test]
    fn release_actions() {
        use ReleaseState as S;
        let pending = S::Pending {
            revision: 3,
            status: "pending-upgrade".into(),
        };
        let cases = [
            (S::Absent, false, ReleaseAction::Apply),
            (S::Absent, true, ReleaseAction::Apply),
            (
                S::Deployed { revision: 2 },
                true,
                ReleaseAction::Keep { revision: 2 },
            ),
            (S::Deployed { revision: 2 }, false, ReleaseAction::Apply),
            (S::Failed { revision: 2 }, true, ReleaseAction::Apply),
            (
                pending,
                true,
                ReleaseAction::Unlock {
                    revision: 3,
                    status: "pending-upgrade".into(),
                },
            ),
            (
                S::Uninstalling { revision: 1 },
                true,
                ReleaseAction::WaitForUninstall,
            ),
            (
                S::Other {
                    revision: 1,
                    status: "superseded".into(),
                },
                true,
                ReleaseAction::Apply,
            ),
        ];
        for (state, matches, want) in cases {
            assert_eq!(
                release_action(&state, matches, true),
                want,
                "{state:?} {matches}"
            );
        }
        // A repair of a store that was Ready keeps the deployed release whatever the
        // fingerprint says; everything else is decided as before.
        assert_eq!(
            release_action(&S::Deployed { revision: 4 }, false, false),
            ReleaseAction::Keep { revision: 4 }
        );
        assert_eq!(
            release_action(&S::Failed { revision: 4 }, false, false),
            ReleaseAction::Apply
        );
        assert_eq!(
            release_action(&S::Absent, false, false),
            ReleaseAction::Apply
        );
    }

    #[test]
    fn upgrades_end_with_their_own_event_and_record_how() {
        let s = store(StoreStatus::Upgrading, Desired::Present);
        let end = PassEnd::Ready {
            url: "http://shop/".into(),
            admin_url: "http://shop/wp-admin/".into(),
            applied: Some((5, "fp".into())),
            checkout_verified: Some(true),
        };
        let o = outcome(&dispose(&s, end, now(), WAITS, |_| Duration::ZERO)).clone();
        assert_eq!(o.event, LifecycleEvent::Upgraded);
        assert_eq!(o.upgrade_result, Some(UpgradeResult::Succeeded));
        assert_eq!(o.applied, Some((5, "fp".into())));
        let finding = Finding {
            kind: FailureKind::CrashLoop,
            reason: "Upgrade failed: wordpress crashed; rolled back to revision 4".into(),
        };
        let d = dispose(
            &s,
            PassEnd::RolledBack {
                finding: finding.clone(),
                revision: 4,
                fingerprint: "old".into(),
            },
            now(),
            WAITS,
            |_| Duration::ZERO,
        );
        let o = outcome(&d);
        assert_eq!(o.event, LifecycleEvent::Upgraded);
        assert_eq!(o.upgrade_result, Some(UpgradeResult::RolledBack));
        assert_eq!(o.applied, Some((4, "old".into())));
        assert_eq!(o.status_reason, finding.reason);
        assert_eq!(o.next_attempt_at, Some(now() + secs(300)));
        assert_eq!(d.event, Some((EventLevel::Error, finding.reason)));
        assert_eq!(d.failure, Some(FailureKind::CrashLoop));
        // A plain provisioning pass still succeeds with Succeed.
        let p = store(StoreStatus::Provisioning, Desired::Present);
        let o = outcome(&dispose(&p, PassEnd::StillReady, now(), WAITS, |_| {
            Duration::ZERO
        }))
        .clone();
        assert_eq!(o.event, LifecycleEvent::Succeed);
        assert_eq!(o.upgrade_result, None);
    }

    fn outcome(d: &Disposition) -> &Outcome {
        match &d.give_back {
            GiveBack::Record(o) => o,
            other => panic!("expected an outcome, got {other:?}"),
        }
    }

    #[test]
    fn pass_ends_become_outcomes() {
        use Desired::{Absent, Present};
        use StoreStatus::{Deleting, Pending, Provisioning, Ready};
        let backoff = |n: i64| Duration::from_secs(u64::try_from(n).unwrap() * 7);
        let finding = Finding {
            kind: FailureKind::ImagePull,
            reason: "The wordpress image cannot be pulled".into(),
        };
        // (status, desired, end, event, reason starts with, next attempt in s, attempts)
        type Case = (
            StoreStatus,
            Desired,
            PassEnd,
            LifecycleEvent,
            &'static str,
            Option<i64>,
            i64,
        );
        let cases: Vec<Case> = vec![
            (
                Provisioning,
                Present,
                PassEnd::Ready {
                    url: "u".into(),
                    admin_url: "a".into(),
                    applied: None,
                    checkout_verified: Some(true),
                },
                LifecycleEvent::Succeed,
                "Ready",
                Some(300),
                0,
            ),
            (
                Ready,
                Present,
                PassEnd::StillReady,
                LifecycleEvent::Succeed,
                "Ready",
                Some(300),
                0,
            ),
            (
                Deleting,
                Absent,
                PassEnd::Gone,
                LifecycleEvent::Gone,
                "Deleted",
                None,
                0,
            ),
            (
                Provisioning,
                Present,
                PassEnd::Waiting {
                    reason: "Waiting for mariadb".into(),
                    recheck: Duration::from_secs(1),
                },
                LifecycleEvent::Work,
                "Waiting for mariadb",
                Some(1),
                0,
            ),
            (
                Pending,
                Present,
                PassEnd::Waiting {
                    reason: "w".into(),
                    recheck: Duration::from_secs(1),
                },
                LifecycleEvent::Wait,
                "w",
                Some(1),
                0,
            ),
            (
                Deleting,
                Absent,
                PassEnd::Waiting {
                    reason: "w".into(),
                    recheck: Duration::from_secs(15),
                },
                LifecycleEvent::Delete,
                "w",
                Some(15),
                0,
            ),
            (
                Provisioning,
                Present,
                PassEnd::Transient("conflict".into()),
                LifecycleEvent::Work,
                "Retrying after a temporary error: conflict",
                Some(21),
                3,
            ),
            (
                Pending,
                Present,
                PassEnd::NoCluster("no answer".into()),
                LifecycleEvent::Wait,
                "Waiting for the cluster: no answer",
                Some(10),
                3,
            ),
            (
                Deleting,
                Absent,
                PassEnd::NoCluster("no answer".into()),
                LifecycleEvent::Delete,
                "Waiting for the cluster",
                Some(10),
                3,
            ),
            (
                Provisioning,
                Present,
                PassEnd::Failed(finding.clone()),
                LifecycleEvent::Fail,
                "The wordpress image",
                None,
                2,
            ),
            (
                Deleting,
                Absent,
                PassEnd::Failed(finding),
                LifecycleEvent::Delete,
                "Deletion is blocked: The wordpress image",
                Some(21),
                3,
            ),
        ];
        for (status, desired, end, event, reason, next, attempts) in cases {
            let s = store(status, desired);
            let d = dispose(&s, end.clone(), now(), WAITS, backoff);
            let o = outcome(&d);
            assert_eq!(o.event, event, "{end:?}");
            assert!(
                o.status_reason.starts_with(reason),
                "{end:?}: {}",
                o.status_reason
            );
            assert_eq!(o.next_attempt_at, next.map(|n| now() + secs(n)), "{end:?}");
            assert_eq!(o.attempts, attempts, "{end:?}");
        }
    }

    #[test]
    fn ready_records_urls_and_all_steps() {
        let s = store(StoreStatus::Provisioning, Desired::Present);
        let end = PassEnd::Ready {
            url: "http://shop/".into(),
            admin_url: "http://shop/wp-admin/".into(),
            applied: Some((2, "f".into())),
            checkout_verified: Some(false),
        };
        let d = dispose(&s, end, now(), WAITS, |_| Duration::ZERO);
        let o = outcome(&d);
        assert_eq!(o.steps_done, 8);
        assert_eq!(o.step.as_deref(), Some("ready"));
        assert_eq!(
            o.urls,
            Some(("http://shop/".into(), "http://shop/wp-admin/".into()))
        );
        assert_eq!(o.checkout_verified, Some(false));
        assert_eq!(d.event, None);
        let still = dispose(&s, PassEnd::StillReady, now(), WAITS, |_| Duration::ZERO);
        assert_eq!(outcome(&still).urls, None, "a resync does not rewrite URLs");
        assert_eq!(
            outcome(&still).checkout_verified,
            None,
            "a resync keeps the recorded verification"
        );
    }

    #[test]
    fn failures_are_counted_and_told_once_and_deletions_never_fail() {
        let finding = Finding {
            kind: FailureKind::Engine,
            reason: "This server does not offer the Medusa engine".into(),
        };
        let s = store(StoreStatus::Provisioning, Desired::Present);
        let d = dispose(&s, PassEnd::Failed(finding.clone()), now(), WAITS, |_| {
            Duration::ZERO
        });
        assert_eq!(d.failure, Some(FailureKind::Engine));
        assert_eq!(d.event, Some((EventLevel::Error, finding.reason.clone())));
        let deleting = store(StoreStatus::Deleting, Desired::Absent);
        let d = dispose(&deleting, PassEnd::Failed(finding), now(), WAITS, |_| {
            Duration::ZERO
        });
        assert_eq!(d.failure, None, "a blocked deletion is not a store failure");
        assert_eq!(outcome(&d).event, LifecycleEvent::Delete);
    }

    #[test]
    fn transient_errors_back_off_and_say_so() {
        let s = store(StoreStatus::Provisioning, Desired::Present);
        let d = dispose(
            &s,
            PassEnd::Transient("Kubernetes API: 503".into()),
            now(),
            WAITS,
            |n| Duration::from_secs(u64::try_from(n).unwrap()),
        );
        assert_eq!(
            d.event,
            Some((
                EventLevel::Warning,
                "Temporary error, retrying in 3 s: Kubernetes API: 503".into()
            ))
        );
        assert_eq!(d.failure, None);
    }

    #[test]
    fn lost_and_superseded_passes_write_nothing_or_hand_back() {
        let s = store(StoreStatus::Provisioning, Desired::Present);
        let lost = dispose(&s, PassEnd::LeaseLost, now(), WAITS, |_| Duration::ZERO);
        assert_eq!(lost.give_back, GiveBack::Nothing);
        let superseded = dispose(&s, PassEnd::Superseded, now(), WAITS, |_| Duration::ZERO);
        assert_eq!(superseded.give_back, GiveBack::Unchanged);
        assert_eq!(superseded.event, None);
    }

    #[test]
    fn leases_hold_while_a_renewal_can_still_come_in_time() {
        let every = Duration::from_secs(10);
        let s = Duration::from_secs;
        let cases = [
            (Renewal::Renewed, s(30), true),
            (Renewal::Refused, s(30), false),
            (Renewal::Failed, s(20), true),
            (Renewal::Failed, s(10), false),
            (Renewal::Failed, s(3), false),
            (Renewal::Failed, Duration::ZERO, false),
        ];
        for (renewal, remaining, held) in cases {
            assert_eq!(
                still_held(renewal, remaining, every),
                held,
                "{renewal:?} {remaining:?}"
            );
        }
    }
}
