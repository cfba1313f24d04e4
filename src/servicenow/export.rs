//! An XML export of the Application Registry records (list → Export → XML: `<unload>` with one
//! element per record, its columns as child elements), plain or inside an update set's
//! `sys_update_xml` payloads, read into [`Records`].
//!
//! roxmltree refuses a DOCTYPE (so no entity is declared, expanded or fetched) and caps the
//! nodes it builds; the size and the depth are capped here before anything is read.

use roxmltree::{Document, Node, ParsingOptions};

use super::records::{EntityScope, Location, Profile, ProfileScope, Records, ScopeRef, Value, COLUMNS};
use super::ReadError;

/// An export of one registry record with its scopes and profiles is a few KB; a whole update
/// set, a few hundred.
pub(crate) const MAX_BYTES: usize = 2 * 1024 * 1024;
const MAX_NODES: u32 = 200_000;
/// `unload` → record → column holds three; an update set's payload adds its own three.
const MAX_DEPTH: usize = 16;

const TABLES: [&str; 5] =
    ["oauth_entity", "oauth_entity_scope", "oauth_entity_profile", "oauth_entity_profile_scope", "http_connection"];

/// One exported record: its table and columns.
struct Record {
    table: String,
    columns: Vec<Column>,
    /// Where it is, for a person: `oauth_entity "Confluence Cloud" (line 3)`.
    place: String,
}

struct Column {
    name: String,
    text: String,
    /// `line 12`, or where the update-set payload holding it is.
    line: String,
    /// A reference column's `display_value` attribute: what ServiceNow shows for it.
    display: Option<String>,
}

impl Record {
    fn get(&self, name: &str) -> Option<&Column> {
        self.columns.iter().find(|column| column.name == name)
    }

    fn text(&self, name: &str) -> Option<&str> {
        self.get(name).map(|column| column.text.as_str())
    }

    /// `oauth_entity "Confluence Cloud"`.
    fn name_part(&self) -> &str {
        self.place.rsplit_once(" (").map_or(&self.place, |(name, _)| name)
    }

    fn sys_id(&self) -> Option<&str> {
        self.text("sys_id").map(str::trim).filter(|id| !id.is_empty())
    }

    /// A column's value; an empty column is a value never set.
    fn value(&self, name: &str) -> Option<Value> {
        self.get(name).filter(|column| !column.text.trim().is_empty()).map(|column| Value {
            text: column.text.clone(),
            at: Location::Xml(format!("{}, column {name}, {}", self.name_part(), column.line)),
        })
    }
}

fn parse(text: &str) -> Result<Document<'_>, ReadError> {
    let options = ParsingOptions { allow_dtd: false, nodes_limit: MAX_NODES, ..ParsingOptions::default() };
    let document = Document::parse_with_options(text, options).map_err(|error| match error {
        roxmltree::Error::DtdDetected => ReadError::Doctype,
        roxmltree::Error::NodesLimitReached => ReadError::TooManyNodes,
        error => ReadError::Xml(error.to_string()),
    })?;
    // Iterative, so nesting deep enough to matter is refused before anything recurses.
    let mut stack = vec![(document.root(), 0usize)];
    while let Some((node, depth)) = stack.pop() {
        if depth > MAX_DEPTH {
            return Err(ReadError::TooDeep);
        }
        stack.extend(node.children().filter(Node::is_element).map(|child| (child, depth + 1)));
    }
    Ok(document)
}

fn line_of(document: &Document<'_>, node: Node<'_, '_>) -> u32 {
    document.text_pos_at(node.range().start).row
}

/// The records of an export, from `unload` and from each update-set payload in it.
fn records_of(text: &str) -> Result<Vec<Record>, ReadError> {
    let document = parse(text)?;
    let root = document.root_element();
    if !matches!(root.tag_name().name(), "unload" | "record_update") {
        return Err(ReadError::NotAnExport(root.tag_name().name().to_string()));
    }
    let mut records = Vec::new();
    for element in root.children().filter(Node::is_element) {
        let table = element.tag_name().name();
        if element.attribute("action").is_some_and(|action| action.eq_ignore_ascii_case("delete")) {
            continue;
        }
        if table == "sys_update_xml" {
            let Some(payload) = element.children().find(|child| child.has_tag_name("payload")) else { continue };
            let payload_text: String = payload.children().filter_map(|child| child.text()).collect();
            if payload_text.trim().is_empty() {
                continue;
            }
            let line = format!("in the update set's payload at line {}", line_of(&document, payload));
            // A payload holds one record_update; it never nests another update set.
            let inner = parse(&payload_text)?;
            for record in inner.root_element().children().filter(|child| TABLES.contains(&child.tag_name().name())) {
                records.push(record_of(record, &|_| line.clone()));
            }
        } else if TABLES.contains(&table) {
            records.push(record_of(element, &|node| format!("line {}", line_of(&document, node))));
        }
    }
    Ok(records)
}

