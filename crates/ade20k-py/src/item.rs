//! Items, their objects and their masks as Python objects and NumPy arrays.

use std::path::PathBuf;

use ade20k_model::{Category as ModelCategory, Error, Item as ModelItem, MaskKind};
use ade20k_model::{Object as ModelObject, ObjectId, Occlusion};
use numpy::ndarray::{Array2, Array3};
use numpy::{IntoPyArray, PyArray2, PyArray3};
use pyo3::exceptions::{PyKeyError, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::PyDict;
use rayon::prelude::*;

use crate::errors::data_error;

/// The value of [`Item::instance_map`] where no object of the level is visible.
pub const NO_OBJECT: i32 = -1;

/// One annotated photo: its files, its scene and its objects; masks are
/// decoded when asked for, with the GIL released.
#[pyclass(module = "ade20k", frozen)]
pub struct Item {
    item: ModelItem,
    max_pixels: u64,
}

impl Item {
    /// Wraps `item`, whose photo may have at most `max_pixels` pixels to be decoded.
    pub fn new(item: ModelItem, max_pixels: u64) -> Self {
        Item { item, max_pixels }
    }

    /// The position in `objects` of `object`: an [`Object`] of this item or an object id.
    fn object_index(&self, object: &Bound<'_, PyAny>) -> PyResult<usize> {
        let id = match object.cast::<Object>() {
            Ok(object) => object.get().object.ade_id,
            Err(_) => object.extract::<u32>().map(ObjectId).map_err(|_| {
                PyTypeError::new_err("an object is an ade20k.Object or an object id (int)")
            })?,
        };
        self.item.object_index(id).ok_or_else(|| {
            PyKeyError::new_err(format!("item {} has no object with id {id}", self.item.id))
        })
    }

    /// Checks that `level` is a part level of the item.
    fn check_level(&self, level: u32) -> PyResult<()> {
        if level > self.item.part_levels {
            return Err(PyValueError::new_err(format!(
                "item {} has part levels 0 to {}, not {level}",
                self.item.id, self.item.part_levels
            )));
        }
        Ok(())
    }

    /// The per-pixel object ids of part level `level`, computed without the GIL.
    fn instance_map_pixels(&self, level: u32) -> Result<Vec<i32>, Error> {
        let image = &self.item.image;
        let mut ids = vec![NO_OBJECT; image.width as usize * image.height as usize];
        for (index, object) in self.item.objects.iter().enumerate() {
            if object.part_level != level {
                continue;
            }
            let mask = self.item.binary_mask(index, MaskKind::Visible)?;
            let id = object.ade_id.0 as i32;
            for (pixel, &visible) in ids.iter_mut().zip(mask.pixels()) {
                if visible != 0 {
                    *pixel = id;
                }
            }
        }
        Ok(ids)
    }

    fn shape(&self) -> (usize, usize) {
        (
            self.item.image.height as usize,
            self.item.image.width as usize,
        )
    }
}

/// The mask kind `amodal` asks for.
fn mask_kind(amodal: bool) -> MaskKind {
    if amodal {
        MaskKind::Amodal
    } else {
        MaskKind::Visible
    }
}

/// A uint8 array of 0s and 1s seen as bool, without a copy.
fn as_bool<'py>(array: Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
    let bool_type = array.py().import("numpy")?.getattr("bool_")?;
    array.call_method1("view", (bool_type,))
}

/// `pixels`, row-major, as a NumPy array of the item's shape, without a copy.
fn to_array<'py, T: numpy::Element>(
    py: Python<'py>,
    shape: (usize, usize),
    pixels: Vec<T>,
) -> PyResult<Bound<'py, PyArray2<T>>> {
    let array = Array2::from_shape_vec(shape, pixels)
        .map_err(|e| PyValueError::new_err(format!("mask of the wrong size: {e}")))?;
    Ok(array.into_pyarray(py))
}

#[pymethods]
impl Item {
    /// The item's id: its path below the subset folder without extension,
    /// e.g. `urban/street/ADE_train_00016964`.
    #[getter]
    fn id(&self) -> &str {
        &self.item.id
    }

    /// The subset the item belongs to, e.g. `training`.
    #[getter]
    fn subset(&self) -> &str {
        &self.item.subset
    }

    /// Path of the photo.
    #[getter]
    fn image_path(&self) -> PathBuf {
        self.item.image.path.clone()
    }

