//! What the CLI's test files share: running the binary and reading what it said.

use std::process::{Command, Output};

/// Runs `nabla` with `args`, without the caller's `NABLA_DATA` (each test names its data).
pub fn nabla(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_nabla"))
        .args(args)
        .env_remove("NABLA_DATA")
        .output()
        .unwrap()
}

/// Everything the run printed, stdout then stderr.
pub fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}
