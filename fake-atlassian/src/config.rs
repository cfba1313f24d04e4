//! What the stand-in knows: apps from the developer console, service-account credentials, users and sites.
//!
//! Read from TOML (see `default.toml` and the README). Unknown keys are errors, so a typo in a test's
//! configuration fails loudly instead of silently changing the rules.

use std::collections::HashSet;
use std::fmt;
use std::net::{IpAddr, Ipv4Addr};
use std::path::Path;

use serde::Deserialize;

/// The configuration shipped with the crate: used when no `--config` is given.
pub const DEFAULT_CONFIG_TOML: &str = include_str!("../default.toml");

/// Port used when neither the file nor `--port` names one.
pub const DEFAULT_PORT: u16 = 8789;

/// Service-account OAuth credentials hold at most this many scopes (DOMAIN.md §3, §7).
pub const MAX_SERVICE_ACCOUNT_SCOPES: usize = 50;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    #[serde(default)]
    pub server: ServerConfig,
    #[serde(default)]
    pub apps: Vec<App>,
    #[serde(default)]
    pub service_accounts: Vec<ServiceAccount>,
    #[serde(default)]
    pub users: Vec<User>,
    #[serde(default)]
    pub sites: Vec<Site>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ServerConfig {
    pub bind: IpAddr,
    /// 0 picks a free port.
    pub port: u16,
    /// Answer `GET /authorize` with a code at once, as the first user, instead of showing the consent page.
    pub auto_consent: bool,
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig { bind: IpAddr::V4(Ipv4Addr::LOCALHOST), port: DEFAULT_PORT, auto_consent: false }
    }
}

/// An OAuth 2.0 (3LO) integration from the developer console.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct App {
    pub name: String,
    pub client_id: String,
    pub client_secret: String,
    /// The one Callback URL of the app; `redirect_uri` must equal it byte for byte.
    pub callback_url: String,
    /// Scopes added to the app in the console. `offline_access` never needs to be listed.
    #[serde(default)]
    pub scopes: Vec<String>,
    /// Whether the User identity API was added, which is what allows `read:me` and `read:account`.
    #[serde(default)]
    pub identity_api: bool,
    /// Apps are private until sharing is turned on: only the owner may consent.
    #[serde(default)]
    pub sharing: bool,
    /// Account ID of the user who owns the app.
    pub owner: String,
    #[serde(default)]
    pub access: AccessType,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AccessType {
    /// The user picks one site at consent; the grant covers that site only.
    #[default]
    Resource,
    /// The grant covers every site the user can access.
    Account,
}

