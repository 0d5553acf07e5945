//! The source's annotation file of an item (`<name>.json`), edited as text
//! for `ade20k2020`.
//!
//! A cut removes entries of the `object` list and of `hasparts` lists (a bare
//! `hasparts` id whose part goes becomes `[]`), and an `instance_mask` that
//! does not name the file the output writes is set to that name. Every other
//! byte stays as the source wrote it: field order, spacing, the spelling of
//! every value (`"crop":"0"`, a bare attribute string, `click_date`, unknown
//! fields), a byte-order mark, and the text encoding (a file that is not UTF-8
//! is edited byte for byte). A file that nothing changes is written as it is.

use std::borrow::Cow;
use std::collections::HashSet;
use std::ops::Range;

use ade20k_model::{Error, Item, ObjectId, Problem, SourceFile};
use serde::Deserialize;
use serde_json::value::RawValue;
use serde_json::Number;

/// The UTF-8 byte-order mark, which the importer skips.
const BOM: &[u8] = b"\xEF\xBB\xBF";

/// An annotation file, parsed as far as editing it needs.
pub(crate) struct SourceAnnotation {
    /// The file as read.
    file: SourceFile,
    /// The text after the byte-order mark. A file that is not UTF-8 is held
    /// as one char per byte (U+0000 to U+00FF), so that its bytes come back
    /// from the chars; JSON's syntax is ASCII, so it parses the same.
    text: String,
    /// Whether the file is UTF-8.
    utf8: bool,
    /// Whether the file starts with a byte-order mark.
    bom: bool,
    /// The `object` list.
    objects: ListSpan,
    /// The entries of `object`, in file order.
    entries: Vec<Entry>,
}

/// A JSON list in the text: where it is and where its elements are.
struct ListSpan {
    span: Range<usize>,
    elements: Vec<Range<usize>>,
}

/// One entry of `object`.
struct Entry {
    id: ObjectId,
    /// `parts.hasparts`, when given.
    hasparts: Option<HasParts>,
    /// Where the `instance_mask` value is, and the path it says.
    instance_mask: Option<(Range<usize>, String)>,
}

/// `parts.hasparts` of an entry.
enum HasParts {
    /// A bare id: where it is, and the id.
    Single(Range<usize>, ObjectId),
    /// A list of ids.
    List(ListSpan, Vec<ObjectId>),
}

/// One change of the text: `span` becomes `text`.
struct Edit {
    span: Range<usize>,
    text: String,
}

/// The annotation as written, and what it changed.
pub(crate) struct Written<'a> {
    /// The bytes of the file to write.
    pub bytes: Cow<'a, [u8]>,
    /// Entries of the source that it no longer lists.
    pub removed: usize,
    /// Instance masks whose `instance_mask` it changed to the name written.
    pub renamed_masks: usize,
}

impl SourceAnnotation {
    /// Parses `file` as far as editing it needs.
    pub(crate) fn parse(file: SourceFile) -> Result<Self, Error> {
        let body = file.bytes.strip_prefix(BOM).unwrap_or(&file.bytes);
        let bom = body.len() < file.bytes.len();
        let (text, utf8) = match std::str::from_utf8(body) {
            Ok(text) => (text.to_owned(), true),
            Err(_) => (body.iter().copied().map(char::from).collect(), false),
        };
        let (objects, entries) = parse_objects(&text)
            .map_err(|problem| Error::new(&file.path, Problem::Json(problem)))?;
        Ok(SourceAnnotation {
            file,
            text,
            utf8,
            bom,
            objects,
            entries,
        })
    }

    /// Checks that the objects of `item` are entries of this file, in the
    /// same order; the file may list more (objects an item filter removed).
    pub(crate) fn check_objects_of(&self, item: &Item) -> Result<(), Error> {
        let mut entries = self.entries.iter();
        for object in &item.objects {
            if !entries.any(|entry| entry.id == object.ade_id) {
                return Err(Error::invalid(
                    &self.file.path,
                    format!(
                        "does not list object {} where the item read from it has it: \
                         the file changed while it was converted",
                        object.ade_id
                    ),
                ));
            }
        }
        Ok(())
    }

