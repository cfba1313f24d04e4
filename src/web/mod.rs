//! The browser faces, two wasm modules built from this crate so that a page pays only for what
//! it uses:
//! - [`validator`] (feature `web`): `check`, `applyFixes`, `explain`, `scopesFor` and the rest,
//!   what the docs page and the extension load first.
//! - [`servicenow`] (feature `web-servicenow`): `setupFromServiceNow`, reading a configuration
//!   template or an XML export; loaded on the first paste, since its XML and JSON readers would
//!   add 40% to the validator's gzip (benches/README.md).
//!
//! Both only convert ([`convert`]); the core decides.

mod convert;
#[cfg(feature = "web-servicenow")]
pub mod servicenow;
#[cfg(feature = "web")]
pub mod validator;

#[cfg(feature = "web-servicenow")]
pub use servicenow::setup_from_servicenow;
#[cfg(feature = "web")]
pub use validator::{
    apply_fixes, cause_list, check_setup, cross_check, explain_incident, field_list, hidden_fields, operation_list,
    rule_list, scopes_for_uses, spoke_action_list, version,
};
