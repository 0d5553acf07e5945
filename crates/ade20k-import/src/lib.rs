#![doc = include_str!("../README.md")]
#![warn(missing_docs)]

mod ade20k2017;
mod annotation;
mod atr;
mod catalog;
mod dataset;
pub mod decode;
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
pub use annotation::{Annotation, MAX_PART_LEVEL};
pub use dataset::{Ade20k2020Dataset, ImportOptions, DEFAULT_MAX_ANNOTATION_BYTES};
pub use format::{detect_format, open, InputFormat};
pub use layout::{detect, Layout};
pub use pixels::DEFAULT_MAX_PIXELS;
pub use stats::{
    dataset_stats, dataset_stats_with_progress, ClassStats, DatasetStats, PartPairStats,
    SceneStats, SizeRange, StatsOptions, SubsetStats,
};
pub use validate::{
    validate, validate_with_progress, Finding, FindingKind, Severity, ValidationReport,
};