    /// The file with only the entries whose id is in `written`, and every
    /// `instance_mask` set to `mask_name` of its entry's id; the source's
    /// bytes when that changes nothing.
    pub(crate) fn written(
        &self,
        written: &HashSet<ObjectId>,
        mask_name: impl Fn(ObjectId) -> String,
    ) -> Written<'_> {
        let mut edits = Vec::new();
        let mut renamed_masks = 0;
        remove_elements(
            &self.objects,
            |index| written.contains(&self.entries[index].id),
            &mut edits,
        );
        for entry in self.entries.iter().filter(|e| written.contains(&e.id)) {
            match &entry.hasparts {
                Some(HasParts::Single(span, child)) if !written.contains(child) => {
                    edits.push(Edit {
                        span: span.clone(),
                        text: "[]".into(),
                    });
                }
                Some(HasParts::List(list, children)) => {
                    remove_elements(list, |index| written.contains(&children[index]), &mut edits);
                }
                _ => {}
            }
            if let Some((span, path)) = &entry.instance_mask {
                let name = mask_name(entry.id);
                if *path != name {
                    renamed_masks += 1;
                    edits.push(Edit {
                        span: span.clone(),
                        text: json_string(&name, self.utf8),
                    });
                }
            }
        }
        let removed = self
            .entries
            .iter()
            .filter(|entry| !written.contains(&entry.id))
            .count();
        if edits.is_empty() {
            return Written {
                bytes: Cow::Borrowed(&self.file.bytes),
                removed,
                renamed_masks,
            };
        }
        edits.sort_by_key(|edit| edit.span.start);
        let mut text = String::with_capacity(self.text.len());
        let mut at = 0;
        for edit in &edits {
            text.push_str(&self.text[at..edit.span.start]);
            text.push_str(&edit.text);
            at = edit.span.end;
        }
        text.push_str(&self.text[at..]);
        let mut bytes = if self.bom { BOM.to_vec() } else { Vec::new() };
        if self.utf8 {
            bytes.extend_from_slice(text.as_bytes());
        } else {
            // Every char is a byte of the source or ASCII written here.
            bytes.extend(text.chars().map(|c| c as u8));
        }
        Written {
            bytes: Cow::Owned(bytes),
            removed,
            renamed_masks,
        }
    }
}

/// The edits that remove from `list` the elements `keep` refuses, keeping the
/// source's separators between the others; a list left empty becomes `[]`.
fn remove_elements(list: &ListSpan, keep: impl Fn(usize) -> bool, edits: &mut Vec<Edit>) {
    let elements = &list.elements;
    let Some(first) = (0..elements.len()).find(|&index| keep(index)) else {
        if !elements.is_empty() {
            edits.push(Edit {
                span: list.span.clone(),
                text: "[]".into(),
            });
        }
        return;
    };
    let delete = |span: Range<usize>| Edit {
        span,
        text: String::new(),
    };
    if first > 0 {
        edits.push(delete(elements[0].start..elements[first].start));
    }
    for index in first + 1..elements.len() {
        if !keep(index) {
            edits.push(delete(elements[index - 1].end..elements[index].end));
        }
    }
}

/// `value` as a JSON string; characters beyond ASCII escaped (`\u00e9`) unless
/// the file is UTF-8, so that the text keeps the file's encoding.
fn json_string(value: &str, utf8: bool) -> String {
    let text = serde_json::to_string(value).unwrap_or_default();
    if utf8 {
        return text;
    }
    let mut ascii = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_ascii() {
            ascii.push(c);
        } else {
            let mut units = [0; 2];
            for unit in c.encode_utf16(&mut units) {
                ascii.push_str(&format!("\\u{unit:04x}"));
            }
        }
    }
    ascii
}

/// The top level, as far as editing reads it.
#[derive(Deserialize)]
struct DocumentFields<'a> {
    #[serde(borrow)]
    annotation: &'a RawValue,
}

/// `annotation`, as far as editing reads it.
#[derive(Deserialize)]
struct AnnotationFields<'a> {
    #[serde(borrow)]
    object: &'a RawValue,
}