/// OAuth 2.0 credentials of a service account (Atlassian Administration), for the client-credentials grant.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServiceAccount {
    pub name: String,
    pub client_id: String,
    pub client_secret: String,
    /// Fixed on the credential; a token request cannot change them.
    pub scopes: Vec<String>,
    /// Cloud IDs the service account can reach; all configured sites when omitted.
    #[serde(default)]
    pub sites: Option<Vec<String>>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct User {
    pub account_id: String,
    pub name: String,
    pub email: String,
    /// Cloud IDs of the sites this user can access.
    #[serde(default)]
    pub sites: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Site {
    /// The cloud ID (a UUID) used in `https://api.atlassian.com/ex/confluence/{cloudId}/…`.
    pub id: String,
    pub name: String,
    /// `https://<name>.atlassian.net`
    pub url: String,
    #[serde(default = "default_spaces")]
    pub spaces: Vec<Space>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Space {
    pub key: String,
    pub name: String,
}

fn default_spaces() -> Vec<Space> {
    vec![Space { key: "DEV".into(), name: "Development".into() }]
}

/// A configuration problem. Messages name apps and users by name or ID, never by secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError(pub String);

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ConfigError {}

impl Config {
    /// The shipped `default.toml`.
    pub fn default_config() -> Config {
        // The file is part of the crate and covered by tests, so failing here is a build defect.
        Config::from_toml(DEFAULT_CONFIG_TOML).expect("default.toml is valid")
    }

    pub fn from_toml(text: &str) -> Result<Config, ConfigError> {
        let config: Config = toml::from_str(text).map_err(|e| ConfigError(format!("invalid configuration: {e}")))?;
        config.validate()?;
        Ok(config)
    }

    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| ConfigError(format!("cannot read configuration {}: {e}", path.display())))?;
        Config::from_toml(&text)
    }

    pub fn app(&self, client_id: &str) -> Option<&App> {
        self.apps.iter().find(|a| a.client_id == client_id)
    }

    pub fn service_account(&self, client_id: &str) -> Option<&ServiceAccount> {
        self.service_accounts.iter().find(|s| s.client_id == client_id)
    }

    pub fn user(&self, account_id: &str) -> Option<&User> {
        self.users.iter().find(|u| u.account_id == account_id)
    }

    pub fn site(&self, cloud_id: &str) -> Option<&Site> {
        self.sites.iter().find(|s| s.id == cloud_id)
    }

    /// Cloud IDs a service account's token covers.
    pub fn service_account_sites(&self, account: &ServiceAccount) -> Vec<String> {
        match &account.sites {
            Some(sites) => sites.clone(),
            None => self.sites.iter().map(|s| s.id.clone()).collect(),
        }
    }

    fn validate(&self) -> Result<(), ConfigError> {
        let mut problems = Vec::new();
        let mut client_ids = HashSet::new();
        let client_id_owners = self
            .apps
            .iter()
            .map(|a| (&a.client_id, &a.name))
            .chain(self.service_accounts.iter().map(|s| (&s.client_id, &s.name)));
        for (client_id, name) in client_id_owners {
            if client_id.is_empty() {
                problems.push(format!("{name}: client_id is empty"));
            } else if !client_ids.insert(client_id.as_str()) {
                problems.push(format!("{name}: client_id {client_id} is used twice"));
            }
        }
        for app in &self.apps {
            if app.client_secret.is_empty() {
                problems.push(format!("app {}: client_secret is empty", app.name));
            }
            if self.user(&app.owner).is_none() {
                problems.push(format!("app {}: owner {} is not a configured user", app.name, app.owner));
            }
            if !(app.callback_url.starts_with("http://") || app.callback_url.starts_with("https://")) {
                problems.push(format!("app {}: callback_url must be an absolute http(s) URL", app.name));
            }
        }
        for account in &self.service_accounts {
            if account.client_secret.is_empty() {
                problems.push(format!("service account {}: client_secret is empty", account.name));
            }
            if account.scopes.len() > MAX_SERVICE_ACCOUNT_SCOPES {
                problems.push(format!(
                    "service account {}: {} scopes, but a credential holds at most {MAX_SERVICE_ACCOUNT_SCOPES}",
                    account.name,
                    account.scopes.len()
                ));
            }
            for site in account.sites.iter().flatten() {
                if self.site(site).is_none() {
                    problems.push(format!("service account {}: site {site} is not a configured site", account.name));
                }
            }
        }
        let mut account_ids = HashSet::new();
        for user in &self.users {
            if !account_ids.insert(user.account_id.as_str()) {
                problems.push(format!("user account_id {} is used twice", user.account_id));
            }
            for site in &user.sites {
                if self.site(site).is_none() {
                    problems.push(format!("user {}: site {site} is not a configured site", user.account_id));
                }
            }
        }
        let mut cloud_ids = HashSet::new();
        for site in &self.sites {
            if !is_uuid(&site.id) {
                problems.push(format!("site {}: id must be a cloud ID (a lowercase UUID)", site.name));
            }
            if !cloud_ids.insert(site.id.as_str()) {
                problems.push(format!("site id {} is used twice", site.id));
            }
            let host = site.url.strip_prefix("https://").and_then(|rest| rest.strip_suffix(".atlassian.net"));
            if !host.is_some_and(|h| !h.is_empty() && !h.contains(['/', '.'])) {
                problems.push(format!("site {}: url must look like https://<name>.atlassian.net", site.name));
            }
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(ConfigError(format!("invalid configuration: {}", problems.join("; "))))
        }
    }
}

fn is_uuid(text: &str) -> bool {
    let groups: Vec<&str> = text.split('-').collect();
    let lengths = [8, 4, 4, 4, 12];
    groups.len() == lengths.len()
        && groups.iter().zip(lengths).all(|(group, length)| {
            group.len() == length && group.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_config_is_valid_and_shaped_like_real_credentials() {
        let config = Config::default_config();
        let app = &config.apps[0];
        assert_eq!(app.client_id.len(), 32);
        assert!(app.client_id.bytes().all(|b| b.is_ascii_alphanumeric()));
        assert_eq!(app.client_secret.len(), 76);
        assert!(app.client_secret.starts_with("ATOA"));
        let checksum = &app.client_secret[68..];
        assert!(checksum.bytes().all(|b| b.is_ascii_digit() || (b'A'..=b'F').contains(&b)), "{checksum}");
        assert_eq!(app.callback_url, "http://127.0.0.1:8787/callback");
        assert!(app.identity_api);
        assert_eq!(config.users[0].sites.len(), 2);
        assert_eq!(config.service_accounts.len(), 1);
    }

    #[test]
    fn rejects_unknown_keys_and_dangling_references() {
        let err = Config::from_toml("[server]\nprot = 1\n").unwrap_err();
        assert!(err.0.contains("prot"), "{err}");
        let err = Config::from_toml(
            "[[apps]]\nname='a'\nclient_id='x'\nclient_secret='y'\ncallback_url='http://127.0.0.1/cb'\nowner='nobody'\n",
        )
        .unwrap_err();
        assert!(err.0.contains("owner nobody"), "{err}");
        assert!(!err.0.contains("'y'"));
    }

    #[test]
    fn uuid_shape() {
        assert!(is_uuid("1324a887-45db-1bf4-1e99-ef0ff456d421"));
        assert!(!is_uuid("1324a887-45db-1bf4-1e99-ef0ff456d42"));
        assert!(!is_uuid("1324A887-45db-1bf4-1e99-ef0ff456d421"));
    }
}
