//! Passwords (argon2id) and session tokens (HS256 JWT). The signing key comes from
//! configuration or is generated once into the data directory; there is no built-in key.

use std::io::Write as _;
use std::path::Path;

use anyhow::Context as _;
use argon2::Argon2;
use argon2::password_hash::{PasswordHash, SaltString};
use base64::Engine as _;
use chrono::{DateTime, Utc};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use rand::RngCore as _;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::config::{Config, Secret};

pub const SESSION_COOKIE: &str = "storefleet_session";
const KEY_FILE: &str = "jwt-secret";

thread_local! {
    /// This thread's argon2 work area, kept between hashes (see [`hash_pool`]).
    static WORK_AREA: std::cell::RefCell<Vec<argon2::Block>> =
        const { std::cell::RefCell::new(Vec::new()) };
}

/// Run `f` with this thread's work area of at least `blocks` blocks.
fn with_work_area<T>(blocks: usize, f: impl FnOnce(&mut [argon2::Block]) -> T) -> T {
    WORK_AREA.with(|cell| {
        let mut area = cell.borrow_mut();
        if area.len() < blocks {
            area.resize(blocks, argon2::Block::default());
        }
        f(&mut area[..blocks])
    })
}

/// Hash a password with argon2id (the crate's default parameters) and a random salt, as a
/// PHC string. Slow on purpose: run it with [`password_work`].
pub fn hash_password(password: &str) -> anyhow::Result<String> {
    let mut salt = [0u8; 16];
    rand::rng().fill_bytes(&mut salt);
    let salt_string = SaltString::encode_b64(&salt).map_err(|e| anyhow::anyhow!("salt: {e}"))?;
    let argon = Argon2::default();
    let params = argon.params().clone();
    let mut out = [0u8; argon2::Params::DEFAULT_OUTPUT_LEN];
    with_work_area(params.block_count(), |area| {
        argon.hash_password_into_with_memory(password.as_bytes(), &salt, &mut out, area)
    })
    .map_err(|e| anyhow::anyhow!("hashing failed: {e}"))?;
    let phc = PasswordHash {
        algorithm: argon2::Algorithm::Argon2id.ident(),
        version: Some(argon2::Version::V0x13.into()),
        params: argon2::password_hash::ParamsString::try_from(&params)
            .map_err(|e| anyhow::anyhow!("hash parameters: {e}"))?,
        salt: Some(salt_string.as_salt()),
        hash: Some(
            argon2::password_hash::Output::new(&out)
                .map_err(|e| anyhow::anyhow!("hash output: {e}"))?,
        ),
    };
    Ok(phc.to_string())
}

/// Whether `password` matches `hash` (a PHC string). A malformed hash never matches.
pub fn verify_password(password: &str, hash: &str) -> bool {
    let Ok(parsed) = PasswordHash::new(hash) else {
        return false;
    };
    let (Some(expected), Some(salt)) = (parsed.hash, parsed.salt) else {
        return false;
    };
    let Ok(algorithm) = argon2::Algorithm::try_from(parsed.algorithm) else {
        return false;
    };
    let version = match parsed.version.map(argon2::Version::try_from) {
        None => argon2::Version::default(),
        Some(Ok(v)) => v,
        Some(Err(_)) => return false,
    };
    let Ok(params) = argon2::Params::try_from(&parsed) else {
        return false;
    };
    let mut salt_buf = [0u8; 64];
    let Ok(salt) = salt.decode_b64(&mut salt_buf) else {
        return false;
    };
    let blocks = params.block_count();
    let argon = Argon2::new(algorithm, version, params);
    let mut out = vec![0u8; expected.len()];
    let computed = with_work_area(blocks, |area| {
        argon.hash_password_into_with_memory(password.as_bytes(), salt, &mut out, area)
    });
    // Output's equality is constant-time.
    computed.is_ok()
        && argon2::password_hash::Output::new(&out).is_ok_and(|actual| actual == expected)
}

type PasswordJob = Box<dyn FnOnce() + Send>;

