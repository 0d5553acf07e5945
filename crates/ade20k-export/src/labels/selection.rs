//! Which classes an export keeps, in which order, under which output ids:
//! `--labels FILE`, the benchmarks' tables (`--labels sceneparsing150`,
//! `--labels instance100`, which select by class index), `--top-classes K`;
//! and the check of label files against the dataset's classes before an
//! export writes anything ([`check_label_lists`]).

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use ade20k_model::{
    Categories, Category, ClassIndex, Error, Item, ItemSource, Object, PassCounter, Phase,
    PhaseHook,
};
use rayon::prelude::*;

use crate::encode::png_out::GreyDepth;
use crate::labels::LabelId;
use crate::run::WholeDataset;
use crate::{ExportError, ExportOptions, LabelNaming, LeftOut, PartsMode};

/// The classes an export keeps.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum LabelSelection {
    /// Every class.
    #[default]
    All,
    /// The listed classes, in list order, with output ids 1, 2, …
    List(LabelList),
    /// The K classes covering the most pixels in the level-0 class maps (ties
    /// broken by class index), most frequent first, with output ids 1, 2, …
    TopClasses(usize),
}

/// An ordered list of output labels, each made of one or more ADE classes.
///
/// An export checks every list but the presets against the dataset before it
/// writes anything: a class the dataset lacks is an
/// [`ExportError::Usage`] naming the line (see [`Format::write_into`](crate::Format::write_into)).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LabelList {
    /// The output labels; output id = position + 1.
    pub labels: Vec<ListedLabel>,
    /// Where the list comes from.
    pub origin: ListOrigin,
}

/// Where a [`LabelList`] comes from: what its messages name, and whether it
/// is checked against the dataset.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum ListOrigin {
    /// Text given to [`LabelList::parse`], or a list built in code.
    #[default]
    Text,
    /// The label file at this path ([`LabelList::read`]).
    File(PathBuf),
    /// A benchmark's official class table, shipped with this crate.
    Preset(Preset),
}

/// The official class tables of the benchmarks built from ADE20K, shipped in
/// `data/` with their sources named. They select classes by full-release
/// class index (`name_ndx`), as the benchmarks' own converters do; their
/// names are for display only.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Preset {
    /// The 150 classes of the SceneParsing benchmark (ADEChallengeData2016),
    /// by its map from full-release class index (`mapFromADE.txt`).
    SceneParsing150,
    /// The 100 classes of the ADE20K instance segmentation benchmark, by its
    /// map from full-release class index (`ade20k_instance_catid_mapping.txt`).
    Instance100,
}

impl Preset {
    /// Every preset.
    pub const ALL: [Preset; 2] = [Preset::SceneParsing150, Preset::Instance100];

    /// The name that selects it on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Preset::SceneParsing150 => "sceneparsing150",
            Preset::Instance100 => "instance100",
        }
    }

    /// The preset called `name`.
    pub fn named(name: &str) -> Option<Self> {
        Preset::ALL.into_iter().find(|preset| preset.name() == name)
    }

    /// Its classes, as a label list.
    pub fn list(self) -> LabelList {
        match self {
            Preset::SceneParsing150 => LabelList::scene_parsing_150(),
            Preset::Instance100 => LabelList::instance_100(),
        }
    }
}

/// One output label of a [`LabelList`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ListedLabel {
    /// Output name, as the list gives it.
    pub name: String,
    /// The ADE classes that become this label.
    pub members: Vec<Member>,
    /// Whether the label is a countable thing (`Some(true)`) or amorphous stuff,
    /// where the list says.
    pub is_thing: Option<bool>,
    /// Display colour, where the list gives one.
    pub color: Option<[u8; 3]>,
    /// The dataset's name of the class of a label listed by class index alone
    /// (`401`): the output name instead of the number. Filled when the list is
    /// checked against the dataset.
    pub class_name: Option<String>,
}

impl ListedLabel {
    /// The name the output gives the label.
    pub fn output_name(&self) -> &str {
        self.class_name.as_deref().unwrap_or(&self.name)
    }
}

/// One class of a [`ListedLabel`], with the line of the list that gives it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Member {
    /// The class.
    pub class: ClassRef,
    /// Line of the list text (from 1); `None` for lists built in code or shipped.
    pub line: Option<usize>,
}

impl Member {
    /// Class `index`, given by no line.
    pub fn index(index: ClassIndex) -> Self {
        Member {
            class: ClassRef::Index(index),
            line: None,
        }
    }
}

/// A reference to an ADE class in a label list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ClassRef {
    /// By class index (`name_ndx`).
    Index(ClassIndex),
    /// By WordNet name: the full name (`car, auto, automobile`) or its first
    /// synonym (`car`), compared without case, `;` read as `,`.
    Name(String),
}

/// The SceneParsing benchmark classes (ADEChallengeData2016), shipped as data.
const SCENE_PARSING_150: &str = include_str!("../../data/sceneparsing150.tsv");

/// The instance segmentation benchmark classes, shipped as data.
const INSTANCE_100: &str = include_str!("../../data/instance100.tsv");

/// The highest class index of the full ADE20K release (3,688 classes): a label
/// list may name a class the dataset lacks up to this index.
pub const MAX_RELEASE_CLASS: ClassIndex = ClassIndex(3688);

