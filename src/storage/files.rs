//! The data directory and SQLite's files on disk: checked to be writable before the
//! server starts (a read-only directory would otherwise fail every write later), and
//! readable by the server's user only (they hold password hashes and the audit log).

use std::io::Write as _;
use std::path::{Path, PathBuf};

use anyhow::Context as _;

/// Create `dir` and its missing parents, readable only by this user (mode 0700 on Unix).
pub fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt as _;
        builder.mode(0o700);
    }
    builder.create(dir)
}

/// Create `dir` (mode 0700) if needed and prove that files can be created, written,
/// synced and removed in it. The error names the directory.
pub fn check_writable_dir(dir: &Path) -> anyhow::Result<()> {
    create_private_dir(dir)
        .with_context(|| format!("cannot create the data directory {}", dir.display()))?;
    let probe = dir.join(format!(".storefleet-write-test-{}", std::process::id()));
    let written = std::fs::File::create(&probe)
        .and_then(|mut f| f.write_all(b"ok").and_then(|()| f.sync_all()));
    let removed = std::fs::remove_file(&probe);
    written.and(removed).with_context(|| {
        format!(
            "the data directory {} is not writable; give the server a writable STOREFLEET_DATA_DIR",
            dir.display()
        )
    })
}

/// The database file and its WAL and shared-memory files.
fn sqlite_files(db: &Path) -> [PathBuf; 3] {
    let with = |suffix: &str| {
        let mut name = db.as_os_str().to_owned();
        name.push(suffix);
        PathBuf::from(name)
    };
    [db.to_path_buf(), with("-wal"), with("-shm")]
}

/// Make the SQLite database readable by its owner only: create it with mode 0600 (SQLite
/// gives the `-wal` and `-shm` files it creates later the database file's mode), and
/// tighten files an older version left at 0644. Also proves the file can be opened for
/// writing, so a read-only file stops the start-up with its path named.
pub fn secure_sqlite_files(db: &Path) -> anyhow::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(false);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.mode(0o600);
    }
    options.open(db).with_context(|| {
        format!(
            "cannot open the database {} for writing; it and its directory must be writable",
            db.display()
        )
    })?;
    #[cfg(unix)]
    for file in sqlite_files(db) {
        use std::os::unix::fs::PermissionsExt as _;
        match std::fs::metadata(&file) {
            Ok(meta) if meta.permissions().mode() & 0o077 != 0 => {
                std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600))
                    .with_context(|| format!("cannot make {} private (0600)", file.display()))?;
            }
            _ => {}
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(unix)]
    #[test]
    fn old_world_readable_files_are_made_private() {
        use std::os::unix::fs::PermissionsExt as _;
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("storefleet.db");
        for file in sqlite_files(&db) {
            std::fs::write(&file, b"").unwrap();
            std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).unwrap();
        }
        secure_sqlite_files(&db).unwrap();
        for file in sqlite_files(&db) {
            let mode = std::fs::metadata(&file).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600, "{}", file.display());
        }
    }

    #[test]
    fn a_missing_data_directory_is_created_and_checked() {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("a/b");
        check_writable_dir(&data).unwrap();
        assert!(data.is_dir());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = std::fs::metadata(&data).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o700, "a new data directory is private");
        }
        assert_eq!(
            std::fs::read_dir(&data).unwrap().count(),
            0,
            "no probe left"
        );
        // A path under a regular file can never be a directory: the error names it.
        let file = dir.path().join("file");
        std::fs::write(&file, b"x").unwrap();
        let err = check_writable_dir(&file.join("data")).unwrap_err();
        assert!(format!("{err:#}").contains(&file.display().to_string()));
    }
}
