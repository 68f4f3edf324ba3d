//! Command-line interface (work in progress).

/// Entry point of the binary.
pub fn main() -> std::process::ExitCode {
    std::process::ExitCode::from(2)
}
