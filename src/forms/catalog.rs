//! One record type's form as the application uses it: the sections in order, the lookups they
//! name, and the reference data (locations, agencies, users) that choice fields draw on, indexed
//! for validation and display. Built from stored configuration and cached by its stamp.

use std::collections::HashMap;

use super::{Field, FieldType, Labels, Lookup, OptionSource, Section};

/// A choice from reference data: a location, an agency or a user.
#[derive(Debug, Clone, PartialEq)]
pub struct RefEntry {
    pub id: String,
    pub label: Labels,
    pub disabled: bool,
}

/// The reference data choice fields can draw on.
#[derive(Debug, Clone, Default)]
pub struct References {
    pub locations: Vec<RefEntry>,
    pub agencies: Vec<RefEntry>,
    pub users: Vec<RefEntry>,
}

/// One choice of a field as shown to a user.
#[derive(Debug, Clone, PartialEq)]
pub struct Choice<'a> {
    pub id: &'a str,
    pub label: &'a Labels,
    pub disabled: bool,
}

#[derive(Debug, Clone)]
struct RefIndex {
    entries: Vec<RefEntry>,
    by_id: HashMap<String, usize>,
}

impl RefIndex {
    fn new(entries: Vec<RefEntry>) -> Self {
        let by_id = entries
            .iter()
            .enumerate()
            .map(|(i, e)| (e.id.clone(), i))
            .collect();
        Self { entries, by_id }
    }

    fn get(&self, id: &str) -> Option<&RefEntry> {
        self.by_id.get(id).and_then(|i| self.entries.get(*i))
    }
}

#[derive(Debug, Clone)]
pub struct Catalog {
    pub record_type: String,
    /// Every section, visible or not, in display order.
    pub sections: Vec<Section>,
    lookups: HashMap<String, Lookup>,
    /// Top-level fields by name, hidden ones included (their values are kept).
    fields: HashMap<String, (usize, usize)>,
    locations: RefIndex,
    agencies: RefIndex,
    users: RefIndex,
}

impl Catalog {
    pub fn new(
        record_type: &str,
        mut sections: Vec<Section>,
        lookups: Vec<Lookup>,
        refs: References,
    ) -> Self {
        sections.retain(|s| s.record_type == record_type);
        sections.sort_by(|a, b| a.order.cmp(&b.order).then_with(|| a.id.cmp(&b.id)));
        let mut fields = HashMap::new();
        for (si, section) in sections.iter().enumerate() {
            for (fi, field) in section.fields.iter().enumerate() {
                // The first definition of a name wins; the change checks refuse duplicates.
                fields.entry(field.name.clone()).or_insert((si, fi));
            }
        }
        Self {
            record_type: record_type.to_owned(),
            sections,
            lookups: lookups.into_iter().map(|l| (l.id.clone(), l)).collect(),
            fields,
            locations: RefIndex::new(refs.locations),
            agencies: RefIndex::new(refs.agencies),
            users: RefIndex::new(refs.users),
        }
    }

    /// A top-level field by name (hidden ones too).
    pub fn field(&self, name: &str) -> Option<&Field> {
        let (s, f) = self.fields.get(name)?;
        self.sections.get(*s)?.fields.get(*f)
    }

    /// Every top-level field, in form order, hidden ones too.
    pub fn all_fields(&self) -> impl Iterator<Item = &Field> {
        self.sections.iter().flat_map(|s| &s.fields)
    }

    /// The sections a caseworker sees, in order.
    pub fn visible_sections(&self) -> impl Iterator<Item = &Section> {
        self.sections.iter().filter(|s| s.visible)
    }

    /// This form as a role sees it: sections the role has less than `least` on are not shown.
    pub fn restricted(
        &self,
        access: &crate::access::sections::SectionAccess,
        least: crate::access::sections::SectionRight,
    ) -> Catalog {
        let mut copy = self.clone();
        for s in &mut copy.sections {
            if access.right(&s.id) < least {
                s.visible = false;
            }
        }
        copy
    }

    pub fn section(&self, id: &str) -> Option<&Section> {
        self.sections.iter().find(|s| s.id == id)
    }

    pub fn lookup(&self, id: &str) -> Option<&Lookup> {
        self.lookups.get(id)
    }

