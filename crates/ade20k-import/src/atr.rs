//! Parsing of `<name>_atr.txt` files, the annotations of the ADE20K 2017 release.
//!
//! One line per object or part, six columns separated by `#` (written ` # `):
//!
//! ```text
//! 002 # 0 # 0 # person, individual, someone, somebody, mortal, soul # person # ""
//! 001 # 1 # 1 # license plate # license plate # "walkin, parked"
//! ```
//!
//! instance number within its part level (from 1), part level (0 = whole
//! object), occluded (1 = yes, 0 = no), WordNet class name, the annotator's
//! raw name, and the attribute words, double-quoted and comma-separated.

use ade20k_model::{Occlusion, Problem};

use crate::annotation::{shorten, MAX_PART_LEVEL};

/// The columns of a line, for messages.
const COLUMNS: &str = "instance # part level # occluded # class name # raw name # \"attributes\"";

/// One line of an `_atr.txt` file: one object or part of the item.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct AtrLine {
    /// Line number in the file, from 1, for messages.
    pub line: usize,
    /// Instance number within the part level, from 1 (column 1).
    pub instance: u32,
    /// 0 = whole object, 1 = part, 2 = part of a part, … (column 2).
    pub part_level: u32,
    /// Whether the object is occluded (column 3: `1`, `0`, or empty when not said).
    pub occluded: Occlusion,
    /// WordNet class name, e.g. `person, individual, someone` (column 4).
    pub name: String,
    /// The word the annotator typed (column 5).
    pub raw_name: String,
    /// Attribute words (column 6; absent or `""` gives none).
    pub attributes: Vec<String>,
}

/// Parses the text of an `_atr.txt` file; blank lines are skipped.
///
/// Every column is trimmed; the sixth column is everything after the fifth
/// `#`, so attribute words may contain `#`. The class name must not be empty.
pub(crate) fn parse_atr(text: &str) -> Result<Vec<AtrLine>, Problem> {
    text.lines()
        .enumerate()
        .filter(|(_, line)| !line.trim().is_empty())
        .map(|(index, line)| parse_line(index + 1, line))
        .collect()
}

/// Checks that the first non-blank line of `text` is a valid attribute line.
pub(crate) fn check_atr_start(text: &str) -> Result<(), Problem> {
    let (index, line) = text
        .lines()
        .enumerate()
        .find(|(_, line)| !line.trim().is_empty())
        .ok_or_else(|| Problem::Invalid("the file has no attribute line".into()))?;
    parse_line(index + 1, line).map(drop)
}

fn parse_line(line: usize, text: &str) -> Result<AtrLine, Problem> {
    let columns: Vec<&str> = text.splitn(6, '#').map(str::trim).collect();
    let [instance, part_level, occluded, name, raw_name, attributes @ ..] = columns.as_slice()
    else {
        return Err(line_problem(
            line,
            format!(
                "has {} column(s) where 6 are expected: {COLUMNS}",
                columns.len()
            ),
        ));
    };
    let instance = number(line, "instance", instance)?;
    if instance == 0 {
        return Err(line_problem(
            line,
            "instance 0: instance numbers start at 1",
        ));
    }
    let occluded = match *occluded {
        "" => Occlusion::Unknown,
        "0" => Occlusion::No,
        "1" => Occlusion::Yes,
        other => {
            return Err(line_problem(
                line,
                format!("occluded column `{}` is neither 0 nor 1", shorten(other)),
            ))
        }
    };
    if name.is_empty() {
        return Err(line_problem(line, "the class name (column 4) is empty"));
    }
    let part_level = number(line, "part level", part_level)?;
    if part_level > MAX_PART_LEVEL {
        return Err(line_problem(
            line,
            format!("part level {part_level} is deeper than the limit of {MAX_PART_LEVEL}"),
        ));
    }
    Ok(AtrLine {
        line,
        instance,
        part_level,
        occluded,
        name: name.to_string(),
        raw_name: raw_name.to_string(),
        attributes: attributes
            .first()
            .map_or_else(Vec::new, |words| parse_words(words)),
    })
}

/// The words of the attribute column: surrounding double quotes removed,
/// split at commas, trimmed, empty words dropped.
fn parse_words(column: &str) -> Vec<String> {
    let unquoted = column.strip_prefix('"').unwrap_or(column);
    let unquoted = unquoted.strip_suffix('"').unwrap_or(unquoted);
    unquoted
        .split(',')
        .map(str::trim)
        .filter(|word| !word.is_empty())
        .map(String::from)
        .collect()
}

fn number(line: usize, column: &str, text: &str) -> Result<u32, Problem> {
    text.parse().map_err(|_| {
        line_problem(
            line,
            format!(
                "{column} column `{}` is not a non-negative integer",
                shorten(text)
            ),
        )
    })
}

