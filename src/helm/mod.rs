//! The only module that runs helm. Values reach helm in 0600 files, never on argv;
//! concurrent helm processes are bounded; failures carry helm's first meaningful line.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use async_trait::async_trait;
use serde::Deserialize;
use tokio::process::Command;
use tokio::sync::Semaphore;

/// What the cluster's release records say about one release.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReleaseState {
    Absent,
    Deployed {
        revision: u32,
    },
    Failed {
        revision: u32,
    },
    /// A helm operation was interrupted (`pending-install`, `pending-upgrade`,
    /// `pending-rollback`): the release is locked until someone unlocks it.
    Pending {
        revision: u32,
        status: String,
    },
    Uninstalling {
        revision: u32,
    },
    Other {
        revision: u32,
        status: String,
    },
}

impl ReleaseState {
    /// The state of a release whose latest revision has `status` (as helm writes it).
    pub fn from_status(status: &str, revision: u32) -> Self {
        match status {
            "deployed" => ReleaseState::Deployed { revision },
            "failed" => ReleaseState::Failed { revision },
            "uninstalling" => ReleaseState::Uninstalling { revision },
            s if s.starts_with("pending") => ReleaseState::Pending {
                revision,
                status: s.to_owned(),
            },
            s => ReleaseState::Other {
                revision,
                status: s.to_owned(),
            },
        }
    }
}

/// A helm command that failed.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{message}")]
pub struct HelmError {
    /// The first meaningful line helm printed.
    pub message: String,
    /// Whether trying again later may help (connection problems, locks, timeouts).
    pub transient: bool,
}

#[async_trait]
pub trait Helm: Send + Sync + std::fmt::Debug {
    /// `helm upgrade --install` with the given values files (later files win); returns
    /// the new revision.
    async fn upgrade_install(
        &self,
        namespace: &str,
        release: &str,
        chart: &Path,
        values: &[ValuesSource],
    ) -> Result<u32, HelmError>;
    /// `helm uninstall`; a release that does not exist is not an error.
    async fn uninstall(&self, namespace: &str, release: &str) -> Result<(), HelmError>;
    /// `helm version --short`, for `storefleet doctor`.
    async fn version(&self) -> Result<String, HelmError>;
    /// `helm rollback` to an earlier revision (which helm records as a new revision).
    async fn rollback(
        &self,
        namespace: &str,
        release: &str,
        revision: u32,
    ) -> Result<(), HelmError>;
}

/// How many revisions of a store's release helm keeps (the ones a store can roll back to).
const HISTORY_MAX_ARG: &str = "5";

/// Dotted paths of the values that differ between two revisions' values (added, removed
/// or changed), sorted; never the values themselves, which may hold an operator's secrets.
pub fn changed_paths(before: &serde_json::Value, after: &serde_json::Value) -> Vec<String> {
    fn walk(
        path: &str,
        a: Option<&serde_json::Value>,
        b: Option<&serde_json::Value>,
        out: &mut Vec<String>,
    ) {
        use serde_json::Value;
        match (a, b) {
            (Some(Value::Object(x)), Some(Value::Object(y))) => {
                let keys: std::collections::BTreeSet<&String> = x.keys().chain(y.keys()).collect();
                for k in keys {
                    let sub = if path.is_empty() {
                        k.clone()
                    } else {
                        format!("{path}.{k}")
                    };
                    walk(&sub, x.get(k), y.get(k), out);
                }
            }
            (a, b) if a == b => {}
            // `null` and absent mean the same to helm.
            (None | Some(Value::Null), None | Some(Value::Null)) => {}
            _ => out.push(if path.is_empty() {
                "(all values)".to_owned()
            } else {
                path.to_owned()
            }),
        }
    }
    let mut out = Vec::new();
    walk("", Some(before), Some(after), &mut out);
    out
}

/// A values file for helm: a file that exists, or content written to a private temp file.
#[derive(Debug, Clone)]
pub enum ValuesSource {
    File(PathBuf),
    Content(String),
}

/// The niceness helm runs at (0 normal, 19 lowest).
const HELM_NICENESS: i32 = 10;
/// GOGC for helm processes unless the environment sets one (see `run`).
const HELM_GOGC: &str = "400";

/// Told of every helm run: subcommand, success, duration (for metrics).
pub type HelmObserver = Arc<dyn Fn(&str, bool, Duration) + Send + Sync>;

