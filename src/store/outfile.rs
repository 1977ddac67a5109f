//! Where a command may write a file, and how it puts one in place. No command writes over the
//! practice database or its `-wal`/`-shm`/`-journal` (recognised by device and inode, and by
//! name for those not yet there), over anything but a regular file, or over an existing file
//! without `--force`. Files are written to a private temporary beside the target and put in
//! place in one step, so a failure leaves the old file or none. This module decides nothing
//! about what is written.

use crate::domain::text::sanitize;
use crate::error::{Error, Result};
use std::path::{Path, PathBuf};

/// The files of a database: itself and the journals SQLite keeps beside it.
fn database_files(db: &Path) -> Vec<PathBuf> {
    ["", "-wal", "-shm", "-journal"]
        .iter()
        .map(|suffix| PathBuf::from(format!("{}{suffix}", db.display())))
        .collect()
}

/// Removes a database this program made and gave up on, with its journals (errors ignored:
/// what is not there need not go).
pub(crate) fn remove_database(db: &Path) {
    for file in database_files(db) {
        let _ = std::fs::remove_file(file);
    }
}

#[cfg(unix)]
fn identity(path: &Path) -> Option<(u64, u64)> {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata(path).ok().map(|m| (m.dev(), m.ino()))
}

#[cfg(not(unix))]
fn identity(path: &Path) -> Option<PathBuf> {
    std::fs::canonicalize(path).ok()
}

/// `path` with its folder resolved (the file itself need not exist).
fn resolved(path: &Path) -> Option<PathBuf> {
    let name = path.file_name()?;
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    Some(std::fs::canonicalize(dir).ok()?.join(name))
}

/// True when `target` is the database at `db` or one of its journals.
pub fn is_database_file(target: &Path, db: &Path) -> bool {
    let target_id = identity(target);
    let target_name = resolved(target);
    database_files(db).iter().any(|file| {
        (target_id.is_some() && identity(file) == target_id)
            || (target_name.is_some() && resolved(file) == target_name)
    })
}

fn shown(path: &Path) -> String {
    sanitize(&path.display().to_string())
}

/// Refuses to write a file at `target` unless it may be written: its folder exists, it is not
/// the practice database (`db`) or a journal of it, and it is either absent or (with `force`) a
/// regular file.
pub fn claim_file(target: &Path, force: bool, db: Option<&Path>) -> Result<()> {
    let folder = match target.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    if !folder.is_dir() {
        return Err(Error::invalid(format!(
            "there is no folder {} to write {} in",
            shown(folder),
            shown(target)
        )));
    }
    if let Some(db) = db
        && is_database_file(target, db)
    {
        return Err(Error::invalid(format!(
            "{} is the practice database (or its journal); choose another file",
            shown(target)
        )));
    }
    match std::fs::symlink_metadata(target) {
        Err(_) => Ok(()),
        Ok(meta) if meta.is_dir() => Err(Error::invalid(format!(
            "{} is a folder; give a file name",
            shown(target)
        ))),
        Ok(_) if !std::fs::metadata(target).is_ok_and(|m| m.is_file()) => {
            Err(Error::invalid(format!(
                "{} is not a regular file; choose another name",
                shown(target)
            )))
        }
        Ok(_) if !force => Err(Error::invalid(format!(
            "{} exists; choose another name or pass --force to replace it",
            shown(target)
        ))),
        Ok(_) => Ok(()),
    }
}

/// Refuses to write files into `dir` unless it is absent (the caller makes it), an empty
/// folder, or (with `force`) any folder.
pub fn claim_dir(dir: &Path, force: bool) -> Result<()> {
    match std::fs::metadata(dir) {
        Err(_) => Ok(()),
        Ok(meta) if !meta.is_dir() => Err(Error::invalid(format!(
            "{} exists and is not a folder",
            shown(dir)
        ))),
        Ok(_) if force => Ok(()),
        Ok(_) => {
            let empty = std::fs::read_dir(dir)
                .map_err(|e| Error::invalid(format!("cannot read {}: {e}", shown(dir))))?
                .next()
                .is_none();
            if empty {
                Ok(())
            } else {
                Err(Error::invalid(format!(
                    "{} is not empty; choose an empty or new folder, or pass --force to \
                     replace the files there",
                    shown(dir)
                )))
            }
        }
    }
}

