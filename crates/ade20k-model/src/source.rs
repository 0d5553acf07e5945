use std::collections::HashMap;
use std::fmt;
use std::path::PathBuf;

use crate::{ClassMap, CroppedMask, Error, InstanceMask, Item, MaskKind, Object, ObjectId};

/// Loads the masks of an item on demand, and gives the bytes of the files
/// they come from to writers that copy them. Importers implement it;
/// exporters call it through [`Item::instance_mask`], [`Item::class_map`]
/// and [`Item::annotation_file`].
pub trait MaskSource: Send + Sync + fmt::Debug {
    /// The instance mask of `object`, one of `item.objects`.
    fn instance_mask(&self, item: &Item, object: &Object) -> Result<InstanceMask, Error>;

    /// [`MaskSource::instance_mask`], with the bytes of the file it was read
    /// from, when it was read from one, so that a writer of the same kind of
    /// file can copy them (in whatever form the file stores the mask) instead
    /// of encoding the mask again. The model knows no file format: what the
    /// bytes are is the importer's to say. By default, no bytes.
    fn instance_mask_and_file(
        &self,
        item: &Item,
        object: &Object,
    ) -> Result<(InstanceMask, Option<Vec<u8>>), Error> {
        Ok((self.instance_mask(item, object)?, None))
    }

    /// The `kind` pixels of the instance mask of `object`, inside the box
    /// around the object ([`InstanceMask::cropped`]). By default the whole
    /// mask is loaded first; a source that decodes files overrides it to
    /// decode into a buffer it reuses, not an image-size mask per object.
    fn cropped_mask(
        &self,
        item: &Item,
        object: &Object,
        kind: MaskKind,
    ) -> Result<CroppedMask, Error> {
        Ok(self.instance_mask(item, object)?.cropped(kind))
    }

    /// The class map of part level `level` (0 = objects) of `item`.
    fn class_map(&self, item: &Item, level: u32) -> Result<ClassMap, Error>;

    /// [`MaskSource::class_map`], with the bytes of the file it was read
    /// from, when it was read from one and holds this map, so that a writer
    /// of the same kind of file can copy them instead of encoding the map
    /// again. By default, no bytes.
    fn class_map_and_file(
        &self,
        item: &Item,
        level: u32,
    ) -> Result<(ClassMap, Option<Vec<u8>>), Error> {
        Ok((self.class_map(item, level)?, None))
    }

    /// Checks, without decoding them, that the files the masks of `item`
    /// come from can be: the class map of every part level and the instance
    /// mask of every object exist and have a header of their kind and the
    /// image's size. Every exporter calls it on every item, so that a broken
    /// file is noticed even by a format that never decodes it. A source whose
    /// masks are already in memory has nothing to check.
    fn check_files(&self, item: &Item) -> Result<(), Error>;

    /// The annotation file `item` was parsed from, when it is ADE20K 2020's
    /// `<name>.json`, so that a writer of that layout can copy it, or edit
    /// it, rather than write it anew. By default, none: items built in code
    /// or read from annotations of another kind.
    fn annotation_file(&self, _item: &Item) -> Result<Option<SourceFile>, Error> {
        Ok(None)
    }
}

/// A file of the source dataset, read whole.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SourceFile {
    /// Where it was read from.
    pub path: PathBuf,
    /// Its bytes.
    pub bytes: Vec<u8>,
}

/// Masks held in memory, keyed by object id and by level: for items built in
/// code (tests, generators, filters) rather than read from disk.
#[derive(Clone, Debug, Default)]
pub struct InMemoryMasks {
    /// Instance mask per ADE object id.
    pub instance_masks: HashMap<ObjectId, InstanceMask>,
    /// Class map per part level.
    pub class_maps: HashMap<u32, ClassMap>,
}

impl MaskSource for InMemoryMasks {
    fn instance_mask(&self, item: &Item, object: &Object) -> Result<InstanceMask, Error> {
        self.instance_masks
            .get(&object.ade_id)
            .cloned()
            .ok_or_else(|| {
                Error::invalid(
                    &item.image.path,
                    format!("no instance mask for object {}", object.ade_id),
                )
            })
    }

    fn class_map(&self, item: &Item, level: u32) -> Result<ClassMap, Error> {
        self.class_maps.get(&level).cloned().ok_or_else(|| {
            Error::invalid(&item.image.path, format!("no class map of level {level}"))
        })
    }

    /// Masks in memory come from no file: nothing to check.
    fn check_files(&self, _item: &Item) -> Result<(), Error> {
        Ok(())
    }
}

/// An ordered collection of items that can be loaded one at a time, from any
/// thread. Exporters read datasets through it, so they never depend on an importer.
///
/// Items are ordered by subset, then by id; `load` of the same index always
/// gives the same item.
pub trait ItemSource: Sync {
    /// Subset names, in output order.
    fn subsets(&self) -> &[String];

    /// Number of items in all subsets.
    fn len(&self) -> usize;

    /// Whether there is no item.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The subset of item `index`, without loading it.
    fn subset_of(&self, index: usize) -> &str;

    /// Loads item `index` (its annotation, not its masks).
    fn load(&self, index: usize) -> Result<Item, Error>;

    /// The id of item `index` ([`Item::id`]). Sources that know ids without
    /// parsing an annotation override this; by default the item is loaded.
    fn id_of(&self, index: usize) -> Result<String, Error> {
        self.load(index).map(|item| item.id)
    }

    /// Label names in a fixed order, when the dataset prescribes one
    /// (Datumaro's `dataset_meta.json`).
    fn label_order(&self) -> Option<&[String]> {
        None
    }
}
