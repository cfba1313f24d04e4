//! The validator: pure functions from a [`Setup`] to a [`Report`]. No I/O, no clock, no wasm.
//!
//! Each submodule checks one area and pushes findings into a [`Findings`] collector, which
//! converts byte ranges into character spans and caps how many findings one rule may list.

mod apply;
mod callback;
mod credentials;
mod endpoints;
mod findings;
mod grant;
mod proposal;
mod scopes;
mod text;

pub use crate::diagnostic::{rules, Basis, Rule, RuleInfo};
pub use apply::{apply_fixes, Fixed};
pub use grant::Grant;

use crate::diagnostic::Field;
use crate::oauth::{AtlassianCloud, AuthorizeRequest, ClientId, RedirectUrl, ScopeList};
use crate::report::{Normalized, Report};
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

    let scope_list = ScopeList::new(scopes);
    let sound = |field| !out.has_error_in(field);
    let authorize_url = match (grant, client_id, redirect) {
        (Grant::AuthorizationCode, Some(id), Some(redirect))
            if !scope_list.names().is_empty()
                && [Field::ClientId, Field::CallbackUrl, Field::RedirectUrl, Field::Scopes].into_iter().all(sound) =>
        {
            RedirectUrl::new(redirect).ok().map(|redirect_url| {
                AuthorizeRequest {
                    cloud: cloud.unwrap_or(AtlassianCloud::Commercial),
                    client_id: &ClientId::new(id),
                    redirect_url: &redirect_url,
                    scopes: &scope_list,
                }
                .url_template()
            })
        }
        _ => None,
    };
    let normalized = Normalized { scope: scope_list.to_scope_value(), scopes: scope_list.into_names(), authorize_url };
    out.into_report(normalized)
}
