//! Makes each sign-in's state single-use: one Durable Object per state ID remembers that the ID
//! was claimed, until the state has expired and an alarm deletes the object's storage.
//!
//! One object per state, never one for all: objects are addressed by name, so the ledger grows
//! with sign-ins across Cloudflare's machines instead of queueing every callback on one. A
//! Durable Object's storage is strongly consistent and its requests run one at a time (a KV
//! namespace is neither), so two callbacks racing with one state cannot both win.

use worker::{durable_object, DurableObject, Env, Method, Request, RequestInit, Response, Result, State};

use crate::oauth::OpenedState;

/// The binding in `wrangler.toml`.
pub const BINDING: &str = "STATE_LEDGER";

/// A variable only the Worker tests set (it is in no environment of `wrangler.toml`): when it is
/// `error`, every claim fails as if the ledger were down, so the tests can see the callback fail
/// closed.
pub const TEST_FAULT_VAR: &str = "THREELO_TEST_LEDGER_FAULT";

/// The object's one key.
const CLAIMED: &str = "claimed";

/// Seconds the record outlives its state: a clock a little behind must not make a state new again.
const GRACE_SECS: i64 = 60;

/// Claims `state` for its first (and only) use. `Ok(false)`: it was used before.
pub async fn claim(env: &Env, state: &OpenedState) -> Result<bool> {
    // The object's name is the state's ID (in hex): all of the state it needs to know.
    let stub = env.durable_object(BINDING)?.id_from_name(&state.id.to_string())?.get_stub()?;
    let url = format!("https://ledger/claim?expires_at={}", state.expires_at);
    let mut init = RequestInit::new();
    init.with_method(Method::Post);
    let answer = stub.fetch_with_request(Request::new_with_init(&url, &init)?).await?;
    match answer.status_code() {
        201 => Ok(true),
        409 => Ok(false),
        status => Err(worker::Error::RustError(format!("the state ledger answered {status}"))),
    }
}

#[durable_object]
pub struct StateLedger {
    state: State,
    env: Env,
}

impl DurableObject for StateLedger {
    fn new(state: State, env: Env) -> Self {
        StateLedger { state, env }
    }

    /// `POST /claim?expires_at=…`: 201 when first claimed (and now remembered), 409 after.
    /// Requests to one object run one at a time, and its input gate holds others back while it
    /// waits on its own storage, so the read and the write cannot interleave.
    async fn fetch(&self, request: Request) -> Result<Response> {
        if self.env.var(TEST_FAULT_VAR).is_ok_and(|fault| fault.to_string() == "error") {
            return Response::error("the ledger is failing on purpose (a test)", 500);
        }
        if request.method() != Method::Post {
            return Response::error("POST only", 405);
        }
        let url = request.url()?;
        let expires_at =
            url.query_pairs().find(|(key, _)| key == "expires_at").and_then(|(_, v)| v.parse::<i64>().ok());
        let Some(expires_at) = expires_at else {
            return Response::error("expires_at is required", 400);
        };
        let storage = self.state.storage();
        if storage.get::<i64>(CLAIMED).await?.is_some() {
            return Response::error("already claimed", 409);
        }
        storage.put(CLAIMED, expires_at).await?;
        // Forget it once the state can no longer be presented: the object then holds nothing.
        storage.set_alarm(worker::ScheduledTime::new(js_date(expires_at + GRACE_SECS))).await?;
        Response::empty().map(|r| r.with_status(201))
    }

    async fn alarm(&self) -> Result<Response> {
        self.state.storage().delete_all().await?;
        Response::empty()
    }
}

fn js_date(unix_seconds: i64) -> worker::js_sys::Date {
    worker::js_sys::Date::new(&worker::wasm_bindgen::JsValue::from_f64((unix_seconds * 1000) as f64))
}
