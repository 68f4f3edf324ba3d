//! The `corsprobe` binary: parse, run, print, exit. Everything else lives in the library.

fn main() -> std::process::ExitCode {
    corsprobe::cli::main()
}
