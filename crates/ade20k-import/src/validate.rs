//! Whether a dataset agrees with itself: [`validate`].

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::path::{Path, PathBuf};

use ade20k_model::{
    ClassIndex, ClassMap, Error, InstanceMask, Item, ItemSource, Object, ObjectId, PassCounter,
    Phase, PhaseHook,
};
use rayon::prelude::*;
use serde::Serialize;

use crate::format::InputFormat;
use crate::masks::class_map_path;

/// What a finding means for conversions (see [`FindingKind::severity`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Severity {
    /// It breaks a conversion: `convert` stops at the item (or skips it
    /// with `--skip-broken`).
    Error,
    /// An inconsistency of the source that conversions tolerate; the
    /// finding's message says which source they follow.
    Warning,
}

impl Severity {
    /// The severity's name, as in JSON: `warning`.
    pub fn name(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// What kind of inconsistency a finding is (see [`validate`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum FindingKind {
    /// The item cannot be loaded.
    Item,
    /// An instance mask is missing, unreadable or of another size.
    InstanceMask,
    /// A class map is missing, unreadable or of another size.
    ClassMap,
    /// A B-channel region of `_seg.png` is not one level-0 object's visible region.
    InstanceRegion,
    /// Visible pixels of an object carry another class in its level's class map.
    ClassValue,
    /// Parent and part links disagree.
    Hierarchy,
    /// Polygon points lie outside the image.
    Polygon,
}

impl FindingKind {
    /// The kind's name, as in JSON: `instance-region`.
    pub fn name(self) -> &'static str {
        match self {
            FindingKind::Item => "item",
            FindingKind::InstanceMask => "instance-mask",
            FindingKind::ClassMap => "class-map",
            FindingKind::InstanceRegion => "instance-region",
            FindingKind::ClassValue => "class-value",
            FindingKind::Hierarchy => "hierarchy",
            FindingKind::Polygon => "polygon",
        }
    }

    /// What findings of this kind do to conversions, as the exporters
    /// treat them:
    ///
    /// - errors: `item`, `instance-mask` and `class-map`: every format loads
    ///   the item and checks every mask file before it converts it (a part
    ///   whose parent is not in the item, or a cycle of parents, already fails
    ///   the load);
    /// - warnings: `instance-region`, `class-value`, `hierarchy` and
    ///   `polygon`, each followed by [`FindingKind::tolerated_as`] in its
    ///   message.
    pub fn severity(self) -> Severity {
        match self {
            FindingKind::Item | FindingKind::InstanceMask | FindingKind::ClassMap => {
                Severity::Error
            }
            FindingKind::InstanceRegion
            | FindingKind::ClassValue
            | FindingKind::Hierarchy
            | FindingKind::Polygon => Severity::Warning,
        }
    }

    /// For a warning, which source the conversions follow and what each
    /// format does with the disagreement; `None` for an error.
    pub fn tolerated_as(self) -> Option<&'static str> {
        match self {
            FindingKind::Item | FindingKind::InstanceMask | FindingKind::ClassMap => None,
            FindingKind::InstanceRegion => Some(
                "conversions take each instance from its instance mask and each class map \
                 from the R and G channels of _seg.png; none reads the B channel \
                 (ade20k2020 copies _seg.png as it is)",
            ),
            FindingKind::ClassValue => Some(
                "instance formats give the object its name_ndx over its instance mask; \
                 semantic and --top-classes take each pixel's class from the class map",
            ),
            FindingKind::Hierarchy => Some(
                "conversions follow each object's own ispartof and part_level, not \
                 hasparts (ade20k2020 writes hasparts as the source has it, less the \
                 objects a cut removes)",
            ),
            FindingKind::Polygon => Some(
                "the mask-based outputs ignore the polygon; coco --segmentation \
                 source-polygon, datumaro and ade20k2020 write its points as they are, \
                 and pycocotools and Datumaro clip them to the image when they rasterise",
            ),
        }
    }
}

impl fmt::Display for FindingKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// One inconsistency of the dataset.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// What kind of inconsistency it is.
    pub kind: FindingKind,
    /// What it means for conversions: its kind's [`FindingKind::severity`].
    pub severity: Severity,
    /// The file it is in: the annotation, a mask or a class map.
    pub file: PathBuf,
    /// The object or part it is about (its `id`); `None` for the item or a region.
    pub object: Option<ObjectId>,
    /// What is wrong, with pixel counts where pixels disagree; for a warning,
    /// followed by what conversions do about it ([`FindingKind::tolerated_as`]).
    pub message: String,
}

