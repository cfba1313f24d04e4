//! `scope/*`: the scope list as pasted, checked against Atlassian's registry.

use std::ops::Range;

use percent_encoding::percent_decode_str;

use super::findings::{Findings, Hit};
use super::suggest::closest_scopes;
use super::text::is_blank;
use super::{Grant, Rule};
use crate::catalog::{lookup_scope, Family, ScopeEntry};
use crate::diagnostic::{Applicability, Severity};
use crate::oauth::seen::SeenNames;
use crate::setup::Setup;

/// Atlassian recommends fewer; a service-account credential holds at most this many.
const MAX_SCOPES: usize = 50;
const OFFLINE_ACCESS: &str = "offline_access";
/// Listed in ServiceNow's Confluence spoke guide, known to no Atlassian registry or document.
const SERVICENOW_PHANTOM_SCOPE: &str = "ace:confluence";
const SERVICENOW_PHANTOM_HELP: &str =
    "remove it: ServiceNow's Confluence spoke guide lists it, but Atlassian has no such \
                                       scope and consent fails while it is requested";
const OPENID_CONNECT_SCOPES: [&str; 3] = ["openid", "profile", "email"];

/// One scope as typed, with its byte range in the field.
pub(super) struct Token<'a> {
    pub text: &'a str,
    pub range: Range<usize>,
}

/// Characters people put between scopes instead of a space.
fn is_separator(c: char) -> bool {
    is_blank(c) || matches!(c, ',' | ';' | '|' | '+' | '"' | '\'' | '[' | ']' | '(' | ')' | '`')
}

/// The length of the separator starting at byte `at`, if one does: a separator character, or
/// one percent-encoded (`%20`, `%2c`, `%0A`, ...: pasted from an authorize URL), in either case.
fn separator_length(raw: &str, at: usize) -> Option<usize> {
    let byte = raw.as_bytes()[at];
    if byte == b'%' {
        return encoded_separator(raw, at).map(|_| 3);
    }
    // Bytes, not chars, for ASCII: the browser build would decode each character in a call.
    let c = if byte.is_ascii() { char::from(byte) } else { raw[at..].chars().next()? };
    is_separator(c).then(|| c.len_utf8())
}

/// The separator that `%XX` at byte `at` encodes, if it encodes one.
fn encoded_separator(raw: &str, at: usize) -> Option<char> {
    let digit = |i: usize| char::from(*raw.as_bytes().get(at + i)?).to_digit(16);
    let c = char::from((digit(1)? * 16 + digit(2)?) as u8);
    // `+` encoded is a literal plus sign in a URL, not a space: only real separators count.
    (is_separator(c) && c != '+').then_some(c)
}

pub(super) fn tokenize(raw: &str) -> Vec<Token<'_>> {
    let mut tokens = Vec::new();
    let mut start = None;
    let mut at = 0;
    // The end of the text ends the last token as a separator would.
    while at <= raw.len() {
        let separator = if at == raw.len() { Some(1) } else { separator_length(raw, at) };
        match (separator, start) {
            (Some(length), Some(s)) => {
                tokens.push(Token { text: &raw[s..at], range: s..at });
                start = None;
                at += length;
            }
            (Some(length), None) => at += length,
            (None, _) => {
                start = start.or(Some(at));
                at += 1;
                while !raw.is_char_boundary(at) {
                    at += 1;
                }
            }
        }
    }
    tokens
}

/// Checks the scopes; returns them split and deduplicated, in the order typed.
pub(super) fn check_scopes<'a>(setup: &'a Setup, grant: Grant, out: &mut Findings) -> Vec<&'a str> {
    let raw = setup.scopes.as_deref().unwrap_or("");
    let tokens = tokenize(raw);
    if tokens.is_empty() {
        if grant == Grant::AuthorizationCode {
            out.push(Hit::new(
                Rule::ScopeMissing,
                "no scopes: consent would grant nothing",
                "list the scopes the integration needs, space-separated, e.g. `read:page:confluence search:confluence \
                 offline_access`",
            ));
        }
        return Vec::new();
    }
    check_separators(raw, &tokens, out);

    // With the app's scopes given, `scope/not-on-app` tells whether the identity API is added.
    let app_scopes_given = super::app_scopes::app_scopes_given(setup);
    let mut seen = SeenNames::default();
    let mut known: Vec<&'static ScopeEntry> = Vec::new();
    let mut unique: Vec<&str> = Vec::new();
    for (index, token) in tokens.iter().enumerate() {
        if !seen.insert(token.text) {
            out.push(
                Hit::new(
                    Rule::ScopeDuplicate,
                    format!("{} is listed twice", out.quote(token.text)),
                    "remove the repeat",
                )
                .at(token.range.clone())
                .edits(vec![(removal_range(&tokens, index), String::new())], Applicability::Safe),
            );
            continue;
        }
        unique.push(token.text);
        if let Some(entry) = check_token(&tokens, index, grant, app_scopes_given, out) {
            known.push(entry);
        }
    }
    check_the_list(raw, &unique, &known, grant, out);
    unique
}

