//! File-system operations whose errors name the path they failed on.

use std::collections::BTreeSet;
use std::fmt;
use std::fs;
use std::path::{Path, PathBuf};

/// A failure to read, write or produce a file, with the path it concerns.
#[derive(Debug)]
pub struct PathError {
    path: PathBuf,
    message: String,
}

impl PathError {
    /// An error about `path`, described by `message`.
    pub fn new(path: impl Into<PathBuf>, message: impl fmt::Display) -> Self {
        PathError {
            path: path.into(),
            message: message.to_string(),
        }
    }
}

impl fmt::Display for PathError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path.display(), self.message)
    }
}

impl std::error::Error for PathError {}

/// Creates `path` and its missing ancestors.
pub fn create_dir_all(path: &Path) -> Result<(), PathError> {
    fs::create_dir_all(path).map_err(|e| PathError::new(path, e))
}

/// Deletes the folder `path` and everything in it, if it exists.
pub fn remove_dir_if_present(path: &Path) -> Result<(), PathError> {
    match fs::remove_dir_all(path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(PathError::new(path, e)),
        _ => Ok(()),
    }
}

/// Writes `bytes` to the file `path`, creating its folder first.
pub fn write(path: &Path, bytes: &[u8]) -> Result<(), PathError> {
    if let Some(parent) = path.parent() {
        create_dir_all(parent)?;
    }
    fs::write(path, bytes).map_err(|e| PathError::new(path, e))
}

/// Reads the whole file `path`.
pub fn read(path: &Path) -> Result<Vec<u8>, PathError> {
    fs::read(path).map_err(|e| PathError::new(path, e))
}

/// Where `path` points when it is a symbolic link; `None` for other files.
pub fn link_target(path: &Path) -> Result<Option<PathBuf>, PathError> {
    let metadata = fs::symlink_metadata(path).map_err(|e| PathError::new(path, e))?;
    if metadata.file_type().is_symlink() {
        fs::read_link(path)
            .map(Some)
            .map_err(|e| PathError::new(path, e))
    } else {
        Ok(None)
    }
}

/// Lists the files under `root`, recursively, as paths relative to `root`.
///
/// A missing `root` has no files. Folders are not listed, only what they hold.
pub fn list_files(root: &Path) -> Result<BTreeSet<PathBuf>, PathError> {
    let mut files = BTreeSet::new();
    if root.exists() {
        collect_files(root, Path::new(""), &mut files)?;
    }
    Ok(files)
}

fn collect_files(
    root: &Path,
    relative: &Path,
    files: &mut BTreeSet<PathBuf>,
) -> Result<(), PathError> {
    let folder = root.join(relative);
    let entries = fs::read_dir(&folder).map_err(|e| PathError::new(&folder, e))?;
    for entry in entries {
        let entry = entry.map_err(|e| PathError::new(&folder, e))?;
        let path = relative.join(entry.file_name());
        let file_type = entry
            .file_type()
            .map_err(|e| PathError::new(entry.path(), e))?;
        if file_type.is_dir() {
            collect_files(root, &path, files)?;
        } else {
            files.insert(path);
        }
    }
    Ok(())
}
