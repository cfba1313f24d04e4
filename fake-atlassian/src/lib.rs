//! fake-atlassian: a local stand-in for `auth.atlassian.com` and `api.atlassian.com`.
//!
//! One listener serves both hosts' paths (they do not overlap) with Atlassian's OAuth 2.0 (3LO) rules, so the
//! threelo Worker and its tests can run a whole consent and token exchange over real HTTP on loopback.
//!
//! Modules, one per endpoint family:
//! - [`config`]: apps, service accounts, users, sites (TOML);
//! - [`authorize`]: `GET /authorize`, the consent page and `POST /authorize/decision`;
//! - [`token`]: `POST /oauth/token`;
//! - [`api`]: `accessible-resources`, `/me`, Confluence spaces (v1 and v2);
//! - [`faults`]: switchable failures; [`admin`]: `/__admin/…`; [`state`]: store and clock; [`log`]: request log.
//!
//! Tests start it in-process with [`start`]; the binary uses [`serve`].

// Handlers exit early with a ready `Response` as the error; these are cold paths of a test server, and boxing
// every one of them would only add noise.
#![allow(clippy::result_large_err)]

pub mod admin;
pub mod api;
pub mod authorize;
pub mod config;
pub mod faults;
pub mod http;
pub mod log;
pub mod state;
pub mod token;

use std::future::{Future, IntoFuture};
use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::thread::JoinHandle;

use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;

pub use config::Config;
use state::Shared;

/// Every route, with the fault switch around the endpoints and the request log around everything.
pub fn router(shared: Arc<Shared>) -> Router {
    Router::new()
        .route("/authorize", get(authorize::start))
        .route("/authorize/decision", post(authorize::decide))
        .route("/oauth/token", post(token::token))
        .route("/oauth/token/accessible-resources", get(api::accessible_resources))
        .route("/me", get(api::me))
        .route("/ex/confluence/{cloud_id}/wiki/api/v2/spaces", get(api::spaces_v2))
        .route("/ex/confluence/{cloud_id}/wiki/rest/api/space", get(api::spaces_v1))
        .merge(admin::router())
        .fallback(not_found)
        .layer(axum::middleware::from_fn_with_state(shared.clone(), faults::apply_faults))
        .layer(axum::middleware::from_fn_with_state(shared.clone(), log::record_requests))
        .with_state(shared)
}

async fn not_found() -> Response {
    http::api_error(StatusCode::NOT_FOUND, "Not Found")
}

/// Serves on `listener` until `shutdown` completes.
pub async fn serve(
    listener: tokio::net::TcpListener,
    shared: Arc<Shared>,
    shutdown: impl Future<Output = ()>,
) -> io::Result<()> {
    let service = router(shared).into_make_service_with_connect_info::<SocketAddr>();
    // Dropping the server future ends every connection at once: a test server has nothing to drain.
    tokio::select! {
        result = axum::serve(listener, service).into_future() => result,
        () = shutdown => Ok(()),
    }
}

/// A stand-in running on its own thread; dropping it stops it.
pub struct RunningServer {
    addr: SocketAddr,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl RunningServer {
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:PORT`, no trailing slash.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }
}

impl Drop for RunningServer {
    fn drop(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// Starts a stand-in in-process on `config.server.bind:port` (port 0 picks a free one), quiet on stdout.
/// Returns once it accepts connections.
pub fn start(config: Config) -> io::Result<RunningServer> {
    let listener = std::net::TcpListener::bind((config.server.bind, config.server.port))?;
    listener.set_nonblocking(true)?;
    let addr = listener.local_addr()?;
    let shared = Arc::new(Shared::new(config, false));
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    let (shutdown, stopped) = tokio::sync::oneshot::channel::<()>();
    let thread = std::thread::Builder::new().name(format!("fake-atlassian-{}", addr.port())).spawn(move || {
        let result = runtime.block_on(async move {
            let listener = tokio::net::TcpListener::from_std(listener)?;
            serve(listener, shared, async {
                let _ = stopped.await;
            })
            .await
        });
        if let Err(e) = result {
            eprintln!("fake-atlassian stopped: {e}");
        }
    })?;
    Ok(RunningServer { addr, shutdown: Some(shutdown), thread: Some(thread) })
}