impl LabelList {
    /// Parses a label file: one class per line, as a class index or a WordNet
    /// name; `a = b` merges class `b` into label `a` (listing `a` if it is not
    /// yet listed). Blank lines and lines starting with `#` are ignored.
    pub fn parse(text: &str) -> Result<Self, String> {
        let mut list = LabelList::default();
        let mut positions: HashMap<String, usize> = HashMap::new();
        for (number, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let (label, member) = match line.split_once('=') {
                Some((label, member)) => (label.trim(), member.trim()),
                None => (line, line),
            };
            if label.is_empty() || member.is_empty() {
                return Err(format!(
                    "line {}: expected `a = b`, found `{line}`",
                    number + 1
                ));
            }
            let member = Member {
                class: ClassRef::parse(member),
                line: Some(number + 1),
            };
            match positions.get(label) {
                Some(&position)
                    if list.labels[position]
                        .members
                        .iter()
                        .any(|listed| listed.class == member.class) =>
                {
                    return Err(format!("line {}: `{line}` is listed twice", number + 1));
                }
                Some(&position) => list.labels[position].members.push(member),
                None => {
                    positions.insert(label.to_string(), list.labels.len());
                    list.labels.push(ListedLabel {
                        name: label.to_string(),
                        members: vec![member],
                        is_thing: None,
                        color: None,
                        class_name: None,
                    });
                }
            }
        }
        if list.labels.is_empty() {
            return Err("the label list names no class".into());
        }
        Ok(list)
    }

    /// The largest label file [`LabelList::read`] reads, in bytes: 16 MiB. A
    /// list of all 3,688 classes by full WordNet name is about 200 kB.
    pub const MAX_FILE_BYTES: u64 = 16 << 20;

    /// Reads a label file (see [`LabelList::parse`]): a regular file of UTF-8
    /// text, of at most [`LabelList::MAX_FILE_BYTES`].
    pub fn read(path: &Path) -> Result<Self, Error> {
        let bytes = ade20k_fs::read_regular(path, Self::MAX_FILE_BYTES)?;
        let text = String::from_utf8(bytes)
            .map_err(|_| Error::invalid(path, "the label file is not UTF-8 text"))?;
        let list = LabelList::parse(&text).map_err(|message| Error::invalid(path, message))?;
        Ok(LabelList {
            origin: ListOrigin::File(path.to_path_buf()),
            ..list
        })
    }

    /// The label list a `--labels` argument names: the preset called `name`
    /// (`sceneparsing150`, `instance100`, see [`Preset`]), or else the label
    /// file at that path ([`LabelList::read`]). The CLI and the Python
    /// package resolve every label argument through this.
    pub fn read_or_preset(name: &Path) -> Result<Self, Error> {
        match name.to_str().and_then(Preset::named) {
            Some(preset) => Ok(preset.list()),
            None => LabelList::read(name),
        }
    }

    /// The 150 classes of the SceneParsing benchmark (ADEChallengeData2016, as
    /// mmsegmentation and detectron2 use them) by the benchmark's map from
    /// full-release class index, with its names, thing/stuff split and colours.
    pub fn scene_parsing_150() -> Self {
        let labels = table_rows(SCENE_PARSING_150)
            .map(|fields| {
                let channels: Vec<u8> = fields[3]
                    .split(',')
                    .map(|c| {
                        c.trim()
                            .parse()
                            .expect("colour channel of the shipped table")
                    })
                    .collect();
                ListedLabel {
                    name: fields[1].to_string(),
                    members: table_members(fields[4]),
                    is_thing: Some(fields[2] == "1"),
                    color: Some([channels[0], channels[1], channels[2]]),
                    class_name: None,
                }
            })
            .collect();
        LabelList {
            labels,
            origin: ListOrigin::Preset(Preset::SceneParsing150),
        }
    }

    /// The 100 classes of the ADE20K instance segmentation benchmark, ids 1 to
    /// 100 in its order, by its map from full-release class index, with its
    /// category names.
    pub fn instance_100() -> Self {
        let labels = table_rows(INSTANCE_100)
            .map(|fields| ListedLabel {
                name: fields[1].to_string(),
                members: table_members(fields[3]),
                is_thing: None,
                color: None,
                class_name: None,
            })
            .collect();
        LabelList {
            labels,
            origin: ListOrigin::Preset(Preset::Instance100),
        }
    }

    /// The first label that does more than select one class under its own
    /// name (`car`, `401`), with what it does instead: `"renames a class"`
    /// (`auto = 401`) or `"merges several classes"` (`vehicle = car` and
    /// `vehicle = bus`). `None` when the list only selects classes, as the
    /// presets do (their names are for display).
    pub fn first_change(&self) -> Option<(&ListedLabel, &'static str)> {
        if matches!(self.origin, ListOrigin::Preset(_)) {
            return None;
        }
        self.labels.iter().find_map(|label| {
            let change = match label.members.as_slice() {
                [Member {
                    class: ClassRef::Index(index),
                    ..
                }] if label.name == index.to_string() => return None,
                [Member {
                    class: ClassRef::Name(name),
                    ..
                }] if label.name == *name => return None,
                [_] => "renames a class",
                _ => "merges several classes",
            };
            Some((label, change))
        })
    }
}

/// The rows of a shipped table, split at tabs: comments and the header skipped.
fn table_rows(table: &'static str) -> impl Iterator<Item = Vec<&'static str>> {
    table
        .lines()
        .filter(|line| !line.starts_with('#') && !line.trim().is_empty())
        .skip(1) // the header
        .map(|line| line.split('\t').collect())
}

/// The class indices of a shipped table's `ade_classes` field (`774,783`).
fn table_members(field: &str) -> Vec<Member> {
    field
        .split(',')
        .map(|index| {
            Member::index(
                index
                    .trim()
                    .parse()
                    .expect("class index of the shipped table"),
            )
        })
        .collect()
}

impl ClassRef {
    fn parse(text: &str) -> Self {
        match text.parse() {
            Ok(index) => ClassRef::Index(index),
            Err(_) => ClassRef::Name(text.to_string()),
        }
    }
}

/// A WordNet name in a form that compares equal across spellings.
fn normalize(name: &str) -> String {
    name.split([',', ';'])
        .map(|synonym| synonym.trim().to_lowercase())
        .collect::<Vec<_>>()
        .join(", ")
}

/// The synonyms of a WordNet name, normalised: the first one and all of them.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Synonyms {
    first: String,
    all: BTreeSet<String>,
}

