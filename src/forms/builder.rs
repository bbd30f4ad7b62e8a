//! The form builder's edits as pure functions on a section: finding a field by its path
//! (`name` or `subform.name`), adding, moving, and applying the field editor's form. The checks
//! against stored records run afterwards, when the section is saved.

use serde_json::Value;

use super::{Calculation, Condition, Field, FieldType, Labels, OptionDef, OptionSource, Section};
use crate::error::{AppError, AppResult};
use crate::i18n;

/// The first value of a form key, or empty.
pub fn value(form: &[(String, String)], key: &str) -> String {
    form.iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.clone())
        .unwrap_or_default()
}

/// A field in a section: top level, or inside a subform.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldPath {
    pub parent: Option<String>,
    pub name: String,
}

impl FieldPath {
    pub fn parse(path: &str) -> Self {
        match path.split_once('.') {
            Some((parent, name)) => Self {
                parent: Some(parent.to_owned()),
                name: name.to_owned(),
            },
            None => Self {
                parent: None,
                name: path.to_owned(),
            },
        }
    }
}

fn siblings_mut<'a>(
    section: &'a mut Section,
    parent: Option<&str>,
) -> AppResult<&'a mut Vec<Field>> {
    match parent {
        None => Ok(&mut section.fields),
        Some(p) => section
            .fields
            .iter_mut()
            .find(|f| f.name == p && f.kind == FieldType::Subform)
            .map(|f| &mut f.fields)
            .ok_or_else(AppError::not_found),
    }
}

/// A field and the fields beside it.
pub fn find<'a>(section: &'a Section, path: &FieldPath) -> Option<(&'a Field, &'a [Field])> {
    let siblings: &[Field] = match &path.parent {
        None => &section.fields,
        Some(p) => &section.fields.iter().find(|f| &f.name == p)?.fields,
    };
    siblings
        .iter()
        .find(|f| f.name == path.name)
        .map(|f| (f, siblings))
}

pub fn field_mut<'a>(section: &'a mut Section, path: &FieldPath) -> AppResult<&'a mut Field> {
    siblings_mut(section, path.parent.as_deref())?
        .iter_mut()
        .find(|f| f.name == path.name)
        .ok_or_else(AppError::not_found)
}

pub fn add_field(
    section: &mut Section,
    parent: &str,
    name: &str,
    kind: &str,
    label_en: &str,
) -> AppResult<()> {
    let kind = FieldType::from_name(kind)
        .ok_or_else(|| AppError::invalid("type", "Choose a field type."))?;
    let parent = (!parent.is_empty()).then_some(parent);
    if parent.is_some() && kind == FieldType::Subform {
        return Err(AppError::invalid(
            "type",
            "A subform cannot hold another subform.",
        ));
    }
    let siblings = siblings_mut(section, parent)?;
    if siblings.iter().any(|f| f.name == name) {
        return Err(AppError::invalid(
            "name",
            format!("There is already a field {name} here (a removed field keeps its name)."),
        ));
    }
    let mut field = Field::new(name, kind, label_en);
    // A choice field needs choices from somewhere: start with its own, empty list of options
    // filled in the editor; a calculated field starts as a count so the form stays consistent.
    if kind.has_choices() {
        field.options.push(OptionDef {
            id: "option_1".into(),
            label: {
                let mut l = Labels::default();
                l.set("en", "Option 1");
                l
            },
            disabled: false,
        });
    }
    siblings.push(field);
    Ok(())
}

pub fn move_field(section: &mut Section, path: &FieldPath, up: bool) -> AppResult<()> {
    let siblings = siblings_mut(section, path.parent.as_deref())?;
    let i = siblings
        .iter()
        .position(|f| f.name == path.name)
        .ok_or_else(AppError::not_found)?;
    let j = if up { i.checked_sub(1) } else { Some(i + 1) };
    if let Some(j) = j.filter(|j| *j < siblings.len()) {
        siblings.swap(i, j);
    }
    Ok(())
}

