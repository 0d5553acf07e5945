//! The ADE20K 2017 dataset (`ADE20K_2016_07_26`, Datumaro's `ade20k2017`):
//! `<name>_atr.txt` annotations, and instances only in the B channel of the
//! class maps.

use std::collections::{BTreeSet, HashMap};
use std::fmt;
use std::path::Path;
use std::sync::Arc;

use ade20k_model::{
    ClassIndex, ClassMap, Error, ImageInfo, InstanceMask, Item, ItemSource, MaskSource, Object,
    ObjectId,
};

use crate::annotation::decode_text;
use crate::atr::{parse_atr, AtrLine};
use crate::catalog::{catalog_dataset, catalog_item_source, Catalog, FoundItem};
use crate::dataset::ImportOptions;
use crate::format::InputFormat;
use crate::header::photo_size;
use crate::layout::{find_layout, Layout};
use crate::masks::{check_size, class_map_path, missing_level, read_class_map};

/// An ADE20K 2017 dataset on disk (the `ADE20K_2016_07_26` full release
/// layout), read as an [`ItemSource`].
///
/// Opening finds every item (a photo beside `<name>_atr.txt`) by file names
/// only. [`ItemSource::load`] parses the item's `_atr.txt` and decodes its
/// class maps, since an object's class index and instance region are only
/// there; the loaded item keeps them, so its masks cost no further decoding.
/// Items are ordered by subset name, then by id (byte order); broken items
/// are kept in the list and fail on load, naming the file.
///
/// How the model is filled:
///
/// - Instance `n` of part level `L` (columns 1 and 2 of its `_atr.txt` line)
///   is the region of the `n`-th smallest distinct non-zero B value of the
///   level's class map (`_seg.png` for level 0, `_parts_L.png` above). This is
///   the instance index of the release's own loaders (`unique(B)`), which
///   count B = 0, the unlabeled pixels, as index 0.
/// - Its class index is the most frequent non-zero class `(R / 10) * 256 + G`
///   of that region (the smaller class on a tie); its name and raw name are
///   columns 4 and 5 of the line, its occlusion column 3, its attribute words
///   column 6.
/// - Its instance mask is 255 on the region and 0 elsewhere: visible pixels
///   only. The release has no amodal masks, so the amodal mask is the visible
///   one and [`InstanceMask::HIDDEN`] never appears.
/// - The parent of a part of level `L` is the annotated instance of level
///   `L - 1` whose region overlaps the part's region most (the smaller B value
///   on a tie); `children` are the inverse. A part overlapping no annotated
///   instance has no parent.
/// - The ADE id of an object is the position of its line among the non-blank
///   lines of the file, from 0.
/// - What the release does not record is left empty: hypernym, polygon, depth
///   rank, save date, scene, folder, source, and the instance mask path;
///   `crop` is false.
pub struct Ade20k2017Dataset {
    catalog: Catalog,
    max_pixels: u64,
}

impl Ade20k2017Dataset {
    /// Opens the dataset at `path` (the release root, its `images/` folder,
    /// or any folder whose children are subsets) with default options.
    pub fn open(path: impl AsRef<Path>) -> Result<Self, Error> {
        Self::open_with(path, &ImportOptions::default())
    }

    /// Opens the dataset at `path` with `options`.
    pub fn open_with(path: impl AsRef<Path>, options: &ImportOptions) -> Result<Self, Error> {
        let (_, layout) = find_layout(
            path.as_ref(),
            Some(InputFormat::Ade20k2017),
            options.max_annotation_bytes,
        )?;
        Self::from_layout(layout, options)
    }

    /// Opens the dataset whose subsets `layout` found.
    pub(crate) fn from_layout(layout: Layout, options: &ImportOptions) -> Result<Self, Error> {
        Ok(Ade20k2017Dataset {
            catalog: Catalog::open(layout, InputFormat::Ade20k2017, options)?,
            max_pixels: options.max_pixels,
        })
    }

