//! Loading the masks of imported items from disk, on demand.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use ade20k_model::{ClassMap, Error, InstanceMask, Item, MaskSource, Object};

use crate::names::class_map_file_name;
use crate::pixels::{decode_class_map, decode_instance_mask};

/// Reads the masks of the items of one dataset from the files beside their
/// photos. One value is shared by every item of the dataset.
#[derive(Debug)]
pub(crate) struct FileMasks {
    /// Canonical path of each subset folder, by subset name: instance masks
    /// must really be inside the folder of their item's subset.
    canonical_subset_dirs: BTreeMap<String, PathBuf>,
    /// Largest number of pixels a mask may have.
    max_pixels: u64,
}

impl FileMasks {
    pub fn new(canonical_subset_dirs: BTreeMap<String, PathBuf>, max_pixels: u64) -> Self {
        FileMasks {
            canonical_subset_dirs,
            max_pixels,
        }
    }

    /// The real location of `path`, which must be inside the folder of `subset`.
    fn resolve_inside_subset(&self, path: &Path, subset: &str) -> Result<PathBuf, Error> {
        let subset_dir = self.canonical_subset_dirs.get(subset).ok_or_else(|| {
            Error::invalid(
                path,
                format!("the item's subset `{subset}` is not in this dataset"),
            )
        })?;
        let real = fs::canonicalize(path).map_err(|e| Error::io(path, e))?;
        if real.starts_with(subset_dir) {
            Ok(real)
        } else {
            Err(Error::invalid(
                path,
                format!(
                    "leads to {}, outside the subset folder {}",
                    real.display(),
                    subset_dir.display()
                ),
            ))
        }
    }
}

impl MaskSource for FileMasks {
    fn instance_mask(&self, item: &Item, object: &Object) -> Result<InstanceMask, Error> {
        let path = photo_folder(item).join(&object.instance_mask);
        let real = self.resolve_inside_subset(&path, &item.subset)?;
        let bytes = fs::read(&real).map_err(|e| Error::io(&path, e))?;
        let mask =
            decode_instance_mask(&bytes, self.max_pixels).map_err(|e| Error::new(&path, e))?;
        check_size(&path, "instance mask", (mask.width(), mask.height()), item)?;
        Ok(mask)
    }

    fn class_map(&self, item: &Item, level: u32) -> Result<ClassMap, Error> {
        let stem = item
            .image
            .path
            .file_stem()
            .map(|stem| stem.to_string_lossy())
            .unwrap_or_default();
        let path = photo_folder(item).join(class_map_file_name(&stem, level));
        if level > item.part_levels {
            return Err(Error::invalid(
                &path,
                format!(
                    "class map of part level {level} requested, but the item has {} part level(s)",
                    item.part_levels
                ),
            ));
        }
        let bytes = fs::read(&path).map_err(|e| Error::io(&path, e))?;
        let map = decode_class_map(&bytes, self.max_pixels).map_err(|e| Error::new(&path, e))?;
        check_size(&path, "class map", (map.width(), map.height()), item)?;
        Ok(map)
    }
}

/// The folder of the item's photo and annotation, which mask paths are relative to.
fn photo_folder(item: &Item) -> &Path {
    item.image.path.parent().unwrap_or(Path::new(""))
}

fn check_size(path: &Path, what: &str, size: (u32, u32), item: &Item) -> Result<(), Error> {
    let image = (item.image.width, item.image.height);
    if size == image {
        Ok(())
    } else {
        Err(Error::invalid(
            path,
            format!(
                "{what} is {}×{} pixels but the image {} is {}×{}",
                size.0,
                size.1,
                item.image.path.display(),
                image.0,
                image.1
            ),
        ))
    }
}
