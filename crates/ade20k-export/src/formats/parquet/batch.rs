//! Samples as an Arrow record batch of the [`Columns`] schema.
//!
//! Each column is built from the samples in one pass; the structs are
//! checked against the types the features describe (`StructArray::try_new`,
//! `RecordBatch::try_new`), so the rows cannot drift from the schema.

use std::sync::Arc;

use arrow_array::{
    ArrayRef, BinaryArray, BooleanArray, Float64Array, Int64Array, ListArray, RecordBatch,
    StringArray, StructArray,
};
use arrow_buffer::{NullBuffer, OffsetBuffer};
use arrow_schema::{ArrowError, DataType, Field, Fields, SchemaRef};

use crate::formats::hub::Columns;
use crate::formats::sample::{AmodalShape, CocoRle, Sample, SampleObject};

/// About the bytes `sample` takes in a shard: its files, its strings, and
/// a few bytes per number.
pub(super) fn row_bytes(sample: &Sample) -> u64 {
    let files = sample.photo.as_ref().map_or(0, Vec::len) + sample.class_map.len();
    let objects: usize = sample
        .objects
        .iter()
        .map(|object| {
            object.segmentation.counts.len()
                + object
                    .amodal
                    .as_ref()
                    .map_or(0, |a| a.segmentation.counts.len())
                + object.name.len()
                + object.raw_name.len()
                + object.hypernym.iter().map(String::len).sum::<usize>()
                + object.polygon.len() * 16
                + 256
        })
        .sum();
    (files + objects + 512) as u64
}

/// The rows of `samples`, in order.
pub(super) fn record_batch(
    columns: &Columns,
    schema: &SchemaRef,
    samples: &[Sample],
) -> Result<RecordBatch, ArrowError> {
    let photo = image(samples.iter().map(|s| {
        s.photo
            .as_deref()
            .map(|photo| (photo, Some(s.filename.as_str())))
    }))?;
    let annotation = image(samples.iter().map(|s| Some((s.class_map.as_slice(), None))))?;
    let source = struct_of(
        &columns.data_type("source"),
        vec![
            strings(samples.iter().map(|s| s.source.folder.as_str())),
            strings(samples.iter().map(|s| s.source.filename.as_str())),
            strings(samples.iter().map(|s| s.source.origin.as_str())),
        ],
    )?;
    let arrays: Vec<ArrayRef> = vec![
        photo,
        annotation,
        strings(samples.iter().map(|s| s.id.as_str())),
        ints(samples.iter().map(|s| s.width)),
        ints(samples.iter().map(|s| s.height)),
        string_lists(samples.iter().map(|s| s.scene.as_slice())),
        strings(samples.iter().map(|s| s.filename.as_str())),
        source,
        objects(columns, samples)?,
    ];
    RecordBatch::try_new(schema.clone(), arrays)
}

/// The `objects` column: a list per row of one struct per object.
fn objects(columns: &Columns, samples: &[Sample]) -> Result<ArrayRef, ArrowError> {
    let DataType::List(item) = columns.data_type("objects") else {
        unreachable!("objects is a list");
    };
    let objects: Vec<&SampleObject> = samples.iter().flat_map(|s| &s.objects).collect();
    let mut children = vec![
        ints(objects.iter().map(|o| o.id.0)),
        Arc::new(Int64Array::from_iter_values(
            objects.iter().map(|o| i64::from(o.label)),
        )),
        ints(objects.iter().map(|o| o.class_index.0)),
        strings(objects.iter().map(|o| o.name.as_str())),
        strings(objects.iter().map(|o| o.raw_name.as_str())),
        string_lists(objects.iter().map(|o| o.hypernym.as_slice())),
        ints(objects.iter().map(|o| o.part_level)),
        Arc::new(Int64Array::from_iter(
            objects
                .iter()
                .map(|o| o.parent.map(|parent| i64::from(parent.0))),
        )),
        list(
            objects.iter().map(|o| o.children.len()),
            ints(
                objects
                    .iter()
                    .flat_map(|o| &o.children)
                    .map(|child| child.0),
            ),
        ),
        Arc::new(BooleanArray::from_iter(objects.iter().map(|o| o.occluded))),
        Arc::new(BooleanArray::from_iter(
            objects.iter().map(|o| Some(o.crop)),
        )),
        Arc::new(Int64Array::from_iter(
            objects.iter().map(|o| o.depth_rank.map(i64::from)),
        )),
        string_lists(objects.iter().map(|o| o.attributes.as_slice())),
        polygons(objects.iter().map(|o| o.polygon.as_slice())),
        strings(objects.iter().map(|o| o.instance_mask.as_str())),
        strings(objects.iter().map(|o| o.saved_date.as_str())),
        int_lists(objects.iter().map(|o| o.bbox.as_slice())),
        Arc::new(Int64Array::from_iter_values(
            objects.iter().map(|o| o.area as i64),
        )),
    ];
    let DataType::Struct(fields) = item.data_type() else {
        unreachable!("an object is a struct");
    };
    children.push(rle(
        &field_type(fields, "segmentation"),
        objects.iter().map(|o| &o.segmentation),
    )?);
    if let Some(amodal_type) = fields.find("amodal").map(|(_, f)| f.data_type().clone()) {
        let shapes: Vec<&AmodalShape> = objects.iter().filter_map(|o| o.amodal.as_ref()).collect();
        let DataType::Struct(shape_fields) = &amodal_type else {
            unreachable!("amodal is a struct");
        };
        children.push(struct_of(
            &amodal_type,
            vec![
                int_lists(shapes.iter().map(|s| s.bbox.as_slice())),
                Arc::new(Int64Array::from_iter_values(
                    shapes.iter().map(|s| s.area as i64),
                )),
                rle(
                    &field_type(shape_fields, "segmentation"),
                    shapes.iter().map(|s| &s.segmentation),
                )?,
            ],
        )?);
    }
    let values = struct_of(item.data_type(), children)?;
    Ok(Arc::new(ListArray::try_new(
        item.clone(),
        OffsetBuffer::from_lengths(samples.iter().map(|s| s.objects.len())),
        values,
        None,
    )?))
}