impl Synonyms {
    fn of(name: &str) -> Self {
        let mut words = name
            .split([',', ';'])
            .map(|synonym| synonym.trim().to_lowercase())
            .filter(|synonym| !synonym.is_empty());
        let first = words.next().unwrap_or_default();
        let mut all: BTreeSet<String> = words.collect();
        all.insert(first.clone());
        Synonyms { first, all }
    }

    /// Same first synonym, and one list contains the other.
    fn matches(&self, other: &Synonyms) -> bool {
        !self.first.is_empty()
            && self.first == other.first
            && (self.all.is_subset(&other.all) || other.all.is_subset(&self.all))
    }
}

/// One output label of a resolved plan.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct PlannedLabel {
    /// Output id, from 1.
    pub id: LabelId,
    /// Output name.
    pub name: String,
    /// Thing or stuff, where known.
    pub is_thing: Option<bool>,
    /// Colour, where the list gives one.
    pub color: Option<[u8; 3]>,
    /// The ADE classes merged into it (index members only; names match by name).
    pub class_indices: Vec<ClassIndex>,
}

/// A [`LabelSelection`] resolved against a dataset: output ids for objects
/// and for class-map pixels.
#[derive(Debug)]
pub(crate) enum LabelPlan {
    /// Every class, under its ADE class index.
    ByClassIndex,
    /// Listed labels with ids 1..=N.
    Listed {
        labels: Vec<PlannedLabel>,
        by_index: HashMap<ClassIndex, LabelId>,
        by_full_name: HashMap<String, LabelId>,
        /// Named members as synonym lists, in list order: a class matches a
        /// member when both start with the same synonym and one list contains
        /// the other (`door` and `door, double door`), but not when they
        /// merely share a word (`plant, flora` and `plant, works`; `wheel`
        /// and `bicycle, bike, wheel, cycle`).
        by_synonyms: Vec<(Synonyms, LabelId)>,
    },
}

impl LabelPlan {
    /// The objects of `item` an instance format considers, with their index in
    /// `item.objects`: parts are skipped when `parts` is [`PartsMode::Exclude`],
    /// and each object whose class this plan leaves out is counted in
    /// `left_out` as [`LeftOut::NotSelected`].
    pub(crate) fn selected_objects<'a>(
        &self,
        item: &'a Item,
        parts: PartsMode,
        left_out: &mut Vec<LeftOut>,
    ) -> Vec<(usize, &'a Object)> {
        let mut selected = Vec::new();
        for (index, object) in item.objects.iter().enumerate() {
            if object.is_part() && parts == PartsMode::Exclude {
                continue;
            }
            if self.label_of(object).is_none() {
                left_out.push(LeftOut::NotSelected);
                continue;
            }
            selected.push((index, object));
        }
        selected
    }

    /// Resolves `selection` for `source`. A format whose pixels hold at most
    /// `capacity` labels (`Some`) gets ids 1..=N even for [`LabelSelection::All`],
    /// and fails up front when N exceeds its capacity.
    pub fn resolve(
        selection: &LabelSelection,
        dataset: &WholeDataset<'_>,
        capacity: Option<(usize, &str)>,
    ) -> Result<Self, ExportError> {
        let progress = dataset.progress();
        let list = match selection {
            LabelSelection::All if capacity.is_none() => return Ok(LabelPlan::ByClassIndex),
            LabelSelection::All => classes_as_list(&catalog(dataset.items(), false, progress)?),
            LabelSelection::List(list) => list.clone(),
            LabelSelection::TopClasses(k) => top_classes(dataset.items(), *k, progress)?,
        };
        if let Some((capacity, format)) = capacity {
            if list.labels.len() > capacity {
                return Err(ExportError::Usage(format!(
                    "{format} holds at most {capacity} classes but {} are asked for; \
                     choose fewer with --labels FILE, --labels sceneparsing150 or --top-classes K",
                    list.labels.len()
                )));
            }
        }
        Ok(LabelPlan::listed(list))
    }

    /// The plan of `list`: its labels with ids 1, 2, … in list order.
    pub(crate) fn listed(list: LabelList) -> Self {
        let mut by_index = HashMap::new();
        let mut by_full_name = HashMap::new();
        let mut by_synonyms = Vec::new();
        let mut labels = Vec::new();
        for (position, listed) in list.labels.into_iter().enumerate() {
            let id = LabelId(position as u32 + 1);
            let mut class_indices = Vec::new();
            for member in &listed.members {
                match &member.class {
                    ClassRef::Index(index) => {
                        by_index.entry(*index).or_insert(id);
                        class_indices.push(*index);
                    }
                    ClassRef::Name(name) => {
                        by_full_name.entry(normalize(name)).or_insert(id);
                        by_synonyms.push((Synonyms::of(name), id));
                    }
                }
            }
            labels.push(PlannedLabel {
                id,
                name: listed.output_name().to_string(),
                is_thing: listed.is_thing,
                color: listed.color,
                class_indices,
            });
        }
        LabelPlan::Listed {
            labels,
            by_index,
            by_full_name,
            by_synonyms,
        }
    }

    /// The output id of `object`'s class; `None` when the class is not kept.
    pub fn label_of(&self, object: &Object) -> Option<LabelId> {
        self.lookup(Some(object.class), Some(&object.name))
    }

    /// The output id of `category`; `None` when the class is not kept.
    pub fn label_of_class(&self, category: &Category) -> Option<LabelId> {
        self.lookup(Some(category.index), Some(&category.name))
    }

    /// Whether this plan keeps `label`, a label of another plan: by the
    /// label's name (as a WordNet name) or by a class index it lists.
    pub fn keeps_label(&self, label: &PlannedLabel) -> bool {
        match self {
            LabelPlan::ByClassIndex => true,
            LabelPlan::Listed { .. } => {
                self.lookup(None, Some(&label.name)).is_some()
                    || label
                        .class_indices
                        .iter()
                        .any(|&class| self.lookup(Some(class), None).is_some())
            }
        }
    }

    /// The output id of the class given by its index, or else by its name
    /// (full, then by synonyms), whichever of the two is known.
    fn lookup(&self, class: Option<ClassIndex>, name: Option<&str>) -> Option<LabelId> {
        match self {
            // Every class is kept, under its index.
            LabelPlan::ByClassIndex => class.map(|class| LabelId(class.0)),
            LabelPlan::Listed {
                by_index,
                by_full_name,
                by_synonyms,
                ..
            } => class
                .and_then(|class| by_index.get(&class))
                .or_else(|| by_full_name.get(&normalize(name?)))
                .copied()
                .or_else(|| {
                    let wanted = Synonyms::of(name?);
                    by_synonyms
                        .iter()
                        .find(|(listed, _)| listed.matches(&wanted))
                        .map(|(_, id)| *id)
                }),
        }
    }

    /// Output ids of the class-map values of `item`: each class of its objects
    /// that is kept. Values not in the table become background (0).
    pub fn pixel_labels(&self, item: &Item) -> HashMap<ClassIndex, LabelId> {
        item.objects
            .iter()
            .filter_map(|object| Some((object.class, self.label_of(object)?)))
            .collect()
    }

    /// The label id of every class-map pixel of `item` in `classes` (0 for
    /// classes not kept), and how many labeled pixels became 0. The ids must
    /// fit 16 bits: the plan is resolved with a 16-bit capacity.
    pub fn pixel_values(&self, item: &Item, classes: &[ClassIndex]) -> (Vec<u16>, u64) {
        let ids = self.pixel_labels(item);
        let mut dropped = 0;
        // Neighbouring pixels mostly share their class: the last one looked
        // up is kept, so most pixels cost a comparison, not a hash lookup.
        let mut last: Option<(ClassIndex, u16)> = None;
        let values = classes
            .iter()
            .map(|&class| {
                let value = match last {
                    Some((seen, value)) if seen == class => value,
                    _ => {
                        // Label ids start at 1: 0 is a class not kept.
                        let value = ids.get(&class).map_or(0, |&id| id.0 as u16);
                        last = Some((class, value));
                        value
                    }
                };
                dropped += u64::from(value == 0 && class != ClassIndex::UNLABELED);
                value
            })
            .collect();
        (values, dropped)
    }

    /// The depth of grey masks holding this plan's pixel values: 16 bits
    /// for class indices or more than 255 labels, else 8.
    pub fn grey_depth(&self) -> GreyDepth {
        if self.is_by_class_index() || self.labels().len() > usize::from(u8::MAX) {
            GreyDepth::Gray16
        } else {
            GreyDepth::Gray8
        }
    }

    /// The listed labels; empty when labels are keyed by class index.
    pub fn labels(&self) -> &[PlannedLabel] {
        match self {
            LabelPlan::ByClassIndex => &[],
            LabelPlan::Listed { labels, .. } => labels,
        }
    }

    /// Whether output ids are ADE class indices.
    pub fn is_by_class_index(&self) -> bool {
        matches!(self, LabelPlan::ByClassIndex)
    }
}

