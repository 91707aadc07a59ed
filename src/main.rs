//! The `partnerbot` binary: arguments, logging, exit codes. Everything else is in the library.

use std::process::ExitCode;

use clap::Parser;

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let args = partnerbot::cli::Args::parse();
    partnerbot::cli::init_logging(&args);
    partnerbot::cli::run(args).await
}
