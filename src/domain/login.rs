//! One-click admin login tokens. The platform signs a short-lived, single-use token with a
//! per-store key (HMAC-SHA256); the store (the WooCommerce chart's must-use plugin
//! `files/storefleet-login.php`) checks the signature, the expiry and that the nonce was
//! not used before, then signs the named administrator in. The platform never stores a
//! token.
//!
//! Format: `<payload>.<signature>`, both unpadded base64url. The payload is JSON
//! `{"v":1,"u":<login name>,"exp":<unix seconds>,"n":<nonce>}`; the signature is
//! HMAC-SHA256 under the store's key over `storefleet-login.v1.` followed by the encoded
//! payload (the domain prefix keeps these signatures from meaning anything else).

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

/// How long a login link is valid.
pub const LOGIN_TOKEN_TTL_SECS: i64 = 60;
const CONTEXT: &str = "storefleet-login.v1.";
const NONCE_LEN: usize = 32;
/// Keys shorter than this are refused (the store's key is 64 characters).
const MIN_KEY_LEN: usize = 32;

/// What a login token says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoginToken {
    pub v: u8,
    /// The WordPress login name to sign in.
    pub u: String,
    /// Unix seconds after which the token is refused.
    pub exp: i64,
    /// Random; the store records it until `exp` so the token works once.
    pub n: String,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LoginTokenError {
    #[error("the signing key is too short")]
    WeakKey,
    #[error("the token is malformed")]
    Malformed,
    #[error("the signature does not match")]
    BadSignature,
    #[error("the token has expired")]
    Expired,
}

fn mac(key: &str, encoded_payload: &str) -> Result<Hmac<Sha256>, LoginTokenError> {
    if key.len() < MIN_KEY_LEN {
        return Err(LoginTokenError::WeakKey);
    }
    let mut mac =
        Hmac::<Sha256>::new_from_slice(key.as_bytes()).map_err(|_| LoginTokenError::WeakKey)?;
    mac.update(CONTEXT.as_bytes());
    mac.update(encoded_payload.as_bytes());
    Ok(mac)
}

/// A token for `user`, valid until `now + LOGIN_TOKEN_TTL_SECS`, signed with `key`;
/// returns the token and its expiry (unix seconds).
pub fn sign_login_token(key: &str, user: &str, now: i64) -> Result<(String, i64), LoginTokenError> {
    let exp = now + LOGIN_TOKEN_TTL_SECS;
    let payload = LoginToken {
        v: 1,
        u: user.to_owned(),
        exp,
        n: super::generate_value(super::SecretKind::Password)
            .chars()
            .take(NONCE_LEN)
            .collect(),
    };
    let json = serde_json::to_vec(&payload).map_err(|_| LoginTokenError::Malformed)?;
    let encoded = URL_SAFE_NO_PAD.encode(json);
    let signature = mac(key, &encoded)?.finalize().into_bytes();
    Ok((
        format!("{encoded}.{}", URL_SAFE_NO_PAD.encode(signature)),
        exp,
    ))
}

/// Check a token's signature and expiry at `now` (what the store's plugin does, less the
/// single use, which only the store can know).
pub fn verify_login_token(key: &str, token: &str, now: i64) -> Result<LoginToken, LoginTokenError> {
    let (encoded, signature) = token.split_once('.').ok_or(LoginTokenError::Malformed)?;
    let signature = URL_SAFE_NO_PAD
        .decode(signature)
        .map_err(|_| LoginTokenError::Malformed)?;
    mac(key, encoded)?
        .verify_slice(&signature)
        .map_err(|_| LoginTokenError::BadSignature)?;
    let json = URL_SAFE_NO_PAD
        .decode(encoded)
        .map_err(|_| LoginTokenError::Malformed)?;
    let payload: LoginToken =
        serde_json::from_slice(&json).map_err(|_| LoginTokenError::Malformed)?;
    if payload.v != 1 || payload.u.is_empty() || payload.n.len() < 16 {
        return Err(LoginTokenError::Malformed);
    }
    if now > payload.exp || payload.exp - now > LOGIN_TOKEN_TTL_SECS {
        return Err(LoginTokenError::Expired);
    }
    Ok(payload)
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "k3yk3yk3yk3yk3yk3yk3yk3yk3yk3yk3yk3yk3yk3yk3yk3yk3yk3yk3yk3yk3yk";

    #[test]
    fn a_signed_token_verifies_once_decoded() {
        let (token, exp) = sign_login_token(KEY, "storeadmin", 1_000).unwrap();
        assert_eq!(exp, 1_000 + LOGIN_TOKEN_TTL_SECS);
        assert!(
            token
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c)),
            "URL-safe: {token}"
        );
        let t = verify_login_token(KEY, &token, 1_010).unwrap();
        assert_eq!(t.u, "storeadmin");
        assert_eq!(t.exp, exp);
        assert_eq!(t.n.len(), 32);
        let (again, _) = sign_login_token(KEY, "storeadmin", 1_000).unwrap();
        assert_ne!(token, again, "every token has its own nonce");
    }

    #[test]
    fn the_payload_is_the_documented_json() {
        let (token, _) = sign_login_token(KEY, "storeadmin", 50).unwrap();
        let (encoded, _) = token.split_once('.').unwrap();
        let json: serde_json::Value =
            serde_json::from_slice(&URL_SAFE_NO_PAD.decode(encoded).unwrap()).unwrap();
        assert_eq!(json["v"], 1);
        assert_eq!(json["u"], "storeadmin");
        assert_eq!(json["exp"], 110);
        // The signature is HMAC-SHA256(key, "storefleet-login.v1." + payload), as the
        // plugin computes it with hash_hmac('sha256', ...).
        let mut m = Hmac::<Sha256>::new_from_slice(KEY.as_bytes()).unwrap();
        m.update(format!("storefleet-login.v1.{encoded}").as_bytes());
        let expected = URL_SAFE_NO_PAD.encode(m.finalize().into_bytes());
        assert!(token.ends_with(&format!(".{expected}")));
    }

    #[test]
    fn tampered_expired_or_foreign_tokens_are_refused() {
        let (token, exp) = sign_login_token(KEY, "storeadmin", 1_000).unwrap();
        assert_eq!(
            verify_login_token(KEY, &token, exp + 1),
            Err(LoginTokenError::Expired)
        );
        let other_key = KEY.replace('k', "K");
        assert_eq!(
            verify_login_token(&other_key, &token, 1_000),
            Err(LoginTokenError::BadSignature)
        );
        // Another user in the payload, same signature.
        let (encoded, sig) = token.split_once('.').unwrap();
        let mut json: serde_json::Value =
            serde_json::from_slice(&URL_SAFE_NO_PAD.decode(encoded).unwrap()).unwrap();
        json["u"] = "someone".into();
        let forged = format!(
            "{}.{sig}",
            URL_SAFE_NO_PAD.encode(serde_json::to_vec(&json).unwrap())
        );
        assert_eq!(
            verify_login_token(KEY, &forged, 1_000),
            Err(LoginTokenError::BadSignature)
        );
        for bad in ["", "no-dot", "a.b", ".", "!!.!!"] {
            assert!(verify_login_token(KEY, bad, 1_000).is_err(), "{bad:?}");
        }
        assert_eq!(
            sign_login_token("short", "storeadmin", 0),
            Err(LoginTokenError::WeakKey)
        );
    }
}