    /// The class maps of every part level of `found`, level 0 first, and its
    /// photo's size: the header's, which `_seg.png` must match, or
    /// `_seg.png`'s when the photo's format has no readable header.
    fn read_class_maps(&self, found: &FoundItem) -> Result<(ImageInfo, Vec<ClassMap>), Error> {
        let seg_path = class_map_path(found.photo, 0);
        let seg = read_class_map(&seg_path, self.max_pixels)?;
        let (width, height) = photo_size(
            found.photo,
            Some((seg.width(), seg.height())),
            &format!("its class map {}", file_name(&seg_path)),
        )?;
        let image = ImageInfo {
            path: found.photo.to_path_buf(),
            width,
            height,
        };
        let mut maps = vec![seg];
        for level in 1..=found.part_levels {
            let path = class_map_path(found.photo, level);
            let map = read_class_map(&path, self.max_pixels)?;
            check_size(&path, "class map", (map.width(), map.height()), &image)?;
            maps.push(map);
        }
        Ok((image, maps))
    }
}

catalog_dataset!(Ade20k2017Dataset);

impl ItemSource for Ade20k2017Dataset {
    catalog_item_source!();

    fn load(&self, index: usize) -> Result<Item, Error> {
        let found = self.catalog.item(index)?;
        let bytes = self.catalog.read_annotation(&found)?;
        let lines = parse_atr(&decode_text(&bytes))
            .map_err(|problem| Error::new(found.annotation, problem))?;
        let (image, maps) = self.read_class_maps(&found)?;
        let (objects, regions) = derive_objects(&lines, &maps, &found)?;
        Ok(Item {
            id: found.id.to_string(),
            subset: found.subset.to_string(),
            image,
            folder: String::new(),
            scene: Vec::new(),
            source: Default::default(),
            objects,
            part_levels: found.part_levels,
            masks: Arc::new(RegionMasks { maps, regions }),
        })
    }

    fn label_order(&self) -> Option<&[String]> {
        self.catalog.label_order.as_deref()
    }
}

/// Where an object's pixels are: those of B value `code` in the class map of `level`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
struct Region {
    level: u32,
    code: u8,
}

/// The objects of the `_atr.txt` lines `lines`, and the region of each
/// (indexed by ADE id), derived from the class maps `maps`.
fn derive_objects(
    lines: &[AtrLine],
    maps: &[ClassMap],
    found: &FoundItem,
) -> Result<(Vec<Object>, Vec<Region>), Error> {
    let atr = found.annotation;
    let levels: Vec<LevelRegions> = maps.iter().map(LevelRegions::of).collect();
    let mut objects: Vec<Object> = Vec::with_capacity(lines.len());
    let mut regions = Vec::with_capacity(lines.len());
    let mut ade_id_of = HashMap::with_capacity(lines.len());
    for line in lines {
        let level = line.part_level;
        let map_name = || file_name(&class_map_path(found.photo, level));
        let invalid =
            |message: String| Error::invalid(atr, format!("line {}: {message}", line.line));
        let Some(level_regions) = levels.get(level as usize) else {
            return Err(invalid(format!(
                "part level {level}, but there is no {} beside the photo",
                map_name()
            )));
        };
        let instance = line.instance;
        let position = (instance as usize).checked_sub(1);
        let Some(&code) = position.and_then(|n| level_regions.codes.get(n)) else {
            return Err(invalid(format!(
                "instance {instance} of part level {level}, but {} has {} instance region(s) \
                 (distinct non-zero B values)",
                map_name(),
                level_regions.codes.len()
            )));
        };
        let class = level_regions.classes[usize::from(code)];
        if class == ClassIndex::UNLABELED {
            return Err(invalid(format!(
                "the region of instance {instance} in {} has class 0 (unlabeled) everywhere",
                map_name()
            )));
        }
        let ade_id = u32::try_from(objects.len())
            .map_err(|_| invalid("more objects than ADE ids".to_string()))?;
        let region = Region { level, code };
        if let Some(first) = ade_id_of.insert(region, ade_id) {
            return Err(invalid(format!(
                "instance {instance} of part level {level} is annotated twice (line {} too)",
                lines[first as usize].line
            )));
        }
        objects.push(Object {
            ade_id: ObjectId(ade_id),
            class,
            name: line.name.clone(),
            raw_name: line.raw_name.clone(),
            hypernym: Vec::new(),
            part_level: level,
            parent: None,
            children: Vec::new(),
            occluded: line.occluded,
            crop: false,
            depth_rank: None,
            attributes: line.attributes.clone(),
            polygon: Vec::new(),
            instance_mask: String::new(),
            saved_date: String::new(),
        });
        regions.push(region);
    }
    // parent_codes[L - 1][B]: the level L - 1 code under the part of level L with code B.
    let parent_codes: Vec<[u8; 256]> = maps
        .windows(2)
        .map(|pair| parent_codes(&pair[1], &pair[0]))
        .collect();
    for (position, region) in regions.iter().enumerate() {
        let Some(up) = region.level.checked_sub(1) else {
            continue;
        };
        let parent_region = Region {
            level: up,
            code: parent_codes[up as usize][usize::from(region.code)],
        };
        if let Some(&parent) = ade_id_of.get(&parent_region) {
            let child = objects[position].ade_id;
            objects[position].parent = Some(ObjectId(parent));
            objects[parent as usize].children.push(child);
        }
    }
    Ok((objects, regions))
}

