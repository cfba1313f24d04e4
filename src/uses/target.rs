//! A call as a user writes it (`GET /wiki/api/v2/pages/12345?limit=5`, or the same through the
//! gateway, or on a site URL) matched to the operation it names.

use url::Url;

use crate::catalog::{confluence_operations, Method, Operation, PLATFORM_OPERATIONS};

const GATEWAY_HOST: &str = "api.atlassian.com";

/// Where the call was addressed, when it matters for advice.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Addressed {
    /// A path alone, or through `https://api.atlassian.com`: as an OAuth token must be sent.
    Gateway,
    /// A site URL (`https://acme.atlassian.net/wiki/...`): an OAuth token is refused there.
    SiteUrl,
}

/// Why a call names no operation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NoMatch {
    /// Not an address: the text after the method does not parse as a path or URL.
    NotAPath,
    /// An absolute URL on a host that is neither the gateway nor an Atlassian site.
    OtherHost(String),
    /// No operation has this path; `same_path` lists the methods operations of this path have.
    NoOperation { same_path: Vec<Operation> },
}

/// The operation `method` `target` names, and how it was addressed.
pub fn match_call(method: Method, target: &str) -> Result<(Operation, Addressed), NoMatch> {
    let (path, addressed) = site_path(target)?;
    let segments: Vec<&str> = path.split('/').filter(|segment| !segment.is_empty()).collect();
    // A template's text before its first variable must begin the path: one compare turns away
    // nearly every operation (scopesFor(["servicenow"]) in Chromium: 545 µs without it, 318 µs with it).
    let normalized = format!("/{}", segments.join("/"));
    let candidates: Box<dyn Iterator<Item = Operation>> = if path.starts_with("/wiki/") {
        Box::new(confluence_operations())
    } else {
        Box::new(PLATFORM_OPERATIONS.into_iter())
    };
    // The operation whose template matches with the most literal segments: `/pages/bulk` is its
    // own operation, not `/pages/{id}`.
    let mut best: Option<(Operation, usize)> = None;
    let mut same_path = Vec::new();
    for operation in candidates {
        let literal_start = operation.path.split('{').next().unwrap_or("");
        if !normalized.starts_with(literal_start.trim_end_matches('/')) {
            continue;
        }
        let Some(literals) = template_matches(operation.path, &segments) else { continue };
        if operation.method != method {
            same_path.push(operation);
            continue;
        }
        if best.is_none_or(|(_, most)| literals > most) {
            best = Some((operation, literals));
        }
    }
    match best {
        Some((operation, _)) => Ok((operation, addressed)),
        None => Err(NoMatch::NoOperation { same_path }),
    }
}

/// The path on a site that `target` addresses, without query, fragment or gateway prefix.
fn site_path(target: &str) -> Result<(String, Addressed), NoMatch> {
    // A path alone is one on the gateway (one parser for both: a base URL's join costs the browser
    // build more than it is worth here).
    let url = if target.contains("://") {
        Url::parse(target)
    } else if target.starts_with('/') {
        Url::parse(&format!("https://{GATEWAY_HOST}{target}"))
    } else {
        return Err(NoMatch::NotAPath);
    }
    .map_err(|_| NoMatch::NotAPath)?;
    let host = url.host_str().unwrap_or("");
    let addressed = if host == GATEWAY_HOST {
        Addressed::Gateway
    } else if host.ends_with(".atlassian.net") && url.scheme() == "https" {
        Addressed::SiteUrl
    } else {
        return Err(NoMatch::OtherHost(host.to_string()));
    };
    let path = url.path();
    // Through the gateway a Confluence call sits under /ex/confluence/{cloudId}.
    let path = match path.strip_prefix("/ex/confluence/") {
        Some(rest) if addressed == Addressed::Gateway => rest.find('/').map_or("/", |slash| &rest[slash..]),
        _ => path,
    };
    Ok((path.to_string(), addressed))
}

