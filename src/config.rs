//! Typed configuration: built-in defaults < optional `storefleet.toml` < `STOREFLEET_*`
//! environment. Every value is parsed once here; a bad value names its variable and what
//! it accepts. Secrets are redacted wherever the configuration is shown.

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use ipnet::IpNet;

use crate::domain::Domain;

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
    /// Extra helm values files for every store, in order (later ones win).
    pub values_files: Vec<PathBuf>,
    pub log_format: LogFormat,
    /// The helm binary (found on PATH unless a path is given).
    pub helm: PathBuf,
    /// Directory holding the store charts (`woocommerce-store/`).
    pub chart_dir: PathBuf,
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

/// One setting: its variable, its key in `storefleet.toml`, its default and its meaning.
struct Setting {
    var: &'static str,
    default: &'static str,
    secret: bool,
}

const SETTINGS: &[Setting] = &[
    Setting {
        var: "STOREFLEET_LISTEN",
        default: "127.0.0.1:8080",
        secret: false,
    },
    Setting {
        var: "STOREFLEET_DATA_DIR",
        default: "./data",
        secret: false,
    },
    Setting {
        var: "STOREFLEET_DATABASE_URL",
        default: "",
        secret: true,
    },
    Setting {
        var: "STOREFLEET_BASE_DOMAIN",
        default: "stores.localhost",
        secret: false,
    },
    Setting {
        var: "STOREFLEET_SIGNUP",
        default: "open",
        secret: false,
    },
    Setting {
        var: "STOREFLEET_DEFAULT_STORE_QUOTA",
        default: "5",
        secret: false,
    },
    Setting {
        var: "STOREFLEET_CREATE_RATE_PER_MINUTE",
        default: "5",
        secret: false,
    },
    Setting {
        var: "STOREFLEET_USER_CREATE_RATE_PER_MINUTE",
        default: "5",
        secret: false,
    },
    Setting {
        var: "STOREFLEET_TRUSTED_PROXIES",
        default: "",
        secret: false,
    },
    Setting {
        var: "STOREFLEET_JWT_SECRET",
        default: "",
        secret: true,
    },
    Setting {
        var: "STOREFLEET_SESSION_TTL_SECS",
        default: "43200",
        secret: false,
    },
    Setting {
        var: "STOREFLEET_PUBLIC_URL",
        default: "",
        secret: false,
    },
    Setting {
        var: "STOREFLEET_KUBE_CONTEXT",
        default: "",
        secret: false,
    },
    Setting {
        var: "STOREFLEET_WORKERS",
        default: "4",
        secret: false,
    },
    Setting {
        var: "STOREFLEET_PROVISION_TIMEOUT_SECS",
        default: "600",
        secret: false,
    },
    Setting {
        var: "STOREFLEET_CHECKOUT_VERIFY",
        default: "on",
        secret: false,
    },
    Setting {
        var: "STOREFLEET_VALUES_FILE",
        default: "",
        secret: false,
    },
    Setting {
        var: "STOREFLEET_LOG_FORMAT",
        default: "text",
        secret: false,
    },
    Setting {
        var: "STOREFLEET_HELM",
        default: "helm",
        secret: false,
    },
    Setting {
        var: "STOREFLEET_CHART_DIR",
        default: "./charts",
        secret: false,
    },
    Setting {
        var: "STOREFLEET_HELM_CONCURRENCY",
        default: "4",
        secret: false,
    },
    Setting {
        var: "STOREFLEET_KUBE_QPS",
        default: "50",
        secret: false,
    },
    Setting {
        var: "STOREFLEET_KUBE_BURST",
        default: "100",
        secret: false,
    },
    Setting {
        var: "STOREFLEET_RESYNC_SECS",
        default: "60",
        secret: false,
    },
    Setting {
        var: "STOREFLEET_STORE_URL_SCHEME",
        default: "http",
        secret: false,
    },
    Setting {
        var: "STOREFLEET_INGRESS_ADDRESS",
        default: "",
        secret: false,
    },
    Setting {
        var: "STOREFLEET_SWEEP",
        default: "report",
        secret: false,
    },
    Setting {
        var: "STOREFLEET_SIGNUP_RATE_PER_MINUTE",
        default: "5",
        secret: false,
    },
    Setting {
        var: "STOREFLEET_MAX_CONNECTIONS",
        default: "1024",
        secret: false,
    },
    Setting {
        var: "STOREFLEET_MAX_CONNECTIONS_PER_IP",
        default: "64",
        secret: false,
    },
    Setting {
        var: "STOREFLEET_HEADER_TIMEOUT_SECS",
        default: "10",
        secret: false,
    },
    Setting {
        var: "STOREFLEET_IDLE_TIMEOUT_SECS",
        default: "60",
        secret: false,
    },
];

