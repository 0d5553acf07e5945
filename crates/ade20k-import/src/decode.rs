//! The decoders of single files, on bytes already in memory: what a dataset
//! runs on every file it loads, for callers that hold the bytes themselves
//! (an archive, object storage), benchmarks and fuzzing. They never panic.

pub use crate::annotation::parse_annotation as annotation;
pub use crate::pixels::{decode_class_map as class_map, decode_instance_mask as instance_mask};
