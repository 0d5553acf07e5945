//! The input formats, telling them apart, and opening a dataset of either.

use std::fmt;
use std::path::Path;

use ade20k_model::{Error, ItemSource};

use crate::ade20k2017::Ade20k2017Dataset;
use crate::dataset::{Ade20k2020Dataset, ImportOptions, DEFAULT_MAX_ANNOTATION_BYTES};
use crate::layout::{find_layout, Layout};
use crate::names::{split_name, ATR_SUFFIX, META_FILE_NAME};

/// A release layout of ADE20K this crate reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "clap", derive(clap::ValueEnum))]
#[non_exhaustive]
pub enum InputFormat {
    /// ADE20K 2020/2021 (`<name>.json` + `_seg.png` + instance masks).
    ///
    /// The 2020/2021 release (`ADE20K_2021_17_01`): `<name>.json` beside each
    /// photo, an instance mask PNG per object. Datumaro calls it `ade20k2020`.
    Ade20k2020,
    /// ADE20K 2016/2017 full release (`<name>_atr.txt` + `_seg.png` + `_parts_N.png`).
    ///
    /// The 2016/2017 full release (`ADE20K_2016_07_26`): `<name>_atr.txt` beside
    /// each photo, instances only in the B channel of the class maps. Datumaro
    /// calls it `ade20k2017`.
    Ade20k2017,
}

impl InputFormat {
    /// Every input format, in the order detection tries them.
    pub const ALL: [InputFormat; 2] = [InputFormat::Ade20k2020, InputFormat::Ade20k2017];

    /// The format's name, as Datumaro and the command line spell it: `ade20k2020`, `ade20k2017`.
    pub fn name(self) -> &'static str {
        match self {
            InputFormat::Ade20k2020 => "ade20k2020",
            InputFormat::Ade20k2017 => "ade20k2017",
        }
    }

    /// Opens the dataset of this format at `path` (any folder [`crate::detect`]
    /// accepts) as an [`ItemSource`].
    pub fn open(
        self,
        path: impl AsRef<Path>,
        options: &ImportOptions,
    ) -> Result<Box<dyn ItemSource + Send>, Error> {
        let (_, layout) = find_layout(path.as_ref(), Some(self), options.max_annotation_bytes)?;
        self.open_layout(layout, options)
    }

    fn open_layout(
        self,
        layout: Layout,
        options: &ImportOptions,
    ) -> Result<Box<dyn ItemSource + Send>, Error> {
        Ok(match self {
            InputFormat::Ade20k2020 => Box::new(Ade20k2020Dataset::from_layout(layout, options)?),
            InputFormat::Ade20k2017 => Box::new(Ade20k2017Dataset::from_layout(layout, options)?),
        })
    }

    /// The item stem of `file_name` when it is an annotation file of this
    /// format: `a` for `a.json` (2020, not `dataset_meta.json`) or `a_atr.txt` (2017).
    pub(crate) fn annotation_stem(self, file_name: &str) -> Option<&str> {
        match self {
            InputFormat::Ade20k2020 => {
                let (stem, extension) = split_name(file_name);
                (extension.eq_ignore_ascii_case("json") && file_name != META_FILE_NAME)
                    .then_some(stem)
            }
            InputFormat::Ade20k2017 => file_name
                .strip_suffix(ATR_SUFFIX)
                .filter(|stem| !stem.is_empty()),
        }
    }

    /// Name of the annotation file of the item with stem `stem`.
    pub(crate) fn annotation_file_name(self, stem: &str) -> String {
        match self {
            InputFormat::Ade20k2020 => format!("{stem}.json"),
            InputFormat::Ade20k2017 => format!("{stem}{ATR_SUFFIX}"),
        }
    }
}

impl fmt::Display for InputFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Finds the folder of subsets at `path` (see [`crate::detect`] for where it
/// may point) and the format of the items in it: ADE20K 2020 when photos have
/// a `<name>.json` annotation beside them, ADE20K 2017 when they have a
/// `<name>_atr.txt`. Subsets whose first items found are of different formats
/// are an error naming the folder of subsets. Annotation files larger than
/// [`DEFAULT_MAX_ANNOTATION_BYTES`] are not read.
pub fn detect_format(path: &Path) -> Result<(InputFormat, Layout), Error> {
    find_layout(path, None, DEFAULT_MAX_ANNOTATION_BYTES)
}

/// Opens the dataset at `path` in the format [`detect_format`] finds, as an
/// [`ItemSource`] that every exporter reads.
pub fn open(
    path: impl AsRef<Path>,
    options: &ImportOptions,
) -> Result<Box<dyn ItemSource + Send>, Error> {
    let (format, layout) = find_layout(path.as_ref(), None, options.max_annotation_bytes)?;
    format.open_layout(layout, options)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn annotation_files_are_recognised_per_format() {
        let json = InputFormat::Ade20k2020;
        let atr = InputFormat::Ade20k2017;
        assert_eq!(json.annotation_stem("a.JSON"), Some("a"));
        assert_eq!(json.annotation_stem("dataset_meta.json"), None);
        assert_eq!(json.annotation_stem("a_atr.txt"), None);
        assert_eq!(atr.annotation_stem("a_atr.txt"), Some("a"));
        assert_eq!(atr.annotation_stem("_atr.txt"), None);
        assert_eq!(atr.annotation_stem("a.json"), None);
        assert_eq!(atr.annotation_file_name("x"), "x_atr.txt");
        assert_eq!(json.annotation_file_name("x"), "x.json");
        assert_eq!(atr.to_string(), "ade20k2017");
    }
}
