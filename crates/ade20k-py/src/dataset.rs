//! `ade20k.open`: a dataset as a Python sequence of items.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::OnceLock;

use ade20k_import::{open, ImportOptions, InputFormat};
use ade20k_model::{Categories, Error, ItemSource};
use pyo3::exceptions::{PyIndexError, PyKeyError, PyTypeError};
use pyo3::prelude::*;
use pyo3::types::PyDict;

use crate::errors::{data_error, usage};
use crate::item::{Category, Item};

/// The input format called `name`, or detection when `None`.
pub fn input_format(name: Option<&str>) -> PyResult<Option<InputFormat>> {
    let Some(name) = name else {
        return Ok(None);
    };
    InputFormat::ALL
        .into_iter()
        .find(|format| format.name() == name)
        .map(Some)
        .ok_or_else(|| {
            let names: Vec<&str> = InputFormat::ALL.iter().map(|f| f.name()).collect();
            usage(format!(
                "unknown input format '{name}'; choose one of: {}",
                names.join(", ")
            ))
        })
}

/// Opens the dataset at `path` in `format` (detected when `None`).
pub fn open_source(
    path: &std::path::Path,
    format: Option<InputFormat>,
    options: &ImportOptions,
) -> Result<Box<dyn ItemSource + Send>, Error> {
    match format {
        None => open(path, options),
        Some(format) => format.open(path, options),
    }
}

/// An ADE20K dataset on disk: a sequence of items in subset then id order.
/// Items are indexed by position or by id (`"urban/street/ADE_train_…"`,
/// or `"training/urban/street/…"` where an id is in two subsets); each is
/// read from its files when asked for.
#[pyclass(module = "ade20k", frozen)]
pub struct Dataset {
    source: Box<dyn ItemSource + Send>,
    path: PathBuf,
    max_pixels: u64,
    /// Position of each item by id and by `<subset>/<id>`; ids in two
    /// subsets map to `None`.
    positions: HashMap<String, Option<usize>>,
    categories: OnceLock<Categories>,
}

impl Dataset {
    /// The dataset at `path`, with the positions of its items by id.
    pub fn open(
        path: PathBuf,
        format: Option<InputFormat>,
        options: &ImportOptions,
    ) -> Result<Self, Error> {
        let source = open_source(&path, format, options)?;
        let mut positions = HashMap::new();
        for index in 0..source.len() {
            let id = source.id_of(index)?;
            positions.insert(format!("{}/{id}", source.subset_of(index)), Some(index));
            positions
                .entry(id)
                .and_modify(|seen| *seen = None)
                .or_insert(Some(index));
        }
        Ok(Dataset {
            source,
            path,
            max_pixels: options.max_pixels,
            positions,
            categories: OnceLock::new(),
        })
    }

    /// The position of the item `key` names: a position (negative from the
    /// end) or an id.
    fn position(&self, key: &Bound<'_, PyAny>) -> PyResult<usize> {
        let len = self.source.len();
        if let Ok(index) = key.extract::<isize>() {
            let position = if index < 0 {
                index + len as isize
            } else {
                index
            };
            return usize::try_from(position)
                .ok()
                .filter(|&position| position < len)
                .ok_or_else(|| {
                    PyIndexError::new_err(format!("item {index} of a dataset of {len} items"))
                });
        }
        let id: String = key.extract().map_err(|_| {
            PyTypeError::new_err("items are indexed by position (int) or by id (str)")
        })?;
        match self.positions.get(&id) {
            Some(Some(position)) => Ok(*position),
            Some(None) => Err(PyKeyError::new_err(format!(
                "{id} is an id in several subsets: name it <subset>/{id}"
            ))),
            None => Err(PyKeyError::new_err(format!("no item {id}"))),
        }
    }

    /// Loads the item at `position`, without the GIL.
    pub fn load(&self, py: Python<'_>, position: usize) -> PyResult<Item> {
        let item = py
            .detach(|| self.source.load(position))
            .map_err(data_error)?;
        Ok(Item::new(item, self.max_pixels))
    }
}

#[pymethods]
impl Dataset {
    fn __len__(&self) -> usize {
        self.source.len()
    }

    fn __getitem__(&self, py: Python<'_>, key: &Bound<'_, PyAny>) -> PyResult<Item> {
        let position = self.position(key)?;
        self.load(py, position)
    }

    fn __iter__(slf: Bound<'_, Self>) -> ItemIterator {
        ItemIterator {
            dataset: slf.unbind(),
            next: std::sync::atomic::AtomicUsize::new(0),
        }
    }

    fn __contains__(&self, id: &str) -> bool {
        self.positions.contains_key(id)
    }

    /// The subset names, in item order.
    #[getter]
    fn subsets(&self) -> Vec<String> {
        self.source.subsets().to_vec()
    }

    /// The folder the dataset was opened from.
    #[getter]
    fn path(&self) -> PathBuf {
        self.path.clone()
    }

    /// The ids of the items, in item order.
    fn ids(&self, py: Python<'_>) -> PyResult<Vec<String>> {
        py.detach(|| {
            (0..self.source.len())
                .map(|index| self.source.id_of(index))
                .collect::<Result<_, _>>()
        })
        .map_err(data_error)
    }

    /// The subset of the item at `index`, without reading it.
    fn subset_of(&self, index: &Bound<'_, PyAny>) -> PyResult<String> {
        Ok(self.source.subset_of(self.position(index)?).to_string())
    }

    /// Every class the dataset's objects and parts have, by class index
    /// (`name_ndx`), in index order. Reads every annotation once, on first use.
    #[getter]
    fn categories<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let categories = match self.categories.get() {
            Some(categories) => categories,
            None => {
                let found = py
                    .detach(|| {
                        let mut categories = Categories::new();
                        for index in 0..self.source.len() {
                            for object in &self.source.load(index)?.objects {
                                categories.observe(object);
                            }
                        }
                        Ok(categories)
                    })
                    .map_err(data_error)?;
                self.categories.get_or_init(|| found)
            }
        };
        let dict = PyDict::new(py);
        for category in categories.iter() {
            dict.set_item(category.index.0, Category::new(category.clone()))?;
        }
        Ok(dict)
    }

    fn __repr__(&self) -> String {
        format!(
            "<ade20k.Dataset {}: {} items in {}>",
            self.path.display(),
            self.source.len(),
            self.source.subsets().join(", ")
        )
    }
}

/// Iterates the items of a [`Dataset`], loading each when reached.
#[pyclass(module = "ade20k", frozen)]
pub struct ItemIterator {
    dataset: Py<Dataset>,
    next: std::sync::atomic::AtomicUsize,
}

#[pymethods]
impl ItemIterator {
    fn __iter__(slf: Bound<'_, Self>) -> Bound<'_, Self> {
        slf
    }

    fn __next__(&self, py: Python<'_>) -> PyResult<Option<Item>> {
        let dataset = self.dataset.get();
        let position = self.next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        if position >= dataset.source.len() {
            return Ok(None);
        }
        dataset.load(py, position).map(Some)
    }
}
