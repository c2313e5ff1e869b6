//! `dsock explain`.

use crate::context::CommandContext;
use crate::error::CommandResult;

#[derive(Debug, clap::Args)]
pub struct Args {}

pub fn run(_ctx: &mut CommandContext, _args: &Args) -> CommandResult {
    Err(super::not_yet("explain"))
}
