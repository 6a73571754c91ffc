//! Store names, domains and namespace names: the rules of `api.md`, in one place.

use std::fmt;

use super::RuleViolation;
use super::credentials::random_id;

/// A store's display name: what its owner calls it, shown above the address name. 1–80
/// characters after trimming surrounding white space, no control characters.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct DisplayName(String);

impl DisplayName {
    pub const MAX_LEN: usize = 80;

    pub fn parse(input: &str) -> Result<Self, RuleViolation> {
        let trimmed = input.trim();
        let len = trimmed.chars().count();
        if len == 0 {
            return Err(RuleViolation::new(
                "must not be empty or only spaces (send null to remove the display name)",
            ));
        }
        if len > Self::MAX_LEN {
            return Err(RuleViolation::new(format!(
                "must be at most {} characters (got {len})",
                Self::MAX_LEN
            )));
        }
        if let Some(bad) = trimmed.chars().find(|c| c.is_control()) {
            return Err(RuleViolation::new(format!(
                "must not contain control characters (found U+{:04X})",
                u32::from(bad)
            )));
        }
        Ok(Self(trimmed.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A store's name: 3–63 of `a-z`, `0-9`, `-`; starts with a letter, ends with a letter or digit.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct StoreName(String);

impl StoreName {
    pub const MIN_LEN: usize = 3;
    pub const MAX_LEN: usize = 63;

    pub fn parse(input: &str) -> Result<Self, RuleViolation> {
        let len = input.chars().count();
        if !(Self::MIN_LEN..=Self::MAX_LEN).contains(&len) {
            return Err(RuleViolation::new(format!(
                "must be {}-{} characters (got {len})",
                Self::MIN_LEN,
                Self::MAX_LEN
            )));
        }
        if let Some(bad) = input
            .chars()
            .find(|c| !(c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '-'))
        {
            return Err(RuleViolation::new(format!(
                "may contain only lowercase letters a-z, digits 0-9 and '-' (found {bad:?})"
            )));
        }
        if !input.starts_with(|c: char| c.is_ascii_lowercase()) {
            return Err(RuleViolation::new("must start with a letter a-z"));
        }
        if input.ends_with('-') {
            return Err(RuleViolation::new("must end with a letter or digit"));
        }
        Ok(Self(input.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for StoreName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A lowercase fully qualified domain name a store is served at.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Domain(String);

impl Domain {
    pub const MAX_LEN: usize = 253;

    /// `stores.localhost`, the default base domain.
    pub fn localhost() -> Self {
        Domain("stores.localhost".to_owned())
    }

    pub const MAX_LABEL_LEN: usize = 63;

    pub fn parse(input: &str) -> Result<Self, RuleViolation> {
        if input.is_empty() {
            return Err(RuleViolation::new("must not be empty"));
        }
        if input.len() > Self::MAX_LEN {
            return Err(RuleViolation::new(format!(
                "must be at most {} characters (got {})",
                Self::MAX_LEN,
                input.len()
            )));
        }
        if input.chars().any(|c| c.is_ascii_uppercase()) {
            return Err(RuleViolation::new("must be lowercase"));
        }
        let labels: Vec<&str> = input.split('.').collect();
        if labels.len() < 2 {
            return Err(RuleViolation::new(
                "must have at least two labels, like shop.example.com",
            ));
        }
        for label in &labels {
            if label.is_empty() {
                return Err(RuleViolation::new(
                    "must not contain empty labels (\"..\" or a leading or trailing dot)",
                ));
            }
            if label.len() > Self::MAX_LABEL_LEN {
                return Err(RuleViolation::new(format!(
                    "each label must be 1-{} characters ({label:?} has {})",
                    Self::MAX_LABEL_LEN,
                    label.len()
                )));
            }
            if let Some(bad) = label
                .chars()
                .find(|c| !(c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '-'))
            {
                return Err(RuleViolation::new(format!(
                    "labels may contain only a-z, 0-9 and '-' (found {bad:?})"
                )));
            }
            if label.starts_with('-') || label.ends_with('-') {
                return Err(RuleViolation::new(format!(
                    "labels must not start or end with '-' ({label:?})"
                )));
            }
        }
        let tld = labels.last().copied().unwrap_or_default();
        if !tld.chars().all(|c| c.is_ascii_lowercase()) {
            return Err(RuleViolation::new(format!(
                "the last label must be alphabetic ({tld:?})"
            )));
        }
        Ok(Self(input.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Domain {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The default host of a store: `<name>-<short id>.<base domain>`. The first label is
/// kept within 63 characters by shortening the name, never the id.
pub fn default_domain(
    name: &StoreName,
    short_id: &str,
    base: &Domain,
) -> Result<Domain, RuleViolation> {
    let room = Domain::MAX_LABEL_LEN - short_id.len() - 1;
    let mut prefix: String = name.as_str().chars().take(room).collect();
    while prefix.ends_with('-') {
        prefix.pop();
    }
    Domain::parse(&format!("{prefix}-{short_id}.{base}"))
}

/// The namespace of one store: `store-` + a random id; a valid DNS label.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Namespace(String);

impl Namespace {
    pub const PREFIX: &'static str = "store-";
    pub const ID_LEN: usize = 8;

    /// A fresh namespace name with a random id.
    pub fn generate() -> Self {
        Self(format!("{}{}", Self::PREFIX, random_id(Self::ID_LEN)))
    }

    /// The random part, also used as the short id of the default domain.
    pub fn id(&self) -> &str {
        &self.0[Self::PREFIX.len()..]
    }

    pub fn parse(input: &str) -> Result<Self, RuleViolation> {
        let valid = input.len() <= 63
            && input.starts_with(Self::PREFIX)
            && input.len() > Self::PREFIX.len()
            && input
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
            && !input.ends_with('-');
        if valid {
            Ok(Self(input.to_owned()))
        } else {
            Err(RuleViolation::new(format!(
                "{input:?} is not a store namespace"
            )))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Namespace {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn display_names_are_trimmed_bounded_and_free_of_control_characters() {
        assert_eq!(
            DisplayName::parse("  Café Ünïcode  ").unwrap().as_str(),
            "Café Ünïcode"
        );
        assert_eq!(
            DisplayName::parse(&"é".repeat(80))
                .unwrap()
                .as_str()
                .chars()
                .count(),
            80
        );
        for (bad, says) in [
            ("", "empty"),
            ("   \t ", "empty"),
            (&"x".repeat(81) as &str, "at most 80"),
            ("tab\tinside", "U+0009"),
            ("bell\u{7}", "U+0007"),
            ("line\nbreak", "U+000A"),
        ] {
            let err = DisplayName::parse(bad).unwrap_err();
            assert!(err.0.contains(says), "{bad:?}: {}", err.0);
        }
    }

    #[test]
    fn store_names_follow_the_rules() {
        for ok in ["abc", "acme-shop", "a1b", "shop-2", &"a".repeat(63)] {
            assert!(StoreName::parse(ok).is_ok(), "{ok} should be valid");
        }
        let cases = [
            ("ab", "3-63"),
            (&"a".repeat(64) as &str, "3-63"),
            ("Acme", "lowercase"),
            ("1shop", "start with a letter"),
            ("-shop", "start with a letter"),
            ("shop-", "end with a letter or digit"),
            ("my_shop", "lowercase letters"),
            ("shöp", "lowercase letters"),
        ];
        for (input, words) in cases {
            let err = StoreName::parse(input).expect_err(input);
            assert!(err.0.contains(words), "{input}: {err}");
        }
    }

    #[test]
    fn domains_follow_the_rules() {
        for ok in ["shop.example.com", "a.io", "x-1.stores.localhost"] {
            assert!(Domain::parse(ok).is_ok(), "{ok} should be valid");
        }
        for bad in [
            "",
            "localhost",
            "Shop.example.com",
            "shop..example.com",
            ".example.com",
            "example.com.",
            "-a.example.com",
            "a-.example.com",
            "shop.example.c0m",
            "shop.example.123",
            "sh_op.example.com",
        ] {
            assert!(Domain::parse(bad).is_err(), "{bad:?} should be invalid");
        }
        let long_label = format!("{}.com", "a".repeat(64));
        assert!(Domain::parse(&long_label).is_err());
        let long_total = format!("{}.com", vec!["a".repeat(60); 5].join("."));
        assert!(long_total.len() > 253);
        assert!(Domain::parse(&long_total).is_err());
    }

    #[test]
    fn default_domain_keeps_the_first_label_short() {
        let base = Domain::parse("stores.localhost").unwrap();
        let name = StoreName::parse(&format!("a{}", "b-".repeat(31)))
            .unwrap_or_else(|_| StoreName::parse(&"a".repeat(63)).unwrap());
        let domain = default_domain(&name, "x7k2p", &base).unwrap();
        let first = domain.as_str().split('.').next().unwrap();
        assert!(first.len() <= 63);
        assert!(first.ends_with("-x7k2p"));
        let short =
            default_domain(&StoreName::parse("acme-shop").unwrap(), "x7k2p", &base).unwrap();
        assert_eq!(short.as_str(), "acme-shop-x7k2p.stores.localhost");
    }

    #[test]
    fn namespaces_are_dns_labels() {
        let ns = Namespace::generate();
        assert!(ns.as_str().starts_with("store-"));
        assert_eq!(ns.id().len(), Namespace::ID_LEN);
        assert!(Namespace::parse(ns.as_str()).is_ok());
        assert_ne!(ns, Namespace::generate());
    }

    proptest! {
        #[test]
        fn every_accepted_name_is_a_dns_label(s in "[a-z0-9-]{0,70}") {
            if let Ok(name) = StoreName::parse(&s) {
                let n = name.as_str();
                prop_assert!((3..=63).contains(&n.len()));
                prop_assert!(n.as_bytes()[0].is_ascii_lowercase());
                prop_assert!(!n.ends_with('-'));
            }
        }

        #[test]
        fn valid_names_always_give_valid_default_domains(s in "[a-z][a-z0-9-]{1,61}[a-z0-9]") {
            let name = StoreName::parse(&s).unwrap();
            let base = Domain::parse("stores.example.com").unwrap();
            prop_assert!(default_domain(&name, "abcde", &base).is_ok());
        }

        #[test]
        fn domain_parse_never_panics(s in "\\PC{0,300}") {
            let _ = Domain::parse(&s);
            let _ = StoreName::parse(&s);
        }
    }
}