    /// Every lookup's id, sorted.
    pub fn lookup_ids(&self) -> impl Iterator<Item = &str> {
        let mut ids: Vec<&str> = self.lookups.keys().map(String::as_str).collect();
        ids.sort_unstable();
        ids.into_iter()
    }

    /// The reference data the catalog was built with.
    pub fn references(&self) -> References {
        References {
            locations: self.locations.entries.clone(),
            agencies: self.agencies.entries.clone(),
            users: self.users.entries.clone(),
        }
    }

    /// Every choice a field has (disabled ones included, flagged), in order.
    pub fn choices<'a>(&'a self, field: &'a Field) -> Vec<Choice<'a>> {
        fn from_refs(index: &RefIndex) -> Vec<Choice<'_>> {
            index
                .entries
                .iter()
                .map(|e| Choice {
                    id: &e.id,
                    label: &e.label,
                    disabled: e.disabled,
                })
                .collect()
        }
        match field.source {
            Some(OptionSource::Locations) => return from_refs(&self.locations),
            Some(OptionSource::Agencies) => return from_refs(&self.agencies),
            Some(OptionSource::Users) => return from_refs(&self.users),
            None => {}
        }
        let values = match &field.lookup {
            Some(id) => self.lookup(id).map(|l| l.values.as_slice()).unwrap_or(&[]),
            None => field.options.as_slice(),
        };
        values
            .iter()
            .map(|o| Choice {
                id: &o.id,
                label: &o.label,
                disabled: o.disabled,
            })
            .collect()
    }

    /// One choice of a field by its id.
    pub fn choice<'a>(&'a self, field: &'a Field, id: &str) -> Option<Choice<'a>> {
        let from_ref = |index: &'a RefIndex| {
            index.get(id).map(|e| Choice {
                id: &e.id,
                label: &e.label,
                disabled: e.disabled,
            })
        };
        match field.source {
            Some(OptionSource::Locations) => from_ref(&self.locations),
            Some(OptionSource::Agencies) => from_ref(&self.agencies),
            Some(OptionSource::Users) => from_ref(&self.users),
            None => {
                let values = match &field.lookup {
                    Some(l) => self.lookup(l).map(|l| l.values.as_slice()).unwrap_or(&[]),
                    None => field.options.as_slice(),
                };
                values.iter().find(|o| o.id == id).map(|o| Choice {
                    id: &o.id,
                    label: &o.label,
                    disabled: o.disabled,
                })
            }
        }
    }

    /// Whether a field offers choices at all (a choice field whose lookup is missing offers none,
    /// and then accepts any value rather than refusing every record).
    /// The same holds for a location, agency or user field while that list is still empty (a
    /// new instance before its location tree is loaded).
    pub fn has_choice_list(&self, field: &Field) -> bool {
        let source_filled = match field.source {
            Some(OptionSource::Locations) => !self.locations.entries.is_empty(),
            Some(OptionSource::Agencies) => !self.agencies.entries.is_empty(),
            Some(OptionSource::Users) => !self.users.entries.is_empty(),
            None => false,
        };
        source_filled
            || !field.options.is_empty()
            || field
                .lookup
                .as_deref()
                .is_some_and(|l| self.lookup(l).is_some())
    }

    /// The label of a choice in a language, or the value itself if it is unknown.
    pub fn choice_label(&self, field: &Field, value: &str, lang: &str) -> String {
        self.choice(field, value)
            .map(|c| c.label.get(lang).to_owned())
            .filter(|l| !l.is_empty())
            .unwrap_or_else(|| value.to_owned())
    }

    /// The label of a lookup value in a language, or the value itself if unknown.
    pub fn option_label<'a>(&'a self, lookup: &str, value: &'a str, lang: &str) -> &'a str {
        self.lookup(lookup)
            .and_then(|l| l.values.iter().find(|v| v.id == value))
            .map(|v| v.label.get(lang))
            .filter(|l| !l.is_empty())
            .unwrap_or(value)
    }

    /// Names of the fields the name search indexes.
    pub fn searchable_fields(&self) -> impl Iterator<Item = &str> {
        self.all_fields()
            .filter(|f| f.searchable && f.kind == FieldType::Text)
            .map(|f| f.name.as_str())
    }
}
