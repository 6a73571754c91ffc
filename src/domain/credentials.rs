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
            .map(|key| (key.name, generate_value(key.kind)))
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

/// One fresh value of `kind`.
pub fn generate_value(kind: SecretKind) -> String {
    match kind {
        SecretKind::Password => alphanumeric(PASSWORD_LEN),
        SecretKind::Salt => salt(),
        SecretKind::Key => alphanumeric(SALT_LEN),
    }
}

/// What a store's Secret should hold, given what it holds now: every key of `keys` that is
/// absent gets a fresh value, every key named in `rotate` gets a fresh value, and every
/// other key (including keys the engine no longer lists) keeps its value unchanged.
pub fn merge_secret(
    existing: &BTreeMap<String, String>,
    keys: &[SecretKey],
    rotate: &[&str],
) -> BTreeMap<String, String> {
    let mut merged = existing.clone();
    for key in keys {
        let present = merged.get(key.name).is_some_and(|v| !v.is_empty());
        if !present || rotate.contains(&key.name) {
            let mut value = generate_value(key.kind);
            // A rotated value never equals the old one (astronomically unlikely anyway).
            while existing.get(key.name) == Some(&value) {
                value = generate_value(key.kind);
            }
            merged.insert(key.name.to_owned(), value);
        }
    }
    merged
}

/// A short, one-way fingerprint of each of `keys`' values in `data` (the chart rolls the
/// pods that use a key when its fingerprint changes). SHA-256 of the key name and value;
/// the values are long random strings, so the fingerprints reveal nothing.
pub fn secret_checksums(
    data: &BTreeMap<String, String>,
    keys: &[SecretKey],
) -> BTreeMap<String, String> {
    use sha2::{Digest, Sha256};
    keys.iter()
        .filter_map(|key| {
            let value = data.get(key.name)?;
            let digest = Sha256::digest(format!("{}\n{value}", key.name).as_bytes());
            Some((key.name.to_owned(), hex::encode(&digest[..8])))
        })
        .collect()
}

/// A kind of store credential a rotation can replace; its name is the rotation request's
/// field, what is stored and audited, and what `GET /info` lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CredentialKind {
    AdminPassword,
    DatabasePasswords,
    Salts,
}

impl CredentialKind {
    pub const ALL: [CredentialKind; 3] = [
        CredentialKind::AdminPassword,
        CredentialKind::DatabasePasswords,
        CredentialKind::Salts,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            CredentialKind::AdminPassword => "admin_password",
            CredentialKind::DatabasePasswords => "database_passwords",
            CredentialKind::Salts => "salts",
        }
    }

    /// In words, for people.
    fn words(self) -> &'static str {
        match self {
            CredentialKind::AdminPassword => "the admin password",
            CredentialKind::DatabasePasswords => "the database passwords",
            CredentialKind::Salts => "the WordPress salts",
        }
    }

    /// A rotation of this kind alone.
    pub fn alone(self) -> Rotation {
        Rotation {
            admin_password: self == CredentialKind::AdminPassword,
            database_passwords: self == CredentialKind::DatabasePasswords,
            salts: self == CredentialKind::Salts,
        }
    }
}

/// Which kinds of a store's credentials a rotation replaces.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Rotation {
    pub admin_password: bool,
    pub database_passwords: bool,
    pub salts: bool,
}

impl Rotation {
    pub fn is_empty(self) -> bool {
        !(self.admin_password || self.database_passwords || self.salts)
    }

    /// The kinds it replaces, in the order of [`CredentialKind::ALL`].
    fn each(self) -> impl Iterator<Item = CredentialKind> {
        CredentialKind::ALL
            .into_iter()
            .filter(move |k| self.union(k.alone()) == self)
    }

