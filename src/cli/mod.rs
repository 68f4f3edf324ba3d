//! Command-line interface (work in progress).

pub mod evidence;

// TEMPORARY wiring (branch `aws`) so `corsprobe evidence` runs end to end; the lead's CLI replaces it.
#[derive(clap::Parser)]
#[command(name = "corsprobe")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(clap::Subcommand)]
enum Command {
    /// Collect the runbook's AWS evidence for an API and stage.
    Evidence(evidence::EvidenceArgs),
}

/// Entry point of the binary.
pub fn main() -> std::process::ExitCode {
    use clap::Parser;
    match Cli::parse().command {
        Command::Evidence(args) => evidence::run(&args),
    }
}
