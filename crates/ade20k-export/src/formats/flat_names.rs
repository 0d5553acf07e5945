//! Formats whose files lie in flat folders (one level below the subset, or
//! none) name an item by its id with folders flattened; two items whose ids
//! flatten to one name would write the same files, and are refused.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use ade20k_model::Error;

/// The flattened names written so far, in item order.
#[derive(Default)]
pub(crate) struct FlatNames {
    /// The image of the item written at each (subset, flattened name).
    written: HashMap<(String, String), PathBuf>,
}

impl FlatNames {
    /// Claims `name` in `subset` for the item of `image`; fails, naming the
    /// item that has it, when an earlier item does. `files` says which files
    /// the two share, e.g. `its kitti files training/semantic/x.png`.
    pub fn claim(
        &mut self,
        subset: &str,
        name: &str,
        image: &Path,
        files: impl FnOnce() -> String,
    ) -> Result<(), Error> {
        let key = (subset.to_string(), name.to_string());
        if let Some(first) = self.written.get(&key) {
            return Err(Error::invalid(
                image,
                format!(
                    "{} are those of {}; rename one of the folders",
                    files(),
                    first.display()
                ),
            ));
        }
        self.written.insert(key, image.to_path_buf());
        Ok(())
    }
}

/// An item of a flat layout, its files handed over, ready to be counted.
pub(crate) struct FlatItem {
    /// The item's subset.
    pub subset: String,
    /// Where its files are below the subset's folders, without extension.
    pub name: String,
    /// The source image, to name the item in errors.
    pub image: PathBuf,
    /// Objects written.
    pub objects: u64,
}

impl FlatNames {
    /// Claims `item`'s name (see [`FlatNames::claim`]; `files` is given the
    /// subset and the name) and returns its objects, for the runner's count.
    pub fn count(
        &mut self,
        item: FlatItem,
        files: impl FnOnce(&str, &str) -> String,
    ) -> Result<u64, Error> {
        let FlatItem {
            subset,
            name,
            image,
            objects,
        } = item;
        self.claim(&subset, &name, &image, || files(&subset, &name))?;
        Ok(objects)
    }
}
