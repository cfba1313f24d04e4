//! Makes each sign-in's state single-use: a Durable Object remembers the state IDs already
//! claimed until they expire. One object serves all states (a sign-in is a rare event; its
//! storage is strongly consistent, which a KV namespace is not, so two racing callbacks with the
//! same state cannot both win).

use worker::{durable_object, DurableObject, Env, Method, Request, RequestInit, Response, Result, State};

use crate::oauth::{OpenedState, StateId};

/// The binding in `wrangler.toml`.
pub const BINDING: &str = "STATE_LEDGER";

/// Claims `state` for its first (and only) use. `Ok(false)`: it was used before.
pub async fn claim(env: &Env, state: &OpenedState) -> Result<bool> {
    let stub = env.durable_object(BINDING)?.id_from_name("states")?.get_stub()?;
    let url = format!("https://ledger/claim?id={}&expires_at={}", state.id, state.expires_at);
    let mut init = RequestInit::new();
    init.with_method(Method::Post);
    let answer = stub.fetch_with_request(Request::new_with_init(&url, &init)?).await?;
    Ok(answer.status_code() == 201)
}

#[durable_object]
pub struct StateLedger {
    state: State,
}

impl DurableObject for StateLedger {
    fn new(state: State, _env: Env) -> Self {
        StateLedger { state }
    }

    /// `POST /claim?id=…&expires_at=…`: 201 when first seen (and now remembered), 409 after.
    /// Requests to one object run one at a time, so the read and the write cannot interleave.
    async fn fetch(&self, request: Request) -> Result<Response> {
        let url = request.url()?;
        let param = |name: &str| url.query_pairs().find(|(key, _)| key == name).map(|(_, value)| value.into_owned());
        let (Some(id), Some(expires_at)) = (param("id"), param("expires_at").and_then(|v| v.parse::<i64>().ok()))
        else {
            return Response::error("id and expires_at are required", 400);
        };
        if id.len() != 2 * std::mem::size_of::<StateId>() || !id.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Response::error("id must be a state ID in hex", 400);
        }
        let storage = self.state.storage();
        let key = format!("state:{id}");
        if storage.get::<i64>(&key).await?.is_some() {
            return Response::error("already claimed", 409);
        }
        storage.put(&key, expires_at).await?;
        // Forget expired IDs later: an alarm after this one's expiry sweeps whatever has expired.
        if storage.get_alarm().await?.is_none() {
            storage.set_alarm(worker::ScheduledTime::new(js_sys_date(expires_at + 60))).await?;
        }
        Response::empty().map(|r| r.with_status(201))
    }

    async fn alarm(&self) -> Result<Response> {
        let storage = self.state.storage();
        let now = (worker::Date::now().as_millis() / 1000) as i64;
        let mut next: Option<i64> = None;
        let entries = storage.list().await?;
        for key in entries.keys() {
            let Some(key) = key?.as_string() else { continue };
            let expires_at = entries.get(&key.clone().into()).as_f64().map_or(0, |v| v as i64);
            if expires_at <= now {
                storage.delete(&key).await?;
            } else {
                next = Some(next.map_or(expires_at, |n| n.min(expires_at)));
            }
        }
        if let Some(next) = next {
            storage.set_alarm(worker::ScheduledTime::new(js_sys_date(next + 60))).await?;
        }
        Response::empty()
    }
}

fn js_sys_date(unix_seconds: i64) -> worker::js_sys::Date {
    worker::js_sys::Date::new(&worker::wasm_bindgen::JsValue::from_f64((unix_seconds * 1000) as f64))
}