/// The label lists of `options` (the selection, `stuff`, and the filter's
/// `include` and `exclude`) checked against the classes of `source`, so that
/// a misspelt class stops the export before anything is written:
///
/// - a class name must name a class of the dataset (by the matching rules of
///   [`ClassRef::Name`]); `stuff` may also name a label of the selection;
/// - a class index must be a class of the dataset, or of the full release
///   (1 to [`MAX_RELEASE_CLASS`]): then it is accepted with a warning, since
///   part of the release may lack it;
/// - a label of the selection listed by class index alone (`401`) is given
///   the dataset's name of the class ([`ListedLabel::class_name`]: canonical,
///   or full with [`LabelNaming::Full`]), which no other label may have.
///
/// The presets are not checked: they are tables of the release's classes.
/// Checking reads every annotation once (leaving out the items that cannot be
/// read when `skip_broken`). Returns the checked options and the warnings.
pub(crate) fn check_label_lists(
    source: &dyn ItemSource,
    options: &ExportOptions,
) -> Result<(ExportOptions, Vec<String>), ExportError> {
    let selection = match &options.labels {
        LabelSelection::List(list) => Some(list),
        _ => None,
    };
    let lists = [
        selection,
        options.stuff.as_ref(),
        options.filter.include.as_ref(),
        options.filter.exclude.as_ref(),
    ];
    let mut checked = options.clone();
    if !lists.into_iter().flatten().any(LabelList::is_checked) {
        return Ok((checked, Vec::new()));
    }
    let dataset = DatasetClasses::read(source, options.skip_broken, options.phases.as_ref())?;
    let mut warnings = Vec::new();
    let mut label_names = Vec::new();
    if let LabelSelection::List(list) = &mut checked.labels {
        if list.is_checked() {
            dataset.check(list, &[], &mut warnings)?;
            dataset.name_index_labels(list, options.label_naming)?;
        }
        label_names = list
            .labels
            .iter()
            .map(|label| label.output_name().to_string())
            .collect();
    }
    if let Some(stuff) = checked.stuff.as_ref().filter(|list| list.is_checked()) {
        dataset.check(stuff, &label_names, &mut warnings)?;
    }
    let filters = [&checked.filter.include, &checked.filter.exclude];
    for list in filters
        .into_iter()
        .flatten()
        .filter(|list| list.is_checked())
    {
        dataset.check(list, &[], &mut warnings)?;
    }
    Ok((checked, warnings))
}