impl Finding {
    /// A finding of `kind` about `file` (and `object`): `problem`, then for a
    /// warning what conversions do about it.
    pub fn new(
        kind: FindingKind,
        file: PathBuf,
        object: Option<ObjectId>,
        problem: String,
    ) -> Self {
        let message = match kind.tolerated_as() {
            Some(tolerated) => format!("{problem}; {tolerated}"),
            None => problem,
        };
        Finding {
            kind,
            severity: kind.severity(),
            file,
            object,
            message,
        }
    }
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: {}: {}",
            self.severity,
            self.kind,
            self.file.display()
        )?;
        if let Some(object) = self.object {
            write!(f, ": object {object}")?;
        }
        write!(f, ": {}", self.message)
    }
}

/// What [`validate`] found.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct ValidationReport {
    /// Items checked.
    pub items: usize,
    /// Every finding, by item in dataset order, then as checked.
    pub findings: Vec<Finding>,
}

impl ValidationReport {
    /// Whether nothing was found.
    pub fn is_clean(&self) -> bool {
        self.findings.is_empty()
    }

    /// Number of findings of `severity`.
    pub fn count_of(&self, severity: Severity) -> usize {
        self.findings
            .iter()
            .filter(|finding| finding.severity == severity)
            .count()
    }

    /// Whether a finding breaks a conversion (an [`Severity::Error`]), or,
    /// when `strict`, is any finding at all.
    pub fn fails(&self, strict: bool) -> bool {
        if strict {
            !self.is_clean()
        } else {
            self.count_of(Severity::Error) > 0
        }
    }

    /// Number of findings of each kind found at least once.
    pub fn counts(&self) -> BTreeMap<FindingKind, usize> {
        let mut counts = BTreeMap::new();
        for finding in &self.findings {
            *counts.entry(finding.kind).or_default() += 1;
        }
        counts
    }
}

/// Checks that the dataset `source` agrees with itself: its annotations, its
/// instance masks and its class maps.
///
/// Every item is checked on its own (in parallel); what is wrong becomes a
/// [`Finding`], never an abort, so one run lists every problem. Each finding
/// carries its kind's [`Severity`]: an error breaks a conversion, a warning is
/// tolerated, and its message says how. The checks, by [`FindingKind`]:
///
/// - `item`: the item loads (annotation readable and valid, photo present,
///   `imsize` equal to the photo's size);
/// - `instance-mask`: every object's and part's instance mask exists, decodes
///   and has the image's size;
/// - `class-map`: the class map of each part level that has objects
///   (`_seg.png`, `_parts_N.png`) exists, decodes and has the image's size;
/// - `instance-region`: in `_seg.png`, the pixels of each non-zero B value
///   are exactly the visible pixels (255) of one level-0 object, and the
///   visible pixels of each level-0 object are one B value's (a region is not
///   reported as no object's while a level-0 instance mask is unreadable);
/// - `class-value`: the visible pixels of each object or part of level N
///   have its class (`name_ndx`) in the class map of level N;
/// - `hierarchy`: parents and parts agree: a part has a parent, its parent
///   lists it in `hasparts`, every id in `hasparts` is a part whose
///   `ispartof` names the object, and a part's level is its parent's plus one;
/// - `polygon`: the annotator's polygon lies inside the image (0 ≤ x ≤ width,
///   0 ≤ y ≤ height).
pub fn validate(source: &dyn ItemSource) -> ValidationReport {
    validate_with_progress(source, None)
}

/// [`validate`], telling `progress` of each item checked
/// ([`Phase::Validating`]).
pub fn validate_with_progress(
    source: &dyn ItemSource,
    progress: Option<&PhaseHook>,
) -> ValidationReport {
    let counter = PassCounter::start(progress, Phase::Validating, source.len());
    let findings: Vec<Vec<Finding>> = (0..source.len())
        .into_par_iter()
        .map(|index| {
            let findings = match source.load(index) {
                Ok(item) => check_item(&item),
                Err(error) => vec![finding_of(FindingKind::Item, None, error)],
            };
            counter.item_done();
            findings
        })
        .collect();
    ValidationReport {
        items: source.len(),
        findings: findings.into_iter().flatten().collect(),
    }
}

/// A finding made of a loading error: its file and problem.
fn finding_of(kind: FindingKind, object: Option<ObjectId>, error: Error) -> Finding {
    Finding::new(kind, error.path, object, error.problem.to_string())
}

/// The findings of one loaded item.
fn check_item(item: &Item) -> Vec<Finding> {
    let annotation = annotation_file(&item.image.path);
    let mut findings = Vec::new();
    check_hierarchy(item, &annotation, &mut findings);
    check_polygons(item, &annotation, &mut findings);
    // The objects of each part level that has any, by level.
    let mut levels: BTreeMap<u32, Vec<usize>> = BTreeMap::new();
    for (index, object) in item.objects.iter().enumerate() {
        levels.entry(object.part_level).or_default().push(index);
    }
    for (level, here) in &levels {
        check_level(item, *level, here, &mut findings);
    }
    findings
}

