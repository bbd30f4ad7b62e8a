//! The file store: content-addressed files under `<data_dir>/files/ab/abcdef...`, each named by
//! the SHA-256 of its bytes. A name a user gave a file never becomes a path, the same content is
//! stored once, and what is read back is checked against its name before anyone sees it.
//!
//! Files are written whole or not at all: into a temporary file in the destination directory,
//! flushed to disk, renamed into place (atomic within one file system), and the directory
//! flushed too, so that after a crash a file is either complete under its name or absent. The
//! store never deletes a stored file: attachments are removed by marking their row, and the file
//! stays for backups and investigations.

use std::fs::{self, File, OpenOptions};
use std::io::{self, ErrorKind, Read, Write};
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::error::{AppError, AppResult, ErrorCode};

/// Where files are kept, inside the data directory.
pub const FILES_DIR: &str = "files";

#[derive(Debug, Clone)]
pub struct FileStore {
    root: PathBuf,
}

/// The SHA-256 of some bytes, in lower-case hex: a stored file's name.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

fn is_sha256_hex(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

impl FileStore {
    pub fn new(data_dir: &Path) -> Self {
        Self {
            root: data_dir.join(FILES_DIR),
        }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The path of a stored file. Only a well-formed hash makes a path, so that a damaged or
    /// forged database value can never point outside the store.
    fn path_of(&self, sha256: &str) -> AppResult<PathBuf> {
        if !is_sha256_hex(sha256) {
            return Err(AppError::internal(format!(
                "file store: {sha256:?} is not a SHA-256"
            )));
        }
        Ok(self.root.join(&sha256[..2]).join(sha256))
    }

    /// Stores bytes and returns their SHA-256. Content already stored intact is not written
    /// again; a stored copy found damaged is replaced by the good one.
    pub fn put(&self, bytes: &[u8]) -> AppResult<String> {
        self.put_with(bytes, |file, bytes| file.write_all(bytes))
    }

    /// [`FileStore::put`] with the writing step given, so that tests can make it fail as a full
    /// disk does.
    fn put_with(
        &self,
        bytes: &[u8],
        write: impl FnOnce(&mut File, &[u8]) -> io::Result<()>,
    ) -> AppResult<String> {
        let sha256 = sha256_hex(bytes);
        let path = self.path_of(&sha256)?;
        if self.is_intact(&path, &sha256) {
            return Ok(sha256);
        }
        let dir = path
            .parent()
            .ok_or_else(|| AppError::internal("file store: a stored file has no directory"))?;
        self.ensure_dir(dir).map_err(|e| write_failed(&e, dir))?;
        write_atomically(dir, &path, bytes, write).map_err(|e| write_failed(&e, &path))?;
        Ok(sha256)
    }

    /// Whether a file with this content is already stored, undamaged.
    fn is_intact(&self, path: &Path, sha256: &str) -> bool {
        fs::read(path).is_ok_and(|b| sha256_hex(&b) == sha256)
    }

    /// Creates the store and the file's subdirectory if needed (private to the service, like the
    /// data directory), flushing each new directory's entry in its parent.
    fn ensure_dir(&self, dir: &Path) -> io::Result<()> {
        for d in [self.root.as_path(), dir] {
            if !d.is_dir() {
                match fs::DirBuilder::new().mode(0o700).create(d) {
                    Ok(()) => {}
                    // Another upload made it meanwhile.
                    Err(e) if e.kind() == ErrorKind::AlreadyExists => continue,
                    Err(e) => return Err(e),
                }
                if let Some(parent) = d.parent() {
                    sync_dir(parent)?;
                }
            }
        }
        Ok(())
    }

    /// The bytes of a stored file, checked against its hash: a damaged or missing file is
    /// reported and never served.
    pub fn get(&self, sha256: &str) -> AppResult<Vec<u8>> {
        let path = self.path_of(sha256)?;
        let mut bytes = Vec::new();
        let read = File::open(&path).and_then(|mut f| f.read_to_end(&mut bytes));
        match read {
            Ok(_) if sha256_hex(&bytes) == sha256 => Ok(bytes),
            Ok(_) => Err(AppError::new(
                ErrorCode::Internal,
                "This file is damaged in the file store (its content no longer matches its \
                 checksum), so it is not shown. Tell your administrator: it can be restored from \
                 a backup.",
            )
            .with_cause(format!(
                "file store: {} fails its hash check",
                path.display()
            ))),
            Err(e) if e.kind() == ErrorKind::NotFound => Err(AppError::new(
                ErrorCode::Internal,
                "This file is missing from the file store. Tell your administrator: it can be \
                 restored from a backup.",
            )
            .with_cause(format!("file store: {} is missing", path.display()))),
            Err(e) => Err(AppError::internal(format!(
                "file store: cannot read {}: {e}",
                path.display()
            ))),
        }
    }
}

/// Writes `bytes` to `path` through a temporary file in `dir`; on any failure the temporary file
/// is removed, so nothing partial is ever left, under its name or another.
fn write_atomically(
    dir: &Path,
    path: &Path,
    bytes: &[u8],
    write: impl FnOnce(&mut File, &[u8]) -> io::Result<()>,
) -> io::Result<()> {
    let temp = dir.join(format!(".upload-{}", uuid::Uuid::new_v4().simple()));
    let result = (|| {
        let mut file = OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&temp)?;
        write(&mut file, bytes)?;
        // On disk before it gets its name: a crash never leaves a named file with missing data.
        file.sync_all()?;
        drop(file);
        fs::rename(&temp, path)?;
        // The new name itself on disk.
        sync_dir(dir)
    })();
    if result.is_err() {
        // Gone already if the rename happened; nothing else to do if removal fails.
        let _ = fs::remove_file(&temp);
    }
    result
}

fn sync_dir(dir: &Path) -> io::Result<()> {
    File::open(dir)?.sync_all()
}

/// A failed write, said plainly: a full disk is the administrator's to fix, and the user is
/// told nothing was kept.
fn write_failed(e: &io::Error, path: &Path) -> AppError {
    let full = matches!(
        e.kind(),
        ErrorKind::StorageFull | ErrorKind::QuotaExceeded | ErrorKind::FileTooLarge
    );
    let message = if full {
        "The file could not be stored: the server's disk is full. Nothing was saved. Tell your \
         administrator."
    } else {
        "The file could not be stored. Nothing was saved. Try again, and tell your administrator \
         if it happens again."
    };
    AppError::new(ErrorCode::Unavailable, message)
        .with_cause(format!("file store: cannot write {}: {e}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn files_in(dir: &Path) -> Vec<PathBuf> {
        let mut out = Vec::new();
        for entry in fs::read_dir(dir).unwrap() {
            let p = entry.unwrap().path();
            if p.is_dir() {
                out.extend(files_in(&p));
            } else {
                out.push(p);
            }
        }
        out
    }

    #[test]
    fn stores_by_hash_once_and_reads_back() {
        let dir = tempfile::tempdir().unwrap();
        let store = FileStore::new(dir.path());
        let sha = store.put(b"case document").unwrap();
        assert_eq!(sha, sha256_hex(b"case document"));
        let path = dir.path().join("files").join(&sha[..2]).join(&sha);
        assert!(path.is_file());
        assert_eq!(store.put(b"case document").unwrap(), sha);
        assert_eq!(files_in(&store.root).len(), 1, "same content, one file");
        assert_eq!(store.get(&sha).unwrap(), b"case document");
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            fs::metadata(&path).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }

    #[test]
    fn a_damaged_file_is_reported_and_repaired_by_a_new_upload() {
        let dir = tempfile::tempdir().unwrap();
        let store = FileStore::new(dir.path());
        let sha = store.put(b"original").unwrap();
        let path = store.path_of(&sha).unwrap();
        fs::write(&path, b"tampered").unwrap();
        let e = store.get(&sha).unwrap_err();
        assert!(e.message.contains("damaged"), "{e:?}");
        store.put(b"original").unwrap();
        assert_eq!(store.get(&sha).unwrap(), b"original");
        fs::remove_file(&path).unwrap();
        assert!(store.get(&sha).unwrap_err().message.contains("missing"));
    }

    #[test]
    fn a_full_disk_leaves_nothing_behind() {
        let dir = tempfile::tempdir().unwrap();
        let store = FileStore::new(dir.path());
        let e = store
            .put_with(b"a photo of a child", |file, bytes| {
                file.write_all(&bytes[..4])?;
                Err(io::Error::from(ErrorKind::StorageFull))
            })
            .unwrap_err();
        assert_eq!(e.code, ErrorCode::Unavailable);
        assert!(e.message.contains("disk is full"), "{e:?}");
        assert!(files_in(&store.root).is_empty(), "no partial file");
        // And the store still works afterwards.
        let sha = store.put(b"a photo of a child").unwrap();
        assert_eq!(files_in(&store.root), [store.path_of(&sha).unwrap()]);
    }

    #[test]
    fn only_hashes_make_paths() {
        let store = FileStore::new(Path::new("/nonexistent"));
        for bad in [
            "../../etc/passwd",
            "",
            "AB",
            &"g".repeat(64),
            &"A".repeat(64),
        ] {
            assert!(store.path_of(bad).is_err(), "{bad}");
            assert!(store.get(bad).is_err(), "{bad}");
        }
    }
}
