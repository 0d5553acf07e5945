//! What the `data.yaml` files Ultralytics reads are made of: quoted YAML
//! strings and the output folder's absolute path.

use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

use ade20k_model::Error;

use crate::ExportError;

/// The absolute path of the finished output folder `dir`, as `data.yaml`
/// records it (`yolo` and `ade20k_challenge`).
pub(crate) fn dataset_root(dir: &Path) -> Result<String, ExportError> {
    // The folder may not exist yet (it is staged): resolve its parent.
    let resolved = match (dir.parent(), dir.file_name()) {
        (Some(parent), Some(name)) if !parent.as_os_str().is_empty() => {
            fs::canonicalize(parent).map(|parent| parent.join(name))
        }
        _ => std::path::absolute(dir),
    };
    let resolved: PathBuf = resolved.map_err(|e| Error::io(dir, e))?;
    resolved.to_str().map(str::to_string).ok_or_else(|| {
        ExportError::Usage(format!(
            "{}: data.yaml records the output folder, whose path is not UTF-8",
            resolved.display()
        ))
    })
}

/// `text` as a double-quoted YAML scalar: `\` and `"` escaped, and every
/// character YAML does not allow as is (controls, DEL, C1 controls, line
/// and paragraph separators, the byte order mark, non-characters) written
/// as an escape; everything else, non-ASCII letters included, as it is.
pub(crate) fn yaml_string(text: &str) -> String {
    let mut quoted = String::with_capacity(text.len() + 2);
    quoted.push('"');
    for c in text.chars() {
        match c {
            '"' => quoted.push_str("\\\""),
            '\\' => quoted.push_str("\\\\"),
            '\t' => quoted.push_str("\\t"),
            '\n' => quoted.push_str("\\n"),
            '\r' => quoted.push_str("\\r"),
            ' '..='~' => quoted.push(c),
            // Printable in YAML, but the line separators (which YAML 1.1
            // reads as line breaks) and the byte order mark.
            '\u{a0}'..='\u{d7ff}' | '\u{e000}'..='\u{fffd}' | '\u{10000}'..
                if !matches!(c, '\u{2028}' | '\u{2029}' | '\u{feff}') =>
            {
                quoted.push(c)
            }
            _ if u32::from(c) <= 0xff => {
                let _ = write!(quoted, "\\x{:02X}", u32::from(c));
            }
            _ => {
                let _ = write!(quoted, "\\u{:04X}", u32::from(c));
            }
        }
    }
    quoted.push('"');
    quoted
}
