//! dsock: maintains Emscripten's `-sDIRECT_SOCKETS` patch series.
//!
//! The binary (`src/main.rs`) is a thin shell around [`run`]. This crate is the CLI:
//! [`cli`] (clap), one module per subcommand in [`commands`] (resolve → call
//! [`dsock_core`] → render), the user config, the test harness ([`testrun`]) and the
//! benchmarks ([`bench`]). The engine (git plumbing, the series model, build/export/replay,
//! the series checks, the review engine) is the `dsock-core` crate; [`git`] and [`series`]
//! are re-exported from it. See docs/architecture.md.

pub mod bench;
pub mod cli;
pub mod commands;
pub mod config;
pub mod context;
pub mod error;
pub mod exit;
pub mod review;
pub mod testrun;
pub mod toolchain;

pub use dsock_core::{git, series};

use clap::Parser;

use crate::cli::Cli;
use crate::context::CommandContext;
use crate::error::ExitStatusOf as _;
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
