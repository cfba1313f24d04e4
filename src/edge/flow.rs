//! The callback's I/O, in order: claim the state, exchange the code, read the sites and `/me`.
//! Every decision is made by the plain functions of [`callback`] and [`report`]; this file only
//! sends requests and passes answers on.

use super::callback::{self, ConsentOutcome};
use super::config::Config;
use super::cookie::StateCookie;
use super::fetch::{self, FetchError, DEFAULT_TIMEOUT};
use super::respond::{Problem, Reply, Wants};
use super::{findings_html, ledger, report};
use crate::explain::Diagnosis;
use crate::oauth::{
    parse_accessible_resources, parse_me, parse_token_response, ApiError, AtlassianApi, ClientId, ClientSecret,
    HttpRequest, RedirectUrl, TokenClient, TokenError,
};
use crate::redact::UpstreamRedactor;

/// `GET /callback`: the report, or the page that says why there is none. The binding this
/// callback's state matched leaves the cookie whatever happens (a binding is good for one
/// callback); other sign-ins under way in the browser keep theirs. A callback whose state
/// matches none of them changes nothing: a cross-site link to `/callback?state=x` must not end
/// the sign-ins under way.
pub async fn callback(
    env: &worker::Env,
    config: &Config,
    query: &str,
    cookie_header: Option<&str>,
    wants: Wants,
    now: u64,
) -> Reply {
    let verified = callback::verify(config, query, cookie_header, now);
    let set_cookie = match &verified {
        Ok(verified) => Some(StateCookie::for_config(config).after_callback(cookie_header, verified.binding)),
        Err(_) => None,
    };
    let outcome = match verified {
        Ok(verified) => exchange(env, config, verified, now).await,
        Err(problem) => Err(Failure::Problem(problem)),
    };
    let reply = match outcome {
        Ok(reply) => reply,
        Err(Failure::Problem(problem)) => problem.reply(wants),
        Err(Failure::Token(error, diagnosis)) => {
            let reply = callback::token_failed(&error, &diagnosis).reply(wants);
            match error {
                TokenError::RateLimited { retry_after: Some(seconds) } => {
                    reply.with_header("Retry-After", seconds.to_string())
                }
                _ => reply,
            }
        }
    };
    match set_cookie {
        Some(set_cookie) => reply.with_header("Set-Cookie", set_cookie),
        None => reply,
    }
}

enum Failure {
    Problem(Problem),
    Token(TokenError, Box<Diagnosis>),
}

impl From<Problem> for Failure {
    fn from(problem: Problem) -> Self {
        Failure::Problem(problem)
    }
}

async fn exchange(
    env: &worker::Env,
    config: &Config,
    verified: callback::Verified,
    now: u64,
) -> Result<Reply, Failure> {
    match ledger::claim(env, &verified.state).await {
        Ok(true) => {}
        Ok(false) => return Err(callback::replayed().into()),
        Err(_) => {
            worker::console_error!("/callback: the state ledger failed; the sign-in was refused, nothing exchanged");
            return Err(Problem::new(
                503,
                "ledger-unavailable",
                "The sign-in could not be checked",
                "The store that makes each sign-in single-use did not answer. Nothing was exchanged; start again \
                 from /connect in a moment.",
            )
            .into());
        }
    }
    let code = match verified.outcome {
        ConsentOutcome::Granted(code) => code,
        ConsentOutcome::Refused { error, description } => {
            return Err(callback::consent_refused(&error, description.as_deref(), &config.setup).into())
        }
        ConsentOutcome::NoCode => return Err(callback::code_missing().into()),
    };

    let (Some(client_id), Some(secret), Some(callback_url)) = (
        config.setup.client_id.as_deref(),
        config.setup.client_secret.as_deref(),
        config.setup.callback_url.as_deref(),
    ) else {
        return Err(Problem::new(
            503,
            "worker-misconfigured",
            "This Worker is not configured correctly",
            "/healthz says what is missing.",
        )
        .into());
    };
    let redirect_url = RedirectUrl::new(callback_url).map_err(|_| {
        Problem::new(
            503,
            "worker-misconfigured",
            "This Worker is not configured correctly",
            "ATLASSIAN_CALLBACK_URL is not a URL.",
        )
    })?;
    let client = TokenClient::new(config.cloud(), ClientId::new(client_id), ClientSecret::new(secret))
        .with_token_url(config.atlassian.token_url());
    let answer = fetch::send(&client.exchange_code(&code, &redirect_url), DEFAULT_TIMEOUT).await.map_err(|error| {
        worker::console_error!("/callback: the token exchange failed: {error}");
        Failure::Problem(callback::fetch_failed(&error))
    })?;
    // Whatever answers may echo what was sent: nothing of the request shows on the page.
    let sent = [secret, code.secret()];
    let tokens = parse_token_response(
        answer.status,
        answer.header("content-type"),
        answer.header("retry-after"),
        &answer.body,
        &UpstreamRedactor::new(&sent),
    )
    .map_err(|error| {
        let diagnosis = callback::explain_token_answer(&answer, &config.atlassian.token_url(), &config.setup, &sent);
        worker::console_error!(
            "/callback: the token endpoint refused the exchange ({}): {error}",
            diagnosis.cause.code()
        );
        Failure::Token(error, Box::new(diagnosis))
    })?;

    let refresh = tokens.refresh_token.as_ref().map_or("", |token| token.secret());
    let exchanged = [secret, code.secret(), tokens.access_token.secret(), refresh];
    let redactor = UpstreamRedactor::new(&exchanged);
    let api = AtlassianApi::with_base_url(config.atlassian.api_base_url.clone());
    let sites = call(api.accessible_resources(&tokens.access_token), parse_accessible_resources, &redactor).await;
    let identity = match tokens.scope.as_ref().is_some_and(|granted| granted.contains("read:me")) {
        true => Some(call(api.me(&tokens.access_token), parse_me, &redactor).await),
        false => None,
    };
    let connection = report::Connection {
        requested: config.requested_scopes(),
        tokens: &tokens,
        sites,
        identity,
        now,
        return_path: &verified.state.return_path,
    };
    Ok(report::report_page(config, &connection, findings_html(config)))
}

/// A parser of the core for an API answer: status, content type, Retry-After, body, and what
/// to hide in it.
type ApiParser<T> = fn(u16, Option<&str>, Option<&str>, &[u8], &UpstreamRedactor) -> Result<T, ApiError>;

/// One API call of the report; a failure becomes the text the report shows in its place.
async fn call<T>(request: HttpRequest, parse: ApiParser<T>, redactor: &UpstreamRedactor<'_>) -> Result<T, String> {
    let answer = fetch::send(&request, DEFAULT_TIMEOUT).await;
    let parsed = match answer {
        Ok(answer) => {
            let (content_type, retry_after) = (answer.header("content-type"), answer.header("retry-after"));
            parse(answer.status, content_type, retry_after, &answer.body, redactor).map_err(Ok::<ApiError, FetchError>)
        }
        Err(error) => Err(Err(error)),
    };
    parsed.map_err(|error| {
        let text = callback::api_failure_text(&error);
        worker::console_error!("/callback: an API call of the report failed: {text}");
        text
    })
}