    /// Path of the annotation file the item was read from (`<name>.json`);
    /// None for items whose annotation is another kind of file (ADE20K 2017).
    #[getter]
    fn annotation_path(&self, py: Python<'_>) -> PyResult<Option<PathBuf>> {
        let file = py
            .detach(|| self.item.annotation_file())
            .map_err(data_error)?;
        Ok(file.map(|file| file.path))
    }

    /// Width of the photo in pixels.
    #[getter]
    fn width(&self) -> u32 {
        self.item.image.width
    }

    /// Height of the photo in pixels.
    #[getter]
    fn height(&self) -> u32 {
        self.item.image.height
    }

    /// Scene words, most general first, e.g. `["outdoor", "urban", "street"]`.
    #[getter]
    fn scene(&self) -> Vec<String> {
        self.item.scene.clone()
    }

    /// Folder of the photo inside the original release (`annotation.folder`).
    #[getter]
    fn folder(&self) -> &str {
        &self.item.folder
    }

    /// Where the original photo came from: `folder`, `filename`, `origin`.
    #[getter]
    fn source<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let source = &self.item.source;
        let dict = PyDict::new(py);
        dict.set_item("folder", &source.folder)?;
        dict.set_item("filename", &source.filename)?;
        dict.set_item("origin", &source.origin)?;
        Ok(dict)
    }

    /// Number of part levels (`_parts_1.png` … `_parts_N.png`) beside level 0.
    #[getter]
    fn part_levels(&self) -> u32 {
        self.item.part_levels
    }

    /// Every object and part, in annotation order.
    #[getter]
    fn objects(&self) -> Vec<Object> {
        self.item
            .objects
            .iter()
            .enumerate()
            .map(|(index, object)| Object {
                object: object.clone(),
                index,
            })
            .collect()
    }

    /// The object whose id is `id`.
    fn object(&self, id: &Bound<'_, PyAny>) -> PyResult<Object> {
        let index = self.object_index(id)?;
        Ok(Object {
            object: self.item.objects[index].clone(),
            index,
        })
    }

    /// The mask of `obj` (an Object of this item or its id) as a bool array
    /// (height, width): its visible pixels (255 in its instance mask), or
    /// with `amodal=True` every pixel where it is, hidden or not (> 0).
    #[pyo3(signature = (obj, amodal = false))]
    fn mask<'py>(
        &self,
        py: Python<'py>,
        obj: &Bound<'py, PyAny>,
        amodal: bool,
    ) -> PyResult<Bound<'py, PyAny>> {
        let index = self.object_index(obj)?;
        let pixels = py
            .detach(|| {
                let mask = self.item.instance_mask(index)?;
                Ok(mask.into_binary(mask_kind(amodal)).into_pixels())
            })
            .map_err(data_error)?;
        as_bool(to_array(py, self.shape(), pixels)?.into_any())
    }

    /// The masks of the objects of part level `level` (every object when
    /// None), in annotation order, as one bool array (objects, height,
    /// width), decoded in parallel with the GIL released; see `mask`.
    #[pyo3(signature = (level = None, amodal = false))]
    fn masks<'py>(
        &self,
        py: Python<'py>,
        level: Option<u32>,
        amodal: bool,
    ) -> PyResult<Bound<'py, PyAny>> {
        let chosen: Vec<usize> = (0..self.item.objects.len())
            .filter(|&index| level.is_none_or(|level| self.item.objects[index].part_level == level))
            .collect();
        let (height, width) = self.shape();
        let kind = mask_kind(amodal);
        let pixels = py
            .detach(|| -> Result<Vec<u8>, Error> {
                let mut pixels = vec![0; chosen.len() * height * width];
                if pixels.is_empty() {
                    return Ok(pixels);
                }
                pixels
                    .par_chunks_mut(height * width)
                    .zip(&chosen)
                    .try_for_each(|(plane, &index)| {
                        let mask = self.item.instance_mask(index)?.into_binary(kind);
                        plane.copy_from_slice(mask.pixels());
                        Ok(())
                    })?;
                Ok(pixels)
            })
            .map_err(data_error)?;
        let array = Array3::from_shape_vec((chosen.len(), height, width), pixels)
            .map_err(|e| PyValueError::new_err(format!("masks of the wrong size: {e}")))?;
        as_bool(array.into_pyarray(py).into_any())
    }

    /// The instance mask of `obj` as stored: uint8 (height, width), 255 where
    /// it is visible, 128 where it is hidden behind another object, 0
    /// elsewhere (binary 0/1 masks read as 0/255).
    fn instance_mask<'py>(
        &self,
        py: Python<'py>,
        obj: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyArray2<u8>>> {
        let index = self.object_index(obj)?;
        let pixels = py
            .detach(|| {
                self.item
                    .instance_mask(index)
                    .map(|mask| mask.into_pixels())
            })
            .map_err(data_error)?;
        to_array(py, self.shape(), pixels)
    }

    /// The class map of part level `level` (0: objects, `_seg.png`; N:
    /// `_parts_N.png`) as uint16 (height, width): the class index
    /// (`name_ndx`, `(R/10)*256+G`) of each pixel, 0 where unlabeled.
    #[pyo3(signature = (level = 0))]
    fn class_map<'py>(&self, py: Python<'py>, level: u32) -> PyResult<Bound<'py, PyArray2<u16>>> {
        self.check_level(level)?;
        let classes = py
            .detach(|| -> Result<Vec<u16>, Error> {
                let map = self.item.class_map(level)?;
                // The class of a pixel is (R/10)*256+G < 26*256: it fits 16 bits.
                Ok(map.classes().iter().map(|&class| class.0 as u16).collect())
            })
            .map_err(data_error)?;
        to_array(py, self.shape(), classes)
    }

    /// The object ids of part level `level` as int32 (height, width): the id
    /// of the object (level 0) or part (level N) visible at each pixel, as
    /// its instance mask says (255), and -1 where none of that level is.
    #[pyo3(signature = (level = 0))]
    fn instance_map<'py>(
        &self,
        py: Python<'py>,
        level: u32,
    ) -> PyResult<Bound<'py, PyArray2<i32>>> {
        self.check_level(level)?;
        let ids = py
            .detach(|| self.instance_map_pixels(level))
            .map_err(data_error)?;
        to_array(py, self.shape(), ids)
    }

    /// The photo as uint8 (height, width, 3), RGB.
    fn image<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyArray3<u8>>> {
        let path = &self.item.image.path;
        let (pixels, width, height) = py
            .detach(|| decode_photo(path, self.max_pixels))
            .map_err(data_error)?;
        let array = Array3::from_shape_vec((height as usize, width as usize, 3), pixels)
            .map_err(|e| PyValueError::new_err(format!("{}: {e}", path.display())))?;
        Ok(array.into_pyarray(py))
    }

    fn __repr__(&self) -> String {
        format!(
            "<ade20k.Item {}/{} {}×{}, {} objects>",
            self.item.subset,
            self.item.id,
            self.item.image.width,
            self.item.image.height,
            self.item.objects.len()
        )
    }
}

