//! Reading place lists in HXL: a CSV file whose hashtag row says what each column holds
//! (`#country+code`, `#adm1+name+i_fr`, ...), as humanitarian common operational datasets are
//! published. Each data row describes one place per admin level it fills in; the place of level N
//! sits under the place of level N-1 in the same row.
//!
//! This module only reads and checks the file; [`super::import`] compares it with the database
//! and stores it. Every problem is collected (not just the first), so that an administrator can
//! fix the whole file in one go.

mod report;

pub use report::{cap, HxlProblem, Issue, Source};

use std::collections::HashMap;

use crate::i18n::names::{self, Names};
use crate::i18n::SUPPORTED;

/// The largest file accepted.
pub const MAX_FILE_BYTES: usize = 20 * 1024 * 1024;
/// Longest place code, in characters (P-codes are far shorter).
pub const MAX_CODE_CHARS: usize = 64;
/// Admin levels: 0 (country) to 5.
const LEVELS: usize = 6;

/// One place described by the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Place {
    pub code: String,
    pub level: i32,
    pub parent: Option<String>,
    pub names: Names,
    /// Where the place first appears, for reports about it.
    pub row: usize,
    pub tag: String,
}

/// What a tagged column holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Holds {
    Code,
    Name(&'static str),
}

#[derive(Debug, Clone)]
struct Column {
    index: usize,
    tag: String,
    level: usize,
    holds: Holds,
}

/// The columns of one admin level.
#[derive(Debug, Default, Clone)]
struct LevelColumns {
    code: Option<Column>,
    names: Vec<Column>,
}

/// Why a tag is not recognised.
enum Unrecognised {
    Tag,
    Language,
}

/// The recognised tags, as HXL writes them: case and spaces do not matter.
fn recognise(tag: &str) -> Result<(usize, Holds), Unrecognised> {
    let normal: String = tag
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_lowercase();
    let mut parts = normal.split('+');
    let level = match parts.next().unwrap_or_default() {
        "#country" => 0,
        "#adm1" => 1,
        "#adm2" => 2,
        "#adm3" => 3,
        "#adm4" => 4,
        "#adm5" => 5,
        _ => return Err(Unrecognised::Tag),
    };
    let attributes: Vec<&str> = parts.collect();
    let languages: Vec<&str> = attributes
        .iter()
        .filter_map(|a| a.strip_prefix("i_"))
        .collect();
    let others: Vec<&str> = attributes
        .iter()
        .copied()
        .filter(|a| !a.starts_with("i_"))
        .collect();
    match (others.as_slice(), languages.as_slice()) {
        (["code"], []) => Ok((level, Holds::Code)),
        (["name"], []) => Ok((level, Holds::Name("en"))),
        (["name"], [lang]) => SUPPORTED
            .iter()
            .find(|s| *s == lang)
            .map(|s| (level, Holds::Name(s)))
            .ok_or(Unrecognised::Language),
        _ => Err(Unrecognised::Tag),
    }
}

/// Whether a row is the hashtag row: something in it, and every filled cell a hashtag.
fn is_hashtag_row(cells: &[String]) -> bool {
    cells.iter().any(|c| !c.is_empty()) && cells.iter().all(|c| c.is_empty() || c.starts_with('#'))
}

/// Whether a code is too long or holds control characters.
fn code_is_bad(code: &str) -> bool {
    code.chars().count() > MAX_CODE_CHARS || code.chars().any(char::is_control)
}

/// Reads the file: every place it describes, in the order they first appear, or every problem
/// found.
pub fn parse(bytes: &[u8]) -> Result<Vec<Place>, Vec<HxlProblem>> {
    let rows = read_rows(bytes)?;
    let Some(header_at) = rows.iter().take(2).position(|(_, r)| is_hashtag_row(r)) else {
        return Err(vec![HxlProblem::new(1, None, Issue::NoHashtagRow)]);
    };
    let (header_row, header) = &rows[header_at];
    let header_row = *header_row;
    let mut problems = Vec::new();
    let levels = columns(header, header_row, &mut problems);
    let deepest = levels
        .iter()
        .rposition(|l| l.code.is_some() || !l.names.is_empty());
    let Some(deepest) = deepest else {
        if problems.is_empty() {
            problems.push(HxlProblem::new(header_row, None, Issue::NoLocationColumns));
        }
        return Err(problems);
    };
    // Without every level's code column, parents cannot be known: rows are not read then.
    let structural = check_levels(&levels, deepest, header_row, &mut problems);
    if structural {
        return Err(problems);
    }
    let mut reader = Rows {
        levels: &levels[..=deepest],
        places: Vec::new(),
        seen: HashMap::new(),
        problems,
    };
    for (row, cells) in rows.iter().skip(header_at + 1) {
        reader.row(*row, cells);
    }
    let Rows {
        places,
        mut problems,
        ..
    } = reader;
    if places.is_empty() && problems.is_empty() {
        problems.push(HxlProblem::new(header_row + 1, None, Issue::NoDataRows));
    }
    if problems.is_empty() {
        return Ok(places);
    }
    Err(cap(problems))
}

