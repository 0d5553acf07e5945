#![doc = include_str!("../README.md")]
#![warn(missing_docs)]

mod error;
mod item;
mod label;
mod mask;
mod progress;
mod source;

pub use error::{Error, Problem};
pub use item::{ClassIndex, ImageInfo, Item, Object, ObjectId, Occlusion, SourceInfo};
pub use label::{Categories, Category};
pub use mask::{BBox, BinaryMask, ClassMap, CroppedMask, InstanceMask, MaskKind};
pub use progress::{PassCounter, Phase, PhaseHook, PhaseProgress};
pub use source::{InMemoryMasks, ItemSource, MaskSource, SourceFile};