/// Helm through its CLI.
#[derive(Clone)]
pub struct HelmCli {
    binary: PathBuf,
    kubeconfig: Option<PathBuf>,
    context: Option<String>,
    temp_dir: PathBuf,
    permits: Arc<Semaphore>,
    observer: Option<HelmObserver>,
    /// helm's major version, learnt at the first install (flags differ between 3 and 4).
    major: Arc<tokio::sync::OnceCell<u32>>,
}

impl std::fmt::Debug for HelmCli {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HelmCli")
            .field("binary", &self.binary)
            .field("kubeconfig", &self.kubeconfig)
            .field("context", &self.context)
            .finish_non_exhaustive()
    }
}

#[derive(Debug, Deserialize)]
struct StatusJson {
    info: StatusInfo,
    version: u32,
}

#[derive(Debug, Deserialize)]
struct StatusInfo {
    status: String,
}

impl HelmCli {
    pub fn new(
        binary: PathBuf,
        kubeconfig: Option<PathBuf>,
        context: Option<String>,
        temp_dir: PathBuf,
        concurrency: usize,
    ) -> Self {
        Self {
            binary,
            kubeconfig,
            context,
            temp_dir,
            permits: Arc::new(Semaphore::new(concurrency.max(1))),
            observer: None,
            major: Arc::new(tokio::sync::OnceCell::new()),
        }
    }

    /// Called after every helm run with the subcommand, success and duration (metrics).
    pub fn with_observer(mut self, observer: HelmObserver) -> Self {
        self.observer = Some(observer);
        self
    }

    async fn run(&self, subcommand: &str, args: &[&str]) -> Result<String, HelmError> {
        let _permit = self.permits.acquire().await.map_err(|_| HelmError {
            message: "helm runner is shutting down".to_owned(),
            transient: true,
        })?;
        let mut cmd = Command::new(&self.binary);
        cmd.arg(subcommand).args(args);
        if let Some(k) = &self.kubeconfig {
            cmd.arg("--kubeconfig").arg(k);
        }
        if let Some(c) = &self.context {
            cmd.arg("--kube-context").arg(c);
        }
        // The engine reads and unlocks release records in Secrets, helm's default
        // storage: never let an inherited HELM_DRIVER put them elsewhere.
        cmd.env("HELM_DRIVER", "secret");
        // A helm run lives about a second and keeps little: collecting its garbage less
        // often saves about a sixth of its CPU (an upgrade on testenv: 0.90 -> 0.74
        // CPU-s) for some 20 MB more at its peak. An operator's own GOGC wins.
        if std::env::var_os("GOGC").is_none() {
            cmd.env("GOGC", HELM_GOGC);
        }
        cmd.kill_on_drop(true).stdin(std::process::Stdio::null());
        cmd.stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped());
        let started = Instant::now();
        let cannot_run = |e: std::io::Error| HelmError {
            message: format!("cannot run {}: {e}", self.binary.display()),
            transient: false,
        };
        let child = cmd.spawn().map_err(cannot_run)?;
        // helm is batch work: the API's requests come first when the CPU is short.
        let pid = child
            .id()
            .and_then(|id| i32::try_from(id).ok())
            .and_then(rustix::process::Pid::from_raw);
        if let Some(pid) = pid {
            if let Err(e) = rustix::process::setpriority_process(Some(pid), HELM_NICENESS) {
                tracing::debug!(error = %e, "cannot lower helm's CPU priority");
            }
        }
        let output = child.wait_with_output().await.map_err(cannot_run)?;
        let ok = output.status.success();
        if let Some(observe) = &self.observer {
            observe(subcommand, ok, started.elapsed());
        }
        if ok {
            return Ok(String::from_utf8_lossy(&output.stdout).into_owned());
        }
        let stderr = String::from_utf8_lossy(&output.stderr);
        let message = first_meaningful_line(&stderr)
            .unwrap_or_else(|| format!("helm {subcommand} exited with {}", output.status));
        Err(HelmError {
            transient: is_transient(&message),
            message,
        })
    }

    /// helm's major version (`helm version --short` says e.g. `v4.3.1+g...`); 3 when it
    /// cannot tell, which adds no version-specific flag.
    async fn major(&self) -> u32 {
        *self
            .major
            .get_or_init(|| async {
                match self.version().await {
                    Ok(v) => parse_major(&v).unwrap_or(3),
                    Err(e) => {
                        tracing::warn!(error = %e, "cannot tell helm's version");
                        3
                    }
                }
            })
            .await
    }

    fn write_values(&self, content: &str) -> Result<tempfile::TempPath, HelmError> {
        use std::io::Write as _;
        let fail = |e: std::io::Error| HelmError {
            message: format!(
                "cannot write a values file in {}: {e}",
                self.temp_dir.display()
            ),
            transient: false,
        };
        std::fs::create_dir_all(&self.temp_dir).map_err(fail)?;
        // tempfile creates the file 0600.
        let mut file = tempfile::Builder::new()
            .prefix("values-")
            .suffix(".yaml")
            .tempfile_in(&self.temp_dir)
            .map_err(fail)?;
        file.write_all(content.as_bytes()).map_err(fail)?;
        Ok(file.into_temp_path())
    }
}

