//! Finding the folder of subsets in what the user points at.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use ade20k_model::{Error, Problem};
use serde::de::IgnoredAny;

use crate::annotation::decode_text;
use crate::atr::check_atr_start;
use crate::dataset::DEFAULT_MAX_ANNOTATION_BYTES;
use crate::folder::Listing;
use crate::format::InputFormat;
use crate::names::class_map_file_name;

/// How many folder levels below the given path the folder of subsets may be:
/// the release root holds it at `images/ADE`, two levels down.
const MAX_SUBSET_ROOT_DEPTH: usize = 3;

/// How many folder levels below a subset its items are searched for during
/// detection: the release keeps them at `<subset>/<scene>/<scene>/`.
const MAX_ITEM_DEPTH: usize = 5;

/// Folders of the release that wrap the folder of subsets
/// (`ADE20K_2021_17_01/images/ADE/`): never taken as subsets themselves.
const RELEASE_WRAPPERS: [&str; 2] = ["images", "ADE"];

/// Where the folder of subsets is inside the release root.
const RELEASE_SUBSET_ROOT: &str = "images/ADE";

/// Where the subsets of an ADE20K dataset are.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Layout {
    /// The folder whose direct children are the subsets.
    pub subset_root: PathBuf,
    /// Names of the subset folders, sorted.
    pub subsets: Vec<String>,
}

impl Layout {
    /// The folder of subset `subset`.
    pub fn subset_dir(&self, subset: &str) -> PathBuf {
        self.subset_root.join(subset)
    }
}

/// Finds the folder of subsets of the ADE20K 2020 dataset at `path`.
///
/// `path` may be the release root (`ADE20K_2021_17_01/`), its `images/` or
/// `images/ADE/` folder, or any folder whose direct children are subsets. The
/// folder of subsets is the first folder, searching `path` and then up to three
/// levels below it in name order, that has a child folder holding, at any
/// depth, an item: a photo beside a `<stem>.json` whose top level is an object
/// with key `annotation`, or beside a `<stem>.json` and a `<stem>_seg.png`
/// whatever the JSON holds (so that a dataset whose every annotation is
/// broken is still found, and each item's load says what is wrong with it).
/// When none is found, the error names the first `<stem>.json` beside a photo
/// and why it is not an annotation. When the only child folder holding items is one of
/// the release's wrappers (`images`, `ADE`, or a release root: a folder
/// holding `images/ADE`), the search goes on below it.
/// Every non-hidden child folder of the folder found is a subset.
///
/// [`crate::detect_format`] searches the same way for items of either format
/// (a photo beside a `<stem>_atr.txt` is an ADE20K 2017 item).
///
/// Annotation files larger than [`DEFAULT_MAX_ANNOTATION_BYTES`] are not read.
pub fn detect(path: &Path) -> Result<Layout, Error> {
    find_layout(
        path,
        Some(InputFormat::Ade20k2020),
        DEFAULT_MAX_ANNOTATION_BYTES,
    )
    .map(|(_, layout)| layout)
}

/// Finds the folder of subsets at `path` as [`detect`] does, holding items of
/// `wanted`, or of any format when `None`, and the format of its items.
/// Annotation files larger than `max_annotation_bytes` are not read.
pub(crate) fn find_layout(
    path: &Path,
    wanted: Option<InputFormat>,
    max_annotation_bytes: u64,
) -> Result<(InputFormat, Layout), Error> {
    if !path.is_dir() {
        let problem = match fs::metadata(path) {
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
                "does not exist; expected an ADE20K dataset folder"
            }
            Err(error) => return Err(Error::io(path, error)),
            Ok(_) => "is not a folder; expected an ADE20K dataset folder",
        };
        return Err(Error::invalid(path, problem));
    }
    let mut search = Search {
        wanted,
        max_annotation_bytes,
        first_rejected: None,
    };
    let mut level = vec![path.to_path_buf()];
    for _ in 0..=MAX_SUBSET_ROOT_DEPTH {
        let mut next_level = Vec::new();
        for folder in level {
            let listing = Listing::read(&folder)?;
            let children: Vec<String> = listing
                .folders
                .into_iter()
                .chain(listing.linked_folders)
                .collect();
            let mut holding_items = Vec::new();
            for child in &children {
                if let Some(format) = search.item_format(&folder.join(child), MAX_ITEM_DEPTH)? {
                    holding_items.push((child.as_str(), format));
                }
            }
            let is_wrapper = matches!(holding_items.as_slice(),
                [(only, _)] if is_release_wrapper(&folder, only));
            if let Some(&(first, format)) = holding_items.first().filter(|_| !is_wrapper) {
                if let Some((other, other_format)) =
                    holding_items.iter().find(|(_, found)| *found != format)
                {
                    return Err(Error::invalid(
                        &folder,
                        format!(
                            "holds {format} items (in `{first}`) and {other_format} items \
                             (in `{other}`); give the input format to read one of them"
                        ),
                    ));
                }
                let mut subsets = children;
                subsets.sort_unstable();
                return Ok((
                    format,
                    Layout {
                        subset_root: folder,
                        subsets,
                    },
                ));
            }
            next_level.extend(children.iter().map(|child| folder.join(child)));
        }
        level = next_level;
    }
    Err(search.nothing_found(path))
}

