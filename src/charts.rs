//! The store charts, built into the binary so that one file is the whole platform.
//!
//! `STOREFLEET_CHART_DIR` unset: the charts embedded at build time are written once into
//! `<data dir>/charts/<digest>/` (private to the server, like the rest of the data
//! directory) and Helm installs them from there. Set, it points at a directory with
//! `woocommerce-store/` and `medusa-store/` (chart development).

use std::io::Write as _;
use std::path::{Path, PathBuf};

use anyhow::Context as _;
use rust_embed::RustEmbed;
use sha2::{Digest as _, Sha256};

/// What Helm would package (see each chart's `.helmignore`): the READMEs and the
/// environment values files stay out, like they stay out of every release record.
#[derive(RustEmbed)]
#[folder = "charts/"]
#[include = "woocommerce-store/*"]
#[include = "medusa-store/*"]
#[exclude = "*/README.md"]
#[exclude = "*/values-local.yaml"]
#[exclude = "*/values-prod.yaml"]
struct Embedded;

/// Name of the file that marks an unpacked copy as complete.
const COMPLETE: &str = ".storefleet-complete";

/// The embedded charts' files, sorted by path.
fn files() -> Vec<(String, Vec<u8>)> {
    let mut names: Vec<String> = Embedded::iter().map(|n| n.into_owned()).collect();
    names.sort();
    names
        .into_iter()
        .filter_map(|name| Embedded::get(&name).map(|f| (name, f.data.into_owned())))
        .collect()
}

/// A hash of the embedded charts (paths and contents).
#[must_use]
pub fn digest() -> String {
    let mut hasher = Sha256::new();
    for (name, data) in files() {
        hasher.update(name.as_bytes());
        hasher.update([0]);
        hasher.update((data.len() as u64).to_le_bytes());
        hasher.update(&data);
    }
    hex::encode(hasher.finalize())
}

/// Whether the binary carries charts at all (a build without them has none).
#[must_use]
pub fn embedded() -> bool {
    Embedded::iter().next().is_some()
}

/// Write the embedded charts below `root` (once per chart digest) and return the chart
/// root to give the engines. Older copies are removed. Safe against a concurrent caller
/// with the same root: each writes a private directory and renames it into place.
pub fn unpack(root: &Path) -> anyhow::Result<PathBuf> {
    if !embedded() {
        anyhow::bail!(
            "this binary has no store charts built in; set STOREFLEET_CHART_DIR to a directory with woocommerce-store/ and medusa-store/"
        );
    }
    let digest = digest();
    let short = &digest[..16];
    let target = root.join(short);
    if target.join(COMPLETE).is_file() {
        remove_others(root, short);
        return Ok(target);
    }
    private_dir(root)?;
    let staging = root.join(format!(
        ".{short}-{}-{}",
        std::process::id(),
        crate::domain::random_id(6)
    ));
    let written = write_all(&staging, &digest);
    if let Err(e) = written {
        let _ = std::fs::remove_dir_all(&staging);
        return Err(e.context(format!(
            "cannot unpack the store charts into {}",
            root.display()
        )));
    }
    if let Err(e) = std::fs::rename(&staging, &target) {
        let _ = std::fs::remove_dir_all(&staging);
        // Another process finished first: its copy is as good as ours.
        if !target.join(COMPLETE).is_file() {
            return Err(e)
                .with_context(|| format!("cannot move the store charts to {}", target.display()));
        }
    }
    remove_others(root, short);
    Ok(target)
}

/// Give `config` a chart root: the configured directory, or the built-in charts unpacked
/// into the data directory.
pub fn resolve(config: &mut crate::config::Config) -> anyhow::Result<()> {
    if config.chart_dir.as_os_str().is_empty() {
        config.chart_dir = unpack(&config.data_dir.join("charts"))?;
    }
    Ok(())
}

fn private_dir(dir: &Path) -> anyhow::Result<()> {
    crate::storage::create_private_dir(dir)
        .with_context(|| format!("cannot create {}", dir.display()))
}