/// How many literal segments of `template` match `segments`, or `None` when it does not match.
/// A `{name}` segment matches any segment, `{id}` as written in a template too.
fn template_matches(template: &str, segments: &[&str]) -> Option<usize> {
    // Walked, not collected: this runs for every operation of the table on every use (collecting
    // the parts made `scopes_for(["servicenow"])` 973 µs natively against 486 µs walked).
    let mut parts = template.split('/').filter(|part| !part.is_empty());
    let mut literals = 0;
    for segment in segments {
        let part = parts.next()?;
        if is_variable(part) {
            continue;
        }
        if is_variable(segment) || part != *segment {
            return None;
        }
        literals += 1;
    }
    parts.next().is_none().then_some(literals)
}

/// `{id}`, as a template writes it, or as a URL carries it (`%7Bid%7D`: the URL parser encodes braces).
fn is_variable(segment: &str) -> bool {
    let inner = |open: &str, close: &str| {
        segment.len() > open.len() + close.len() && segment.starts_with(open) && segment.ends_with(close)
    };
    inner("{", "}") || inner("%7B", "%7D")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_form_of_one_call_names_one_operation() {
        let forms = [
            "/wiki/api/v2/pages/{id}",
            "/wiki/api/v2/pages/12345",
            "/wiki/api/v2/pages/12345/",
            "/wiki/api/v2/pages/12345?body-format=storage",
            "https://api.atlassian.com/ex/confluence/0a1b2c3d-0000-4000-8000-0123456789ab/wiki/api/v2/pages/12345",
            "https://api.atlassian.com/ex/confluence/0a1b2c3d-0000-4000-8000-0123456789ab/wiki/api/v2/pages/12345/?",
        ];
        for form in forms {
            let (operation, addressed) = match_call(Method::Get, form).unwrap_or_else(|e| panic!("{form}: {e:?}"));
            assert_eq!(operation.operation_id, "getPageById", "{form}");
            assert_eq!(addressed, Addressed::Gateway, "{form}");
        }
        let (operation, addressed) = match_call(Method::Get, "https://acme.atlassian.net/wiki/api/v2/pages/1").unwrap();
        assert_eq!((operation.operation_id, addressed), ("getPageById", Addressed::SiteUrl));
    }

    #[test]
    fn a_literal_segment_beats_a_variable_one() {
        let (operation, _) = match_call(Method::Get, "/wiki/rest/api/template/page").unwrap();
        assert_eq!(operation.path, "/wiki/rest/api/template/page");
        let (operation, _) = match_call(Method::Get, "/wiki/rest/api/template/12345").unwrap();
        assert_eq!(operation.path, "/wiki/rest/api/template/{contentTemplateId}");
    }

    #[test]
    fn the_calls_outside_the_documents_are_matched_on_the_gateway() {
        for (method, target, scopes) in [
            (Method::Get, "https://api.atlassian.com/me", &["read:me"][..]),
            (Method::Get, "/oauth/token/accessible-resources", &[][..]),
            (Method::Post, "https://api.atlassian.com/app/report-accounts/", &["report:personal-data"][..]),
            (Method::Post, "/app/report-accounts", &["report:personal-data"][..]),
        ] {
            let (operation, _) = match_call(method, target).unwrap_or_else(|e| panic!("{target}: {e:?}"));
            assert_eq!(operation.current.iter().collect::<Vec<_>>(), scopes, "{target}");
        }
    }

    #[test]
    fn what_names_no_operation_says_why() {
        assert_eq!(match_call(Method::Get, "pages"), Err(NoMatch::NotAPath));
        assert_eq!(
            match_call(Method::Get, "https://example.com/wiki/api/v2/pages"),
            Err(NoMatch::OtherHost("example.com".into()))
        );
        let Err(NoMatch::NoOperation { same_path }) = match_call(Method::Patch, "/wiki/api/v2/pages") else { panic!() };
        let methods: Vec<Method> = same_path.iter().map(|operation| operation.method).collect();
        assert_eq!(methods, [Method::Get, Method::Post]);
        assert!(matches!(match_call(Method::Get, "/wiki/api/v2/nothing-here"), Err(NoMatch::NoOperation { .. })));
    }
}
