use super::report::MAX_REPORTED;
use super::*;
use crate::i18n::Lang;

fn problems(csv: &str) -> Vec<HxlProblem> {
    parse(csv.as_bytes()).unwrap_err()
}

fn at(p: &HxlProblem) -> String {
    p.place(&Lang::new("en"))
}

const GOOD: &str =
    "\u{FEFF}Country,Country code,Province,Province code,District,District code (FR)\n\
#country+name,#country+code,#adm1+name,#adm1+code,#adm2+name+i_fr,#ADM2 +code\n\
Testland,XX,Northern Province,XX01,Nord A,XX0101\n\
Testland,XX,Northern Province,XX01,Nord B,XX0102\n\
,,,,,\n\
Testland,XX,Southern Province,XX02,,\n";

#[test]
fn reads_places_with_their_parents_and_languages() {
    let places = parse(GOOD.as_bytes()).unwrap();
    let codes: Vec<_> = places.iter().map(|p| p.code.as_str()).collect();
    assert_eq!(codes, ["XX", "XX01", "XX0101", "XX0102", "XX02"]);
    let district = &places[2];
    assert_eq!(district.level, 2);
    assert_eq!(district.parent.as_deref(), Some("XX01"));
    assert_eq!(district.names.get("fr").map(String::as_str), Some("Nord A"));
    assert_eq!(district.row, 3);
    assert_eq!(places[0].parent, None);
    assert_eq!(places[4].row, 6);
}

#[test]
fn a_hashtag_row_first_needs_no_human_header() {
    let places = parse(b"#country+code,#country+name+i_ar\nXX,\xd8\xb4\n").unwrap();
    assert_eq!(
        places[0].names.get("ar").map(String::as_str),
        Some("\u{634}")
    );
}

#[test]
fn missing_codes_name_row_and_column() {
    let found =
        problems("#country+code,#adm1+code,#adm1+name\nXX,XX01,North\nXX,,South\n,XX03,East\n");
    let places: Vec<_> = found.iter().map(at).collect();
    assert_eq!(places, ["row 3, #adm1+code", "row 4, #country+code"]);
    assert_eq!(found[0].issue, Issue::MissingCode);
    assert_eq!(found[0].kind(), "hxl_missing_code");
}

#[test]
fn a_code_under_two_parents_is_a_broken_parent() {
    let found = problems("#country+code,#adm1+code\nXX,XX01\nYY,XX01\nXX,XX\n");
    assert_eq!(at(&found[0]), "row 3, #adm1+code");
    assert!(matches!(found[0].issue, Issue::BrokenParent { .. }));
    assert!(found[0].message(&Lang::new("en")).contains("row 2"));
    assert!(matches!(found[1].issue, Issue::OtherLevel { .. }));
}

#[test]
fn unknown_tags_are_reported_once_with_their_column() {
    let found = problems(
        "#country+code,#population,#adm1+name+i_es,#adm1+code\nXX,10,Norte,XX01\nXX,20,Sur,XX02\n",
    );
    assert_eq!(found.len(), 2);
    assert_eq!(at(&found[0]), "row 1, #population");
    assert_eq!(found[0].issue, Issue::UnknownTag { column: 2 });
    assert_eq!(found[1].issue, Issue::UnsupportedLanguage { column: 3 });
}

#[test]
fn levels_need_their_parent_level_and_a_code_column() {
    let found = problems("#adm1+code,#adm2+code\nXX01,XX0101\n");
    assert_eq!(at(&found[0]), "row 1, #adm1+code");
    assert!(matches!(found[0].issue, Issue::MissingParentLevel { .. }));
    let found = problems("#country+code,#adm1+name\nXX,North\n");
    assert_eq!(found[0].issue, Issue::NoCodeColumn);
    let found = problems("#country+code,#country+code\nXX,XX\n");
    assert_eq!(
        found[0].issue,
        Issue::RepeatedColumn {
            column: 2,
            first: 1
        }
    );
}

