//! The item filter every format honours: [`ItemFilter`], applied to the
//! dataset through [`FilteredSource`] before any format sees it.

use std::collections::{BTreeMap, HashSet};
use std::sync::{Arc, OnceLock};

use ade20k_model::{
    ClassIndex, ClassMap, CroppedMask, Error, InstanceMask, Item, ItemSource, MaskKind, MaskSource,
    Object, ObjectId, SourceFile,
};
use globset::{GlobBuilder, GlobSet, GlobSetBuilder};

use crate::labels::selection::LabelPlan;
use crate::source::hierarchy::{clear_where_seen, kept_with_ancestors};
use crate::source::PickedItems;
use crate::{ExportError, LabelList, LeftOut};

/// Which items and objects of a dataset an export reads; the default keeps
/// everything. Applied before any format sees the dataset, so every format
/// honours it the same way.
///
/// **Items** are kept when their id matches one of the glob patterns
/// ([`IdPatterns`]), then the first [`ItemFilter::limit`] of them (in dataset
/// order: by subset, then id). Subsets left without items are left out.
///
/// **Objects** (and parts) are kept when their class passes the class filters
/// ([`ItemFilter::include`], [`ItemFilter::exclude`]) and they have at least
/// [`ItemFilter::min_area`] visible pixels (255 in the instance mask, whatever
/// the export's mask kind); the parts of a removed object go with it. A kept
/// object keeps its id, class index and names; the filtered item has no trace
/// of the removed ones: they leave the object list and the `hasparts` lists,
/// and the class maps hold 0 (class and instance code) where they are seen.
/// Formats therefore treat them as never annotated (`ade20k2020` writes the
/// kept objects under their own ids, as every format does), and the export's
/// summary counts them per reason.
///
/// The class filters use the label file syntax and matching rules of
/// [`LabelList`] but only select classes: objects keep their ADE class index
/// and names, so a list line that merges or renames (`a = b`) is refused. To
/// renumber or rename classes, combine them with a [`LabelSelection`](crate::LabelSelection).
///
/// Counting visible pixels reads every instance mask once more (the format
/// reads the masks of the objects it keeps again).
///
/// Fields may be added (the struct is `non_exhaustive`): start from
/// `ItemFilter::default()` and set the fields you need.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct ItemFilter {
    /// Keep only the items whose id matches one of these patterns.
    pub items: Option<IdPatterns>,
    /// Keep only the first N items (after `items`), in dataset order.
    pub limit: Option<usize>,
    /// Leave out objects and parts with fewer visible pixels; 0 keeps them all.
    pub min_area: u64,
    /// Keep only objects of these classes.
    pub include: Option<LabelList>,
    /// Leave out objects of these classes.
    pub exclude: Option<LabelList>,
}

impl ItemFilter {
    /// Whether the filter keeps every item and object.
    pub fn keeps_everything(&self) -> bool {
        *self == ItemFilter::default()
    }

    /// Whether the filter may leave out items (not only objects).
    pub(crate) fn selects_items(&self) -> bool {
        self.items.is_some() || self.limit.is_some()
    }

    /// Whether the filter may leave out objects.
    fn selects_objects(&self) -> bool {
        self.min_area > 0 || self.include.is_some() || self.exclude.is_some()
    }
}

/// Glob patterns matched against item ids (`urban/street/ADE_train_00000001`).
///
/// `*` and `?` match within one `/`-separated segment, `**` across segments,
/// `[ab]` one of the characters, `{a,b}` either pattern; `\` escapes. An id
/// matches when any of the patterns matches all of it.
///
/// ```
/// use ade20k_export::IdPatterns;
///
/// let patterns = IdPatterns::new(["urban/**", "*_val_*"]).unwrap();
/// assert!(patterns.is_match("urban/street/ADE_train_00000001"));
/// assert!(patterns.is_match("ADE_val_00000001"));
/// assert!(!patterns.is_match("home/kitchen/ADE_train_00000002"));
/// assert!(!IdPatterns::new(["*"]).unwrap().is_match("urban/street/ADE_train_00000001"));
/// ```
#[derive(Clone, Debug)]
pub struct IdPatterns {
    patterns: Vec<String>,
    set: GlobSet,
}

