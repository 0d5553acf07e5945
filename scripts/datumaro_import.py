"""Imports an export with Datumaro's own importer and gathers its masks per
item, for the verify_<format>.py scripts that compare them with the source."""

import numpy as np

NOT_INSTALLED = "Datumaro not installed: import skipped (pip install -r scripts/requirements-datumaro.txt)"


def import_masks(out, format_name, names, names_file, expected_keys, failures, value_of):
    """Imports `out` as `format_name`. Its label names must be `names` (those of
    `names_file`), its items exactly `expected_keys` ((subset, id) pairs), and
    its annotations masks only; each departure is appended to `failures`.

    Returns (Datumaro's version, {key: (item, masks)}), `masks` mapping
    `value_of(annotation, key)` to the annotation's mask as a bool array; None
    when Datumaro is not installed."""
    try:
        import datumaro as dm
    except ImportError:
        return None
    dataset = dm.Dataset.import_from(out, format_name)
    found_names = [label.name for label in dataset.categories()[dm.AnnotationType.label]]
    if found_names != names:
        failures.append(f"Datumaro labels {found_names[:5]}... differ from {names_file}")
    imported = {}
    for item in dataset:
        key = (item.subset, item.id)
        if key not in expected_keys:
            failures.append(f"Datumaro found an unknown item {key}")
            continue
        masks = {}
        for annotation in item.annotations:
            if annotation.type != dm.AnnotationType.mask:
                failures.append(f"Datumaro {key}: unexpected {annotation.type.name} annotation")
                continue
            masks[value_of(annotation, key)] = np.asarray(annotation.image, dtype=bool)
        imported[key] = (item, masks)
    for key in set(expected_keys) - set(imported):
        failures.append(f"Datumaro did not find {key}")
    return dm.__version__, imported


def describe(version, imported):
    """The one-line result of an import that `import_masks` returned."""
    masks = sum(len(found) for _, found in imported.values())
    return f"Datumaro {version} imported {len(imported)} items, {masks} masks, compared with the source"
