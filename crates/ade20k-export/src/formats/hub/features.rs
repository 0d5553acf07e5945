//! The columns of the `parquet` format, described once as Hugging Face
//! `datasets` features: the Arrow schema, the `huggingface` schema metadata
//! and the dataset card's YAML are all made from this description.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::sync::Arc;

use arrow_schema::{DataType, Field, Fields, Schema};
use serde_json::{json, Value};

/// A `datasets` feature type.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Feature {
    /// `Value(dtype)`: `string`, `int64`, `bool` or `float64`.
    Value(&'static str),
    /// `Image()`: a struct of the file's `bytes` and its `path`.
    Image,
    /// `ClassLabel(names)`: an `int64` position in `names`.
    ClassLabel(Vec<String>),
    /// A list of one feature (`[feature]` in `datasets`' JSON).
    List(Box<Feature>),
    /// Named features (a `dict` in `datasets`, an Arrow struct).
    Struct(Vec<(&'static str, Feature)>),
}

impl Feature {
    fn list(of: Feature) -> Feature {
        Feature::List(Box::new(of))
    }

    /// The Arrow type that `datasets` stores the feature as.
    pub fn data_type(&self) -> DataType {
        match self {
            Feature::Value("string") => DataType::Utf8,
            Feature::Value("int64") | Feature::ClassLabel(_) => DataType::Int64,
            Feature::Value("bool") => DataType::Boolean,
            Feature::Value("float64") => DataType::Float64,
            Feature::Value(other) => unreachable!("no value type {other} is described"),
            Feature::Image => DataType::Struct(image_fields()),
            Feature::List(item) => {
                DataType::List(Arc::new(Field::new_list_field(item.data_type(), true)))
            }
            Feature::Struct(fields) => DataType::Struct(struct_fields(fields)),
        }
    }

    /// The feature as `datasets` writes it in JSON (`Features.to_dict`),
    /// struct fields in column order (a `serde_json` map would sort them,
    /// and `datasets` takes the order of the features for the columns').
    pub fn to_json(&self) -> String {
        match self {
            Feature::Value(dtype) => json!({"dtype": dtype, "_type": "Value"}).to_string(),
            Feature::Image => json!({"_type": "Image"}).to_string(),
            Feature::ClassLabel(names) => {
                json!({"names": names, "_type": "ClassLabel"}).to_string()
            }
            Feature::List(item) => format!("[{}]", item.to_json()),
            Feature::Struct(fields) => {
                let fields: Vec<String> = fields
                    .iter()
                    .map(|(name, feature)| format!("{}:{}", quote(name), feature.to_json()))
                    .collect();
                format!("{{{}}}", fields.join(","))
            }
        }
    }

    /// The feature as the dataset card's YAML lists it, under `name` at
    /// `indent` spaces (`datasets`' `_to_yaml_list`).
    fn write_yaml(&self, name: &str, indent: usize, yaml: &mut String) {
        let pad = " ".repeat(indent);
        let _ = writeln!(yaml, "{pad}- name: {}", quote(name));
        self.write_yaml_type(indent + 2, yaml);
    }

    /// The type keys of the feature (`dtype: …`, `list: …`, `struct: …`).
    fn write_yaml_type(&self, indent: usize, yaml: &mut String) {
        let pad = " ".repeat(indent);
        match self {
            Feature::Value(dtype) => {
                let _ = writeln!(yaml, "{pad}dtype: {dtype}");
            }
            Feature::Image => {
                let _ = writeln!(yaml, "{pad}dtype: image");
            }
            Feature::ClassLabel(names) => {
                let _ = writeln!(yaml, "{pad}dtype:\n{pad}  class_label:\n{pad}    names:");
                for (position, name) in names.iter().enumerate() {
                    let _ = writeln!(yaml, "{pad}      '{position}': {}", quote(name));
                }
            }
            Feature::List(item) => match item.as_ref() {
                Feature::Value(dtype) => {
                    let _ = writeln!(yaml, "{pad}list: {dtype}");
                }
                Feature::Struct(fields) => {
                    let _ = writeln!(yaml, "{pad}list:");
                    for (name, feature) in fields {
                        feature.write_yaml(name, indent, yaml);
                    }
                }
                other => {
                    let _ = writeln!(yaml, "{pad}list:");
                    other.write_yaml_type(indent + 2, yaml);
                }
            },
            Feature::Struct(fields) => {
                let _ = writeln!(yaml, "{pad}struct:");
                for (name, feature) in fields {
                    feature.write_yaml(name, indent, yaml);
                }
            }
        }
    }
}

/// A YAML scalar: a JSON string, which YAML reads as a double-quoted scalar.
pub(crate) fn quote(text: &str) -> String {
    Value::from(text).to_string()
}

fn image_fields() -> Fields {
    Fields::from(vec![
        Field::new("bytes", DataType::Binary, true),
        Field::new("path", DataType::Utf8, true),
    ])
}

fn struct_fields(fields: &[(&'static str, Feature)]) -> Fields {
    fields
        .iter()
        .map(|(name, feature)| Field::new(*name, feature.data_type(), true))
        .collect()
}

/// The features of one export: the top-level columns in order, and how
/// many labels the objects' `label` names.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Columns(Vec<(&'static str, Feature)>, usize);

/// Key of the schema metadata `datasets` reads its features from.
pub(crate) const METADATA_KEY: &str = "huggingface";

/// The features of one ADE20K object: every field of the model, its label
/// among `labels`, box, area and visible RLE, and the amodal shape when `amodal`.
fn object_feature(labels: Vec<String>, amodal: bool) -> Feature {
    use Feature::Value;
    let rle = || {
        Feature::Struct(vec![
            ("size", Feature::list(Value("int64"))),
            ("counts", Value("string")),
        ])
    };
    let mut object = vec![
        ("id", Value("int64")),
        ("label", Feature::ClassLabel(labels)),
        ("class_index", Value("int64")),
        ("name", Value("string")),
        ("raw_name", Value("string")),
        ("hypernym", Feature::list(Value("string"))),
        ("part_level", Value("int64")),
        ("parent", Value("int64")),
        ("children", Feature::list(Value("int64"))),
        ("occluded", Value("bool")),
        ("crop", Value("bool")),
        ("depth_rank", Value("int64")),
        ("attributes", Feature::list(Value("string"))),
        ("polygon", Feature::list(Feature::list(Value("float64")))),
        ("instance_mask", Value("string")),
        ("saved_date", Value("string")),
        ("bbox", Feature::list(Value("int64"))),
        ("area", Value("int64")),
        ("segmentation", rle()),
    ];
    if amodal {
        object.push((
            "amodal",
            Feature::Struct(vec![
                ("bbox", Feature::list(Value("int64"))),
                ("area", Value("int64")),
                ("segmentation", rle()),
            ]),
        ));
    }
    Feature::list(Feature::Struct(object))
}

/// The item's own fields, after `first` (the fields before them).
fn item_fields(
    mut first: Vec<(&'static str, Feature)>,
    labels: Vec<String>,
    amodal: bool,
) -> Vec<(&'static str, Feature)> {
    use Feature::Value;
    first.extend([
        ("width", Value("int64")),
        ("height", Value("int64")),
        ("scene", Feature::list(Value("string"))),
        ("filename", Value("string")),
        (
            "source",
            Feature::Struct(vec![
                ("folder", Value("string")),
                ("filename", Value("string")),
                ("origin", Value("string")),
            ]),
        ),
        ("objects", object_feature(labels, amodal)),
    ]);
    first
}

impl Columns {
    /// The columns of a `parquet` row, for labels named `labels` (ClassLabel
    /// order), with the objects' amodal shape when `amodal`.
    pub fn parquet(labels: Vec<String>, amodal: bool) -> Self {
        let count = labels.len();
        let first = vec![
            ("image", Feature::Image),
            ("annotation", Feature::Image),
            ("id", Feature::Value("string")),
        ];
        Columns(item_fields(first, labels, amodal), count)
    }

    /// The fields of a `webdataset` sample as `datasets` loads it: the
    /// members (`jpg` when `photos`, `seg.png`, `json`), then `__key__`
    /// and `__url__`.
    pub fn webdataset(labels: Vec<String>, amodal: bool, photos: bool) -> Self {
        let count = labels.len();
        let first = vec![
            ("id", Feature::Value("string")),
            ("subset", Feature::Value("string")),
        ];
        let mut members = Vec::new();
        if photos {
            members.push(("jpg", Feature::Image));
        }
        members.extend([
            ("seg.png", Feature::Image),
            ("json", Feature::Struct(item_fields(first, labels, amodal))),
            ("__key__", Feature::Value("string")),
            ("__url__", Feature::Value("string")),
        ]);
        Columns(members, count)
    }

    /// How many labels the objects' `label` names.
    pub fn label_count(&self) -> usize {
        self.1
    }

    /// The Arrow type of the column `name`.
    pub fn data_type(&self, name: &str) -> DataType {
        self.0
            .iter()
            .find(|(column, _)| *column == name)
            .map(|(_, feature)| feature.data_type())
            .unwrap_or_else(|| unreachable!("no column {name} is described"))
    }

    /// The Arrow schema, with the features under [`METADATA_KEY`].
    pub fn schema(&self) -> Schema {
        let metadata = HashMap::from([(METADATA_KEY.to_string(), self.metadata_json())]);
        Schema::new(struct_fields(&self.0)).with_metadata(metadata)
    }

    /// `{"info": {"features": …}}`, as `datasets` stores it in Parquet files.
    pub fn metadata_json(&self) -> String {
        let features = Feature::Struct(self.0.clone()).to_json();
        format!("{{\"info\":{{\"features\":{features}}}}}")
    }

    /// The `features:` list of the dataset card, at `indent` spaces.
    pub fn yaml(&self, indent: usize) -> String {
        let mut yaml = String::new();
        for (name, feature) in &self.0 {
            feature.write_yaml(name, indent, &mut yaml);
        }
        yaml
    }
}
