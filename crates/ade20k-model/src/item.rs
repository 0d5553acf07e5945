use std::fmt;
use std::num::ParseIntError;
use std::path::PathBuf;
use std::str::FromStr;
use std::sync::Arc;

use serde::Serialize;

use crate::{
    BinaryMask, ClassMap, CroppedMask, Error, InstanceMask, MaskKind, MaskSource, SourceFile,
};

/// An ADE class index (`name_ndx`): the class value of an object's pixels in the
/// class maps, `(R / 10) * 256 + G`. 0 ([`ClassIndex::UNLABELED`]) means
/// unlabeled and is never the class of an object.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize)]
#[serde(transparent)]
pub struct ClassIndex(pub u32);

impl ClassIndex {
    /// The class of unlabeled pixels.
    pub const UNLABELED: ClassIndex = ClassIndex(0);
}

impl FromStr for ClassIndex {
    type Err = ParseIntError;

    /// Parses the bare number, e.g. `2978`.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        text.parse().map(ClassIndex)
    }
}

impl fmt::Display for ClassIndex {
    /// The bare number, e.g. `2978`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// An object's id in its item (the annotation's `id`), which also names its
/// instance mask. Ids are unique within an item, not across items.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize)]
#[serde(transparent)]
pub struct ObjectId(pub u32);

impl fmt::Display for ObjectId {
    /// The bare number, e.g. `3`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// One annotated photo, with every object and part in it.
///
/// Masks are not held by the item: [`Item::instance_mask`] and [`Item::class_map`]
/// load them on demand, so an item stays small however many objects it has.
#[derive(Clone, Serialize)]
pub struct Item {
    /// Path of the image relative to its subset, without extension, with `/`
    /// separators, e.g. `urban/street/ADE_train_00016869`. Unique within a subset.
    pub id: String,
    /// Name of the subset the item belongs to, e.g. `training`.
    pub subset: String,
    /// The photo.
    pub image: ImageInfo,
    /// Folder of the image inside the original release (`annotation.folder`).
    pub folder: String,
    /// Scene words, most general first, e.g. `["outdoor", "urban", "street"]`.
    pub scene: Vec<String>,
    /// Where the original photo came from.
    pub source: SourceInfo,
    /// Every object and part, in annotation order (index = position here).
    pub objects: Vec<Object>,
    /// Number of part-level class maps (`_parts_1.png` … `_parts_N.png`) present
    /// beside the level-0 map (`_seg.png`).
    pub part_levels: u32,
    /// Where the masks of this item are loaded from.
    #[serde(skip)]
    pub masks: Arc<dyn MaskSource>,
}

impl Item {
    /// Loads the instance mask of `self.objects[object]`.
    pub fn instance_mask(&self, object: usize) -> Result<InstanceMask, Error> {
        self.masks.instance_mask(self, &self.objects[object])
    }

    /// Loads the instance mask of `self.objects[object]` with, when it comes
    /// from a file, that file's bytes ([`MaskSource::instance_mask_and_file`]).
    pub fn instance_mask_and_file(
        &self,
        object: usize,
    ) -> Result<(InstanceMask, Option<Vec<u8>>), Error> {
        self.masks
            .instance_mask_and_file(self, &self.objects[object])
    }

    /// Loads the instance mask of `self.objects[object]` and keeps the `kind` of pixels.
    pub fn binary_mask(&self, object: usize, kind: MaskKind) -> Result<BinaryMask, Error> {
        Ok(self.instance_mask(object)?.binary(kind))
    }

    /// Loads the instance mask of `self.objects[object]` and keeps the `kind`
    /// of pixels, inside the box around the object only.
    pub fn cropped_mask(&self, object: usize, kind: MaskKind) -> Result<CroppedMask, Error> {
        self.masks.cropped_mask(self, &self.objects[object], kind)
    }

    /// Checks the headers of the files the item's masks come from, without
    /// decoding them ([`MaskSource::check_files`]).
    pub fn check_files(&self) -> Result<(), Error> {
        self.masks.check_files(self)
    }

    /// Loads the class map of part level `level` (0 = objects, `_seg.png`).
    pub fn class_map(&self, level: u32) -> Result<ClassMap, Error> {
        self.masks.class_map(self, level)
    }

