//! Encoding kernels the formats share, knowing no format's layout: COCO
//! RLE ([`rle`]), polygons traced along pixel borders ([`trace`]) and
//! through pixel centres ([`centre_trace`]), PNG writing, JSON written a
//! record at a time, label colours, the per-pixel object map and its
//! objects numbered per class (`numbered`), YAML and XML strings.

pub mod centre_trace;
pub(crate) mod composite;
pub(crate) mod json_records;
pub(crate) mod numbered;
pub(crate) mod palette;
pub(crate) mod png_out;
pub mod rle;
pub mod trace;
pub(crate) mod xml;
pub(crate) mod yaml;