fn check_separators(raw: &str, tokens: &[Token], out: &mut Findings) {
    let last = tokens.len() - 1;
    // Between two scopes only spaces are right; around the list, any whitespace is fine.
    let gaps = (0..=tokens.len()).map(|i| {
        let start = if i == 0 { 0 } else { tokens[i - 1].range.end };
        let end = if i > last { raw.len() } else { tokens[i].range.start };
        let inner = i > 0 && i <= last;
        (start..end, inner)
    });
    let odd: Vec<Range<usize>> = gaps
        .filter(|(gap, inner)| {
            let text = &raw[gap.clone()];
            if *inner {
                text.chars().any(|c| c != ' ')
            } else {
                !text.chars().all(char::is_whitespace)
            }
        })
        .map(|(gap, _)| gap)
        .filter(|gap| !gap.is_empty())
        .collect();
    let (Some(first), Some(final_gap)) = (odd.first(), odd.last()) else { return };
    // Between two scopes a space; around the list nothing.
    let edits = odd
        .iter()
        .map(|gap| {
            let inner = gap.start > 0 && gap.end < raw.len();
            (gap.clone(), if inner { " ".to_string() } else { String::new() })
        })
        .collect();
    let mut found: Vec<&str> = Vec::new();
    for gap in &odd {
        let text = &raw[gap.clone()];
        let encoded = text.contains('%');
        let mut names: Vec<&str> = text
            .chars()
            .filter(|c| *c != ' ' && !(encoded && (*c == '%' || c.is_ascii_hexdigit())))
            .map(separator_name)
            .collect();
        if encoded {
            names.push("URL-encoded separators");
        }
        for name in names {
            if !found.contains(&name) {
                found.push(name);
            }
        }
    }
    out.push(
        Hit::new(
            Rule::ScopeSeparator,
            format!("the scopes are separated by {}; OAuth scopes are separated by single spaces", found.join(" and ")),
            "separate the scopes with spaces only (ServiceNow: in the OAuth Entity Scope too)",
        )
        .at(first.start..final_gap.end)
        .edits(edits, Applicability::Safe),
    );
}

fn separator_name(c: char) -> &'static str {
    match c {
        ',' => "commas",
        ';' => "semicolons",
        '\n' | '\r' => "line breaks",
        '\t' => "tabs",
        '|' => "pipes",
        '+' => "plus signs",
        '"' | '\'' | '`' => "quotes",
        '[' | ']' | '(' | ')' => "brackets",
        c if is_blank(c) => "invisible or unusual spaces",
        _ => "unusual characters",
    }
}

