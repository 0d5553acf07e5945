//! Output folders that appear whole or not at all, and never take the place
//! of a folder the tool did not write.
//!
//! **Resolution.** [`OutputTarget::resolve`] turns the path a user gave into
//! one absolute path, once: `.` and `..` are applied in order, each existing
//! component with its symbolic links followed (so `missing/../data` is
//! `data`, and a `..` after a link leads to the link target's parent). Every
//! check and the final rename use that path. It refuses, before anything is
//! written, a target that is the root folder, the current folder or one of
//! its parents, or a mount point, and ([`OutputTarget::apart_from`]) one
//! that is, contains or lies inside the input dataset.
//!
//! **Staging.** An export writes into a hidden staging folder beside its
//! target, `.<target name>.ade20k-<random>`, and [`StagedOutput::commit`]
//! moves it into place once complete. The target is therefore always either
//! as it was or the whole new output, even when the process is killed
//! (SIGKILL, power loss of the process) at any moment:
//!
//! - On Linux the finished folder and a previous output are swapped in one
//!   atomic `renameat2(RENAME_EXCHANGE)`; a new target is created by
//!   `renameat2(RENAME_NOREPLACE)`, which fails rather than replace a folder
//!   that appeared meanwhile. Where the file system cannot do either, plain
//!   renames do it.
//! - Elsewhere (or where swapping is refused) the previous output is first
//!   renamed aside to `.<target name>.ade20k-old-<random>`, then the staging
//!   folder onto the target. A run killed between the two renames leaves the
//!   target absent and the previous output aside: the next run for the same
//!   target renames it back before anything else.
//!
//! **The commit point** is that swap (or the rename of the staging folder
//! onto the target). Before it, any failure leaves the target as it was and
//! the export fails. After it the new output is in place and the export has
//! succeeded: failing to remove the previous output (now under a staging
//! name) is reported as a leftover ([`Committed::leftover`]) naming that
//! folder, which the next run for the target tries to remove again.
//!
//! **What may be replaced.** An absent target or an empty folder is always
//! fine. A non-empty folder is replaced only with `overwrite` *and* when it
//! holds the [manifest](crate::run::manifest) every output carries: a folder of
//! the user's is never deleted. At the commit point the target must still be
//! what the run saw when it started (the same folder with the same manifest,
//! or still absent or empty); otherwise the new output is discarded and the
//! target left as it is.
//!
//! **Locks.** A run holds an advisory lock (`flock`) on
//! `.<target name>.ade20k-lock` beside the target from [`StagedOutput::begin`]
//! until it ends, so a second run for the same target fails at once, naming
//! the process that holds it. Each staging folder is locked too, for as
//! long as its process lives; the kernel drops both locks when the process
//! dies, however it dies. [`StagedOutput::begin`] removes the hidden folders
//! of its target that nobody holds: what killed runs left behind. On a file
//! system without advisory locks, runs go on unlocked and nothing is cleaned
//! up.

use std::fs;
use std::path::{Component, Path, PathBuf};

use ade20k_model::Error;

use crate::run::manifest::{read_manifest_bytes, MANIFEST_FILE};
use crate::ExportError;

/// An output folder, resolved once ([module documentation](self)): absolute,
/// without `.` or `..`, its existing part free of symbolic links.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OutputTarget {
    /// The resolved path.
    path: PathBuf,
    /// The path as given, for messages.
    requested: PathBuf,
    /// The input dataset folder it was checked against, resolved.
    input: Option<PathBuf>,
}

