//! The validator: pure functions from a [`Setup`] to a [`Report`]. No I/O, no clock, no wasm.
//!
//! Each submodule checks one area and pushes findings into a [`Findings`] collector, which
//! converts byte ranges into character spans and caps how many findings one rule may list.

mod app_scopes;
mod apply;
mod callback;
mod credentials;
mod cross_check;
mod endpoints;
mod findings;
mod grant;
mod order;
mod proposal;
mod purpose;
mod scopes;
mod suggest;
mod text;

pub use crate::diagnostic::{rules, Basis, Rule, RuleInfo};
pub use crate::setup::Grant;
pub use apply::{apply_fix_list, apply_fixes, Fixed};
pub use cross_check::cross_check;

use crate::diagnostic::Field;
use crate::oauth::{AtlassianCloud, AuthorizeRequest, ClientId, RedirectUrl, ScopeList};
use crate::report::{Endpoints, Normalized, Report};
use crate::setup::Setup;
use findings::Findings;

/// A rule lists at most this many findings; the rest are only counted (`summary.omitted`).
pub const MAX_FINDINGS_PER_RULE: usize = 64;

/// Checks every field of `setup` and returns what is wrong, how to fix it, and the values to paste.
pub fn check(setup: &Setup) -> Report {
    let mut out = Findings::new(setup);
    let grant = grant::check_grant_type(setup, &mut out);
    let client_id = credentials::check_client_id(setup, &mut out);
    credentials::check_client_secret(setup, client_id, &mut out);
    let redirect = callback::check_callback(setup, grant, &mut out);
    let scopes = scopes::check_scopes(setup, grant, &mut out);
    let cloud = endpoints::check_endpoints(setup, &mut out);
    app_scopes::check_app_scopes(setup, grant, &mut out);
    purpose::check_uses(setup, &mut out);

    let scope_list = ScopeList::new(scopes);
    let cloud = cloud.unwrap_or(AtlassianCloud::Commercial);
    let consent_fields = [Field::ClientId, Field::CallbackUrl, Field::RedirectUrl, Field::Scopes];
    let authorize_url = match (grant, client_id, redirect) {
        (Grant::AuthorizationCode, Some(id), Some(redirect))
            if !scope_list.names().is_empty() && consent_fields.into_iter().all(|field| !out.has_error_in(field)) =>
        {
            RedirectUrl::new(redirect).ok().map(|redirect_url| {
                AuthorizeRequest {
                    cloud,
                    client_id: &ClientId::new(id),
                    redirect_url: &redirect_url,
                    scopes: &scope_list,
                }
                .url_template()
            })
        }
        _ => None,
    };
    let authorize_url_unavailable = match authorize_url {
        Some(_) => None,
        None => Some(why_no_authorize_url(setup, grant, scope_list.names().is_empty(), &consent_fields, &out)),
    };
    let normalized = Normalized {
        scope: scope_list.to_scope_value(),
        scopes: scope_list.into_names(),
        authorize_url,
        authorize_url_unavailable,
        grant,
        cloud,
        endpoints: Endpoints::of(cloud, grant),
    };
    out.into_report(normalized)
}

/// What to do before the consent URL can be given, most basic first.
fn why_no_authorize_url(setup: &Setup, grant: Grant, no_scopes: bool, fields: &[Field], out: &Findings) -> String {
    match grant {
        Grant::ClientCredentials => {
            return "None: the client-credentials grant has no user consent, so no authorize URL.".to_string()
        }
        Grant::Unsupported => return "Not available: choose the authorization_code grant first.".to_string(),
        Grant::AuthorizationCode => {}
    }
    let blank = |field: Field| setup.get(field).is_none_or(|text| text.trim().is_empty());
    let mut missing = Vec::new();
    if blank(Field::ClientId) {
        missing.push(Field::ClientId.label());
    }
    if blank(Field::CallbackUrl) && blank(Field::RedirectUrl) {
        missing.push("a callback URL");
    }
    if no_scopes {
        missing.push("scopes");
    }
    if !missing.is_empty() {
        return format!("Not available yet: enter {}.", missing.join(", "));
    }
    let broken: Vec<&str> = fields.iter().filter(|f| out.has_error_in(**f)).map(|f| f.label()).collect();
    if broken.is_empty() {
        "Not available yet: fix the errors above.".to_string()
    } else {
        format!("Not available yet: fix the errors in {}.", broken.join(", "))
    }
}
