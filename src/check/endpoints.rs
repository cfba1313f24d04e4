//! `endpoint/*`: authorization, token, revocation and API base URLs.

use super::findings::{Findings, Hit};
use super::text::{quoted, trimmed, typed_authority};
use super::Rule;
use crate::oauth::AtlassianCloud;
use crate::setup::{Field, Setup};

/// Checks the endpoint URLs; returns the cloud they point at, when they agree on one.
pub(super) fn check_endpoints(setup: &Setup, out: &mut Findings) -> Option<AtlassianCloud> {
    let clouds: Vec<(Field, AtlassianCloud)> =
        [Field::AuthorizationUrl, Field::TokenUrl, Field::RevocationUrl, Field::ApiBaseUrl]
            .into_iter()
            .filter_map(|field| Some((field, cloud_of(field.get(setup)?)?)))
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
        out,
    );
    expect_exact(setup, Field::TokenUrl, Rule::EndpointTokenUrl, AtlassianCloud::token_url, out);
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

/// The field must be exactly one cloud's fixed URL.
fn expect_exact(
    setup: &Setup,
    field: Field,
    rule: Rule,
    expected: fn(AtlassianCloud) -> &'static str,
    out: &mut Findings,
) {
    let Some(raw) = field.get(setup) else { return };
    let value = trimmed(raw);
    if value.text.is_empty() {
        return;
    }
    let clouds = [AtlassianCloud::Commercial, AtlassianCloud::Government];
    if value.text == raw && clouds.iter().any(|c| expected(*c) == value.text) {
        return;
    }
    let cloud = cloud_of(raw).unwrap_or(AtlassianCloud::Commercial);
    let right = expected(cloud);
    let why = if clouds.iter().any(|c| expected(*c) == value.text) {
        "has whitespace around it".to_string()
    } else if raw.contains(".atlassian.net") {
        "is a site URL; OAuth runs on Atlassian's identity service, not on the site".to_string()
    } else {
        format!("should be `{right}`")
    };
    out.push(
        Hit::new(rule, format!("the {} {} {why}", field.label(), quoted(value.text)), format!("set it to {right}"))
            .at(value.offset..value.offset + value.text.len())
            .fix(right),
    );
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
            quoted(value.text)
        )
    } else {
        format!(
            "the revocation URL {} is set, but Atlassian documents no revocation endpoint for OAuth 2.0 apps",
            quoted(value.text)
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
    if value.text == raw
        && [AtlassianCloud::Commercial, AtlassianCloud::Government]
            .into_iter()
            .flat_map(accepted)
            .any(|u| u == value.text)
    {
        return;
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
            format!("the {} {} {why}", Field::ApiBaseUrl.label(), quoted(value.text)),
            format!("set it to {right}; calls then go to {right}ex/confluence/{{cloudId}}/wiki/..."),
        )
        .at(value.offset..value.offset + value.text.len())
        .fix(right),
    );
}
