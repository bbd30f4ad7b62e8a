//! The import report: what is wrong with an HXL file, where, and how to say it in each
//! interface language (the API answers it in English).

use super::MAX_CODE_CHARS;
use crate::i18n::names;
use crate::i18n::{Lang, SUPPORTED};

/// Problems listed at most; a file with more is summarised by one last entry.
pub(super) const MAX_REPORTED: usize = 1000;

/// Where a conflicting fact came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    Row(usize),
    Database,
}

/// What is wrong, with what a message needs to say it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Issue {
    Empty,
    NotUtf8,
    Unreadable,
    NoHashtagRow,
    NoLocationColumns,
    NoDataRows,
    UnknownTag {
        column: usize,
    },
    UnsupportedLanguage {
        column: usize,
    },
    RepeatedColumn {
        column: usize,
        first: usize,
    },
    NoCodeColumn,
    MissingParentLevel {
        parent_tag: String,
    },
    MissingCode,
    MissingParentCode {
        code: String,
    },
    BadCode,
    BadName,
    OtherLevel {
        code: String,
        source: Source,
    },
    BrokenParent {
        code: String,
        parent: String,
        source: Source,
    },
    NameDiffers {
        code: String,
        first_row: usize,
    },
    TooManyProblems {
        more: usize,
    },
}

/// One line of the error report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HxlProblem {
    /// The row as a spreadsheet numbers it (the first row is 1).
    pub row: usize,
    /// The tag of the column concerned, as written in the file.
    pub tag: Option<String>,
    pub issue: Issue,
}

impl HxlProblem {
    pub(super) fn new(row: usize, tag: Option<&str>, issue: Issue) -> Self {
        Self {
            row,
            tag: tag.map(str::to_owned),
            issue,
        }
    }

    /// Where the problem is: `row 7, #adm2+code`.
    pub fn place(&self, lang: &Lang) -> String {
        let row = self.row.to_string();
        match &self.tag {
            Some(tag) => lang.t_args("hxl-at-row-column", &[("row", &row), ("tag", tag)]),
            None => lang.t_args("hxl-at-row", &[("row", &row)]),
        }
    }

    /// What is wrong, in `lang`.
    pub fn message(&self, lang: &Lang) -> String {
        let n = |v: usize| v.to_string();
        let max = n(MAX_CODE_CHARS);
        let name_max = n(names::MAX_NAME_CHARS);
        let languages = SUPPORTED.join(", ");
        let (key, args): (&str, Vec<(&str, String)>) = match &self.issue {
            Issue::Empty => ("hxl-empty", vec![]),
            Issue::NotUtf8 => ("hxl-not-utf8", vec![]),
            Issue::Unreadable => ("hxl-unreadable", vec![]),
            Issue::NoHashtagRow => ("hxl-no-hashtag-row", vec![]),
            Issue::NoLocationColumns => ("hxl-no-location-columns", vec![]),
            Issue::NoDataRows => ("hxl-no-data-rows", vec![]),
            Issue::UnknownTag { column } => ("hxl-unknown-tag", vec![("column", n(*column))]),
            Issue::UnsupportedLanguage { column } => (
                "hxl-unsupported-language",
                vec![("column", n(*column)), ("languages", languages)],
            ),
            Issue::RepeatedColumn { column, first } => (
                "hxl-repeated-column",
                vec![("column", n(*column)), ("first", n(*first))],
            ),
            Issue::NoCodeColumn => ("hxl-no-code-column", vec![]),
            Issue::MissingParentLevel { parent_tag } => (
                "hxl-missing-parent-level",
                vec![("parent", parent_tag.clone())],
            ),
            Issue::MissingCode => ("hxl-missing-code", vec![]),
            Issue::MissingParentCode { code } => {
                ("hxl-missing-parent-code", vec![("code", code.clone())])
            }
            Issue::BadCode => ("hxl-bad-code", vec![("max", max)]),
            Issue::BadName => ("hxl-bad-name", vec![("max", name_max)]),
            Issue::OtherLevel { code, source } => match source {
                Source::Row(row) => (
                    "hxl-other-level-row",
                    vec![("code", code.clone()), ("other", n(*row))],
                ),
                Source::Database => ("hxl-other-level-db", vec![("code", code.clone())]),
            },
            Issue::BrokenParent {
                code,
                parent,
                source,
            } => match source {
                Source::Row(row) => (
                    "hxl-broken-parent-row",
                    vec![
                        ("code", code.clone()),
                        ("parent", parent.clone()),
                        ("other", n(*row)),
                    ],
                ),
                Source::Database => (
                    "hxl-broken-parent-db",
                    vec![("code", code.clone()), ("parent", parent.clone())],
                ),
            },
            Issue::NameDiffers { code, first_row } => (
                "hxl-name-differs",
                vec![("code", code.clone()), ("other", n(*first_row))],
            ),
            Issue::TooManyProblems { more } => ("hxl-too-many", vec![("count", n(*more))]),
        };
        let args: Vec<(&str, &str)> = args.iter().map(|(k, v)| (*k, v.as_str())).collect();
        lang.t_args(key, &args)
    }

    /// A stable name of the kind of problem, for API clients.
    pub fn kind(&self) -> &'static str {
        match self.issue {
            Issue::Empty => "hxl_empty",
            Issue::NotUtf8 | Issue::Unreadable => "hxl_unreadable",
            Issue::NoHashtagRow => "hxl_no_hashtag_row",
            Issue::NoLocationColumns => "hxl_no_location_columns",
            Issue::NoDataRows => "hxl_no_data_rows",
            Issue::UnknownTag { .. } | Issue::UnsupportedLanguage { .. } => "hxl_unknown_tag",
            Issue::RepeatedColumn { .. } => "hxl_repeated_column",
            Issue::NoCodeColumn | Issue::MissingParentLevel { .. } => "hxl_missing_column",
            Issue::MissingCode | Issue::MissingParentCode { .. } => "hxl_missing_code",
            Issue::BadCode => "hxl_bad_code",
            Issue::BadName => "hxl_bad_name",
            Issue::OtherLevel { .. } | Issue::BrokenParent { .. } => "hxl_broken_parent",
            Issue::NameDiffers { .. } => "hxl_name_differs",
            Issue::TooManyProblems { .. } => "hxl_too_many_problems",
        }
    }
}

/// Keeps the report readable: the first problems, and a count of the rest.
pub fn cap(mut problems: Vec<HxlProblem>) -> Vec<HxlProblem> {
    if problems.len() > MAX_REPORTED {
        let more = problems.len() - MAX_REPORTED;
        problems.truncate(MAX_REPORTED);
        let row = problems.last().map(|p| p.row).unwrap_or(1);
        problems.push(HxlProblem::new(row, None, Issue::TooManyProblems { more }));
    }
    problems
}
