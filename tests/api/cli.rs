//! The `storefleet` binary: exit codes, configuration errors, users, migrations.

use std::io::Write as _;
use std::process::{Command, Stdio};

fn storefleet(dir: &std::path::Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_storefleet"));
    cmd.current_dir(dir)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("STOREFLEET_DATA_DIR", dir.join("data"));
    cmd
}

#[test]
fn bad_configuration_exits_2_naming_the_variable_and_accepted_values() {
    let dir = tempfile::tempdir().unwrap();
    let out = storefleet(dir.path())
        .arg("serve")
        .env("STOREFLEET_SIGNUP", "sometimes")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("STOREFLEET_SIGNUP") && err.contains("`open` or `closed`"),
        "{err}"
    );
    let out = storefleet(dir.path()).arg("frobnicate").output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(2),
        "unknown subcommands are usage errors"
    );
}

#[test]
fn config_prints_the_effective_values_with_secrets_redacted() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("storefleet.toml"), "workers = 7\n").unwrap();
    let out = storefleet(dir.path())
        .arg("config")
        .env(
            "STOREFLEET_JWT_SECRET",
            "a-very-secret-signing-key-of-40-characters",
        )
        .env(
            "STOREFLEET_DATABASE_URL",
            "postgres://sf:s3cr3tpw@db.internal/storefleet",
        )
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("STOREFLEET_WORKERS = 7  # storefleet.toml"),
        "{text}"
    );
    assert!(text.contains("STOREFLEET_LISTEN = 127.0.0.1:8080  # default"));
    assert!(
        !text.contains("a-very-secret") && !text.contains("s3cr3tpw"),
        "{text}"
    );
}

#[test]
fn user_create_makes_an_admin_who_can_sign_in_and_migrate_is_repeatable() {
    let dir = tempfile::tempdir().unwrap();
    for _ in 0..2 {
        let out = storefleet(dir.path()).arg("migrate").output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let mut child = storefleet(dir.path())
        .args([
            "user",
            "create",
            "--email",
            "Boss@Example.com",
            "--admin",
            "--password-stdin",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"a-long-admin-password\n")
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("created admin Boss@Example.com"), "{text}");
    assert!(!text.contains("a-long-admin-password"));

    // Creating again without --admin or a password is refused; promoting is not.
    let out = storefleet(dir.path())
        .args(["user", "create", "--email", "boss@example.com"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let out = storefleet(dir.path())
        .args(["user", "create", "--email", "worker@example.com"])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains("generated password: "));
    let out = storefleet(dir.path())
        .args(["user", "create", "--email", "worker@example.com", "--admin"])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains("is now an admin"));

    let mut short = storefleet(dir.path())
        .args([
            "user",
            "create",
            "--email",
            "x@example.com",
            "--password-stdin",
        ])
        .stdin(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    short.stdin.take().unwrap().write_all(b"short\n").unwrap();
    let out = short.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("at least 10"));
}

#[test]
fn doctor_names_what_is_missing_and_what_to_do() {
    let dir = tempfile::tempdir().unwrap();
    let kubeconfig = dir.path().join("missing.kubeconfig");
    let out = storefleet(dir.path())
        .arg("doctor")
        .env("KUBECONFIG", &kubeconfig)
        .env("STOREFLEET_HELM", dir.path().join("no-helm-here"))
        .env("STOREFLEET_CHART_DIR", dir.path().join("no-charts"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("ok    database"), "{text}");
    assert!(
        text.contains("FAIL  cluster") && text.contains("testenv/cluster up"),
        "{text}"
    );
    assert!(
        text.contains("FAIL  helm") && text.contains("STOREFLEET_HELM"),
        "{text}"
    );
    assert!(
        text.contains("FAIL  chart") && text.contains("STOREFLEET_CHART_DIR"),
        "{text}"
    );
}

#[test]
fn the_store_charts_are_built_in_wherever_the_binary_runs() {
    // Run from a directory with no charts/ below it: the binary is the whole platform.
    let dir = tempfile::tempdir().unwrap();
    let out = storefleet(dir.path())
        .arg("doctor")
        .current_dir(dir.path())
        .env_remove("STOREFLEET_CHART_DIR")
        .env("KUBECONFIG", dir.path().join("missing.kubeconfig"))
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("ok    chart") && text.contains("store charts built in"),
        "{text}"
    );
    let config = storefleet(dir.path())
        .arg("config")
        .current_dir(dir.path())
        .env_remove("STOREFLEET_CHART_DIR")
        .output()
        .unwrap();
    let shown = String::from_utf8_lossy(&config.stdout);
    assert!(shown.contains("(built in)"), "{shown}");
}
