//! The catalog of rules: stable codes, default severities, and the explanation each rule's
//! documentation shows. Codes are API: never renamed, only added.

use serde::Serialize;

use super::{Field, Severity};

/// How firmly the fact behind a rule is known (DOMAIN.md's tags).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum Basis {
    /// Atlassian's or ServiceNow's documentation says so.
    Documented,
    /// An Atlassian employee said so on the developer community.
    AtlassianStaff,
    /// An OAuth RFC says so.
    Standard,
    /// Seen in public code, issues or third-party docs; not documented.
    Observed,
}

impl Basis {
    /// The name used in JSON and the JS API.
    pub fn code(self) -> &'static str {
        match self {
            Basis::Documented => "documented",
            Basis::AtlassianStaff => "atlassian-staff",
            Basis::Standard => "standard",
            Basis::Observed => "observed",
        }
    }

    pub fn describe(self) -> &'static str {
        match self {
            Basis::Documented => "documented by Atlassian or ServiceNow",
            Basis::AtlassianStaff => "stated by Atlassian staff on the developer community, not in the reference docs",
            Basis::Standard => "required by the OAuth 2.0 standards (RFC 6749, RFC 9700)",
            Basis::Observed => "observed behaviour, not documented by Atlassian",
        }
    }
}

macro_rules! rules {
    ($( $variant:ident = $code:literal, $severity:ident, $field:ident, $basis:ident,
        $title:literal, $explanation:literal, $fixes:literal; )*) => {
        /// A rule of the validator. See [`Rule::explanation`] for what each checks and why.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum Rule { $($variant,)* }

        impl Rule {
            /// Every rule, in documentation order.
            pub const ALL: &'static [Rule] = &[$(Rule::$variant,)*];

            /// The stable code, `area/name`.
            pub fn code(self) -> &'static str {
                match self { $(Rule::$variant => $code,)* }
            }
            pub fn default_severity(self) -> Severity {
                match self { $(Rule::$variant => Severity::$severity,)* }
            }
            /// The field the rule is mainly about (some rules also look at a second field).
            pub fn field(self) -> Field {
                match self { $(Rule::$variant => Field::$field,)* }
            }
            pub fn basis(self) -> Basis {
                match self { $(Rule::$variant => Basis::$basis,)* }
            }
            pub fn title(self) -> &'static str {
                match self { $(Rule::$variant => $title,)* }
            }
            /// A paragraph: what the rule checks, why it matters, and the fact it rests on.
            pub fn explanation(self) -> &'static str {
                match self { $(Rule::$variant => $explanation,)* }
            }
            /// Which fixes the rule's findings offer, how applicable each is, and why.
            pub fn fixes(self) -> &'static str {
                match self { $(Rule::$variant => $fixes,)* }
            }
        }
    };
}

