//! `dsock explain CODE` (e.g. `dsock explain DS003`): print a lint rule's documentation
//! (What it does / Why is this bad? / Example / Fix). `dsock explain --list` prints the
//! rule table.

use crate::context::CommandContext;
use crate::error::{CommandError, CommandResult};
use crate::exit::ExitStatus;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Rule code, e.g. DS003 (case-insensitive).
    #[arg(value_name = "CODE", required_unless_present = "list")]
    pub code: Option<String>,
    /// List every rule (code, name, stability, summary).
    #[arg(long)]
    pub list: bool,
}

pub fn run(ctx: &mut CommandContext, args: &Args) -> CommandResult {
    if args.list {
        ctx.out.write_all(dsock_lint::registry::markdown_table().as_bytes())?;
        return Ok(ExitStatus::Success);
    }
    let code = args.code.as_deref().unwrap_or_default();
    let meta = dsock_lint::rule(code).ok_or_else(|| {
        CommandError::usage(format!("no lint rule {code:?}")).with_hint("list the rules with `dsock explain --list`")
    })?;
    let stability = match meta.stability {
        dsock_lint::registry::Stability::Stable => "stable",
        dsock_lint::registry::Stability::Preview => "preview",
    };
    let text = format!("# {} {} ({stability})\n\n{}", meta.code, meta.name, meta.doc_text());
    ctx.out.write_all(text.as_bytes())?;
    Ok(ExitStatus::Success)
}