impl LabelList {
    /// Whether [`check_label_lists`] checks it: every list but the presets.
    fn is_checked(&self) -> bool {
        !matches!(self.origin, ListOrigin::Preset(_))
    }

    /// Where `line` of the list is, for messages: `<file>, line <n>`.
    fn place(&self, line: Option<usize>) -> String {
        let list = match &self.origin {
            ListOrigin::File(path) => path.display().to_string(),
            _ => "the label list".to_string(),
        };
        match line {
            Some(line) => format!("{list}, line {line}"),
            None => list,
        }
    }
}

/// The classes of a dataset, which label lists are checked against.
struct DatasetClasses {
    categories: Categories,
    /// Each class's canonical name: what messages suggest.
    canonical: BTreeMap<ClassIndex, String>,
}

/// How many close names a message on an unknown class suggests.
const SUGGESTIONS: usize = 3;

impl DatasetClasses {
    /// The classes of `source` (see [`catalog`]).
    fn read(
        source: &dyn ItemSource,
        skip_unreadable: bool,
        progress: Option<&PhaseHook>,
    ) -> Result<Self, Error> {
        Ok(DatasetClasses::new(catalog(
            source,
            skip_unreadable,
            progress,
        )?))
    }

    fn new(categories: Categories) -> Self {
        let canonical = categories.canonical_names();
        DatasetClasses {
            categories,
            canonical,
        }
    }

    /// Refuses a member of `list` that names no class of the dataset nor one
    /// of `label_names`, or gives an index beyond the release's; warns of an
    /// index of the release that the dataset lacks.
    fn check(
        &self,
        list: &LabelList,
        label_names: &[String],
        warnings: &mut Vec<String>,
    ) -> Result<(), ExportError> {
        for member in list.labels.iter().flat_map(|label| &label.members) {
            let place = || list.place(member.line);
            match &member.class {
                ClassRef::Index(ClassIndex::UNLABELED) => {
                    return Err(ExportError::Usage(format!(
                        "{}: 0 is the unlabeled value of the class maps, not a class",
                        place()
                    )))
                }
                ClassRef::Index(index) if self.categories.get(*index).is_some() => {}
                ClassRef::Index(index) if *index <= MAX_RELEASE_CLASS => warnings.push(format!(
                    "{}: no object of the dataset is of class {index}",
                    place()
                )),
                ClassRef::Index(index) => {
                    return Err(ExportError::Usage(format!(
                        "{}: the dataset has no class {index}, and the ADE20K release's \
                         classes are 1 to {MAX_RELEASE_CLASS}",
                        place()
                    )))
                }
                ClassRef::Name(name) => {
                    let known = self.categories.iter().map(|c| c.name.as_str());
                    let known_labels = label_names.iter().map(String::as_str);
                    if !known.chain(known_labels).any(|k| same_class(name, k)) {
                        return Err(ExportError::Usage(format!(
                            "{}: no class of the dataset is called `{name}`; the closest: {}",
                            place(),
                            self.closest(name, label_names)
                        )));
                    }
                }
            }
        }
        Ok(())
    }

