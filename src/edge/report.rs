//! The connection report: what Atlassian really granted, shown after a successful callback.
//! Requested against granted scopes, the sites with their cloud IDs, whether a refresh token came
//! back, when the access token expires, who consented (`/me`), and the validator's findings for
//! the Worker's own setup. Never a token: only facts about them.

use maud::{html, Markup};

use super::config::Config;
use super::respond::{coded_page, Reply};
use crate::oauth::{Me, ReturnPath, ScopeDiff, ScopeList, Site, TokenResponse};
use crate::uses::uses_with_granted;

/// Everything the report shows, gathered by the callback.
pub struct Connection<'a> {
    pub requested: ScopeList,
    pub tokens: &'a TokenResponse,
    /// The sites, or why they could not be read.
    pub sites: Result<Vec<Site>, String>,
    /// `/me`, when `read:me` was granted; or why it could not be read.
    pub identity: Option<Result<Me, String>>,
    /// Unix seconds when the tokens arrived.
    pub now: u64,
    pub return_path: &'a ReturnPath,
}

pub fn report_page(config: &Config, connection: &Connection, config_findings: Markup) -> Reply {
    let body = html! {
        @if config.atlassian.stand_in {
            p.notice {
                strong { "Development:" } " granted by the local stand-in for Atlassian at "
                code { (config.atlassian.auth_base_url) } ", not by Atlassian."
            }
        }
        (scopes_section(connection))
        (uses_section(config, connection))
        (tokens_section(connection))
        (sites_section(&connection.sites))
        (identity_section(&connection.identity))
        section #config-findings {
            h2 { "This Worker's setup" }
            @if config_findings.0.is_empty() { p { "The validator found nothing to report." } } @else { (config_findings) }
        }
        @if connection.return_path.as_str() != "/" {
            p { a href=(connection.return_path.as_str()) { "Continue" } }
        }
    };
    coded_page(200, "connection-report", "Connected to Atlassian", body)
}

fn scopes_section(connection: &Connection) -> Markup {
    let Some(granted) = connection.tokens.scope.as_ref() else {
        return html! {
            section #scopes {
                h2 { "Scopes" }
                p {
                    "Atlassian's token answer named no scopes, so what was granted is unknown. Requested: "
                    code { (connection.requested.to_scope_value()) }
                }
            }
        };
    };
    let diff = ScopeDiff::new(&connection.requested, granted);
    let summary = if diff.is_complete() {
        "Everything requested was granted.".to_string()
    } else {
        let (count, one) = (diff.not_granted.len(), diff.not_granted.len() == 1);
        let them = if one { "it" } else { "them" };
        format!(
            "{count} requested scope{} not granted: the app in the developer console lacks {them}, or the user could \
             not grant {them}.",
            if one { " was" } else { "s were" },
        )
    };
    let groups = [
        (&diff.granted, "yes", "granted"),
        (&diff.not_granted, "no", "requested, not granted"),
        (&diff.unrequested, "unrequested", "granted without being requested"),
    ];
    html! {
        section #scopes {
            h2 { "Scopes" }
            p { (summary) }
            ul.scopes {
                @for (names, granted, label) in groups {
                    @for name in names {
                        li data-scope=(name) data-granted=(granted) { code { (name) } " — " (label) }
                    }
                }
            }
        }
    }
}

/// With `ATLASSIAN_USES` set: which of the integration's calls the granted scopes allow, and
/// which will answer "scope does not match".
fn uses_section(config: &Config, connection: &Connection) -> Markup {
    let (Some(uses), Some(granted)) = (config.setup.uses.as_deref(), connection.tokens.scope.as_ref()) else {
        return Markup::default();
    };
    let uses = uses_with_granted(uses, |scope| granted.contains(scope));
    let failing = uses.iter().filter(|call| !call.works()).count();
    let summary = match failing {
        0 => "Every call in ATLASSIAN_USES is allowed by the scopes granted.".to_string(),
        1 => "1 call in ATLASSIAN_USES will answer `401 Unauthorized; scope does not match`.".to_string(),
        n => format!("{n} calls in ATLASSIAN_USES will answer `401 Unauthorized; scope does not match`."),
    };
    html! {
        section #uses data-failing=(failing) {
            h2 { "Calls" }
            p { (summary) }
            ul.uses {
                @for call in &uses {
                    li data-use=(call.label) data-works=(call.works()) {
                        code { (call.label) }
                        @if call.label != call.operation { " (" code { (call.operation) } ")" }
                        @if call.works() {
                            " — will work"
                        } @else {
                            " — will answer \"scope does not match\": needs "
                            @for (at, scope) in call.missing.iter().enumerate() {
                                @if at > 0 { ", " }
                                code { (scope) }
                            }
                            ", not granted"
                        }
                        @if call.inferred { " (the spoke's call is inferred)" }
                    }
                }
            }
        }
    }
}

