//! Parsing of `<name>.json` annotation files, with every variant the real
//! release contains.

use std::borrow::Cow;
use std::collections::HashMap;

use ade20k_model::{ClassIndex, Object, ObjectId, Occlusion, Problem, SourceInfo};
use serde_json::{Map, Value};

/// The deepest part level an annotation may give (`parts.part_level`, the
/// `_atr.txt` part level column); deeper ones are refused where the
/// annotation is read. The release's parts are a few levels deep (parts of
/// parts of objects).
pub const MAX_PART_LEVEL: u32 = 32;

/// The content of one `<name>.json` annotation file.
#[derive(Clone, Debug, PartialEq)]
pub struct Annotation {
    /// File name of the photo (`filename`); empty when absent.
    pub filename: String,
    /// Folder of the photo inside the original release (`folder`); empty when absent.
    pub folder: String,
    /// `(width, height)` of the photo from `imsize`; `None` when absent.
    pub image_size: Option<(u32, u32)>,
    /// Origin of the original photo (`source`).
    pub source: SourceInfo,
    /// Scene words (`scene`).
    pub scene: Vec<String>,
    /// Every object and part (`object`), in file order.
    pub objects: Vec<Object>,
}

/// Parses the bytes of a `<name>.json` annotation file.
///
/// The text is read as UTF-8 (a byte-order mark is skipped) and, when it is
/// not valid UTF-8, as Windows-1252. Unknown fields are ignored. Besides the
/// shape of every field, the objects are checked to form a forest: ids are
/// unique and every `parts.ispartof` names an object of the file, without
/// cycles, and part levels are at most [`MAX_PART_LEVEL`].
pub fn parse_annotation(bytes: &[u8]) -> Result<Annotation, Problem> {
    let text = decode_text(bytes);
    if text.trim().is_empty() {
        return Err(json_problem("the file is empty"));
    }
    let document: Value = serde_json::from_str(&text).map_err(|e| Problem::Json(e.to_string()))?;
    let Value::Object(top) = document else {
        return Err(json_problem(format!(
            "the top level must be an object with key `annotation`, found {}",
            describe(&document)
        )));
    };
    let annotation = match top.get("annotation") {
        Some(Value::Object(annotation)) => Fields::new(annotation, "annotation".into()),
        Some(other) => {
            return Err(json_problem(format!(
                "`annotation` must be an object, found {}",
                describe(other)
            )))
        }
        None => return Err(json_problem("the top level has no key `annotation`")),
    };
    let objects = match annotation.get("object") {
        Some(Value::Array(entries)) => entries
            .iter()
            .enumerate()
            .map(|(position, entry)| parse_object(position, entry))
            .collect::<Result<Vec<_>, _>>()?,
        Some(other) => return Err(annotation.wrong_type("object", "a list", other)),
        None => return Err(annotation.missing("object")),
    };
    check_hierarchy(&objects)?;
    Ok(Annotation {
        filename: annotation.string("filename")?,
        folder: annotation.string("folder")?,
        image_size: parse_imsize(&annotation)?,
        source: parse_source(&annotation)?,
        scene: annotation.strings("scene")?,
        objects,
    })
}

/// The text of an annotation file (JSON or `_atr.txt`): UTF-8 without its
/// byte-order mark, or Windows-1252 (a superset of Latin-1's printable range)
/// when the bytes are not valid UTF-8.
pub(crate) fn decode_text(bytes: &[u8]) -> Cow<'_, str> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(text) => Cow::Borrowed(text),
        Err(_) => {
            encoding_rs::WINDOWS_1252
                .decode_without_bom_handling(bytes)
                .0
        }
    }
}