    /// The [`SUGGESTIONS`] names, among the dataset's classes (canonical
    /// names) and `label_names`, closest to `name` by edit distance to any
    /// of their synonyms, each in backticks.
    fn closest(&self, name: &str, label_names: &[String]) -> String {
        let wanted = name.trim().to_lowercase();
        let mut ranked: Vec<(usize, &str)> = self
            .categories
            .iter()
            .map(|category| {
                (
                    category.name.as_str(),
                    self.canonical[&category.index].as_str(),
                )
            })
            .chain(
                label_names
                    .iter()
                    .map(|label| (label.as_str(), label.as_str())),
            )
            .map(|(synonyms, shown)| {
                let distance = Synonyms::of(synonyms)
                    .all
                    .iter()
                    .chain([&normalize(synonyms)])
                    .map(|synonym| strsim::levenshtein(&wanted, synonym))
                    .min()
                    .unwrap_or(usize::MAX);
                (distance, shown)
            })
            .collect();
        ranked.sort();
        ranked.dedup_by(|a, b| a.1 == b.1);
        ranked
            .iter()
            .take(SUGGESTIONS)
            .map(|(_, shown)| format!("`{shown}`"))
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// Names each label of `list` listed by class index alone after its
    /// class, where the dataset has it; refuses a name another label has.
    fn name_index_labels(
        &self,
        list: &mut LabelList,
        naming: LabelNaming,
    ) -> Result<(), ExportError> {
        for label in &mut list.labels {
            let [Member {
                class: ClassRef::Index(index),
                ..
            }] = label.members.as_slice()
            else {
                continue;
            };
            if label.name != index.to_string() {
                continue;
            }
            label.class_name = self.categories.get(*index).map(|category| match naming {
                LabelNaming::Full => category.name.clone(),
                _ => self.canonical[index].clone(),
            });
        }
        let mut seen: HashMap<&str, &ListedLabel> = HashMap::new();
        for label in &list.labels {
            let Some(first) = seen.insert(label.output_name(), label) else {
                continue;
            };
            // Label names are unique as parsed, so one of the two is named after its class.
            let (renamed, other) = match label.class_name {
                Some(_) => (label, first),
                None => (first, label),
            };
            let other = match other.members[0].line {
                Some(line) => format!("the label of line {line}"),
                None => format!("the label `{}`", other.name),
            };
            return Err(ExportError::Usage(format!(
                "{}: class {} is called `{}` in the dataset, like {other}; \
                 give it another name (`name = {}`)",
                list.place(renamed.members[0].line),
                renamed.name,
                renamed.output_name(),
                renamed.name,
            )));
        }
        Ok(())
    }
}

/// Whether the class name `listed`, as a label list gives it, names the class
/// called `name`: the same full name, or the same first synonym and one list
/// of synonyms containing the other.
fn same_class(listed: &str, name: &str) -> bool {
    normalize(listed) == normalize(name) || Synonyms::of(listed).matches(&Synonyms::of(name))
}

/// Every class of `source`, read from the annotations only (one parse of
/// each item, in parallel). An item that cannot be loaded fails the pass, the
/// first in item order, unless `skip_unreadable`: then it is left out.
/// `progress` is told of each item read ([`Phase::ReadingClasses`]).
fn catalog(
    source: &dyn ItemSource,
    skip_unreadable: bool,
    progress: Option<&PhaseHook>,
) -> Result<Categories, Error> {
    let counter = PassCounter::start(progress, Phase::ReadingClasses, source.len());
    let (categories, error) = (0..source.len())
        .into_par_iter()
        .map(|index| {
            let mut categories = Categories::new();
            let loaded = source.load(index);
            counter.item_done();
            match loaded {
                Ok(item) => item.objects.iter().for_each(|o| categories.observe(o)),
                Err(_) if skip_unreadable => {}
                Err(error) => return (categories, Some((index, error))),
            }
            (categories, None)
        })
        .reduce(
            || (Categories::new(), None),
            |(mut categories, error), (more, more_error)| {
                categories.merge(more);
                let first = match (error, more_error) {
                    (Some(a), Some(b)) => Some(if a.0 <= b.0 { a } else { b }),
                    (a, b) => a.or(b),
                };
                (categories, first)
            },
        );
    match error {
        Some((_, error)) => Err(error),
        None => Ok(categories),
    }
}

/// Every class by index, named by its canonical name.
fn classes_as_list(categories: &Categories) -> LabelList {
    let names = categories.canonical_names();
    LabelList {
        labels: categories
            .iter()
            .map(|category| ListedLabel {
                name: names[&category.index].clone(),
                members: vec![Member::index(category.index)],
                is_thing: None,
                color: None,
                class_name: None,
            })
            .collect(),
        origin: ListOrigin::Text,
    }
}

/// The `k` classes with the most level-0 pixels, most frequent first.
/// `progress` is told of each item counted ([`Phase::CountingPixels`]).
fn top_classes(
    source: &dyn ItemSource,
    k: usize,
    progress: Option<&PhaseHook>,
) -> Result<LabelList, Error> {
    let counter = PassCounter::start(progress, Phase::CountingPixels, source.len());
    let (pixels, categories) = (0..source.len())
        .into_par_iter()
        .map(|index| {
            let counted = class_pixels(source, index);
            counter.item_done();
            counted
        })
        .try_reduce(
            || (BTreeMap::new(), Categories::new()),
            |(mut pixels, mut categories), (more_pixels, more_categories)| {
                for (class, count) in more_pixels {
                    *pixels.entry(class).or_default() += count;
                }
                categories.merge(more_categories);
                Ok((pixels, categories))
            },
        )?;
    let mut ranked: Vec<(ClassIndex, u64)> = pixels.into_iter().collect();
    ranked.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    let names = categories.canonical_names();
    Ok(LabelList {
        labels: ranked
            .into_iter()
            .take(k)
            .map(|(class, _)| ListedLabel {
                name: names
                    .get(&class)
                    .cloned()
                    .unwrap_or_else(|| format!("class {class}")),
                members: vec![Member::index(class)],
                is_thing: None,
                color: None,
                class_name: None,
            })
            .collect(),
        origin: ListOrigin::Text,
    })
}

/// The level-0 pixels of each class in item `index`, and its classes.
fn class_pixels(
    source: &dyn ItemSource,
    index: usize,
) -> Result<(BTreeMap<ClassIndex, u64>, Categories), Error> {
    let item = source.load(index)?;
    let mut categories = Categories::new();
    item.objects.iter().for_each(|o| categories.observe(o));
    let mut pixels: BTreeMap<ClassIndex, u64> = BTreeMap::new();
    // One map update per run of equal classes, not per pixel.
    for run in item.class_map(0)?.classes().chunk_by(|a, b| a == b) {
        if run[0] != ClassIndex::UNLABELED {
            *pixels.entry(run[0]).or_default() += run.len() as u64;
        }
    }
    Ok((pixels, categories))
}

#[cfg(test)]
mod tests {
    use ade20k_model::ObjectId;

    use super::*;

    fn classes(list: &LabelList) -> Vec<Vec<&ClassRef>> {
        list.labels
            .iter()
            .map(|label| label.members.iter().map(|member| &member.class).collect())
            .collect()
    }

    #[test]
    fn label_files_list_indices_names_and_merges() {
        let list =
            LabelList::parse("# vehicles\n401\nperson\n\nvehicle = bus\nvehicle = 401\n").unwrap();
        let names: Vec<&str> = list.labels.iter().map(|l| l.name.as_str()).collect();
        assert_eq!(names, ["401", "person", "vehicle"]);
        assert_eq!(
            classes(&list)[2],
            [
                &ClassRef::Name("bus".into()),
                &ClassRef::Index(ClassIndex(401))
            ]
        );
        let lines: Vec<Option<usize>> = list.labels[2].members.iter().map(|m| m.line).collect();
        assert_eq!(lines, [Some(5), Some(6)]);
        assert_eq!(list.origin, ListOrigin::Text);
    }

