//! The items of a dataset, found once by file name: what the datasets of
//! every input format share.

use std::collections::BTreeMap;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use ade20k_model::{Error, Problem};
use serde_json::Value;

use crate::annotation::decode_text;
use crate::dataset::ImportOptions;
use crate::format::InputFormat;
use crate::layout::Layout;
use crate::names::META_FILE_NAME;
use crate::scan::{scan_subset, Entry, ItemFiles};

/// Every item of the selected subsets, sorted by subset, then id.
#[derive(Debug)]
pub(crate) struct Catalog {
    /// Where the subsets are.
    pub layout: Layout,
    /// The selected subsets, in layout order.
    pub subsets: Vec<String>,
    /// Label order of Datumaro's `dataset_meta.json`, when there is one.
    pub label_order: Option<Vec<String>>,
    /// Canonical path of each selected subset folder, by subset name.
    pub canonical_subset_dirs: BTreeMap<String, PathBuf>,
    /// Largest annotation file read, in bytes.
    max_annotation_bytes: u64,
    entries: Vec<Entry>,
}

/// The files of one complete item of a [`Catalog`].
#[derive(Debug)]
pub(crate) struct FoundItem<'a> {
    /// The item's id.
    pub id: &'a str,
    /// The item's subset.
    pub subset: &'a str,
    /// The photo.
    pub photo: &'a Path,
    /// The annotation file.
    pub annotation: &'a Path,
    /// Number of consecutive `_parts_N.png` class maps beside the photo.
    pub part_levels: u32,
}

impl Catalog {
    /// Lists the items of `format` in the subsets of `layout` that `options` keeps.
    /// A kept subset without items is an error naming it.
    pub fn open(
        layout: Layout,
        format: InputFormat,
        options: &ImportOptions,
    ) -> Result<Self, Error> {
        let subsets = select_subsets(&layout, options.subsets.as_deref())?;
        let label_order = read_label_order(
            &layout.subset_root.join(META_FILE_NAME),
            options.max_annotation_bytes,
        )?;
        let mut entries = Vec::new();
        let mut canonical_subset_dirs = BTreeMap::new();
        for (position, subset) in subsets.iter().enumerate() {
            let subset_dir = layout.subset_dir(subset);
            let first = entries.len();
            scan_subset(position, &subset_dir, format, &mut entries)?;
            if entries.len() == first {
                return Err(Error::invalid(&subset_dir, "subset has no items"));
            }
            entries[first..].sort_unstable_by(|a, b| a.id.cmp(&b.id));
            let canonical = fs::canonicalize(&subset_dir).map_err(|e| Error::io(&subset_dir, e))?;
            canonical_subset_dirs.insert(subset.clone(), canonical);
        }
        Ok(Catalog {
            layout,
            subsets,
            label_order,
            canonical_subset_dirs,
            max_annotation_bytes: options.max_annotation_bytes,
            entries,
        })
    }

    /// Number of items, broken ones included.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Id of item `index`; `None` when out of range.
    pub fn item_id(&self, index: usize) -> Option<&str> {
        self.entries.get(index).map(|entry| entry.id.as_str())
    }

    /// The subset of item `index`.
    ///
    /// # Panics
    ///
    /// When `index` is not below [`Catalog::len`].
    pub fn subset_of(&self, index: usize) -> &str {
        self.subset_name(&self.entries[index])
    }

    /// The id of item `index`, known from the file names even when the item
    /// lacks its photo or its annotation; an index out of range is an error.
    pub fn id(&self, index: usize) -> Result<&str, Error> {
        self.entry(index).map(|entry| entry.id.as_str())
    }

    /// The files of item `index`. An index out of range, and an item without
    /// photo or annotation, are errors naming the file.
    pub fn item(&self, index: usize) -> Result<FoundItem<'_>, Error> {
        let entry = self.entry(index)?;
        match &entry.files {
            ItemFiles::Complete {
                photo,
                annotation,
                part_levels,
            } => Ok(FoundItem {
                id: &entry.id,
                subset: self.subset_name(entry),
                photo,
                annotation,
                part_levels: *part_levels,
            }),
            ItemFiles::MissingAnnotation { photo, annotation } => Err(Error::io(
                annotation,
                io::Error::new(
                    io::ErrorKind::NotFound,
                    format!("annotation of {} not found", photo.display()),
                ),
            )),
            ItemFiles::MissingPhoto { annotation } => Err(Error::invalid(
                annotation,
                "no photo beside this annotation (looked for the same stem with \
                 extension jpg, jpeg, png, bmp, tif, tiff or webp)",
            )),
        }
    }

    /// The bytes of the annotation file of `found`, refused when larger than
    /// [`ImportOptions::max_annotation_bytes`].
    pub fn read_annotation(&self, found: &FoundItem) -> Result<Vec<u8>, Error> {
        ade20k_fs::read_regular(found.annotation, self.max_annotation_bytes)
    }

    fn entry(&self, index: usize) -> Result<&Entry, Error> {
        self.entries.get(index).ok_or_else(|| {
            Error::invalid(
                &self.layout.subset_root,
                format!("no item {index}: the dataset has {} items", self.len()),
            )
        })
    }

    fn subset_name(&self, entry: &Entry) -> &str {
        self.subsets.get(entry.subset).map_or("", String::as_str)
    }
}