/// The annotation file beside `photo` (`<stem>.json`, or `<stem>_atr.txt` of
/// the 2017 release); the photo itself when neither is there.
fn annotation_file(photo: &Path) -> PathBuf {
    let stem = photo
        .file_stem()
        .map(|stem| stem.to_string_lossy())
        .unwrap_or_default();
    let folder = photo.parent().unwrap_or(Path::new(""));
    InputFormat::ALL
        .iter()
        .map(|format| folder.join(format.annotation_file_name(&stem)))
        .find(|path| path.is_file())
        .unwrap_or_else(|| photo.to_path_buf())
}

fn check_hierarchy(item: &Item, annotation: &Path, findings: &mut Vec<Finding>) {
    let by_id: HashMap<ObjectId, &Object> = item.objects.iter().map(|o| (o.ade_id, o)).collect();
    let mut report = |kind: FindingKind, object: &Object, message: String| {
        findings.push(Finding::new(
            kind,
            annotation.to_path_buf(),
            Some(object.ade_id),
            message,
        ));
    };
    for object in &item.objects {
        match object.parent.map(|id| (id, by_id.get(&id))) {
            None if object.part_level > 0 => report(
                FindingKind::Hierarchy,
                object,
                format!(
                    "a part of level {} without a parent (ispartof)",
                    object.part_level
                ),
            ),
            None => {}
            Some((parent, None)) => report(
                FindingKind::Hierarchy,
                object,
                format!("its parent {parent} (ispartof) is not an object of the item"),
            ),
            Some((parent, Some(found))) => {
                if !found.children.contains(&object.ade_id) {
                    report(
                        FindingKind::Hierarchy,
                        object,
                        format!(
                            "a part of object {parent} (ispartof), which does not list it \
                             in hasparts"
                        ),
                    );
                }
                if object.part_level != found.part_level + 1 {
                    report(
                        FindingKind::Hierarchy,
                        object,
                        format!(
                            "part level {} under object {parent} of part level {}",
                            object.part_level, found.part_level
                        ),
                    );
                }
            }
        }
        for &child in &object.children {
            match by_id.get(&child) {
                None => report(
                    FindingKind::Hierarchy,
                    object,
                    format!("hasparts lists {child}, which is not an object of the item"),
                ),
                Some(part) if part.parent != Some(object.ade_id) => {
                    let parent = part
                        .parent
                        .map_or_else(|| "none".to_string(), |p| p.to_string());
                    report(
                        FindingKind::Hierarchy,
                        object,
                        format!("hasparts lists {child}, whose parent (ispartof) is {parent}"),
                    );
                }
                Some(_) => {}
            }
        }
    }
}

fn check_polygons(item: &Item, annotation: &Path, findings: &mut Vec<Finding>) {
    let (width, height) = (f64::from(item.image.width), f64::from(item.image.height));
    for object in &item.objects {
        let outside: Vec<&[f64; 2]> = object
            .polygon
            .iter()
            .filter(|[x, y]| !(0.0..=width).contains(x) || !(0.0..=height).contains(y))
            .collect();
        if let Some([x, y]) = outside.first() {
            findings.push(Finding::new(
                FindingKind::Polygon,
                annotation.to_path_buf(),
                Some(object.ade_id),
                format!(
                    "{} of {} polygon points lie outside the {}×{} image, the first at ({x}, {y})",
                    outside.len(),
                    object.polygon.len(),
                    item.image.width,
                    item.image.height
                ),
            ));
        }
    }
}

/// Visible pixels of one object compared with its level's class map.
struct Overlap {
    /// Visible pixels.
    visible: u64,
    /// Visible pixels per B value of the class map.
    by_instance: [u64; 256],
    /// Visible pixels whose class is not the object's, per class found.
    other_classes: BTreeMap<ClassIndex, u64>,
}

impl Overlap {
    fn of(object: &Object, mask: &InstanceMask, map: &ClassMap) -> Self {
        let mut overlap = Overlap {
            visible: 0,
            by_instance: [0; 256],
            other_classes: BTreeMap::new(),
        };
        let pixels = mask.pixels().iter().zip(map.classes()).zip(map.instances());
        for ((&value, &class), &instance) in pixels {
            if value != InstanceMask::VISIBLE {
                continue;
            }
            overlap.visible += 1;
            overlap.by_instance[usize::from(instance)] += 1;
            if class != object.class {
                *overlap.other_classes.entry(class).or_default() += 1;
            }
        }
        overlap
    }

    /// The non-zero B value most of the visible pixels have, with their count.
    fn main_instance(&self) -> Option<(u8, u64)> {
        (1..=255u8)
            .map(|code| (code, self.by_instance[usize::from(code)]))
            .filter(|&(_, count)| count > 0)
            .max_by(|a, b| a.1.cmp(&b.1).then(b.0.cmp(&a.0)))
    }
}

