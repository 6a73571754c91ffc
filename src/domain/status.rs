//! The store lifecycle: statuses, what moves a store between them, and the one table of
//! allowed transitions everything else is checked against.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use super::RuleViolation;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
pub enum StoreStatus {
    Pending,
    Provisioning,
    Ready,
    Failed,
    Deleting,
    /// An upgrade or a rollback of a Ready store's release is under way; the store keeps
    /// serving, and returns to Ready (rolled back by itself when the change failed).
    Upgrading,
}

/// What the platform wants for a store.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Desired {
    Present,
    Absent,
}

impl Desired {
    pub fn as_str(self) -> &'static str {
        match self {
            Desired::Present => "present",
            Desired::Absent => "absent",
        }
    }
}

impl FromStr for Desired {
    type Err = RuleViolation;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "present" => Ok(Desired::Present),
            "absent" => Ok(Desired::Absent),
            other => Err(RuleViolation::new(format!(
                "unknown desired state {other:?}"
            ))),
        }
    }
}

/// Everything that can happen to a store, from its owner or from the engine.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LifecycleEvent {
    /// The engine cannot start yet (for example no cluster answers); the store waits.
    Wait,
    /// The engine starts or continues working on the store (also repairs of a drifted Ready store).
    Work,
    /// Every provisioning step succeeded (or a resync found a Ready store still healthy).
    Succeed,
    /// The engine gave up with a reason.
    Fail,
    /// The owner asks to try a failed store again.
    Retry,
    /// The owner (or an admin) asks for the store to be deleted.
    Delete,
    /// Teardown finished: the store is gone (its row stays for the audit trail).
    Gone,
    /// The owner, an admin or a fleet rollout asks to upgrade or roll back a Ready store.
    Upgrade,
    /// The upgrade or rollback ended with the store serving: done, or rolled back by
    /// itself after a failure (the reason says which).
    Upgraded,
}

impl LifecycleEvent {
    pub const ALL: [LifecycleEvent; 9] = [
        LifecycleEvent::Wait,
        LifecycleEvent::Work,
        LifecycleEvent::Succeed,
        LifecycleEvent::Fail,
        LifecycleEvent::Retry,
        LifecycleEvent::Delete,
        LifecycleEvent::Gone,
        LifecycleEvent::Upgrade,
        LifecycleEvent::Upgraded,
    ];
}

/// Every transition a store may make. A self-transition only updates the reason or step.
pub const ALLOWED_TRANSITIONS: &[(StoreStatus, StoreStatus)] = {
    use StoreStatus::*;
    &[
        (Pending, Pending),
        (Pending, Provisioning),
        (Pending, Failed),
        (Pending, Deleting),
        (Provisioning, Provisioning),
        (Provisioning, Ready),
        (Provisioning, Failed),
        (Provisioning, Deleting),
        (Ready, Ready),
        (Ready, Provisioning),
        (Ready, Deleting),
        (Failed, Provisioning),
        (Failed, Deleting),
        (Deleting, Deleting),
        (Ready, Upgrading),
        (Upgrading, Upgrading),
        (Upgrading, Ready),
        (Upgrading, Failed),
        (Upgrading, Deleting),
    ]
};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a {from} store cannot {what}")]
pub struct TransitionError {
    pub from: StoreStatus,
    pub what: &'static str,
}

