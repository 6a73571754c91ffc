//! Typed configuration: built-in defaults < optional `storefleet.toml` < `STOREFLEET_*`
//! environment. Every value is parsed once here; a bad value names its variable and what
//! it accepts. Secrets are redacted wherever the configuration is shown.

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use ipnet::IpNet;

use crate::domain::{Domain, Engine};

/// Where a configuration value came from, shown by `storefleet config`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    Default,
    File(PathBuf),
    Env,
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Source::Default => f.write_str("default"),
            Source::File(p) => write!(f, "{}", p.display()),
            Source::Env => f.write_str("environment"),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("invalid {variable}={value:?} (from {origin}): {problem}; accepted: {accepted}")]
    Invalid {
        variable: String,
        value: String,
        origin: Source,
        problem: String,
        accepted: String,
    },
    #[error("cannot read configuration file {path}: {message}")]
    File { path: PathBuf, message: String },
    #[error("unknown setting `{key}` in {path}; known settings: {known}")]
    UnknownKey {
        key: String,
        path: PathBuf,
        known: String,
    },
}

/// A secret value: shown as `<redacted>` in Debug and Display.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Signup {
    Open,
    Closed,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    Text,
    Json,
}

#[derive(Debug, Clone)]
pub struct Config {
    pub listen: SocketAddr,
    pub data_dir: PathBuf,
    pub database_url: Secret,
    pub base_domain: Domain,
    pub signup: Signup,
    pub default_store_quota: u32,
    pub create_rate_per_minute: u32,
    pub user_create_rate_per_minute: u32,
    pub trusted_proxies: Vec<IpNet>,
    pub jwt_secret: Option<Secret>,
    pub session_ttl_secs: u64,
    pub public_url: Option<String>,
    pub kube_context: Option<String>,
    /// `KUBECONFIG` as given in the environment (standard resolution when unset).
    pub kubeconfig: Option<PathBuf>,
    pub workers: u32,
    pub provision_timeout_secs: u64,
    pub checkout_verify: bool,
    /// The engines offered, the default first.
    pub engines: Vec<Engine>,
    /// Extra helm values files, in order (later ones win), each for every store or for
    /// one engine's stores.
    pub values_files: Vec<ValuesFile>,
    pub log_format: LogFormat,
    /// The helm binary (found on PATH unless a path is given).
    pub helm: PathBuf,
    /// Directory holding the store charts (`woocommerce-store/`, `medusa-store/`); empty
    /// until [`crate::charts::resolve`] for the built-in charts.
    pub chart_dir: PathBuf,
    /// A ClusterRole bound to the platform's own identity in each store namespace it
    /// creates (least privilege: no cluster-wide access to Secrets), if any.
    pub store_role: Option<String>,
    pub helm_concurrency: u32,
    pub kube_qps: u32,
    pub kube_burst: u32,
    /// How often a Ready store is checked for drift.
    pub resync_secs: u64,
    /// `http` or `https`: the scheme of store URLs.
    pub store_url_scheme: String,
    /// Where to send checkout verification requests instead of the store's DNS name
    /// (host:port of the ingress), keeping the store's Host header.
    pub ingress_address: Option<String>,
    /// Remove namespaces labelled as ours that have no live store (otherwise only report).
    pub sweep_delete: bool,
    /// Sign-ups per client IP per minute.
    pub signup_rate_per_minute: u32,
    /// Open HTTP connections at most, and per client address (trusted proxies exempt).
    pub max_connections: u32,
    pub max_connections_per_ip: u32,
    /// A connection must send a request's headers within this time.
    pub header_timeout_secs: u64,
    /// A connection with no traffic either way for this long is closed.
    pub idle_timeout_secs: u64,
    /// Where each setting came from, by variable name.
    pub sources: BTreeMap<&'static str, Source>,
}

/// One setting, written once: its variable (whose lowercase tail is its key in
/// `storefleet.toml`), its default, what it accepts, how its text sets the field of
/// [`Config`], and how that field is shown by `storefleet config`.
struct Setting {
    var: &'static str,
    default: &'static str,
    secret: bool,
    accepts: &'static str,
    set: fn(&mut Config, &str) -> Result<(), String>,
    show: fn(&Config) -> String,
}