fn write_all(dir: &Path, digest: &str) -> anyhow::Result<()> {
    private_dir(dir)?;
    for (name, data) in files() {
        // Names come from our own build (`charts/<chart>/…`), never from input; still,
        // refuse anything that would leave the directory.
        let relative = Path::new(&name);
        if relative
            .components()
            .any(|c| !matches!(c, std::path::Component::Normal(_)))
        {
            anyhow::bail!("unexpected embedded chart path {name}");
        }
        let path = dir.join(relative);
        if let Some(parent) = path.parent() {
            private_dir(parent)?;
        }
        std::fs::write(&path, &data).with_context(|| format!("cannot write {}", path.display()))?;
    }
    let mut marker = std::fs::File::create(dir.join(COMPLETE))?;
    marker.write_all(digest.as_bytes())?;
    marker.sync_all()?;
    Ok(())
}

/// Remove copies of other chart versions (and staging leftovers) below `root`.
fn remove_others(root: &Path, keep: &str) {
    let Ok(entries) = std::fs::read_dir(root) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        let stale_copy =
            name.len() == keep.len() && name != keep && name.bytes().all(|b| b.is_ascii_hexdigit());
        // A staging directory of a process that died mid-write (ours are renamed away).
        let leftover = name.starts_with('.')
            && entry
                .metadata()
                .and_then(|m| m.modified())
                .is_ok_and(|t| t.elapsed().is_ok_and(|age| age.as_secs() > 600));
        if stale_copy || leftover {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_store_charts_are_built_in_without_their_environment_files() {
        let names: Vec<String> = files().into_iter().map(|(n, _)| n).collect();
        for chart in ["woocommerce-store", "medusa-store"] {
            for needed in [
                "Chart.yaml",
                "values.yaml",
                "values.schema.json",
                ".helmignore",
            ] {
                let path = format!("{chart}/{needed}");
                assert!(names.contains(&path), "{path} is not embedded");
            }
            assert!(
                names
                    .iter()
                    .any(|n| n.starts_with(&format!("{chart}/templates/"))),
                "{chart} has no templates embedded"
            );
        }
        assert!(
            !names.iter().any(|n| n.ends_with("README.md")
                || n.ends_with("values-local.yaml")
                || n.ends_with("values-prod.yaml")),
            "environment files are embedded: {names:?}"
        );
        assert!(
            !names
                .iter()
                .any(|n| n.starts_with("tests/") || n.starts_with("storefleet/")),
            "only the store charts are embedded"
        );
    }

    #[test]
    fn unpacking_writes_the_charts_once_and_replaces_older_copies() {
        let root = std::env::temp_dir().join(format!("sf-charts-{}", crate::domain::random_id(8)));
        std::fs::create_dir_all(root.join("0123456789abcdef")).unwrap();
        let first = unpack(&root).unwrap();
        assert!(first.join("woocommerce-store/Chart.yaml").is_file());
        assert!(first.join("medusa-store/Chart.yaml").is_file());
        assert!(
            !root.join("0123456789abcdef").exists(),
            "the older copy stays"
        );
        let on_disk = std::fs::read(first.join("medusa-store/values.yaml")).unwrap();
        let embedded = Embedded::get("medusa-store/values.yaml")
            .unwrap()
            .data
            .into_owned();
        assert_eq!(on_disk, embedded);
        // A second call finds the complete copy and leaves it as it is.
        let marker = std::fs::metadata(first.join(COMPLETE))
            .unwrap()
            .modified()
            .unwrap();
        let second = unpack(&root).unwrap();
        assert_eq!(first, second);
        let again = std::fs::metadata(second.join(COMPLETE))
            .unwrap()
            .modified()
            .unwrap();
        assert_eq!(marker, again);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = std::fs::metadata(&first).unwrap().permissions().mode();
            assert_eq!(mode & 0o077, 0, "the copy is readable by others: {mode:o}");
        }
        std::fs::remove_dir_all(&root).unwrap();
    }

    #[test]
    fn an_unwritable_root_is_a_clear_error() {
        let file =
            std::env::temp_dir().join(format!("sf-charts-file-{}", crate::domain::random_id(8)));
        std::fs::write(&file, b"not a directory").unwrap();
        let err = unpack(&file.join("charts")).unwrap_err();
        assert!(
            format!("{err:#}").contains(&file.display().to_string()),
            "{err:#}"
        );
        std::fs::remove_file(&file).unwrap();
    }
}