fn parse_object(position: usize, entry: &Value) -> Result<Object, Problem> {
    let Value::Object(map) = entry else {
        return Err(json_problem(format!(
            "object at position {position} must be a JSON object, found {}",
            describe(entry)
        )));
    };
    let fields = Fields::new(map, format!("object at position {position}"));
    let ade_id = ObjectId(fields.required_uint("id")?);
    let fields = Fields::new(map, format!("object {ade_id}"));
    let class = ClassIndex(fields.required_uint("name_ndx")?);
    if class == ClassIndex::UNLABELED {
        return Err(json_problem(format!(
            "object {ade_id}: `name_ndx` must be at least 1 (0 means unlabeled)"
        )));
    }
    let instance_mask = fields.required_string("instance_mask")?;
    if instance_mask.is_empty() {
        return Err(json_problem(format!(
            "object {ade_id}: `instance_mask` is empty"
        )));
    }
    let parts = fields.nested("parts")?;
    let part_level = parts.uint("part_level")?.unwrap_or(0);
    if part_level > MAX_PART_LEVEL {
        return Err(parts.problem(
            "part_level",
            &format!("is {part_level}, deeper than the limit of {MAX_PART_LEVEL}"),
        ));
    }
    Ok(Object {
        ade_id,
        class,
        name: fields.required_string("name")?,
        raw_name: fields.string("raw_name")?,
        hypernym: fields.strings("hypernym")?,
        part_level,
        parent: parse_parent(&parts)?,
        children: parts.uints("hasparts")?.into_iter().map(ObjectId).collect(),
        occluded: parse_occlusion(&fields)?,
        crop: parse_crop(&fields)?,
        depth_rank: fields.uint("depth_ordering_rank")?,
        attributes: fields.strings("attributes")?,
        polygon: parse_polygon(&fields)?,
        instance_mask,
        saved_date: fields.string("saved_date")?,
    })
}

/// `parts.ispartof`: `[]` or absent at level 0, an id (maybe in a one-element list) otherwise.
fn parse_parent(parts: &Fields) -> Result<Option<ObjectId>, Problem> {
    let parents = parts.uints("ispartof")?;
    match parents.as_slice() {
        [] => Ok(None),
        [parent] => Ok(Some(ObjectId(*parent))),
        _ => Err(parts.problem("ispartof", "names more than one parent")),
    }
}

fn parse_occlusion(fields: &Fields) -> Result<Occlusion, Problem> {
    match fields.get("occluded") {
        None => Ok(Occlusion::Unknown),
        Some(Value::Array(values)) if values.is_empty() => Ok(Occlusion::Unknown),
        Some(Value::String(text)) if text.is_empty() => Ok(Occlusion::Unknown),
        Some(Value::String(text)) if text.eq_ignore_ascii_case("yes") => Ok(Occlusion::Yes),
        Some(Value::String(text)) if text.eq_ignore_ascii_case("no") => Ok(Occlusion::No),
        Some(other) => Err(fields.wrong_type("occluded", "\"yes\", \"no\" or []", other)),
    }
}

fn parse_crop(fields: &Fields) -> Result<bool, Problem> {
    let value = match fields.get("crop") {
        None => return Ok(false),
        Some(value) => value,
    };
    let flag = match value {
        Value::Bool(flag) => Some(*flag),
        Value::Array(values) if values.is_empty() => Some(false),
        Value::Number(number) => match number.as_f64() {
            Some(0.0) => Some(false),
            Some(1.0) => Some(true),
            _ => None,
        },
        Value::String(text) => match text.trim() {
            "0" => Some(false),
            "1" => Some(true),
            _ => None,
        },
        _ => None,
    };
    flag.ok_or_else(|| fields.wrong_type("crop", "0, 1, \"0\", \"1\", a boolean or []", value))
}

fn parse_polygon(fields: &Fields) -> Result<Vec<[f64; 2]>, Problem> {
    let polygon = match fields.get("polygon") {
        None => return Ok(Vec::new()),
        Some(Value::Array(values)) if values.is_empty() => return Ok(Vec::new()),
        Some(_) => fields.nested("polygon")?,
    };
    let xs = polygon.numbers("x")?;
    let ys = polygon.numbers("y")?;
    if xs.len() != ys.len() {
        return Err(fields.problem(
            "polygon",
            &format!("has {} x and {} y coordinates", xs.len(), ys.len()),
        ));
    }
    Ok(xs.into_iter().zip(ys).map(|(x, y)| [x, y]).collect())
}

