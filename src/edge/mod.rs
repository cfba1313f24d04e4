//! The Cloudflare Worker (feature `edge`): a thin face over the core. It reads its configuration
//! ([`config`]), checks it with the validator, and answers its routes; static assets (`www/`, the
//! docs page) are served by the Workers runtime before this code runs.
//!
//! - `GET /healthz`: JSON `{ok, version, config}`; 200 when the Worker can start flows, 503 with
//!   the findings when its own setup has errors. Never a secret.
//! - `GET /connect` ([`connect`]): starts consent with a sealed, single-use, browser-bound state.
//! - `GET /callback` ([`callback`]): verifies the state, exchanges the code, reads what was granted
//!   and answers with the connection report ([`report`]).
//! - The flow routes are refused with the findings (503) while the setup has errors, and
//!   limited per client address ([`rate_limit`], 429).
//! - anything else: 404.
//!
//! Every answer carries the security headers of [`respond`], `Strict-Transport-Security` too
//! when the Worker is reached over https; so does the bare 500 when an answer cannot be built.
//!
//! Routing and every answer are plain values ([`route`], [`respond::Reply`]), so they are tested
//! natively; only [`serve`] (the entry point), [`fetch::send`] and the [`ledger`] touch the
//! Workers runtime.

pub mod callback;
pub mod config;
pub mod connect;
pub mod cookie;
pub mod fetch;
pub mod ledger;
pub mod query;
pub mod rate_limit;
pub mod report;
pub mod respond;

use std::cell::OnceCell;
use std::rc::Rc;

use serde_json::{json, Value};

use config::{Config, Problem as ConfigProblem};
use maud::{html, Markup};
use respond::{internal_error, json_text, Problem, Reply, Wants, HSTS};

/// The crate's version, as `/healthz` reports it.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// The routes this code answers; `wrangler.toml` sends exactly these here before the assets.
pub const ROUTES: [&str; 3] = ["/healthz", "/connect", "/callback"];

/// A request as routing needs it. The query is deliberately absent: it carries codes and state,
/// and nothing that routes or logs should see.
#[derive(Debug, Clone, Copy)]
pub struct Incoming<'a> {
    pub method: &'a str,
    pub path: &'a str,
    pub accept: Option<&'a str>,
}

/// Where a request goes: an answer known without I/O, or one of the two flows.
#[derive(Debug)]
pub enum Route {
    Reply(Reply),
    Connect,
    Callback,
}

/// Routes `request`; the flow routes only for a sound configuration and a GET.
pub fn route(request: &Incoming, config: &Config) -> Route {
    let wants = Wants::from_accept(request.accept);
    let flow = matches!(request.path, "/connect" | "/callback");
    let reply = match request.path {
        "/healthz" if !matches!(request.method, "GET" | "HEAD") => not_allowed(request.path, "GET, HEAD", wants),
        // A flow changes state (a cookie, a used code): GET only, never HEAD.
        "/connect" | "/callback" if request.method != "GET" => not_allowed(request.path, "GET", wants),
        "/healthz" => health(config),
        "/connect" | "/callback" if !config.is_sound() => misconfigured(config, wants),
        "/connect" => return Route::Connect,
        "/callback" => return Route::Callback,
        _ => Problem::new(404, "not-found", "Not found", "There is nothing at this address.").reply(wants),
    };
    Route::Reply(if request.method == "HEAD" && !flow { reply.without_body() } else { reply })
}

fn not_allowed(path: &str, allow: &'static str, wants: Wants) -> Reply {
    Problem::new(405, "method-not-allowed", "Method not allowed", format!("{path} answers {allow} only."))
        .reply(wants)
        .with_header("Allow", allow)
}

/// A label for the request line in logs: a known route, or nothing of what the client typed.
pub fn log_label(path: &str) -> &'static str {
    ROUTES.into_iter().find(|route| *route == path).unwrap_or("(other path)")
}

fn health(config: &Config) -> Reply {
    let ok = config.is_sound();
    let body = config.health_body.get_or_init(|| {
        json!({
            "ok": ok,
            "version": VERSION,
            "config": config_json(config),
        })
        .to_string()
        .into_bytes()
    });
    json_text(if ok { 200 } else { 503 }, body.clone())
}