fn line_problem(line: usize, message: impl std::fmt::Display) -> Problem {
    Problem::Invalid(format!("line {line}: {message}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::annotation::decode_text;

    /// Datumaro's test asset `ade20k_dataset/validation/2_atr.txt`, verbatim.
    const DATUMARO_ASSET: &str = "001 # 0 # 0 # sky # sky # \"\"\n\
        002 # 0 # 0 # person, individual, someone, somebody, mortal, soul # person # \"\"\n\
        001 # 1 # 0 # license plate # license plate # \"\"\n\
        001 # 2 # 0 # rim # rim # \"\"\n";

    fn message(text: &str) -> String {
        parse_atr(text).unwrap_err().to_string()
    }

    #[test]
    fn reads_every_column_of_the_datumaro_asset() {
        let lines = parse_atr(DATUMARO_ASSET).unwrap();
        let summary: Vec<_> = lines
            .iter()
            .map(|l| {
                (
                    l.line,
                    l.instance,
                    l.part_level,
                    l.name.as_str(),
                    l.raw_name.as_str(),
                )
            })
            .collect();
        assert_eq!(
            summary,
            [
                (1, 1, 0, "sky", "sky"),
                (
                    2,
                    2,
                    0,
                    "person, individual, someone, somebody, mortal, soul",
                    "person"
                ),
                (3, 1, 1, "license plate", "license plate"),
                (4, 1, 2, "rim", "rim"),
            ]
        );
        assert!(lines
            .iter()
            .all(|l| l.occluded == Occlusion::No && l.attributes.is_empty()));
    }

    #[test]
    fn attribute_occlusion_and_spacing_variants() {
        let text = "\u{feff}\r\n\
            3 # 0 # 1 # car, auto # cars # \"walkin, parked ,, \"\r\n\
            \t\n\
            4#1##wheel#wheel\n\
            5 # 0 # 0 # door # door # walkin # left\n";
        let lines = parse_atr(&decode_text(text.as_bytes())).unwrap();
        assert_eq!(lines[0].line, 2);
        assert_eq!(lines[0].occluded, Occlusion::Yes);
        assert_eq!(lines[0].attributes, ["walkin", "parked"]);
        assert_eq!((lines[1].line, lines[1].part_level), (4, 1));
        assert_eq!(lines[1].occluded, Occlusion::Unknown);
        assert!(lines[1].attributes.is_empty());
        assert_eq!(lines[2].attributes, ["walkin # left"]);
    }

    #[test]
    fn malformed_lines_name_the_line_and_column() {
        let bad = [
            (
                "1 # 0 # 0 # sky\n",
                "line 1: has 4 column(s) where 6 are expected",
            ),
            ("\n\nsky\n", "line 3: has 1 column(s)"),
            (
                "x1 # 0 # 0 # sky # sky # \"\"",
                "instance column `x1` is not",
            ),
            (
                "1 # -1 # 0 # sky # sky # \"\"",
                "part level column `-1` is not",
            ),
            (
                "1 # 0 # yes # sky # sky # \"\"",
                "occluded column `yes` is neither",
            ),
            ("0 # 0 # 0 # sky # sky # \"\"", "instance 0"),
            (
                "1 # 0 # 0 #  # sky # \"\"",
                "class name (column 4) is empty",
            ),
            (
                "1 # 99999999999 # 0 # a # a #",
                "part level column `99999999999`",
            ),
            (
                "1 # 33 # 0 # a # a #",
                "line 1: part level 33 is deeper than the limit of 32",
            ),
        ];
        for (text, expected) in bad {
            let error = message(text);
            assert!(error.contains(expected), "{text:?}: {error}");
        }
        let long = format!("{} # 0 # 0 # a # a #", "9".repeat(100));
        assert!(message(&long).contains('…'));
    }

    #[test]
    fn detection_looks_at_the_first_line_only() {
        assert!(check_atr_start(DATUMARO_ASSET).is_ok());
        assert!(check_atr_start("\n1 # 0 # 0 # a # a # \"\"\nbroken").is_ok());
        assert!(check_atr_start("index\tname\n")
            .unwrap_err()
            .to_string()
            .contains("line 1: has 1 column(s)"));
        assert_eq!(
            check_atr_start(" \n").unwrap_err().to_string(),
            "the file has no attribute line"
        );
    }

    #[test]
    fn damaged_files_never_panic() {
        let bytes = DATUMARO_ASSET.as_bytes();
        for end in 0..bytes.len() {
            let _ = parse_atr(&decode_text(&bytes[..end]));
        }
        for position in 0..bytes.len() {
            let mut damaged = bytes.to_vec();
            damaged[position] ^= 0xA5;
            let _ = parse_atr(&decode_text(&damaged));
        }
    }
}
