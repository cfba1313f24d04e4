//! The output of the validator: findings with rule codes, spans and fixes, a summary, and the
//! normalized values to paste. The same JSON in every face.

use std::borrow::Cow;

use serde::{Serialize, Serializer};

use crate::diagnostic::{Field, Fix, Rule, Severity, Span};
use crate::oauth::AtlassianCloud;
use crate::setup::Grant;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    #[serde(serialize_with = "rule_code")]
    pub rule: Rule,
    pub severity: Severity,
    pub field: Field,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub span: Option<Span>,
    pub message: String,
    /// Most rules' help is fixed text; it is borrowed, not copied, on every check.
    pub help: Cow<'static, str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fix: Option<Fix>,
    /// Where the field's value came from, when the setup was read from what ServiceNow holds
    /// (`credential.oauth_entity.redirect_url`, or an exported record and its column).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub origin: Option<String>,
}

fn rule_code<S: Serializer>(rule: &Rule, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(rule.code())
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    pub errors: usize,
    pub warnings: usize,
    pub infos: usize,
    /// Findings counted above but left out of the list: a rule lists at most
    /// [`crate::check::MAX_FINDINGS_PER_RULE`], so pathological input stays readable.
    #[serde(skip_serializing_if = "is_zero")]
    pub omitted: usize,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

/// The values to paste, cleaned up.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Normalized {
    /// The scopes, split on any separator and deduplicated, in the order typed.
    pub scopes: Vec<String>,
    /// The same, space-joined: the OAuth `scope` value and ServiceNow's OAuth Entity Scope.
    pub scope: String,
    /// The consent URL, when client ID, callback and scopes are sound. `{state}` is a
    /// placeholder the caller replaces with a fresh, unguessable value.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub authorize_url: Option<String>,
    /// Why there is no `authorize_url`, when there is none: what to do first.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub authorize_url_unavailable: Option<String>,
    /// The grant the setup uses.
    pub grant: Grant,
    /// The Atlassian cloud its endpoints belong to (commercial unless they name Government Cloud).
    pub cloud: AtlassianCloud,
    /// What the setup's endpoint fields should hold, for its grant and cloud.
    pub endpoints: Endpoints,
}

/// The fixed endpoints of a cloud, as a client's fields hold them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Endpoints {
    /// Absent for the client-credentials grant, which has no consent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub authorization_url: Option<&'static str>,
    pub token_url: &'static str,
    /// The API gateway: ServiceNow's Connection URL.
    pub api_base_url: &'static str,
}

impl Endpoints {
    pub fn of(cloud: AtlassianCloud, grant: Grant) -> Endpoints {
        Endpoints {
            authorization_url: (grant != Grant::ClientCredentials).then(|| cloud.authorization_url()),
            token_url: cloud.token_url(),
            api_base_url: cloud.api_base_url(),
        }
    }
}

impl Default for Endpoints {
    fn default() -> Self {
        Endpoints::of(AtlassianCloud::Commercial, Grant::AuthorizationCode)
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Report {
    pub findings: Vec<Finding>,
    pub summary: Summary,
    pub normalized: Normalized,
}

impl Report {
    pub fn has_errors(&self) -> bool {
        self.summary.errors > 0
    }

    /// Adds a finding from outside the setup's own checks (ServiceNow's records), counted in the
    /// summary like the rest.
    pub fn push(&mut self, finding: Finding) {
        match finding.severity {
            Severity::Error => self.summary.errors += 1,
            Severity::Warning => self.summary.warnings += 1,
            Severity::Info => self.summary.infos += 1,
        }
        self.findings.push(finding);
    }
}
