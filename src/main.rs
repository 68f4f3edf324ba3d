//! The `corsprobe` binary: parse, run, print, exit. Everything else lives in the library.

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    corsprobe::cli::main()
}
