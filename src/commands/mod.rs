//! One module per subcommand, each with the same shape: resolve (repo, checkout, series)
//! → call `dsock_core` → render.
//!
//! ```text
//! #[derive(Debug, clap::Args)]
//! pub struct Args { ... }
//! pub fn run(ctx: &mut CommandContext, args: &Args) -> CommandResult;
//! ```

pub mod apply;
pub mod bench;
pub mod check;
pub mod diff;
pub mod explain;
pub mod export;
pub mod pr_body;
pub mod rebase;
pub mod run;
pub mod setup;
pub mod status;
pub mod test;
pub mod toolchain;
pub mod version;

use dsock_core::review::current::{self, Current};

use crate::cli::Command;
use crate::config;
use crate::context::CommandContext;
use crate::error::CommandResult;
use crate::series::Series;

/// The working series materialized in the configured checkout (`diff`, `version tag`,
/// `pr-body`): the repo, then `series.toml`, then the checkout, each failing with its hint.
pub(crate) fn load_current(ctx: &CommandContext) -> CommandResult<Current> {
    let repo_root = ctx.repo_root()?;
    let series = Series::load(&repo_root)?;
    let checkout = config::resolve_checkout(&ctx.global)?;
    current::load(repo_root, series, checkout.git)
}

/// Route a parsed command to its module.
pub fn dispatch(ctx: &mut CommandContext, command: &Command) -> CommandResult {
    match command {
        Command::Setup(a) => setup::run(ctx, a),
        Command::Status(a) => status::run(ctx, a),
        Command::Apply(a) => apply::run(ctx, a),
        Command::Export(a) => export::run(ctx, a),
        Command::Rebase(a) => rebase::run(ctx, a),
        Command::Check(a) => check::run(ctx, a),
        Command::Explain(a) => explain::run(ctx, a),
        Command::Test(a) => test::run(ctx, a),
        Command::Toolchain(a) => toolchain::run(ctx, a),
        Command::Diff(a) => diff::run(ctx, a),
        Command::Version(a) => version::run(ctx, a),
        Command::PrBody(a) => pr_body::run(ctx, a),
        Command::Bench(a) => bench::run(ctx, a),
        Command::Run(a) => run::run(ctx, a),
    }
}
