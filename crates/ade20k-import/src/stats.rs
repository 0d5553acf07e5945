//! What a dataset holds, counted: [`dataset_stats`].

use std::collections::{BTreeMap, HashMap};

use ade20k_model::{
    Categories, ClassIndex, Error, Item, ItemSource, ObjectId, Occlusion, PassCounter, Phase,
    PhaseHook,
};
use rayon::prelude::*;
use serde::Serialize;

/// What [`dataset_stats`] counts besides the annotations.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct StatsOptions {
    /// Count the pixels of every class in the level-0 class maps (`_seg.png`).
    pub pixels: bool,
}

/// The counts of a dataset. Ranked lists are sorted by count, largest first,
/// ties by class index or name; [`DatasetStats::keep_top`] shortens them.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct DatasetStats {
    /// One entry per subset, in dataset order.
    pub subsets: Vec<SubsetStats>,
    /// The sums over all subsets (named `total`).
    pub total: SubsetStats,
    /// The smallest and largest image sizes; `None` without items.
    pub image_size: Option<SizeRange>,
    /// Number of distinct classes (of objects and parts).
    pub class_count: usize,
    /// Classes by number of instances (objects + parts).
    pub classes: Vec<ClassStats>,
    /// Number of distinct scenes.
    pub scene_count: usize,
    /// Scenes by number of items.
    pub scenes: Vec<SceneStats>,
    /// Number of distinct (object class, part class) pairs.
    pub part_pair_count: usize,
    /// (object class → part class) pairs by number of parts.
    pub part_pairs: Vec<PartPairStats>,
}

/// Counts of one subset.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct SubsetStats {
    /// Subset name.
    pub name: String,
    /// Items (images).
    pub items: u64,
    /// Whole objects (part level 0).
    pub objects: u64,
    /// Parts per part level (1, 2, …); levels without parts are absent.
    pub parts: BTreeMap<u32, u64>,
    /// Objects and parts marked occluded (`"yes"`).
    pub occluded: u64,
    /// Objects and parts cut by the image border.
    pub cropped: u64,
}

/// The range of image sizes, in pixels.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct SizeRange {
    /// Smallest width.
    pub min_width: u32,
    /// Largest width.
    pub max_width: u32,
    /// Smallest height.
    pub min_height: u32,
    /// Largest height.
    pub max_height: u32,
}

/// Counts of one class.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ClassStats {
    /// ADE class index (`name_ndx`).
    pub index: ClassIndex,
    /// Short unique name: the first synonym, or the full WordNet name where
    /// two classes share it.
    pub name: String,
    /// Whole objects of the class.
    pub objects: u64,
    /// Parts of the class (any level).
    pub parts: u64,
    /// Pixels of the class in the level-0 class maps; `None` unless counted.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pixels: Option<u64>,
}

impl ClassStats {
    /// Objects and parts of the class.
    pub fn instances(&self) -> u64 {
        self.objects + self.parts
    }
}

/// Items of one scene.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SceneStats {
    /// The scene words joined by `/` (`outdoor/urban/street`); empty when none.
    pub scene: String,
    /// Items of the scene.
    pub items: u64,
}

/// Parts of one class in objects (or parts) of another.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PartPairStats {
    /// Class index of the parent (the object, or the part a part belongs to).
    pub object_class: ClassIndex,
    /// Name of the parent's class, as in [`ClassStats::name`].
    pub object: String,
    /// Class index of the part.
    pub part_class: ClassIndex,
    /// Name of the part's class.
    pub part: String,
    /// Parts of this class in parents of that class.
    pub count: u64,
}

impl DatasetStats {
    /// Keeps the first `n` entries of each ranked list (classes, scenes,
    /// object–part pairs); the `*_count` fields still give the full numbers.
    pub fn keep_top(&mut self, n: usize) {
        self.classes.truncate(n);
        self.scenes.truncate(n);
        self.part_pairs.truncate(n);
    }
}

