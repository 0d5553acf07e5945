//! Reads the ADE20K dataset from disk into the types of [`ade20k_model`], one
//! item at a time: the 2020/2021 release (`ADE20K_2021_17_01`,
//! [`Ade20kDataset`]) and the older 2016/2017 full release
//! (`ADE20K_2016_07_26`, [`Ade20k2017Dataset`]). [`detect_format`] tells
//! them apart and [`open_any`] opens either as an [`ItemSource`].
//!
//! [`Ade20kDataset::open`] finds the folder of subsets ([`detect`]) and lists
//! every item by file name. [`ItemSource::load`] then parses the annotation of
//! one item; its masks are decoded only when [`Item::instance_mask`] or
//! [`Item::class_map`] is called. Every error names the file it is about.
//!
//! Instance masks keep the release's three values: 255 (visible), 128 (present
//! but hidden) and 0, so both the visible and the amodal mask can be taken
//! from them ([`ade20k_model::MaskKind`]).
//!
//! ```no_run
//! use ade20k_import::Ade20kDataset;
//! use ade20k_model::{ItemSource, MaskKind};
//!
//! # fn main() -> Result<(), ade20k_model::Error> {
//! let dataset = Ade20kDataset::open("ADE20K_2021_17_01")?;
//! println!("subsets: {:?}, {} items", dataset.subsets(), dataset.len());
//! let item = dataset.load(0)?;
//! for (index, object) in item.objects.iter().enumerate() {
//!     let visible = item.binary_mask(index, MaskKind::Visible)?;
//!     println!("{} ({}): {} visible pixels", object.name, object.class, visible.area());
//! }
//! let classes = item.class_map(0)?;
//! assert_eq!(classes.width(), item.image.width);
//! # Ok(())
//! # }
//! ```
//!
//! An ADE20K 2017 item has no instance mask files: its masks are the instance
//! regions of the B channel of its class maps, visible pixels only (see
//! [`Ade20k2017Dataset`]).
//!
//! The pixel and JSON decoders are public for benchmarks and fuzzing:
//! [`decode_instance_mask`], [`decode_class_map`] and [`parse_annotation`]
//! work on bytes and never panic.
//!
//! [`validate`] checks that a dataset agrees with itself (instance masks,
//! class maps, part links, polygons) and [`dataset_stats`] counts what it
//! holds; both read any [`ItemSource`] in parallel.
//!
//! [`ItemSource`]: ade20k_model::ItemSource
//! [`ItemSource::load`]: ade20k_model::ItemSource::load
//! [`Item::instance_mask`]: ade20k_model::Item::instance_mask
//! [`Item::class_map`]: ade20k_model::Item::class_map
#![warn(missing_docs)]

mod ade20k2017;
mod annotation;
mod atr;
mod catalog;
mod dataset;
mod folder;
mod format;
mod header;
mod layout;
mod masks;
mod names;
mod pixels;
mod scan;
mod stats;
mod validate;

pub use ade20k2017::Ade20k2017Dataset;
pub use annotation::{parse_annotation, Annotation, MAX_PART_LEVEL};
pub use dataset::{Ade20kDataset, ImportOptions, DEFAULT_MAX_ANNOTATION_BYTES};
pub use format::{detect_format, open_any, InputFormat};
pub use layout::{detect, Layout};
pub use pixels::{decode_class_map, decode_instance_mask, DEFAULT_MAX_PIXELS};
pub use stats::{
    dataset_stats, dataset_stats_with_progress, ClassStats, DatasetStats, PartPairStats,
    SceneStats, SizeRange, StatsOptions, SubsetStats,
};
pub use validate::{
    validate, validate_with_progress, Finding, FindingKind, Severity, ValidationReport,
};
