//! Record forms as data: sections of typed fields with translated labels, and the lookups (code
//! lists) their choices come from. Until forms become configurable, the built-in case form ships
//! as JSON in the binary. Validation of submitted records runs here, for the UI and the API alike.

pub mod store;
pub mod validate;

use std::collections::{BTreeMap, HashMap};
use std::sync::LazyLock;

use serde::Deserialize;

use crate::error::{AppError, AppResult};

/// A label in several languages; English is the fallback.
#[derive(Debug, Clone, Deserialize, Default)]
pub struct Labels(BTreeMap<String, String>);

impl Labels {
    pub fn get(&self, lang: &str) -> &str {
        self.0
            .get(lang)
            .or_else(|| self.0.get("en"))
            .map(String::as_str)
            .unwrap_or("")
    }
}

#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq)]
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
    /// A location code (free text until the location tree exists).
    Location,
    Subform,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Field {
    pub name: String,
    #[serde(rename = "type")]
    pub kind: FieldType,
    pub label: Labels,
    #[serde(default)]
    pub required: bool,
    pub lookup: Option<String>,
    pub min: Option<f64>,
    pub max: Option<f64>,
    /// Dates that cannot be in the future (birth, registration).
    #[serde(default)]
    pub not_future: bool,
    /// Names that the name search indexes.
    #[serde(default)]
    pub searchable: bool,
    /// The fields of one subform entry.
    #[serde(default)]
    pub fields: Vec<Field>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Section {
    pub id: String,
    pub label: Labels,
    pub fields: Vec<Field>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct FormDef {
    pub record_type: String,
    pub sections: Vec<Section>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct LookupValue {
    pub id: String,
    pub label: Labels,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Lookup {
    pub id: String,
    pub values: Vec<LookupValue>,
}

/// A form with the lookups it uses, indexed for validation.
#[derive(Debug)]
pub struct Catalog {
    pub form: FormDef,
    lookups: HashMap<String, Lookup>,
    fields: HashMap<String, Field>,
}

impl Catalog {
    pub fn from_json(json: &str) -> Result<Self, String> {
        #[derive(Deserialize)]
        struct Raw {
            form: FormDef,
            lookups: Vec<Lookup>,
        }
        let raw: Raw = serde_json::from_str(json).map_err(|e| e.to_string())?;
        let lookups: HashMap<String, Lookup> =
            raw.lookups.into_iter().map(|l| (l.id.clone(), l)).collect();
        let mut fields = HashMap::new();
        for field in raw.form.sections.iter().flat_map(|s| &s.fields) {
            for f in std::iter::once(field).chain(&field.fields) {
                if let Some(id) = &f.lookup {
                    if !lookups.contains_key(id) {
                        return Err(format!("field {} uses unknown lookup {id}", f.name));
                    }
                }
            }
            if fields.insert(field.name.clone(), field.clone()).is_some() {
                return Err(format!("field {} is defined twice", field.name));
            }
        }
        Ok(Self {
            form: raw.form,
            lookups,
            fields,
        })
    }

    /// A top-level field by name.
    pub fn field(&self, name: &str) -> Option<&Field> {
        self.fields.get(name)
    }

    pub fn lookup(&self, id: &str) -> Option<&Lookup> {
        self.lookups.get(id)
    }

    /// The label of a lookup value in a language, or the value itself if unknown.
    pub fn option_label<'a>(&'a self, lookup: &str, value: &'a str, lang: &str) -> &'a str {
        self.lookup(lookup)
            .and_then(|l| l.values.iter().find(|v| v.id == value))
            .map(|v| v.label.get(lang))
            .unwrap_or(value)
    }

    /// Names of the fields the name search indexes.
    pub fn searchable_fields(&self) -> impl Iterator<Item = &str> {
        self.form
            .sections
            .iter()
            .flat_map(|s| &s.fields)
            .filter(|f| f.searchable)
            .map(|f| f.name.as_str())
    }
}

static CASE_FORM: LazyLock<Result<Catalog, String>> =
    LazyLock::new(|| Catalog::from_json(include_str!("builtin_case.json")));

/// The built-in case form.
pub fn case_form() -> AppResult<&'static Catalog> {
    CASE_FORM
        .as_ref()
        .map_err(|e| AppError::internal(format!("built-in case form is invalid: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_case_form_loads() {
        let c = case_form().unwrap();
        assert_eq!(c.form.record_type, "case");
        for name in [
            "name_first",
            "name_last",
            "sex",
            "age",
            "date_of_birth",
            "registration_date",
            "risk_level",
            "protection_concerns",
            "urgent_protection_concern",
            "family_details_section",
            "notes_section",
        ] {
            assert!(c.field(name).is_some(), "{name}");
        }
        assert_eq!(c.option_label("lookup-gender", "female", "fr"), "Féminin");
        assert_eq!(c.option_label("lookup-risk-level", "high", "ar"), "مرتفع");
        assert_eq!(
            c.option_label("lookup-risk-level", "unknown-x", "en"),
            "unknown-x"
        );
        let searchable: Vec<_> = c.searchable_fields().collect();
        assert_eq!(searchable, ["name_first", "name_last", "name_nickname"]);
    }

    #[test]
    fn unknown_lookup_is_rejected() {
        let json = r#"{"form":{"record_type":"case","sections":[{"id":"s","label":{},"fields":[
            {"name":"x","type":"select","label":{},"lookup":"nope"}]}]},"lookups":[]}"#;
        assert!(Catalog::from_json(json)
            .unwrap_err()
            .contains("unknown lookup"));
    }
}