/// `imsize`: `[height, width]` or `[height, width, channels]`.
fn parse_imsize(annotation: &Fields) -> Result<Option<(u32, u32)>, Problem> {
    let Some(value) = annotation.get("imsize") else {
        return Ok(None);
    };
    let expected = "[height, width, channels] of positive integers";
    let Value::Array(dimensions) = value else {
        return Err(annotation.wrong_type("imsize", expected, value));
    };
    match dimensions.as_slice() {
        [height, width] | [height, width, _] => match (as_uint(height), as_uint(width)) {
            (Some(height), Some(width)) if height > 0 && width > 0 => Ok(Some((width, height))),
            _ => Err(annotation.wrong_type("imsize", expected, value)),
        },
        _ => Err(annotation.wrong_type("imsize", expected, value)),
    }
}

fn parse_source(annotation: &Fields) -> Result<SourceInfo, Problem> {
    let source = annotation.nested("source")?;
    Ok(SourceInfo {
        folder: source.string("folder")?,
        filename: source.string("filename")?,
        origin: source.string("origin")?,
    })
}

/// Checks that object ids are unique and that the parent links name objects of
/// the item and form no cycle.
fn check_hierarchy(objects: &[Object]) -> Result<(), Problem> {
    let mut position_of_id = HashMap::with_capacity(objects.len());
    for (position, object) in objects.iter().enumerate() {
        if let Some(first) = position_of_id.insert(object.ade_id, position) {
            return Err(Problem::Invalid(format!(
                "object id {} is used twice (positions {first} and {position})",
                object.ade_id
            )));
        }
    }
    let mut parent_position = Vec::with_capacity(objects.len());
    for object in objects {
        parent_position.push(match object.parent {
            None => None,
            Some(parent) => Some(*position_of_id.get(&parent).ok_or_else(|| {
                Problem::Invalid(format!(
                    "object {}: parent {parent} (parts.ispartof) is not an object of this item",
                    object.ade_id
                ))
            })?),
        });
    }
    // Each object has at most one parent, so following parents from any object
    // either reaches a root or enters a cycle. `state` marks objects already
    // known to reach a root (`Done`) and those on the current path (`OnPath`).
    #[derive(Clone, Copy, PartialEq)]
    enum State {
        Unvisited,
        OnPath,
        Done,
    }
    let mut state = vec![State::Unvisited; objects.len()];
    let mut path = Vec::new();
    for start in 0..objects.len() {
        let mut current = Some(start);
        while let Some(position) = current {
            match state.get(position).copied() {
                Some(State::Unvisited) => {
                    state[position] = State::OnPath;
                    path.push(position);
                    current = parent_position.get(position).copied().flatten();
                }
                Some(State::OnPath) => {
                    let cycle_start = path.iter().position(|&p| p == position).unwrap_or(0);
                    let ids: Vec<String> = path[cycle_start..]
                        .iter()
                        .chain([&position])
                        .filter_map(|&p| objects.get(p))
                        .map(|object| object.ade_id.to_string())
                        .collect();
                    return Err(Problem::Invalid(format!(
                        "objects {} form a cycle of parents (parts.ispartof)",
                        ids.join(" → ")
                    )));
                }
                Some(State::Done) | None => current = None,
            }
        }
        for position in path.drain(..) {
            state[position] = State::Done;
        }
    }
    Ok(())
}

/// The fields of one JSON object, read with error messages that say where the
/// object is (`context`) and which field is wrong.
struct Fields<'a> {
    map: Option<&'a Map<String, Value>>,
    context: String,
    /// Prefix of the field names in messages, e.g. `parts.`.
    prefix: String,
}