fn tokens_section(connection: &Connection) -> Markup {
    let tokens = connection.tokens;
    let refresh = tokens.refresh_token.is_some();
    let expiry = match tokens.expires_in {
        Some(seconds) => {
            format!("in {} minutes, at {} UTC", seconds / 60, utc_time(connection.now.saturating_add(seconds)))
        }
        None => "not stated by Atlassian (usually one hour)".to_string(),
    };
    html! {
        section #tokens {
            h2 { "Tokens" }
            dl {
                dt { "Refresh token" }
                dd #refresh-token data-present=(refresh) {
                    @if refresh {
                        "yes: the connection can renew itself (Atlassian rotates it on every use: keep the newest)"
                    } @else {
                        "no: without offline_access granted there is no refresh token, and the user must consent \
                         again when the access token expires"
                    }
                }
                dt { "Access token expires" }
                dd #expiry { (expiry) }
            }
        }
    }
}

fn sites_section(sites: &Result<Vec<Site>, String>) -> Markup {
    match sites {
        Err(why) => html! {
            section #sites data-status="error" { h2 { "Sites" } p { "The sites could not be read: " (why) } }
        },
        Ok(sites) if sites.is_empty() => html! {
            section #sites data-status="empty" {
                h2 { "Sites" }
                p {
                    "The token reaches no site: the user chose none at consent, or is a guest (accessible-resources \
                     lists no sites for Confluence guests)."
                }
            }
        },
        Ok(sites) => html! {
            section #sites data-status="ok" {
                h2 { "Sites" }
                p {
                    "Call the Confluence API at " code { "https://api.atlassian.com/ex/confluence/<cloud ID>/wiki/…" }
                    ", not at the site URL."
                }
                table {
                    tr { th { "Site" } th { "Cloud ID" } th { "URL" } }
                    @for site in sites {
                        tr data-cloud-id=(site.cloud_id) {
                            td { (site.name) }
                            td { code { (site.cloud_id) } }
                            td {
                                @match site_link(&site.url) {
                                    Some(href) => a href=(href) rel="noreferrer" { (site.url) },
                                    None => (site.url),
                                }
                            }
                        }
                    }
                }
            }
        },
    }
}

fn identity_section(identity: &Option<Result<Me, String>>) -> Markup {
    match identity {
        None => Markup::default(),
        Some(Err(why)) => html! {
            section #identity data-status="error" { h2 { "Who consented" } p { "/me could not be read: " (why) } }
        },
        Some(Ok(me)) => html! {
            section #identity data-status="ok" {
                h2 { "Who consented" }
                dl {
                    dt { "Name" } dd { (me.name.as_deref().unwrap_or("(not shared)")) }
                    dt { "Email" } dd { (me.email.as_deref().unwrap_or("(not shared)")) }
                    dt { "Account ID" } dd { code { (me.account_id) } }
                }
            }
        },
    }
}

/// A site's URL as a link target, when it is one a person may follow: `https`, parsed and
/// re-serialized by the URL parser (so what the browser follows is what was checked). Anything
/// else (`javascript:`, `data:`, plain http, text that is no URL) is shown as text only.
fn site_link(url: &str) -> Option<String> {
    let parsed = url::Url::parse(url).ok()?;
    (parsed.scheme() == "https" && parsed.host_str().is_some()).then(|| parsed.to_string())
}

/// `YYYY-MM-DD HH:MM` for Unix seconds (proleptic Gregorian, UTC): the days-to-civil conversion
/// of H. Hinnant's date algorithms, to need no date crate for one line of a page.
fn utc_time(unix: u64) -> String {
    let days = (unix / 86_400) as i64;
    let minutes_of_day = (unix % 86_400) / 60;
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z.rem_euclid(146_097);
    let year_of_era = (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_index = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * month_index + 2) / 5 + 1;
    let month = if month_index < 10 { month_index + 3 } else { month_index - 9 };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02} {:02}:{:02}", minutes_of_day / 60, minutes_of_day % 60)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_https_site_urls_become_links() {
        assert_eq!(site_link("https://acme.atlassian.net").as_deref(), Some("https://acme.atlassian.net/"));
        for url in
            ["javascript:alert(1)", "JavaScript:alert(1)", "data:text/html,x", "http://acme.atlassian.net", "acme"]
        {
            assert_eq!(site_link(url), None, "{url}");
        }
        // Parsed, then serialized: a quote cannot close the attribute (and escaping is still applied).
        assert_eq!(site_link("https://x.io/\"><script>").as_deref(), Some("https://x.io/%22%3E%3Cscript%3E"));
    }

    #[test]
    fn utc_times_match_known_dates() {
        assert_eq!(utc_time(0), "1970-01-01 00:00");
        assert_eq!(utc_time(951_782_400), "2000-02-29 00:00");
        assert_eq!(utc_time(1_795_824_000 + 3_600 + 120), "2026-11-28 01:02");
    }
}