/// The queue of the password hashing threads, started at first use: a few long-lived
/// threads (one per core), each with its
/// own argon2 work area (19 MiB) reused for every hash. Allocating a fresh work area per
/// hash, as argon2's own `hash_password` does, left glibc holding about 19 MiB more after
/// each of the first sign-ups (194-215 MB after 10, docs/benchmarks.md); a fixed set of
/// threads with fixed work areas bounds the server's memory, and more than one hash per
/// core at a time would only queue for the CPU anyway.
fn hash_pool() -> &'static std::sync::mpsc::Sender<PasswordJob> {
    static POOL: std::sync::OnceLock<std::sync::mpsc::Sender<PasswordJob>> =
        std::sync::OnceLock::new();
    POOL.get_or_init(|| {
        let (tx, rx) = std::sync::mpsc::channel::<PasswordJob>();
        let rx = std::sync::Arc::new(std::sync::Mutex::new(rx));
        let threads = std::thread::available_parallelism().map_or(2, |n| n.get().min(8));
        for n in 0..threads {
            let rx = rx.clone();
            let spawned = std::thread::Builder::new()
                .name(format!("password-{n}"))
                .spawn(move || {
                    loop {
                        let job = match rx.lock() {
                            Ok(rx) => rx.recv(),
                            Err(_) => return,
                        };
                        match job {
                            Ok(job) => job(),
                            Err(_) => return,
                        }
                    }
                });
            if let Err(e) = spawned {
                tracing::error!(error = %e, "cannot start a password hashing thread");
            }
        }
        tx
    })
}

/// Run password work (hashing, verifying) on the hashing threads.
pub async fn password_work<T: Send + 'static>(
    work: impl FnOnce() -> T + Send + 'static,
) -> anyhow::Result<T> {
    let (tx, rx) = tokio::sync::oneshot::channel();
    hash_pool()
        .send(Box::new(move || {
            let _ = tx.send(work());
        }))
        .map_err(|_| anyhow::anyhow!("password hashing is unavailable"))?;
    rx.await
        .map_err(|_| anyhow::anyhow!("password hashing stopped"))
}

/// A hash to verify against when the email is unknown, so both answers take as long.
pub fn decoy_hash() -> &'static str {
    static DECOY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DECOY.get_or_init(|| hash_password("storefleet-decoy-password").unwrap_or_default())
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Claims {
    sub: String,
    iat: i64,
    exp: i64,
    jti: String,
}

/// What a valid token says: whose it is and which server-side session it belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionClaims {
    pub user: Uuid,
    pub session: String,
}

/// Issues and checks session tokens.
#[derive(Clone)]
pub struct TokenKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    ttl: chrono::Duration,
}

impl std::fmt::Debug for TokenKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenKeys")
            .field("ttl", &self.ttl)
            .finish_non_exhaustive()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum TokenError {
    #[error("the session has expired; sign in again")]
    Expired,
    #[error("the session token is not valid")]
    Invalid,
}

impl TokenKeys {
    pub fn new(secret: &[u8], ttl_secs: u64) -> Self {
        Self {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            ttl: chrono::Duration::seconds(i64::try_from(ttl_secs).unwrap_or(i64::MAX / 2)),
        }
    }

    /// The configured key, or the one kept in the data directory (created on first use).
    pub fn from_config(config: &Config) -> anyhow::Result<Self> {
        let secret = match &config.jwt_secret {
            Some(secret) => secret.clone(),
            None => load_or_create_key(&config.data_dir)?,
        };
        Ok(Self::new(
            secret.expose().as_bytes(),
            config.session_ttl_secs,
        ))
    }

    /// A token for `user` naming a fresh session id (not recorded anywhere: the server
    /// issues tokens with [`TokenKeys::issue_session`] and records the session first).
    pub fn issue(&self, user: Uuid, now: DateTime<Utc>) -> anyhow::Result<(String, DateTime<Utc>)> {
        self.issue_session(user, &Uuid::new_v4().to_string(), now)
    }

    /// A token for `user` naming the server-side session `session` (its `jti`).
    pub fn issue_session(
        &self,
        user: Uuid,
        session: &str,
        now: DateTime<Utc>,
    ) -> anyhow::Result<(String, DateTime<Utc>)> {
        let expires = self.expires_at(now);
        let claims = Claims {
            sub: user.to_string(),
            iat: now.timestamp(),
            exp: expires.timestamp(),
            jti: session.to_owned(),
        };
        let token = jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
            .context("cannot sign token")?;
        Ok((token, expires))
    }

    /// When a session that starts at `now` ends.
    pub fn expires_at(&self, now: DateTime<Utc>) -> DateTime<Utc> {
        now + self.ttl
    }

    pub fn verify(&self, token: &str) -> Result<Uuid, TokenError> {
        self.verify_session(token).map(|claims| claims.user)
    }