impl<'a> Fields<'a> {
    fn new(map: &'a Map<String, Value>, context: String) -> Self {
        Fields {
            map: Some(map),
            context,
            prefix: String::new(),
        }
    }

    /// The object in field `name`; absent, `null`, `""`, `[]` and `{}` give no fields.
    fn nested(&self, name: &str) -> Result<Fields<'a>, Problem> {
        let map = match self.get(name) {
            None => None,
            Some(Value::Object(map)) => Some(map),
            Some(Value::String(text)) if text.is_empty() => None,
            Some(Value::Array(values)) if values.is_empty() => None,
            Some(other) => return Err(self.wrong_type(name, "an object", other)),
        };
        Ok(Fields {
            map,
            context: self.context.clone(),
            prefix: format!("{}{name}.", self.prefix),
        })
    }

    /// The value of field `name`; `null` counts as absent.
    fn get(&self, name: &str) -> Option<&'a Value> {
        self.map?.get(name).filter(|value| !value.is_null())
    }

    fn problem(&self, name: &str, message: &str) -> Problem {
        json_problem(format!(
            "{}: field `{}{name}` {message}",
            self.context, self.prefix
        ))
    }

    fn wrong_type(&self, name: &str, expected: &str, found: &Value) -> Problem {
        self.problem(
            name,
            &format!("must be {expected}, found {}", describe(found)),
        )
    }

    fn missing(&self, name: &str) -> Problem {
        self.problem(name, "is required but missing")
    }

    /// A string field; absent gives `""`.
    fn string(&self, name: &str) -> Result<String, Problem> {
        match self.get(name) {
            None => Ok(String::new()),
            Some(Value::String(text)) => Ok(text.clone()),
            Some(other) => Err(self.wrong_type(name, "a string", other)),
        }
    }

    fn required_string(&self, name: &str) -> Result<String, Problem> {
        match self.get(name) {
            None => Err(self.missing(name)),
            Some(_) => self.string(name),
        }
    }

    /// A list of strings; a single string is a one-element list, except `""`
    /// which, like absence, gives an empty list.
    fn strings(&self, name: &str) -> Result<Vec<String>, Problem> {
        match self.get(name) {
            None => Ok(Vec::new()),
            Some(Value::String(text)) if text.is_empty() => Ok(Vec::new()),
            Some(value) => one_or_many(value)
                .iter()
                .map(|item| match item {
                    Value::String(text) => Ok(text.clone()),
                    _ => Err(self.wrong_type(name, "a string or a list of strings", value)),
                })
                .collect(),
        }
    }

    /// A non-negative integer; absent, `[]` and `""` give `None`.
    fn uint(&self, name: &str) -> Result<Option<u32>, Problem> {
        match self.get(name) {
            None => Ok(None),
            Some(Value::Array(values)) if values.is_empty() => Ok(None),
            Some(Value::String(text)) if text.is_empty() => Ok(None),
            Some(value) => as_uint(value)
                .map(Some)
                .ok_or_else(|| self.wrong_type(name, "a non-negative integer", value)),
        }
    }

    fn required_uint(&self, name: &str) -> Result<u32, Problem> {
        self.uint(name)?.ok_or_else(|| self.missing(name))
    }

    /// A list of non-negative integers; a single integer is a one-element list.
    fn uints(&self, name: &str) -> Result<Vec<u32>, Problem> {
        match self.get(name) {
            None => Ok(Vec::new()),
            Some(value) => one_or_many(value)
                .iter()
                .map(|item| {
                    as_uint(item).ok_or_else(|| {
                        self.wrong_type(name, "an integer or a list of integers", value)
                    })
                })
                .collect(),
        }
    }

    /// A list of numbers; a single number is a one-element list.
    fn numbers(&self, name: &str) -> Result<Vec<f64>, Problem> {
        match self.get(name) {
            None => Ok(Vec::new()),
            Some(value) => one_or_many(value)
                .iter()
                .map(|item| {
                    item.as_f64().ok_or_else(|| {
                        self.wrong_type(name, "a number or a list of numbers", value)
                    })
                })
                .collect(),
        }
    }
}

