//! Guards that keep an output away from its input.

use std::path::{Path, PathBuf};

/// Fails when `output` is `input`, lies inside it, or contains it: a
/// conversion never writes into its input, and replacing an output never
/// deletes the input.
pub fn check_separate(input: &Path, output: &Path) -> Result<(), String> {
    // An input that cannot be resolved is left for the reader to name.
    let input = std::fs::canonicalize(input).unwrap_or_else(|_| resolve(input));
    let output_resolved = resolve(output);
    if output_resolved.starts_with(&input) {
        return Err(format!(
            "{}: the output must not be inside the input dataset {}",
            output.display(),
            input.display()
        ));
    }
    if input.starts_with(&output_resolved) {
        return Err(format!(
            "{}: the output must not contain the input dataset {}",
            output.display(),
            input.display()
        ));
    }
    Ok(())
}

/// `path` made absolute with its existing part's links resolved, even when
/// the rest does not exist yet.
fn resolve(path: &Path) -> PathBuf {
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let mut existing = absolute.as_path();
    let mut rest = Vec::new();
    loop {
        if let Ok(resolved) = std::fs::canonicalize(existing) {
            return rest.iter().rev().fold(resolved, |acc, part| acc.join(part));
        }
        match (existing.parent(), existing.file_name()) {
            (Some(parent), Some(name)) => {
                rest.push(name.to_os_string());
                existing = parent;
            }
            _ => return absolute,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn output_inside_or_around_input_is_refused() {
        let root = tempfile::tempdir().unwrap();
        let input = root.path().join("data");
        std::fs::create_dir(&input).unwrap();
        assert!(check_separate(&input, &input).is_err());
        assert!(check_separate(&input, &input.join("out/coco")).is_err());
        assert!(check_separate(&input, root.path()).is_err());
        assert!(check_separate(&input, &root.path().join("out")).is_ok());
        let missing = root.path().join("missing");
        assert!(check_separate(&missing, &root.path().join("out")).is_ok());
        assert!(check_separate(&missing, &missing.join("out")).is_err());
    }
}
