use std::process::ExitCode;

use clap::Parser;

// glibc's allocator spent a fifth of the server's time under load on its own bookkeeping
// (consolidating and unlinking chunks across threads); mimalloc's thread-local heaps do not.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

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