/// Counts what `source` holds: items, objects and parts per subset, classes,
/// image sizes, scenes and object–part pairs.
///
/// Only the annotations are read, unless [`StatsOptions::pixels`] asks for
/// the pixels of each class, which decodes every level-0 class map. Items are
/// read in parallel and memory holds counts only, never an item past its use.
/// The report serializes (serde) to the JSON that `ade20k info --json` prints.
///
/// The first item that cannot be loaded (or, with pixels, whose class map
/// cannot be read) stops the count with its error.
pub fn dataset_stats(
    source: &dyn ItemSource,
    options: &StatsOptions,
) -> Result<DatasetStats, Error> {
    dataset_stats_with_progress(source, options, None)
}

/// [`dataset_stats`], telling `progress` of each item counted
/// ([`Phase::Counting`]).
pub fn dataset_stats_with_progress(
    source: &dyn ItemSource,
    options: &StatsOptions,
    progress: Option<&PhaseHook>,
) -> Result<DatasetStats, Error> {
    let counter = PassCounter::start(progress, Phase::Counting, source.len());
    let tally = (0..source.len())
        .into_par_iter()
        .try_fold(Tally::default, |mut tally, index| {
            let item = source.load(index)?;
            tally.add(&item, options)?;
            counter.item_done();
            Ok::<_, Error>(tally)
        })
        .try_reduce(Tally::default, |mut a, b| {
            a.merge(b);
            Ok(a)
        })?;
    Ok(tally.finish(source.subsets(), options))
}

/// Counts gathered on one thread, merged at the end.
#[derive(Default)]
struct Tally {
    subsets: HashMap<String, SubsetStats>,
    size: Option<SizeRange>,
    categories: Categories,
    /// Per class: (objects, parts).
    instances: HashMap<ClassIndex, (u64, u64)>,
    pixels: HashMap<ClassIndex, u64>,
    scenes: HashMap<String, u64>,
    pairs: HashMap<(ClassIndex, ClassIndex), u64>,
}

impl Tally {
    fn add(&mut self, item: &Item, options: &StatsOptions) -> Result<(), Error> {
        let subset = self
            .subsets
            .entry(item.subset.clone())
            .or_insert_with(|| SubsetStats {
                name: item.subset.clone(),
                ..SubsetStats::default()
            });
        subset.items += 1;
        let class_of: HashMap<ObjectId, ClassIndex> = item
            .objects
            .iter()
            .map(|object| (object.ade_id, object.class))
            .collect();
        for object in &item.objects {
            self.categories.observe(object);
            let counts = self.instances.entry(object.class).or_default();
            if object.is_part() {
                *subset.parts.entry(object.part_level).or_default() += 1;
                counts.1 += 1;
            } else {
                subset.objects += 1;
                counts.0 += 1;
            }
            subset.occluded += u64::from(object.occluded == Occlusion::Yes);
            subset.cropped += u64::from(object.crop);
            if let Some(parent_class) = object.parent.and_then(|parent| class_of.get(&parent)) {
                *self.pairs.entry((*parent_class, object.class)).or_default() += 1;
            }
        }
        let size = SizeRange::of(item.image.width, item.image.height);
        self.size = Some(self.size.map_or(size, |range| range.union(size)));
        *self.scenes.entry(item.scene.join("/")).or_default() += 1;
        if options.pixels {
            for &class in item.class_map(0)?.classes() {
                if class != ClassIndex::UNLABELED {
                    *self.pixels.entry(class).or_default() += 1;
                }
            }
        }
        Ok(())
    }

    fn merge(&mut self, other: Tally) {
        for (name, counts) in other.subsets {
            let subset = self.subsets.entry(name).or_insert_with(|| SubsetStats {
                name: counts.name.clone(),
                ..SubsetStats::default()
            });
            add_subset(subset, &counts);
        }
        self.size = match (self.size, other.size) {
            (Some(a), Some(b)) => Some(a.union(b)),
            (a, b) => a.or(b),
        };
        self.categories.merge(other.categories);
        for (class, (objects, parts)) in other.instances {
            let counts = self.instances.entry(class).or_default();
            counts.0 += objects;
            counts.1 += parts;
        }
        add_counts(&mut self.pixels, other.pixels);
        add_counts(&mut self.scenes, other.scenes);
        add_counts(&mut self.pairs, other.pairs);
    }

