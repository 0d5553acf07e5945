//! Output folders that appear whole or not at all.
//!
//! An export writes into a hidden staging folder beside its target,
//! `.<target name>.ade20k-<random>`, and [`StagedOutput::commit`] moves it
//! into place once complete. The target is therefore always either as it was
//! or the whole new output, even when the process is killed (SIGKILL, power
//! loss of the process) at any moment:
//!
//! - On Linux the finished folder and a previous output are swapped in one
//!   atomic `renameat2(RENAME_EXCHANGE)`; the previous output, now under the
//!   staging name, is then removed. With no previous output, or where the file
//!   system cannot swap, a plain rename does it.
//! - Elsewhere (or where swapping is refused) the previous output is first
//!   renamed aside to `.<target name>.ade20k-old-<random>`, then the staging
//!   folder onto the target. A run killed between the two renames leaves the
//!   target absent and the previous output aside: the next run for the same
//!   target renames it back before anything else.
//!
//! Each staging folder is held under an advisory lock (`flock` on the folder)
//! for as long as its process lives; the kernel drops the lock when the
//! process dies, however it dies. [`StagedOutput::begin`] removes the hidden
//! folders of its target that nobody holds: what killed runs left behind.
//! Folders of a run still going on are left alone. On a file system without
//! advisory locks, staging goes on unlocked and nothing is cleaned up.

use std::fs;
use std::path::{Path, PathBuf};

use ade20k_model::Error;

use crate::ExportError;

/// A folder being written beside its final place and renamed into place by
/// [`StagedOutput::commit`]. Dropped without a commit, it removes itself and
/// leaves the target as it was; killed without a chance to drop, it is
/// removed by the next [`StagedOutput::begin`] for the same target.
#[derive(Debug)]
pub struct StagedOutput {
    target: PathBuf,
    staging: tempfile::TempDir,
    /// The staging folder, open and locked while this value lives (`None`
    /// where the file system has no advisory locks).
    _lock: Option<lock::FolderLock>,
}

impl StagedOutput {
    /// Starts an output for `target`. Fails when `target` is a file, or a
    /// non-empty folder and `overwrite` is false.
    ///
    /// First puts back a previous output that a killed commit left aside and
    /// removes the staging folders of `target` that no running process holds.
    pub fn begin(target: &Path, overwrite: bool) -> Result<Self, ExportError> {
        let parent = parent_of(target);
        if parent.is_dir() {
            clean_up_stale(target, &parent)?;
        }
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
        fs::create_dir_all(&parent).map_err(|e| Error::io(&parent, e))?;
        // Another run's clean-up may lock (and remove) a new staging folder
        // before this run locks it: then take another.
        for _ in 0..3 {
            let staging = tempfile::Builder::new()
                .prefix(&staging_prefix(target))
                .tempdir_in(&parent)
                .map_err(|e| Error::io(&parent, e))?;
            let lock = match lock::FolderLock::hold(staging.path()) {
                Ok(Some(lock)) => Some(lock),
                Ok(None) => continue,
                // No advisory locks on this file system: stage unlocked.
                Err(_) => None,
            };
            return Ok(StagedOutput {
                target: target.to_path_buf(),
                staging,
                _lock: lock,
            });
        }
        Err(ExportError::Data(Error::io(
            &parent,
            std::io::Error::other("every new staging folder was taken by another run"),
        )))
    }

    /// The folder to write into.
    pub fn path(&self) -> &Path {
        self.staging.path()
    }

    /// The folder the output will have once committed.
    pub fn target(&self) -> &Path {
        &self.target
    }

    /// Moves the finished output into place, replacing a previous one (see
    /// the [module documentation](self) for why a kill at any moment leaves
    /// the target whole).
    pub fn commit(self) -> Result<(), Error> {
        let StagedOutput {
            target,
            staging,
            _lock,
        } = self;
        let staged = staging.keep();
        let result = swap_into_place(&staged, &target);
        if result.is_err() {
            let _ = fs::remove_dir_all(&staged);
        }
        result
    }
}

/// Puts `staged` at `target`, replacing what `target` held.
fn swap_into_place(staged: &Path, target: &Path) -> Result<(), Error> {
    if fs::symlink_metadata(target).is_err() {
        return fs::rename(staged, target).map_err(|e| Error::io(target, e));
    }
    if exchange(staged, target).map_err(|e| Error::io(target, e))? {
        // `staged` now names the previous output.
        return remove_replaced(staged);
    }
    replace_by_renames(staged, target)
}

/// Puts `staged` at the existing `target` where folders cannot be swapped:
/// `target` is renamed aside, then `staged` onto it. Killed between the two,
/// the process leaves the previous output aside, for the next
/// [`StagedOutput::begin`] to put back.
fn replace_by_renames(staged: &Path, target: &Path) -> Result<(), Error> {
    let old = tempfile::Builder::new()
        .prefix(&format!("{}{OLD}", staging_prefix(target)))
        .tempdir_in(parent_of(target))
        .map_err(|e| Error::io(target, e))?
        .keep();
    fs::rename(target, &old).map_err(|e| Error::io(target, e))?;
    if let Err(e) = fs::rename(staged, target) {
        let _ = fs::rename(&old, target);
        return Err(Error::io(target, e));
    }
    remove_replaced(&old)
}

/// Swaps the folders `a` and `b` atomically. `Ok(false)`: this platform or
/// file system cannot; nothing was changed.
#[cfg(target_os = "linux")]
fn exchange(a: &Path, b: &Path) -> std::io::Result<bool> {
    use rustix::fs::{renameat_with, RenameFlags, CWD};
    use rustix::io::Errno;
    match renameat_with(CWD, a, CWD, b, RenameFlags::EXCHANGE) {
        Ok(()) => Ok(true),
        Err(Errno::INVAL | Errno::NOSYS | Errno::OPNOTSUPP) => Ok(false),
        Err(e) => Err(e.into()),
    }
}