/// Which kind of choice list a field uses, as the editor's select names it.
pub fn choice_kind(field: &Field) -> &'static str {
    match (&field.lookup, field.source) {
        (Some(_), _) => "lookup",
        (None, Some(s)) => s.name(),
        (None, None) if !field.options.is_empty() => "options",
        _ => "",
    }
}

/// A calculation as the editor shows it: its kind and the fields it uses, comma separated.
pub fn calculation_parts(field: &Field) -> (&'static str, String) {
    match &field.calculate {
        Some(Calculation::YearsSince(f)) => ("years_since", f.clone()),
        Some(Calculation::Count(f)) => ("count", f.clone()),
        Some(Calculation::Sum(list)) => ("sum", list.join(", ")),
        None => ("", String::new()),
    }
}

/// Options from rows `{prefix}:{i}:id`, `{prefix}:{i}:label:{lang}`, `{prefix}:{i}:disabled`
/// and `{prefix}:{i}:remove`, in row order; a row without an id is skipped.
pub fn options_from_form(form: &[(String, String)], prefix: &str) -> Vec<OptionDef> {
    let mut out = Vec::new();
    for i in 0.. {
        let key = |k: &str| format!("{prefix}:{i}:{k}");
        if !form
            .iter()
            .any(|(k, _)| k.starts_with(&format!("{prefix}:{i}:")))
        {
            break;
        }
        let id = value(form, &key("id")).trim().to_owned();
        if id.is_empty() || value(form, &key("remove")) == "true" {
            continue;
        }
        let mut label = Labels::default();
        for code in i18n::SUPPORTED {
            label.set(code, &value(form, &key(&format!("label:{code}"))));
        }
        out.push(OptionDef {
            id,
            label,
            disabled: value(form, &key("disabled")) == "true",
        });
    }
    out
}

/// The field editor's submitted form.
pub struct FieldEdit {
    form: Vec<(String, String)>,
}

impl FieldEdit {
    pub fn from_form(form: &[(String, String)]) -> Self {
        Self {
            form: form.to_vec(),
        }
    }

    fn get(&self, key: &str) -> String {
        value(&self.form, key).trim().to_owned()
    }

    fn flag(&self, key: &str) -> bool {
        self.get(key) == "true"
    }

    fn number(&self, key: &str) -> AppResult<Option<f64>> {
        let text = self.get(key);
        if text.is_empty() {
            return Ok(None);
        }
        text.parse::<f64>()
            .ok()
            .filter(|n| n.is_finite())
            .map(Some)
            .ok_or_else(|| AppError::invalid(key, format!("{key} must be a number")))
    }