fn field_type(fields: &Fields, name: &str) -> DataType {
    fields
        .find(name)
        .map(|(_, field)| field.data_type().clone())
        .unwrap_or_else(|| unreachable!("no field {name} is described"))
}

/// `datasets`' Image struct: the file's bytes and its path; null where
/// there is no file.
fn image<'a>(
    files: impl Iterator<Item = Option<(&'a [u8], Option<&'a str>)>> + Clone,
) -> Result<ArrayRef, ArrowError> {
    let fields = Fields::from(vec![
        Field::new("bytes", DataType::Binary, true),
        Field::new("path", DataType::Utf8, true),
    ]);
    let bytes: ArrayRef = Arc::new(BinaryArray::from_iter(
        files.clone().map(|file| file.map(|(bytes, _)| bytes)),
    ));
    let paths: ArrayRef = Arc::new(StringArray::from_iter(
        files.clone().map(|file| file.and_then(|(_, path)| path)),
    ));
    let present = NullBuffer::from_iter(files.map(|file| file.is_some()));
    Ok(Arc::new(StructArray::try_new(
        fields,
        vec![bytes, paths],
        Some(present),
    )?))
}

/// A COCO RLE struct `{size, counts}` per mask.
fn rle<'a>(
    data_type: &DataType,
    masks: impl Iterator<Item = &'a CocoRle> + Clone,
) -> Result<ArrayRef, ArrowError> {
    struct_of(
        data_type,
        vec![
            int_lists(masks.clone().map(|m| m.size.as_slice())),
            strings(masks.map(|m| m.counts.as_str())),
        ],
    )
}

fn struct_of(data_type: &DataType, children: Vec<ArrayRef>) -> Result<ArrayRef, ArrowError> {
    let DataType::Struct(fields) = data_type else {
        unreachable!("a struct column");
    };
    Ok(Arc::new(StructArray::try_new(
        fields.clone(),
        children,
        None,
    )?))
}

fn strings<'a>(values: impl Iterator<Item = &'a str>) -> ArrayRef {
    Arc::new(StringArray::from_iter_values(values))
}

fn ints(values: impl Iterator<Item = u32>) -> ArrayRef {
    Arc::new(Int64Array::from_iter_values(values.map(i64::from)))
}

/// A list column over `values`, one list of `lengths` items per row.
fn list(lengths: impl Iterator<Item = usize>, values: ArrayRef) -> ArrayRef {
    let field = Arc::new(Field::new_list_field(values.data_type().clone(), true));
    Arc::new(ListArray::new(
        field,
        OffsetBuffer::from_lengths(lengths),
        values,
        None,
    ))
}

fn string_lists<'a>(rows: impl Iterator<Item = &'a [String]> + Clone) -> ArrayRef {
    list(
        rows.clone().map(<[String]>::len),
        strings(rows.flatten().map(String::as_str)),
    )
}

fn int_lists<'a>(rows: impl Iterator<Item = &'a [u32]> + Clone) -> ArrayRef {
    list(
        rows.clone().map(<[u32]>::len),
        ints(rows.flatten().copied()),
    )
}

/// Polygons as lists of `[x, y]` lists.
fn polygons<'a>(rows: impl Iterator<Item = &'a [[f64; 2]]> + Clone) -> ArrayRef {
    let points = rows.clone().flatten();
    let coordinates: ArrayRef = Arc::new(Float64Array::from_iter_values(
        points.clone().flatten().copied(),
    ));
    list(
        rows.map(<[[f64; 2]]>::len),
        list(points.map(|_| 2), coordinates),
    )
}