/// The largest photo file read, in bytes: 1 GiB.
const MAX_PHOTO_BYTES: u64 = 1 << 30;

/// Decodes the photo at `path` to RGB: pixels, width, height. A photo of
/// more than `max_pixels` pixels is refused before it is decoded.
fn decode_photo(path: &std::path::Path, max_pixels: u64) -> Result<(Vec<u8>, u32, u32), Error> {
    let bytes = ade20k_fs::read_regular(path, MAX_PHOTO_BYTES)?;
    let invalid = |e: image::ImageError| Error::invalid(path, format!("invalid image: {e}"));
    let reader = || {
        image::ImageReader::new(std::io::Cursor::new(&bytes))
            .with_guessed_format()
            .map_err(|e| Error::io(path, e))
    };
    let (width, height) = reader()?.into_dimensions().map_err(invalid)?;
    if u64::from(width) * u64::from(height) > max_pixels {
        return Err(Error::invalid(
            path,
            format!("{width}×{height} pixels, more than the limit of {max_pixels}"),
        ));
    }
    let photo = reader()?.decode().map_err(invalid)?.into_rgb8();
    let (width, height) = photo.dimensions();
    Ok((photo.into_raw(), width, height))
}

/// One object (part level 0) or part (level 1 and deeper) of an item, with
/// every field of its annotation.
#[pyclass(module = "ade20k", frozen)]
#[derive(Clone)]
pub struct Object {
    object: ModelObject,
    index: usize,
}