/// Every setting, in the order `storefleet config` shows them.
const SETTINGS: &[Setting] = &[
    Setting {
        var: "STOREFLEET_LISTEN",
        default: "127.0.0.1:8080",
        secret: false,
        accepts: "an address like 127.0.0.1:8080",
        set: |c, s| {
            c.listen = s
                .trim()
                .parse()
                .map_err(|e: std::net::AddrParseError| e.to_string())?;
            Ok(())
        },
        show: |c| c.listen.to_string(),
    },
    Setting {
        var: "STOREFLEET_DATA_DIR",
        default: "./data",
        secret: false,
        accepts: "a directory path",
        set: |c, s| set(&mut c.data_dir, path(s)),
        show: |c| c.data_dir.display().to_string(),
    },
    Setting {
        var: "STOREFLEET_DATABASE_URL",
        default: "",
        secret: true,
        accepts: "sqlite://<path> or postgres://user:password@host/db",
        // Empty: SQLite in the data directory (filled in once the data directory is known).
        set: |c, s| {
            let url = s.trim();
            let known = ["sqlite:", "postgres://", "postgresql://"];
            if !url.is_empty() && !known.iter().any(|k| url.starts_with(k)) {
                return Err("unsupported URL scheme".to_owned());
            }
            c.database_url = Secret::new(url);
            Ok(())
        },
        show: |c| c.database_url.expose().to_owned(),
    },
    Setting {
        var: "STOREFLEET_BASE_DOMAIN",
        default: "stores.localhost",
        secret: false,
        accepts: "a lowercase domain with at least two labels, like stores.example.com",
        set: |c, s| {
            set(
                &mut c.base_domain,
                Domain::parse(s.trim()).map_err(|e| e.to_string()),
            )
        },
        show: |c| c.base_domain.to_string(),
    },
    Setting {
        var: "STOREFLEET_SIGNUP",
        default: "open",
        secret: false,
        accepts: "`open` or `closed`",
        set: |c, s| set(&mut c.signup, choice(s, SIGNUP)),
        show: |c| shown(c.signup, SIGNUP),
    },
    Setting {
        var: "STOREFLEET_DEFAULT_STORE_QUOTA",
        default: "5",
        secret: false,
        accepts: "a whole number 0..=10000",
        set: |c, s| set(&mut c.default_store_quota, number(s, 0, 10_000)),
        show: |c| c.default_store_quota.to_string(),
    },
    Setting {
        var: "STOREFLEET_CREATE_RATE_PER_MINUTE",
        default: "5",
        secret: false,
        accepts: "a whole number 1..=1000000",
        set: |c, s| set(&mut c.create_rate_per_minute, number(s, 1, 1_000_000)),
        show: |c| c.create_rate_per_minute.to_string(),
    },
    Setting {
        var: "STOREFLEET_USER_CREATE_RATE_PER_MINUTE",
        default: "5",
        secret: false,
        accepts: "a whole number 1..=1000000",
        set: |c, s| set(&mut c.user_create_rate_per_minute, number(s, 1, 1_000_000)),
        show: |c| c.user_create_rate_per_minute.to_string(),
    },
    Setting {
        var: "STOREFLEET_TRUSTED_PROXIES",
        default: "",
        secret: false,
        accepts: "comma-separated CIDRs or addresses, like 10.0.0.0/8,127.0.0.1",
        set: |c, s| {
            let proxies = list(s)
                .map(|p| {
                    p.parse::<IpNet>()
                        .or_else(|_| p.parse::<std::net::IpAddr>().map(IpNet::from))
                        .map_err(|_| format!("{p:?} is not a CIDR or IP address"))
                })
                .collect();
            set(&mut c.trusted_proxies, proxies)
        },
        show: |c| joined(&c.trusted_proxies, ToString::to_string, "(none)"),
    },
    Setting {
        var: "STOREFLEET_JWT_SECRET",
        default: "",
        secret: true,
        accepts: "a random string of at least 32 characters",
        set: |c, s| {
            c.jwt_secret = match optional(s) {
                None => None,
                Some(secret) if secret.len() < 32 => {
                    return Err(format!("too short ({} characters)", secret.len()));
                }
                Some(secret) => Some(Secret::new(secret)),
            };
            Ok(())
        },
        show: |c| match c.jwt_secret {
            Some(_) => "<redacted>".into(),
            None => format!(
                "(generated once into {})",
                c.data_dir.join("jwt-secret").display()
            ),
        },
    },
    Setting {
        var: "STOREFLEET_SESSION_TTL_SECS",
        default: "43200",
        secret: false,
        accepts: "seconds, 60..=2592000",
        set: |c, s| set(&mut c.session_ttl_secs, number(s, 60, 2_592_000)),
        show: |c| c.session_ttl_secs.to_string(),
    },
    Setting {
        var: "STOREFLEET_PUBLIC_URL",
        default: "",
        secret: false,
        accepts: "the dashboard's external origin, like https://storefleet.example.com",
        set: |c, s| {
            c.public_url = match optional(s) {
                None => None,
                Some(url) => {
                    let trimmed = url.trim_end_matches('/');
                    let ok = (trimmed.starts_with("http://") || trimmed.starts_with("https://"))
                        && trimmed
                            .split("://")
                            .nth(1)
                            .is_some_and(|h| !h.is_empty() && !h.contains('/'));
                    if !ok {
                        return Err("not an http(s) origin without a path".to_owned());
                    }
                    Some(trimmed.to_owned())
                }
            };
            Ok(())
        },
        show: |c| or(&c.public_url, "(none: same origin as requests)"),
    },
    Setting {
        var: "STOREFLEET_KUBE_CONTEXT",
        default: "",
        secret: false,
        accepts: "a context name from the kubeconfig",
        set: |c, s| {
            c.kube_context = optional(s);
            Ok(())
        },
        show: |c| or(&c.kube_context, "(current context)"),
    },
    Setting {
        var: "STOREFLEET_WORKERS",
        default: "4",
        secret: false,
        accepts: "a whole number 0..=256 (0: serve the API only)",
        set: |c, s| set(&mut c.workers, number(s, 0, 256)),
        show: |c| c.workers.to_string(),
    },
    Setting {
        var: "STOREFLEET_PROVISION_TIMEOUT_SECS",
        default: "600",
        secret: false,
        accepts: "seconds, 30..=86400",
        set: |c, s| set(&mut c.provision_timeout_secs, number(s, 30, 86_400)),
        show: |c| c.provision_timeout_secs.to_string(),
    },
    Setting {
        var: "STOREFLEET_CHECKOUT_VERIFY",
        default: "on",
        secret: false,
        accepts: "`on` or `off`",
        set: |c, s| set(&mut c.checkout_verify, choice(s, ON_OFF)),
        show: |c| shown(c.checkout_verify, ON_OFF),
    },
    Setting {
        var: "STOREFLEET_ENGINES",
        default: "woocommerce,medusa",
        secret: false,
        accepts: "engine names separated by commas, the default first (woocommerce, medusa)",
        set: |c, s| set(&mut c.engines, engine_list(s)),
        show: |c| joined(&c.engines, |e| e.as_str().to_owned(), "(none)"),
    },
    Setting {
        var: "STOREFLEET_VALUES_FILE",
        default: "",
        secret: false,
        accepts: "paths of readable helm values files, separated by commas (later ones win); \
                  `ENGINE=PATH` applies a file to one engine's stores only \
                  (e.g. medusa=charts/medusa-store/values-local.yaml)",
        set: |c, s| {
            set(
                &mut c.values_files,
                list(s).map(ValuesFile::parse).collect(),
            )
        },
        show: |c| joined(&c.values_files, ValuesFile::to_string, "(none)"),
    },
    Setting {
        var: "STOREFLEET_LOG_FORMAT",
        default: "text",
        secret: false,
        accepts: "`text` or `json`",
        set: |c, s| set(&mut c.log_format, choice(s, LOG_FORMATS)),
        show: |c| shown(c.log_format, LOG_FORMATS),
    },
    Setting {
        var: "STOREFLEET_HELM",
        default: "helm",
        secret: false,
        accepts: "a helm binary name or path",
        set: |c, s| set(&mut c.helm, path(s)),
        show: |c| c.helm.display().to_string(),
    },
    Setting {
        var: "STOREFLEET_CHART_DIR",
        default: "",
        secret: false,
        accepts: "a directory with woocommerce-store/ and medusa-store/ (empty: the charts built into the binary)",
        set: |c, s| {
            c.chart_dir = PathBuf::from(s.trim());
            Ok(())
        },
        show: |c| {
            if c.chart_dir.as_os_str().is_empty() {
                "(built in)".to_owned()
            } else {
                c.chart_dir.display().to_string()
            }
        },
    },
    Setting {
        var: "STOREFLEET_STORE_ROLE",
        default: "",
        secret: false,
        accepts: "a ClusterRole name (empty: the platform's credentials reach store namespaces by themselves)",
        set: |c, s| {
            c.store_role = match optional(s) {
                None => None,
                Some(name) => {
                    let ok = name.len() <= 253
                        && name.bytes().all(|b| {
                            b.is_ascii_lowercase()
                                || b.is_ascii_digit()
                                || b == b'-'
                                || b == b'.'
                                || b == b':'
                        })
                        && !name.starts_with(['-', '.']);
                    if !ok {
                        return Err("not a ClusterRole name".to_owned());
                    }
                    Some(name)
                }
            };
            Ok(())
        },
        show: |c| or(&c.store_role, "(none)"),
    },
    Setting {
        var: "STOREFLEET_HELM_CONCURRENCY",
        default: "4",
        secret: false,
        accepts: "a whole number 1..=64",
        set: |c, s| set(&mut c.helm_concurrency, number(s, 1, 64)),
        show: |c| c.helm_concurrency.to_string(),
    },
    Setting {
        var: "STOREFLEET_KUBE_QPS",
        default: "50",
        secret: false,
        accepts: "a whole number 1..=10000",
        set: |c, s| set(&mut c.kube_qps, number(s, 1, 10_000)),
        show: |c| c.kube_qps.to_string(),
    },
    Setting {
        var: "STOREFLEET_KUBE_BURST",
        default: "100",
        secret: false,
        accepts: "a whole number 1..=20000",
        set: |c, s| set(&mut c.kube_burst, number(s, 1, 20_000)),
        show: |c| c.kube_burst.to_string(),
    },
    Setting {
        var: "STOREFLEET_RESYNC_SECS",
        default: "60",
        secret: false,
        accepts: "seconds, 5..=86400",
        set: |c, s| set(&mut c.resync_secs, number(s, 5, 86_400)),
        show: |c| c.resync_secs.to_string(),
    },
    Setting {
        var: "STOREFLEET_STORE_URL_SCHEME",
        default: "http",
        secret: false,
        accepts: "`http` or `https`",
        set: |c, s| {
            let scheme = choice(s, &[("http", "http"), ("https", "https")])?;
            c.store_url_scheme = scheme.to_owned();
            Ok(())
        },
        show: |c| c.store_url_scheme.clone(),
    },
    Setting {
        var: "STOREFLEET_INGRESS_ADDRESS",
        default: "",
        secret: false,
        accepts: "host:port of the ingress, like 127.0.0.1:80",
        set: |c, s| {
            c.ingress_address = match optional(s) {
                None => None,
                Some(addr) => {
                    let ok = addr
                        .rsplit_once(':')
                        .is_some_and(|(h, p)| !h.is_empty() && p.parse::<u16>().is_ok());
                    if !ok {
                        return Err("not host:port".to_owned());
                    }
                    Some(addr)
                }
            };
            Ok(())
        },
        show: |c| or(&c.ingress_address, "(none: the store's own host)"),
    },
    Setting {
        var: "STOREFLEET_SWEEP",
        default: "report",
        secret: false,
        accepts: "`report` or `delete`",
        set: |c, s| set(&mut c.sweep_delete, choice(s, SWEEP)),
        show: |c| shown(c.sweep_delete, SWEEP),
    },
    Setting {
        var: "STOREFLEET_SIGNUP_RATE_PER_MINUTE",
        default: "5",
        secret: false,
        accepts: "a whole number 1..=1000000",
        set: |c, s| set(&mut c.signup_rate_per_minute, number(s, 1, 1_000_000)),
        show: |c| c.signup_rate_per_minute.to_string(),
    },
    Setting {
        var: "STOREFLEET_MAX_CONNECTIONS",
        default: "1024",
        secret: false,
        accepts: "a whole number 1..=1000000",
        set: |c, s| set(&mut c.max_connections, number(s, 1, 1_000_000)),
        show: |c| c.max_connections.to_string(),
    },
    Setting {
        var: "STOREFLEET_MAX_CONNECTIONS_PER_IP",
        default: "64",
        secret: false,
        accepts: "a whole number 1..=1000000",
        set: |c, s| set(&mut c.max_connections_per_ip, number(s, 1, 1_000_000)),
        show: |c| c.max_connections_per_ip.to_string(),
    },
    Setting {
        var: "STOREFLEET_HEADER_TIMEOUT_SECS",
        default: "10",
        secret: false,
        accepts: "seconds, 1..=300",
        set: |c, s| set(&mut c.header_timeout_secs, number(s, 1, 300)),
        show: |c| c.header_timeout_secs.to_string(),
    },
    Setting {
        var: "STOREFLEET_IDLE_TIMEOUT_SECS",
        default: "60",
        secret: false,
        // Above the event stream's 15 s keep-alive, so open streams are never idle.
        accepts: "seconds, 20..=3600",
        set: |c, s| set(&mut c.idle_timeout_secs, number(s, 20, 3600)),
        show: |c| c.idle_timeout_secs.to_string(),
    },
];

