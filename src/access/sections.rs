//! Per-section rights of a role over record forms: a section can be read and written (the
//! default), only read, or hidden. A hidden section's fields are never sent to the role's
//! users, in pages or in the API; a read-only section's fields cannot be changed by them.

use std::collections::{BTreeMap, HashSet};

use crate::forms::Catalog;

/// What a role may do with one form section, from least to most.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum SectionRight {
    Hidden,
    Read,
    ReadWrite,
}

impl SectionRight {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Hidden => "hidden",
            Self::Read => "r",
            Self::ReadWrite => "rw",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "hidden" => Some(Self::Hidden),
            "r" => Some(Self::Read),
            "rw" => Some(Self::ReadWrite),
            _ => None,
        }
    }
}

/// A role's rights by section id; a section not listed is read and written.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SectionAccess(BTreeMap<String, SectionRight>);

impl SectionAccess {
    /// Parses the stored JSON object. An unknown right hides the section (a newer version may
    /// have written it; reaching less is the safe reading).
    pub fn from_json(json: &str) -> Self {
        let raw: BTreeMap<String, String> = serde_json::from_str(json).unwrap_or_else(|e| {
            tracing::warn!(error = %e, "role form section access is not a JSON object");
            BTreeMap::new()
        });
        Self(
            raw.into_iter()
                .map(|(section, right)| {
                    let r = SectionRight::parse(&right).unwrap_or_else(|| {
                        tracing::warn!(%section, %right, "unknown section right; hiding the section");
                        SectionRight::Hidden
                    });
                    (section, r)
                })
                .collect(),
        )
    }

    pub fn to_json(&self) -> String {
        let raw: BTreeMap<&str, &str> = self
            .0
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        serde_json::to_string(&raw).unwrap_or_else(|_| "{}".into())
    }

    pub fn set(&mut self, section: &str, right: SectionRight) {
        if right == SectionRight::ReadWrite {
            self.0.remove(section);
        } else {
            self.0.insert(section.to_owned(), right);
        }
    }

    pub fn right(&self, section: &str) -> SectionRight {
        self.0
            .get(section)
            .copied()
            .unwrap_or(SectionRight::ReadWrite)
    }

    /// Whether every section is read and written.
    pub fn is_unrestricted(&self) -> bool {
        self.0.values().all(|r| *r == SectionRight::ReadWrite)
    }

    /// Whether `other` gives some section more than this does.
    pub fn opens_more_than(&self, other: &SectionAccess) -> bool {
        self.0
            .keys()
            .chain(other.0.keys())
            .any(|s| other.right(s) > self.right(s))
    }

    pub fn entries(&self) -> impl Iterator<Item = (&str, SectionRight)> {
        self.0.iter().map(|(k, v)| (k.as_str(), *v))
    }

    /// The top-level fields of `catalog` whose section has less than `at_least`.
    pub fn fields_below(&self, catalog: &Catalog, at_least: SectionRight) -> HashSet<String> {
        catalog
            .sections
            .iter()
            .filter(|s| self.right(&s.id) < at_least)
            .flat_map(|s| s.fields.iter().map(|f| f.name.clone()))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unlisted_sections_are_read_and_written_and_unknown_rights_hide() {
        let a = SectionAccess::from_json(r#"{"family":"hidden","plan":"r","other":"weird"}"#);
        assert_eq!(a.right("family"), SectionRight::Hidden);
        assert_eq!(a.right("plan"), SectionRight::Read);
        assert_eq!(a.right("other"), SectionRight::Hidden);
        assert_eq!(a.right("basic"), SectionRight::ReadWrite);
        assert!(!a.is_unrestricted());
        assert!(SectionAccess::from_json("{}").is_unrestricted());
        assert!(SectionAccess::from_json("not json").is_unrestricted());
    }

    #[test]
    fn opening_is_compared_section_by_section() {
        let narrow = SectionAccess::from_json(r#"{"family":"hidden"}"#);
        let wide = SectionAccess::default();
        assert!(narrow.opens_more_than(&wide));
        assert!(!wide.opens_more_than(&narrow));
        let read = SectionAccess::from_json(r#"{"family":"r"}"#);
        assert!(narrow.opens_more_than(&read));
        assert!(!read.opens_more_than(&narrow));
        let mut round = read.clone();
        round.set("family", SectionRight::ReadWrite);
        assert_eq!(round, wide);
        assert_eq!(SectionAccess::from_json(&read.to_json()), read);
    }
}
