//! Walking a subset folder for its items.

use std::path::{Path, PathBuf};

use ade20k_model::Error;

use crate::folder::Listing;
use crate::format::InputFormat;
use crate::names::class_map_file_name;

/// One item found in a subset, complete or broken.
#[derive(Debug)]
pub(crate) struct Entry {
    /// Position of the item's subset in the dataset's subset list.
    pub subset: usize,
    /// Path relative to the subset, without extension, `/`-separated.
    pub id: String,
    /// Which of the item's files were found.
    pub files: ItemFiles,
}

/// The files found for one item.
#[derive(Debug)]
pub(crate) enum ItemFiles {
    /// The photo and, beside it, its annotation file.
    Complete {
        /// The photo.
        photo: PathBuf,
        /// The annotation file: `<stem>.json` or `<stem>_atr.txt`.
        annotation: PathBuf,
        /// Number of consecutive `_parts_N.png` class maps beside the photo.
        part_levels: u32,
    },
    /// A photo without its annotation file.
    MissingAnnotation {
        /// The photo.
        photo: PathBuf,
        /// Where its annotation file was expected.
        annotation: PathBuf,
    },
    /// An annotation file without a photo.
    MissingPhoto {
        /// The annotation file.
        annotation: PathBuf,
    },
}

/// Appends the items of `format` in the subset folder `subset_dir` to
/// `entries`, in no particular order. Symbolic links to folders inside a
/// subset are an error: following them could lead outside the subset or loop.
pub(crate) fn scan_subset(
    subset: usize,
    subset_dir: &Path,
    format: InputFormat,
    entries: &mut Vec<Entry>,
) -> Result<(), Error> {
    let mut pending = vec![(subset_dir.to_path_buf(), String::new())];
    while let Some((folder, id_prefix)) = pending.pop() {
        let listing = Listing::read(&folder)?;
        if let Some(link) = listing.linked_folders.first() {
            return Err(Error::invalid(
                folder.join(link),
                "is a symbolic link to a folder; links to folders are not followed inside a subset",
            ));
        }
        let items = listing.items(&folder, format)?;
        for (&stem, &photo_name) in &items.photos {
            let photo = folder.join(photo_name);
            let files = match items.annotations.get(stem) {
                Some(annotation_name) => ItemFiles::Complete {
                    photo,
                    annotation: folder.join(annotation_name),
                    part_levels: count_part_levels(&listing, stem),
                },
                None => ItemFiles::MissingAnnotation {
                    photo,
                    annotation: folder.join(format.annotation_file_name(stem)),
                },
            };
            entries.push(Entry {
                subset,
                id: format!("{id_prefix}{stem}"),
                files,
            });
        }
        for (&stem, &annotation_name) in &items.annotations {
            if !items.photos.contains_key(stem) {
                entries.push(Entry {
                    subset,
                    id: format!("{id_prefix}{stem}"),
                    files: ItemFiles::MissingPhoto {
                        annotation: folder.join(annotation_name),
                    },
                });
            }
        }
        for child in &listing.folders {
            pending.push((folder.join(child), format!("{id_prefix}{child}/")));
        }
    }
    Ok(())
}

/// Number of consecutive part-level class maps `<stem>_parts_1.png`, … in the folder.
fn count_part_levels(listing: &Listing, stem: &str) -> u32 {
    (1..)
        .take_while(|&level| listing.has_file(&class_map_file_name(stem, level)))
        .count() as u32
}