#[cfg(not(target_os = "linux"))]
fn exchange(_a: &Path, _b: &Path) -> std::io::Result<bool> {
    Ok(false)
}

/// Name infix of a previous output renamed aside during a commit.
const OLD: &str = "old-";

/// Handles what killed runs for `target` left in `parent`: when `target` is
/// missing, a previous output set aside by an interrupted commit is renamed
/// back (an error if that fails: the next output must not take its place);
/// every other hidden folder of `target` that no process holds is removed,
/// as far as possible (what cannot be listed or removed is left for later).
fn clean_up_stale(target: &Path, parent: &Path) -> Result<(), Error> {
    if !cfg!(unix) {
        // Without advisory locks a live run cannot be told from a dead one.
        return Ok(());
    }
    let prefix = staging_prefix(target);
    let Ok(entries) = fs::read_dir(parent) else {
        return Ok(());
    };
    let mut stale: Vec<PathBuf> = entries
        .flatten()
        .filter(|entry| entry.file_name().to_string_lossy().starts_with(&prefix))
        .filter(|entry| entry.file_type().is_ok_and(|kind| kind.is_dir()))
        .map(|entry| entry.path())
        .collect();
    stale.sort();
    for path in stale {
        let Some(_held) = lock::FolderLock::hold(&path).ok().flatten() else {
            continue;
        };
        let is_old = path
            .file_name()
            .is_some_and(|name| name.to_string_lossy()[prefix.len()..].starts_with(OLD));
        if is_old && fs::symlink_metadata(target).is_err() {
            fs::rename(&path, target).map_err(|e| Error::io(target, e))?;
        } else {
            let _ = fs::remove_dir_all(&path);
        }
    }
    Ok(())
}

/// Removes the previous output once the new one is in place; already gone
/// (removed by another run's clean-up) is fine.
fn remove_replaced(old: &Path) -> Result<(), Error> {
    match fs::remove_dir_all(old) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(Error::io(old, e)),
        _ => Ok(()),
    }
}

/// Advisory locks on folders: held by the process that stages into one,
/// dropped by the kernel when that process ends.
mod lock {
    use std::path::Path;

    /// An open, exclusively locked folder; unlocked when dropped.
    #[derive(Debug)]
    pub(super) struct FolderLock {
        #[cfg(unix)]
        _file: std::fs::File,
    }

    impl FolderLock {
        /// Locks `folder`; `None` when another process holds it.
        #[cfg(unix)]
        pub(super) fn hold(folder: &Path) -> std::io::Result<Option<FolderLock>> {
            use rustix::fs::{flock, FlockOperation};
            let file = std::fs::File::open(folder)?;
            match flock(&file, FlockOperation::NonBlockingLockExclusive) {
                Ok(()) => Ok(Some(FolderLock { _file: file })),
                Err(rustix::io::Errno::WOULDBLOCK) => Ok(None),
                Err(e) => Err(e.into()),
            }
        }

        /// Without advisory locks, every folder counts as held: stale folders
        /// are never removed.
        #[cfg(not(unix))]
        pub(super) fn hold(_folder: &Path) -> std::io::Result<Option<FolderLock>> {
            Ok(Some(FolderLock {}))
        }
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

    #[cfg(unix)]
    #[test]
    fn stale_staging_folders_are_removed_and_live_ones_kept() {
        let root = tempfile::tempdir().unwrap();
        let target = root.path().join("out");
        let stale = root.path().join(".out.ade20k-dead01");
        fs::create_dir(&stale).unwrap();
        fs::write(stale.join("half.json"), "{").unwrap();
        let other = root.path().join(".other.ade20k-dead02");
        fs::create_dir(&other).unwrap();
        let live = StagedOutput::begin(&target, false).unwrap();
        assert!(!stale.exists());
        assert!(
            other.exists(),
            "another target's folder is not ours to remove"
        );
        let second = StagedOutput::begin(&target, false).unwrap();
        assert!(live.path().exists(), "a running export keeps its folder");
        drop(second);
        live.commit().unwrap();
        assert!(target.exists());
    }

    #[test]
    fn without_swapping_the_previous_output_is_replaced_by_two_renames() {
        let root = tempfile::tempdir().unwrap();
        let target = root.path().join("out");
        fs::create_dir(&target).unwrap();
        fs::write(target.join("old.txt"), "old").unwrap();
        let staged = root.path().join(".out.ade20k-abc123");
        fs::create_dir(&staged).unwrap();
        fs::write(staged.join("new.txt"), "new").unwrap();
        replace_by_renames(&staged, &target).unwrap();
        assert_eq!(fs::read_to_string(target.join("new.txt")).unwrap(), "new");
        assert_eq!(fs::read_dir(root.path()).unwrap().count(), 1);
    }

    #[cfg(unix)]
    #[test]
    fn a_previous_output_left_aside_is_put_back() {
        let root = tempfile::tempdir().unwrap();
        let target = root.path().join("out");
        let aside = root.path().join(".out.ade20k-old-abc123");
        fs::create_dir(&aside).unwrap();
        fs::write(aside.join("old.txt"), "old").unwrap();
        assert!(matches!(
            StagedOutput::begin(&target, false),
            Err(ExportError::Usage(_))
        ));
        assert_eq!(fs::read_to_string(target.join("old.txt")).unwrap(), "old");
        assert_eq!(fs::read_dir(root.path()).unwrap().count(), 1);
    }
}