/// An entry of `object`, as far as editing reads it.
#[derive(Deserialize)]
struct EntryFields<'a> {
    #[serde(default)]
    id: Option<Number>,
    #[serde(borrow, default)]
    parts: Option<&'a RawValue>,
    #[serde(borrow, default)]
    instance_mask: Option<&'a RawValue>,
}

/// `parts` of an entry, as far as editing reads it.
#[derive(Deserialize)]
struct PartsFields<'a> {
    #[serde(borrow, default)]
    hasparts: Option<&'a RawValue>,
}

/// The `object` list of `text` and its entries.
fn parse_objects(text: &str) -> Result<(ListSpan, Vec<Entry>), String> {
    let document: DocumentFields = serde_json::from_str(text).map_err(|e| e.to_string())?;
    let annotation: AnnotationFields =
        serde_json::from_str(document.annotation.get()).map_err(|e| format!("annotation: {e}"))?;
    let (objects, raw_entries) = list(text, annotation.object).ok_or("`object` must be a list")?;
    let entries = raw_entries
        .into_iter()
        .enumerate()
        .map(|(position, raw)| {
            parse_entry(text, raw).map_err(|e| format!("object at position {position}: {e}"))
        })
        .collect::<Result<_, _>>()?;
    Ok((objects, entries))
}

fn parse_entry(text: &str, raw: &RawValue) -> Result<Entry, String> {
    let fields: EntryFields = serde_json::from_str(raw.get()).map_err(|e| e.to_string())?;
    let id = fields
        .id
        .as_ref()
        .and_then(whole_number)
        .map(ObjectId)
        .ok_or("`id` must be a non-negative integer")?;
    let hasparts = match fields.parts.filter(|parts| parts.get().starts_with('{')) {
        None => None,
        Some(parts) => {
            let parts: PartsFields =
                serde_json::from_str(parts.get()).map_err(|e| e.to_string())?;
            parts
                .hasparts
                .map(|hasparts| parse_hasparts(text, hasparts))
                .transpose()?
        }
    };
    let instance_mask = fields
        .instance_mask
        .map(|raw| {
            let path: String = serde_json::from_str(raw.get())
                .map_err(|_| "`instance_mask` must be a string".to_string())?;
            Ok::<_, String>((span(text, raw), path))
        })
        .transpose()?;
    Ok(Entry {
        id,
        hasparts,
        instance_mask,
    })
}

/// `parts.hasparts`: a bare id or a list of ids.
fn parse_hasparts(text: &str, raw: &RawValue) -> Result<HasParts, String> {
    let id = |raw: &RawValue| {
        serde_json::from_str::<Number>(raw.get())
            .ok()
            .as_ref()
            .and_then(whole_number)
            .map(ObjectId)
            .ok_or("`parts.hasparts` must be an id or a list of ids")
    };
    match list(text, raw) {
        Some((list, elements)) => {
            let ids = elements.into_iter().map(id).collect::<Result<_, _>>()?;
            Ok(HasParts::List(list, ids))
        }
        None => Ok(HasParts::Single(span(text, raw), id(raw)?)),
    }
}

/// `raw` as a list, when it is one: its span and elements.
fn list<'a>(text: &str, raw: &'a RawValue) -> Option<(ListSpan, Vec<&'a RawValue>)> {
    let elements: Vec<&RawValue> = serde_json::from_str(raw.get()).ok()?;
    let list = ListSpan {
        span: span(text, raw),
        elements: elements.iter().map(|element| span(text, element)).collect(),
    };
    Some((list, elements))
}

/// Where `raw`, a slice of `text`, is in it.
fn span(text: &str, raw: &RawValue) -> Range<usize> {
    let start = raw.get().as_ptr() as usize - text.as_ptr() as usize;
    start..start + raw.get().len()
}

