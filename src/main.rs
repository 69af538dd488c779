use std::net::ToSocketAddrs;
use std::process::ExitCode;
use std::time::Duration;

use ddns_gateway::api::App;
use ddns_gateway::cli::{self, HELP};
use ddns_gateway::config::Config;
use ddns_gateway::{error, healthcheck, info, log, notify, server, warn};

fn main() -> ExitCode {
    let cli = match cli::parse(std::env::args_os().skip(1)) {
        Ok(c) => c,
        Err(e) => return usage_error(&e),
    };
    if cli.help {
        print!("{HELP}");
        return ExitCode::SUCCESS;
    }
    if cli.version {
        println!("ddns-gateway {}", env!("CARGO_PKG_VERSION"));
        return ExitCode::SUCCESS;
    }
    // Non-UTF-8 variables cannot be ours; skip them instead of panicking.
    let env = std::env::vars_os().filter_map(|(k, v)| Some((k.into_string().ok()?, v.into_string().ok()?)));
    let config = match Config::load(&cli, env) {
        Ok(c) => c,
        // Any failure is "unhealthy" to a container runtime, so a health check exits 1.
        Err(e) if cli.healthcheck => {
            eprintln!("ddns-gateway: {e}");
            return ExitCode::from(1);
        }
        Err(e) => return usage_error(&e),
    };
    if cli.healthcheck {
        return match healthcheck::probe(&config.host, config.port, healthcheck::DEADLINE) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("ddns-gateway: health check: {e}");
                ExitCode::from(1)
            }
        };
    }

    let file = if config.log_file_enabled {
        match log::open_file(&config.log_file_path) {
            Ok(f) => Some(f),
            Err(e) => {
                eprintln!("ddns-gateway: cannot open log file {}: {e}", config.log_file_path);
                return ExitCode::from(1);
            }
        }
    } else {
        None
    };
    if let Err(e) = log::init(config.log_level, file) {
        eprintln!("ddns-gateway: cannot start the log writer: {e}");
        return ExitCode::from(1);
    }
    for w in &config.warnings {
        warn!("{w}");
    }

    let code = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
        Ok(runtime) => runtime.block_on(serve(config, cli.check_notify)),
        Err(e) => {
            error!("cannot start the runtime: {e}");
            ExitCode::from(1)
        }
    };
    // The last lines get a moment to reach the log; a reader that stalled cannot hold the
    // exit (the writer thread, blocked in its write, ends with the process).
    log::flush(LOG_FLUSH_LIMIT);
    code
}

/// How long the exit waits for queued log lines to be written.
const LOG_FLUSH_LIMIT: Duration = Duration::from_secs(1);

async fn serve(config: Config, check_notify: bool) -> ExitCode {
    // Here, on the one runtime: a second one would cost binary size.
    if check_notify {
        return match notify::check(config.notify).await {
            Ok(line) => {
                println!("{line}");
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("ddns-gateway: check-notify: {e}");
                ExitCode::from(1)
            }
        };
    }
    let shown = if config.host.contains(':') {
        format!("[{}]:{}", config.host, config.port)
    } else {
        format!("{}:{}", config.host, config.port)
    };
    // Resolved here, before serving (a blocking lookup is fine at start): tokio would resolve
    // a host name on its blocking pool, whose thread naming links printf (see thread.rs).
    let bound = (config.host.as_str(), config.port).to_socket_addrs().and_then(server::listen);
    let listener = match bound {
        Ok(l) => l,
        Err(e) => {
            error!("cannot listen on {shown}: {e}");
            return ExitCode::from(1);
        }
    };
    info!("DDNS Gateway starting on \"{shown}\" (Methods: {})", config.allowed_methods());
    server::run(listener, App::new(config), stop_signal()).await;
    info!("DDNS Gateway stopped");
    ExitCode::SUCCESS
}

/// SIGTERM (RouterOS `/container stop`, where we are PID 1), SIGINT, or SIGHUP (a closed
/// terminal or a supervisor's reload: there is nothing to reload, and its default action
/// would end the process with requests in flight).
async fn stop_signal() {
    use tokio::signal::unix::{SignalKind, signal};
    let (Ok(mut term), Ok(mut int), Ok(mut hup)) =
        (signal(SignalKind::terminate()), signal(SignalKind::interrupt()), signal(SignalKind::hangup()))
    else {
        error!("cannot install signal handlers; stop with SIGKILL");
        return std::future::pending().await;
    };
    let name = tokio::select! {
        _ = term.recv() => "SIGTERM",
        _ = int.recv() => "SIGINT",
        _ = hup.recv() => "SIGHUP",
    };
    info!("received {name}, shutting down");
}

fn usage_error(message: &str) -> ExitCode {
    eprintln!("ddns-gateway: {message}");
    ExitCode::from(2)
}