const SIGNUP: &[(&str, Signup)] = &[("open", Signup::Open), ("closed", Signup::Closed)];
const ON_OFF: &[(&str, bool)] = &[("on", true), ("off", false)];
const LOG_FORMATS: &[(&str, LogFormat)] = &[("text", LogFormat::Text), ("json", LogFormat::Json)];
const SWEEP: &[(&str, bool)] = &[("report", false), ("delete", true)];

const PREFIX: &str = "STOREFLEET_";

fn file_key(var: &str) -> String {
    var.trim_start_matches(PREFIX).to_lowercase()
}

/// Store a parsed value in its field.
fn set<T>(field: &mut T, parsed: Result<T, String>) -> Result<(), String> {
    *field = parsed?;
    Ok(())
}

fn number<T: FromStr + PartialOrd + fmt::Display + Copy>(
    s: &str,
    min: T,
    max: T,
) -> Result<T, String> {
    let n: T = s
        .trim()
        .parse()
        .map_err(|_| "not a whole number".to_owned())?;
    if n < min || n > max {
        return Err(format!("out of range {min}..={max}"));
    }
    Ok(n)
}

fn path(s: &str) -> Result<PathBuf, String> {
    match s.trim() {
        "" => Err("must not be empty".to_owned()),
        p => Ok(PathBuf::from(p)),
    }
}