/// The configuration as `/healthz` and problem details show it: findings and problems, the
/// Atlassian endpoints, never a value of a secret.
fn config_json(config: &Config) -> Value {
    json!({
        "sound": config.is_sound(),
        "errors": config.error_count(),
        "atlassian": config.atlassian,
        "summary": config.report.summary,
        "findings": config.findings(),
        "problems": config.problems,
    })
}

fn misconfigured(config: &Config, wants: Wants) -> Reply {
    let errors = config.error_count();
    let mut problem = Problem::new(
        503,
        "worker-misconfigured",
        "This Worker is not configured correctly",
        format!(
            "Its own OAuth setup has {errors} error{}, so it starts no sign-in: Atlassian would refuse it, or it \
             could not finish. Fix the variables named below (wrangler.toml [vars], or `wrangler secret put` for \
             secrets) and deploy again.",
            if errors == 1 { "" } else { "s" }
        ),
    );
    problem.more = findings_html(config);
    if let Value::Object(members) = config_json(config) {
        problem.extensions.extend(members);
    }
    problem.reply(wants)
}

/// The Worker's own problems, then the validator's findings (errors first), each with the
/// variable to change; nothing when there are none. (The report's text is already redacted.)
pub(crate) fn findings_html(config: &Config) -> Markup {
    let mut findings = config.findings();
    findings.sort_by_key(|f| f.finding.severity);
    if config.problems.is_empty() && findings.is_empty() {
        return Markup::default();
    }
    html! {
        ul.findings {
            @for ConfigProblem { variable, message } in &config.problems {
                li.error data-variable=(variable) { strong { "error" } " in " code { (variable) } ": " (message) }
            }
            @for f in &findings {
                @let severity = f.finding.severity.as_str();
                li class=(severity) data-rule=(f.finding.rule.code()) data-variable=(f.variable) {
                    strong { (severity) } " " code { (f.finding.rule.code()) } " in " code { (f.variable) } ": "
                    (f.finding.message) br; span.help { (f.finding.help) }
                }
            }
        }
    }
}

// The configuration is read and checked once per isolate: vars and secrets are fixed for an
// isolate's life (a new deployment starts new isolates), and a Worker is single-threaded.
thread_local! {
    static CONFIG: OnceCell<Rc<Config>> = const { OnceCell::new() };
}

fn config_of(env: &worker::Env) -> Rc<Config> {
    CONFIG.with(|cell| {
        cell.get_or_init(|| {
            let mut config = Config::load(|name| {
                env.var(name).ok().map(|value| value.to_string()).filter(|value| !value.is_empty())
            });
            if env.durable_object(ledger::BINDING).is_err() {
                config.missing_binding(ledger::BINDING, "Durable Object");
            }
            if env.rate_limiter(rate_limit::BINDING).is_err() {
                config.missing_binding(rate_limit::BINDING, "rate-limiting");
            }
            Rc::new(config)
        })
        .clone()
    })
}

/// Whether this client may run another flow request now. A limiter that fails lets it through
/// (and says so in the log): the state, its cookie and the single-use ledger still guard every
/// sign-in, and an outage of the limiter should not become one of the Worker.
async fn within_rate_limit(env: &worker::Env, connecting_ip: Option<&str>) -> bool {
    let outcome = match env.rate_limiter(rate_limit::BINDING) {
        Ok(limiter) => limiter.limit(rate_limit::client_key(connecting_ip)).await,
        Err(error) => Err(error),
    };
    match outcome {
        Ok(outcome) => outcome.success,
        Err(_) => {
            worker::console_error!("the rate limiter failed; the request was let through");
            true
        }
    }
}

fn into_response(reply: Reply) -> worker::Result<worker::Response> {
    let headers = worker::Headers::new();
    for (name, value) in &reply.headers {
        headers.set(name, value)?;
    }
    Ok(worker::Response::from_bytes(reply.body)?.with_status(reply.status).with_headers(headers))
}

