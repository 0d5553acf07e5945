//! The dataset card, `README.md`: the YAML front matter the Hub and
//! `datasets.load_dataset(OUT)` read (configs, features, splits), then a
//! short description of the columns.

use std::fmt::Write as _;
use std::path::Path;

use ade20k_model::Error;

use super::features::{quote, Columns};

/// What the card says of one split.
pub(crate) struct PublishedSplit {
    /// Split name (`train`).
    pub name: String,
    /// Rows in its shards.
    pub rows: u64,
    /// Bytes of its shards.
    pub bytes: u64,
}

/// Writes `out/README.md` for `splits` of rows of `columns`, the files of
/// each split matched by `files(split)` (`data/train-*`), with `about` (Markdown)
/// below the front matter.
pub(crate) fn write(
    out: &Path,
    columns: &Columns,
    splits: &[PublishedSplit],
    files: impl Fn(&str) -> String,
    about: &str,
) -> Result<(), Error> {
    let path = out.join("README.md");
    std::fs::write(&path, text(columns, splits, files, about)).map_err(|e| Error::io(&path, e))
}

fn text(
    columns: &Columns,
    splits: &[PublishedSplit],
    files: impl Fn(&str) -> String,
    about: &str,
) -> String {
    let mut card = String::from("---\nconfigs:\n- config_name: default\n  data_files:\n");
    for split in splits {
        let _ = writeln!(
            card,
            "  - split: {}\n    path: {}",
            quote(&split.name),
            quote(&files(&split.name))
        );
    }
    card.push_str("dataset_info:\n  features:\n");
    card.push_str(&columns.yaml(2));
    card.push_str("  splits:\n");
    for split in splits {
        let _ = writeln!(
            card,
            "  - name: {}\n    num_bytes: {}\n    num_examples: {}",
            quote(&split.name),
            split.bytes,
            split.rows
        );
    }
    let total: u64 = splits.iter().map(|split| split.bytes).sum();
    let _ = write!(
        card,
        "  download_size: {total}\n  dataset_size: {total}\n---\n\n# ADE20K\n\n\
         Scene parsing images of ADE20K \
         (<https://groups.csail.mit.edu/vision/datasets/ADE20K/>), converted by `ade20k`.\n\n{about}"
    );
    card
}
