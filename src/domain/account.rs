//! Accounts: email addresses, passwords and roles.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use super::RuleViolation;

/// An email address as typed, with its case-insensitive key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email(String);

impl Email {
    pub const MAX_LEN: usize = 254;

    pub fn parse(input: &str) -> Result<Self, RuleViolation> {
        let input = input.trim();
        if input.is_empty() {
            return Err(RuleViolation::new("must not be empty"));
        }
        if input.len() > Self::MAX_LEN {
            return Err(RuleViolation::new(format!(
                "must be at most {} characters",
                Self::MAX_LEN
            )));
        }
        let Some((local, domain)) = input.rsplit_once('@') else {
            return Err(RuleViolation::new("must look like name@example.com"));
        };
        let local_ok = !local.is_empty()
            && local.len() <= 64
            && !local.contains('@')
            && !local.starts_with('.')
            && !local.ends_with('.')
            && !local.contains("..");
        let domain_ok = domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !domain.contains("..")
            && domain
                .split('.')
                .all(|l| !l.is_empty() && !l.starts_with('-') && !l.ends_with('-'))
            && domain
                .chars()
                .all(|c| c.is_alphanumeric() || c == '-' || c == '.');
        let chars_ok = !input.chars().any(|c| {
            c.is_whitespace()
                || c.is_control()
                || matches!(
                    c,
                    '<' | '>' | '(' | ')' | ',' | ';' | ':' | '"' | '[' | ']' | '\\'
                )
        });
        if local_ok && domain_ok && chars_ok {
            Ok(Self(input.to_owned()))
        } else {
            Err(RuleViolation::new("must look like name@example.com"))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The form emails are compared and stored unique by.
    pub fn key(&self) -> String {
        self.0.to_lowercase()
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A password a person chose: 10–256 characters. Never printed.
#[derive(Clone)]
pub struct Password(String);

impl Password {
    pub const MIN_LEN: usize = 10;
    pub const MAX_LEN: usize = 256;

    pub fn parse(input: &str) -> Result<Self, RuleViolation> {
        let len = input.chars().count();
        if len < Self::MIN_LEN {
            return Err(RuleViolation::new(format!(
                "must be at least {} characters",
                Self::MIN_LEN
            )));
        }
        if len > Self::MAX_LEN {
            return Err(RuleViolation::new(format!(
                "must be at most {} characters",
                Self::MAX_LEN
            )));
        }
        Ok(Self(input.to_owned()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(<redacted>)")
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    User,
    Admin,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::User => "user",
            Role::Admin => "admin",
        }
    }
}

impl FromStr for Role {
    type Err = RuleViolation;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "user" => Ok(Role::User),
            "admin" => Ok(Role::Admin),
            other => Err(RuleViolation::new(format!(
                "unknown role {other:?}: use `user` or `admin`"
            ))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails() {
        for ok in ["a@b.co", "First.Last+tag@Example.COM", "x@sub.example.org"] {
            assert!(Email::parse(ok).is_ok(), "{ok}");
        }
        for bad in [
            "",
            "plain",
            "@example.com",
            "a@",
            "a@b",
            "a b@c.de",
            "a@b..c",
            "a@.b.c",
            "a@b.c.",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad:?}");
        }
        assert_eq!(
            Email::parse("Ann@Example.com").unwrap().key(),
            "ann@example.com"
        );
    }

    #[test]
    fn passwords() {
        assert!(Password::parse("short").is_err());
        assert!(Password::parse(&"x".repeat(10)).is_ok());
        assert!(Password::parse(&"x".repeat(257)).is_err());
        assert_eq!(
            format!("{:?}", Password::parse("0123456789").unwrap()),
            "Password(<redacted>)"
        );
    }
}