    /// The user and the session a validly signed, unexpired token names. Whether the
    /// session is still live is the database's to say.
    pub fn verify_session(&self, token: &str) -> Result<SessionClaims, TokenError> {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.leeway = 0;
        validation.set_required_spec_claims(&["exp", "sub"]);
        let data = jsonwebtoken::decode::<Claims>(token, &self.decoding, &validation).map_err(
            |e| match e.kind() {
                jsonwebtoken::errors::ErrorKind::ExpiredSignature => TokenError::Expired,
                _ => TokenError::Invalid,
            },
        )?;
        let user = Uuid::parse_str(&data.claims.sub).map_err(|_| TokenError::Invalid)?;
        if data.claims.jti.is_empty() {
            return Err(TokenError::Invalid);
        }
        Ok(SessionClaims {
            user,
            session: data.claims.jti,
        })
    }

    pub fn ttl_secs(&self) -> i64 {
        self.ttl.num_seconds()
    }
}

fn load_or_create_key(data_dir: &Path) -> anyhow::Result<Secret> {
    let path = data_dir.join(KEY_FILE);
    match std::fs::read_to_string(&path) {
        Ok(text) if text.trim().len() >= 32 => return Ok(Secret::new(text.trim().to_owned())),
        Ok(_) => anyhow::bail!(
            "the signing key in {} is too short; remove it to have a new one generated",
            path.display()
        ),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(e).with_context(|| format!("cannot read {}", path.display())),
    }
    std::fs::create_dir_all(data_dir)
        .with_context(|| format!("cannot create data directory {}", data_dir.display()))?;
    let mut bytes = [0u8; 48];
    rand::rng().fill_bytes(&mut bytes);
    let key = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes);
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.mode(0o600);
    }
    match options.open(&path) {
        Ok(mut file) => {
            file.write_all(key.as_bytes())
                .and_then(|()| file.sync_all())
                .with_context(|| format!("cannot write {}", path.display()))?;
            Ok(Secret::new(key))
        }
        // Another process created it first: use theirs.
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => load_or_create_key(data_dir),
        Err(e) => Err(e).with_context(|| format!("cannot create {}", path.display())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_hash_and_verify() {
        let h = hash_password("correct horse battery").unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(verify_password("correct horse battery", &h));
        assert!(!verify_password("wrong horse battery", &h));
        assert!(!verify_password("x", "not a hash"));
    }

    #[test]
    fn hashes_are_interchangeable_with_the_argon2_crates_own() {
        use argon2::password_hash::{PasswordHasher as _, PasswordVerifier as _};
        // Stored hashes made by argon2's own hasher keep verifying, and ours verify there.
        let salt = SaltString::encode_b64(b"0123456789abcdef").unwrap();
        let theirs = Argon2::default()
            .hash_password(b"open sesame", &salt)
            .unwrap()
            .to_string();
        assert!(verify_password("open sesame", &theirs));
        assert!(!verify_password("open sesame!", &theirs));
        let ours = hash_password("open sesame").unwrap();
        let parsed = PasswordHash::new(&ours).unwrap();
        assert!(
            Argon2::default()
                .verify_password(b"open sesame", &parsed)
                .is_ok()
        );
        // Other parameters (an older or stronger configuration) are honoured.
        let params = argon2::Params::new(1024, 3, 1, None).unwrap();
        let other = Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params)
            .hash_password(b"pw", &salt)
            .unwrap()
            .to_string();
        assert!(verify_password("pw", &other));
        assert!(!verify_password("pw2", &other));
        // A tampered hash never matches.
        let tampered = theirs.replace("m=19456", "m=19457");
        assert!(!verify_password("open sesame", &tampered));
    }

    #[test]
    fn tokens_round_trip_and_expire() {
        let keys = TokenKeys::new(b"0123456789abcdef0123456789abcdef", 3600);
        let user = Uuid::new_v4();
        let (token, _) = keys.issue(user, Utc::now()).unwrap();
        assert_eq!(keys.verify(&token).unwrap(), user);
        let (old, _) = keys
            .issue(user, Utc::now() - chrono::Duration::hours(2))
            .unwrap();
        assert!(matches!(keys.verify(&old), Err(TokenError::Expired)));
        let other = TokenKeys::new(b"another-key-another-key-another-key", 3600);
        assert!(matches!(other.verify(&token), Err(TokenError::Invalid)));
    }

    #[test]
    fn the_key_is_generated_once_and_kept() {
        let dir = tempfile::tempdir().unwrap();
        let a = load_or_create_key(dir.path()).unwrap();
        let b = load_or_create_key(dir.path()).unwrap();
        assert_eq!(a, b);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = std::fs::metadata(dir.path().join(KEY_FILE))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }
}