/// The subsets kept by `wanted`, in layout order; a wanted subset that does
/// not exist is an error.
fn select_subsets(layout: &Layout, wanted: Option<&[String]>) -> Result<Vec<String>, Error> {
    let Some(wanted) = wanted else {
        return Ok(layout.subsets.clone());
    };
    if let Some(missing) = wanted.iter().find(|name| !layout.subsets.contains(name)) {
        return Err(Error::invalid(
            &layout.subset_root,
            format!(
                "no subset `{missing}` here; the subsets are: {}",
                layout.subsets.join(", ")
            ),
        ));
    }
    Ok(layout
        .subsets
        .iter()
        .filter(|name| wanted.contains(name))
        .cloned()
        .collect())
}

/// Label names ordered by the numeric keys of `label_map` in Datumaro's
/// `dataset_meta.json`; `None` when the file does not exist. A file of more
/// than `max_bytes` bytes is refused.
fn read_label_order(path: &Path, max_bytes: u64) -> Result<Option<Vec<String>>, Error> {
    let bytes = match ade20k_fs::read_regular(path, max_bytes) {
        Ok(bytes) => bytes,
        Err(error) if error.is_not_found() => return Ok(None),
        Err(error) => return Err(error),
    };
    parse_label_map(&bytes)
        .map(Some)
        .map_err(|problem| Error::new(path, problem))
}

fn parse_label_map(bytes: &[u8]) -> Result<Vec<String>, Problem> {
    let document: Value =
        serde_json::from_str(&decode_text(bytes)).map_err(|e| Problem::Json(e.to_string()))?;
    let Some(Value::Object(label_map)) = document.get("label_map") else {
        return Err(Problem::Json(
            "expected an object with key `label_map`: {\"0\": \"name\", …}".into(),
        ));
    };
    let mut labels = BTreeMap::new();
    for (key, value) in label_map {
        let index: u64 = key.trim().parse().map_err(|_| {
            Problem::Json(format!(
                "label_map key `{key}` is not a non-negative integer"
            ))
        })?;
        let Value::String(name) = value else {
            return Err(Problem::Json(format!(
                "label_map value of key `{key}` must be a string, found {value}"
            )));
        };
        if labels.insert(index, name.clone()).is_some() {
            return Err(Problem::Json(format!("label_map has key {index} twice")));
        }
    }
    Ok(labels.into_values().collect())
}

/// What every dataset type holding its items in a `catalog: Catalog` field
/// shares: the inherent `layout` and `item_id`, and a `Debug` that shows the
/// layout, the subsets and the number of items.
macro_rules! catalog_dataset {
    ($dataset:ident) => {
        impl $dataset {
            /// Where the dataset's subsets are; lists every subset on disk, including
            /// those left out by [`ImportOptions::subsets`].
            pub fn layout(&self) -> &Layout {
                &self.catalog.layout
            }

            /// Id of item `index`, without loading it; `None` when out of range.
            pub fn item_id(&self, index: usize) -> Option<&str> {
                self.catalog.item_id(index)
            }
        }

        impl std::fmt::Debug for $dataset {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.debug_struct(stringify!($dataset))
                    .field("layout", &self.catalog.layout)
                    .field("subsets", &self.catalog.subsets)
                    .field("items", &self.catalog.len())
                    .finish_non_exhaustive()
            }
        }
    };
}
pub(crate) use catalog_dataset;

/// The [`ItemSource`](ade20k_model::ItemSource) methods answered by the
/// `catalog` field, all but `load` (`id_of` too: the id of a broken item is
/// known without loading it); expands inside the trait's `impl`.
macro_rules! catalog_item_source {
    () => {
        fn subsets(&self) -> &[String] {
            &self.catalog.subsets
        }

        fn len(&self) -> usize {
            self.catalog.len()
        }

        /// # Panics
        ///
        /// When `index` is not below [`ItemSource::len`].
        fn subset_of(&self, index: usize) -> &str {
            self.catalog.subset_of(index)
        }

        fn id_of(&self, index: usize) -> Result<String, ade20k_model::Error> {
            self.catalog.id(index).map(str::to_string)
        }
    };
}
pub(crate) use catalog_item_source;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn label_map_is_ordered_by_numeric_key() {
        let labels = parse_label_map(br#"{"label_map": {"10": "tree", "2": "car", "0": "sky"}}"#);
        assert_eq!(labels.unwrap(), ["sky", "car", "tree"]);
    }

    #[test]
    fn invalid_label_maps_are_rejected() {
        for (bytes, expected) in [
            (&br#"{"labels": {}}"#[..], "key `label_map`"),
            (br#"{"label_map": {"x": "car"}}"#, "key `x`"),
            (br#"{"label_map": {"0": 5}}"#, "must be a string"),
            (br#"{"label_map": {"1": "a", "01": "b"}}"#, "key 1 twice"),
            (br#"{"label_map": "#, "EOF"),
        ] {
            let error = parse_label_map(bytes).unwrap_err().to_string();
            assert!(error.contains(expected), "{error}");
        }
    }
}
