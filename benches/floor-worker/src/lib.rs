//! The floor of the Worker benchmark: a Rust Worker that answers every request with `200 ok` and
//! does nothing else. Built by `scripts/build-worker benches/floor-worker` with the same SDK,
//! profile and tools as the threelo Worker and run under the same `wrangler dev`, so that the
//! threelo Worker's size and throughput can be read against what any Rust Worker costs.

use worker::{event, Context, Env, Request, Response, Result};

#[event(fetch)]
async fn serve(_request: Request, _env: Env, _ctx: Context) -> Result<Response> {
    Response::ok("ok")
}
