//! `endpoint/*`: authorization, token, revocation and API base URLs.

use std::cell::Cell;
use std::ops::Range;

use url::Url;

use super::findings::{Findings, Hit};
use super::text::{trimmed, typed_authority};
use super::Rule;
use crate::diagnostic::{Field, Severity};
use crate::oauth::AtlassianCloud;
use crate::setup::Setup;

/// Checks the endpoint URLs; returns the cloud they point at, when they agree on one.
pub(super) fn check_endpoints(setup: &Setup, out: &mut Findings) -> Option<AtlassianCloud> {
    let clouds: Vec<(Field, AtlassianCloud)> =
        [Field::AuthorizationUrl, Field::TokenUrl, Field::RevocationUrl, Field::ApiBaseUrl]
            .into_iter()
            .filter_map(|field| Some((field, cloud_of(setup.get(field)?)?)))
            .collect();
    let cloud = clouds.first().map(|(_, cloud)| *cloud);
    if let (Some((first_field, first)), Some((field, other))) =
        (clouds.first(), clouds.iter().find(|(_, c)| Some(*c) != cloud))
    {
        out.push(
            Hit::new(
                Rule::EndpointMixedCloud,
                format!(
                    "the {} is on {} but the {} is on {}",
                    field.label(),
                    other.name(),
                    first_field.label(),
                    first.name()
                ),
                "use one cloud's endpoints throughout: its tokens are valid only on its own hosts",
            )
            .on(*field),
        );
    }
    let cloud_for_fix = cloud.unwrap_or(AtlassianCloud::Commercial);

    expect_exact(
        setup,
        Field::AuthorizationUrl,
        Rule::EndpointAuthorizationUrl,
        AtlassianCloud::authorization_url,
        cloud_for_fix,
        out,
    );
    expect_exact(setup, Field::TokenUrl, Rule::EndpointTokenUrl, AtlassianCloud::token_url, cloud_for_fix, out);
    check_revocation_url(setup, out);
    check_api_base(setup, cloud_for_fix, out);
    if clouds.iter().any(|(_, c)| Some(*c) != cloud) {
        None
    } else {
        cloud
    }
}

fn cloud_of(raw: &str) -> Option<AtlassianCloud> {
    let text = trimmed(raw).text;
    AtlassianCloud::of_host(&text[typed_authority(text)?.host])
}

/// The field must be one cloud's fixed URL: exactly, or at least equivalently (a warning that
/// shows the canonical form).
fn expect_exact(
    setup: &Setup,
    field: Field,
    rule: Rule,
    expected: fn(AtlassianCloud) -> &'static str,
    fallback: AtlassianCloud,
    out: &mut Findings,
) {
    let Some(raw) = setup.get(field) else { return };
    let value = trimmed(raw);
    if value.text.is_empty() {
        return;
    }
    let clouds = [AtlassianCloud::Commercial, AtlassianCloud::Government];
    if value.text == raw && clouds.iter().any(|c| expected(*c) == value.text) {
        return;
    }
    let cloud = cloud_of(raw).unwrap_or(fallback);
    let right = expected(cloud);
    let span = value.offset..value.offset + value.text.len();
    if value.text == raw && is_equivalent(value.text, right) {
        return warn_equivalent(rule, field, span, value.text, right, out);
    }
    let why = if clouds.iter().any(|c| expected(*c) == value.text) {
        "has whitespace around it".to_string()
    } else if raw.contains(".atlassian.net") {
        "is a site URL; OAuth runs on Atlassian's identity service, not on the site".to_string()
    } else {
        format!("should be `{right}`")
    };
    out.push(
        Hit::new(rule, format!("the {} {} {why}", field.label(), out.quote(value.text)), format!("set it to {right}"))
            .at(span)
            .fix(right),
    );
}

/// `text` is the URL `right` spelt another way: a warning that shows the canonical form.
fn warn_equivalent(rule: Rule, field: Field, span: Range<usize>, text: &str, right: &'static str, out: &mut Findings) {
    out.push(
        Hit::new(
            rule,
            format!("the {} {} is `{right}` written another way", field.label(), out.quote(text)),
            format!("write it as {right}: it is the same URL, and the form every client and guide uses"),
        )
        .at(span)
        .fix(right)
        .severity(Severity::Warning),
    );
}

