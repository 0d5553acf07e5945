//! Reading one folder: its entries, and the photos and annotations among them.

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

use ade20k_model::Error;

use crate::format::InputFormat;
use crate::names::{is_image_extension, is_mask_stem, split_name};

/// The entries of a folder, sorted by name, hidden ones (`.name`) left out.
#[derive(Debug, Default)]
pub(crate) struct Listing {
    /// Files, and symbolic links that do not lead to a folder.
    pub files: Vec<String>,
    /// Folders.
    pub folders: Vec<String>,
    /// Symbolic links to folders.
    pub linked_folders: Vec<String>,
}

impl Listing {
    /// Reads `folder`. A name that is not valid UTF-8 is an error naming it.
    pub fn read(folder: &Path) -> Result<Listing, Error> {
        let mut listing = Listing::default();
        let entries = fs::read_dir(folder).map_err(|e| Error::io(folder, e))?;
        for entry in entries {
            let entry = entry.map_err(|e| Error::io(folder, e))?;
            let Ok(name) = entry.file_name().into_string() else {
                return Err(Error::invalid(entry.path(), "file name is not valid UTF-8"));
            };
            if name.starts_with('.') {
                continue;
            }
            let file_type = entry.file_type().map_err(|e| Error::io(entry.path(), e))?;
            if file_type.is_dir() {
                listing.folders.push(name);
            } else if file_type.is_symlink() && entry.path().is_dir() {
                listing.linked_folders.push(name);
            } else {
                listing.files.push(name);
            }
        }
        listing.files.sort_unstable();
        listing.folders.sort_unstable();
        listing.linked_folders.sort_unstable();
        Ok(listing)
    }

    /// Whether the folder holds a file called `name`.
    pub fn has_file(&self, name: &str) -> bool {
        self.files
            .binary_search_by(|file| file.as_str().cmp(name))
            .is_ok()
    }

    /// The photos and the annotation files of `format` in the folder, by item stem.
    ///
    /// Photos are image files whose stem is not a mask's; annotations are
    /// `.json` files other than `dataset_meta.json` (ADE20K 2020) or
    /// `<stem>_atr.txt` files (ADE20K 2017). Two photos (or two annotations)
    /// with the same stem are an error naming both.
    pub fn items<'a>(
        &'a self,
        folder: &Path,
        format: InputFormat,
    ) -> Result<FolderItems<'a>, Error> {
        let mut items = FolderItems::default();
        for name in &self.files {
            let (stem, extension) = split_name(name);
            let (stem, by_stem) = if is_image_extension(extension) && !is_mask_stem(stem) {
                (stem, &mut items.photos)
            } else if let Some(stem) = format.annotation_stem(name) {
                (stem, &mut items.annotations)
            } else {
                continue;
            };
            if let Some(other) = by_stem.insert(stem, name) {
                return Err(Error::invalid(
                    folder.join(name),
                    format!(
                        "has the same stem as {}; an item must have one file of each kind",
                        folder.join(other).display()
                    ),
                ));
            }
        }
        Ok(items)
    }
}

/// Photos and annotation files of one folder, each keyed by stem.
#[derive(Debug, Default)]
pub(crate) struct FolderItems<'a> {
    /// File name of each photo.
    pub photos: BTreeMap<&'a str, &'a str>,
    /// File name of each annotation file.
    pub annotations: BTreeMap<&'a str, &'a str>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sorts_entries_and_classifies_files() {
        let folder = tempfile::tempdir().unwrap();
        for name in [
            "b.jpg",
            "b.json",
            "a.PNG",
            "a_seg.png",
            "a_parts_1.png",
            "c.json",
            "dataset_meta.json",
            ".hidden.jpg",
            "notes.txt",
            "d_atr.txt",
        ] {
            fs::write(folder.path().join(name), b"").unwrap();
        }
        fs::create_dir(folder.path().join("a")).unwrap();
        let listing = Listing::read(folder.path()).unwrap();
        assert_eq!(listing.folders, ["a"]);
        assert!(listing.has_file("a_parts_1.png") && !listing.has_file(".hidden.jpg"));
        let items = listing
            .items(folder.path(), InputFormat::Ade20k2020)
            .unwrap();
        assert_eq!(
            items.photos.into_iter().collect::<Vec<_>>(),
            [("a", "a.PNG"), ("b", "b.jpg")]
        );
        assert_eq!(
            items.annotations.keys().copied().collect::<Vec<_>>(),
            ["b", "c"]
        );
        let items = listing
            .items(folder.path(), InputFormat::Ade20k2017)
            .unwrap();
        assert_eq!(
            items.annotations.into_iter().collect::<Vec<_>>(),
            [("d", "d_atr.txt")]
        );
    }

    #[test]
    fn two_photos_with_one_stem_are_an_error_naming_both() {
        let folder = tempfile::tempdir().unwrap();
        for name in ["a.jpg", "a.png"] {
            fs::write(folder.path().join(name), b"").unwrap();
        }
        let listing = Listing::read(folder.path()).unwrap();
        let error = listing
            .items(folder.path(), InputFormat::Ade20k2017)
            .unwrap_err()
            .to_string();
        assert!(
            error.contains("a.jpg") && error.contains("a.png"),
            "{error}"
        );
    }
}
