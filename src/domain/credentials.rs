//! Generated per-store secrets. They are created once into the store's Secret and never
//! written to the platform database, logs or errors.

use std::collections::BTreeMap;
use std::fmt;

use rand::Rng;
use rand::distr::Alphanumeric;

/// The keys of a store's credentials Secret, as the store chart expects them.
pub const SECRET_KEYS: [&str; 11] = [
    "mariadb-root-password",
    "mariadb-password",
    "wordpress-admin-password",
    "wp-auth-key",
    "wp-secure-auth-key",
    "wp-logged-in-key",
    "wp-nonce-key",
    "wp-auth-salt",
    "wp-secure-auth-salt",
    "wp-logged-in-salt",
    "wp-nonce-salt",
];

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

fn password() -> String {
    rand::rng()
        .sample_iter(&Alphanumeric)
        .take(PASSWORD_LEN)
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
    pub fn generate() -> Self {
        let values = SECRET_KEYS
            .iter()
            .map(|&key| {
                let value = if key.starts_with("wp-") {
                    salt()
                } else {
                    password()
                };
                (key, value)
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

    #[test]
    fn credentials_are_long_unique_and_complete() {
        let a = StoreCredentials::generate();
        let b = StoreCredentials::generate();
        for key in SECRET_KEYS {
            let va = a.get(key).unwrap();
            let vb = b.get(key).unwrap();
            assert_ne!(va, vb, "{key} must differ between stores");
            if key.starts_with("wp-") {
                assert_eq!(va.chars().count(), 64, "{key}");
                assert!(va.bytes().all(|c| SALT_CHARS.contains(&c)));
            } else {
                assert!(va.len() >= 24, "{key}");
            }
        }
        let within: HashSet<&str> = SECRET_KEYS.iter().map(|k| a.get(k).unwrap()).collect();
        assert_eq!(
            within.len(),
            SECRET_KEYS.len(),
            "no two secrets of a store repeat"
        );
        let debug = format!("{a:?}");
        assert!(!debug.contains(a.get("mariadb-password").unwrap()));
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
