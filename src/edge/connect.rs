//! `GET /connect`: starts the authorization-code consent. Mints a sealed, expiring state bound to
//! this browser by a cookie, and sends the browser to Atlassian's consent page.

use super::config::Config;
use super::cookie::StateCookie;
use super::query::{Query, QueryError};
use super::respond::{redirect, Problem, Reply, Wants};
use crate::oauth::{
    seal, AuthorizeRequest, BrowserBinding, ClientId, RedirectUrl, ReturnPath, StateClaims, StateId,
    BROWSER_BINDING_LEN, STATE_ID_LEN, STATE_NONCE_LEN,
};

/// The random bytes one consent needs; the caller draws them (the core has no randomness).
#[derive(Clone)]
pub struct ConnectRandom {
    pub state_id: [u8; STATE_ID_LEN],
    pub browser: [u8; BROWSER_BINDING_LEN],
    pub nonce: [u8; STATE_NONCE_LEN],
}

impl ConnectRandom {
    pub const LEN: usize = STATE_ID_LEN + BROWSER_BINDING_LEN + STATE_NONCE_LEN;

    pub fn from_bytes(bytes: &[u8; Self::LEN]) -> ConnectRandom {
        let (id, rest) = bytes.split_at(STATE_ID_LEN);
        let (browser, nonce) = rest.split_at(BROWSER_BINDING_LEN);
        ConnectRandom {
            state_id: id.try_into().unwrap_or_default(),
            browser: browser.try_into().unwrap_or_default(),
            nonce: nonce.try_into().unwrap_or_default(),
        }
    }
}

/// The answer to `GET /connect?{query}` at Unix time `now`, for a Worker whose config is sound;
/// `cookie_header` carries the bindings of sign-ins this browser already has under way.
pub fn connect(
    config: &Config,
    query: &str,
    cookie_header: Option<&str>,
    wants: Wants,
    random: &ConnectRandom,
    now: u64,
) -> Reply {
    match consent_redirect(config, query, random, now) {
        Ok((location, binding)) => {
            redirect(&location).with_header("Set-Cookie", StateCookie::for_config(config).add(cookie_header, &binding))
        }
        Err(problem) => problem.reply(wants),
    }
}

fn consent_redirect(
    config: &Config,
    query: &str,
    random: &ConnectRandom,
    now: u64,
) -> Result<(String, String), Problem> {
    let query = Query::parse(query).map_err(|error| bad_query(&error))?;
    let return_path = match query.get("return_to") {
        None => ReturnPath::root(),
        Some(text) => ReturnPath::new(text).map_err(|error| {
            Problem::new(
                400,
                "bad-return-to",
                "This link has an unusable return address",
                format!(
                    "`return_to` must be a path on this site, such as /report: {error}. Nothing was started; open \
                     /connect without it, or with a path of this site."
                ),
            )
        })?,
    };
    // Sound configurations have all of these; a Worker that lost one answers 503, not a panic.
    let (Some(key), Some(client_id), Some(callback)) =
        (config.state_key.as_ref(), config.setup.client_id.as_deref(), config.setup.callback_url.as_deref())
    else {
        return Err(unavailable());
    };
    let redirect_url = RedirectUrl::new(callback).map_err(|_| unavailable())?;
    let browser = BrowserBinding::from_bytes(random.browser);
    let claims =
        StateClaims { id: StateId::from_bytes(random.state_id), browser: browser.clone(), issued_at: now, return_path };
    let state = seal(key, &claims, random.nonce);
    let (scopes, cloud) = (config.requested_scopes(), config.cloud());
    let url =
        AuthorizeRequest { cloud, client_id: &ClientId::new(client_id), redirect_url: &redirect_url, scopes: &scopes }
            .url(&state);
    Ok((config.atlassian.rebase(&url), browser.cookie_value()))
}

/// A refused query, as the flow routes answer it.
pub fn bad_query(error: &QueryError) -> Problem {
    let (status, code) = match error {
        QueryError::TooLong => (414, "query-too-long"),
        _ => (400, "bad-query"),
    };
    Problem::new(
        status,
        code,
        "This address is not one this service sends anyone to",
        format!("{error}. Nothing was started or stored; begin again from /connect."),
    )
}

fn unavailable() -> Problem {
    Problem::new(
        503,
        "worker-misconfigured",
        "This Worker is not configured correctly",
        "A variable it needs to start a sign-in is missing; /healthz lists what to fix.",
    )
}
