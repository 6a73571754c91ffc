//! Generated per-store secrets. They are created once into the store's Secret and never
//! written to the platform database, logs or errors.

use std::collections::BTreeMap;
use std::fmt;

use rand::Rng;
use rand::distr::Alphanumeric;

/// What kind of secret a key of a store's Secret holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SecretKind {
    /// 32 letters and digits: safe in URLs, shells and connection strings.
    Password,
    /// 64 printable characters without quotes, backslash or space (WordPress salts).
    Salt,
    /// 64 letters and digits (signing keys that end up in URLs or headers).
    Key,
}

/// One key of a store's credentials Secret, as the engine's chart expects it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SecretKey {
    pub name: &'static str,
    pub kind: SecretKind,
}

impl SecretKey {
    pub const fn password(name: &'static str) -> Self {
        Self {
            name,
            kind: SecretKind::Password,
        }
    }

    pub const fn salt(name: &'static str) -> Self {
        Self {
            name,
            kind: SecretKind::Salt,
        }
    }

    pub const fn key(name: &'static str) -> Self {
        Self {
            name,
            kind: SecretKind::Key,
        }
    }
}

const PASSWORD_LEN: usize = 32;
const SALT_LEN: usize = 64;
/// Printable ASCII without quotes, backslash and space, so salts survive PHP and shell quoting.
const SALT_CHARS: &[u8] =
    b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789!#$%&()*+,-./:;<=>?@[]^_{|}~";

/// A random id of lowercase letters and digits (a valid DNS label fragment), from a CSPRNG.
pub fn random_id(len: usize) -> String {
    const CHARS: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
    let mut rng = rand::rng();
    (0..len)
        .map(|_| char::from(CHARS[rng.random_range(0..CHARS.len())]))
        .collect()
}

fn alphanumeric(len: usize) -> String {
    rand::rng()
        .sample_iter(&Alphanumeric)
        .take(len)
        .map(char::from)
        .collect()
}

fn salt() -> String {
    let mut rng = rand::rng();
    (0..SALT_LEN)
        .map(|_| char::from(SALT_CHARS[rng.random_range(0..SALT_CHARS.len())]))
        .collect()
}

/// Every secret one store needs. `rand::rng()` is a CSPRNG seeded from the OS.
#[derive(Clone, PartialEq, Eq)]
pub struct StoreCredentials {
    values: BTreeMap<&'static str, String>,
}

impl StoreCredentials {
    /// A fresh value for every key.
    pub fn generate(keys: &[SecretKey]) -> Self {
        let values = keys
            .iter()
            .map(|key| {
                let value = match key.kind {
                    SecretKind::Password => alphanumeric(PASSWORD_LEN),
                    SecretKind::Salt => salt(),
                    SecretKind::Key => alphanumeric(SALT_LEN),
                };
                (key.name, value)
            })
            .collect();
        Self { values }
    }

    pub fn get(&self, key: &str) -> Option<&str> {
        self.values.get(key).map(String::as_str)
    }

    /// The Secret's string data.
    pub fn to_secret_data(&self) -> BTreeMap<String, String> {
        self.values
            .iter()
            .map(|(k, v)| ((*k).to_owned(), v.clone()))
            .collect()
    }
}

impl fmt::Debug for StoreCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StoreCredentials")
            .field("keys", &self.values.keys().collect::<Vec<_>>())
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    const KEYS: [SecretKey; 4] = [
        SecretKey::password("db-password"),
        SecretKey::password("admin-password"),
        SecretKey::salt("auth-salt"),
        SecretKey::key("jwt-secret"),
    ];

    #[test]
    fn credentials_are_long_unique_and_complete() {
        let a = StoreCredentials::generate(&KEYS);
        let b = StoreCredentials::generate(&KEYS);
        for key in KEYS {
            let va = a.get(key.name).unwrap();
            let vb = b.get(key.name).unwrap();
            assert_ne!(va, vb, "{} must differ between stores", key.name);
            match key.kind {
                SecretKind::Salt => {
                    assert_eq!(va.chars().count(), 64, "{}", key.name);
                    assert!(va.bytes().all(|c| SALT_CHARS.contains(&c)));
                }
                SecretKind::Key => {
                    assert_eq!(va.len(), 64, "{}", key.name);
                    assert!(va.bytes().all(|c| c.is_ascii_alphanumeric()));
                }
                SecretKind::Password => {
                    assert!(va.len() >= 24, "{}", key.name);
                    assert!(va.bytes().all(|c| c.is_ascii_alphanumeric()));
                }
            }
        }
        let within: HashSet<&str> = KEYS.iter().map(|k| a.get(k.name).unwrap()).collect();
        assert_eq!(within.len(), KEYS.len(), "no two secrets of a store repeat");
        assert_eq!(a.to_secret_data().len(), KEYS.len());
        let debug = format!("{a:?}");
        assert!(!debug.contains(a.get("db-password").unwrap()));
    }

    #[test]
    fn random_ids_are_dns_safe() {
        let id = random_id(8);
        assert_eq!(id.len(), 8);
        assert!(
            id.chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        );
    }
}