fn record_of(element: Node<'_, '_>, line: &dyn Fn(Node<'_, '_>) -> String) -> Record {
    let columns: Vec<Column> = element
        .children()
        .filter(Node::is_element)
        .map(|column| Column {
            name: column.tag_name().name().to_string(),
            text: column.text().unwrap_or("").to_string(),
            line: line(column),
            display: column.attribute("display_value").map(str::to_string),
        })
        .collect();
    let line = line(element);
    let table = element.tag_name().name().to_string();
    let name = columns.iter().find(|column| column.name == "name").map(|column| column.text.trim().to_string());
    let place = match name.filter(|name| !name.is_empty()) {
        Some(name) => format!("{table} \"{name}\" ({line})"),
        None => format!("{table} ({line})"),
    };
    Record { table, columns, place }
}

/// Whether a registry record is for Atlassian: its endpoints or its name say so.
fn is_atlassian(record: &Record) -> bool {
    let endpoints = ["auth_url", "token_url", "revoke_token_url"];
    endpoints.iter().filter_map(|column| record.text(column)).any(|url| url.contains("atlassian"))
        || record.text("name").is_some_and(|name| {
            let name = name.to_ascii_lowercase();
            ["atlassian", "confluence", "jira"].iter().any(|word| name.contains(word))
        })
}

fn belongs_to(record: &Record, column: &str, owner: Option<&str>) -> bool {
    match (owner, record.text(column).map(str::trim)) {
        (Some(owner), Some(id)) if !id.is_empty() => id == owner,
        // An export without sys_ids (written by hand) keeps everything together.
        _ => true,
    }
}

/// The records an export holds for its Atlassian registry entry.
pub(crate) fn read(text: &str) -> Result<Records, ReadError> {
    if text.len() > MAX_BYTES {
        return Err(ReadError::TooLarge(text.len()));
    }
    let all = records_of(text)?;
    let entities: Vec<&Record> = all.iter().filter(|record| record.table == "oauth_entity").collect();
    let entity = match entities.as_slice() {
        [] => return Err(ReadError::NoRecord),
        [one] => *one,
        several => {
            let atlassian: Vec<&&Record> = several.iter().filter(|record| is_atlassian(record)).collect();
            match atlassian.as_slice() {
                [one] => **one,
                _ => {
                    let names = several.iter().map(|record| record.place.clone()).collect();
                    return Err(ReadError::SeveralRecords(names));
                }
            }
        }
    };
    let owner = entity.sys_id();
    let mut records = Records::default();
    for (column, _) in COLUMNS {
        if let Some(value) = entity.value(column) {
            records.columns.push((column, value));
        }
    }
    records.secret_encrypted = entity.text("client_secret").is_some_and(|secret| !secret.trim().is_empty());
    records.name = entity.text("name").map(str::to_string);
    for record in all.iter().filter(|r| r.table == "oauth_entity_scope" && belongs_to(r, "oauth_entity", owner)) {
        let Some(value) = record.value("oauth_entity_scope") else { continue };
        records.scopes.push(EntityScope {
            name: record.text("name").map(str::to_string),
            value,
            sys_id: record.sys_id().map(str::to_string),
            record: Location::Xml(record.place.clone()),
        });
    }
    for record in all.iter().filter(|r| r.table == "oauth_entity_profile" && belongs_to(r, "oauth_entity", owner)) {
        let id = record.sys_id();
        let scopes = all
            .iter()
            .filter(|link| link.table == "oauth_entity_profile_scope")
            .filter(|link| id.is_some() && link.text("oauth_entity_profile").map(str::trim) == id)
            .filter_map(|link| {
                let column = link.get("oauth_entity_scope")?;
                let names = ScopeRef::SysId { id: column.text.trim().to_string(), display: column.display.clone() };
                let at = Location::Xml(format!("{}, column oauth_entity_scope, {}", link.name_part(), column.line));
                Some(ProfileScope { names, element: at.clone(), at })
            })
            .collect();
        let default = ["default", "is_default"]
            .iter()
            .filter_map(|column| record.text(column))
            .any(|flag| matches!(flag.trim(), "true" | "1"));
        records.profiles.push(Profile {
            name: record.text("name").map(str::to_string),
            grant_type: record.value("grant_type"),
            default,
            scopes,
            scopes_at: Location::Xml(record.place.clone()),
        });
    }
    records.connection_url =
        all.iter().filter(|record| record.table == "http_connection").find_map(|record| record.value("connection_url"));
    Ok(records)
}