/// Rules about one scope on its own. Returns its catalog entry when it is a real scope.
fn check_token(
    tokens: &[Token],
    index: usize,
    grant: Grant,
    app_scopes_given: bool,
    out: &mut Findings,
) -> Option<&'static ScopeEntry> {
    let token = &tokens[index];
    let at = token.range.clone();
    let remove = || removals(tokens, token.text);
    if OPENID_CONNECT_SCOPES.iter().any(|s| s.eq_ignore_ascii_case(token.text)) {
        out.push(
            Hit::new(
                Rule::ScopeOpenid,
                format!(
                    "{} is an OpenID Connect scope; Atlassian's OAuth apps are not OpenID clients and consent fails",
                    out.quote(token.text)
                ),
                "remove it; to learn who consented, use `read:me` and GET https://api.atlassian.com/me",
            )
            .at(at)
            .edits(remove(), Applicability::Safe),
        );
        return None;
    }
    let Some(entry) = lookup_scope(token.text) else {
        // A scope in the wrong case is still known for what the list as a whole asks.
        return check_unknown(tokens, index, out);
    };
    if !entry.family.grantable_to_oauth_apps() {
        out.push(
            Hit::new(
                Rule::ScopeNotForOauthApps,
                format!(
                    "{} is a scope for {}; an OAuth 2.0 app cannot be granted it",
                    out.quote(token.text),
                    entry.family.holder()
                ),
                equivalent_help(entry),
            )
            .at(at)
            .edits(remove(), Applicability::Safe),
        );
        return None;
    }
    let user_scope = entry.family == Family::Identity || entry.family == Family::OfflineAccess;
    match grant {
        Grant::ClientCredentials if user_scope => out.push(
            Hit::new(
                Rule::ScopeNoUserContext,
                format!(
                    "{} means nothing to a client-credentials token: there is no user and no refresh token",
                    out.quote(token.text)
                ),
                "remove it; a service account's scopes are set on its OAuth credential in Atlassian Administration",
            )
            .at(at)
            .edits(remove(), Applicability::Safe),
        ),
        Grant::AuthorizationCode if entry.family == Family::Identity && !app_scopes_given => out.push(
            Hit::new(
                Rule::ScopeIdentityApi,
                format!("{} needs the User identity API added to the app", out.quote(token.text)),
                entry.family.console_step().unwrap_or_default(),
            )
            .at(at),
        ),
        _ => {}
    }
    Some(entry)
}

/// Reports a token that is no scope as typed; returns the scope meant when only its case is
/// wrong.
fn check_unknown(tokens: &[Token], index: usize, out: &mut Findings) -> Option<&'static ScopeEntry> {
    let token = &tokens[index];
    let at = token.range.clone();
    if token.text == SERVICENOW_PHANTOM_SCOPE {
        out.push(
            Hit::new(
                Rule::ScopeUnknown,
                format!("{} is not an Atlassian scope", out.quote(token.text)),
                SERVICENOW_PHANTOM_HELP,
            )
            .at(at)
            .edits(removals(tokens, token.text), Applicability::Safe),
        );
        return None;
    }
    let decoded = percent_decode_str(token.text).decode_utf8().ok().filter(|d| d != token.text);
    if let Some(decoded) = decoded.filter(|d| lookup_scope(d).is_some()) {
        out.push(
            Hit::new(
                Rule::ScopeUnknown,
                format!("{} is URL-encoded", out.quote(token.text)),
                format!("write it `{decoded}`: the scope list is plain text, encoded only inside a URL"),
            )
            .at(at.clone())
            .edits(replacements(tokens, token.text, &decoded), Applicability::Safe),
        );
        return None;
    }
    let lower = token.text.to_ascii_lowercase();
    let has_upper = token.text.bytes().any(|b| b.is_ascii_uppercase());
    if has_upper {
        let meant = lookup_scope(&lower);
        let real = meant.is_some();
        out.push(
            Hit::new(
                Rule::ScopeCase,
                format!("{} has upper-case letters; scope names are lower case", out.quote(token.text)),
                if real { format!("write it `{lower}`") } else { "write it in lower case".to_string() },
            )
            .at(at.clone())
            .edits_opt(real.then(|| replacements(tokens, token.text, &lower)), Applicability::Safe),
        );
        if real {
            return meant;
        }
    }
    if !out.would_list(Rule::ScopeUnknown) {
        out.count_unlisted(Rule::ScopeUnknown, Rule::ScopeUnknown.default_severity());
        return None;
    }
    let suggestions = closest_scopes(&lower, 3);
    let help = match suggestions.names.as_slice() {
        [] => "remove it, or pick the scope you need from Atlassian's scope list for Confluence".to_string(),
        [one] => format!("did you mean `{one}`?"),
        many => format!("did you mean {}?", many.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(", ")),
    };
    out.push(
        Hit::new(Rule::ScopeUnknown, format!("{} is not an Atlassian scope", out.quote(token.text)), help)
            .at(at.clone())
            .edits_opt(
                suggestions.clearly_meant.map(|meant| replacements(tokens, token.text, meant)),
                Applicability::Unsafe,
            ),
    );
    None
}

