//! `ade20k detect`: where a dataset's subsets are.

use std::path::Path;

use ade20k_import::{detect_format, ImportOptions};

use crate::Failure;

/// Prints where the subsets of the dataset at `path` are, and their sizes.
pub fn run(path: &Path) -> Result<(), Failure> {
    let (format, layout) = detect_format(path)?;
    let dataset = format.open(path, &ImportOptions::default())?;
    println!("{format} dataset");
    println!("  subsets in: {}", layout.subset_root.display());
    for subset in dataset.subsets() {
        let items = (0..dataset.len())
            .filter(|&index| dataset.subset_of(index) == subset)
            .count();
        println!("  {subset}: {items} items");
    }
    Ok(())
}
