//! Hosts a tenant must not claim as a store's custom domain. A store's domain becomes an
//! Ingress host: claiming the platform's own host, the base domain's space or a name
//! that only resolves inside the cluster or the machine would let one tenant take
//! traffic meant for the platform, another tenant or internal services.

use super::RuleViolation;
use super::names::Domain;

/// Names that never belong on the public internet (RFC 6761, RFC 6762, RFC 9476, ICANN's
/// `.internal`), plus the cluster's own DNS (`*.svc`, `*.cluster.local`) and public
/// wildcard DNS services that resolve any address written into the name (`10.0.0.1.nip.io`).
const RESERVED_SUFFIXES: &[&str] = &[
    "localhost",
    "local",
    "internal",
    "test",
    "invalid",
    "example",
    "onion",
    "alt",
    "arpa",
    "lan",
    "home",
    "corp",
    "intranet",
    "svc",
    "cluster.local",
    "nip.io",
    "sslip.io",
    "xip.io",
    "localtest.me",
    "lvh.me",
];

/// Whether `host` is `suffix` or a name under it.
fn is_within(host: &str, suffix: &str) -> bool {
    host == suffix
        || host
            .strip_suffix(suffix)
            .is_some_and(|rest| rest.ends_with('.'))
}

/// Check that a tenant may use `domain` as a custom store domain on a platform whose
/// store base domain is `base` and whose own host (from the public URL) is `platform`.
pub fn check_claimable(
    domain: &Domain,
    base: &Domain,
    platform: Option<&str>,
) -> Result<(), RuleViolation> {
    let host = domain.as_str();
    if let Some(label) = host.split('.').find(|l| l.len() >= 4 && &l[2..4] == "--") {
        // `xn--` is punycode: an internationalised name can imitate another name with
        // look-alike letters. Other `??--` prefixes are reserved for future encodings.
        return Err(RuleViolation::new(format!(
            "internationalised or reserved labels ({label:?}) are not accepted: they can imitate other names"
        )));
    }
    if let Some(platform) = platform.map(str::to_ascii_lowercase) {
        if is_within(host, &platform) {
            return Err(RuleViolation::new(format!(
                "{host} is this platform's own host; choose a domain you own"
            )));
        }
    }
    if is_within(host, base.as_str()) {
        return Err(RuleViolation::new(format!(
            "names under {base} are given out by the platform; leave the domain out to get one"
        )));
    }
    if let Some(suffix) = RESERVED_SUFFIXES.iter().find(|s| is_within(host, s)) {
        return Err(RuleViolation::new(format!(
            "{host} is under .{suffix}, which is not a public internet name"
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(host: &str) -> Result<(), RuleViolation> {
        let base = Domain::parse("stores.example.com").unwrap();
        check_claimable(
            &Domain::parse(host).unwrap(),
            &base,
            Some("storefleet.example.com"),
        )
    }

    #[test]
    fn a_tenant_cannot_claim_platform_internal_or_look_alike_names() {
        for host in [
            "storefleet.example.com",
            "admin.storefleet.example.com",
            "stores.example.com",
            "unallocated-abcde.stores.example.com",
            "other.localhost",
            "localhost.localhost",
            "kubernetes.default.svc",
            "mariadb.store-abcd1234.svc.cluster.local",
            "metadata.google.internal",
            "printer.local",
            "169.254.169.254.nip.io",
            "xn--pple-43d.com",
            "shop.xn--80ak6aa92e.com",
            "ab--cd.example.org",
        ] {
            assert!(check(host).is_err(), "{host} must be refused");
        }
    }

    #[test]
    fn ordinary_public_names_are_fine() {
        for host in [
            "shop.acme.com",
            "example.com",
            "my-stores.example.com",
            "storefleet.example.org",
            "a-b.co",
            "localhost-shop.com",
        ] {
            assert!(check(host).is_ok(), "{host} must be accepted");
        }
    }

    #[test]
    fn reasons_say_what_is_wrong() {
        let msg = check("foo.stores.example.com").unwrap_err().0;
        assert!(msg.contains("given out by the platform"), "{msg}");
        let msg = check("xn--pple-43d.com").unwrap_err().0;
        assert!(msg.contains("internationalised"), "{msg}");
    }
}