#[test]
fn files_without_content() {
    assert_eq!(problems("")[0].issue, Issue::Empty);
    assert_eq!(problems(" \n,,\n")[0].issue, Issue::Empty);
    assert_eq!(
        problems("Country,Code\nTestland,XX\n")[0].issue,
        Issue::NoHashtagRow
    );
    let found = problems("Country\n#country+code\n\n,\n");
    assert_eq!((found[0].row, &found[0].issue), (3, &Issue::NoDataRows));
    assert_eq!(
        problems("#population\n1\n")[0].issue,
        Issue::UnknownTag { column: 1 }
    );
    assert_eq!(problems("#date\n")[0].row, 1);
    let not_utf8 = parse(b"#country+code\nX\xff\n").unwrap_err();
    assert_eq!((not_utf8[0].row, &not_utf8[0].issue), (2, &Issue::NotUtf8));
}

#[test]
fn codes_and_names_are_checked() {
    let long = "X".repeat(MAX_CODE_CHARS + 1);
    let found = problems(&format!(
        "#country+code,#country+name\n{long},A\n\"X\u{1}\",B\nYY,\"two\nlines\"\n"
    ));
    let issues: Vec<_> = found.iter().map(|p| (p.row, p.issue.clone())).collect();
    assert_eq!(
        issues,
        [
            (2, Issue::BadCode),
            (3, Issue::BadCode),
            (4, Issue::BadName)
        ]
    );
}

#[test]
fn names_must_agree_between_rows() {
    let found = problems("#country+code,#country+name\nXX,Testland\nXX,Otherland\nXX,\n");
    assert_eq!(found.len(), 1);
    assert_eq!(
        found[0].issue,
        Issue::NameDiffers {
            code: "XX".into(),
            first_row: 2
        }
    );
}

#[test]
fn long_reports_are_capped() {
    let mut csv = String::from("#country+code,#country+name\n");
    for _ in 0..(MAX_REPORTED + 5) {
        csv.push_str(",Nameless\n");
    }
    let found = problems(&csv);
    assert_eq!(found.len(), MAX_REPORTED + 1);
    assert_eq!(
        found.last().map(|p| &p.issue),
        Some(&Issue::TooManyProblems { more: 5 })
    );
}

#[test]
fn every_message_is_translated() {
    let samples = [
        Issue::Empty,
        Issue::NotUtf8,
        Issue::Unreadable,
        Issue::NoHashtagRow,
        Issue::NoLocationColumns,
        Issue::NoDataRows,
        Issue::UnknownTag { column: 1 },
        Issue::UnsupportedLanguage { column: 1 },
        Issue::RepeatedColumn {
            column: 2,
            first: 1,
        },
        Issue::NoCodeColumn,
        Issue::MissingParentLevel {
            parent_tag: "#adm1+code".into(),
        },
        Issue::MissingCode,
        Issue::MissingParentCode { code: "A".into() },
        Issue::BadCode,
        Issue::BadName,
        Issue::OtherLevel {
            code: "A".into(),
            source: Source::Database,
        },
        Issue::OtherLevel {
            code: "A".into(),
            source: Source::Row(2),
        },
        Issue::BrokenParent {
            code: "A".into(),
            parent: "B".into(),
            source: Source::Database,
        },
        Issue::BrokenParent {
            code: "A".into(),
            parent: "B".into(),
            source: Source::Row(2),
        },
        Issue::NameDiffers {
            code: "A".into(),
            first_row: 2,
        },
        Issue::TooManyProblems { more: 3 },
    ];
    for code in SUPPORTED {
        let lang = Lang::new(code);
        for issue in &samples {
            let p = HxlProblem::new(7, Some("#adm2+code"), issue.clone());
            let text = p.message(&lang);
            assert!(!text.starts_with("hxl-"), "{code}: {issue:?} -> {text}");
            assert!(!text.contains('{'), "{code}: {text}");
            assert!(p.place(&lang).contains('7'));
        }
    }
}