/// Puts the finished temporary file `temp` at `target`: a rename with `replace`, otherwise a
/// hard link that fails if something appeared at `target` meanwhile (then the rename, where
/// the file system has no hard links, after looking once more). `temp` is gone afterwards.
pub fn put_in_place(temp: &Path, target: &Path, replace: bool) -> Result<()> {
    if replace {
        std::fs::rename(temp, target)?;
        return Ok(());
    }
    match std::fs::hard_link(temp, target) {
        Ok(()) => {
            std::fs::remove_file(temp)?;
            Ok(())
        }
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            let _ = std::fs::remove_file(temp);
            Err(Error::invalid(format!(
                "{} appeared while it was being written; nothing was replaced",
                shown(target)
            )))
        }
        Err(_) if !target.exists() => {
            std::fs::rename(temp, target)?;
            Ok(())
        }
        Err(e) => {
            let _ = std::fs::remove_file(temp);
            Err(e.into())
        }
    }
}

/// Writes `target` through a private (0600) temporary file beside it, fsynced and put in
/// place whole (over an existing file only when `replace`; call [`claim_file`] first).
pub fn write(
    target: &Path,
    replace: bool,
    fill: impl FnOnce(&mut dyn std::io::Write) -> Result<()>,
) -> Result<()> {
    let (temp, file) = super::backup::private_temp_beside(target)?;
    let result = (|| -> Result<()> {
        let mut out = std::io::BufWriter::new(file);
        fill(&mut out)?;
        let file = out.into_inner().map_err(|e| Error::Io(e.into_error()))?;
        file.sync_all()?;
        put_in_place(&temp, target, replace)?;
        super::backup::sync_dir_of(target)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&temp);
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_database_and_its_journals_are_never_claimed_even_by_another_name() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("p.db");
        std::fs::write(&db, b"x").unwrap();
        let link = dir.path().join("alias.db");
        std::fs::hard_link(&db, &link).unwrap();
        for target in [
            db.clone(),
            link,
            dir.path().join("p.db-wal"),
            dir.path().join("./p.db-shm"),
        ] {
            let e = claim_file(&target, true, Some(&db)).unwrap_err();
            assert!(e.to_string().contains("practice database"), "{e}");
        }
        assert!(claim_file(&dir.path().join("out.json"), false, Some(&db)).is_ok());
    }

    #[test]
    fn an_existing_file_needs_force_and_a_non_file_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("notes.txt");
        std::fs::write(&file, b"mine").unwrap();
        let e = claim_file(&file, false, None).unwrap_err().to_string();
        assert!(e.contains("--force"), "{e}");
        assert!(claim_file(&file, true, None).is_ok());
        assert!(claim_file(dir.path(), true, None).is_err());
        assert!(claim_file(Path::new("/dev/null"), true, None).is_err());
        assert!(claim_file(&dir.path().join("no/such.json"), true, None).is_err());
    }

    #[test]
    fn a_folder_must_be_new_or_empty_unless_forced() {
        let dir = tempfile::tempdir().unwrap();
        assert!(claim_dir(&dir.path().join("new"), false).is_ok());
        assert!(claim_dir(&dir.path().join("a/b"), false).is_ok());
        assert!(claim_dir(dir.path(), false).is_ok());
        std::fs::write(dir.path().join("x"), b"x").unwrap();
        assert!(claim_dir(dir.path(), false).is_err());
        assert!(claim_dir(dir.path(), true).is_ok());
        assert!(claim_dir(&dir.path().join("x"), true).is_err());
    }

    #[test]
    fn putting_in_place_without_replace_never_overwrites() {
        let dir = tempfile::tempdir().unwrap();
        let temp = dir.path().join(".t");
        let target = dir.path().join("t");
        std::fs::write(&temp, b"new").unwrap();
        std::fs::write(&target, b"old").unwrap();
        assert!(put_in_place(&temp, &target, false).is_err());
        assert_eq!(std::fs::read(&target).unwrap(), b"old");
        assert!(!temp.exists());
        std::fs::write(&temp, b"new").unwrap();
        put_in_place(&temp, &target, true).unwrap();
        assert_eq!(std::fs::read(&target).unwrap(), b"new");
    }
}
