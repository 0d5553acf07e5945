//! The data model of the ADE20K scene-parsing dataset (2020/2021 release).
//!
//! This crate knows no file format. It holds what an ADE20K annotation *means*:
//! [`Item`]s (one photo each) grouped in subsets, the [`Object`]s and parts
//! annotated in them, the label [`Category`]s keyed by the ADE class index, and
//! masks that are loaded only when asked for through a [`MaskSource`].
//! Importers produce these types and exporters consume them; the two meet
//! nowhere else.
//!
//! ```
//! use ade20k_model::{BinaryMask, InstanceMask, MaskKind};
//!
//! // A 3×2 instance mask: 255 = visible, 128 = hidden behind another object.
//! let mask = InstanceMask::from_pixels(3, 2, vec![0, 255, 255, 128, 255, 0]).unwrap();
//! let visible: BinaryMask = mask.binary(MaskKind::Visible);
//! assert_eq!(visible.area(), 3);
//! assert_eq!(mask.binary(MaskKind::Amodal).area(), 4);
//! let bbox = visible.bbox().unwrap();
//! assert_eq!((bbox.x, bbox.y, bbox.width, bbox.height), (1, 0, 2, 2));
//! ```
#![warn(missing_docs)]

mod error;
mod item;
mod label;
mod mask;
mod progress;
mod source;

pub use error::{Error, Problem};
pub use item::{ClassIndex, ImageInfo, Item, Object, Occlusion, SourceInfo};
pub use label::{Categories, Category};
pub use mask::{BBox, BinaryMask, ClassMap, CroppedMask, InstanceMask, MaskKind};
pub use progress::{PassCounter, Phase, PhaseHook, PhaseProgress};
pub use source::{InMemoryMasks, ItemSource, MaskSource, SourceFile};