/// One row of the file: its number and trimmed cells.
type Row = (usize, Vec<String>);

/// The file's rows. Rows are numbered by the line they start on: the CSV reader skips empty
/// lines, which a spreadsheet still numbers.
fn read_rows(bytes: &[u8]) -> Result<Vec<Row>, Vec<HxlProblem>> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(bytes);
    let mut rows: Vec<Row> = Vec::new();
    for (index, record) in reader.records().enumerate() {
        match record {
            Ok(record) => {
                let line = record.position().map_or(index + 1, |p| p.line() as usize);
                rows.push((line, record.iter().map(|c| c.trim().to_owned()).collect()));
            }
            Err(e) => {
                let line = e.position().map_or(index + 1, |p| p.line() as usize);
                let issue = match e.kind() {
                    csv::ErrorKind::Utf8 { .. } => Issue::NotUtf8,
                    _ => Issue::Unreadable,
                };
                return Err(vec![HxlProblem::new(line, None, issue)]);
            }
        }
    }
    if rows
        .iter()
        .all(|(_, cells)| cells.iter().all(String::is_empty))
    {
        return Err(vec![HxlProblem::new(1, None, Issue::Empty)]);
    }
    Ok(rows)
}

/// Reads the hashtag row into the columns of each level, reporting unknown and repeated tags.
fn columns(
    cells: &[String],
    header_row: usize,
    problems: &mut Vec<HxlProblem>,
) -> Vec<LevelColumns> {
    let mut levels = vec![LevelColumns::default(); LEVELS];
    let mut first_of: HashMap<(usize, Holds), usize> = HashMap::new();
    for (index, tag) in cells.iter().enumerate().filter(|(_, t)| !t.is_empty()) {
        let column = index + 1;
        let (level, holds) = match recognise(tag) {
            Ok(found) => found,
            Err(why) => {
                let issue = match why {
                    Unrecognised::Language => Issue::UnsupportedLanguage { column },
                    Unrecognised::Tag => Issue::UnknownTag { column },
                };
                problems.push(HxlProblem::new(header_row, Some(tag), issue));
                continue;
            }
        };
        if let Some(first) = first_of.insert((level, holds), column) {
            problems.push(HxlProblem::new(
                header_row,
                Some(tag),
                Issue::RepeatedColumn { column, first },
            ));
            continue;
        }
        let entry = Column {
            index,
            tag: tag.clone(),
            level,
            holds,
        };
        match holds {
            Holds::Code => levels[level].code = Some(entry),
            Holds::Name(_) => levels[level].names.push(entry),
        }
    }
    levels
}

/// Every level down to the deepest needs a code column; returns whether one is missing.
fn check_levels(
    levels: &[LevelColumns],
    deepest: usize,
    header_row: usize,
    problems: &mut Vec<HxlProblem>,
) -> bool {
    let mut missing = false;
    for (level, columns) in levels.iter().enumerate().take(deepest + 1) {
        let present = columns.code.is_some() || !columns.names.is_empty();
        if present && columns.code.is_none() {
            let tag = columns.names.first().map(|c| c.tag.as_str());
            problems.push(HxlProblem::new(header_row, tag, Issue::NoCodeColumn));
            missing = true;
        }
        if !present {
            // Name the first column of the level below, whose places lack a parent.
            let below = levels[level + 1..=deepest]
                .iter()
                .find_map(|l| l.code.as_ref().or(l.names.first()));
            problems.push(HxlProblem::new(
                header_row,
                below.map(|c| c.tag.as_str()),
                Issue::MissingParentLevel {
                    parent_tag: parent_tag(level),
                },
            ));
            missing = true;
        }
    }
    missing
}

