use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    // clap exits with status 2 on bad usage and 0 for --help.
    let cli = casekeep::cli::Cli::parse();
    match casekeep::cli::run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            eprintln!("casekeep: error: {}", failure.0.replace('\n', " "));
            ExitCode::from(1)
        }
    }
}