/// Rules about the list as a whole.
fn check_the_list(raw: &str, unique: &[&str], known: &[&'static ScopeEntry], grant: Grant, out: &mut Findings) {
    if grant == Grant::AuthorizationCode && !known.iter().any(|e| e.name == OFFLINE_ACCESS) {
        let end = raw.trim_end().len();
        out.push(
            Hit::new(
                Rule::ScopeOfflineAccessMissing,
                "no `offline_access`: Atlassian will return no refresh token, and access ends after an hour",
                "add `offline_access` to the scopes (in the request only; it is not picked in the console)",
            )
            .edits(vec![(end..end, format!(" {OFFLINE_ACCESS}"))], Applicability::Unsafe),
        );
    }
    if unique.len() > MAX_SCOPES {
        let severity = if grant == Grant::ClientCredentials { Severity::Error } else { Severity::Warning };
        out.push(
            Hit::new(
                Rule::ScopeTooMany,
                format!("{} scopes; Atlassian recommends fewer than {MAX_SCOPES}", unique.len()),
                if grant == Grant::ClientCredentials {
                    "a service-account credential holds at most 50 scopes: keep only those the integration uses"
                } else {
                    "keep only the scopes the integration uses"
                },
            )
            .severity(severity),
        );
    }
    let confluence: Vec<_> = known.iter().filter(|e| e.is_confluence()).collect();
    if confluence.is_empty() {
        out.push(Hit::new(
            Rule::ScopeNoConfluence,
            "none of the scopes opens a Confluence API",
            "add the Confluence scopes the integration needs, e.g. `read:page:confluence search:confluence`",
        ));
    } else if confluence.iter().all(|e| e.family == Family::Classic) {
        out.push(Hit::new(
            Rule::ScopeClassicOnly,
            "only classic Confluence scopes: the v2 REST API will answer `401 Unauthorized; scope does not match`",
            "fine for the v1 API; for v2 endpoints add granular scopes such as `read:page:confluence`",
        ));
    }
}

/// Every token spelled `typed`, written `with` instead: a repeat of a wrong scope is reported
/// once (as a duplicate), so its fix must mend the repeat too.
fn replacements(tokens: &[Token], typed: &str, with: &str) -> Vec<(Range<usize>, String)> {
    tokens.iter().filter(|t| t.text == typed).map(|t| (t.range.clone(), with.to_string())).collect()
}

/// Every token spelled `typed` removed, for the same reason as [`replacements`].
fn removals(tokens: &[Token], typed: &str) -> Vec<(Range<usize>, String)> {
    (0..tokens.len()).filter(|i| tokens[*i].text == typed).map(|i| (removal_range(tokens, i), String::new())).collect()
}

/// A token with the separator before it, or, for the first, the one after it.
pub(super) fn removal_range(tokens: &[Token], index: usize) -> Range<usize> {
    let token = &tokens[index];
    if index > 0 {
        tokens[index - 1].range.end..token.range.end
    } else if let Some(next) = tokens.get(1) {
        token.range.start..next.range.start
    } else {
        token.range.clone()
    }
}

fn equivalent_help(entry: &ScopeEntry) -> String {
    match entry.family {
        Family::Connect => {
            "remove it; use the classic scopes (`read:confluence-content.all`, ...) of an OAuth 2.0 app".to_string()
        }
        Family::TeamworkGraph => "remove it; read the same data through the product's granular scopes".to_string(),
        Family::Agent => "remove it; agent-interface scopes belong to Rovo and Atlassian's MCP server".to_string(),
        _ => "remove it; use a classic or granular scope for the same resource".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokenize_keeps_byte_ranges() {
        let raw = " read:me,\toffline_access ";
        let tokens: Vec<_> = tokenize(raw).iter().map(|t| (t.text, t.range.clone())).collect();
        assert_eq!(tokens, vec![("read:me", 1..8), ("offline_access", 10..24)]);
    }

    #[test]
    fn removing_a_token_removes_its_separator() {
        let raw = "a, b, c";
        let tokens = tokenize(raw);
        let text = |range: Range<usize>| &raw[range];
        assert_eq!(text(removal_range(&tokens, 0)), "a, ");
        assert_eq!(text(removal_range(&tokens, 1)), ", b");
        assert_eq!(text(removal_range(&tokens, 2)), ", c");
        let raw = "x a x b x";
        let ranges: Vec<_> = removals(&tokenize(raw), "x").into_iter().map(|(range, _)| &raw[range]).collect();
        assert_eq!(ranges, ["x ", " x", " x"]);
    }
}
