//! The `semnav` binary: the CLI and the language server over one core.

mod cli;

fn main() {
    // ONNX Runtime writes a device id and a database of its own under
    // $XDG_CACHE_HOME/Microsoft unless told not to; semnav writes only under
    // its index and model directories. Set while the process has one thread.
    if std::env::var_os("ORT_DISABLE_TELEMETRY").is_none() {
        std::env::set_var("ORT_DISABLE_TELEMETRY", "1");
    }
    // Logs go to stderr: stdout belongs to results (CLI) or JSON-RPC (LSP).
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_ansi(false)
        .with_target(false)
        .with_env_filter(
            // sled reports a damaged file in several lines of its own; semnav
            // says it in one (and rebuilds): sled's lines only when asked for.
            tracing_subscriber::EnvFilter::try_from_env("SEMNAV_LOG").unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn,sled=off")),
        )
        .init();
    std::process::exit(cli::main());
}