impl IdPatterns {
    /// Compiles `patterns`; an invalid or empty pattern is an error naming it.
    pub fn new<I, S>(patterns: I) -> Result<Self, String>
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let patterns: Vec<String> = patterns.into_iter().map(Into::into).collect();
        let mut builder = GlobSetBuilder::new();
        for pattern in &patterns {
            if pattern.is_empty() {
                return Err("an item pattern is empty".into());
            }
            let glob = GlobBuilder::new(pattern)
                .literal_separator(true)
                .backslash_escape(true)
                .build()
                .map_err(|e| format!("item pattern `{pattern}`: {}", e.kind()))?;
            builder.add(glob);
        }
        let set = builder
            .build()
            .map_err(|e| format!("item patterns: {}", e.kind()))?;
        Ok(IdPatterns { patterns, set })
    }

    /// Whether `id` matches one of the patterns.
    pub fn is_match(&self, id: &str) -> bool {
        self.set.is_match(id)
    }

    /// The patterns, as given.
    pub fn patterns(&self) -> &[String] {
        &self.patterns
    }
}

/// Patterns are equal when they were given the same.
impl PartialEq for IdPatterns {
    fn eq(&self, other: &Self) -> bool {
        self.patterns == other.patterns
    }
}

impl Eq for IdPatterns {}

/// A dataset seen through an [`ItemFilter`]: an [`ItemSource`] with the kept
/// items, each loaded with its kept objects only.
///
/// Which objects an item keeps is decided the first time it is loaded and
/// remembered (one flag per object), so loading it again costs no mask
/// decoding and [`FilteredSource::left_out`] counts each object once.
pub struct FilteredSource<'a> {
    /// The kept items, as the source has them.
    items: PickedItems<'a>,
    include: Option<LabelPlan>,
    exclude: Option<LabelPlan>,
    min_area: u64,
    min_area_reason: String,
    /// Whether objects are filtered at all.
    selects_objects: bool,
    /// Per kept item, once loaded: which objects are kept and why the others are not.
    decisions: Vec<OnceLock<Decision>>,
}

/// The fate of the objects of one item.
struct Decision {
    /// Whether each object of the source item is kept.
    kept: Vec<bool>,
    /// Why each removed object is removed.
    reasons: Vec<LeftOut>,
    /// Objects removed for having too few pixels.
    too_small: u64,
}

impl<'a> FilteredSource<'a> {
    /// The items of `inner` that `filter` keeps. Fails when it keeps none,
    /// or when a class list merges or renames classes.
    pub fn new(inner: &'a dyn ItemSource, filter: &ItemFilter) -> Result<Self, ExportError> {
        let plan = |list: &Option<LabelList>, option: &str| -> Result<_, ExportError> {
            let Some(list) = list else { return Ok(None) };
            if let Some((label, change)) = list.first_change() {
                return Err(ExportError::Usage(format!(
                    "the {option} label `{}` {change}; a class filter only selects classes \
                     (one class per line, without `=`): objects keep their own class",
                    label.name
                )));
            }
            Ok(Some(LabelPlan::listed(list.clone())))
        };
        let include = plan(&filter.include, "included")?;
        let exclude = plan(&filter.exclude, "excluded")?;
        let mut indices = Vec::new();
        for index in 0..inner.len() {
            if filter.limit.is_some_and(|limit| indices.len() >= limit) {
                break;
            }
            if let Some(patterns) = &filter.items {
                if !patterns.is_match(&inner.id_of(index)?) {
                    continue;
                }
            }
            indices.push(index);
        }
        if indices.is_empty() {
            let what = match &filter.items {
                Some(patterns) => format!("matches {}", patterns.patterns().join(", ")),
                None => "is kept: the limit is 0".to_string(),
            };
            return Err(ExportError::Usage(format!("no item of the dataset {what}")));
        }
        Ok(FilteredSource {
            decisions: indices.iter().map(|_| OnceLock::new()).collect(),
            items: PickedItems::new(inner, indices),
            include,
            exclude,
            min_area: filter.min_area,
            selects_objects: filter.selects_objects(),
            min_area_reason: LeftOut::TooSmall(filter.min_area).to_string(),
        })
    }

    /// Objects left out so far, per reason, in the [`Summary::left_out`](crate::Summary::left_out) style.
    pub fn left_out(&self) -> BTreeMap<String, u64> {
        let mut counts = BTreeMap::new();
        for decision in self.decisions.iter().filter_map(OnceLock::get) {
            for reason in &decision.reasons {
                *counts.entry(reason.to_string()).or_default() += 1;
            }
            if decision.too_small > 0 {
                *counts.entry(self.min_area_reason.clone()).or_default() += decision.too_small;
            }
        }
        counts
    }

