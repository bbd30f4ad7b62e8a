//! Record forms as data: sections of typed fields with translated labels, and the lookups (code
//! lists) their choices come from. Forms are stored configuration (see [`store`]); a fresh
//! instance gets the standard child-protection case forms ([`standard`]). Validation of
//! submitted records runs here ([`validate`]), for the UI and the API alike, and every change to
//! the configuration passes the safety checks of [`changes`].

pub mod api;
pub mod builder;
pub mod catalog;
pub mod changes;
pub mod lookup_pages;
pub mod pages;
pub mod standard;
pub mod store;
pub mod validate;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

pub use catalog::{Catalog, Choice};

/// A label in several languages; English is the fallback.
#[derive(Debug, Clone, Serialize, Deserialize, Default, PartialEq)]
pub struct Labels(pub BTreeMap<String, String>);

impl Labels {
    pub fn get(&self, lang: &str) -> &str {
        self.0
            .get(lang)
            .filter(|s| !s.is_empty())
            .or_else(|| self.0.get("en"))
            .map(String::as_str)
            .unwrap_or("")
    }

    /// The text in exactly this language, without falling back (for translation editors).
    pub fn exact(&self, lang: &str) -> &str {
        self.0.get(lang).map(String::as_str).unwrap_or("")
    }

    pub fn set(&mut self, lang: &str, text: &str) {
        let text = text.trim();
        if text.is_empty() {
            self.0.remove(lang);
        } else {
            self.0.insert(lang.to_owned(), text.to_owned());
        }
    }

    pub fn is_empty(&self) -> bool {
        self.0.values().all(|s| s.trim().is_empty())
    }
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, Hash)]
#[serde(rename_all = "snake_case")]
pub enum FieldType {
    Text,
    Textarea,
    Select,
    MultiSelect,
    Radio,
    TickBox,
    Number,
    Date,
    /// `{"from": date, "to": date}`.
    DateRange,
    /// A repeating group of fields.
    Subform,
    /// A heading between fields; holds no value.
    Separator,
    /// Files, kept as attachments of the record rather than in its form data.
    Photo,
    Document,
    Audio,
    /// Read-only, derived from other fields on every save.
    Calculated,
    /// A drawn signature as a PNG data URL.
    Signature,
}

impl FieldType {
    pub const ALL: [FieldType; 16] = [
        FieldType::Text,
        FieldType::Textarea,
        FieldType::Select,
        FieldType::MultiSelect,
        FieldType::Radio,
        FieldType::TickBox,
        FieldType::Number,
        FieldType::Date,
        FieldType::DateRange,
        FieldType::Subform,
        FieldType::Separator,
        FieldType::Photo,
        FieldType::Document,
        FieldType::Audio,
        FieldType::Calculated,
        FieldType::Signature,
    ];

    /// The name used in stored definitions and the API.
    pub fn name(self) -> &'static str {
        match self {
            FieldType::Text => "text",
            FieldType::Textarea => "textarea",
            FieldType::Select => "select",
            FieldType::MultiSelect => "multi_select",
            FieldType::Radio => "radio",
            FieldType::TickBox => "tick_box",
            FieldType::Number => "number",
            FieldType::Date => "date",
            FieldType::DateRange => "date_range",
            FieldType::Subform => "subform",
            FieldType::Separator => "separator",
            FieldType::Photo => "photo",
            FieldType::Document => "document",
            FieldType::Audio => "audio",
            FieldType::Calculated => "calculated",
            FieldType::Signature => "signature",
        }
    }

    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.name() == name)
    }

    /// Types whose value is one of a set of choices.
    pub fn has_choices(self) -> bool {
        matches!(
            self,
            FieldType::Select | FieldType::MultiSelect | FieldType::Radio
        )
    }

    /// Types whose values live outside the form data (attachments) or that hold none.
    pub fn holds_form_data(self) -> bool {
        !matches!(
            self,
            FieldType::Separator | FieldType::Photo | FieldType::Document | FieldType::Audio
        )
    }

    pub fn is_attachment(self) -> bool {
        matches!(
            self,
            FieldType::Photo | FieldType::Document | FieldType::Audio
        )
    }
}

/// Where a choice field's options come from besides a lookup or an inline list.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum OptionSource {
    Locations,
    Agencies,
    Users,
}

impl OptionSource {
    pub fn name(self) -> &'static str {
        match self {
            OptionSource::Locations => "locations",
            OptionSource::Agencies => "agencies",
            OptionSource::Users => "users",
        }
    }
}