fn choice<T: Copy>(s: &str, choices: &[(&str, T)]) -> Result<T, String> {
    choices
        .iter()
        .find(|(name, _)| *name == s.trim())
        .map(|(_, v)| *v)
        .ok_or_else(|| "unknown value".to_owned())
}

fn shown<T: PartialEq + Copy>(value: T, choices: &[(&str, T)]) -> String {
    choices
        .iter()
        .find(|(_, v)| *v == value)
        .map_or_else(String::new, |(name, _)| (*name).to_owned())
}

/// The non-empty, trimmed items of a comma-separated list.
/// One entry of `STOREFLEET_VALUES_FILE`: a helm values file, for every store or for the
/// stores of one engine.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValuesFile {
    pub engine: Option<Engine>,
    pub path: PathBuf,
}

impl ValuesFile {
    fn parse(entry: &str) -> Result<Self, String> {
        let (engine, path) = match entry.split_once('=') {
            Some((name, path)) => match name.trim().parse::<Engine>() {
                Ok(engine) => (Some(engine), path.trim()),
                Err(_) => {
                    return Err(format!(
                        "{entry}: {:?} is not an engine (one of: {})",
                        name.trim(),
                        Engine::ALL.map(Engine::as_str).join(", ")
                    ));
                }
            },
            None => (None, entry),
        };
        let path = PathBuf::from(path);
        if path.is_file() {
            Ok(Self { engine, path })
        } else {
            Err(format!("{}: no such file", path.display()))
        }
    }