impl OutputTarget {
    /// Resolves `requested`. Refuses (a usage error) the root folder, the
    /// current folder or a folder containing it, and a mount point: none of
    /// them can be replaced whole.
    pub fn resolve(requested: &Path) -> Result<Self, ExportError> {
        let path = resolve_path(requested).map_err(|e| Error::io(requested, e))?;
        let refuse = |why: &str| {
            Err(ExportError::Usage(format!(
                "{}: the output {why}; name a folder of its own (e.g. {})",
                requested.display(),
                Path::new(requested).join("out").display()
            )))
        };
        if path.parent().is_none() || path.file_name().is_none() {
            return refuse("is the root folder");
        }
        if let Ok(current) = std::env::current_dir().and_then(fs::canonicalize) {
            if current.starts_with(&path) {
                return refuse(&format!(
                    "would be {}, the current folder or a folder containing it",
                    path.display()
                ));
            }
        }
        if is_mount_point(&path) {
            return refuse(&format!("{} is a mount point", path.display()));
        }
        Ok(OutputTarget {
            path,
            requested: requested.to_path_buf(),
            input: None,
        })
    }

    /// Checks that the output neither is, contains, nor lies inside the
    /// dataset folder `input` (a usage error if it does), and records `input`
    /// for the manifest: a conversion never writes into its input, and
    /// replacing an output never deletes the input.
    pub fn apart_from(mut self, input: &Path) -> Result<Self, ExportError> {
        let resolved = resolve_path(input).map_err(|e| Error::io(input, e))?;
        let clash = if self.path.starts_with(&resolved) {
            Some("must not be inside the input dataset")
        } else if resolved.starts_with(&self.path) {
            Some("must not contain the input dataset")
        } else {
            None
        };
        if let Some(clash) = clash {
            return Err(ExportError::Usage(format!(
                "{}: the output {clash} {} (it resolves to {})",
                self.requested.display(),
                resolved.display(),
                self.path.display()
            )));
        }
        self.input = Some(resolved);
        Ok(self)
    }

    /// The resolved folder.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The input dataset folder given to [`OutputTarget::apart_from`], resolved.
    pub fn input(&self) -> Option<&Path> {
        self.input.as_deref()
    }

    /// The folder holding the target.
    fn parent(&self) -> &Path {
        self.path.parent().unwrap_or(Path::new("/"))
    }
}

/// `path` made absolute, `.` and `..` applied in order and every existing
/// component's links followed; the components past the first missing one are
/// taken as plain names (a folder that does not exist holds no links, and a
/// `..` after it cancels it).
fn resolve_path(path: &Path) -> std::io::Result<PathBuf> {
    let absolute = std::path::absolute(path)?;
    let mut resolved = PathBuf::new();
    let mut exists = true;
    for component in absolute.components() {
        match component {
            Component::Prefix(_) | Component::RootDir => resolved.push(component),
            Component::CurDir => {}
            // The resolved part has no links, so its lexical parent is its
            // real parent.
            Component::ParentDir => {
                resolved.pop();
                exists = exists || fs::symlink_metadata(&resolved).is_ok();
            }
            Component::Normal(name) => {
                resolved.push(name);
                if exists {
                    match fs::canonicalize(&resolved) {
                        Ok(real) => resolved = real,
                        Err(e) if fs::symlink_metadata(&resolved).is_ok() => return Err(e),
                        Err(_) => exists = false,
                    }
                }
            }
        }
    }
    Ok(resolved)
}

/// Whether `path` is an existing folder on another file system than its
/// parent's (or the root of one).
#[cfg(unix)]
fn is_mount_point(path: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    let (Ok(own), Some(Ok(parent))) = (
        fs::symlink_metadata(path),
        path.parent().map(fs::symlink_metadata),
    ) else {
        return false;
    };
    own.is_dir() && (own.dev() != parent.dev() || own.ino() == parent.ino())
}

#[cfg(not(unix))]
fn is_mount_point(_path: &Path) -> bool {
    false
}

/// A folder being written beside its final place and renamed into place by
/// [`StagedOutput::commit`]. Dropped without a commit, it removes itself (and
/// the folders it created to hold the target) and leaves the target as it
/// was; killed without a chance to drop, it is removed by the next
/// [`StagedOutput::begin`] for the same target.
#[derive(Debug)]
pub struct StagedOutput {
    // Dropped in this order: the staging folder, its lock, the target's lock,
    // then the folders made to hold them.
    staging: tempfile::TempDir,
    /// The staging folder, open and locked while this value lives (`None`
    /// where the file system has no advisory locks).
    _staging_lock: Option<lock::FolderLock>,
    _target_lock: lock::TargetLock,
    created: CreatedFolders,
    target: PathBuf,
    seen: Seen,
}