    /// The kinds' names, as stored and audited (`admin_password,salts`).
    pub fn kinds(self) -> Vec<&'static str> {
        self.each().map(CredentialKind::as_str).collect()
    }

    pub fn as_stored(self) -> String {
        self.kinds().join(",")
    }

    /// Parse what [`Rotation::as_stored`] wrote; unknown names are an error.
    pub fn parse(stored: &str) -> Result<Self, String> {
        let mut r = Rotation::default();
        for name in stored.split(',').filter(|n| !n.is_empty()) {
            let kind = CredentialKind::ALL
                .into_iter()
                .find(|k| k.as_str() == name)
                .ok_or_else(|| format!("unknown credential kind {name:?}"))?;
            r = r.union(kind.alone());
        }
        Ok(r)
    }

    /// Both rotations' kinds.
    pub fn union(self, other: Rotation) -> Rotation {
        Rotation {
            admin_password: self.admin_password || other.admin_password,
            database_passwords: self.database_passwords || other.database_passwords,
            salts: self.salts || other.salts,
        }
    }

    /// In words: "the admin password and the salts".
    pub fn describe(self) -> String {
        let words: Vec<&str> = self.each().map(CredentialKind::words).collect();
        match words.as_slice() {
            [] => "nothing".to_owned(),
            [one] => (*one).to_owned(),
            [init @ .., last] => format!("{} and {last}", init.join(", ")),
        }
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
    fn merging_adds_missing_keys_and_rotates_only_what_is_asked() {
        let mut existing = StoreCredentials::generate(&KEYS[..2]).to_secret_data();
        existing.insert("retired-key".to_owned(), "kept".to_owned());
        let merged = merge_secret(&existing, &KEYS, &[]);
        assert_eq!(merged["db-password"], existing["db-password"]);
        assert_eq!(merged["admin-password"], existing["admin-password"]);
        assert_eq!(
            merged["retired-key"], "kept",
            "keys the engine no longer lists stay"
        );
        assert_eq!(merged["auth-salt"].len(), 64);
        assert_eq!(merged["jwt-secret"].len(), 64);
        assert_eq!(
            merge_secret(&merged, &KEYS, &[]),
            merged,
            "nothing to add: unchanged"
        );

        let rotated = merge_secret(&merged, &KEYS, &["admin-password", "auth-salt"]);
        assert_ne!(rotated["admin-password"], merged["admin-password"]);
        assert_ne!(rotated["auth-salt"], merged["auth-salt"]);
        assert_eq!(rotated["db-password"], merged["db-password"]);
        assert_eq!(rotated["jwt-secret"], merged["jwt-secret"]);
        assert_eq!(rotated.len(), merged.len());

        let mut empty_value = merged;
        empty_value.insert("db-password".to_owned(), String::new());
        assert_eq!(
            merge_secret(&empty_value, &KEYS, &[])["db-password"].len(),
            32
        );
    }

    #[test]
    fn checksums_follow_values_and_hide_them() {
        let data = StoreCredentials::generate(&KEYS).to_secret_data();
        let sums = secret_checksums(&data, &KEYS);
        assert_eq!(sums.len(), KEYS.len());
        assert!(sums.values().all(|s| s.len() == 16));
        assert!(
            !sums
                .values()
                .any(|s| data.values().any(|v| v.contains(s.as_str())))
        );
        let rotated = merge_secret(&data, &KEYS, &["db-password"]);
        let after = secret_checksums(&rotated, &KEYS);
        assert_ne!(after["db-password"], sums["db-password"]);
        assert_eq!(after["admin-password"], sums["admin-password"]);
    }

    #[test]
    fn rotations_round_trip_and_read_as_words() {
        let r = Rotation {
            admin_password: true,
            database_passwords: false,
            salts: true,
        };
        assert_eq!(r.as_stored(), "admin_password,salts");
        assert_eq!(Rotation::parse(&r.as_stored()), Ok(r));
        assert_eq!(r.describe(), "the admin password and the WordPress salts");
        assert!(Rotation::default().is_empty());
        assert!(Rotation::parse("admin_password,bogus").is_err());
        let all = r.union(Rotation {
            database_passwords: true,
            ..Rotation::default()
        });
        assert_eq!(
            all.describe(),
            "the admin password, the database passwords and the WordPress salts"
        );
    }

    #[test]
    fn a_kind_has_one_name_stored_and_on_the_wire() {
        for k in CredentialKind::ALL {
            assert_eq!(serde_json::to_value(k).unwrap(), k.as_str());
            assert_eq!(Rotation::parse(k.as_str()), Ok(k.alone()));
            assert_eq!(k.alone().kinds(), [k.as_str()]);
        }
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
