//! The named steps a store goes through, in order. Their names are what the API reports
//! in `step` and what events are tagged with; `steps_done` counts finished provisioning
//! steps.

/// The provisioning steps, in the order they run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Step {
    /// Work out namespace, release, values and URLs (pure).
    Plan,
    /// Create the namespace with its labels and Pod Security level.
    Namespace,
    /// Generate the store's credentials into a Secret, once.
    Credentials,
    /// Install or upgrade the Helm release.
    Release,
    /// Wait for the engine's components to be ready.
    Workloads,
    /// Wait for the setup Job of the release's revision.
    Bootstrap,
    /// Place a test order.
    Verify,
    /// The store is ready.
    Ready,
}

impl Step {
    pub const ALL: [Step; 8] = [
        Step::Plan,
        Step::Namespace,
        Step::Credentials,
        Step::Release,
        Step::Workloads,
        Step::Bootstrap,
        Step::Verify,
        Step::Ready,
    ];

    /// How many provisioning steps there are (shown as progress).
    pub const TOTAL: i64 = Self::ALL.len() as i64;

    pub fn as_str(self) -> &'static str {
        match self {
            Step::Plan => "plan",
            Step::Namespace => "namespace",
            Step::Credentials => "credentials",
            Step::Release => "release",
            Step::Workloads => "workloads",
            Step::Bootstrap => "bootstrap",
            Step::Verify => "verify",
            Step::Ready => "ready",
        }
    }

    /// How many steps are done once this one has finished.
    pub fn done_after(self) -> i64 {
        self.position() + 1
    }

    /// How many steps are done while this one runs.
    pub fn position(self) -> i64 {
        Self::ALL
            .iter()
            .position(|s| *s == self)
            .map_or(0, |i| i as i64)
    }
}

/// The teardown steps, in order (teardown does not count progress).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TeardownStep {
    /// Uninstall the Helm release.
    Uninstall,
    /// Delete the namespace and wait until it is gone.
    Namespace,
}

impl TeardownStep {
    pub fn as_str(self) -> &'static str {
        match self {
            TeardownStep::Uninstall => "uninstall",
            TeardownStep::Namespace => "namespace",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_are_numbered_in_order() {
        let names: Vec<_> = Step::ALL.iter().map(|s| s.as_str()).collect();
        assert_eq!(
            names,
            [
                "plan",
                "namespace",
                "credentials",
                "release",
                "workloads",
                "bootstrap",
                "verify",
                "ready"
            ]
        );
        assert_eq!(Step::Plan.position(), 0);
        assert_eq!(Step::Verify.position(), 6);
        assert_eq!(Step::Verify.done_after(), 7);
        assert_eq!(Step::TOTAL, 8);
    }
}