/// What a [`StagedOutput::commit`] left behind once the new output was in place.
#[derive(Debug)]
#[non_exhaustive]
pub struct Committed {
    /// The previous output could not be removed: the error names the hidden
    /// folder it is left in (the next run for the target tries again).
    pub leftover: Option<Error>,
}

impl StagedOutput {
    /// Starts an output for `target`, holding its lock. Fails (a usage error)
    /// when another run holds the lock, when `target` is a file, or a
    /// non-empty folder and `overwrite` is false or the folder holds no
    /// manifest of a previous output.
    ///
    /// First puts back a previous output that a killed commit left aside and
    /// removes the staging folders of `target` that no running process holds.
    pub fn begin(target: &OutputTarget, overwrite: bool) -> Result<Self, ExportError> {
        let parent = target.parent();
        let created = CreatedFolders::create(parent)?;
        let target_lock = lock::TargetLock::take(target.path())?;
        clean_up_stale(target.path(), parent)?;
        let seen = Seen::look(target, overwrite)?;
        // Another run's clean-up may lock (and remove) a new staging folder
        // before this run locks it: then take another.
        for _ in 0..3 {
            let staging = tempfile::Builder::new()
                .prefix(&staging_prefix(target.path()))
                .tempdir_in(parent)
                .map_err(|e| Error::io(parent, e))?;
            let staging_lock = match lock::FolderLock::hold(staging.path()) {
                Ok(Some(lock)) => Some(lock),
                Ok(None) => continue,
                // No advisory locks on this file system: stage unlocked.
                Err(_) => None,
            };
            return Ok(StagedOutput {
                staging,
                _staging_lock: staging_lock,
                _target_lock: target_lock,
                created,
                target: target.path().to_path_buf(),
                seen,
            });
        }
        Err(ExportError::Data(Error::io(
            parent,
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

    /// Moves the finished output into place, replacing a previous one, if
    /// the target is still as [`StagedOutput::begin`] saw it (see the
    /// [module documentation](self) for why a kill at any moment leaves the
    /// target whole, and for the commit point). An error means the target is
    /// as it was; `Ok` that the new output is in place.
    pub fn commit(self) -> Result<Committed, Error> {
        let StagedOutput {
            staging,
            _staging_lock,
            _target_lock,
            mut created,
            target,
            seen,
        } = self;
        let staged = staging.keep();
        let result = seen
            .still_there(&target)
            .and_then(|()| swap_into_place(&staged, &target, &seen));
        if result.is_err() {
            let _ = fs::remove_dir_all(&staged);
        } else {
            created.keep();
        }
        result
    }
}

/// The folders [`StagedOutput::begin`] made to hold the target, removed
/// again (when still empty) unless the output was committed.
#[derive(Debug, Default)]
struct CreatedFolders(Vec<PathBuf>);

impl CreatedFolders {
    /// Creates `folder` and its missing parents.
    fn create(folder: &Path) -> Result<Self, Error> {
        let mut missing = Vec::new();
        let mut next = Some(folder);
        while let Some(path) = next {
            if fs::symlink_metadata(path).is_ok() {
                break;
            }
            missing.push(path.to_path_buf());
            next = path.parent();
        }
        let mut created = CreatedFolders::default();
        for path in missing.into_iter().rev() {
            match fs::create_dir(&path) {
                Ok(()) => created.0.push(path),
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
                Err(e) => return Err(Error::io(&path, e)),
            }
        }
        Ok(created)
    }

    /// Keeps the folders: they hold the output now.
    fn keep(&mut self) {
        self.0.clear();
    }
}

impl Drop for CreatedFolders {
    fn drop(&mut self) {
        for path in self.0.iter().rev() {
            // Only empty folders go: another program may have used them.
            let _ = fs::remove_dir(path);
        }
    }
}

/// What the target was when the run started: what the commit must still find.
#[derive(Debug)]
enum Seen {
    /// Nothing at the target.
    Absent,
    /// A folder: `manifest` holds its manifest's bytes, `None` for an empty folder.
    Folder {
        identity: Option<(u64, u64)>,
        manifest: Option<Vec<u8>>,
    },
}

impl Seen {
    /// Looks at `target` and checks that it may be replaced.
    fn look(target: &OutputTarget, overwrite: bool) -> Result<Self, ExportError> {
        let path = target.path();
        let metadata = match fs::symlink_metadata(path) {
            Ok(metadata) => metadata,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Seen::Absent),
            Err(e) => return Err(Error::io(path, e).into()),
        };
        if !metadata.is_dir() {
            return Err(ExportError::Usage(format!(
                "{}: the output exists and is not a folder",
                path.display()
            )));
        }
        let identity = identity(&metadata);
        if is_empty_folder(path)? {
            return Ok(Seen::Folder {
                identity,
                manifest: None,
            });
        }
        let manifest = read_manifest_bytes(&path.join(MANIFEST_FILE))
            .ok()
            .flatten();
        match (manifest, overwrite) {
            (Some(manifest), true) => Ok(Seen::Folder {
                identity,
                manifest: Some(manifest),
            }),
            (Some(_), false) => Err(ExportError::Usage(format!(
                "{}: the output folder holds a previous output; pass --overwrite to replace it",
                path.display()
            ))),
            (None, _) => Err(ExportError::Usage(format!(
                "{}: the output folder is not empty and holds no {MANIFEST_FILE}, so it was not \
                 written by ade20k and is never replaced; choose another folder, or empty it \
                 yourself",
                path.display()
            ))),
        }
    }

    /// Checks that `target` is still what it was seen to be.
    fn still_there(&self, target: &Path) -> Result<(), Error> {
        let changed = || {
            Error::invalid(
                target,
                "changed while the output was written (a folder or file appeared or was \
                 replaced); it was left as it is and the new output discarded",
            )
        };
        let metadata = fs::symlink_metadata(target);
        match self {
            Seen::Absent => match metadata {
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
                _ => Err(changed()),
            },
            Seen::Folder { identity, manifest } => {
                let Ok(metadata) = metadata else {
                    return Err(changed());
                };
                let same = metadata.is_dir()
                    && self::identity(&metadata) == *identity
                    && match manifest {
                        None => is_empty_folder(target)?,
                        Some(bytes) => {
                            read_manifest_bytes(&target.join(MANIFEST_FILE))
                                .ok()
                                .flatten()
                                == Some(bytes.clone())
                        }
                    };
                if same {
                    Ok(())
                } else {
                    Err(changed())
                }
            }
        }
    }
}

/// Device and inode of a file, where the platform has them.
fn identity(metadata: &fs::Metadata) -> Option<(u64, u64)> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        Some((metadata.dev(), metadata.ino()))
    }
    #[cfg(not(unix))]
    {
        let _ = metadata;
        None
    }
}

fn is_empty_folder(path: &Path) -> Result<bool, Error> {
    let mut entries = fs::read_dir(path).map_err(|e| Error::io(path, e))?;
    Ok(entries.next().is_none())
}

/// Puts `staged` at `target`, replacing the folder `seen` there: the commit
/// point. Once it has happened, an error removing the previous output
/// becomes [`Committed::leftover`].
fn swap_into_place(staged: &Path, target: &Path, seen: &Seen) -> Result<Committed, Error> {
    let leftover = match seen {
        Seen::Absent => {
            rename_no_replace(staged, target)?;
            None
        }
        Seen::Folder { .. } => {
            if exchange(staged, target).map_err(|e| Error::io(target, e))? {
                // `staged` now names the previous output.
                remove_replaced(staged)
            } else {
                replace_by_renames(staged, target)?
            }
        }
    };
    Ok(Committed { leftover })
}

/// Renames `staged` to the absent `target`, failing if something appeared there.
fn rename_no_replace(staged: &Path, target: &Path) -> Result<(), Error> {
    #[cfg(target_os = "linux")]
    {
        use rustix::fs::{renameat_with, RenameFlags, CWD};
        use rustix::io::Errno;
        match renameat_with(CWD, staged, CWD, target, RenameFlags::NOREPLACE) {
            Ok(()) => return Ok(()),
            Err(Errno::EXIST | Errno::NOTEMPTY) => {
                return Err(Error::invalid(
                    target,
                    "appeared while the output was written; it was left as it is and the \
                     new output discarded",
                ))
            }
            Err(Errno::INVAL | Errno::NOSYS | Errno::OPNOTSUPP) => {}
            Err(e) => return Err(Error::io(target, e.into())),
        }
    }
    fs::rename(staged, target).map_err(|e| Error::io(target, e))
}

/// Puts `staged` at the existing `target` where folders cannot be swapped:
/// `target` is renamed aside, then `staged` onto it (the commit point).
/// Killed between the two, the process leaves the previous output aside, for
/// the next [`StagedOutput::begin`] to put back.
fn replace_by_renames(staged: &Path, target: &Path) -> Result<Option<Error>, Error> {
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
    Ok(remove_replaced(&old))
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

/// Removes the previous output once the new one is in place: `Some` error
/// naming the folder left behind when that fails; already gone (removed by
/// another run's clean-up) is fine.
fn remove_replaced(old: &Path) -> Option<Error> {
    match fs::remove_dir_all(old) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Some(Error::invalid(
            old,
            format!(
                "the previous output could not be removed ({e}); the new output is in place, \
                 remove this folder by hand"
            ),
        )),
        _ => None,
    }
}

/// Advisory locks: on the target of a run, and on staging folders, held by
/// the process that writes, dropped by the kernel when that process ends.
mod lock {
    use std::path::{Path, PathBuf};

