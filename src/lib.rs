//! threelo checks Atlassian Confluence Cloud OAuth 2.0 setups and says exactly what is wrong.
//!
//! - [`setup`]: the input, an OAuth setup as typed ([`Setup`]).
//! - [`check`]: the validator, pure functions from a setup to a [`Report`] with stable rule codes.
//! - [`catalog`]: what is known about scope names, generated from Atlassian's registry, and about
//!   what each call needs, generated from Atlassian's OpenAPI documents.
//! - [`uses`]: what a setup is for: the calls a client makes, resolved to those operations, and
//!   the least-privilege scope list for them.
//! - [`oauth`]: the sans-IO OAuth client protocol: authorize URL, sealed state, token requests and
//!   responses, the API gateway's accessible-resources and `/me`, with Atlassian's errors explained.
//! - [`explain`]: what Atlassian answered, explained: an error as the user saw it → its cause,
//!   what to change, and the setup's findings that bear on it.
//! - [`servicenow`]: what ServiceNow holds (a configuration template, an XML export of the
//!   Application Registry) read as a setup, with the `servicenow/*` rules only that structure allows.
//! - [`diagnostic`]: the vocabulary both speak: rule codes, severities, fields, spans, fixes.
//! - [`report`]: the output, the same JSON in every face.
//! - `edge` (feature `edge`): the Cloudflare Worker, a thin face that checks its own setup first.
//!
//! The core never touches the network, the clock or randomness; the faces (CLI, wasm, Worker)
//! are thin layers over it.
//!
//! ```
//! use threelo::{check, Setup};
//!
//! let setup = Setup {
//!     client_id: Some("Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4z".into()),
//!     callback_url: Some("https://dev12345.service-now.com/oauth_redirect.do/".into()),
//!     scopes: Some("read:page:confluence, ace:confluence".into()),
//!     ..Setup::default()
//! };
//! let report = check(&setup);
//! let codes: Vec<&str> = report.findings.iter().map(|f| f.rule.code()).collect();
//! assert!(codes.contains(&"callback/servicenow-path")); // the trailing slash
//! assert!(codes.contains(&"scope/unknown")); // ace:confluence
//! assert!(codes.contains(&"scope/separator")); // the comma
//! assert!(codes.contains(&"scope/offline-access-missing"));
//! assert_eq!(report.normalized.scope, "read:page:confluence ace:confluence");
//! ```

pub mod catalog;
pub mod check;
pub mod diagnostic;
#[cfg(feature = "edge")]
pub mod edge;
pub mod explain;
pub mod oauth;
pub mod redact;
pub mod report;
pub mod servicenow;
pub mod setup;
pub mod uses;
#[cfg(any(feature = "web", feature = "web-servicenow"))]
pub mod web;

pub use check::{apply_fixes, check, cross_check, rules, Fixed, Rule, RuleInfo};
pub use diagnostic::{Applicability, Edit, Field, Fix, Severity, Span};
pub use explain::{explain, Diagnosis, Incident};
pub use report::{Finding, Report};
pub use setup::Setup;