/// Whether the child folder `name` of `folder` wraps the release's folder of
/// subsets: it is `images` or `ADE`, or it holds `images/ADE` (a release root).
fn is_release_wrapper(folder: &Path, name: &str) -> bool {
    RELEASE_WRAPPERS.contains(&name) || folder.join(name).join(RELEASE_SUBSET_ROOT).is_dir()
}

/// A search for items, and the first annotation it could not take for one.
struct Search {
    /// The format looked for; any when `None`.
    wanted: Option<InputFormat>,
    /// Largest annotation file read, in bytes.
    max_annotation_bytes: u64,
    /// Why the first annotation beside a photo that is not an item is not one.
    first_rejected: Option<Error>,
}

impl Search {
    /// The format of the first item found in `folder` or one of its folders,
    /// down to `depth` levels: an item of the wanted format, or of any.
    fn item_format(&mut self, folder: &Path, depth: usize) -> Result<Option<InputFormat>, Error> {
        let listing = Listing::read(folder)?;
        let candidates = match self.wanted {
            Some(format) => vec![format],
            None => InputFormat::ALL.to_vec(),
        };
        for format in candidates {
            let items = listing.items(folder, format)?;
            for (stem, annotation) in &items.annotations {
                if !items.photos.contains_key(stem) {
                    continue;
                }
                if listing.has_file(&class_map_file_name(stem, 0)) {
                    return Ok(Some(format));
                }
                let path = folder.join(annotation);
                match check_annotation_file(format, &path, self.max_annotation_bytes) {
                    Ok(()) => return Ok(Some(format)),
                    Err(error) => {
                        self.first_rejected.get_or_insert(error);
                    }
                }
            }
        }
        if depth > 0 {
            for child in &listing.folders {
                if let Some(format) = self.item_format(&folder.join(child), depth - 1)? {
                    return Ok(Some(format));
                }
            }
        }
        Ok(None)
    }

    /// The error for `path`, below which no item was found: it names the
    /// first annotation beside a photo and why it is none, when there was one.
    fn nothing_found(self, path: &Path) -> Error {
        let looked_for = match self.wanted {
            Some(InputFormat::Ade20k2020) => "<name>.jpg + <name>.json",
            Some(InputFormat::Ade20k2017) => "<name>.jpg + <name>_atr.txt",
            None => "<name>.jpg + <name>.json or <name>_atr.txt",
        };
        match self.first_rejected {
            Some(rejected) => Error::invalid(
                &rejected.path,
                format!(
                    "{}; no ADE20K item was found under {} (a photo beside an annotation \
                     that can be read, or beside its <name>_seg.png), and this is the first \
                     annotation beside a photo",
                    rejected.problem,
                    path.display()
                ),
            ),
            None => Error::invalid(
                path,
                format!(
                    "not an ADE20K dataset: no folder of subsets holding {looked_for} items \
                     found here or up to {MAX_SUBSET_ROOT_DEPTH} levels below"
                ),
            ),
        }
    }
}

/// Checks that the file is an annotation of `format`: JSON whose top level
/// is an object with key `annotation` (2020), or text whose first line is an
/// attribute line (2017). It is read only when it is a regular file of at
/// most `max_bytes` bytes.
fn check_annotation_file(format: InputFormat, path: &Path, max_bytes: u64) -> Result<(), Error> {
    let bytes = ade20k_fs::read_regular(path, max_bytes)?;
    let text = decode_text(&bytes);
    let checked = match format {
        InputFormat::Ade20k2020 => serde_json::from_str::<BTreeMap<String, IgnoredAny>>(&text)
            .map_err(|e| Problem::Json(e.to_string()))
            .and_then(|top| match top.contains_key("annotation") {
                true => Ok(()),
                false => Err(Problem::Json(
                    "the top level has no key `annotation`".into(),
                )),
            }),
        InputFormat::Ade20k2017 => check_atr_start(&text),
    };
    checked.map_err(|problem| Error::new(path, problem))
}