const PREFIX: &str = "STOREFLEET_";

fn file_key(var: &str) -> String {
    var.trim_start_matches(PREFIX).to_lowercase()
}

/// Raw values with their sources, before parsing.
struct Raw {
    values: HashMap<&'static str, (String, Source)>,
}

impl Raw {
    fn get(&self, var: &'static str) -> (&str, &Source) {
        self.values
            .get(var)
            .map(|(v, s)| (v.as_str(), s))
            .unwrap_or(("", &Source::Default))
    }

    fn parse<T>(
        &self,
        var: &'static str,
        accepted: &str,
        parse: impl FnOnce(&str) -> Result<T, String>,
    ) -> Result<T, ConfigError> {
        let (value, source) = self.get(var);
        parse(value).map_err(|problem| ConfigError::Invalid {
            variable: var.to_owned(),
            value: value.to_owned(),
            origin: source.clone(),
            problem,
            accepted: accepted.to_owned(),
        })
    }

    fn optional(&self, var: &'static str) -> Option<String> {
        let (v, _) = self.get(var);
        (!v.trim().is_empty()).then(|| v.trim().to_owned())
    }
}

fn number<T: FromStr + PartialOrd + fmt::Display + Copy>(
    min: T,
    max: T,
) -> impl FnOnce(&str) -> Result<T, String> {
    move |s| {
        let n: T = s
            .trim()
            .parse()
            .map_err(|_| "not a whole number".to_owned())?;
        if n < min || n > max {
            return Err(format!("out of range {min}..={max}"));
        }
        Ok(n)
    }
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

        let raw = Raw { values };
        let mut config = Self::from_raw(&raw)?;
        config.kubeconfig = kubeconfig;
        Ok(config)
    }

    fn from_raw(raw: &Raw) -> Result<Self, ConfigError> {
        let listen = raw.parse("STOREFLEET_LISTEN", "an address like 127.0.0.1:8080", |s| {
            s.trim().parse::<SocketAddr>().map_err(|e| e.to_string())
        })?;
        let data_dir = raw.parse("STOREFLEET_DATA_DIR", "a directory path", |s| {
            if s.trim().is_empty() {
                Err("must not be empty".to_owned())
            } else {
                Ok(PathBuf::from(s.trim()))
            }
        })?;
        let database_url = match raw.optional("STOREFLEET_DATABASE_URL") {
            None => format!("sqlite://{}", data_dir.join("storefleet.db").display()),
            Some(url) => raw.parse(
                "STOREFLEET_DATABASE_URL",
                "sqlite://<path> or postgres://user:password@host/db",
                |_| {
                    if url.starts_with("sqlite:")
                        || url.starts_with("postgres://")
                        || url.starts_with("postgresql://")
                    {
                        Ok(url.clone())
                    } else {
                        Err("unsupported URL scheme".to_owned())
                    }
                },
            )?,
        };
        let base_domain = raw.parse(
            "STOREFLEET_BASE_DOMAIN",
            "a lowercase domain with at least two labels, like stores.example.com",
            |s| Domain::parse(s.trim()).map_err(|e| e.to_string()),
        )?;
        let signup = raw.parse("STOREFLEET_SIGNUP", "`open` or `closed`", |s| {
            match s.trim() {
                "open" => Ok(Signup::Open),
                "closed" => Ok(Signup::Closed),
                _ => Err("unknown value".to_owned()),
            }
        })?;
        let default_store_quota = raw.parse(
            "STOREFLEET_DEFAULT_STORE_QUOTA",
            "a whole number 0..=10000",
            number(0u32, 10_000),
        )?;
        let create_rate_per_minute = raw.parse(
            "STOREFLEET_CREATE_RATE_PER_MINUTE",
            "a whole number 1..=1000000",
            number(1u32, 1_000_000),
        )?;
        let user_create_rate_per_minute = raw.parse(
            "STOREFLEET_USER_CREATE_RATE_PER_MINUTE",
            "a whole number 1..=1000000",
            number(1u32, 1_000_000),
        )?;
        let trusted_proxies = raw.parse(
            "STOREFLEET_TRUSTED_PROXIES",
            "comma-separated CIDRs or addresses, like 10.0.0.0/8,127.0.0.1",
            |s| {
                s.split(',')
                    .map(str::trim)
                    .filter(|p| !p.is_empty())
                    .map(|p| {
                        p.parse::<IpNet>()
                            .or_else(|_| p.parse::<std::net::IpAddr>().map(IpNet::from))
                            .map_err(|_| format!("{p:?} is not a CIDR or IP address"))
                    })
                    .collect()
            },
        )?;
        let jwt_secret = match raw.optional("STOREFLEET_JWT_SECRET") {
            None => None,
            Some(secret) => Some(raw.parse(
                "STOREFLEET_JWT_SECRET",
                "a random string of at least 32 characters",
                |_| {
                    if secret.len() < 32 {
                        Err(format!("too short ({} characters)", secret.len()))
                    } else {
                        Ok(Secret::new(secret.clone()))
                    }
                },
            )?),
        };
        let session_ttl_secs = raw.parse(
            "STOREFLEET_SESSION_TTL_SECS",
            "seconds, 60..=2592000",
            number(60u64, 2_592_000),
        )?;
        let public_url = match raw.optional("STOREFLEET_PUBLIC_URL") {
            None => None,
            Some(url) => Some(raw.parse(
                "STOREFLEET_PUBLIC_URL",
                "the dashboard's external origin, like https://storefleet.example.com",
                |_| {
                    let trimmed = url.trim_end_matches('/');
                    let ok = (trimmed.starts_with("http://") || trimmed.starts_with("https://"))
                        && trimmed
                            .split("://")
                            .nth(1)
                            .is_some_and(|h| !h.is_empty() && !h.contains('/'));
                    if ok {
                        Ok(trimmed.to_owned())
                    } else {
                        Err("not an http(s) origin without a path".to_owned())
                    }
                },
            )?),
        };
        let kube_context = raw.optional("STOREFLEET_KUBE_CONTEXT");
        let workers = raw.parse(
            "STOREFLEET_WORKERS",
            "a whole number 1..=256",
            number(1u32, 256),
        )?;
        let provision_timeout_secs = raw.parse(
            "STOREFLEET_PROVISION_TIMEOUT_SECS",
            "seconds, 30..=86400",
            number(30u64, 86_400),
        )?;
        let checkout_verify =
            raw.parse("STOREFLEET_CHECKOUT_VERIFY", "`on` or `off`", |s| {
                match s.trim() {
                    "on" => Ok(true),
                    "off" => Ok(false),
                    _ => Err("unknown value".to_owned()),
                }
            })?;
        let values_files = raw.parse(
            "STOREFLEET_VALUES_FILE",
            "paths of readable helm values files, separated by commas (later ones win)",
            |s| {
                s.split(',')
                    .map(str::trim)
                    .filter(|p| !p.is_empty())
                    .map(|p| {
                        let path = PathBuf::from(p);
                        if path.is_file() {
                            Ok(path)
                        } else {
                            Err(format!("{p}: no such file"))
                        }
                    })
                    .collect()
            },
        )?;
        let log_format = raw.parse("STOREFLEET_LOG_FORMAT", "`text` or `json`", |s| {
            match s.trim() {
                "text" => Ok(LogFormat::Text),
                "json" => Ok(LogFormat::Json),
                _ => Err("unknown value".to_owned()),
            }
        })?;

        let helm = raw.parse("STOREFLEET_HELM", "a helm binary name or path", |s| {
            if s.trim().is_empty() {
                Err("must not be empty".to_owned())
            } else {
                Ok(PathBuf::from(s.trim()))
            }
        })?;
        let chart_dir = raw.parse("STOREFLEET_CHART_DIR", "a directory path", |s| {
            if s.trim().is_empty() {
                Err("must not be empty".to_owned())
            } else {
                Ok(PathBuf::from(s.trim()))
            }
        })?;
        let helm_concurrency = raw.parse(
            "STOREFLEET_HELM_CONCURRENCY",
            "a whole number 1..=64",
            number(1u32, 64),
        )?;
        let kube_qps = raw.parse(
            "STOREFLEET_KUBE_QPS",
            "a whole number 1..=10000",
            number(1u32, 10_000),
        )?;
        let kube_burst = raw.parse(
            "STOREFLEET_KUBE_BURST",
            "a whole number 1..=20000",
            number(1u32, 20_000),
        )?;
        let resync_secs = raw.parse(
            "STOREFLEET_RESYNC_SECS",
            "seconds, 5..=86400",
            number(5u64, 86_400),
        )?;
        let store_url_scheme = raw.parse(
            "STOREFLEET_STORE_URL_SCHEME",
            "`http` or `https`",
            |s| match s.trim() {
                "http" | "https" => Ok(s.trim().to_owned()),
                _ => Err("unknown value".to_owned()),
            },
        )?;
        let ingress_address = match raw.optional("STOREFLEET_INGRESS_ADDRESS") {
            None => None,
            Some(addr) => Some(raw.parse(
                "STOREFLEET_INGRESS_ADDRESS",
                "host:port of the ingress, like 127.0.0.1:80",
                |_| {
                    let ok = addr
                        .rsplit_once(':')
                        .is_some_and(|(h, p)| !h.is_empty() && p.parse::<u16>().is_ok());
                    if ok {
                        Ok(addr.clone())
                    } else {
                        Err("not host:port".to_owned())
                    }
                },
            )?),
        };
        let sweep_delete = raw.parse("STOREFLEET_SWEEP", "`report` or `delete`", |s| {
            match s.trim() {
                "report" => Ok(false),
                "delete" => Ok(true),
                _ => Err("unknown value".to_owned()),
            }
        })?;

        let signup_rate_per_minute = raw.parse(
            "STOREFLEET_SIGNUP_RATE_PER_MINUTE",
            "a whole number 1..=1000000",
            number(1u32, 1_000_000),
        )?;
        let max_connections = raw.parse(
            "STOREFLEET_MAX_CONNECTIONS",
            "a whole number 1..=1000000",
            number(1u32, 1_000_000),
        )?;
        let max_connections_per_ip = raw.parse(
            "STOREFLEET_MAX_CONNECTIONS_PER_IP",
            "a whole number 1..=1000000",
            number(1u32, 1_000_000),
        )?;
        let header_timeout_secs = raw.parse(
            "STOREFLEET_HEADER_TIMEOUT_SECS",
            "seconds, 1..=300",
            number(1u64, 300),
        )?;
        // Above the event stream's 15 s keep-alive, so open streams are never idle.
        let idle_timeout_secs = raw.parse(
            "STOREFLEET_IDLE_TIMEOUT_SECS",
            "seconds, 20..=3600",
            number(20u64, 3600),
        )?;

        let sources = SETTINGS
            .iter()
            .map(|s| (s.var, raw.get(s.var).1.clone()))
            .collect();

        Ok(Config {
            listen,
            data_dir,
            database_url: Secret::new(database_url),
            base_domain,
            signup,
            default_store_quota,
            create_rate_per_minute,
            user_create_rate_per_minute,
            trusted_proxies,
            jwt_secret,
            session_ttl_secs,
            public_url,
            kube_context,
            kubeconfig: None,
            workers,
            provision_timeout_secs,
            checkout_verify,
            values_files,
            log_format,
            helm,
            chart_dir,
            helm_concurrency,
            kube_qps,
            kube_burst,
            resync_secs,
            store_url_scheme,
            ingress_address,
            sweep_delete,
            signup_rate_per_minute,
            max_connections,
            max_connections_per_ip,
            header_timeout_secs,
            idle_timeout_secs,
            sources,
        })
    }

    /// The effective configuration as `VARIABLE = value  # source` lines, secrets redacted.
    pub fn render(&self) -> String {
        let mut out = String::new();
        for setting in SETTINGS {
            let value = self.display_value(setting.var);
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

    fn display_value(&self, var: &str) -> String {
        let opt = |v: &Option<String>, none: &str| v.clone().unwrap_or_else(|| none.to_owned());
        match var {
            "STOREFLEET_LISTEN" => self.listen.to_string(),
            "STOREFLEET_DATA_DIR" => self.data_dir.display().to_string(),
            "STOREFLEET_DATABASE_URL" => self.database_url.expose().to_owned(),
            "STOREFLEET_BASE_DOMAIN" => self.base_domain.to_string(),
            "STOREFLEET_SIGNUP" => match self.signup {
                Signup::Open => "open".into(),
                Signup::Closed => "closed".into(),
            },
            "STOREFLEET_DEFAULT_STORE_QUOTA" => self.default_store_quota.to_string(),
            "STOREFLEET_CREATE_RATE_PER_MINUTE" => self.create_rate_per_minute.to_string(),
            "STOREFLEET_USER_CREATE_RATE_PER_MINUTE" => {
                self.user_create_rate_per_minute.to_string()
            }
            "STOREFLEET_TRUSTED_PROXIES" => {
                if self.trusted_proxies.is_empty() {
                    "(none)".into()
                } else {
                    self.trusted_proxies
                        .iter()
                        .map(ToString::to_string)
                        .collect::<Vec<_>>()
                        .join(",")
                }
            }
            "STOREFLEET_JWT_SECRET" => match self.jwt_secret {
                Some(_) => "<redacted>".into(),
                None => format!(
                    "(generated once into {})",
                    self.data_dir.join("jwt-secret").display()
                ),
            },
            "STOREFLEET_SESSION_TTL_SECS" => self.session_ttl_secs.to_string(),
            "STOREFLEET_PUBLIC_URL" => opt(&self.public_url, "(none: same origin as requests)"),
            "STOREFLEET_KUBE_CONTEXT" => opt(&self.kube_context, "(current context)"),
            "STOREFLEET_WORKERS" => self.workers.to_string(),
            "STOREFLEET_PROVISION_TIMEOUT_SECS" => self.provision_timeout_secs.to_string(),
            "STOREFLEET_CHECKOUT_VERIFY" => if self.checkout_verify { "on" } else { "off" }.into(),
            "STOREFLEET_VALUES_FILE" => {
                if self.values_files.is_empty() {
                    "(none)".into()
                } else {
                    self.values_files
                        .iter()
                        .map(|p| p.display().to_string())
                        .collect::<Vec<_>>()
                        .join(",")
                }
            }
            "STOREFLEET_LOG_FORMAT" => match self.log_format {
                LogFormat::Text => "text".into(),
                LogFormat::Json => "json".into(),
            },
            "STOREFLEET_HELM" => self.helm.display().to_string(),
            "STOREFLEET_CHART_DIR" => self.chart_dir.display().to_string(),
            "STOREFLEET_HELM_CONCURRENCY" => self.helm_concurrency.to_string(),
            "STOREFLEET_KUBE_QPS" => self.kube_qps.to_string(),
            "STOREFLEET_KUBE_BURST" => self.kube_burst.to_string(),
            "STOREFLEET_RESYNC_SECS" => self.resync_secs.to_string(),
            "STOREFLEET_STORE_URL_SCHEME" => self.store_url_scheme.clone(),
            "STOREFLEET_INGRESS_ADDRESS" => {
                opt(&self.ingress_address, "(none: the store's own host)")
            }
            "STOREFLEET_SWEEP" => if self.sweep_delete {
                "delete"
            } else {
                "report"
            }
            .into(),
            "STOREFLEET_SIGNUP_RATE_PER_MINUTE" => self.signup_rate_per_minute.to_string(),
            "STOREFLEET_MAX_CONNECTIONS" => self.max_connections.to_string(),
            "STOREFLEET_MAX_CONNECTIONS_PER_IP" => self.max_connections_per_ip.to_string(),
            "STOREFLEET_HEADER_TIMEOUT_SECS" => self.header_timeout_secs.to_string(),
            "STOREFLEET_IDLE_TIMEOUT_SECS" => self.idle_timeout_secs.to_string(),
            _ => String::new(),
        }
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
            ("STOREFLEET_WORKERS", "0"),
            ("STOREFLEET_DEFAULT_STORE_QUOTA", "-1"),
            ("STOREFLEET_TRUSTED_PROXIES", "10.0.0.0/99"),
            ("STOREFLEET_JWT_SECRET", "short"),
            ("STOREFLEET_DATABASE_URL", "mysql://x"),
            ("STOREFLEET_BASE_DOMAIN", "Not A Domain"),
            ("STOREFLEET_CHECKOUT_VERIFY", "yes"),
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