/// The line of helm's stderr that says what went wrong: skip warnings and blank lines,
/// drop the `Error: ` prefix.
pub fn first_meaningful_line(stderr: &str) -> Option<String> {
    stderr
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .filter(|l| {
            !l.starts_with("WARNING") && !l.starts_with("walk.go") && !l.starts_with("level=WARN")
        })
        .map(|l| {
            l.trim_start_matches("Error: ")
                .trim_start_matches("error: ")
                .to_owned()
        })
        .next()
}

/// The major version in `helm version --short` output (`v4.3.1+gabc` -> 4).
pub fn parse_major(version: &str) -> Option<u32> {
    version
        .trim()
        .trim_start_matches('v')
        .split('.')
        .next()?
        .parse()
        .ok()
}

/// Errors that a later attempt may not see.
pub fn is_transient(message: &str) -> bool {
    let m = message.to_ascii_lowercase();
    [
        "connection refused",
        "connection reset",
        "i/o timeout",
        "timeout",
        "timed out",
        "tls handshake",
        "service unavailable",
        "too many requests",
        "another operation",
        "the object has been modified",
        "etcdserver",
        "kubernetes cluster unreachable",
        "no route to host",
        "eof",
        "internal error occurred",
    ]
    .iter()
    .any(|needle| m.contains(needle))
}

pub fn parse_status(json: &str) -> Result<ReleaseState, HelmError> {
    let status: StatusJson = serde_json::from_str(json).map_err(|e| HelmError {
        message: format!("cannot read helm status output: {e}"),
        transient: false,
    })?;
    Ok(ReleaseState::from_status(
        &status.info.status,
        status.version,
    ))
}

/// Helm's answer for a release it has no record of (v3 and v4:
/// `uninstall: Release not loaded: <name>: release: not found`). Other "not found"
/// errors (a missing namespace or chart) are real failures.
fn not_found(e: &HelmError) -> bool {
    e.message
        .to_ascii_lowercase()
        .contains("release: not found")
}

#[async_trait]
impl Helm for HelmCli {
    async fn upgrade_install(
        &self,
        namespace: &str,
        release: &str,
        chart: &Path,
        values: &[ValuesSource],
    ) -> Result<u32, HelmError> {
        let mut temp = Vec::new();
        let mut files = Vec::new();
        for v in values {
            match v {
                ValuesSource::File(p) => files.push(p.clone()),
                ValuesSource::Content(c) => {
                    let path = self.write_values(c)?;
                    files.push(path.to_path_buf());
                    temp.push(path);
                }
            }
        }
        let chart = chart.display().to_string();
        let file_args: Vec<String> = files.iter().map(|f| f.display().to_string()).collect();
        let mut args: Vec<&str> = vec![
            release,
            &chart,
            "--install",
            "--namespace",
            namespace,
            "--history-max",
            HISTORY_MAX_ARG,
            // The API server validates every object it is sent; helm's own check against
            // the OpenAPI document costs a download and parse of that document per run,
            // most of helm's CPU time (0.49 s -> 0.18 s per install on testenv).
            "--disable-openapi-validation",
            "--timeout",
            "5m",
            "--output",
            "json",
        ];
        if self.major().await >= 4 {
            // Helm 4 applies server side by default. Storefleet's releases have one
            // field manager (helm), so the API server's managed-fields bookkeeping buys
            // nothing and costs it more CPU than a plain create or 3-way-merge patch.
            args.push("--server-side=false");
        }
        for f in &file_args {
            args.push("--values");
            args.push(f);
        }
        let out = self.run("upgrade", &args).await?;
        drop(temp);
        parse_status(&out).map(|s| match s {
            ReleaseState::Deployed { revision }
            | ReleaseState::Failed { revision }
            | ReleaseState::Pending { revision, .. }
            | ReleaseState::Uninstalling { revision }
            | ReleaseState::Other { revision, .. } => revision,
            ReleaseState::Absent => 0,
        })
    }