    /// Does this file apply to stores of `engine`?
    pub fn applies_to(&self, engine: Engine) -> bool {
        self.engine.is_none_or(|e| e == engine)
    }
}

impl std::fmt::Display for ValuesFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.engine {
            Some(engine) => write!(f, "{}={}", engine.as_str(), self.path.display()),
            None => write!(f, "{}", self.path.display()),
        }
    }
}

impl Config {
    /// The values files for stores of `engine`, in order.
    pub fn values_files_for(&self, engine: Engine) -> Vec<PathBuf> {
        self.values_files
            .iter()
            .filter(|f| f.applies_to(engine))
            .map(|f| f.path.clone())
            .collect()
    }
}

/// At least one engine, each once.
fn engine_list(s: &str) -> Result<Vec<Engine>, String> {
    let mut engines = Vec::new();
    for name in list(s) {
        let engine = name
            .parse::<Engine>()
            .map_err(|_| format!("{name:?} is not an engine"))?;
        if engines.contains(&engine) {
            return Err(format!("{name} is listed twice"));
        }
        engines.push(engine);
    }
    if engines.is_empty() {
        return Err("no engine listed".to_owned());
    }
    Ok(engines)
}

fn list(s: &str) -> impl Iterator<Item = &str> {
    s.split(',').map(str::trim).filter(|p| !p.is_empty())
}

fn optional(s: &str) -> Option<String> {
    let s = s.trim();
    (!s.is_empty()).then(|| s.to_owned())
}

fn or(value: &Option<String>, none: &str) -> String {
    value.clone().unwrap_or_else(|| none.to_owned())
}