/// A JSON number that is a whole number in `0..=u32::MAX` (`3` or `3.0`), as
/// the importer reads ids.
fn whole_number(number: &Number) -> Option<u32> {
    match number.as_u64() {
        Some(n) => u32::try_from(n).ok(),
        None => number
            .as_f64()
            .filter(|n| n.fract() == 0.0 && (0.0..=f64::from(u32::MAX)).contains(n))
            .map(|n| n as u32),
    }
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;
    use std::sync::Arc;

    use ade20k_model::{ImageInfo, InMemoryMasks, Object, SourceInfo};

    use super::*;

    fn annotation(bytes: &[u8]) -> SourceAnnotation {
        SourceAnnotation::parse(SourceFile {
            path: PathBuf::from("a/x.json"),
            bytes: bytes.to_vec(),
        })
        .unwrap()
    }

    /// The mask name of object `id` in the tests' files: `m<id>`.
    fn mask_name(id: ObjectId) -> String {
        format!("m{id}")
    }

    /// The file written with the objects `ids`.
    fn written_with(source: &SourceAnnotation, ids: &[u32]) -> String {
        let written = source.written(&ids.iter().copied().map(ObjectId).collect(), mask_name);
        String::from_utf8(written.bytes.into_owned()).unwrap()
    }

    /// One line without spaces, as the release writes it: ids with gaps, a
    /// bare `hasparts`, a list of them, string crop flags, `click_date`.
    const RELEASE: &str = concat!(
        r#"{"annotation":{"filename":"x.jpg","object":["#,
        r#"{"id":0,"crop":"0","parts":{"hasparts":5,"ispartof":[],"part_level":0},"instance_mask":"m0"},"#,
        r#"{"id":2,"crop":"1","parts":{"hasparts":[6,9],"ispartof":[],"part_level":0},"instance_mask":"m2","polygon":{"x":[1],"y":[2],"click_date":["d"]}},"#,
        r#"{"id":5,"parts":{"ispartof":0,"hasparts":[],"part_level":1},"instance_mask":"m5"},"#,
        r#"{"id":6,"parts":{"ispartof":2,"hasparts":[],"part_level":1},"instance_mask":"m6"},"#,
        r#"{"id":9,"parts":{"ispartof":2,"hasparts":[],"part_level":1},"instance_mask":"m9"}"#,
        r#"]}}"#
    );

    #[test]
    fn a_file_that_nothing_changes_is_its_bytes() {
        let source = annotation(RELEASE.as_bytes());
        let written = source.written(&[0, 2, 5, 6, 9].map(ObjectId).into(), mask_name);
        assert!(matches!(written.bytes, Cow::Borrowed(_)));
        assert_eq!(written.bytes, RELEASE.as_bytes());
        assert_eq!((written.removed, written.renamed_masks), (0, 0));
    }

    #[test]
    fn removed_entries_leave_the_list_and_the_links_and_the_rest_is_as_written() {
        let source = annotation(RELEASE.as_bytes());
        // The first, one in the middle and the last go.
        let text = written_with(&source, &[2, 6]);
        assert_eq!(
            text,
            concat!(
                r#"{"annotation":{"filename":"x.jpg","object":["#,
                r#"{"id":2,"crop":"1","parts":{"hasparts":[6],"ispartof":[],"part_level":0},"instance_mask":"m2","polygon":{"x":[1],"y":[2],"click_date":["d"]}},"#,
                r#"{"id":6,"parts":{"ispartof":2,"hasparts":[],"part_level":1},"instance_mask":"m6"}"#,
                r#"]}}"#
            )
        );
        // A bare id whose part goes becomes [].
        let text = written_with(&source, &[0, 2]);
        assert!(
            text.contains(r#"{"id":0,"crop":"0","parts":{"hasparts":[],"#),
            "{text}"
        );
        assert!(
            text.contains(r#""hasparts":[],"ispartof":[],"part_level":0},"instance_mask":"m2""#)
        );
        let written = source.written(&[0, 2].map(ObjectId).into(), mask_name);
        assert_eq!(written.removed, 3);
        assert_eq!(
            written_with(&source, &[]),
            r#"{"annotation":{"filename":"x.jpg","object":[]}}"#
        );
    }

    #[test]
    fn pretty_printed_files_keep_their_layout() {
        let source = concat!(
            "{\n  \"annotation\": {\n    \"object\": [\n",
            "      {\n        \"id\": 1,\n        \"parts\": {\"hasparts\": [\n          3,\n          4\n        ]}\n      },\n",
            "      {\n        \"id\": 3\n      },\n",
            "      {\n        \"id\": 4\n      }\n",
            "    ]\n  }\n}\n"
        );
        let text = written_with(&annotation(source.as_bytes()), &[1, 4]);
        assert_eq!(
            text,
            concat!(
                "{\n  \"annotation\": {\n    \"object\": [\n",
                "      {\n        \"id\": 1,\n        \"parts\": {\"hasparts\": [\n          4\n        ]}\n      },\n",
                "      {\n        \"id\": 4\n      }\n",
                "    ]\n  }\n}\n"
            )
        );
    }

    #[test]
    fn masks_named_otherwise_get_the_name_written_in_the_file_s_encoding() {
        let utf8 =
            annotation(br#"{"annotation":{"object":[{"id":7,"instance_mask":"x/../m7.png"}]}}"#);
        let written = utf8.written(&[ObjectId(7)].into(), |id| format!("café/{id}"));
        assert_eq!(written.renamed_masks, 1);
        assert_eq!(
            written.bytes,
            r#"{"annotation":{"object":[{"id":7,"instance_mask":"café/7"}]}}"#.as_bytes()
        );
        // Latin-1 (0xE9 is é), with a byte-order mark: bytes kept, new text escaped.
        let mut bytes = BOM.to_vec();
        bytes.extend(b"{\"annotation\":{\"object\":[{\"id\":7,\"raw_name\":\"caf\xE9\",\"instance_mask\":\"m\"},{\"id\":8}]}}");
        let latin1 = annotation(&bytes);
        let written = latin1.written(&[ObjectId(7)].into(), |id| format!("café/{id}"));
        let mut expected = BOM.to_vec();
        expected.extend(b"{\"annotation\":{\"object\":[{\"id\":7,\"raw_name\":\"caf\xE9\",\"instance_mask\":\"caf\\u00e9/7\"}]}}");
        assert_eq!(written.bytes, expected);
    }

    #[test]
    fn an_item_must_list_its_objects_in_the_file_s_order() {
        let source = annotation(RELEASE.as_bytes());
        let item = |ids: &[u32]| Item {
            id: "x".into(),
            subset: "training".into(),
            image: ImageInfo {
                path: "a/x.jpg".into(),
                width: 1,
                height: 1,
            },
            folder: String::new(),
            scene: vec![],
            source: SourceInfo::default(),
            objects: ids
                .iter()
                .map(|&ade_id| Object {
                    ade_id: ObjectId(ade_id),
                    ..Object::default()
                })
                .collect(),
            part_levels: 1,
            masks: Arc::new(InMemoryMasks::default()),
        };
        assert!(source.check_objects_of(&item(&[0, 5, 9])).is_ok());
        let error = source.check_objects_of(&item(&[5, 0])).unwrap_err();
        assert_eq!(error.path, PathBuf::from("a/x.json"));
        assert!(error.to_string().contains("object 0"), "{error}");
    }

    #[test]
    fn files_it_cannot_read_are_errors_naming_them() {
        let parse = |text: &str| {
            SourceAnnotation::parse(SourceFile {
                path: PathBuf::from("a/x.json"),
                bytes: text.into(),
            })
            .err()
            .unwrap()
            .to_string()
        };
        assert!(parse(r#"{"annotation":{"object":{}}}"#).contains("`object` must be a list"));
        let text = parse(r#"{"annotation":{"object":[{"id":"1"}]}}"#);
        assert!(
            text.starts_with("a/x.json: invalid JSON: object at position 0"),
            "{text}"
        );
        assert!(
            parse(r#"{"annotation":{"object":[{"id":1,"parts":{"hasparts":"2"}}]}}"#)
                .contains("`parts.hasparts` must be an id or a list of ids")
        );
        assert!(parse("{").contains("a/x.json: invalid JSON"));
    }
}