    /// Decides which objects of `item` are kept.
    fn decide(&self, item: &Item) -> Result<Decision, Error> {
        let class_verdicts: Vec<Option<LeftOut>> = item
            .objects
            .iter()
            .map(|object| {
                if self
                    .include
                    .as_ref()
                    .is_some_and(|plan| plan.label_of(object).is_none())
                {
                    Some(LeftOut::NotIncluded)
                } else if self
                    .exclude
                    .as_ref()
                    .is_some_and(|plan| plan.label_of(object).is_some())
                {
                    Some(LeftOut::Excluded)
                } else {
                    None
                }
            })
            .collect();
        let class_ok: Vec<bool> = class_verdicts.iter().map(Option::is_none).collect();
        let mut own_ok = class_ok.clone();
        let mut too_small = vec![false; own_ok.len()];
        if self.min_area > 0 {
            let alive = kept_with_ancestors(item, &class_ok)?;
            for (index, alive) in alive.into_iter().enumerate() {
                if alive && item.cropped_mask(index, MaskKind::Visible)?.area() < self.min_area {
                    too_small[index] = true;
                    own_ok[index] = false;
                }
            }
        }
        let kept = kept_with_ancestors(item, &own_ok)?;
        let mut reasons = Vec::new();
        for (index, &kept) in kept.iter().enumerate() {
            if let Some(reason) = class_verdicts[index] {
                reasons.push(reason);
            } else if !kept && !too_small[index] {
                reasons.push(LeftOut::OrphanPart);
            }
        }
        Ok(Decision {
            too_small: too_small.iter().filter(|&&small| small).count() as u64,
            kept,
            reasons,
        })
    }
}

impl ItemSource for FilteredSource<'_> {
    fn subsets(&self) -> &[String] {
        self.items.subsets()
    }

    fn len(&self) -> usize {
        self.items.len()
    }

    /// # Panics
    ///
    /// When `index` is not below [`ItemSource::len`].
    fn subset_of(&self, index: usize) -> &str {
        self.items.subset_of(index)
    }

    /// # Panics
    ///
    /// When `index` is not below [`ItemSource::len`].
    fn load(&self, index: usize) -> Result<Item, Error> {
        let mut item = self.items.load(index)?;
        if !self.selects_objects {
            return Ok(item);
        }
        let slot = &self.decisions[index];
        let decision = match slot.get() {
            Some(decision) => decision,
            None => {
                let decision = self.decide(&item)?;
                slot.get_or_init(|| decision)
            }
        };
        if decision.kept.iter().all(|&kept| kept) {
            return Ok(item);
        }
        let mut removed = Vec::new();
        let mut objects = Vec::new();
        for (object, &kept) in std::mem::take(&mut item.objects)
            .into_iter()
            .zip(&decision.kept)
        {
            if kept {
                objects.push(object);
            } else {
                removed.push(object);
            }
        }
        let removed_ids: HashSet<ObjectId> = removed.iter().map(|object| object.ade_id).collect();
        for object in &mut objects {
            object.children.retain(|child| !removed_ids.contains(child));
        }
        item.objects = objects;
        item.masks = Arc::new(WithoutRemoved {
            inner: Arc::clone(&item.masks),
            removed,
        });
        Ok(item)
    }

    /// # Panics
    ///
    /// When `index` is not below [`ItemSource::len`].
    fn id_of(&self, index: usize) -> Result<String, Error> {
        self.items.id_of(index)
    }

    fn label_order(&self) -> Option<&[String]> {
        self.items.label_order()
    }
}

/// The masks of an item that lost objects: its instance masks as they are,
/// its class maps with 0 where a removed object is seen, and its annotation
/// file as the source has it (listing the removed objects too).
#[derive(Debug)]
struct WithoutRemoved {
    inner: Arc<dyn MaskSource>,
    /// The objects removed from the item.
    removed: Vec<Object>,
}

impl MaskSource for WithoutRemoved {
    fn instance_mask(&self, item: &Item, object: &Object) -> Result<InstanceMask, Error> {
        self.inner.instance_mask(item, object)
    }

    fn instance_mask_and_file(
        &self,
        item: &Item,
        object: &Object,
    ) -> Result<(InstanceMask, Option<Vec<u8>>), Error> {
        self.inner.instance_mask_and_file(item, object)
    }