    #[test]
    fn bad_label_files_say_which_line() {
        assert_eq!(
            LabelList::parse("car\n = bus\n").unwrap_err(),
            "line 2: expected `a = b`, found `= bus`"
        );
        assert!(LabelList::parse("# nothing\n").is_err());
        assert!(LabelList::parse("car\ncar\n")
            .unwrap_err()
            .contains("twice"));
    }

    /// The ids of `list` whose labels take more than one class.
    fn multi_class_ids(list: &LabelList) -> Vec<usize> {
        (1..=list.labels.len())
            .filter(|id| list.labels[id - 1].members.len() > 1)
            .collect()
    }

    /// Every class index of `list`, in list order.
    fn indices(list: &LabelList) -> Vec<ClassIndex> {
        classes(list)
            .into_iter()
            .flatten()
            .map(|class| match class {
                ClassRef::Index(index) => *index,
                ClassRef::Name(name) => panic!("a preset member by name: {name}"),
            })
            .collect()
    }

    #[test]
    fn scene_parsing_150_is_the_official_map_from_class_indices() {
        let list = LabelList::scene_parsing_150();
        assert_eq!(list.labels.len(), 150);
        assert_eq!(list.origin, ListOrigin::Preset(Preset::SceneParsing150));
        assert_eq!(list.labels[0].name, "wall");
        assert_eq!(list.labels[149].name, "flag");
        assert!(list
            .labels
            .iter()
            .all(|l| l.color.is_some() && l.is_thing.is_some()));
        assert_eq!(
            list.labels
                .iter()
                .filter(|l| l.is_thing == Some(true))
                .count(),
            100
        );
        assert_eq!(multi_class_ids(&list), [15, 36, 89]);
        assert_eq!(
            classes(&list)[14],
            [
                &ClassRef::Index(ClassIndex(774)),
                &ClassRef::Index(ClassIndex(783))
            ]
        );
        let indices = indices(&list);
        assert_eq!(indices.len(), 153, "the rows of mapFromADE.txt");
        assert_eq!(
            indices.iter().collect::<BTreeSet<_>>().len(),
            153,
            "no class twice"
        );
        assert!(
            list.first_change().is_none(),
            "a preset only selects classes"
        );
    }

    #[test]
    fn instance_100_is_the_official_map_and_agrees_with_scene_parsing_150() {
        let list = LabelList::instance_100();
        assert_eq!(list.labels.len(), 100);
        assert_eq!(list.origin, ListOrigin::Preset(Preset::Instance100));
        let names: Vec<&str> = list.labels.iter().map(|l| l.name.as_str()).collect();
        assert_eq!(names[..3], ["bed", "windowpane", "cabinet"]);
        assert_eq!(names[57], "television receiver");
        assert_eq!(names[99], "flag");
        assert_eq!(multi_class_ids(&list), [5, 18, 57]);
        assert_eq!(indices(&list).len(), 103, "the rows of the mapping");
        assert!(list.first_change().is_none());
        // Each class is the one of its SceneParse150 id, with the same classes.
        let scene_parsing = LabelList::scene_parsing_150();
        let rows: Vec<Vec<&str>> = table_rows(INSTANCE_100).collect();
        for (row, label) in rows.iter().zip(&list.labels) {
            let position: usize = row[2].parse().unwrap();
            assert_eq!(
                scene_parsing.labels[position - 1].members,
                label.members,
                "{}",
                label.name
            );
            assert_eq!(scene_parsing.labels[position - 1].is_thing, Some(true));
        }
        assert_eq!(
            Preset::ALL.map(|preset| Preset::named(preset.name())),
            [Some(Preset::SceneParsing150), Some(Preset::Instance100)]
        );
    }

    fn object(class: u32, name: &str) -> Object {
        Object::new(ObjectId(0), ClassIndex(class), name)
    }

    #[test]
    fn names_match_by_full_name_or_contained_synonyms() {
        let plan = LabelPlan::listed(LabelList::parse("floor; flooring\ncar\n2978\n").unwrap());
        assert_eq!(
            plan.label_of(&object(976, "floor, flooring")),
            Some(LabelId(1))
        );
        assert_eq!(
            plan.label_of(&object(401, "car, auto, automobile")),
            Some(LabelId(2))
        );
        assert_eq!(plan.label_of(&object(2978, "wall")), Some(LabelId(3)));
        assert_eq!(plan.label_of(&object(1831, "person, individual")), None);
        let plan = LabelPlan::listed(LabelList::parse("door\nplant\n").unwrap());
        assert_eq!(
            plan.label_of(&object(1, "door, double door")),
            Some(LabelId(1))
        );
        let flora = plan.label_of(&object(1910, "plant, flora, plant life"));
        assert_eq!(flora, Some(LabelId(2)));
        let plan = LabelPlan::listed(LabelList::parse("plant, flora\n").unwrap());
        assert_eq!(
            plan.label_of(&object(1911, "plant, works, industrial plant")),
            None
        );
    }

    #[test]
    fn presets_match_by_class_index_not_by_name() {
        let plan = LabelPlan::listed(LabelList::scene_parsing_150());
        let door = plan.label_of(&object(774, "door"));
        assert_eq!(door, Some(LabelId(15)));
        assert_eq!(plan.label_of(&object(783, "double door")), door);
        // A class named like a benchmark class but of another index is not it.
        assert_eq!(plan.label_of(&object(1, "door, double door")), None);
        assert_eq!(
            plan.label_of(&object(1981, "pot, flowerpot")),
            Some(LabelId(126))
        );
        assert_eq!(plan.label_of(&object(1977, "pot")), None);
        let plan = LabelPlan::listed(LabelList::instance_100());
        assert_eq!(plan.label_of(&object(165, "bed")), Some(LabelId(1)));
        assert_eq!(plan.labels()[57].name, "television receiver");
        assert_eq!(plan.labels()[57].class_indices.len(), 1);
    }