impl StoreStatus {
    pub const ALL: [StoreStatus; 6] = [
        StoreStatus::Pending,
        StoreStatus::Provisioning,
        StoreStatus::Ready,
        StoreStatus::Failed,
        StoreStatus::Deleting,
        StoreStatus::Upgrading,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            StoreStatus::Pending => "Pending",
            StoreStatus::Provisioning => "Provisioning",
            StoreStatus::Ready => "Ready",
            StoreStatus::Failed => "Failed",
            StoreStatus::Deleting => "Deleting",
            StoreStatus::Upgrading => "Upgrading",
        }
    }

    pub fn can_become(self, next: StoreStatus) -> bool {
        ALLOWED_TRANSITIONS.contains(&(self, next))
    }

    /// The status after `event`, or why the event does not apply to this status.
    pub fn on(self, event: LifecycleEvent) -> Result<StoreStatus, TransitionError> {
        use LifecycleEvent as E;
        use StoreStatus::*;
        let refuse = |what| Err(TransitionError { from: self, what });
        match (event, self) {
            (E::Delete, _) => Ok(Deleting),
            (E::Gone, Deleting) => Ok(Deleting),
            (E::Gone, _) => refuse("be removed before it is deleted"),
            (_, Deleting) => refuse("change while it is being deleted"),
            (E::Wait, Pending) => Ok(Pending),
            (E::Wait, _) => refuse("go back to waiting"),
            (E::Work, Pending | Provisioning | Ready) => Ok(Provisioning),
            // Work on an upgrade keeps the store Upgrading (it still serves).
            (E::Work, Upgrading) => Ok(Upgrading),
            (E::Work, _) => refuse("be worked on until it is retried"),
            (E::Succeed, Provisioning | Ready) => Ok(Ready),
            // A pass that began before an upgrade was asked for must not end it: the
            // store is handed back and the next pass does the upgrade.
            (E::Succeed, _) => refuse("become ready without provisioning"),
            (E::Fail, Pending | Provisioning | Upgrading) => Ok(Failed),
            (E::Fail, _) => refuse("fail"),
            (E::Retry, Failed) => Ok(Provisioning),
            (E::Retry, _) => refuse("be retried (only failed stores can)"),
            (E::Upgrade, Ready) => Ok(Upgrading),
            (E::Upgrade, Upgrading) => refuse("be upgraded again before its upgrade ends"),
            (E::Upgrade, _) => refuse("be upgraded (only Ready stores can)"),
            (E::Upgraded, Upgrading) => Ok(Ready),
            (E::Upgraded, _) => refuse("end an upgrade it is not in"),
        }
    }
}

impl fmt::Display for StoreStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for StoreStatus {
    type Err = RuleViolation;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        StoreStatus::ALL
            .into_iter()
            .find(|st| st.as_str() == s)
            .ok_or_else(|| RuleViolation::new(format!("unknown status {s:?}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn event() -> impl Strategy<Value = LifecycleEvent> {
        prop::sample::select(LifecycleEvent::ALL.to_vec())
    }

    proptest! {
        /// No sequence of events, starting from a new store, makes a forbidden transition,
        /// and once a store is being deleted it never comes back.
        #[test]
        fn no_sequence_reaches_a_forbidden_transition(events in prop::collection::vec(event(), 0..60)) {
            let mut status = StoreStatus::Pending;
            let mut deleting = false;
            for ev in events {
                if let Ok(next) = status.on(ev) {
                    prop_assert!(status.can_become(next), "{status} -> {next} on {ev:?}");
                    if deleting {
                        prop_assert_eq!(next, StoreStatus::Deleting);
                    }
                    deleting |= next == StoreStatus::Deleting;
                    status = next;
                }
            }
        }
    }

    #[test]
    fn the_documented_paths_work() {
        use LifecycleEvent as E;
        use StoreStatus::*;
        assert_eq!(Pending.on(E::Work), Ok(Provisioning));
        assert_eq!(Provisioning.on(E::Succeed), Ok(Ready));
        assert_eq!(Provisioning.on(E::Fail), Ok(Failed));
        assert_eq!(Failed.on(E::Retry), Ok(Provisioning));
        for s in StoreStatus::ALL {
            assert_eq!(s.on(E::Delete), Ok(Deleting));
        }
        assert!(Ready.on(E::Retry).is_err());
        assert!(Pending.on(E::Succeed).is_err());
        assert!(Deleting.on(E::Work).is_err());
        assert!(Failed.on(E::Work).is_err());
        assert_eq!(Ready.on(E::Upgrade), Ok(Upgrading));
        assert_eq!(Upgrading.on(E::Work), Ok(Upgrading));
        assert_eq!(Upgrading.on(E::Upgraded), Ok(Ready));
        assert_eq!(Upgrading.on(E::Fail), Ok(Failed));
        assert!(
            Upgrading.on(E::Succeed).is_err(),
            "a resync pass must not end an upgrade"
        );
        assert!(Upgrading.on(E::Upgrade).is_err());
        assert!(Provisioning.on(E::Upgrade).is_err());
        assert!(Failed.on(E::Upgrade).is_err());
        assert!(Ready.on(E::Upgraded).is_err());
    }

    #[test]
    fn every_event_outcome_is_in_the_table() {
        for s in StoreStatus::ALL {
            for e in LifecycleEvent::ALL {
                if let Ok(next) = s.on(e) {
                    assert!(s.can_become(next), "{s} -> {next} on {e:?}");
                }
            }
        }
    }
}