    async fn uninstall(&self, namespace: &str, release: &str) -> Result<(), HelmError> {
        match self
            .run("uninstall", &[release, "--namespace", namespace])
            .await
        {
            Ok(_) => Ok(()),
            Err(e) if not_found(&e) => Ok(()),
            Err(e) => Err(e),
        }
    }

    async fn version(&self) -> Result<String, HelmError> {
        self.run("version", &["--short"])
            .await
            .map(|s| s.trim().to_owned())
    }

    async fn rollback(
        &self,
        namespace: &str,
        release: &str,
        revision: u32,
    ) -> Result<(), HelmError> {
        let revision = revision.to_string();
        self.run(
            "rollback",
            &[
                release,
                &revision,
                "--namespace",
                namespace,
                "--history-max",
                HISTORY_MAX_ARG,
                "--timeout",
                "5m",
            ],
        )
        .await
        .map(|_| ())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_major_version_is_read_from_helm_version_short() {
        assert_eq!(parse_major("v4.3.1+g0123abc"), Some(4));
        assert_eq!(parse_major("v3.22.0+gdeadbee\n"), Some(3));
        assert_eq!(parse_major("garbage"), None);
        assert_eq!(parse_major(""), None);
    }

    #[test]
    fn status_json_becomes_a_release_state() {
        let s =
            |status: &str| format!(r#"{{"name":"x","info":{{"status":"{status}"}},"version":3}}"#);
        assert_eq!(
            parse_status(&s("deployed")).unwrap(),
            ReleaseState::Deployed { revision: 3 }
        );
        assert_eq!(
            parse_status(&s("failed")).unwrap(),
            ReleaseState::Failed { revision: 3 }
        );
        assert_eq!(
            parse_status(&s("pending-upgrade")).unwrap(),
            ReleaseState::Pending {
                revision: 3,
                status: "pending-upgrade".into()
            }
        );
        assert_eq!(
            parse_status(&s("uninstalling")).unwrap(),
            ReleaseState::Uninstalling { revision: 3 }
        );
        assert!(parse_status("not json").is_err());
    }

    #[test]
    fn changed_values_are_named_by_path_never_shown() {
        let a = serde_json::json!({"wordpress": {"image": {"tag": "1"}, "replicas": 1}, "gone": true, "same": {"x": 1}, "n": null});
        let b = serde_json::json!({"wordpress": {"image": {"tag": "2"}, "replicas": 1}, "new": {"k": "secret"}, "same": {"x": 1}});
        assert_eq!(
            changed_paths(&a, &b),
            ["gone", "new", "wordpress.image.tag"]
        );
        assert!(changed_paths(&a, &a).is_empty());
        assert_eq!(
            changed_paths(&serde_json::json!(1), &serde_json::json!(2)),
            ["(all values)"]
        );
    }

    #[test]
    fn the_meaningful_line_skips_warnings() {
        let stderr = "WARNING: Kubernetes configuration file is group-readable.\n\nError: UPGRADE FAILED: values don't meet the specifications of the schema(s)\n";
        assert_eq!(
            first_meaningful_line(stderr).unwrap(),
            "UPGRADE FAILED: values don't meet the specifications of the schema(s)"
        );
        assert!(first_meaningful_line("\n  \n").is_none());
    }

    #[test]
    fn transient_errors_are_recognised() {
        assert!(is_transient(
            "Kubernetes cluster unreachable: Get \"https://127.0.0.1:6443/version\": dial tcp: connection refused"
        ));
        assert!(is_transient(
            "UPGRADE FAILED: another operation (install/upgrade/rollback) is in progress"
        ));
        assert!(!is_transient(
            "INSTALLATION FAILED: execution error at (woocommerce-store/templates/validate.yaml:3:4): store.host is required"
        ));
    }
}
