//! Token endpoint requests for the three grants Atlassian offers, as the JSON bodies it
//! documents (DOMAIN.md §3).

use serde::Serialize;

use super::request::JSON_REQUEST_HEADERS;
use super::TokenRequest;
use super::{
    AtlassianCloud, AuthorizationCode, ClientId, ClientSecret, HttpRequest, Method, RedirectUrl, RefreshToken,
};

/// A client of Atlassian's token endpoint: the client ID and secret, and where to send them.
/// `Debug` hides the secret.
#[derive(Debug, Clone)]
pub struct TokenClient {
    client_id: ClientId,
    client_secret: ClientSecret,
    token_url: String,
}

#[derive(Serialize)]
struct CodeBody<'a> {
    grant_type: &'static str,
    client_id: &'a str,
    client_secret: &'a str,
    code: &'a str,
    redirect_uri: &'a str,
}

#[derive(Serialize)]
struct RefreshBody<'a> {
    grant_type: &'static str,
    client_id: &'a str,
    client_secret: &'a str,
    refresh_token: &'a str,
}

#[derive(Serialize)]
struct ClientCredentialsBody<'a> {
    grant_type: &'static str,
    client_id: &'a str,
    client_secret: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    audience: Option<&'a str>,
}

impl TokenClient {
    /// A client of `cloud`'s token endpoint. For a client-credentials grant, the ID and secret
    /// are a service account's OAuth 2.0 credentials, not a developer-console app's.
    pub fn new(cloud: AtlassianCloud, client_id: ClientId, client_secret: ClientSecret) -> Self {
        TokenClient { client_id, client_secret, token_url: cloud.token_url().to_string() }
    }

    /// Another token endpoint: a local stand-in in tests and development.
    pub fn with_token_url(mut self, token_url: impl Into<String>) -> Self {
        self.token_url = token_url.into();
        self
    }

    pub fn token_url(&self) -> &str {
        &self.token_url
    }

    pub fn client_id(&self) -> &ClientId {
        &self.client_id
    }

    /// Exchanges the callback's `code`. `redirect_url` must be the one the authorize URL carried,
    /// character for character.
    pub fn exchange_code(&self, code: &AuthorizationCode, redirect_url: &RedirectUrl) -> TokenRequest {
        self.post(&CodeBody {
            grant_type: "authorization_code",
            client_id: self.client_id.as_str(),
            client_secret: self.client_secret.secret(),
            code: code.secret(),
            redirect_uri: redirect_url.as_str(),
        })
    }

    /// Refreshes an access token. Atlassian answers with a new refresh token and retires this
    /// one after a 10-minute leeway: store the new one before anything else.
    pub fn refresh(&self, refresh_token: &RefreshToken) -> TokenRequest {
        self.post(&RefreshBody {
            grant_type: "refresh_token",
            client_id: self.client_id.as_str(),
            client_secret: self.client_secret.secret(),
            refresh_token: refresh_token.secret(),
        })
    }

    /// A service account's token. `audience` is optional for Atlassian (`api.atlassian.com`
    /// when given; [`AtlassianCloud::audience`]).
    pub fn client_credentials(&self, audience: Option<&str>) -> TokenRequest {
        self.post(&ClientCredentialsBody {
            grant_type: "client_credentials",
            client_id: self.client_id.as_str(),
            client_secret: self.client_secret.secret(),
            audience,
        })
    }

    fn post(&self, body: &impl Serialize) -> TokenRequest {
        // Serializing borrowed strings into JSON cannot fail.
        let body = serde_json::to_string(body).expect("a token request body is plain strings");
        HttpRequest {
            method: Method::Post,
            url: self.token_url.clone(),
            headers: JSON_REQUEST_HEADERS.iter().map(|(name, value)| (*name, value.to_string())).collect(),
            body: Some(body),
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::{json, Value};

    use super::*;

    const SECRET: &str = "ATOAsecretsecretsecretsecretsecretsecretsecretsecretsecretsecretsecret0123ABCD";

    fn client() -> TokenClient {
        TokenClient::new(
            AtlassianCloud::Commercial,
            ClientId::new("Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4z"),
            ClientSecret::new(SECRET),
        )
    }

    fn body(request: &TokenRequest) -> Value {
        serde_json::from_str(request.body.as_deref().unwrap()).unwrap()
    }

    #[test]
    fn bodies_are_atlassians_documented_json() {
        let redirect = RedirectUrl::new("https://dev12345.service-now.com/oauth_redirect.do").unwrap();
        let table: &[(TokenRequest, Value)] = &[
            (
                client().exchange_code(&AuthorizationCode::new("eyJcode"), &redirect),
                json!({"grant_type": "authorization_code", "client_id": "Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4z",
                       "client_secret": SECRET, "code": "eyJcode",
                       "redirect_uri": "https://dev12345.service-now.com/oauth_redirect.do"}),
            ),
            (
                client().refresh(&RefreshToken::new("eyJrefresh")),
                json!({"grant_type": "refresh_token", "client_id": "Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4z",
                       "client_secret": SECRET, "refresh_token": "eyJrefresh"}),
            ),
            (
                client().client_credentials(None),
                json!({"grant_type": "client_credentials", "client_id": "Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4z",
                       "client_secret": SECRET}),
            ),
            (
                client().client_credentials(Some("api.atlassian.com")),
                json!({"grant_type": "client_credentials", "client_id": "Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4z",
                       "client_secret": SECRET, "audience": "api.atlassian.com"}),
            ),
        ];
        for (request, expected) in table {
            assert_eq!(request.method, Method::Post);
            assert_eq!(request.url, "https://auth.atlassian.com/oauth/token");
            assert_eq!(request.header("content-type"), Some("application/json"));
            assert_eq!(request.header("accept"), Some("application/json"));
            assert_eq!(body(request), *expected);
            let shown = format!("{request:?}");
            for secret in [SECRET, "eyJcode", "eyJrefresh"] {
                assert!(!shown.contains(secret), "{shown}");
            }
        }
    }

    #[test]
    fn the_token_url_follows_the_cloud_or_the_override() {
        let gov = TokenClient::new(AtlassianCloud::Government, ClientId::new("id"), ClientSecret::new("s"));
        assert_eq!(gov.client_credentials(None).url, "https://auth.atlassian-us-gov-mod.com/oauth/token");
        let local = client().with_token_url("http://127.0.0.1:8788/oauth/token");
        assert_eq!(local.refresh(&RefreshToken::new("r")).url, "http://127.0.0.1:8788/oauth/token");
        assert!(!format!("{local:?}").contains(SECRET));
    }
}
