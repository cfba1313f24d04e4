//! Sans-IO Atlassian OAuth 2.0 client protocol: the caller sends requests, this module builds
//! and parses them. One file per flow.

mod authorize;
mod cloud;
mod values;

pub use authorize::AuthorizeRequest;
pub(crate) use cloud::is_subdomain_of;
pub use cloud::AtlassianCloud;
pub use values::{ClientId, ClientSecret, RedirectUrl, ScopeList};