/// Whether `text` is the URL `canonical` in another spelling the URL parser reads the same,
/// with nothing repaired on the way: host case, the default port, an empty query or fragment.
fn is_equivalent(text: &str, canonical: &str) -> bool {
    let repaired = Cell::new(false);
    let note = |_| repaired.set(true);
    let Ok(url) = Url::options().syntax_violation_callback(Some(&note)).parse(text) else { return false };
    // Compared by parts rather than by rewriting the URL: `set_query` would bring the URL
    // serializer's editing code into the browser build for this one comparison.
    let serialized = url.as_str();
    let without_empty_parts = serialized.strip_suffix('#').unwrap_or(serialized);
    let without_empty_parts = without_empty_parts.strip_suffix('?').unwrap_or(without_empty_parts);
    !repaired.get() && without_empty_parts == canonical
}

fn check_revocation_url(setup: &Setup, out: &mut Findings) {
    let Some(raw) = setup.revocation_url.as_deref() else {
        return;
    };
    let value = trimmed(raw);
    if value.text.is_empty() {
        return;
    }
    let is_token_url = setup.token_url.as_deref().is_some_and(|t| trimmed(t).text == value.text)
        || [AtlassianCloud::Commercial, AtlassianCloud::Government].iter().any(|c| c.token_url() == value.text);
    let message = if is_token_url {
        format!(
            "the revocation URL {} is the token URL: a \"revocation\" sent there is a failing token request",
            out.quote(value.text)
        )
    } else {
        format!(
            "the revocation URL {} is set, but Atlassian documents no revocation endpoint for OAuth 2.0 apps",
            out.quote(value.text)
        )
    };
    out.push(
        Hit::new(
            Rule::EndpointRevocationUrl,
            message,
            "leave it empty; users revoke access under Connected apps in their Atlassian account, admins in Atlassian \
             Administration",
        )
        .at(value.offset..value.offset + value.text.len())
        .fix(""),
    );
}

fn check_api_base(setup: &Setup, cloud: AtlassianCloud, out: &mut Findings) {
    let Some(raw) = setup.api_base_url.as_deref() else {
        return;
    };
    let value = trimmed(raw);
    if value.text.is_empty() {
        return;
    }
    let right = cloud.api_base_url();
    let accepted = |c: AtlassianCloud| [c.api_base_url(), c.api_base_url().trim_end_matches('/')];
    let clouds = [AtlassianCloud::Commercial, AtlassianCloud::Government];
    if value.text == raw && clouds.into_iter().flat_map(accepted).any(|u| u == value.text) {
        return;
    }
    let right = cloud_of(raw).map_or(right, AtlassianCloud::api_base_url);
    if value.text == raw && is_equivalent(value.text, right) {
        let span = value.offset..value.offset + value.text.len();
        return warn_equivalent(Rule::EndpointApiBase, Field::ApiBaseUrl, span, value.text, right, out);
    }
    let host = typed_authority(value.text).map_or("", |a| &value.text[a.host]).to_ascii_lowercase();
    let why = if host.ends_with(".atlassian.net") {
        "is a site URL; OAuth tokens are refused there (401) and work only through the API gateway".to_string()
    } else if value.text.contains("api.atlassian.com/ex/") {
        "includes a product path; the Connection URL is the gateway itself".to_string()
    } else if value.text != raw {
        "has whitespace around it".to_string()
    } else {
        format!("is not the API gateway `{right}`")
    };
    out.push(
        Hit::new(
            Rule::EndpointApiBase,
            format!("the {} {} {why}", Field::ApiBaseUrl.label(), out.quote(value.text)),
            format!("set it to {right}; calls then go to {right}ex/confluence/{{cloudId}}/wiki/..."),
        )
        .at(value.offset..value.offset + value.text.len())
        .fix(right),
    );
}
