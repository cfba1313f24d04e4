//! A Connection & Credential configuration template's Default Data Template (JSON), alone or
//! beside its Dynamic Data Schema, read into [`Records`]. The template's shape is parsed by serde
//! derives; the JSON document is kept as a `serde_json::Value` so a fix can be written back.

use serde::{Deserialize, Deserializer};
use serde_json::Value as Json;

use super::records::{EntityScope, Location, Profile, ProfileScope, Records, ScopeRef, Step, Value, COLUMNS};
use super::{ParseJson, ReadError};

/// Where the Default Data Template and the Dynamic Data Schema are in the document.
pub(crate) struct Found<'a> {
    pub template: &'a Json,
    pub template_at: Vec<Step>,
    /// The template as a document of its own, when it was stored as JSON text.
    embedded: Option<Json>,
    pub schema: Option<(Vec<SchemaField>, Vec<Step>)>,
}

/// A key as a person may have spelt it: `defaultDataTemplate`, `default_data_template`,
/// `Default Data Template` are one.
fn folded(key: &str) -> String {
    key.chars().filter(char::is_ascii_alphanumeric).map(|c| c.to_ascii_lowercase()).collect()
}

fn is_template(value: &Json) -> bool {
    value.as_object().is_some_and(|object| object.contains_key("credential") || object.contains_key("connection"))
}

/// Finds the template in `document`: the document itself, or the value of a key named like
/// "Default Data Template" (an object, or JSON text holding one).
pub(crate) fn find<'a>(document: &'a Json, json: &dyn ParseJson) -> Result<Option<Found<'a>>, ReadError> {
    let schema_in = |object: &serde_json::Map<String, Json>| -> Result<_, ReadError> {
        let Some((key, value)) = object.iter().find(|(key, _)| folded(key) == "dynamicdataschema") else {
            return Ok(None);
        };
        let mut at = vec![Step::Key(key.clone())];
        let parsed;
        let value = match value {
            Json::String(text) => {
                parsed = json.parse(text).map_err(|e| {
                    ReadError::Template(format!("its Dynamic Data Schema (`{key}`) is text that is not JSON: {e}"))
                })?;
                at.push(Step::Embedded);
                &parsed
            }
            value => value,
        };
        let fields = schema_fields(value).map_err(|e| {
            ReadError::Template(format!("its Dynamic Data Schema (`{key}`) is not a list of fields: {e}"))
        })?;
        Ok(Some((fields, at)))
    };
    if is_template(document) {
        return Ok(Some(Found { template: document, template_at: Vec::new(), embedded: None, schema: None }));
    }
    let Some(object) = document.as_object() else { return Ok(None) };
    let Some((key, value)) = object.iter().find(|(key, _)| folded(key) == "defaultdatatemplate") else {
        return Ok(None);
    };
    let schema = schema_in(object)?;
    match value {
        Json::String(text) => {
            let embedded: Json = json.parse(text).map_err(|e| {
                ReadError::Template(format!("its Default Data Template (`{key}`) is text that is not JSON: {e}"))
            })?;
            Ok(Some(Found {
                template: document,
                template_at: vec![Step::Key(key.clone()), Step::Embedded],
                embedded: Some(embedded),
                schema,
            }))
        }
        value => Ok(Some(Found { template: value, template_at: vec![Step::Key(key.clone())], embedded: None, schema })),
    }
}

/// One field of a Dynamic Data Schema: the template key it fills and the value it starts from.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct SchemaField {
    #[serde(default, deserialize_with = "text")]
    pub name: Option<String>,
    #[serde(default, rename = "defaultValue", deserialize_with = "text")]
    pub default_value: Option<String>,
}

/// A schema is a list of fields, or an object holding one (`{"fields": […]}`).
fn schema_fields(value: &Json) -> Result<Vec<SchemaField>, serde_json::Error> {
    match value {
        Json::Object(object) => match object.values().find(|value| value.is_array()) {
            Some(list) => Vec::deserialize(list),
            None => Ok(Vec::new()),
        },
        value => Vec::deserialize(value),
    }
}

/// A scalar column as text: ServiceNow writes booleans and numbers as strings too.
fn text<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<String>, D::Error> {
    Ok(match Json::deserialize(deserializer)? {
        Json::String(text) => Some(text),
        Json::Bool(flag) => Some(flag.to_string()),
        Json::Number(number) => Some(number.to_string()),
        _ => None,
    })
}

fn flag<'de, D: Deserializer<'de>>(deserializer: D) -> Result<bool, D::Error> {
    Ok(text(deserializer)?.is_some_and(|text| matches!(text.trim(), "true" | "1" | "yes")))
}

#[derive(Deserialize)]
struct Template {
    #[serde(default)]
    credential: Option<Credential>,
    #[serde(default)]
    connection: Option<Connection>,
}

#[derive(Deserialize)]
struct Credential {
    #[serde(default)]
    oauth_entity: Option<Entity>,
}

#[derive(Deserialize)]
struct Connection {
    #[serde(default, deserialize_with = "text")]
    connection_url: Option<String>,
}

#[derive(Deserialize)]
struct Entity {
    #[serde(default, deserialize_with = "text")]
    name: Option<String>,
    #[serde(default)]
    oauth_entity_scope: Option<Vec<TemplateScope>>,
    #[serde(default)]
    oauth_entity_profile: Option<Vec<TemplateProfile>>,
}

#[derive(Deserialize)]
struct TemplateScope {
    #[serde(default, deserialize_with = "text")]
    name: Option<String>,
    #[serde(default, deserialize_with = "text")]
    oauth_entity_scope: Option<String>,
}

