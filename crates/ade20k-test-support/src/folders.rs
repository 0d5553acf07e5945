//! Folder trees in tests: copies, hard-linked mirrors, and fingerprints that
//! show whether a tree changed.

use std::collections::BTreeMap;
use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

/// Copies the folder `from` to `to`, recursively.
pub fn copy_dir(from: &Path, to: &Path) {
    mirror_dir(from, to, &|file, target| fs::copy(file, target).map(drop));
}

/// Recreates the folder `from` at `to` with every file hard-linked, not copied.
pub fn link_dir(from: &Path, to: &Path) {
    mirror_dir(from, to, &|file, target| fs::hard_link(file, target));
}

/// Recreates the folders of `from` at `to` and puts each file there with `place`.
fn mirror_dir(from: &Path, to: &Path, place: &dyn Fn(&Path, &Path) -> std::io::Result<()>) {
    fs::create_dir_all(to).unwrap();
    for entry in fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            mirror_dir(&entry.path(), &target, place);
        } else {
            place(&entry.path(), &target).unwrap();
        }
    }
}

/// Every entry below `dir` (folders too) by its path relative to `dir`, with
/// what must not change in an input tree: the bytes of a file (the target of
/// a symbolic link, which is not followed; nothing for a folder), the
/// modification time and the mode (file type and permissions).
pub fn fingerprint(dir: &Path) -> BTreeMap<PathBuf, (Vec<u8>, SystemTime, u32)> {
    let mut found = BTreeMap::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(folder) = pending.pop() {
        for entry in fs::read_dir(&folder).unwrap() {
            let path = entry.unwrap().path();
            let metadata = fs::symlink_metadata(&path).unwrap();
            let bytes = if metadata.is_dir() {
                pending.push(path.clone());
                Vec::new()
            } else if metadata.is_symlink() {
                fs::read_link(&path)
                    .unwrap()
                    .into_os_string()
                    .into_encoded_bytes()
            } else {
                fs::read(&path).unwrap()
            };
            let key = path.strip_prefix(dir).unwrap().to_path_buf();
            let stamp = (
                bytes,
                metadata.modified().unwrap(),
                metadata.permissions().mode(),
            );
            found.insert(key, stamp);
        }
    }
    found
}