/// The elements of a list, or the value itself as a one-element list.
fn one_or_many(value: &Value) -> &[Value] {
    match value {
        Value::Array(values) => values,
        single => std::slice::from_ref(single),
    }
}

/// A JSON number that is a whole number in `0..=u32::MAX` (`3` or `3.0`).
fn as_uint(value: &Value) -> Option<u32> {
    let number = value.as_number()?;
    match number.as_u64() {
        Some(n) => u32::try_from(n).ok(),
        None => number
            .as_f64()
            .filter(|n| n.fract() == 0.0 && (0.0..=f64::from(u32::MAX)).contains(n))
            .map(|n| n as u32),
    }
}

fn json_problem(message: impl Into<String>) -> Problem {
    Problem::Json(message.into())
}

/// A short rendering of a JSON value for error messages.
fn describe(value: &Value) -> String {
    shorten(&value.to_string())
}

/// `text` cut to its first 40 characters (with `…`) for error messages.
pub(crate) fn shorten(text: &str) -> String {
    const LIMIT: usize = 40;
    match text.char_indices().nth(LIMIT) {
        Some((end, _)) => format!("{}…", &text[..end]),
        None => text.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// An annotation with one object per entry of `objects`, each completed
    /// with the required fields it lacks.
    fn annotation_with(objects: Vec<Value>) -> Vec<u8> {
        let objects: Vec<Value> = objects
            .into_iter()
            .enumerate()
            .map(|(position, mut object)| {
                let defaults = json!({
                    "id": position,
                    "name": "wall",
                    "name_ndx": 2978,
                    "instance_mask": format!("x/instance_{position:03}_x.png"),
                });
                if let (Value::Object(map), Value::Object(defaults)) = (&mut object, defaults) {
                    for (key, value) in defaults {
                        map.entry(key).or_insert(value);
                    }
                }
                object
            })
            .collect();
        json!({ "annotation": { "imsize": [3, 4, 3], "object": objects } })
            .to_string()
            .into_bytes()
    }

    fn parse_one(object: Value) -> Result<Object, Problem> {
        Ok(parse_annotation(&annotation_with(vec![object]))?
            .objects
            .remove(0))
    }

    fn message(result: Result<impl std::fmt::Debug, Problem>) -> String {
        result.expect_err("expected an error").to_string()
    }

    #[test]
    fn reads_a_complete_real_style_annotation() {
        let bytes = json!({"annotation": {
            "filename": "ADE_train_00000001.jpg",
            "folder": "ADE20K_2021_17_01/images/ADE/training/urban/street",
            "imsize": [480, 640, 3],
            "source": {"folder": "f", "filename": "orig.jpg", "origin": "LabelMe"},
            "scene": ["outdoor", "urban", "street"],
            "object": [{
                "id": 0, "name": "car, auto", "name_ndx": 401,
                "hypernym": ["car, auto", "entity"], "raw_name": "cars",
                "attributes": ["parked", "red"], "depth_ordering_rank": 2,
                "occluded": "yes", "crop": "1",
                "parts": {"part_level": 0, "ispartof": [], "hasparts": [1, 2]},
                "instance_mask": "ADE_train_00000001/instance_000_ADE_train_00000001.png",
                "polygon": {"x": [1, 2.5, 3], "y": [4, 5, 6.25], "click_date": ["d"]},
                "saved_date": "21-Jan-2006 17:11:45",
                "unknown_extra_field": {"ignored": true}
            }, {
                "id": 1, "name": "wheel", "name_ndx": 3000,
                "parts": {"part_level": 1, "ispartof": 0, "hasparts": []},
                "instance_mask": "ADE_train_00000001/instance_001_ADE_train_00000001.png"
            }, {
                "id": 2, "name": "door", "name_ndx": 800,
                "parts": {"part_level": 1, "ispartof": [0], "hasparts": 3},
                "instance_mask": "ADE_train_00000001/instance_002_ADE_train_00000001.png"
            }, {
                "id": 3, "name": "handle", "name_ndx": 1200,
                "parts": {"part_level": 2, "ispartof": 2, "hasparts": []},
                "instance_mask": "ADE_train_00000001/instance_003_ADE_train_00000001.png"
            }]
        }})
        .to_string();
        let annotation = parse_annotation(bytes.as_bytes()).unwrap();
        assert_eq!(annotation.filename, "ADE_train_00000001.jpg");
        assert_eq!(annotation.image_size, Some((640, 480)));
        assert_eq!(annotation.source.origin, "LabelMe");
        assert_eq!(annotation.scene, ["outdoor", "urban", "street"]);
        let car = &annotation.objects[0];
        assert_eq!(
            (car.ade_id, car.class, car.raw_name.as_str()),
            (ObjectId(0), ClassIndex(401), "cars")
        );
        assert_eq!(car.hypernym, ["car, auto", "entity"]);
        assert_eq!(car.attributes, ["parked", "red"]);
        assert_eq!(car.depth_rank, Some(2));
        assert_eq!(car.occluded, Occlusion::Yes);
        assert!(car.crop);
        assert_eq!(
            (car.parent, car.children.as_slice()),
            (None, &[ObjectId(1), ObjectId(2)][..])
        );
        assert_eq!(car.polygon, [[1.0, 4.0], [2.5, 5.0], [3.0, 6.25]]);
        assert_eq!(car.saved_date, "21-Jan-2006 17:11:45");
        let parents: Vec<_> = annotation.objects.iter().map(|o| o.parent).collect();
        assert_eq!(
            parents,
            [None, Some(0), Some(0), Some(2)].map(|id| id.map(ObjectId))
        );
        assert_eq!(annotation.objects[2].children, [ObjectId(3)]);
        assert_eq!(annotation.objects[3].part_level, 2);
    }

    #[test]
    fn missing_optional_fields_take_their_defaults() {
        let object = parse_one(json!({})).unwrap();
        assert_eq!(object.raw_name, "");
        assert!(object.hypernym.is_empty() && object.attributes.is_empty());
        assert_eq!(object.depth_rank, None);
        assert_eq!(object.occluded, Occlusion::Unknown);
        assert!(!object.crop);
        assert_eq!((object.part_level, object.parent), (0, None));
        assert!(object.children.is_empty() && object.polygon.is_empty());
        assert_eq!(object.saved_date, "");
        let bytes = json!({"annotation": {"object": []}}).to_string();
        let annotation = parse_annotation(bytes.as_bytes()).unwrap();
        assert_eq!(annotation.image_size, None);
        assert_eq!(annotation.source, SourceInfo::default());
        assert!(annotation.scene.is_empty());
        let bytes = json!({"annotation": {"scene": "street", "source": "", "object": []}});
        let annotation = parse_annotation(bytes.to_string().as_bytes()).unwrap();
        assert_eq!(annotation.scene, ["street"]);
    }

    #[test]
    fn attribute_variants() {
        let attributes = |value: Value| {
            parse_one(json!({ "attributes": value }))
                .unwrap()
                .attributes
        };
        assert!(attributes(json!([])).is_empty());
        assert!(attributes(json!("")).is_empty());
        assert_eq!(attributes(json!("walking")), ["walking"]);
        assert_eq!(attributes(json!(["a", "b"])), ["a", "b"]);
        assert!(message(parse_one(json!({"id": 4, "attributes": 7})))
            .contains("object 4: field `attributes`"));
    }

    #[test]
    fn occlusion_crop_and_depth_variants() {
        let occluded = |value: Value| parse_one(json!({ "occluded": value })).unwrap().occluded;
        assert_eq!(occluded(json!("no")), Occlusion::No);
        assert_eq!(occluded(json!([])), Occlusion::Unknown);
        assert_eq!(occluded(json!("")), Occlusion::Unknown);
        let crop = |value: Value| parse_one(json!({ "crop": value })).unwrap().crop;
        for (value, expected) in [
            (json!(0), false),
            (json!(1), true),
            (json!("0"), false),
            (json!("1"), true),
            (json!(true), true),
            (json!([]), false),
        ] {
            assert_eq!(crop(value.clone()), expected, "{value}");
        }
        assert!(message(parse_one(json!({"crop": 2}))).contains("`crop`"));
        let rank = |value: Value| parse_one(json!({ "depth_ordering_rank": value })).unwrap();
        assert_eq!(rank(json!(3)).depth_rank, Some(3));
        assert_eq!(rank(json!([])).depth_rank, None);
        assert!(message(parse_one(json!({"occluded": "maybe"}))).contains("`occluded`"));
    }

    #[test]
    fn has_parts_variants() {
        let annotation = |hasparts: Value| {
            annotation_with(vec![
                json!({"parts": {"hasparts": hasparts}}),
                json!({"parts": {"part_level": 1, "ispartof": 0}}),
                json!({"parts": {"part_level": 1, "ispartof": [0]}}),
            ])
        };
        let children = |value: Value| {
            parse_annotation(&annotation(value)).unwrap().objects[0]
                .children
                .clone()
        };
        assert!(children(json!([])).is_empty());
        assert_eq!(children(json!(1)), [ObjectId(1)]);
        assert_eq!(children(json!([1, 2])), [ObjectId(1), ObjectId(2)]);
        assert!(message(parse_annotation(&annotation(json!("one"))))
            .contains("object 0: field `parts.hasparts`"));
    }

    #[test]
    fn polygon_variants() {
        let polygon = |value: Value| parse_one(json!({ "polygon": value }));
        assert!(polygon(json!({})).unwrap().polygon.is_empty());
        assert!(polygon(json!([])).unwrap().polygon.is_empty());
        assert_eq!(
            polygon(json!({"x": [0.5, 2], "y": [1, 3.5], "click_date": []}))
                .unwrap()
                .polygon,
            [[0.5, 1.0], [2.0, 3.5]]
        );
        let mismatch = message(polygon(json!({"x": [1, 2, 3], "y": [1, 2]})));
        assert!(
            mismatch.contains("object 0: field `polygon` has 3 x and 2 y"),
            "{mismatch}"
        );
        assert!(message(polygon(json!({"x": ["1"], "y": [1]}))).contains("`polygon.x`"));
    }

    #[test]
    fn wrong_types_name_the_object_and_field() {
        let text = message(parse_one(json!({"id": 7, "name_ndx": "401"})));
        assert!(text.contains("object 7: field `name_ndx` must be a non-negative integer"));
        let text = message(parse_one(json!({"id": 7, "name_ndx": 0})));
        assert!(text.contains("at least 1"), "{text}");
        let text = message(parse_one(json!({"id": -1})));
        assert!(text.contains("object at position 0: field `id`"), "{text}");
        let text = message(parse_one(json!({"id": 3, "instance_mask": null})));
        assert!(
            text.contains("object 3: field `instance_mask` is required"),
            "{text}"
        );
        let text = message(parse_one(json!({"id": 3, "saved_date": 5})));
        assert!(text.contains("`saved_date` must be a string"), "{text}");
    }

    #[test]
    fn malformed_documents_are_rejected_with_a_reason() {
        let truncated = message(parse_annotation(br#"{"annotation": {"object": ["#));
        assert!(truncated.contains("EOF"), "{truncated}");
        assert!(message(parse_annotation(b"[1, 2]")).contains("top level must be an object"));
        assert!(message(parse_annotation(br#"{"other": {}}"#)).contains("no key `annotation`"));
        let wrong = message(parse_annotation(br#"{"annotation": {"object": {}}}"#));
        assert!(
            wrong.contains("field `object` must be a list, found {}"),
            "{wrong}"
        );
        let missing = message(parse_annotation(br#"{"annotation": {}}"#));
        assert!(
            missing.contains("annotation: field `object` is required but missing"),
            "{missing}"
        );
        let imsize = message(parse_annotation(
            br#"{"annotation": {"imsize": [0, 5], "object": []}}"#,
        ));
        assert!(imsize.contains("`imsize`"), "{imsize}");
        for empty in [&b""[..], b"\xEF\xBB\xBF", b" \n"] {
            assert_eq!(
                message(parse_annotation(empty)),
                "invalid JSON: the file is empty"
            );
        }
    }

    #[test]
    fn part_levels_deeper_than_the_limit_are_refused() {
        let level = |part_level: u64| {
            parse_one(json!({"id": 4, "parts": {"part_level": part_level, "ispartof": []}}))
        };
        assert_eq!(level(u64::from(MAX_PART_LEVEL)).unwrap().part_level, 32);
        assert_eq!(
            message(level(u64::from(u32::MAX))),
            "invalid JSON: object 4: field `parts.part_level` is 4294967295, \
             deeper than the limit of 32"
        );
    }

    #[test]
    fn hierarchy_errors() {
        let repeated = annotation_with(vec![json!({"id": 1}), json!({"id": 1})]);
        assert!(message(parse_annotation(&repeated)).contains("object id 1 is used twice"));
        let orphan = annotation_with(vec![json!({"id": 0, "parts": {"ispartof": 9}})]);
        assert!(message(parse_annotation(&orphan))
            .contains("object 0: parent 9 (parts.ispartof) is not an object of this item"));
        let cycle = annotation_with(vec![
            json!({"parts": {"ispartof": []}}),
            json!({"parts": {"ispartof": 2}}),
            json!({"parts": {"ispartof": 1}}),
        ]);
        let text = message(parse_annotation(&cycle));
        assert!(text.contains("objects 1 → 2 → 1 form a cycle"), "{text}");
        let own_parent = annotation_with(vec![json!({"parts": {"ispartof": 0}})]);
        assert!(message(parse_annotation(&own_parent)).contains("cycle"));
        let two_parents = annotation_with(vec![json!({"parts": {"ispartof": [0, 1]}})]);
        assert!(message(parse_annotation(&two_parents)).contains("more than one parent"));
    }

    #[test]
    fn text_falls_back_to_windows_1252_and_skips_the_bom() {
        let mut latin1 = annotation_with(vec![json!({"raw_name": "caf__"})]);
        let at = latin1.windows(5).position(|w| w == b"caf__").unwrap();
        latin1.splice(at + 3..at + 5, [0xE9]);
        assert_eq!(parse_one_raw(&latin1), "café");
        let mut bom = b"\xEF\xBB\xBF".to_vec();
        bom.extend(annotation_with(vec![json!({"raw_name": "café"})]));
        assert_eq!(parse_one_raw(&bom), "café");
    }

    fn parse_one_raw(bytes: &[u8]) -> String {
        parse_annotation(bytes).unwrap().objects[0].raw_name.clone()
    }

    #[test]
    fn damaged_annotations_never_panic() {
        let valid = annotation_with(vec![
            json!({"parts": {"hasparts": [1]}, "polygon": {"x": [1], "y": [2]}}),
            json!({"parts": {"part_level": 1, "ispartof": 0}, "crop": "1"}),
        ]);
        for end in 0..valid.len() {
            let _ = parse_annotation(&valid[..end]);
        }
        for position in 0..valid.len() {
            for replacement in [b'"', b'[', b'{', b'1', b'-', 0xFF] {
                let mut damaged = valid.clone();
                damaged[position] = replacement;
                let _ = parse_annotation(&damaged);
            }
        }
    }

    #[test]
    fn long_values_are_shortened_in_messages() {
        let long = "x".repeat(100);
        let text = message(parse_one(json!({"id": 0, "name": ["a", long]})));
        assert!(text.contains('…') && text.len() < 200, "{text}");
    }
}
