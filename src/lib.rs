//! threelo checks Atlassian Confluence Cloud OAuth 2.0 setups and says exactly what is wrong.
//!
//! - [`setup`]: the input, an OAuth setup as typed ([`Setup`]).
//! - [`check`]: the validator, pure functions from a setup to a [`Report`] with stable rule codes.
//! - [`catalog`]: what is known about scope names, generated from Atlassian's registry.
//! - [`oauth`]: the sans-IO OAuth client protocol (authorize URL, and later token requests).
//! - [`report`]: the output, the same JSON in every face.
//!
//! The core never touches the network, the clock or randomness; the faces (CLI, wasm, Worker)
//! are thin layers over it.

pub mod catalog;
pub mod check;
pub mod oauth;
pub mod report;
pub mod setup;

pub use check::{check, rules, Rule, RuleInfo};
pub use report::{Finding, Fix, Report, Severity, Span};
pub use setup::{Field, Setup};
