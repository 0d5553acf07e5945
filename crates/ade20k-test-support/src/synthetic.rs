//! Datasets built in code, for cases no fixture has: items, objects and
//! masks held in memory behind an [`ItemSource`].

use std::path::PathBuf;
use std::sync::Arc;

use ade20k_model::{
    ClassIndex, Error, ImageInfo, InMemoryMasks, Item, ItemSource, Object, ObjectId, SourceInfo,
};

/// Every item of `dataset`, loaded, in order.
pub fn items(dataset: &dyn ItemSource) -> Vec<Item> {
    (0..dataset.len())
        .map(|index| dataset.load(index).unwrap())
        .collect()
}

/// A dataset of items built in code, for cases no fixture has.
pub struct Synthetic {
    /// Subset names, in output order.
    pub subsets: Vec<String>,
    /// The items, ordered by subset, then id.
    pub items: Vec<Item>,
}

impl ItemSource for Synthetic {
    fn subsets(&self) -> &[String] {
        &self.subsets
    }

    fn len(&self) -> usize {
        self.items.len()
    }

    fn subset_of(&self, index: usize) -> &str {
        &self.items[index].subset
    }

    fn load(&self, index: usize) -> Result<Item, Error> {
        Ok(self.items[index].clone())
    }
}

/// A level-0 object of class `class` named `name` (raw name `raw_name`),
/// occlusion unknown, with nothing else recorded.
pub fn synthetic_object(ade_id: ObjectId, class: ClassIndex, name: &str, raw_name: &str) -> Object {
    Object {
        raw_name: raw_name.into(),
        ..Object::new(ade_id, class, name)
    }
}

/// Item `id` of `subset`, a `width`×`height` photo at `<subset>/<id>.jpg`,
/// holding `objects` whose masks are `masks`; no parts, scene or source.
pub fn synthetic_item(
    subset: &str,
    id: &str,
    (width, height): (u32, u32),
    objects: Vec<Object>,
    masks: InMemoryMasks,
) -> Item {
    Item {
        id: id.into(),
        subset: subset.into(),
        image: ImageInfo {
            path: PathBuf::from(format!("{subset}/{id}.jpg")),
            width,
            height,
        },
        folder: String::new(),
        scene: vec![],
        source: SourceInfo::default(),
        objects,
        part_levels: 0,
        masks: Arc::new(masks),
    }
}