/// The instance regions of one class map.
struct LevelRegions {
    /// The distinct non-zero B values, ascending: instance `n` is `codes[n - 1]`.
    codes: Vec<u8>,
    /// By B value: the most frequent non-zero class of its region (the smaller
    /// on a tie); 0 when the region has none.
    classes: [ClassIndex; 256],
}

impl LevelRegions {
    fn of(map: &ClassMap) -> Self {
        // Pixels of one (B, class) pair come in runs along rows: count runs.
        let mut counts: HashMap<(u8, ClassIndex), u64> = HashMap::new();
        let mut run: Option<(u8, ClassIndex)> = None;
        let mut length = 0;
        for key in map
            .instances()
            .iter()
            .copied()
            .zip(map.classes().iter().copied())
        {
            if run == Some(key) {
                length += 1;
                continue;
            }
            if let Some(previous) = run.replace(key) {
                *counts.entry(previous).or_default() += length;
            }
            length = 1;
        }
        if let Some(last) = run {
            *counts.entry(last).or_default() += length;
        }
        let codes: BTreeSet<u8> = counts.keys().map(|&(code, _)| code).collect();
        let mut best = [(0, ClassIndex::UNLABELED); 256];
        for (&(code, class), &count) in &counts {
            let slot = &mut best[usize::from(code)];
            if class != ClassIndex::UNLABELED
                && (count > slot.0 || (count == slot.0 && class < slot.1))
            {
                *slot = (count, class);
            }
        }
        LevelRegions {
            codes: codes.into_iter().filter(|&code| code != 0).collect(),
            classes: best.map(|(_, class)| class),
        }
    }
}

/// For each B value of `part`, the B value of `whole` its region overlaps
/// most (the smaller on a tie); 0 when it overlaps none.
fn parent_codes(part: &ClassMap, whole: &ClassMap) -> [u8; 256] {
    let mut overlap = vec![0u64; 256 * 256];
    for (&part_code, &whole_code) in part.instances().iter().zip(whole.instances()) {
        if part_code != 0 && whole_code != 0 {
            overlap[usize::from(part_code) * 256 + usize::from(whole_code)] += 1;
        }
    }
    let mut parents = [0; 256];
    for (parent, counts) in parents.iter_mut().zip(overlap.chunks_exact(256)) {
        let mut most = 0;
        for (code, &count) in (0..=u8::MAX).zip(counts) {
            if count > most {
                (most, *parent) = (count, code);
            }
        }
    }
    parents
}