    #[test]
    fn labels_of_another_plan_are_kept_by_name_or_class_index() {
        let stuff = LabelPlan::listed(LabelList::parse("structure\nsky\n2978\n").unwrap());
        let list = "structure = floor\nsky\nwall = 2978\ncar\n";
        let labels = LabelPlan::listed(LabelList::parse(list).unwrap());
        let kept: Vec<bool> = labels
            .labels()
            .iter()
            .map(|label| stuff.keeps_label(label))
            .collect();
        assert_eq!(kept, [true, true, true, false]);
    }

    #[test]
    fn pixel_values_follow_runs_of_classes_and_count_the_pixels_dropped() {
        let source = crate::source::filter::tests::dataset();
        let item = source.load(0).unwrap();
        let selection = LabelSelection::List(LabelList::parse("30\n10\n").unwrap());
        let options = ExportOptions::default();
        let dataset = WholeDataset::new(&source, &options);
        let plan = LabelPlan::resolve(&selection, &dataset, None).unwrap();
        let (values, dropped) =
            plan.pixel_values(&item, &[10, 10, 20, 0, 0, 20, 30, 10, 10].map(ClassIndex));
        assert_eq!(values, [2, 2, 0, 0, 0, 0, 1, 2, 2]);
        assert_eq!(dropped, 2, "the pixels of class 20; 0 is unlabeled");
    }

    /// Classes of a small dataset: person, pot, car, two plants.
    fn dataset() -> DatasetClasses {
        DatasetClasses::new(
            [
                (1831, "person, individual, someone"),
                (1981, "pot, flowerpot"),
                (401, "car, auto, automobile, machine, motorcar"),
                (1910, "plant, flora, plant life"),
                (1911, "plant, works, industrial plant"),
            ]
            .into_iter()
            .map(|(index, name)| Category {
                index: ClassIndex(index),
                name: name.into(),
                hypernym: vec![],
            })
            .collect(),
        )
    }

    /// `text` as a label file at `labels.txt`.
    fn file(text: &str) -> LabelList {
        LabelList {
            origin: ListOrigin::File("labels.txt".into()),
            ..LabelList::parse(text).unwrap()
        }
    }

    /// The message of checking `text` against [`dataset`]; empty when it passes.
    fn refusal(text: &str, label_names: &[String]) -> String {
        let mut warnings = Vec::new();
        match dataset().check(&file(text), label_names, &mut warnings) {
            Ok(()) => String::new(),
            Err(error) => error.to_string(),
        }
    }

    #[test]
    fn a_class_the_dataset_lacks_is_refused_with_the_closest_names() {
        assert_eq!(refusal("car\nplant, flora\nperson\n401\n", &[]), "");
        // A later synonym alone names no class, as in the plan; it is suggested.
        assert_eq!(
            refusal("auto\n", &[]),
            "labels.txt, line 1: no class of the dataset is called `auto`; \
             the closest: `car`, `pot`, `plant, flora, plant life`"
        );
        assert_eq!(
            refusal("car\n\npersn\n", &[]),
            "labels.txt, line 3: no class of the dataset is called `persn`; \
             the closest: `person`, `car`, `plant, flora, plant life`"
        );
        assert_eq!(
            refusal("vehicle = car\nvehicle = automobil\n", &[]),
            "labels.txt, line 2: no class of the dataset is called `automobil`; \
             the closest: `car`, `person`, `plant, flora, plant life`"
        );
        let plants = refusal("plan\n", &[]);
        assert!(
            plants.ends_with("`plant, flora, plant life`, `plant, works, industrial plant`, `car`"),
            "{plants}"
        );
        assert_eq!(
            refusal("0\n", &[]),
            "labels.txt, line 1: 0 is the unlabeled value of the class maps, not a class"
        );
        assert_eq!(
            refusal("car\n3689\n", &[]),
            "labels.txt, line 2: the dataset has no class 3689, and the ADE20K release's \
             classes are 1 to 3688"
        );
        let mut warnings = Vec::new();
        dataset()
            .check(&file("car\n3688\n"), &[], &mut warnings)
            .unwrap();
        assert_eq!(
            warnings,
            ["labels.txt, line 2: no object of the dataset is of class 3688"]
        );
        // `--stuff` may name the labels of the selection.
        assert_eq!(refusal("vehicle\n", &["vehicle".into()]), "");
        let vehicle = refusal("vehicel\n", &["vehicle".into()]);
        assert!(vehicle.contains("the closest: `vehicle`, "), "{vehicle}");
    }

    #[test]
    fn labels_given_by_index_are_named_after_their_class() {
        let mut list = file("401\n1910\nbus = 1831\n3000\n");
        dataset()
            .name_index_labels(&mut list, LabelNaming::Canonical)
            .unwrap();
        let names: Vec<&str> = list.labels.iter().map(ListedLabel::output_name).collect();
        assert_eq!(names, ["car", "plant, flora, plant life", "bus", "3000"]);
        assert_eq!(
            list.first_change().map(|(label, _)| label.name.as_str()),
            Some("bus"),
            "naming after the class is no renaming"
        );
        let mut full = file("401\n");
        dataset()
            .name_index_labels(&mut full, LabelNaming::Full)
            .unwrap();
        assert_eq!(
            full.labels[0].output_name(),
            "car, auto, automobile, machine, motorcar"
        );
        let plan = LabelPlan::listed(list);
        assert_eq!(plan.labels()[0].name, "car");
        let mut twice = file("car\n401\n");
        let error = dataset()
            .name_index_labels(&mut twice, LabelNaming::Canonical)
            .unwrap_err();
        assert_eq!(
            error.to_string(),
            "labels.txt, line 2: class 401 is called `car` in the dataset, like the label \
             of line 1; give it another name (`name = 401`)"
        );
    }
}
