//! emulator (work in progress)