/// The Worker's entry point. It never returns an error: a failure becomes a bare 500 page, and
/// the log line names the route and the status, nothing the client sent.
#[worker::event(fetch)]
pub async fn serve(
    request: worker::Request,
    env: worker::Env,
    _ctx: worker::Context,
) -> worker::Result<worker::Response> {
    let config = config_of(&env);
    let path = request.path();
    let method = request.method().to_string();
    // One wrapper of the request's headers for every lookup: each `headers()` is a call into JS.
    let headers = request.headers();
    let header = |name: &str| headers.get(name).ok().flatten();
    let accept = header("accept");
    let wants = Wants::from_accept(accept.as_deref());
    // The query holds codes and states: it is read for the flows only, passed on, never logged.
    let query = || request.url().map(|url| url.query().unwrap_or("").to_string()).unwrap_or_default();
    let now = worker::Date::now().as_millis() / 1000;
    let routed = route(&Incoming { method: &method, path: &path, accept: accept.as_deref() }, &config);
    let limited =
        !matches!(routed, Route::Reply(_)) && !within_rate_limit(&env, header("cf-connecting-ip").as_deref()).await;
    let reply = match routed {
        _ if limited => rate_limit::limited(wants),
        Route::Reply(reply) => reply,
        Route::Connect => match random_for_connect() {
            Some(random) => connect::connect(&config, &query(), header("cookie").as_deref(), wants, &random, now),
            None => Problem::new(503, "no-randomness", "Try again", "No random bytes were available.").reply(wants),
        },
        Route::Callback => flow::callback(&env, &config, &query(), header("cookie").as_deref(), wants, now).await,
    };
    let reply = finish(reply, &config);
    // No line per request: the runtime's own request logs ([observability] in wrangler.toml)
    // record each one, and a console.log per request cost about 40% of the requests per second
    // under wrangler dev (benches/README.md). A refused sign-in gets a line, as upstream failures do.
    if reply.status >= 400 && matches!(path.as_str(), "/connect" | "/callback") {
        worker::console_log!("{method} {} -> {}", log_label(&path), reply.status);
    }
    into_response(reply).or_else(|_| {
        worker::console_error!("{method} {}: the response could not be built", log_label(&path));
        into_response(finish(internal_error(), &config))
    })
}

/// What every answer gets last: `Strict-Transport-Security` when the Worker is reached over https.
pub fn finish(reply: Reply, config: &Config) -> Reply {
    if config.serves_https() {
        reply.with_header(HSTS.0, HSTS.1)
    } else {
        reply
    }
}

fn random_for_connect() -> Option<connect::ConnectRandom> {
    let mut bytes = [0u8; connect::ConnectRandom::LEN];
    getrandom::fill(&mut bytes).ok()?;
    Some(connect::ConnectRandom::from_bytes(&bytes))
}

