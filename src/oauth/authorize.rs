//! The authorization-code consent URL (Atlassian "OAuth 2.0 (3LO) apps", step 1).

use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};

use super::{AtlassianCloud, ClientId, RedirectUrl, ScopeList};

/// RFC 3986 unreserved characters stay; everything else is percent-encoded, so scopes come out
/// as `read%3Ame%20offline_access`, as in Atlassian's own examples.
const QUERY_VALUE: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~');

#[derive(Debug, Clone)]
pub struct AuthorizeRequest<'a> {
    pub cloud: AtlassianCloud,
    pub client_id: &'a ClientId,
    pub redirect_url: &'a RedirectUrl,
    pub scopes: &'a ScopeList,
}

impl AuthorizeRequest<'_> {
    /// The consent URL with `state` in place. `prompt=consent` makes Atlassian show the consent
    /// screen every time, so the scopes granted are the scopes requested.
    pub fn url(&self, state: &str) -> String {
        let params = [
            ("audience", self.cloud.audience()),
            ("client_id", self.client_id.as_str()),
            ("scope", &self.scopes.to_scope_value()),
            ("redirect_uri", self.redirect_url.as_str()),
            ("state", state),
            ("response_type", "code"),
            ("prompt", "consent"),
        ];
        let query: Vec<String> =
            params.iter().map(|(key, value)| format!("{key}={}", utf8_percent_encode(value, QUERY_VALUE))).collect();
        format!("{}?{}", self.cloud.authorization_url(), query.join("&"))
    }

    /// The URL with a `{state}` placeholder, for documentation and the validator's output.
    pub fn url_template(&self) -> String {
        self.url("STATE").replace("state=STATE", "state={state}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builds_atlassians_documented_url() {
        let client_id = ClientId::new("Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4z");
        let redirect_url = RedirectUrl::new("https://dev12345.service-now.com/oauth_redirect.do").unwrap();
        let scopes = ScopeList::new(["read:page:confluence", "offline_access"]);
        let request = AuthorizeRequest {
            cloud: AtlassianCloud::Commercial,
            client_id: &client_id,
            redirect_url: &redirect_url,
            scopes: &scopes,
        };
        assert_eq!(
            request.url("s1"),
            "https://auth.atlassian.com/authorize?audience=api.atlassian.com&client_id=Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4z\
             &scope=read%3Apage%3Aconfluence%20offline_access\
             &redirect_uri=https%3A%2F%2Fdev12345.service-now.com%2Foauth_redirect.do&state=s1&response_type=code&prompt=consent"
        );
        assert!(request.url_template().contains("&state={state}&"));
    }
}