    fn finish(self, subset_names: &[String], options: &StatsOptions) -> DatasetStats {
        let mut total = SubsetStats {
            name: "total".into(),
            ..SubsetStats::default()
        };
        let subsets: Vec<SubsetStats> = subset_names
            .iter()
            .filter_map(|name| self.subsets.get(name).cloned())
            .inspect(|subset| add_subset(&mut total, subset))
            .collect();
        let names = self.categories.canonical_names();
        let name_of = |class: ClassIndex| {
            names
                .get(&class)
                .cloned()
                .unwrap_or_else(|| format!("class {class}"))
        };
        let mut classes: Vec<ClassStats> = self
            .instances
            .iter()
            .map(|(&index, &(objects, parts))| ClassStats {
                index,
                name: name_of(index),
                objects,
                parts,
                pixels: options
                    .pixels
                    .then(|| self.pixels.get(&index).copied().unwrap_or(0)),
            })
            .collect();
        // Classes seen in the class maps but of no object.
        if options.pixels {
            classes.extend(
                self.pixels
                    .iter()
                    .filter(|(index, _)| !self.instances.contains_key(index))
                    .map(|(&index, &pixels)| ClassStats {
                        index,
                        name: name_of(index),
                        objects: 0,
                        parts: 0,
                        pixels: Some(pixels),
                    }),
            );
        }
        classes.sort_by(|a, b| {
            (b.instances(), b.pixels)
                .cmp(&(a.instances(), a.pixels))
                .then(a.index.cmp(&b.index))
        });
        let mut scenes: Vec<SceneStats> = self
            .scenes
            .into_iter()
            .map(|(scene, items)| SceneStats { scene, items })
            .collect();
        scenes.sort_by(|a, b| b.items.cmp(&a.items).then_with(|| a.scene.cmp(&b.scene)));
        let mut part_pairs: Vec<PartPairStats> = self
            .pairs
            .into_iter()
            .map(|((object_class, part_class), count)| PartPairStats {
                object_class,
                object: name_of(object_class),
                part_class,
                part: name_of(part_class),
                count,
            })
            .collect();
        part_pairs.sort_by(|a, b| {
            b.count
                .cmp(&a.count)
                .then(a.object_class.cmp(&b.object_class))
                .then(a.part_class.cmp(&b.part_class))
        });
        DatasetStats {
            subsets,
            total,
            image_size: self.size,
            class_count: classes.len(),
            classes,
            scene_count: scenes.len(),
            scenes,
            part_pair_count: part_pairs.len(),
            part_pairs,
        }
    }
}

impl SizeRange {
    /// The range of one image size.
    fn of(width: u32, height: u32) -> Self {
        SizeRange {
            min_width: width,
            max_width: width,
            min_height: height,
            max_height: height,
        }
    }

    /// The range covering both.
    fn union(self, other: SizeRange) -> SizeRange {
        SizeRange {
            min_width: self.min_width.min(other.min_width),
            max_width: self.max_width.max(other.max_width),
            min_height: self.min_height.min(other.min_height),
            max_height: self.max_height.max(other.max_height),
        }
    }
}

/// Adds the counts of `other` to `subset`.
fn add_subset(subset: &mut SubsetStats, other: &SubsetStats) {
    subset.items += other.items;
    subset.objects += other.objects;
    for (&level, &parts) in &other.parts {
        *subset.parts.entry(level).or_default() += parts;
    }
    subset.occluded += other.occluded;
    subset.cropped += other.cropped;
}

fn add_counts<K: std::hash::Hash + Eq>(counts: &mut HashMap<K, u64>, more: HashMap<K, u64>) {
    for (key, count) in more {
        *counts.entry(key).or_default() += count;
    }
}