/// One choice of a lookup or an inline list. A disabled choice is no longer offered but still
/// shown (with its label) on the records that hold it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct OptionDef {
    pub id: String,
    pub label: Labels,
    #[serde(default, skip_serializing_if = "is_false")]
    pub disabled: bool,
}

/// Conditional display: the field is shown (and required) only when `field` has this value.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Condition {
    pub field: String,
    pub equals: Value,
}

/// How a calculated field is derived.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "snake_case")]
pub enum Calculation {
    /// Whole years from a date field to today (an age from a date of birth).
    YearsSince(String),
    /// The sum of number fields.
    Sum(Vec<String>),
    /// The number of entries in a subform.
    Count(String),
}

fn yes() -> bool {
    true
}

fn is_false(b: &bool) -> bool {
    !*b
}

fn is_true(b: &bool) -> bool {
    *b
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Field {
    pub name: String,
    #[serde(rename = "type")]
    pub kind: FieldType,
    pub label: Labels,
    #[serde(default, skip_serializing_if = "Labels::is_empty")]
    pub help: Labels,
    #[serde(default, skip_serializing_if = "is_false")]
    pub required: bool,
    /// Shown when editing, left out of the record's read view.
    #[serde(default, skip_serializing_if = "is_false")]
    pub hidden_on_view: bool,
    /// False once an administrator removes the field: it leaves the form, its values stay.
    #[serde(default = "yes", skip_serializing_if = "is_true")]
    pub visible: bool,
    /// Names that the name search indexes.
    #[serde(default, skip_serializing_if = "is_false")]
    pub searchable: bool,
    /// Record metadata kept outside the form data (case id, owner), shown read-only.
    #[serde(default, skip_serializing_if = "is_false")]
    pub system: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lookup: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub options: Vec<OptionDef>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<OptionSource>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max: Option<f64>,
    /// Dates that cannot be in the future (birth, registration).
    #[serde(default, skip_serializing_if = "is_false")]
    pub not_future: bool,
    /// A date with a time of day.
    #[serde(default, skip_serializing_if = "is_false")]
    pub with_time: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub show_if: Option<Condition>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub calculate: Option<Calculation>,
    /// The fields of one subform entry.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<Field>,
}

impl Field {
    /// A new visible field of a type with an English label.
    pub fn new(name: &str, kind: FieldType, label_en: &str) -> Self {
        let mut label = Labels::default();
        label.set("en", label_en);
        Self {
            name: name.to_owned(),
            kind,
            label,
            help: Labels::default(),
            required: false,
            hidden_on_view: false,
            visible: true,
            searchable: false,
            system: false,
            lookup: None,
            options: Vec::new(),
            source: None,
            min: None,
            max: None,
            not_future: false,
            with_time: false,
            show_if: None,
            calculate: None,
            fields: Vec::new(),
        }
    }

    /// Whether a caseworker enters this field's value in the record's form.
    pub fn is_entered(&self) -> bool {
        self.visible
            && !self.system
            && self.kind.holds_form_data()
            && self.kind != FieldType::Calculated
    }

    /// Whether the field is shown given the values beside it.
    pub fn condition_met(&self, siblings: &serde_json::Map<String, Value>) -> bool {
        let Some(cond) = &self.show_if else {
            return true;
        };
        match siblings.get(&cond.field) {
            Some(Value::Array(items)) => items.contains(&cond.equals),
            Some(Value::Bool(b)) => match &cond.equals {
                Value::Bool(e) => b == e,
                Value::String(e) => b.to_string() == *e,
                _ => false,
            },
            Some(v) => *v == cond.equals,
            None => false,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Section {
    pub id: String,
    pub record_type: String,
    /// The form group the section is listed under (a value of the record type's form-group
    /// lookup).
    #[serde(default)]
    pub group: String,
    pub order: i32,
    #[serde(default = "yes")]
    pub visible: bool,
    pub label: Labels,
    #[serde(default, skip_serializing_if = "Labels::is_empty")]
    pub help: Labels,
    pub fields: Vec<Field>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Lookup {
    pub id: String,
    pub label: Labels,
    pub values: Vec<OptionDef>,
}

/// A set of sections and lookups as shipped or exchanged (the standard forms' file format).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FormSet {
    pub sections: Vec<Section>,
    pub lookups: Vec<Lookup>,
}