/// The file name of `path`, for messages.
fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// The masks of one loaded ADE20K 2017 item, cut from its class maps.
struct RegionMasks {
    /// Class map of each part level, level 0 first.
    maps: Vec<ClassMap>,
    /// The region of each object, indexed by ADE id.
    regions: Vec<Region>,
}

impl fmt::Debug for RegionMasks {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RegionMasks")
            .field("levels", &self.maps.len())
            .field("regions", &self.regions)
            .finish_non_exhaustive()
    }
}

impl MaskSource for RegionMasks {
    /// 255 where the level's class map has the object's B value, 0 elsewhere.
    fn instance_mask(&self, item: &Item, object: &Object) -> Result<InstanceMask, Error> {
        let Some((&Region { level, code }, map)) = self
            .regions
            .get(object.ade_id.0 as usize)
            .and_then(|region| Some((region, self.maps.get(region.level as usize)?)))
        else {
            return Err(Error::invalid(
                &item.image.path,
                format!(
                    "object {} is not an object of this item's annotation",
                    object.ade_id
                ),
            ));
        };
        let pixels = map
            .instances()
            .iter()
            .map(|&b| {
                if b == code {
                    InstanceMask::VISIBLE
                } else {
                    InstanceMask::ABSENT
                }
            })
            .collect();
        InstanceMask::from_pixels(map.width(), map.height(), pixels)
            .map_err(|problem| Error::new(class_map_path(&item.image.path, level), problem))
    }

    /// Every class map was decoded when the item was loaded, and the masks
    /// are cut from them: no file is left to check.
    fn check_files(&self, _item: &Item) -> Result<(), Error> {
        Ok(())
    }

    fn class_map(&self, item: &Item, level: u32) -> Result<ClassMap, Error> {
        self.maps.get(level as usize).cloned().ok_or_else(|| {
            missing_level(
                &class_map_path(&item.image.path, level),
                level,
                item.part_levels,
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A 1-row class map of `(class, B)` pixels.
    fn row(pixels: &[(u32, u8)]) -> ClassMap {
        let (classes, codes) = pixels
            .iter()
            .map(|&(class, code)| (ClassIndex(class), code))
            .unzip();
        ClassMap::from_pixels(pixels.len() as u32, 1, classes, codes).unwrap()
    }

    #[test]
    fn a_region_takes_its_most_frequent_labelled_class() {
        let map = row(&[
            (7, 200),
            (5, 3),
            (0, 3),
            (0, 3),
            (5, 3),
            (9, 3),
            (8, 200),
            (0, 0),
            (0, 50),
        ]);
        let regions = LevelRegions::of(&map);
        assert_eq!(regions.codes, [3, 50, 200]);
        // Unlabelled pixels never win; a tie goes to the smaller class.
        assert_eq!(regions.classes[3], ClassIndex(5));
        assert_eq!(regions.classes[200], ClassIndex(7));
        assert_eq!(regions.classes[50], ClassIndex::UNLABELED);
        assert_eq!(regions.classes[0], ClassIndex::UNLABELED);
    }

    #[test]
    fn a_part_belongs_to_the_region_it_overlaps_most() {
        let whole = row(&[(1, 4), (1, 4), (2, 9), (2, 9), (2, 9), (3, 2), (0, 0)]);
        let part = row(&[(5, 1), (5, 1), (5, 1), (6, 7), (0, 0), (6, 8), (6, 6)]);
        let parents = parent_codes(&part, &whole);
        assert_eq!(parents[1], 4);
        // 7 lies on 9 only; 8 on 2 only; 6 on unlabelled pixels has no parent.
        assert_eq!((parents[7], parents[8], parents[6]), (9, 2, 0));
        let tie = parent_codes(&row(&[(5, 1), (5, 1)]), &row(&[(1, 9), (1, 4)]));
        assert_eq!(tie[1], 4);
    }
}
