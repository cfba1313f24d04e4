//! `GET /oauth/token/accessible-resources`: the sites a token reaches, with their cloud IDs.

use serde_json::{Map, Value};

use super::api::api_json;
use super::response::{optional_string, required_string};
use super::{ApiError, MalformedResponse, ScopeList};
use crate::redact::UpstreamRedactor;

/// A site the token can reach. Every text in it is filtered by the [`UpstreamRedactor`] it was read
/// with; the cloud ID is kept whole when it is a UUID, as Atlassian's are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Site {
    /// The cloud ID, for `https://api.atlassian.com/ex/confluence/{cloud_id}/…`.
    pub cloud_id: String,
    /// The site's name; empty when Atlassian gave none.
    pub name: String,
    /// `https://<site>.atlassian.net`: for people, not for API calls.
    pub url: String,
    /// The scopes granted on this site.
    pub scopes: ScopeList,
    pub avatar_url: Option<String>,
}

/// Reads the accessible-resources answer. Atlassian promises no order, so the sites come
/// sorted by name (case-insensitively), then cloud ID: the same grant always reports the same.
/// An empty list is valid (a Confluence guest, or no site chosen at consent).
pub fn parse_accessible_resources(
    status: u16,
    content_type: Option<&str>,
    retry_after: Option<&str>,
    body: &[u8],
    redactor: &UpstreamRedactor,
) -> Result<Vec<Site>, ApiError> {
    let Value::Array(entries) = api_json(status, content_type, retry_after, body, redactor)? else {
        return Err(ApiError::Malformed(MalformedResponse::NotAnArray));
    };
    let mut sites = entries
        .iter()
        .map(|entry| match entry {
            Value::Object(object) => site(object, redactor),
            _ => Err(MalformedResponse::NotAnObject),
        })
        .collect::<Result<Vec<_>, _>>()
        .map_err(ApiError::Malformed)?;
    sites.sort_by_cached_key(|site| (site.name.to_lowercase(), site.cloud_id.clone()));
    Ok(sites)
}

fn site(object: &Map<String, Value>, redactor: &UpstreamRedactor) -> Result<Site, MalformedResponse> {
    let shown = |text: String| redactor.redact(&text).into_owned();
    let scopes = match object.get("scopes") {
        None | Some(Value::Null) => ScopeList::default(),
        Some(Value::Array(scopes)) => {
            let names: Option<Vec<&str>> = scopes.iter().map(Value::as_str).collect();
            ScopeList::new(names.ok_or(MalformedResponse::WrongType("scopes"))?.into_iter().map(|s| shown(s.into())))
        }
        Some(_) => return Err(MalformedResponse::WrongType("scopes")),
    };
    let cloud_id = required_string(object, "id")?;
    Ok(Site {
        cloud_id: redactor.redact_identifier(&cloud_id, is_uuid(&cloud_id)).into_owned(),
        name: shown(optional_string(object, "name")?.unwrap_or_default()),
        url: shown(required_string(object, "url")?),
        scopes,
        // Decoration only: a strange value is dropped rather than failing the report.
        avatar_url: object.get("avatarUrl").and_then(Value::as_str).map(|url| shown(url.to_string())),
    })
}

/// `8-4-4-4-12` hexadecimal digits: a cloud ID, and the UUID parts of an account ID.
pub(crate) fn is_uuid(text: &str) -> bool {
    let groups: Vec<&str> = text.split('-').collect();
    groups.len() == 5
        && groups
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(group, len)| group.len() == len && group.bytes().all(|b| b.is_ascii_hexdigit()))
}