rules! {
    ClientIdMissing = "client-id/missing", Error, ClientId, Documented,
        "No client ID",
        "Every token request carries the app's client ID. Copy it from the Atlassian developer console: \
         your app → Settings → Client ID (or, for a service account, from the OAuth 2.0 credential created in \
         Atlassian Administration).",
        "No fix: only the console holds the value.";
    ClientIdWhitespace = "client-id/whitespace", Error, ClientId, Documented,
        "Whitespace in the client ID",
        "A client ID never contains spaces or line breaks; a copied one often brings a trailing space or newline \
         (from a table cell, or from `wrangler secret put` input). Atlassian compares the ID exactly, so the \
         token request fails with `access_denied`. The fix removes the whitespace.",
        "Fix (safe): removes the whitespace, since no client ID contains any.";
    ClientIdAppAri = "client-id/app-ari", Error, ClientId, Observed,
        "App ARI pasted as client ID",
        "The console shows the app's ARI (`ari:cloud:ecosystem::app/<uuid>`) near its credentials, and it is \
         often copied by mistake. The client ID is a different value, on the app's Settings page. Observed in \
         support threads, not documented.",
        "No fix: the client ID is another value, and only the console holds it.";
    ClientIdIsSecret = "client-id/is-secret", Error, ClientId, Observed,
        "Client secret in the client ID field",
        "The value has the shape of a client secret (it starts with `ATOA`), so the ID and the secret were \
         probably swapped. The shapes are observed, not documented; the client ID is the 32-character value \
         above the secret on the app's Settings page.",
        "No fix: the only candidate is the secret itself, and no fix ever carries a secret.";
    ClientIdShape = "client-id/shape", Warning, ClientId, Observed,
        "Client ID of an unusual shape",
        "Atlassian client IDs seen so far are 32 letters and digits. Atlassian does not document the format, so \
         this is only a warning: check the value was copied whole.",
        "No fix: only the console holds the right value.";
    ClientSecretWhitespace = "client-secret/whitespace", Error, ClientSecret, Documented,
        "Whitespace in the client secret",
        "A secret never contains whitespace; a pasted one often ends in a newline or space, and the token \
         endpoint then answers `access_denied` / `Unauthorized`. The fix removes the whitespace.",
        "No fix: a fix of this field would carry the secret, so none is offered; remove the whitespace by hand.";
    ClientSecretIsClientId = "client-secret/is-client-id", Error, ClientSecret, Observed,
        "Client ID in the client secret field",
        "The secret equals the client ID or has its shape (32 letters and digits, no `ATOA` prefix), so the two \
         were probably swapped or the ID pasted twice. The secret is on the app's Settings page below the ID.",
        "No fix: only the console holds the secret.";
    ClientSecretShape = "client-secret/shape", Warning, ClientSecret, Observed,
        "Client secret of an unusual shape",
        "Current Atlassian client secrets are `ATOA` followed by 72 characters, the last 8 of them uppercase hex (a \
         checksum, like API tokens' `ATATT`). Older secrets without the prefix exist, and the format is not \
         documented, so this only warns: check the value was copied whole.",
        "No fix: only the console holds the secret.";
    CallbackMissing = "callback/missing", Error, CallbackUrl, Documented,
        "No callback URL",
        "The authorization-code grant sends the user back to the app's Callback URL, and the token request must \
         repeat it as `redirect_uri`. Set it in the console (Authorization → OAuth 2.0 (3LO) → Callback URL) and on \
         the client (ServiceNow: Redirect URL).",
        "No fix: the callback is the client's own address.";
    CallbackWhitespace = "callback/whitespace", Error, CallbackUrl, AtlassianStaff,
        "Whitespace in the callback URL",
        "`redirect_uri` must equal the registered Callback URL character for character; a stray space or newline \
         makes it a different URL and consent fails with a redirect mismatch.",
        "Fix (safe): removes the whitespace.";
    CallbackInvalid = "callback/invalid", Error, CallbackUrl, Standard,
        "Callback URL is not an absolute http(s) URL",
        "RFC 6749 §3.1.2 requires an absolute redirection URI; the browser is sent there, so it needs a scheme \
         (`https://`) and a host.",
        "Fix (safe), when the URL is clear: adds a missing `https://`, removes control characters, or writes a malformed URL as the URL parser reads it. None for a path or a foreign scheme.";
    CallbackInsecure = "callback/insecure", Error, CallbackUrl, Standard,
        "Callback over plain http",
        "The authorization code travels in the callback URL. Over plain http anyone on the path can read it (RFC \
         9700 §4.1 requires TLS except for loopback). Use https; http is fine only on localhost, 127.0.0.1 or \
         [::1] during development.",
        "Fix (safe): `https` in place of `http`.";
    CallbackLocalhost = "callback/localhost", Info, CallbackUrl, Observed,
        "Loopback callback",
        "Atlassian accepts a localhost callback for development. A server elsewhere (ServiceNow, a deployed \
         Worker) can never receive it: register the production callback too, one app per environment.",
        "No fix: a loopback callback is right for development.";
    CallbackFragment = "callback/fragment", Error, CallbackUrl, Standard,
        "Callback URL with a #fragment",
        "RFC 6749 §3.1.2: the redirection URI must not include a fragment. Remove everything from `#` on.",
        "Fix (safe): removes the fragment.";
    CallbackUserinfo = "callback/userinfo", Error, CallbackUrl, Standard,
        "Credentials inside the callback URL",
        "`user:password@` in a URL leaks the credentials to every log and browser history, and browsers strip or \
         refuse it on redirects. Remove it.",
        "Fix (safe): removes the credentials.";
    CallbackWildcard = "callback/wildcard", Error, CallbackUrl, AtlassianStaff,
        "Wildcard in the callback URL",
        "Atlassian matches `redirect_uri` exactly; `*` is not a pattern there, just a character no real host or \
         path has. Register the exact URL.",
        "No fix: only you know the host meant.";
    CallbackPlaceholder = "callback/placeholder", Error, CallbackUrl, Documented,
        "Placeholder left in the callback URL",
        "Setup guides write the callback as `https://instance.service-now.com/oauth_redirect.do` or with \
         `<instance>`, `your-instance`, `example.com` or `YOUR_…`: these are to be replaced with your own \
         instance or host. ServiceNow's Confluence spoke guide is a frequent source.",
        "No fix: only you know your instance's name.";
    CallbackServicenowPath = "callback/servicenow-path", Error, CallbackUrl, Documented,
        "ServiceNow callback with the wrong path",
        "ServiceNow receives OAuth redirects at exactly `/oauth_redirect.do` on the instance host (ServiceNow, \
         \"Set up the Confluence Cloud spoke\"). Any other path, a trailing slash included, never reaches the \
         OAuth handler.",
        "Fix (safe): the instance's origin with the path `/oauth_redirect.do`.";
    CallbackServicenowInstance = "callback/servicenow-instance", Warning, CallbackUrl, Observed,
        "Unusual ServiceNow instance name",
        "ServiceNow instance names are lowercase letters and digits (`dev12345`, `acme`). Upper case, hyphens or \
         underscores suggest a typo; whether hyphens can occur is not documented, so this only warns.",
        "Fix (safe), when lower case is all that is wrong: the name in lower case (host names ignore case).";
    CallbackMismatch = "callback/mismatch", Error, RedirectUrl, AtlassianStaff,
        "Client's redirect URL differs from the registered callback",
        "Atlassian compares `redirect_uri` with the registered Callback URL exactly: scheme, host, port, path, \
         trailing slash and case. Any difference fails consent or the token exchange (`redirect_uri is not \
         registered for client`). Make the client's Redirect URL a copy of the console's Callback URL.",
        "Fix: the redirect URL set to the registered callback; safe when the callback has no error of its own, unsafe when it has (it would copy that error).";
    ScopeMissing = "scope/missing", Error, Scopes, Documented,
        "No scopes",
        "An authorization request without `scope` grants nothing. List the scopes the integration needs, \
         space-separated, each also added to the app in the console (Permissions).",
        "No fix: only you know what the integration calls.";
    ScopeSeparator = "scope/separator", Warning, Scopes, Standard,
        "Scopes separated by something other than spaces",
        "RFC 6749 §3.3: the scope value is a space-separated list. Commas, semicolons, quotes, brackets, `+` or line \
         breaks become part of a scope name and make it unknown. ServiceNow's connection form shows the scopes \
         comma-separated; the OAuth Entity Scope must hold them space-separated.",
        "Fix (safe): a single space between scopes, nothing around the list; one edit per gap, so it composes with removals.";
    ScopeUnknown = "scope/unknown", Error, Scopes, Documented,
        "Unknown scope",
        "The scope is not in Atlassian's scope registry (as shipped in `@forge/manifest`), and requesting an \
         unknown scope makes consent fail. The closest real scopes are suggested. ServiceNow's spoke guide lists \
         `ace:confluence`, which is no Atlassian scope.",
        "Fix: removing `ace:confluence`, which names nothing and is close to no scope, and decoding a URL-encoded scope are safe; the closest real scope for a typo, when one is clearly meant, is unsafe (a guess).";
    ScopeNotForOauthApps = "scope/not-for-oauth-apps", Error, Scopes, Documented,
        "Scope not grantable to OAuth apps",
        "Atlassian's registry also holds scopes for Connect apps (`*:connect-confluence`), Forge apps \
         (`storage:app`, `*:app-data:*`, `*:forge-app:*`), the Teamwork Graph (`read:graph:*`) and Rovo agents \
         (`*:agent-interface`). An OAuth 2.0 app cannot be granted them; use the classic or granular scope of the \
         same resource.",
        "Fix (safe): removes the scope, which an OAuth app can never be granted.";
    ScopeCase = "scope/case", Error, Scopes, Observed,
        "Upper case in a scope",
        "Scope names are lower case and compared exactly, so `Read:Page:Confluence` is not `read:page:confluence`.",
        "Fix (safe), when the lower-case name is a real scope: the name in lower case.";
    ScopeDuplicate = "scope/duplicate", Warning, Scopes, Standard,
        "Scope listed twice",
        "Harmless to Atlassian, but it hides what the list really asks for and counts twice toward limits. The fix \
         removes the repeat.",
        "Fix (safe): removes the repeat.";
    ScopeOpenid = "scope/openid", Error, Scopes, Observed,
        "OpenID Connect scope",
        "Atlassian's OAuth 2.0 (3LO) apps are not OpenID Connect clients: `openid`, `profile` and `email` make \
         consent fail. Use `read:me` (User identity API) to learn who consented.",
        "Fix (safe): removes the scope, which only makes consent fail.";
    ScopeOfflineAccessMissing = "scope/offline-access-missing", Warning, Scopes, Documented,
        "No offline_access: no refresh token",
        "Without `offline_access` Atlassian returns no refresh token, so the access token dies after an hour and \
         the user must consent again. It is requested in the scope parameter only; it is not picked in the \
         console.",
        "Fix (unsafe): adds `offline_access`; unsafe because it adds a scope, and an integration may mean to hold no refresh token.";
    ScopeNoUserContext = "scope/no-user-context", Warning, Scopes, Documented,
        "User scope on a client-credentials grant",
        "A client-credentials token belongs to a service account, not a user, and never comes with a refresh \
         token: `offline_access`, `read:me` and `read:account` mean nothing there. The credential's scopes are \
         fixed in Atlassian Administration.",
        "Fix (safe): removes the scope, which a client-credentials token cannot use.";
    ScopeIdentityApi = "scope/identity-api", Info, Scopes, Observed,
        "Identity scope: add the User identity API",
        "`read:me` and `read:account` belong to the User identity API, a separate API that must be added to the \
         app in the console (Permissions), or consent fails with \"requested scopes that have not been added to \
         the app\". When the setup gives the app's scopes (`app_scopes`), `scope/not-on-app` says whether it is \
         added instead.",
        "No fix: the step is in the console, not in the setup.";
    ScopeTooMany = "scope/too-many", Warning, Scopes, Documented,
        "More than 50 scopes",
        "Atlassian recommends fewer than 50 scopes per app, and a service-account OAuth credential holds at most \
         50 (an error for the client-credentials grant). Ask only for what the integration uses.",
        "No fix: only you know which scopes the integration uses.";
    ScopeClassicOnly = "scope/classic-only", Info, Scopes, Observed,
        "Only classic Confluence scopes",
        "Classic scopes open Confluence's v1 REST API. The v2 endpoints (`/wiki/api/v2/...`) need granular scopes and \
         answer `401 Unauthorized; scope does not match` otherwise. Add the granular scopes (`read:page:confluence`, \
         ...) if the integration calls v2.",
        "No fix: classic scopes are right for the v1 API.";
    ScopeNoConfluence = "scope/no-confluence", Warning, Scopes, Documented,
        "No Confluence scope",
        "None of the scopes opens a Confluence API, so every Confluence call will be refused. Scopes of other \
         products (Jira, Bitbucket, ...) are real but do not help here.",
        "No fix: only you know what the integration calls.";
    ScopeNotOnApp = "scope/not-on-app", Error, Scopes, Documented,
        "Scope requested but not enabled on the app",
        "Consent may request only the scopes enabled on the app in the developer console (your app → Permissions: \
         the Confluence API's classic and granular tabs, and the User identity and Personal data reporting APIs, \
         each added on its own). Requesting any other fails consent with \"requested scopes that have not been \
         added to the app\". ServiceNow's guide enables four classic scopes, then requests nine. Checked when \
         `app_scopes` lists what the console shows; a warning instead of an error when some of its lines were \
         not understood.",
        "No fix: enable the scope in the console, or stop requesting it; only you know which.";
    ScopeInsufficient = "scope/insufficient", Error, Scopes, Documented,
        "A call needs a scope that is not requested",
        "Each operation of Atlassian's Confluence REST API documents the scopes it needs (the OpenAPI documents' \
         `x-atlassian-oauth2-scopes`): on v1 a classic scope, or the granular alternative (state `Beta`); on v2 \
         granular scopes only. A token without them answers `401 Unauthorized; scope does not match`. An operation \
         is satisfied by all the scopes of any one state. A warning when the use is a ServiceNow spoke action: \
         ServiceNow does not document the calls its actions make, so each is inferred from the action.",
        "Fix (unsafe): adds the missing scopes (classic where the operation documents one); unsafe because it adds \
         scopes, which the app must also enable in the console.";
    ScopeV2NeedsGranular = "scope/v2-needs-granular", Error, Scopes, Documented,
        "A v2 call with classic scopes",
        "The v2 REST API (`/wiki/api/v2/...`) documents only granular scopes for every operation, and a token holding \
         only classic scopes answers `401 Unauthorized; scope does not match` there. This fires, instead of \
         `scope/insufficient`, for a v2 operation named in `uses` while classic Confluence scopes are requested.",
        "Fix (unsafe): adds the operation's granular scopes; unsafe because it adds scopes, which the app must also \
         enable in the console.";
    ScopeUnneeded = "scope/unneeded", Info, Scopes, Documented,
        "A scope none of the uses needs",
        "Given what the client calls (`uses`), this scope serves none of those operations in any documented state. \
         Asking for less makes consent simpler and a leaked token less useful; Atlassian recommends requesting \
         only what is used. `offline_access` and the identity scopes are never reported, and nothing is when an \
         item of `uses` is not understood.",
        "Fix (unsafe): removes the scope; unsafe because `uses` may not list every call the client makes.";
    UsesUnknown = "uses/unknown", Error, Uses, Documented,
        "A use that names no known call",
        "Each item of `uses` must name an operation of Atlassian's Confluence REST API (`GET /wiki/api/v2/pages/{id}`, \
         a concrete path, or a URL through `https://api.atlassian.com/ex/confluence/{cloudId}`), an operationId \
         (`getPages`), one of ServiceNow's Confluence spoke actions (`servicenow: Look up Spaces Stream`), or \
         `servicenow` for all of them. An operationId that both v1 and v2 have (`createSpace`) must be written in \
         full. Nothing is checked against an item that is not understood.",
        "Fix (unsafe): the closest known use, when there is exactly one.";
    EndpointAuthorizationUrl = "endpoint/authorization-url", Error, AuthorizationUrl, Documented,
        "Wrong authorization URL",
        "The authorization endpoint is exactly `https://auth.atlassian.com/authorize` \
         (`https://auth.atlassian-us-gov-mod.com/authorize` on Atlassian Government Cloud). A site URL or another \
         path does not start consent.",
        "Fix (safe): the documented authorization URL of the setup's cloud.";
    EndpointTokenUrl = "endpoint/token-url", Error, TokenUrl, Documented,
        "Wrong token URL",
        "The token endpoint is exactly `https://auth.atlassian.com/oauth/token` \
         (`https://auth.atlassian-us-gov-mod.com/oauth/token` on Government Cloud), for every grant.",
        "Fix (safe): the documented token URL of the setup's cloud.";
    EndpointRevocationUrl = "endpoint/revocation-url", Warning, RevocationUrl, Observed,
        "Revocation URL set",
        "Atlassian documents no token revocation endpoint for OAuth 2.0 apps; access is revoked by the user (Connected \
         apps) or by an admin. ServiceNow's guide sets the token URL here, which makes a \"revocation\" a token request \
         that fails. `https://auth.atlassian.com/oauth/revoke` is seen only in Atlassian's MCP metadata. Leave the \
         field empty.",
        "Fix (safe): empties the field.";
    EndpointApiBase = "endpoint/api-base", Error, ApiBaseUrl, Documented,
        "Wrong API base URL",
        "OAuth 2.0 tokens are accepted only through the API gateway, `https://api.atlassian.com/` (then \
         `ex/confluence/{cloudId}/...`). A site URL (`https://acme.atlassian.net`) answers 401 to them.",
        "Fix (safe): the API gateway of the setup's cloud.";
    EndpointMixedCloud = "endpoint/mixed-cloud", Error, TokenUrl, Documented,
        "Government Cloud and commercial endpoints mixed",
        "Atlassian Government Cloud (`*.atlassian-us-gov-mod.com`) is a separate identity system: its tokens are not \
         valid on the commercial hosts and the other way round. Use one cloud's endpoints throughout.",
        "No fix: only you know which cloud the app lives in.";
    GrantUnsupported = "grant/unsupported", Error, GrantType, Documented,
        "Grant type not offered by Atlassian",
        "Atlassian Cloud offers OAuth apps the authorization-code grant (3LO apps) and the client-credentials grant \
         (service accounts), plus refresh tokens. Password, implicit, device-code, SAML2 and JWT bearer grants are \
         not available.",
        "No fix: only you know whether a user consents (authorization code) or a service account acts (client credentials).";
    GrantServiceAccount = "grant/service-account", Info, GrantType, Documented,
        "Client credentials need a service account",
        "Developer-console OAuth apps do not support the client-credentials grant. The client ID and secret must \
         come from a service account: Atlassian Administration → Directory → Service accounts → Create credentials \
         → OAuth 2.0. ServiceNow's guide says otherwise.",
        "No fix: the step is in Atlassian Administration.";
    GrantUnusedCallback = "grant/unused-callback", Info, CallbackUrl, Documented,
        "Callback URL unused by client credentials",
        "The client-credentials grant involves no browser and no redirect, so the callback URL is never used. It \
         does no harm; it can be left empty.",
        "No fix: an unused callback does no harm.";
    CrossCheckClientId = "cross-check/client-id", Error, ClientId, Documented,
        "Client ID differs between the console and the client",
        "The client (ServiceNow's Application Registry) must send the Client ID of the app whose Callback URL and \
         scopes were set in the developer console. Seen on both sides in one session (the browser extension sees \
         both), two different IDs mean the client talks to another app, or to an app that was re-created: \
         Atlassian then refuses the authorization (`invalid_client` or a consent page for the wrong app).",
        "Fix: the client's Client ID set to the console's; safe when the console's has the usual shape (32 letters \
         and digits), unsafe otherwise.";
    ServicenowProfileScopeUnmatched = "servicenow/profile-scope-unmatched", Error, Scopes, Documented,
        "Profile scope names no OAuth Entity Scope",
        "ServiceNow sends the scopes of the Application Registry record's default OAuth Entity Profile, and each \
         profile scope must name one of the record's OAuth Entity Scopes by its OAuth scope value (ServiceNow's \
         configuration-template documentation: the `oauth_entity_profile_scope` and `oauth_entity_scope` values \
         \"must match\"). One that names nothing sends nothing, so the scopes it was meant for are missing from \
         consent. The usual slip is naming the entity scope's Name (`Confluence Cloud scopes`) instead of its OAuth \
         scope text. Only a configuration template or an XML export shows this; the form does not.",
        "Fix (unsafe): the profile scope set to the OAuth scope value of the entity scope it names by its Name (or \
         whose value it nearly matches); a guess, since the profile may have meant another record.";
    ServicenowProfileGrantMismatch = "servicenow/profile-grant-mismatch", Error, GrantType, Documented,
        "Default profile's grant differs from the record's",
        "ServiceNow requests tokens with the grant of the OAuth Entity Profile marked default, not with the \
         record's Default Grant type; when the two differ (or no profile is the default), the connection runs a \
         grant the rest of the setup was not made for: client-credentials values sent through an authorization-code \
         profile open a consent page nobody can pass, and the reverse asks Atlassian for a grant the app cannot \
         have. The seed's Option 2 needs a Client Credentials profile.",
        "No fix: only you know which grant the connection is for; set the profile's grant type and the record's \
         Default Grant type to the same one, and mark one profile default.";
    ServicenowEncryptedSecret = "servicenow/encrypted-secret", Info, ClientSecret, Documented,
        "Exported secret is encrypted, not checked",
        "An XML export of the Application Registry holds the Client Secret as ServiceNow's encrypted `password2` \
         value, not the secret Atlassian issued, so its shape cannot be checked and it is never shown. Check the \
         secret itself by pasting it into the form or the setup file.",
        "No fix: the export does not hold the secret.";
}

