//! Atlassian's two identity systems and their fixed endpoints.

use serde::Serialize;

/// Commercial Atlassian Cloud, or Atlassian Government Cloud: separate identity systems whose
/// tokens are not interchangeable.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum AtlassianCloud {
    #[default]
    Commercial,
    Government,
}

impl AtlassianCloud {
    /// The name used in JSON and the JS API.
    pub fn code(self) -> &'static str {
        match self {
            AtlassianCloud::Commercial => "commercial",
            AtlassianCloud::Government => "government",
        }
    }

    pub fn authorization_url(self) -> &'static str {
        match self {
            AtlassianCloud::Commercial => "https://auth.atlassian.com/authorize",
            AtlassianCloud::Government => "https://auth.atlassian-us-gov-mod.com/authorize",
        }
    }

    pub fn token_url(self) -> &'static str {
        match self {
            AtlassianCloud::Commercial => "https://auth.atlassian.com/oauth/token",
            AtlassianCloud::Government => "https://auth.atlassian-us-gov-mod.com/oauth/token",
        }
    }

    /// The API gateway, as ServiceNow's Connection URL holds it (with the trailing slash).
    pub fn api_base_url(self) -> &'static str {
        match self {
            AtlassianCloud::Commercial => "https://api.atlassian.com/",
            AtlassianCloud::Government => "https://api.atlassian-us-gov-mod.com/",
        }
    }

    /// The `audience` parameter of the authorize URL.
    pub fn audience(self) -> &'static str {
        match self {
            AtlassianCloud::Commercial => "api.atlassian.com",
            AtlassianCloud::Government => "api.atlassian-us-gov-mod.com",
        }
    }

    /// Which cloud a host belongs to, if it is an Atlassian host at all.
    pub fn of_host(host: &str) -> Option<AtlassianCloud> {
        let host = host.trim_end_matches('.');
        let under = |domain: &str| host.eq_ignore_ascii_case(domain) || is_subdomain_of(host, domain);
        if under("atlassian-us-gov-mod.com") || under("atlassian-gov.net") {
            Some(AtlassianCloud::Government)
        } else if under("atlassian.com") || under("atlassian.net") {
            Some(AtlassianCloud::Commercial)
        } else {
            None
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            AtlassianCloud::Commercial => "commercial Atlassian Cloud",
            AtlassianCloud::Government => "Atlassian Government Cloud",
        }
    }
}

/// Whether `host` is a subdomain of `domain` (ASCII case-insensitive), without allocating:
/// this runs on every keystroke in the browser.
pub(crate) fn is_subdomain_of(host: &str, domain: &str) -> bool {
    let (host, domain) = (host.as_bytes(), domain.as_bytes());
    host.len() > domain.len() + 1
        && host[host.len() - domain.len() - 1] == b'.'
        && host[host.len() - domain.len()..].eq_ignore_ascii_case(domain)
}