    fn cropped_mask(
        &self,
        item: &Item,
        object: &Object,
        kind: MaskKind,
    ) -> Result<CroppedMask, Error> {
        self.inner.cropped_mask(item, object, kind)
    }

    fn class_map(&self, item: &Item, level: u32) -> Result<ClassMap, Error> {
        self.class_map_and_file(item, level).map(|(map, _)| map)
    }

    /// The files of the kept objects and of every class map.
    fn check_files(&self, item: &Item) -> Result<(), Error> {
        self.inner.check_files(item)
    }

    fn class_map_and_file(
        &self,
        item: &Item,
        level: u32,
    ) -> Result<(ClassMap, Option<Vec<u8>>), Error> {
        let (map, png) = self.inner.class_map_and_file(item, level)?;
        if !self.removed.iter().any(|o| o.part_level == level) {
            return Ok((map, png));
        }
        let mut kept = vec![true; map.classes().len()];
        clear_where_seen(item, &map, level, &self.removed, &mut kept)?;
        let mut classes = map.classes().to_vec();
        let mut instances = map.instances().to_vec();
        for ((class, instance), _) in classes
            .iter_mut()
            .zip(&mut instances)
            .zip(kept)
            .filter(|(_, keep)| !keep)
        {
            *class = ClassIndex::UNLABELED;
            *instance = 0;
        }
        let map = ClassMap::from_pixels(map.width(), map.height(), classes, instances)
            .map_err(|problem| Error::new(&item.image.path, problem))?;
        // The map now differs from the file: no bytes to copy.
        Ok((map, None))
    }

