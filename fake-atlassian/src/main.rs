//! `fake-atlassian [--config FILE] [--bind ADDR] [--port N] [--auto-consent] [--quiet]`

use std::net::IpAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use clap::Parser;
use fake_atlassian::config::Config;
use fake_atlassian::state::Shared;

/// A local stand-in for auth.atlassian.com and api.atlassian.com, with Atlassian's OAuth 2.0 (3LO) rules.
#[derive(Debug, Parser)]
#[command(name = "fake-atlassian", version)]
struct Cli {
    /// TOML configuration (apps, service accounts, users, sites); the built-in default.toml when omitted.
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Address to listen on (overrides [server] bind).
    #[arg(long, value_name = "ADDR")]
    bind: Option<IpAddr>,
    /// Port to listen on; 0 picks a free one (overrides [server] port).
    #[arg(long, value_name = "N")]
    port: Option<u16>,
    /// Answer GET /authorize with a code at once, as the first user, instead of showing the consent page.
    #[arg(long)]
    auto_consent: bool,
    /// Do not print a line per request.
    #[arg(long)]
    quiet: bool,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let config = match &cli.config {
        Some(path) => Config::load(path),
        None => Ok(Config::default_config()),
    };
    let mut config = match config {
        Ok(config) => config,
        Err(e) => {
            eprintln!("fake-atlassian: {e}");
            return ExitCode::from(2);
        }
    };
    config.server.bind = cli.bind.unwrap_or(config.server.bind);
    config.server.port = cli.port.unwrap_or(config.server.port);
    config.server.auto_consent |= cli.auto_consent;
    if !config.server.bind.is_loopback() {
        eprintln!(
            "fake-atlassian: warning: listening on {}, not loopback; the admin API still answers loopback only",
            config.server.bind
        );
    }
    let runtime = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("fake-atlassian: cannot start: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind((config.server.bind, config.server.port)).await?;
        // Tests and scripts wait for exactly this line to learn the port.
        println!("fake-atlassian listening on http://{}", listener.local_addr()?);
        let shared = Arc::new(Shared::new(config, !cli.quiet));
        fake_atlassian::serve(listener, shared, std::future::pending()).await
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("fake-atlassian: {e}");
            ExitCode::FAILURE
        }
    }
}