    /// Loads the class map of part level `level` with, when it comes from a
    /// file and is that file's map, the file's bytes
    /// ([`MaskSource::class_map_and_file`]).
    pub fn class_map_and_file(&self, level: u32) -> Result<(ClassMap, Option<Vec<u8>>), Error> {
        self.masks.class_map_and_file(self, level)
    }

    /// The annotation file the item was parsed from, when its source gives
    /// it ([`MaskSource::annotation_file`]).
    pub fn annotation_file(&self) -> Result<Option<SourceFile>, Error> {
        self.masks.annotation_file(self)
    }

    /// Index in `self.objects` of the object whose ADE id is `ade_id`.
    pub fn object_index(&self, ade_id: ObjectId) -> Option<usize> {
        self.objects
            .iter()
            .position(|object| object.ade_id == ade_id)
    }
}

impl fmt::Debug for Item {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Item")
            .field("id", &self.id)
            .field("subset", &self.subset)
            .field("image", &self.image)
            .field("folder", &self.folder)
            .field("scene", &self.scene)
            .field("source", &self.source)
            .field("objects", &self.objects)
            .field("part_levels", &self.part_levels)
            .finish_non_exhaustive()
    }
}

/// The photo of an item.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ImageInfo {
    /// Where the image file is.
    pub path: PathBuf,
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
}

/// Origin of the original photo (`annotation.source`); fields may be empty.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct SourceInfo {
    /// Folder of the original photo.
    pub folder: String,
    /// File name of the original photo.
    pub filename: String,
    /// Collection the photo was taken from.
    pub origin: String,
}

/// Whether an object is hidden in part behind another one.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Occlusion {
    /// The annotator marked the object occluded.
    Yes,
    /// The annotator marked the object not occluded.
    No,
    /// The annotation does not say.
    #[default]
    Unknown,
}

/// One annotated object (part level 0) or part (level 1 and up) of an item.
///
/// The default is an empty object of level 0 (class 0, no names, masks or
/// links); [`Object::new`] names one. Either is completed with struct update
/// syntax when building items in code.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Object {
    /// The object's id in its item (`id`), which also names its instance mask.
    pub ade_id: ObjectId,
    /// Class index (`name_ndx`), the class value of its pixels in the class maps.
    pub class: ClassIndex,
    /// Canonical WordNet class name, e.g. `car, auto, automobile, machine, motorcar`.
    pub name: String,
    /// The word the annotator typed, e.g. `cars`.
    pub raw_name: String,
    /// WordNet chain from the class up to `entity`, as annotated.
    pub hypernym: Vec<String>,
    /// 0 = whole object, 1 = part, 2 = part of a part, …
    pub part_level: u32,
    /// ADE id of the object this is a part of; `None` at level 0.
    pub parent: Option<ObjectId>,
    /// ADE ids of this object's parts.
    pub children: Vec<ObjectId>,
    /// Whether the object is occluded.
    pub occluded: Occlusion,
    /// Whether the object is cut by the image border.
    pub crop: bool,
    /// Depth order, 1 = front-most; `None` when not annotated.
    pub depth_rank: Option<u32>,
    /// Free-form attribute words, e.g. `["walking"]`.
    pub attributes: Vec<String>,
    /// The annotator's polygon as `[x, y]` points; may be empty or degenerate.
    pub polygon: Vec<[f64; 2]>,
    /// Path of the instance mask relative to the item's annotation file; empty
    /// when the release has no instance mask files (ADE20K 2017, whose masks
    /// are cut from the class maps).
    pub instance_mask: String,
    /// Annotation date string, as annotated.
    pub saved_date: String,
}

impl Object {
    /// A whole object (level 0) with id `ade_id`, class index `class` and
    /// canonical name `name`, and nothing else recorded: no raw name, parts,
    /// mask or polygon, occlusion unknown.
    pub fn new(ade_id: ObjectId, class: ClassIndex, name: impl Into<String>) -> Self {
        Object {
            ade_id,
            class,
            name: name.into(),
            ..Object::default()
        }
    }

    /// Whether this is a part (level 1 or deeper) rather than a whole object.
    pub fn is_part(&self) -> bool {
        self.part_level > 0
    }
}