    fn annotation_file(&self, item: &Item) -> Result<Option<SourceFile>, Error> {
        self.inner.annotation_file(item)
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use ade20k_model::{ImageInfo, InMemoryMasks, SourceInfo};

    use super::*;

    /// Items in memory.
    pub(crate) struct Items(Vec<Item>, Vec<String>);

    impl ItemSource for Items {
        fn subsets(&self) -> &[String] {
            &self.1
        }

        fn len(&self) -> usize {
            self.0.len()
        }

        fn subset_of(&self, index: usize) -> &str {
            &self.0[index].subset
        }

        fn load(&self, index: usize) -> Result<Item, Error> {
            Ok(self.0[index].clone())
        }
    }

    fn object(ade_id: u32, class: u32, parent: Option<u32>, children: Vec<u32>) -> Object {
        Object {
            part_level: u32::from(parent.is_some()),
            parent: parent.map(ObjectId),
            children: children.into_iter().map(ObjectId).collect(),
            ..Object::new(ObjectId(ade_id), ClassIndex(class), format!("class{class}"))
        }
    }

    /// A 4×1 item: object 0 (class 10) on pixels 0–2 with part 2 (class 30)
    /// on pixel 0, object 1 (class 20) on pixel 3.
    fn item(subset: &str, id: &str) -> Item {
        let mut masks = InMemoryMasks::default();
        let mask = |pixels: Vec<u8>| InstanceMask::from_pixels(4, 1, pixels).unwrap();
        masks
            .instance_masks
            .insert(ObjectId(0), mask(vec![255, 255, 255, 0]));
        masks
            .instance_masks
            .insert(ObjectId(1), mask(vec![0, 0, 128, 255]));
        masks
            .instance_masks
            .insert(ObjectId(2), mask(vec![255, 0, 0, 0]));
        let map = |classes: [u32; 4], instances| {
            ClassMap::from_pixels(4, 1, classes.map(ClassIndex).into(), instances).unwrap()
        };
        masks
            .class_maps
            .insert(0, map([10, 10, 10, 20], vec![5, 5, 5, 9]));
        masks
            .class_maps
            .insert(1, map([30, 0, 0, 0], vec![1, 0, 0, 0]));
        Item {
            id: id.into(),
            subset: subset.into(),
            image: ImageInfo {
                path: format!("{subset}/{id}.jpg").into(),
                width: 4,
                height: 1,
            },
            folder: String::new(),
            scene: vec![],
            source: SourceInfo::default(),
            objects: vec![
                object(0, 10, None, vec![2]),
                object(1, 20, None, vec![]),
                object(2, 30, Some(0), vec![]),
            ],
            part_levels: 1,
            masks: Arc::new(masks),
        }
    }

    /// Two items of [`item`], one in `training`, one in `validation`.
    pub(crate) fn dataset() -> Items {
        Items(
            vec![item("training", "a/x"), item("validation", "b/y")],
            vec!["training".into(), "validation".into()],
        )
    }

    fn ids(item: &Item) -> Vec<u32> {
        item.objects.iter().map(|object| object.ade_id.0).collect()
    }

    #[test]
    fn small_objects_go_and_their_pixels_are_cleared() {
        let source = dataset();
        let filter = ItemFilter {
            min_area: 2,
            ..ItemFilter::default()
        };
        let filtered = FilteredSource::new(&source, &filter).unwrap();
        let item = filtered.load(0).unwrap();
        assert_eq!(ids(&item), [0]);
        assert!(item.objects[0].children.is_empty(), "the part is gone");
        let map = item.class_map(0).unwrap();
        assert_eq!(map.classes(), [10, 10, 10, 0].map(ClassIndex));
        assert_eq!(map.instances(), [5, 5, 5, 0]);
        assert_eq!(
            item.class_map(1).unwrap().classes(),
            [0, 0, 0, 0].map(ClassIndex)
        );
        assert_eq!(item.instance_mask(0).unwrap().pixels(), [255, 255, 255, 0]);
        filtered.load(0).unwrap();
        let left_out = filtered.left_out();
        assert_eq!(
            left_out,
            BTreeMap::from([("objects with fewer than 2 visible pixels".to_string(), 2)]),
            "each object counted once, however often its item is loaded"
        );
    }

    #[test]
    fn class_filters_keep_ids_and_remove_parts_of_removed_objects() {
        let source = dataset();
        let exclude = ItemFilter {
            exclude: Some(LabelList::parse("10\n").unwrap()),
            ..ItemFilter::default()
        };
        let filtered = FilteredSource::new(&source, &exclude).unwrap();
        let item = filtered.load(1).unwrap();
        assert_eq!(ids(&item), [1]);
        assert_eq!(
            item.class_map(0).unwrap().classes(),
            [0, 0, 0, 20].map(ClassIndex)
        );
        assert_eq!(
            filtered.left_out(),
            BTreeMap::from([
                (LeftOut::Excluded.to_string(), 1),
                (LeftOut::OrphanPart.to_string(), 1)
            ])
        );

        let include = ItemFilter {
            include: Some(LabelList::parse("class20\n").unwrap()),
            ..ItemFilter::default()
        };
        let filtered = FilteredSource::new(&source, &include).unwrap();
        assert_eq!(ids(&filtered.load(0).unwrap()), [1]);
        assert_eq!(
            filtered.left_out(),
            BTreeMap::from([(LeftOut::NotIncluded.to_string(), 2)])
        );
    }

    #[test]
    fn class_filters_refuse_merges_and_renames() {
        let source = dataset();
        let filter = ItemFilter {
            include: Some(LabelList::parse("vehicle = 10\n").unwrap()),
            ..ItemFilter::default()
        };
        let error = FilteredSource::new(&source, &filter).err().unwrap();
        assert!(
            error.to_string().contains("`vehicle` renames a class"),
            "{error}"
        );
    }

    #[test]
    fn items_are_chosen_by_id_pattern_then_limit() {
        let source = dataset();
        let by_id = ItemFilter {
            items: Some(IdPatterns::new(["b/*"]).unwrap()),
            ..ItemFilter::default()
        };
        let filtered = FilteredSource::new(&source, &by_id).unwrap();
        assert_eq!(filtered.len(), 1);
        assert_eq!(filtered.subsets(), ["validation"]);
        assert_eq!(filtered.id_of(0).unwrap(), "b/y");
        assert_eq!(filtered.subset_of(0), "validation");

        let first = ItemFilter {
            limit: Some(1),
            ..ItemFilter::default()
        };
        let filtered = FilteredSource::new(&source, &first).unwrap();
        assert_eq!(filtered.subsets(), ["training"]);
        assert_eq!(ids(&filtered.load(0).unwrap()), [0, 1, 2]);

        let none = ItemFilter {
            items: Some(IdPatterns::new(["c/*", "x"]).unwrap()),
            ..ItemFilter::default()
        };
        let error = FilteredSource::new(&source, &none).err().unwrap();
        assert_eq!(error.to_string(), "no item of the dataset matches c/*, x");
    }

    #[test]
    fn bad_patterns_are_named() {
        let error = IdPatterns::new(["a/[b"]).unwrap_err();
        assert!(error.starts_with("item pattern `a/[b`:"), "{error}");
        assert!(IdPatterns::new([""]).is_err());
    }
}