fn parent_tag(level: usize) -> String {
    if level == 0 {
        "#country+code".to_owned()
    } else {
        format!("#adm{level}+code")
    }
}

/// The data rows being read.
struct Rows<'a> {
    levels: &'a [LevelColumns],
    places: Vec<Place>,
    /// Code to index in `places`.
    seen: HashMap<String, usize>,
    problems: Vec<HxlProblem>,
}

impl Rows<'_> {
    fn row(&mut self, row: usize, cells: &[String]) {
        let cell = |c: &Column| cells.get(c.index).map(String::as_str).unwrap_or("");
        // This row's code (if any) and names at each level.
        let mut found: Vec<Option<(String, &Column, Names)>> = Vec::new();
        let mut ok = true;
        for columns in self.levels {
            let mut names = Names::new();
            for c in &columns.names {
                let name = cell(c);
                if name.is_empty() {
                    continue;
                }
                if names::name_problem(name).is_some() {
                    self.problems
                        .push(HxlProblem::new(row, Some(&c.tag), Issue::BadName));
                    ok = false;
                }
                if let Holds::Name(lang) = c.holds {
                    names.insert(lang.to_owned(), name.to_owned());
                }
            }
            // Every level up to the deepest has a code column (checked with the header).
            let Some(code_column) = &columns.code else {
                found.push(None);
                continue;
            };
            let code = cell(code_column);
            if code.is_empty() {
                if !names.is_empty() {
                    self.problems.push(HxlProblem::new(
                        row,
                        Some(&code_column.tag),
                        Issue::MissingCode,
                    ));
                    ok = false;
                }
                found.push(None);
                continue;
            }
            if code_is_bad(code) {
                self.problems
                    .push(HxlProblem::new(row, Some(&code_column.tag), Issue::BadCode));
                ok = false;
            }
            found.push(Some((code.to_owned(), code_column, names)));
        }
        // A place needs the place of the level above it in the same row.
        for level in 1..found.len() {
            if let (None, Some((code, _, _))) = (&found[level - 1], &found[level]) {
                let parent_column = self.levels[level - 1].code.as_ref();
                let already = self.problems.last().is_some_and(|p| {
                    p.row == row && p.tag.as_deref() == parent_column.map(|c| c.tag.as_str())
                });
                if !already {
                    self.problems.push(HxlProblem::new(
                        row,
                        parent_column.map(|c| c.tag.as_str()),
                        Issue::MissingParentCode { code: code.clone() },
                    ));
                }
                ok = false;
            }
        }
        if !ok {
            return;
        }
        let mut parent: Option<String> = None;
        for (code, column, names) in found.into_iter().flatten() {
            self.place(row, code.clone(), column, parent.take(), names);
            parent = Some(code);
        }
    }

    /// Records one place of a row, or what contradicts an earlier row.
    fn place(
        &mut self,
        row: usize,
        code: String,
        column: &Column,
        parent: Option<String>,
        names: Names,
    ) {
        let level = column.level as i32;
        let Some(&index) = self.seen.get(&code) else {
            self.seen.insert(code.clone(), self.places.len());
            self.places.push(Place {
                code,
                level,
                parent,
                names,
                row,
                tag: column.tag.clone(),
            });
            return;
        };
        let earlier = &mut self.places[index];
        let issue = if earlier.level != level {
            Some(Issue::OtherLevel {
                code,
                source: Source::Row(earlier.row),
            })
        } else if earlier.parent != parent {
            Some(Issue::BrokenParent {
                code,
                parent: earlier.parent.clone().unwrap_or_default(),
                source: Source::Row(earlier.row),
            })
        } else if names
            .iter()
            .any(|(lang, name)| earlier.names.get(lang).is_some_and(|n| n != name))
        {
            Some(Issue::NameDiffers {
                code,
                first_row: earlier.row,
            })
        } else {
            // Languages named only in a later row add to the place.
            for (lang, name) in names {
                earlier.names.entry(lang).or_insert(name);
            }
            None
        };
        if let Some(issue) = issue {
            self.problems
                .push(HxlProblem::new(row, Some(&column.tag), issue));
        }
    }
}

#[cfg(test)]
mod tests;
