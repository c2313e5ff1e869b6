//! dsock: maintains Emscripten's `-sDIRECT_SOCKETS` patch series.
//!
//! The binary (`src/main.rs`) is a thin shell around [`run`]; everything is in
//! this library so integration tests can drive commands without a subprocess.

pub mod bench;
pub mod cli;
pub mod commands;
pub mod config;
pub mod context;
pub mod error;
pub mod exit;
pub mod git;
pub mod review;
pub mod series;
pub mod testrun;
pub mod toolchain;

use clap::Parser;

use crate::cli::Cli;
use crate::context::CommandContext;
use crate::exit::ExitStatus;

/// Parse `args` (including argv\[0\]) and run the command; prints errors with their hint.
pub fn run<I, T>(args: I) -> ExitStatus
where
    I: IntoIterator<Item = T>,
    T: Into<std::ffi::OsString> + Clone,
{
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return match e.kind() {
                clap::error::ErrorKind::DisplayHelp | clap::error::ErrorKind::DisplayVersion => {
                    ExitStatus::Success
                }
                _ => ExitStatus::Error,
            };
        }
    };
    let mut ctx = CommandContext::new(cli.global.clone());
    match commands::dispatch(&mut ctx, &cli.command) {
        Ok(status) => status,
        Err(e) => {
            let _ = ctx.out.flush();
            eprintln!("{e}");
            e.exit_status()
        }
    }
}
