//! `ado-sim --seed demo --port 0 [--state-dir DIR] [--task-delay-ms N]`: serves the simulator on
//! loopback. Prints exactly one JSON line (the `SimInfo`) on stdout, logs go to stderr.

use std::io::Write;
use std::path::PathBuf;

use ado_sim::{Seed, SimOptions};
use anyhow::{bail, Context};

const USAGE: &str =
    "usage: ado-sim [--seed empty|demo|scale] [--port N] [--state-dir DIR] [--task-delay-ms N]";

fn parse_args() -> anyhow::Result<SimOptions> {
    let mut opts = SimOptions {
        task_delay_ms: 2500,
        ..SimOptions::default()
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let (flag, inline) = match arg.split_once('=') {
            Some((f, v)) => (f.to_owned(), Some(v.to_owned())),
            None => (arg.clone(), None),
        };
        let mut value = || -> anyhow::Result<String> {
            match inline.clone() {
                Some(v) => Ok(v),
                None => args
                    .next()
                    .with_context(|| format!("{flag} needs a value\n{USAGE}")),
            }
        };
        match flag.as_str() {
            "--seed" => opts.seed = value()?.parse::<Seed>().map_err(anyhow::Error::msg)?,
            "--port" => opts.port = value()?.parse().context("--port must be a number")?,
            "--state-dir" => opts.state_dir = Some(PathBuf::from(value()?)),
            "--task-delay-ms" => {
                opts.task_delay_ms = value()?
                    .parse()
                    .context("--task-delay-ms must be a number")?;
            }
            "-h" | "--help" => {
                eprintln!("{USAGE}");
                std::process::exit(0);
            }
            other => bail!("unknown argument '{other}'\n{USAGE}"),
        }
    }
    Ok(opts)
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("ADO_SIM_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .init();
    let opts = parse_args()?;
    let handle = ado_sim::start(opts).await?;
    let line = serde_json::to_string(handle.info())?;
    {
        let mut out = std::io::stdout().lock();
        writeln!(out, "{line}")?;
        out.flush()?;
    }
    wait_for_stop_signal().await;
    handle.shutdown().await;
    Ok(())
}

/// Ctrl-C or SIGTERM (how the app stops its demo sidecar): shut down cleanly so a pending
/// `world.json` write is flushed.
async fn wait_for_stop_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