fn joined<T>(items: &[T], show: impl Fn(&T) -> String, none: &str) -> String {
    if items.is_empty() {
        return none.to_owned();
    }
    items.iter().map(show).collect::<Vec<_>>().join(",")
}

impl Config {
    /// Load from the optional file and the given environment (pass `std::env::vars()`).
    ///
    /// `file` is the path given by `--config`; when `None`, `./storefleet.toml` is read if
    /// it exists.
    pub fn load(
        file: Option<&Path>,
        env: impl IntoIterator<Item = (String, String)>,
    ) -> Result<Self, ConfigError> {
        let mut values: HashMap<&'static str, (String, Source)> = SETTINGS
            .iter()
            .map(|s| (s.var, (s.default.to_owned(), Source::Default)))
            .collect();

        let default_file = PathBuf::from("storefleet.toml");
        let file = match file {
            Some(p) => Some(p.to_path_buf()),
            None => default_file.exists().then_some(default_file),
        };
        if let Some(path) = file {
            for (var, value) in read_file(&path)? {
                values.insert(var, (value, Source::File(path.clone())));
            }
        }

        let mut kubeconfig = None;
        for (key, value) in env {
            if key == "KUBECONFIG" && !value.trim().is_empty() {
                kubeconfig = Some(PathBuf::from(value.trim()));
            }
            if let Some(setting) = SETTINGS.iter().find(|s| s.var == key) {
                values.insert(setting.var, (value, Source::Env));
            }
        }

        let mut config = Self::unset();
        for setting in SETTINGS {
            let (value, source) = values
                .remove(setting.var)
                .unwrap_or_else(|| (setting.default.to_owned(), Source::Default));
            if let Err(problem) = (setting.set)(&mut config, &value) {
                return Err(ConfigError::Invalid {
                    variable: setting.var.to_owned(),
                    // A bad secret is still a secret.
                    value: if setting.secret {
                        redact(setting.var, &value)
                    } else {
                        value
                    },
                    origin: source,
                    problem,
                    accepted: setting.accepts.to_owned(),
                });
            }
            config.sources.insert(setting.var, source);
        }
        if config.database_url.expose().is_empty() {
            let sqlite = format!(
                "sqlite://{}",
                config.data_dir.join("storefleet.db").display()
            );
            config.database_url = Secret::new(sqlite);
        }
        config.kubeconfig = kubeconfig;
        Ok(config)
    }

    /// A configuration before any setting is applied: every field is then set by its
    /// [`Setting`] (defaults included), so none of these values survives `load`.
    fn unset() -> Self {
        Config {
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            data_dir: PathBuf::new(),
            database_url: Secret::new(""),
            base_domain: Domain::localhost(),
            signup: Signup::Closed,
            default_store_quota: 0,
            create_rate_per_minute: 0,
            user_create_rate_per_minute: 0,
            trusted_proxies: Vec::new(),
            jwt_secret: None,
            session_ttl_secs: 0,
            public_url: None,
            kube_context: None,
            kubeconfig: None,
            workers: 0,
            provision_timeout_secs: 0,
            checkout_verify: true,
            engines: vec![Engine::WooCommerce, Engine::Medusa],
            values_files: Vec::new(),
            log_format: LogFormat::Text,
            helm: PathBuf::new(),
            chart_dir: PathBuf::new(),
            store_role: None,
            helm_concurrency: 0,
            kube_qps: 0,
            kube_burst: 0,
            resync_secs: 0,
            store_url_scheme: String::new(),
            ingress_address: None,
            sweep_delete: false,
            signup_rate_per_minute: 0,
            max_connections: 0,
            max_connections_per_ip: 0,
            header_timeout_secs: 0,
            idle_timeout_secs: 0,
            sources: BTreeMap::new(),
        }
    }

    /// The effective configuration as `VARIABLE = value  # source` lines, secrets redacted.
    pub fn render(&self) -> String {
        let mut out = String::new();
        for setting in SETTINGS {
            let value = (setting.show)(self);
            let source = self
                .sources
                .get(setting.var)
                .cloned()
                .unwrap_or(Source::Default);
            let shown = if setting.secret && !value.starts_with('(') {
                redact(setting.var, &value)
            } else {
                value
            };
            out.push_str(&format!("{} = {}  # {}\n", setting.var, shown, source));
        }
        let rust_log = std::env::var("RUST_LOG").unwrap_or_else(|_| "info".to_owned());
        out.push_str(&format!("RUST_LOG = {rust_log}\n"));
        let kubeconfig = self.kubeconfig.as_ref().map_or_else(
            || "(standard resolution: ~/.kube/config or in-cluster)".to_owned(),
            |p| p.display().to_string(),
        );
        out.push_str(&format!("KUBECONFIG = {kubeconfig}\n"));
        out
    }

