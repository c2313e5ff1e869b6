//! DS101 `series-applies`: every patch applies, in order, to the recorded base (built in
//! memory with [`crate::build::build`]). Doc: `dsock explain DS101`
//! (`dsock_lint::rules::ds101_series_applies`).

use std::path::Path;

use dsock_lint::diagnostic::Diagnostic;
use dsock_lint::rules::ds101_series_applies::SeriesApplies;

use crate::build::{self, BuiltCommit};
use crate::error::DoesNotApply;
use crate::git::Git;
use crate::series::{Series, SERIES_DIR};

/// The built commits, or `Err(why the later checks cannot run)` after recording the finding.
pub fn check(git: &Git, series: &Series, root: &Path, out: &mut Vec<Diagnostic>) -> Result<Vec<BuiltCommit>, &'static str> {
    let m = &SeriesApplies::META;
    let e = match build::build(git, series, root) {
        Ok(built) => return Ok(built),
        Err(e) => e,
    };
    match e.does_not_apply() {
        Some(DoesNotApply::ToBase { failure, .. }) => {
            out.push(
                Diagnostic::file_level(m.code, m.name, &failure.file, failure.to_string())
                    .with_help("rebase the series (`dsock rebase`) or re-export the branch (`dsock export`)"),
            );
            Err("the series does not apply")
        }
        _ => {
            let d = Diagnostic::file_level(m.code, m.name, &format!("{SERIES_DIR}/series.toml"), e.message());
            out.push(match e.hint() {
                Some(h) => d.with_help(h),
                None => d,
            });
            Err("the series could not be built")
        }
    }
}