    use ade20k_model::Error;

    use crate::ExportError;

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
            let file = std::fs::File::open(folder)?;
            Ok(try_lock(&file)?.then_some(FolderLock { _file: file }))
        }

        /// Without advisory locks, every folder counts as held: stale folders
        /// are never removed.
        #[cfg(not(unix))]
        pub(super) fn hold(_folder: &Path) -> std::io::Result<Option<FolderLock>> {
            Ok(Some(FolderLock {}))
        }
    }

    /// The lock of a run on its target: the file `.<target name>.ade20k-lock`
    /// beside it, locked and holding the process id, removed when dropped.
    #[derive(Debug)]
    pub(super) struct TargetLock {
        /// The lock file and the open, locked file (`None` where the file
        /// system has no advisory locks).
        #[cfg(unix)]
        held: Option<(PathBuf, std::fs::File)>,
    }

    impl TargetLock {
        /// Locks `target`; a usage error naming the holder when another run has it.
        #[cfg(unix)]
        pub(super) fn take(target: &Path) -> Result<TargetLock, ExportError> {
            use std::io::{Read, Seek, Write};
            use std::os::unix::fs::MetadataExt;
            let path = PathBuf::from(format!("{}{LOCK}", super::staging_prefix(target)));
            let path = super::parent_of(target).join(path);
            // The holder removes the file when done: a file locked after
            // that is no longer the lock, so open it again.
            for _ in 0..10 {
                let mut file = std::fs::OpenOptions::new()
                    .read(true)
                    .write(true)
                    .create(true)
                    .truncate(false)
                    .open(&path)
                    .map_err(|e| Error::io(&path, e))?;
                match try_lock(&file) {
                    Ok(true) => {}
                    Ok(false) => {
                        let mut holder = String::new();
                        let _ = file.read_to_string(&mut holder);
                        let holder = match holder.trim() {
                            "" => "another process".to_string(),
                            pid => format!("process {pid}"),
                        };
                        return Err(ExportError::Usage(format!(
                            "{}: another ade20k run ({holder}) is writing this output; wait \
                             for it to end or choose another folder (lock: {})",
                            target.display(),
                            path.display()
                        )));
                    }
                    // No advisory locks on this file system: run unlocked.
                    Err(_) => return Ok(TargetLock { held: None }),
                }
                let same = match (file.metadata(), std::fs::symlink_metadata(&path)) {
                    (Ok(open), Ok(named)) => open.dev() == named.dev() && open.ino() == named.ino(),
                    _ => false,
                };
                if !same {
                    continue;
                }
                let pid = std::process::id().to_string();
                file.set_len(0)
                    .and_then(|()| file.rewind())
                    .and_then(|()| file.write_all(pid.as_bytes()))
                    .map_err(|e| Error::io(&path, e))?;
                return Ok(TargetLock {
                    held: Some((path, file)),
                });
            }
            Err(Error::io(
                &path,
                std::io::Error::other("the lock file kept being replaced by other runs"),
            )
            .into())
        }

        /// Without advisory locks, runs are not kept apart.
        #[cfg(not(unix))]
        pub(super) fn take(_target: &Path) -> Result<TargetLock, ExportError> {
            Ok(TargetLock {})
        }
    }

    #[cfg(unix)]
    impl Drop for TargetLock {
        fn drop(&mut self) {
            // Removed while still locked, so a run that opened it meanwhile
            // sees it replaced and opens the new one.
            if let Some((path, _file)) = &self.held {
                let _ = std::fs::remove_file(path);
            }
        }
    }

    /// Name suffix of the lock file, after the staging prefix.
    const LOCK: &str = "lock";

    /// Takes an exclusive lock on `file` without waiting: `false` when
    /// another process holds one.
    #[cfg(unix)]
    fn try_lock(file: &std::fs::File) -> std::io::Result<bool> {
        use rustix::fs::{flock, FlockOperation};
        match flock(file, FlockOperation::NonBlockingLockExclusive) {
            Ok(()) => Ok(true),
            Err(rustix::io::Errno::WOULDBLOCK) => Ok(false),
            Err(e) => Err(e.into()),
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

    fn target(path: &Path) -> OutputTarget {
        OutputTarget::resolve(path).unwrap()
    }

    /// A folder that looks like a previous output: a manifest and a file.
    fn previous_output(path: &Path) {
        fs::create_dir_all(path).unwrap();
        fs::write(path.join(MANIFEST_FILE), "{\"tool\": \"ade20k\"}").unwrap();
        fs::write(path.join("old.txt"), "old").unwrap();
    }

    fn names(folder: &Path) -> Vec<String> {
        let mut names: Vec<String> = fs::read_dir(folder)
            .unwrap()
            .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn output_appears_only_on_commit() {
        let root = tempfile::tempdir().unwrap();
        let out = root.path().join("out");
        let staged = StagedOutput::begin(&target(&out), false).unwrap();
        fs::write(staged.path().join("a.txt"), "a").unwrap();
        assert!(!out.exists());
        let committed = staged.commit().unwrap();
        assert!(committed.leftover.is_none());
        assert_eq!(fs::read_to_string(out.join("a.txt")).unwrap(), "a");
        assert_eq!(
            names(root.path()),
            ["out"],
            "no staging folder or lock left"
        );
    }

    #[test]
    fn dropped_output_leaves_nothing_behind_not_even_the_folders_made_for_it() {
        let root = tempfile::tempdir().unwrap();
        let staged = StagedOutput::begin(&target(&root.path().join("a/b/out")), false).unwrap();
        fs::write(staged.path().join("a.txt"), "a").unwrap();
        assert!(root.path().join("a/b").is_dir());
        drop(staged);
        assert!(names(root.path()).is_empty());
    }

    #[test]
    fn a_non_empty_folder_without_manifest_is_never_replaced() {
        let root = tempfile::tempdir().unwrap();
        let notes = root.path().join("notes");
        fs::create_dir(&notes).unwrap();
        fs::write(notes.join("mine.txt"), "mine").unwrap();
        for overwrite in [false, true] {
            let Err(ExportError::Usage(message)) = StagedOutput::begin(&target(&notes), overwrite)
            else {
                panic!("refused");
            };
            assert!(message.contains("not written by ade20k"), "{message}");
        }
        assert_eq!(names(root.path()), ["notes"]);
        assert_eq!(names(&notes), ["mine.txt"]);
    }

    #[test]
    fn a_previous_output_needs_overwrite_and_is_replaced_whole() {
        let root = tempfile::tempdir().unwrap();
        let out = root.path().join("out");
        previous_output(&out);
        let Err(ExportError::Usage(message)) = StagedOutput::begin(&target(&out), false) else {
            panic!("refused without overwrite");
        };
        assert!(message.contains("--overwrite"), "{message}");
        let staged = StagedOutput::begin(&target(&out), true).unwrap();
        fs::write(staged.path().join("new.txt"), "new").unwrap();
        staged.commit().unwrap();
        assert_eq!(names(&out), ["new.txt"]);
        assert_eq!(names(root.path()), ["out"]);
    }

    #[test]
    fn an_empty_folder_is_taken_without_overwrite() {
        let root = tempfile::tempdir().unwrap();
        let out = root.path().join("out");
        fs::create_dir(&out).unwrap();
        let staged = StagedOutput::begin(&target(&out), false).unwrap();
        fs::write(staged.path().join("new.txt"), "new").unwrap();
        staged.commit().unwrap();
        assert_eq!(names(&out), ["new.txt"]);
    }

    #[test]
    fn a_target_that_changed_during_the_run_is_left_as_it_is() {
        let root = tempfile::tempdir().unwrap();
        let out = root.path().join("out");
        let staged = StagedOutput::begin(&target(&out), false).unwrap();
        fs::create_dir(&out).unwrap();
        fs::write(out.join("mine.txt"), "mine").unwrap();
        let error = staged.commit().unwrap_err();
        assert!(
            error.to_string().contains("new output discarded"),
            "{error}"
        );
        assert_eq!(names(&out), ["mine.txt"]);
        assert_eq!(names(root.path()), ["out"]);

        previous_output(&out);
        let staged = StagedOutput::begin(&target(&out), true).unwrap();
        fs::write(
            out.join(MANIFEST_FILE),
            "{\"tool\": \"ade20k\", \"other\": 1}",
        )
        .unwrap();
        assert!(staged.commit().is_err());
        assert!(out.join("old.txt").exists());
    }

    #[cfg(unix)]
    #[test]
    fn a_second_run_for_the_same_target_is_refused_while_the_first_runs() {
        let root = tempfile::tempdir().unwrap();
        let out = root.path().join("out");
        let first = StagedOutput::begin(&target(&out), false).unwrap();
        let Err(ExportError::Usage(message)) = StagedOutput::begin(&target(&out), false) else {
            panic!("the second run is refused");
        };
        let pid = std::process::id().to_string();
        assert!(message.contains(&format!("process {pid}")), "{message}");
        assert!(first.path().exists(), "the first run keeps its folder");
        first.commit().unwrap();
        StagedOutput::begin(&target(&out), true).unwrap();
    }

    #[cfg(unix)]
    #[test]
    fn stale_staging_folders_are_removed_and_live_ones_kept() {
        let root = tempfile::tempdir().unwrap();
        let out = root.path().join("out");
        let stale = root.path().join(".out.ade20k-dead01");
        fs::create_dir(&stale).unwrap();
        fs::write(stale.join("half.json"), "{").unwrap();
        let live = root.path().join(".out.ade20k-live01");
        fs::create_dir(&live).unwrap();
        let _held = lock::FolderLock::hold(&live).unwrap().unwrap();
        let other = root.path().join(".other.ade20k-dead02");
        fs::create_dir(&other).unwrap();
        let staged = StagedOutput::begin(&target(&out), false).unwrap();
        assert!(!stale.exists());
        assert!(live.exists(), "a running export keeps its folder");
        assert!(
            other.exists(),
            "another target's folder is not ours to remove"
        );
        staged.commit().unwrap();
    }

    #[test]
    fn without_swapping_the_previous_output_is_replaced_by_two_renames() {
        let root = tempfile::tempdir().unwrap();
        let out = root.path().join("out");
        previous_output(&out);
        let staged = root.path().join(".out.ade20k-abc123");
        fs::create_dir(&staged).unwrap();
        fs::write(staged.join("new.txt"), "new").unwrap();
        assert!(replace_by_renames(&staged, &out).unwrap().is_none());
        assert_eq!(fs::read_to_string(out.join("new.txt")).unwrap(), "new");
        assert_eq!(names(root.path()), ["out"]);
    }

    #[cfg(unix)]
    #[test]
    fn a_previous_output_left_aside_is_put_back() {
        let root = tempfile::tempdir().unwrap();
        let out = root.path().join("out");
        let aside = root.path().join(".out.ade20k-old-abc123");
        previous_output(&aside);
        assert!(matches!(
            StagedOutput::begin(&target(&out), false),
            Err(ExportError::Usage(_))
        ));
        assert_eq!(fs::read_to_string(out.join("old.txt")).unwrap(), "old");
        assert_eq!(names(root.path()), ["out"]);
    }

    #[test]
    fn paths_resolve_dot_dot_after_missing_folders_and_trailing_slashes() {
        let root = tempfile::tempdir().unwrap();
        let base = fs::canonicalize(root.path()).unwrap();
        fs::create_dir(base.join("data")).unwrap();
        let resolved = |path: &str| resolve_path(&base.join(path)).unwrap();
        assert_eq!(resolved("missing/../data"), base.join("data"));
        assert_eq!(resolved("a/b/../../data/out"), base.join("data/out"));
        assert_eq!(resolved("./x"), base.join("x"));
        assert_eq!(resolved("x/"), base.join("x"));
        assert_eq!(resolved("data/.."), base);
        assert_eq!(resolved("missing/../../"), base.parent().unwrap());
    }

    #[cfg(unix)]
    #[test]
    fn paths_resolve_through_symbolic_links_before_dot_dot() {
        let root = tempfile::tempdir().unwrap();
        let base = fs::canonicalize(root.path()).unwrap();
        fs::create_dir_all(base.join("deep/inner")).unwrap();
        std::os::unix::fs::symlink(base.join("deep/inner"), base.join("link")).unwrap();
        assert_eq!(
            resolve_path(&base.join("link/../out")).unwrap(),
            base.join("deep/out"),
            "`..` after a link is the link target's parent"
        );
        std::os::unix::fs::symlink(base.join("nowhere"), base.join("dangling")).unwrap();
        assert!(resolve_path(&base.join("dangling/out")).is_err());
    }

    #[test]
    fn an_output_at_or_around_the_input_is_refused() {
        let root = tempfile::tempdir().unwrap();
        let base = fs::canonicalize(root.path()).unwrap();
        let input = base.join("data");
        fs::create_dir(&input).unwrap();
        let apart = |output: &Path| target(output).apart_from(&input);
        for output in [
            input.clone(),
            base.join("missing/../data"),
            base.join("missing/../data/out"),
            input.join("out/coco"),
            base.clone(),
            base.join("data/.."),
        ] {
            assert!(
                matches!(apart(&output), Err(ExportError::Usage(_))),
                "{}",
                output.display()
            );
        }
        let apart_output = apart(&base.join("out")).unwrap();
        assert_eq!(apart_output.input(), Some(input.as_path()));
        let missing = base.join("missing");
        assert!(target(&base.join("out")).apart_from(&missing).is_ok());
        assert!(target(&missing.join("out")).apart_from(&missing).is_err());
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn the_root_and_mount_points_are_refused() {
        for path in ["/", "/tmp/../", "/proc"] {
            assert!(
                matches!(
                    OutputTarget::resolve(Path::new(path)),
                    Err(ExportError::Usage(_))
                ),
                "{path}"
            );
        }
    }
}
