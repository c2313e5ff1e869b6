//! The command line: global options and one variant per subcommand. Each
//! subcommand lives in `src/commands/<name>.rs` with an `Args` struct and one
//! `run(&mut CommandContext, &Args) -> CommandResult` function.

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

use crate::commands;
use crate::exit::EXIT_STATUS_HELP;

#[derive(Debug, Parser)]
#[command(
    name = "dsock",
    version,
    about = "Maintain Emscripten's -sDIRECT_SOCKETS patch series",
    long_about = "Maintain Emscripten's -sDIRECT_SOCKETS patch series: status, apply/export, \
                  rebase onto a new main, check (lint + series validation), test (upstream's \
                  runner in headless Chromium), diff, range-diff and the PR description.",
    after_help = EXIT_STATUS_HELP,
    after_long_help = EXIT_STATUS_HELP
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

/// Options every subcommand takes.
#[derive(Debug, Clone, clap::Args)]
pub struct GlobalArgs {
    /// The Emscripten checkout to work on (overrides DSOCK_EMSCRIPTEN and `dsock setup`).
    #[arg(long, global = true, env = "DSOCK_EMSCRIPTEN", value_name = "PATH")]
    pub emscripten: Option<PathBuf>,
    /// The dsock repository (the directory holding `patch-series/series.toml`);
    /// default: found by walking up from the current directory.
    #[arg(long, global = true, env = "DSOCK_REPO", value_name = "PATH")]
    pub repo: Option<PathBuf>,
    /// When to color output.
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
}

impl crate::config::CheckoutFlag for GlobalArgs {
    fn emscripten(&self) -> Option<&std::path::Path> {
        self.emscripten.as_deref()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

impl ColorChoice {
    /// Resolve `--color`: `auto` colors only when stdout is a terminal and `NO_COLOR` is unset.
    pub fn style(self) -> dsock_core::review::color::Style {
        use std::io::IsTerminal;
        let color = match self {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => std::env::var_os("NO_COLOR").is_none() && std::io::stdout().is_terminal(),
        };
        dsock_core::review::color::Style { color }
    }
}

/// Output format shared by the commands that report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, ValueEnum)]
pub enum OutputFormat {
    #[default]
    Human,
    Json,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Record the Emscripten checkout dsock works on (or show how to get one).
    Setup(commands::setup::Args),
    /// Base, upstream drift, whether the series applies, and the PR branch state.
    Status(commands::status::Args),
    /// Materialize the series as commits on a branch of the checkout.
    Apply(commands::apply::Args),
    /// Read the branch's commits back into patch-series/ and emscripten/.
    Export(commands::export::Args),
    /// Move the series onto a new upstream base, reporting conflicts per commit.
    Rebase(commands::rebase::Args),
    /// Lint the backend and validate the series.
    Check(commands::check::Args),
    /// Explain a lint rule by its code (e.g. DS001).
    Explain(commands::explain::Args),
    /// Run upstream's socket test suites (in-process, through PyO3) in headless Chromium.
    Test(commands::test::Args),
    /// Install and check the toolchain the tests need (clang-22, node 26, binaryen, Chromium).
    Toolchain(commands::toolchain::Args),
    /// Review-ready diffs of the series; range-diff between sent versions.
    Diff(commands::diff::Args),
    /// Record or list sent versions of the series (v1, v2, ...).
    Version(commands::version::Args),
    /// Render the pull-request description.
    PrBody(commands::pr_body::Args),
    /// Throughput and latency of DIRECT_SOCKETS vs native and NODERAWSOCKETS.
    Bench(commands::bench::Args),
    /// Run an Emscripten program in headless Chromium as an Isolated Web App (Direct Sockets).
    Run(commands::run::Args),
}
