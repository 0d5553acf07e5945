//! Comparison of a freshly generated file tree with a committed one.

use std::fmt;
use std::path::{Path, PathBuf};

use crate::files::{self, PathError};

/// How one file of the committed tree differs from the generated one.
#[derive(Debug, PartialEq, Eq)]
pub enum Difference {
    /// Both trees have the file, with different bytes.
    Stale(PathBuf),
    /// Only the generated tree has the file.
    Missing(PathBuf),
    /// Only the committed tree has the file.
    Extra(PathBuf),
}

impl fmt::Display for Difference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (kind, path) = match self {
            Difference::Stale(path) => ("stale", path),
            Difference::Missing(path) => ("missing", path),
            Difference::Extra(path) => ("extra", path),
        };
        write!(f, "{kind}: {}", path.display())
    }
}

/// Compares every file under `committed` with the file of the same relative
/// path under `generated`. Differences name paths under `committed`, sorted.
pub fn compare_trees(committed: &Path, generated: &Path) -> Result<Vec<Difference>, PathError> {
    let committed_files = files::list_files(committed)?;
    let generated_files = files::list_files(generated)?;
    let mut differences = Vec::new();
    for relative in committed_files.union(&generated_files) {
        let committed_path = committed.join(relative);
        let difference = match (
            committed_files.contains(relative),
            generated_files.contains(relative),
        ) {
            (true, true) => {
                let generated_path = generated.join(relative);
                let same = files::link_target(&committed_path)?
                    == files::link_target(&generated_path)?
                    && files::read(&committed_path)? == files::read(&generated_path)?;
                (!same).then_some(Difference::Stale(committed_path))
            }
            (false, _) => Some(Difference::Missing(committed_path)),
            (true, false) => Some(Difference::Extra(committed_path)),
        };
        differences.extend(difference);
    }
    Ok(differences)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reports_stale_missing_and_extra_files() {
        let committed = tempfile::tempdir().unwrap();
        let generated = tempfile::tempdir().unwrap();
        for (root, name, bytes) in [
            (committed.path(), "same", "a"),
            (generated.path(), "same", "a"),
            (committed.path(), "sub/stale", "old"),
            (generated.path(), "sub/stale", "new"),
            (generated.path(), "missing", ""),
            (committed.path(), "extra", ""),
        ] {
            files::write(&root.join(name), bytes.as_bytes()).unwrap();
        }
        let at = |name: &str| committed.path().join(name);
        assert_eq!(
            compare_trees(committed.path(), generated.path()).unwrap(),
            vec![
                Difference::Extra(at("extra")),
                Difference::Missing(at("missing")),
                Difference::Stale(at("sub/stale")),
            ]
        );
    }
}