#[pymethods]
impl Object {
    /// The object's id in its item (`id`); it names its instance mask. Not
    /// its position: ids skip numbers.
    #[getter]
    fn id(&self) -> u32 {
        self.object.ade_id.0
    }

    /// Position of the object in `item.objects`.
    #[getter]
    fn index(&self) -> usize {
        self.index
    }

    /// Class index (`name_ndx`): the class of its pixels in the class maps.
    #[getter]
    fn class_index(&self) -> u32 {
        self.object.class.0
    }

    /// WordNet class name, e.g. `car, auto, automobile, machine, motorcar`.
    #[getter]
    fn name(&self) -> &str {
        &self.object.name
    }

    /// The word the annotator typed, e.g. `cars`.
    #[getter]
    fn raw_name(&self) -> &str {
        &self.object.raw_name
    }

    /// WordNet chain from the class up to `entity`.
    #[getter]
    fn hypernym(&self) -> Vec<String> {
        self.object.hypernym.clone()
    }

    /// 0: whole object, 1: part, 2: part of a part, …
    #[getter]
    fn part_level(&self) -> u32 {
        self.object.part_level
    }

    /// Whether this is a part (level 1 or deeper).
    #[getter]
    fn is_part(&self) -> bool {
        self.object.is_part()
    }

    /// Id of the object this is a part of; None at level 0.
    #[getter]
    fn parent(&self) -> Option<u32> {
        self.object.parent.map(|parent| parent.0)
    }

    /// Ids of this object's parts.
    #[getter]
    fn children(&self) -> Vec<u32> {
        self.object.children.iter().map(|child| child.0).collect()
    }

    /// Whether the annotator marked it occluded: True, False, or None when
    /// the annotation does not say.
    #[getter]
    fn occluded(&self) -> Option<bool> {
        match self.object.occluded {
            Occlusion::Yes => Some(true),
            Occlusion::No => Some(false),
            Occlusion::Unknown => None,
        }
    }

    /// Whether the object is cut by the image border.
    #[getter]
    fn crop(&self) -> bool {
        self.object.crop
    }

    /// Depth order, 1 = front-most; None when not annotated.
    #[getter]
    fn depth_rank(&self) -> Option<u32> {
        self.object.depth_rank
    }

    /// Attribute words, e.g. `["walking"]`.
    #[getter]
    fn attributes(&self) -> Vec<String> {
        self.object.attributes.clone()
    }

    /// The annotator's polygon as float64 (N, 2) of `x, y`; may be empty.
    #[getter]
    fn polygon<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyArray2<f64>>> {
        let points: Vec<f64> = self.object.polygon.iter().flatten().copied().collect();
        to_array(py, (self.object.polygon.len(), 2), points)
    }

    /// Path of the instance mask as written in the annotation, relative to
    /// the annotation's folder; empty for ADE20K 2017.
    #[getter]
    fn instance_mask(&self) -> &str {
        &self.object.instance_mask
    }

    /// Annotation date, as annotated.
    #[getter]
    fn saved_date(&self) -> &str {
        &self.object.saved_date
    }

    fn __repr__(&self) -> String {
        format!(
            "<ade20k.Object {} {:?} class {} level {}>",
            self.object.ade_id, self.object.raw_name, self.object.class, self.object.part_level
        )
    }
}

/// A class of the dataset, keyed by its class index.
#[pyclass(module = "ade20k", frozen)]
pub struct Category {
    category: ModelCategory,
}

impl Category {
    /// Wraps `category`.
    pub fn new(category: ModelCategory) -> Self {
        Category { category }
    }
}

#[pymethods]
impl Category {
    /// Class index (`name_ndx`).
    #[getter]
    fn index(&self) -> u32 {
        self.category.index.0
    }

    /// Full WordNet name, e.g. `car, auto, automobile, machine, motorcar`.
    #[getter]
    fn name(&self) -> &str {
        &self.category.name
    }

    /// The name's first synonym, e.g. `car`.
    #[getter]
    fn first_synonym(&self) -> &str {
        self.category.first_synonym()
    }

    /// WordNet chain from the class up to `entity`.
    #[getter]
    fn hypernym(&self) -> Vec<String> {
        self.category.hypernym.clone()
    }

    fn __repr__(&self) -> String {
        format!(
            "<ade20k.Category {} {:?}>",
            self.category.index, self.category.name
        )
    }
}
