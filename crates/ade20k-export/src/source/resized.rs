//! `--max-short-side`: a dataset presented with every item scaled so that
//! its shorter side is at most N pixels ([`Resized`]), squares too unless
//! the benchmark's rule keeps them ([`Squares`]).
//!
//! An item whose shorter side exceeds N comes with the scaled size
//! ([`scaled_size`](super::resize::scaled_size)), its polygons scaled, and
//! masks that are scaled when loaded: class maps (classes and instance
//! codes) and instance masks (visible and hidden pixels alike) by nearest
//! neighbour at pixel centres ([`nearest_indices`](super::resize::nearest_indices),
//! MATLAB's `imresize` rule). Every format
//! then derives its boxes, areas, RLE and polygons from the scaled masks, as
//! from any others. The photo is scaled where it is written
//! ([`MediaMode::Scaled`](crate::MediaMode::Scaled)). Smaller items
//! pass through untouched.

use std::sync::Arc;

use ade20k_model::{ClassMap, Error, InstanceMask, Item, ItemSource, MaskSource, Object};

use crate::source::resize::{nearest_indices, sample_nearest, scaled_size, Squares};
use crate::{MaxShortSide, BENCHMARK_SHORT_SIDE};

/// `inner` with every item scaled to a shorter side of at most `max_short_side`.
pub(crate) struct Resized<'a> {
    inner: &'a dyn ItemSource,
    max_short_side: u32,
    squares: Squares,
}

impl<'a> Resized<'a> {
    /// `inner`, its items scaled as `limit` says; `None` for a limit that
    /// scales nothing ([`MaxShortSide::Off`], or not yet resolved).
    pub fn new(inner: &'a dyn ItemSource, limit: MaxShortSide) -> Option<Self> {
        let (max_short_side, squares) = match limit {
            MaxShortSide::Pixels(pixels) => (pixels.get(), Squares::Scaled),
            MaxShortSide::Benchmark => (BENCHMARK_SHORT_SIDE, Squares::Kept),
            MaxShortSide::Off | MaxShortSide::FormatDefault => return None,
        };
        Some(Resized {
            inner,
            max_short_side,
            squares,
        })
    }
}

impl ItemSource for Resized<'_> {
    fn subsets(&self) -> &[String] {
        self.inner.subsets()
    }

    fn len(&self) -> usize {
        self.inner.len()
    }

    fn subset_of(&self, index: usize) -> &str {
        self.inner.subset_of(index)
    }

    fn load(&self, index: usize) -> Result<Item, Error> {
        let original = self.inner.load(index)?;
        let (width, height) = (original.image.width, original.image.height);
        let (new_width, new_height) = scaled_size(width, height, self.max_short_side, self.squares);
        if (new_width, new_height) == (width, height) {
            return Ok(original);
        }
        let mut item = original.clone();
        item.image.width = new_width;
        item.image.height = new_height;
        let (scale_x, scale_y) = (
            f64::from(new_width) / f64::from(width),
            f64::from(new_height) / f64::from(height),
        );
        for object in &mut item.objects {
            for point in &mut object.polygon {
                *point = [point[0] * scale_x, point[1] * scale_y];
            }
        }
        item.masks = Arc::new(ScaledMasks {
            columns: nearest_indices(width, new_width),
            rows: nearest_indices(height, new_height),
            original,
        });
        Ok(item)
    }

    fn id_of(&self, index: usize) -> Result<String, Error> {
        self.inner.id_of(index)
    }

    fn label_order(&self) -> Option<&[String]> {
        self.inner.label_order()
    }
}

/// The masks of one scaled item: those of the original item, sampled at
/// `columns` × `rows` when loaded.
#[derive(Debug)]
struct ScaledMasks {
    /// The item as its source gives it, which its masks are loaded for.
    original: Item,
    /// The original column each output column reads.
    columns: Vec<u32>,
    /// The original row each output row reads.
    rows: Vec<u32>,
}

impl ScaledMasks {
    /// The object of the original item that `object` (of the scaled one) is.
    fn original_object(&self, object: &Object) -> Result<&Object, Error> {
        self.original
            .object_index(object.ade_id)
            .map(|index| &self.original.objects[index])
            .ok_or_else(|| {
                Error::invalid(
                    &self.original.image.path,
                    format!("no object {} in the item", object.ade_id),
                )
            })
    }

    /// Samples the pixels of an original-sized mask; only the output rows
    /// and columns that read inside `extent` (the mask's non-zero box) are
    /// sampled, the rest are 0.
    fn sample_within(&self, pixels: &[u8], extent: Option<ade20k_model::BBox>) -> Vec<u8> {
        let width = self.original.image.width;
        let mut out = vec![0u8; self.columns.len() * self.rows.len()];
        let Some(extent) = extent else {
            return out;
        };
        let within = |indices: &[u32], start: u32, len: u32| {
            let first = indices.partition_point(|&index| index < start);
            let end = indices.partition_point(|&index| index < start + len);
            first..end
        };
        let columns = within(&self.columns, extent.x, extent.width);
        let rows = within(&self.rows, extent.y, extent.height);
        let out_width = self.columns.len();
        for out_row in rows {
            let source = &pixels[self.rows[out_row] as usize * width as usize..][..width as usize];
            let target = &mut out[out_row * out_width..][..out_width];
            for out_column in columns.clone() {
                target[out_column] = source[self.columns[out_column] as usize];
            }
        }
        out
    }
}