/// Checks the objects of part level `level` (`here`, indices in
/// `item.objects`) against their masks and the level's class map.
fn check_level(item: &Item, level: u32, here: &[usize], findings: &mut Vec<Finding>) {
    let map_path = class_map_path(&item.image.path, level);
    let map = match item.class_map(level) {
        Ok(map) => Some(map),
        Err(error) => {
            findings.push(finding_of(FindingKind::ClassMap, None, error));
            None
        }
    };
    let map_name = map_path
        .file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut overlaps: Vec<(&Object, Overlap)> = Vec::new();
    for &index in here {
        let object = &item.objects[index];
        let mask = match item.instance_mask(index) {
            Ok(mask) => mask,
            Err(error) => {
                findings.push(finding_of(
                    FindingKind::InstanceMask,
                    Some(object.ade_id),
                    error,
                ));
                continue;
            }
        };
        let Some(map) = &map else { continue };
        if (mask.width(), mask.height()) != (map.width(), map.height()) {
            findings.push(Finding::new(
                FindingKind::InstanceMask,
                item.image.path.clone(),
                Some(object.ade_id),
                format!(
                    "the instance mask is {}×{} pixels but {map_name} is {}×{}",
                    mask.width(),
                    mask.height(),
                    map.width(),
                    map.height()
                ),
            ));
            continue;
        }
        let overlap = Overlap::of(object, &mask, map);
        let wrong: u64 = overlap.other_classes.values().sum();
        if wrong > 0 {
            let (most, count) = overlap
                .other_classes
                .iter()
                .max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0)))
                .map(|(&class, &count)| (class, count))
                .unwrap_or_default();
            findings.push(Finding::new(
                FindingKind::ClassValue,
                map_path.clone(),
                Some(object.ade_id),
                format!(
                    "{wrong} of its {} visible pixels have another class than its name_ndx {} \
                     (most: class {most}, {count} pixels)",
                    overlap.visible, object.class
                ),
            ));
        }
        overlaps.push((object, overlap));
    }
    if let (0, Some(map)) = (level, &map) {
        // A region whose object's mask could not be read is not reported again.
        let every_mask_read = overlaps.len() == here.len();
        check_instance_regions(map, &map_path, &overlaps, every_mask_read, findings);
    }
}

/// Checks that the B regions of `_seg.png` and the level-0 objects' visible
/// regions are the same sets of pixels, one for one. Regions no object
/// claims are reported only when `every_mask_read`.
fn check_instance_regions(
    map: &ClassMap,
    map_path: &Path,
    overlaps: &[(&Object, Overlap)],
    every_mask_read: bool,
    findings: &mut Vec<Finding>,
) {
    let mut region_size = [0u64; 256];
    for &code in map.instances() {
        region_size[usize::from(code)] += 1;
    }
    let mut report = |object: Option<ObjectId>, message: String| {
        findings.push(Finding::new(
            FindingKind::InstanceRegion,
            map_path.to_path_buf(),
            object,
            message,
        ));
    };
    // Objects whose visible region is (exactly, or mostly) each B value's.
    let mut exact: BTreeMap<u8, Vec<ObjectId>> = BTreeMap::new();
    let mut claimed = [false; 256];
    for (object, overlap) in overlaps {
        if overlap.visible == 0 {
            continue;
        }
        let Some((code, count)) = overlap.main_instance() else {
            report(
                Some(object.ade_id),
                format!(
                    "none of its {} visible pixels has an instance code (B is 0 there)",
                    overlap.visible
                ),
            );
            continue;
        };
        claimed[usize::from(code)] = true;
        let region = region_size[usize::from(code)];
        if count == overlap.visible && region == overlap.visible {
            exact.entry(code).or_default().push(object.ade_id);
        } else {
            report(
                Some(object.ade_id),
                format!(
                    "its {} visible pixels are not one instance region: B = {code} covers \
                     {count} of them, and the region of B = {code} has {region} pixels",
                    overlap.visible
                ),
            );
        }
    }
    for (code, objects) in exact.iter().filter(|(_, objects)| objects.len() > 1) {
        let ids: Vec<String> = objects.iter().map(ObjectId::to_string).collect();
        report(
            None,
            format!(
                "the region of B = {code} is the visible region of several objects: {}",
                ids.join(", ")
            ),
        );
    }
    if !every_mask_read {
        return;
    }
    for code in 1..=255u8 {
        let size = region_size[usize::from(code)];
        if size > 0 && !claimed[usize::from(code)] {
            report(
                None,
                format!(
                    "the region of B = {code} ({size} pixels) is no level-0 object's \
                     visible region"
                ),
            );
        }
    }
}