#[derive(Deserialize)]
struct TemplateProfile {
    #[serde(default, deserialize_with = "text")]
    name: Option<String>,
    #[serde(default, deserialize_with = "text")]
    grant_type: Option<String>,
    #[serde(default, alias = "is_default", deserialize_with = "flag")]
    default: bool,
    #[serde(default)]
    oauth_entity_profile_scope: Vec<TemplateProfileScope>,
}

/// A profile scope names its entity scope by value: as text, or as an object holding it.
#[derive(Deserialize)]
#[serde(untagged)]
enum TemplateProfileScope {
    Text(String),
    Object {
        #[serde(default, deserialize_with = "text")]
        oauth_entity_scope: Option<String>,
        #[serde(default, deserialize_with = "text")]
        name: Option<String>,
    },
}

fn key(at: &Location, key: &str) -> Location {
    at.join(Step::Key(key.to_string()))
}

impl Found<'_> {
    /// The template's own document (the embedded one, when it was stored as text).
    fn template_document(&self) -> &Json {
        match &self.embedded {
            Some(embedded) => embedded,
            None => self.template,
        }
    }

    /// The records the template describes, each value placed; the Dynamic Data Schema's
    /// `defaultValue` stands for a column it lists, since that is what an admin starts from.
    pub fn records(&self) -> Result<Records, ReadError> {
        let document = self.template_document();
        let template = Template::deserialize(document).map_err(|e| {
            ReadError::Template(format!("it is not a configuration template's Default Data Template: {e}"))
        })?;
        let root = Location::Json(self.template_at.clone());
        let entity_at = key(&key(&root, "credential"), "oauth_entity");
        let entity_object = document.get("credential").and_then(|c| c.get("oauth_entity"));
        let mut records = Records::default();
        for (column, _) in COLUMNS {
            let at = key(&entity_at, column);
            let typed = entity_object.and_then(|entity| entity.get(column)).and_then(scalar);
            let schema_key = format!("credential.oauth_entity.{column}");
            match self.schema_default(&schema_key) {
                Some((text, at)) => records.columns.push((column, Value { text, at })),
                None => {
                    if let Some(text) = typed {
                        records.columns.push((column, Value { text, at }));
                    }
                }
            }
        }
        let connection_at = key(&key(&root, "connection"), "connection_url");
        records.connection_url = match self.schema_default("connection.connection_url") {
            Some((text, at)) => Some(Value { text, at }),
            None => template
                .connection
                .and_then(|connection| connection.connection_url)
                .map(|text| Value { text, at: connection_at }),
        };
        let Some(entity) = template.credential.and_then(|credential| credential.oauth_entity) else {
            return Ok(records);
        };
        records.name = entity.name;
        let scopes_at = key(&entity_at, "oauth_entity_scope");
        for (index, scope) in entity.oauth_entity_scope.unwrap_or_default().into_iter().enumerate() {
            let record = scopes_at.join(Step::Index(index));
            let Some(text) = scope.oauth_entity_scope else { continue };
            records.scopes.push(EntityScope {
                name: scope.name,
                value: Value { text, at: key(&record, "oauth_entity_scope") },
                sys_id: None,
                record,
            });
        }
        records.scopes_at = Some(scopes_at);
        let profiles_at = key(&entity_at, "oauth_entity_profile");
        for (index, profile) in entity.oauth_entity_profile.unwrap_or_default().into_iter().enumerate() {
            let at = profiles_at.join(Step::Index(index));
            let scopes_at = key(&at, "oauth_entity_profile_scope");
            let scopes = profile
                .oauth_entity_profile_scope
                .into_iter()
                .enumerate()
                .filter_map(|(index, scope)| {
                    let at = scopes_at.join(Step::Index(index));
                    match scope {
                        TemplateProfileScope::Text(text) => {
                            Some(ProfileScope { names: ScopeRef::Value(text), element: at.clone(), at })
                        }
                        TemplateProfileScope::Object { oauth_entity_scope, name } => {
                            let (text, column) = match (oauth_entity_scope, name) {
                                (Some(text), _) => (text, "oauth_entity_scope"),
                                (None, Some(text)) => (text, "name"),
                                (None, None) => return None,
                            };
                            Some(ProfileScope { names: ScopeRef::Value(text), at: key(&at, column), element: at })
                        }
                    }
                })
                .collect();
            records.profiles.push(Profile {
                name: profile.name,
                grant_type: profile.grant_type.map(|text| Value { text, at: key(&at, "grant_type") }),
                default: profile.default,
                scopes,
                scopes_at,
            });
        }
        Ok(records)
    }

    /// The schema's starting value for the template key `name`, and where it is.
    fn schema_default(&self, name: &str) -> Option<(String, Location)> {
        let (fields, at) = self.schema.as_ref()?;
        let (index, field) =
            fields.iter().enumerate().find(|(_, field)| field.name.as_deref().is_some_and(|own| own.trim() == name))?;
        let text = field.default_value.clone().filter(|text| !text.is_empty())?;
        let mut steps = at.clone();
        steps.push(Step::Index(index));
        steps.push(Step::Key("defaultValue".to_string()));
        Some((text, Location::Json(steps)))
    }
}

fn scalar(value: &Json) -> Option<String> {
    match value {
        Json::String(text) => Some(text.clone()),
        Json::Bool(flag) => Some(flag.to_string()),
        Json::Number(number) => Some(number.to_string()),
        _ => None,
    }
}