impl MaskSource for ScaledMasks {
    fn instance_mask(&self, item: &Item, object: &Object) -> Result<InstanceMask, Error> {
        let mask = self
            .original
            .masks
            .instance_mask(&self.original, self.original_object(object)?)?;
        let path = &item.image.path;
        if (mask.width(), mask.height()) != (self.original.image.width, self.original.image.height)
        {
            return Err(Error::invalid(
                path,
                format!(
                    "the instance mask of object {} is {}×{} pixels but the image is {}×{}",
                    object.ade_id,
                    mask.width(),
                    mask.height(),
                    self.original.image.width,
                    self.original.image.height
                ),
            ));
        }
        let pixels = self.sample_within(mask.pixels(), mask.extent());
        InstanceMask::from_pixels(self.columns.len() as u32, self.rows.len() as u32, pixels)
            .map_err(|problem| Error::new(path, problem))
    }

    fn class_map(&self, item: &Item, level: u32) -> Result<ClassMap, Error> {
        let map = self.original.masks.class_map(&self.original, level)?;
        if map.width() != self.original.image.width {
            return Err(Error::invalid(
                &item.image.path,
                format!(
                    "the class map of level {level} is {} pixels wide but the image is {}",
                    map.width(),
                    self.original.image.width
                ),
            ));
        }
        let classes = sample_nearest(map.classes(), map.width(), &self.columns, &self.rows);
        let instances = sample_nearest(map.instances(), map.width(), &self.columns, &self.rows);
        ClassMap::from_pixels(
            self.columns.len() as u32,
            self.rows.len() as u32,
            classes,
            instances,
        )
        .map_err(|problem| Error::new(&item.image.path, problem))
    }

    fn check_files(&self, _item: &Item) -> Result<(), Error> {
        self.original.check_files()
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use ade20k_model::{ClassIndex, ImageInfo, InMemoryMasks, MaskKind, ObjectId, SourceInfo};

    use super::*;

    /// An item of 6×4 pixels with one object covering the right half
    /// (visible in rows 0–1, hidden in rows 2–3), class 7 there in the map.
    struct OneItem;

    impl ItemSource for OneItem {
        fn subsets(&self) -> &[String] {
            std::slice::from_ref(Box::leak(Box::new("training".to_string())))
        }

        fn len(&self) -> usize {
            1
        }

        fn subset_of(&self, _index: usize) -> &str {
            "training"
        }

        fn load(&self, _index: usize) -> Result<Item, Error> {
            let (width, height) = (6, 4);
            let mask: Vec<u8> = (0..24)
                .map(|i| match (i % 6 >= 3, i / 6 < 2) {
                    (false, _) => 0,
                    (true, true) => 255,
                    (true, false) => 128,
                })
                .collect();
            let classes = mask
                .iter()
                .map(|&v| ClassIndex(if v == 255 { 7 } else { 0 }))
                .collect();
            let instances = mask.iter().map(|&v| u8::from(v == 255)).collect();
            let masks = InMemoryMasks {
                instance_masks: HashMap::from([(
                    ObjectId(3),
                    InstanceMask::from_pixels(width, height, mask).unwrap(),
                )]),
                class_maps: HashMap::from([(
                    0,
                    ClassMap::from_pixels(width, height, classes, instances).unwrap(),
                )]),
            };
            Ok(Item {
                id: "a".into(),
                subset: "training".into(),
                image: ImageInfo {
                    path: "a.jpg".into(),
                    width,
                    height,
                },
                folder: String::new(),
                scene: vec![],
                source: SourceInfo::default(),
                objects: vec![Object {
                    ade_id: ObjectId(3),
                    class: ClassIndex(7),
                    polygon: vec![[3.0, 0.0], [6.0, 4.0]],
                    ..Object::default()
                }],
                part_levels: 0,
                masks: Arc::new(masks),
            })
        }
    }

    fn pixels(limit: u32) -> MaxShortSide {
        MaxShortSide::Pixels(std::num::NonZeroU32::new(limit).unwrap())
    }

    #[test]
    fn items_come_scaled_with_their_masks_and_polygons() {
        let resized = Resized::new(&OneItem, pixels(2)).unwrap();
        let item = resized.load(0).unwrap();
        assert_eq!((item.image.width, item.image.height), (3, 2));
        assert_eq!(item.objects[0].polygon, [[1.5, 0.0], [3.0, 2.0]]);
        // Columns 1, 3, 5 and rows 1, 3 of the original are read.
        let mask = item.instance_mask(0).unwrap();
        assert_eq!(mask.pixels(), [0, 255, 255, 0, 128, 128]);
        assert_eq!(mask.binary(MaskKind::Amodal).area(), 4);
        let map = item.class_map(0).unwrap();
        assert_eq!(map.classes(), [0, 7, 7, 0, 0, 0].map(ClassIndex));
        assert_eq!(map.instances(), [0, 1, 1, 0, 0, 0]);
        item.check_files().unwrap();
    }

    #[test]
    fn small_items_pass_through() {
        let item = Resized::new(&OneItem, pixels(4)).unwrap().load(0).unwrap();
        assert_eq!((item.image.width, item.image.height), (6, 4));
        assert_eq!(item.instance_mask(0).unwrap().pixels().len(), 24);
    }

    #[test]
    fn limits_that_scale_nothing_give_no_adapter() {
        assert!(Resized::new(&OneItem, MaxShortSide::Off).is_none());
        assert!(Resized::new(&OneItem, MaxShortSide::FormatDefault).is_none());
        let benchmark = Resized::new(&OneItem, MaxShortSide::Benchmark).unwrap();
        assert_eq!(
            (benchmark.max_short_side, benchmark.squares),
            (512, Squares::Kept)
        );
        let pixels = Resized::new(&OneItem, pixels(512)).unwrap();
        assert_eq!(pixels.squares, Squares::Scaled);
    }
}
