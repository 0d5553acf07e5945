//! Output folders that appear whole or not at all.

use std::fs;
use std::path::{Path, PathBuf};

use ade20k_model::Error;

use crate::ExportError;

/// A folder being written beside its final place and renamed into place by
/// [`StagedOutput::commit`]. Dropped without a commit, it removes itself and
/// leaves the target as it was.
#[derive(Debug)]
pub struct StagedOutput {
    target: PathBuf,
    staging: tempfile::TempDir,
}

impl StagedOutput {
    /// Starts an output for `target`. Fails when `target` is a file, or a
    /// non-empty folder and `overwrite` is false.
    pub fn begin(target: &Path, overwrite: bool) -> Result<Self, ExportError> {
        if let Ok(metadata) = fs::symlink_metadata(target) {
            if !metadata.is_dir() {
                return Err(ExportError::Usage(format!(
                    "{}: the output exists and is not a folder",
                    target.display()
                )));
            }
            let mut entries = fs::read_dir(target).map_err(|e| Error::io(target, e))?;
            if entries.next().is_some() && !overwrite {
                return Err(ExportError::Usage(format!(
                    "{}: the output folder is not empty; pass --overwrite to replace it",
                    target.display()
                )));
            }
        }
        let parent = parent_of(target);
        fs::create_dir_all(&parent).map_err(|e| Error::io(&parent, e))?;
        let staging = tempfile::Builder::new()
            .prefix(&staging_prefix(target))
            .tempdir_in(&parent)
            .map_err(|e| Error::io(&parent, e))?;
        Ok(StagedOutput {
            target: target.to_path_buf(),
            staging,
        })
    }

    /// The folder to write into.
    pub fn path(&self) -> &Path {
        self.staging.path()
    }

    /// The folder the output will have once committed.
    pub fn target(&self) -> &Path {
        &self.target
    }

    /// Moves the finished output into place, replacing a previous one.
    pub fn commit(self) -> Result<(), Error> {
        let target = self.target;
        let staged = self.staging.keep();
        let replaced = if target.exists() {
            let old = tempfile::Builder::new()
                .prefix(&format!("{}old-", staging_prefix(&target)))
                .tempdir_in(parent_of(&target))
                .map_err(|e| Error::io(&target, e))?
                .keep();
            fs::rename(&target, &old).map_err(|e| Error::io(&target, e))?;
            Some(old)
        } else {
            None
        };
        if let Err(e) = fs::rename(&staged, &target) {
            if let Some(old) = &replaced {
                let _ = fs::rename(old, &target);
            }
            let _ = fs::remove_dir_all(&staged);
            return Err(Error::io(&target, e));
        }
        if let Some(old) = replaced {
            fs::remove_dir_all(&old).map_err(|e| Error::io(&old, e))?;
        }
        Ok(())
    }
}

/// The name prefix of the hidden folders that stage output for `target`.
fn staging_prefix(target: &Path) -> String {
    let name = target
        .file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_else(|| "output".to_string());
    format!(".{name}.ade20k-")
}

fn parent_of(target: &Path) -> PathBuf {
    match target.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn output_appears_only_on_commit() {
        let root = tempfile::tempdir().unwrap();
        let target = root.path().join("out");
        let staged = StagedOutput::begin(&target, false).unwrap();
        fs::write(staged.path().join("a.txt"), "a").unwrap();
        assert!(!target.exists());
        staged.commit().unwrap();
        assert_eq!(fs::read_to_string(target.join("a.txt")).unwrap(), "a");
        assert_eq!(fs::read_dir(root.path()).unwrap().count(), 1);
    }

    #[test]
    fn dropped_output_leaves_nothing_behind() {
        let root = tempfile::tempdir().unwrap();
        let target = root.path().join("out");
        let staged = StagedOutput::begin(&target, false).unwrap();
        fs::write(staged.path().join("a.txt"), "a").unwrap();
        drop(staged);
        assert_eq!(fs::read_dir(root.path()).unwrap().count(), 0);
    }

    #[test]
    fn non_empty_target_needs_overwrite_and_is_replaced_whole() {
        let root = tempfile::tempdir().unwrap();
        let target = root.path().join("out");
        fs::create_dir(&target).unwrap();
        fs::write(target.join("old.txt"), "old").unwrap();
        assert!(matches!(
            StagedOutput::begin(&target, false),
            Err(ExportError::Usage(_))
        ));
        let staged = StagedOutput::begin(&target, true).unwrap();
        fs::write(staged.path().join("new.txt"), "new").unwrap();
        staged.commit().unwrap();
        assert!(!target.join("old.txt").exists());
        assert!(target.join("new.txt").exists());
        assert_eq!(fs::read_dir(root.path()).unwrap().count(), 1);
    }
}
