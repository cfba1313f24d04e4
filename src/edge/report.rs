//! The connection report: what Atlassian really granted, shown after a successful callback.
//! Requested against granted scopes, the sites with their cloud IDs, whether a refresh token came
//! back, when the access token expires, who consented (`/me`), and the validator's findings for
//! the Worker's own setup. Never a token: only facts about them.

use std::fmt::Write;

use super::config::Config;
use super::respond::{coded_page, escape_html, Reply};
use crate::oauth::{Me, ReturnPath, ScopeDiff, ScopeList, Site, TokenResponse};

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

pub fn report_page(config: &Config, connection: &Connection, config_findings_html: &str) -> Reply {
    let mut html = String::new();
    if config.atlassian.stand_in {
        let _ = writeln!(
            html,
            "<p class=\"notice\"><strong>Development:</strong> granted by the local stand-in for Atlassian at \
             <code>{}</code>, not by Atlassian.</p>",
            escape_html(&config.atlassian.auth_base_url)
        );
    }
    scopes_section(&mut html, connection);
    tokens_section(&mut html, connection);
    sites_section(&mut html, &connection.sites);
    identity_section(&mut html, &connection.identity);
    let _ = writeln!(
        html,
        "<section id=\"config-findings\">\n<h2>This Worker's setup</h2>\n{}\n</section>",
        if config_findings_html.is_empty() {
            "<p>The validator found nothing to report.</p>".to_string()
        } else {
            config_findings_html.to_string()
        }
    );
    if connection.return_path.as_str() != "/" {
        let _ = writeln!(html, "<p><a href=\"{}\">Continue</a></p>", escape_html(connection.return_path.as_str()));
    }
    coded_page(200, "connection-report", "Connected to Atlassian", &html)
}

fn scopes_section(html: &mut String, connection: &Connection) {
    let _ = writeln!(html, "<section id=\"scopes\">\n<h2>Scopes</h2>");
    let Some(granted) = connection.tokens.scope.as_ref() else {
        let _ = writeln!(
            html,
            "<p>Atlassian's token answer named no scopes, so what was granted is unknown. Requested: <code>{}</code></p>\n</section>",
            escape_html(&connection.requested.to_scope_value())
        );
        return;
    };
    let diff = ScopeDiff::new(&connection.requested, granted);
    let summary = if diff.is_complete() {
        "Everything requested was granted.".to_string()
    } else {
        format!(
            "{} requested scope{} not granted: the app in the developer console lacks {}, or the user could not \
             grant {}.",
            diff.not_granted.len(),
            if diff.not_granted.len() == 1 { " was" } else { "s were" },
            if diff.not_granted.len() == 1 { "it" } else { "them" },
            if diff.not_granted.len() == 1 { "it" } else { "them" },
        )
    };
    let _ = writeln!(html, "<p>{summary}</p>\n<ul class=\"scopes\">");
    for (names, granted, label) in [
        (&diff.granted, "yes", "granted"),
        (&diff.not_granted, "no", "requested, not granted"),
        (&diff.unrequested, "unrequested", "granted without being requested"),
    ] {
        for name in names {
            let name = escape_html(name);
            let _ = writeln!(
                html,
                "<li data-scope=\"{name}\" data-granted=\"{granted}\"><code>{name}</code> — {label}</li>"
            );
        }
    }
    let _ = writeln!(html, "</ul>\n</section>");
}

fn tokens_section(html: &mut String, connection: &Connection) {
    let tokens = connection.tokens;
    let refresh = tokens.refresh_token.is_some();
    let _ = writeln!(html, "<section id=\"tokens\">\n<h2>Tokens</h2>\n<dl>");
    let _ = writeln!(
        html,
        "<dt>Refresh token</dt><dd id=\"refresh-token\" data-present=\"{refresh}\">{}</dd>",
        if refresh {
            "yes: the connection can renew itself (Atlassian rotates it on every use: keep the newest)"
        } else {
            "no: without offline_access granted there is no refresh token, and the user must consent again when \
             the access token expires"
        }
    );
    let expiry = match tokens.expires_in {
        Some(seconds) => {
            format!("in {} minutes, at {} UTC", seconds / 60, utc_time(connection.now.saturating_add(seconds)))
        }
        None => "not stated by Atlassian (usually one hour)".to_string(),
    };
    let _ = writeln!(html, "<dt>Access token expires</dt><dd id=\"expiry\">{expiry}</dd>\n</dl>\n</section>");
}

fn sites_section(html: &mut String, sites: &Result<Vec<Site>, String>) {
    match sites {
        Err(why) => {
            let _ = writeln!(
                html,
                "<section id=\"sites\" data-status=\"error\">\n<h2>Sites</h2>\n<p>The sites could not be read: {}</p>\n</section>",
                escape_html(why)
            );
        }
        Ok(sites) if sites.is_empty() => {
            let _ = writeln!(
                html,
                "<section id=\"sites\" data-status=\"empty\">\n<h2>Sites</h2>\n<p>The token reaches no site: the \
                 user chose none at consent, or is a guest (accessible-resources lists no sites for Confluence \
                 guests).</p>\n</section>"
            );
        }
        Ok(sites) => {
            let _ = writeln!(
                html,
                "<section id=\"sites\" data-status=\"ok\">\n<h2>Sites</h2>\n<p>Call the Confluence API at \
                 <code>https://api.atlassian.com/ex/confluence/&lt;cloud ID&gt;/wiki/…</code>, not at the site \
                 URL.</p>\n<table>\n<tr><th>Site</th><th>Cloud ID</th><th>URL</th></tr>"
            );
            for site in sites {
                let url = match site_link(&site.url) {
                    Some(href) => {
                        format!("<a href=\"{}\" rel=\"noreferrer\">{}</a>", escape_html(&href), escape_html(&site.url))
                    }
                    None => escape_html(&site.url),
                };
                let _ = writeln!(
                    html,
                    "<tr data-cloud-id=\"{id}\"><td>{name}</td><td><code>{id}</code></td><td>{url}</td></tr>",
                    id = escape_html(&site.cloud_id),
                    name = escape_html(&site.name),
                );
            }
            let _ = writeln!(html, "</table>\n</section>");
        }
    }
}

fn identity_section(html: &mut String, identity: &Option<Result<Me, String>>) {
    match identity {
        None => {}
        Some(Err(why)) => {
            let _ = writeln!(
                html,
                "<section id=\"identity\" data-status=\"error\">\n<h2>Who consented</h2>\n<p>/me could not be read: \
                 {}</p>\n</section>",
                escape_html(why)
            );
        }
        Some(Ok(me)) => {
            let _ = writeln!(
                html,
                "<section id=\"identity\" data-status=\"ok\">\n<h2>Who consented</h2>\n<dl><dt>Name</dt><dd>{}</dd>\
                 <dt>Email</dt><dd>{}</dd><dt>Account ID</dt><dd><code>{}</code></dd></dl>\n</section>",
                escape_html(me.name.as_deref().unwrap_or("(not shared)")),
                escape_html(me.email.as_deref().unwrap_or("(not shared)")),
                escape_html(&me.account_id),
            );
        }
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