    pub fn apply(&self, field: &mut Field) -> AppResult<()> {
        if let Some(kind) = FieldType::from_name(&self.get("type")) {
            field.kind = kind;
        }
        for code in i18n::SUPPORTED {
            field
                .label
                .set(code, &value(&self.form, &format!("label:{code}")));
            field
                .help
                .set(code, &value(&self.form, &format!("help:{code}")));
        }
        field.required = self.flag("required");
        field.hidden_on_view = self.flag("hidden_on_view");
        field.not_future = self.flag("not_future");
        field.with_time = self.flag("with_time");
        field.min = self.number("min")?;
        field.max = self.number("max")?;
        let (lookup, source, options) = match self.get("choices").as_str() {
            "lookup" => (
                Some(self.get("lookup")).filter(|l| !l.is_empty()),
                None,
                Vec::new(),
            ),
            "options" => (None, None, options_from_form(&self.form, "opt")),
            "locations" => (None, Some(OptionSource::Locations), Vec::new()),
            "agencies" => (None, Some(OptionSource::Agencies), Vec::new()),
            "users" => (None, Some(OptionSource::Users), Vec::new()),
            _ => (None, None, Vec::new()),
        };
        if field.kind.has_choices() {
            field.lookup = lookup;
            field.source = source;
            field.options = options;
        } else {
            field.lookup = None;
            field.source = None;
            field.options.clear();
        }
        let when = self.get("show_if_field");
        field.show_if = (!when.is_empty()).then(|| {
            let raw = self.get("show_if_value");
            let equals = match raw.as_str() {
                "true" => Value::Bool(true),
                "false" => Value::Bool(false),
                _ => Value::String(raw),
            };
            Condition {
                field: when,
                equals,
            }
        });
        let uses: Vec<String> = self
            .get("calc_fields")
            .split(',')
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty())
            .collect();
        field.calculate = match (field.kind, self.get("calc_kind").as_str()) {
            (FieldType::Calculated, "years_since") => {
                uses.first().cloned().map(Calculation::YearsSince)
            }
            (FieldType::Calculated, "count") => uses.first().cloned().map(Calculation::Count),
            (FieldType::Calculated, "sum") => Some(Calculation::Sum(uses)),
            _ => None,
        };
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter()
            .map(|(k, v)| ((*k).into(), (*v).into()))
            .collect()
    }

    fn section() -> Section {
        let mut sub = Field::new("family", FieldType::Subform, "Family");
        sub.fields
            .push(Field::new("relation_name", FieldType::Text, "Name"));
        Section {
            id: "s".into(),
            record_type: "case".into(),
            group: String::new(),
            order: 1,
            visible: true,
            label: Labels::default(),
            help: Labels::default(),
            fields: vec![Field::new("a", FieldType::Text, "A"), sub],
        }
    }

    #[test]
    fn paths_reach_subform_fields() {
        let s = section();
        let (f, siblings) = find(&s, &FieldPath::parse("family.relation_name")).unwrap();
        assert_eq!(f.name, "relation_name");
        assert_eq!(siblings.len(), 1);
        assert!(find(&s, &FieldPath::parse("nope.x")).is_none());
    }

    #[test]
    fn adding_and_moving() {
        let mut s = section();
        add_field(&mut s, "", "b", "select", "B").unwrap();
        assert_eq!(
            s.fields[2].options.len(),
            1,
            "a choice field starts with one option"
        );
        assert!(add_field(&mut s, "", "a", "text", "A again").is_err());
        assert!(add_field(&mut s, "family", "inner", "subform", "X").is_err());
        move_field(&mut s, &FieldPath::parse("b"), true).unwrap();
        let names: Vec<_> = s.fields.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(names, ["a", "b", "family"]);
        move_field(&mut s, &FieldPath::parse("a"), true).unwrap();
        assert_eq!(s.fields[0].name, "a", "the first stays first");
    }

    #[test]
    fn editor_form_becomes_a_field() {
        let mut f = Field::new("status", FieldType::Text, "Status");
        FieldEdit::from_form(&form(&[
            ("type", "radio"),
            ("label:en", "Alive?"),
            ("label:fr", "En vie ?"),
            ("label:ar", "على قيد الحياة؟"),
            ("required", "true"),
            ("choices", "options"),
            ("opt:0:id", "alive"),
            ("opt:0:label:en", "Alive"),
            ("opt:1:id", "dead"),
            ("opt:1:label:en", "Dead"),
            ("opt:1:disabled", "true"),
            ("opt:2:id", "gone"),
            ("opt:2:label:en", "Gone"),
            ("opt:2:remove", "true"),
            ("opt:3:id", ""),
            ("show_if_field", "known"),
            ("show_if_value", "true"),
        ]))
        .apply(&mut f)
        .unwrap();
        assert_eq!(f.kind, FieldType::Radio);
        assert_eq!(f.label.get("fr"), "En vie ?");
        assert!(f.required);
        let ids: Vec<_> = f
            .options
            .iter()
            .map(|o| (o.id.as_str(), o.disabled))
            .collect();
        assert_eq!(ids, [("alive", false), ("dead", true)]);
        assert_eq!(f.show_if.as_ref().unwrap().equals, Value::Bool(true));
        let bad = FieldEdit::from_form(&form(&[("min", "ten")])).apply(&mut f);
        assert!(bad.is_err());
    }
}