    /// Whether responses carry `Strict-Transport-Security`: only when the dashboard is
    /// served over https (browsers ignore the header on plain http anyway).
    pub fn hsts(&self) -> bool {
        self.cookie_secure()
    }

    /// Whether the session cookie must be marked `Secure`.
    pub fn cookie_secure(&self) -> bool {
        self.public_url
            .as_deref()
            .is_some_and(|u| u.starts_with("https://"))
    }
}

/// Hide what is secret in a value: a database URL keeps its scheme, host and database.
fn redact(var: &str, value: &str) -> String {
    if var == "STOREFLEET_DATABASE_URL" {
        return redact_url_password(value);
    }
    "<redacted>".to_owned()
}

/// `postgres://user:pw@host/db` → `postgres://user:<redacted>@host/db`.
pub fn redact_url_password(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let Some((userinfo, host)) = rest.split_once('@') else {
        return url.to_owned();
    };
    match userinfo.split_once(':') {
        Some((user, _)) => format!("{scheme}://{user}:<redacted>@{host}"),
        None => url.to_owned(),
    }
}

fn read_file(path: &Path) -> Result<Vec<(&'static str, String)>, ConfigError> {
    let text = std::fs::read_to_string(path).map_err(|e| ConfigError::File {
        path: path.to_path_buf(),
        message: e.to_string(),
    })?;
    let table: toml::Table = text
        .parse()
        .map_err(|e: toml::de::Error| ConfigError::File {
            path: path.to_path_buf(),
            message: e.to_string(),
        })?;
    let mut out = Vec::new();
    for (key, value) in table {
        let Some(setting) = SETTINGS.iter().find(|s| file_key(s.var) == key) else {
            return Err(ConfigError::UnknownKey {
                key,
                path: path.to_path_buf(),
                known: SETTINGS
                    .iter()
                    .map(|s| file_key(s.var))
                    .collect::<Vec<_>>()
                    .join(", "),
            });
        };
        let text = match value {
            toml::Value::String(s) => s,
            toml::Value::Integer(i) => i.to_string(),
            toml::Value::Boolean(b) => if b { "on" } else { "off" }.to_owned(),
            toml::Value::Array(items) => items
                .iter()
                .map(|i| i.as_str().map_or_else(|| i.to_string(), str::to_owned))
                .collect::<Vec<_>>()
                .join(","),
            other => other.to_string(),
        };
        out.push((setting.var, text));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn defaults_match_the_documented_table() {
        let dir = tempfile::tempdir().unwrap();
        let c = Config::load(Some(&write(&dir, "")), env(&[])).unwrap();
        assert_eq!(c.listen.to_string(), "127.0.0.1:8080");
        assert_eq!(c.data_dir, PathBuf::from("./data"));
        assert_eq!(c.database_url.expose(), "sqlite://./data/storefleet.db");
        assert_eq!(c.base_domain.as_str(), "stores.localhost");
        assert_eq!(c.signup, Signup::Open);
        assert_eq!(c.default_store_quota, 5);
        assert_eq!(c.create_rate_per_minute, 5);
        assert_eq!(c.user_create_rate_per_minute, 5);
        assert!(c.trusted_proxies.is_empty());
        assert!(c.jwt_secret.is_none());
        assert_eq!(c.workers, 4);
        assert_eq!(c.provision_timeout_secs, 600);
        assert!(c.checkout_verify);
        assert_eq!(c.engines, [Engine::WooCommerce, Engine::Medusa]);
        assert_eq!(c.log_format, LogFormat::Text);
        assert_eq!(c.signup_rate_per_minute, 5);
        assert_eq!(c.max_connections, 1024);
        assert_eq!(c.max_connections_per_ip, 64);
        assert_eq!(c.header_timeout_secs, 10);
        assert_eq!(c.idle_timeout_secs, 60);
    }

    fn write(dir: &tempfile::TempDir, text: &str) -> PathBuf {
        let p = dir.path().join("storefleet.toml");
        std::fs::write(&p, text).unwrap();
        p
    }

    #[test]
    fn environment_beats_file_beats_default() {
        let dir = tempfile::tempdir().unwrap();
        let file = write(
            &dir,
            "signup = \"closed\"\nworkers = 8\ndefault_store_quota = 3\n",
        );
        let c = Config::load(Some(&file), env(&[("STOREFLEET_WORKERS", "2")])).unwrap();
        assert_eq!(c.signup, Signup::Closed);
        assert_eq!(c.workers, 2);
        assert_eq!(c.default_store_quota, 3);
        assert_eq!(c.sources["STOREFLEET_WORKERS"], Source::Env);
        assert_eq!(c.sources["STOREFLEET_SIGNUP"], Source::File(file));
        assert_eq!(c.sources["STOREFLEET_LISTEN"], Source::Default);
    }

    #[test]
    fn bad_values_name_the_variable_and_what_is_accepted() {
        let dir = tempfile::tempdir().unwrap();
        let file = write(&dir, "");
        let err = Config::load(Some(&file), env(&[("STOREFLEET_SIGNUP", "maybe")])).unwrap_err();
        let msg = err.to_string();
        assert!(
            msg.contains("STOREFLEET_SIGNUP") && msg.contains("`open` or `closed`"),
            "{msg}"
        );
        for (var, value) in [
            ("STOREFLEET_LISTEN", "nowhere"),
            ("STOREFLEET_WORKERS", "257"),
            ("STOREFLEET_DEFAULT_STORE_QUOTA", "-1"),
            ("STOREFLEET_TRUSTED_PROXIES", "10.0.0.0/99"),
            ("STOREFLEET_JWT_SECRET", "short"),
            ("STOREFLEET_DATABASE_URL", "mysql://x"),
            ("STOREFLEET_BASE_DOMAIN", "Not A Domain"),
            ("STOREFLEET_CHECKOUT_VERIFY", "yes"),
            ("STOREFLEET_ENGINES", "woocommerce,woocommerce"),
            ("STOREFLEET_ENGINES", "shopify"),
            ("STOREFLEET_ENGINES", ""),
            ("STOREFLEET_LOG_FORMAT", "xml"),
            ("STOREFLEET_VALUES_FILE", "/definitely/missing.yaml"),
        ] {
            let err = Config::load(Some(&file), env(&[(var, value)])).unwrap_err();
            assert!(err.to_string().contains(var), "{var}: {err}");
        }
        let err = Config::load(Some(&write(&dir, "no_such = 1\n")), env(&[])).unwrap_err();
        assert!(err.to_string().contains("no_such"));
    }

    #[test]
    fn values_files_apply_to_every_engine_or_to_the_one_named() {
        let dir = tempfile::tempdir().unwrap();
        let file = write(&dir, "");
        let all = dir.path().join("all.yaml");
        std::fs::write(&all, "a: 1\n").unwrap();
        let local = dir.path().join("local.yaml");
        std::fs::write(&local, "b: 2\n").unwrap();
        let listed = format!("{},medusa={}", all.display(), local.display());
        let c = Config::load(Some(&file), env(&[("STOREFLEET_VALUES_FILE", &listed)])).unwrap();
        assert_eq!(c.values_files_for(Engine::WooCommerce), vec![all.clone()]);
        assert_eq!(c.values_files_for(Engine::Medusa), vec![all, local]);
        for bad in ["shopify=/etc/hostname", "medusa=/definitely/missing.yaml"] {
            let err = Config::load(Some(&file), env(&[("STOREFLEET_VALUES_FILE", bad)]))
                .unwrap_err()
                .to_string();
            assert!(err.contains("STOREFLEET_VALUES_FILE"), "{err}");
            assert!(
                err.contains("not an engine (one of: woocommerce, medusa)")
                    || err.contains("/definitely/missing.yaml: no such file"),
                "{err}"
            );
        }
    }

    #[test]
    fn secrets_are_redacted_when_shown() {
        let dir = tempfile::tempdir().unwrap();
        let c = Config::load(
            Some(&write(&dir, "")),
            env(&[
                (
                    "STOREFLEET_JWT_SECRET",
                    "0123456789abcdef0123456789abcdef-secret",
                ),
                (
                    "STOREFLEET_DATABASE_URL",
                    "postgres://sf:hunter2hunter2@db/storefleet",
                ),
            ]),
        )
        .unwrap();
        let shown = c.render();
        assert!(!shown.contains("hunter2"), "{shown}");
        assert!(!shown.contains("0123456789abcdef0123456789abcdef-secret"));
        assert!(shown.contains("postgres://sf:<redacted>@db/storefleet"));
        assert!(!format!("{c:?}").contains("hunter2"));
    }
}