mod flow;

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::config::*;
    use super::*;

    const SECRET: &str = "ATOAFakeSecretForLocalTestsOnly-NotARealAtlassianCredential-000000000BADF00D";
    const KEY: &str = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";

    fn config(scopes: &str) -> Config {
        let vars: HashMap<&str, &str> = HashMap::from([
            (CLIENT_ID, "fakeClientIdForLocalTests0000001"),
            (CLIENT_SECRET, SECRET),
            (SCOPES, scopes),
            (CALLBACK_URL, "http://127.0.0.1:8787/callback"),
            (AUTH_BASE_URL, "http://127.0.0.1:8789"),
            (API_BASE_URL, "http://127.0.0.1:8789"),
            (STATE_KEY, KEY),
        ]);
        Config::load(|name| vars.get(name).map(|v| v.to_string()))
    }

    fn sound() -> Config {
        config("read:page:confluence read:space:confluence search:confluence read:me offline_access")
    }

    fn get(path: &str, accept: Option<&str>, config: &Config) -> Reply {
        reply(route(&Incoming { method: "GET", path, accept }, config))
    }

    fn reply(route: Route) -> Reply {
        match route {
            Route::Reply(reply) => reply,
            other => panic!("expected a reply, got {other:?}"),
        }
    }

    fn body(reply: &Reply) -> String {
        String::from_utf8(reply.body.clone()).unwrap()
    }

    #[test]
    fn healthz_reports_a_sound_config() {
        let reply = get("/healthz", None, &sound());
        assert_eq!(reply.status, 200);
        let health: Value = serde_json::from_slice(&reply.body).unwrap();
        assert_eq!(health["ok"], json!(true));
        // Its value is VERSION by construction; tests/worker checks the built Worker's against Cargo.toml.
        assert!(health["version"].is_string(), "{health}");
        assert_eq!(health["config"]["atlassian"]["stand_in"], json!(true));
        assert_eq!(health["config"]["errors"], json!(0));
    }

    #[test]
    fn healthz_is_made_once_and_again_when_the_configuration_changes() {
        let mut config = sound();
        let first = get("/healthz", None, &config);
        assert_eq!(first.body, get("/healthz", None, &config).body);
        config.missing_binding("STATE_LEDGER", "Durable Object");
        let after = get("/healthz", None, &config);
        assert_eq!(after.status, 503);
        assert!(body(&after).contains("STATE_LEDGER"), "{}", body(&after));
    }

    #[test]
    fn a_misconfigured_worker_says_why_and_refuses_flows() {
        let config = config("ace:confluence read:page:confluence");
        let health = get("/healthz", None, &config);
        assert_eq!(health.status, 503);
        let json: Value = serde_json::from_slice(&health.body).unwrap();
        let rules: Vec<&str> =
            json["config"]["findings"].as_array().unwrap().iter().map(|f| f["rule"].as_str().unwrap()).collect();
        assert!(rules.contains(&"scope/unknown"), "{rules:?}");

        let page = get("/connect", Some("text/html"), &config);
        assert_eq!(page.status, 503);
        assert!(body(&page).contains("data-rule=\"scope/unknown\""), "{}", body(&page));
        let problem = get("/callback", Some("application/json"), &config);
        assert_eq!(problem.header("content-type"), Some("application/problem+json"));
        let problem: Value = serde_json::from_slice(&problem.body).unwrap();
        assert_eq!(problem["code"], json!("worker-misconfigured"));
        assert_eq!(problem["findings"][0]["variable"], json!(SCOPES));
    }

    #[test]
    fn a_sound_worker_runs_the_flows_on_get_only() {
        let route_of = |method, path| route(&Incoming { method, path, accept: None }, &sound());
        assert!(matches!(route_of("GET", "/connect"), Route::Connect));
        assert!(matches!(route_of("GET", "/callback"), Route::Callback));
        for method in ["HEAD", "POST"] {
            let reply = reply(route_of(method, "/callback"));
            assert_eq!((reply.status, reply.header("allow")), (405, Some("GET")));
        }
    }

    #[test]
    fn other_paths_are_404_and_other_methods_405() {
        let missing = get("/nope<script>", None, &sound());
        assert_eq!(missing.status, 404);
        // The path is not repeated at all, escaped or not.
        assert!(!body(&missing).contains("nope") && !body(&missing).contains("script"), "{}", body(&missing));
        let post = reply(route(&Incoming { method: "POST", path: "/healthz", accept: None }, &sound()));
        assert_eq!((post.status, post.header("allow")), (405, Some("GET, HEAD")));
        let head = reply(route(&Incoming { method: "HEAD", path: "/healthz", accept: None }, &sound()));
        assert_eq!((head.status, head.body.len()), (200, 0));
    }

    #[test]
    fn no_answer_carries_the_secret_or_the_state_key() {
        let broken = config("openid");
        for config in [sound(), broken] {
            for path in ["/healthz", "/connect", "/callback", "/x"] {
                for accept in [None, Some("application/json")] {
                    let wants = Wants::from_accept(accept);
                    let reply = match route(&Incoming { method: "GET", path, accept }, &config) {
                        Route::Reply(reply) => reply,
                        Route::Connect => {
                            connect::connect(&config, "", None, wants, &connect::ConnectRandom::from_bytes(&[7; 44]), 1)
                        }
                        Route::Callback => match callback::verify(&config, "state=x", None, 1) {
                            Err(problem) => problem.reply(wants),
                            Ok(_) => panic!("a made-up state was accepted"),
                        },
                    };
                    let text = format!("{:?} {}", reply.headers, body(&reply));
                    assert!(!text.contains(&SECRET[8..]) && !text.contains(&KEY[4..]), "{path}: {text}");
                }
            }
        }
    }

    #[test]
    fn https_workers_send_hsts_on_every_answer_the_fallback_too() {
        let mut https = sound();
        https.setup.callback_url = Some("https://connect.threelo.dev/callback".into());
        for reply in [get("/healthz", None, &https), get("/nope", None, &https), internal_error()] {
            let reply = finish(reply, &https);
            assert_eq!(reply.header("strict-transport-security"), Some(HSTS.1), "{reply:?}");
            assert_eq!(reply.header("x-frame-options"), Some("DENY"));
        }
        // Plain-http loopback (development): browsers ignore HSTS there, and it is not sent.
        assert_eq!(finish(internal_error(), &sound()).header("strict-transport-security"), None);
    }

    #[test]
    fn logs_name_known_routes_only() {
        assert_eq!(log_label("/connect"), "/connect");
        assert_eq!(log_label("/ATOAsomething"), "(other path)");
    }
}