/// A rule as its documentation shows it.
#[derive(Debug, Clone, Serialize)]
pub struct RuleInfo {
    pub code: &'static str,
    pub severity: Severity,
    pub field: Field,
    pub basis: Basis,
    pub title: &'static str,
    pub explanation: &'static str,
    /// Which fixes it offers, and why each is safe or unsafe.
    pub fixes: &'static str,
    /// What [`RuleInfo::basis`] means, in words.
    pub basis_text: &'static str,
    /// Whether it judges one scope on its own, whatever else the setup holds: such a rule
    /// applies to a page that lists only some of the scopes (the console's Permissions page).
    pub per_scope: bool,
}

impl From<Rule> for RuleInfo {
    fn from(rule: Rule) -> Self {
        RuleInfo {
            code: rule.code(),
            severity: rule.default_severity(),
            field: rule.field(),
            basis: rule.basis(),
            title: rule.title(),
            explanation: rule.explanation(),
            fixes: rule.fixes(),
            basis_text: rule.basis().describe(),
            per_scope: rule.is_per_scope(),
        }
    }
}

/// Every rule with its documentation: what the docs page and `threelo rules` render.
pub fn rules() -> Vec<RuleInfo> {
    Rule::ALL.iter().copied().map(RuleInfo::from).collect()
}

impl Rule {
    /// See [`RuleInfo::per_scope`].
    pub fn is_per_scope(self) -> bool {
        matches!(
            self,
            Rule::ScopeUnknown
                | Rule::ScopeNotForOauthApps
                | Rule::ScopeCase
                | Rule::ScopeDuplicate
                | Rule::ScopeOpenid
        )
    }

    pub fn from_code(code: &str) -> Option<Rule> {
        Rule::ALL.iter().copied().find(|rule| rule.code() == code)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_and_well_formed() {
        let mut codes: Vec<_> = Rule::ALL.iter().map(|r| r.code()).collect();
        codes.sort();
        codes.dedup();
        assert_eq!(codes.len(), Rule::ALL.len());
        for code in codes {
            let (area, name) = code.split_once('/').expect(code);
            assert!(!area.is_empty() && !name.is_empty(), "{code}");
            assert!(
                code.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'/'),
                "{code}"
            );
            assert_eq!(Rule::from_code(code).map(Rule::code), Some(code));
        }
    }

    #[test]
    fn explanations_are_paragraphs() {
        for rule in Rule::ALL {
            assert!(rule.explanation().len() > 80, "{} explains too little", rule.code());
        }
    }
}
