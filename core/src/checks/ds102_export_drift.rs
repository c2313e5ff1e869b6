//! DS102 `export-drift`: re-exporting the series built on its base changes no file
//! ([`crate::export::plan`]). Doc: `dsock explain DS102`
//! (`dsock_lint::rules::ds102_export_drift`).

use std::path::Path;

use dsock_lint::diagnostic::Diagnostic;
use dsock_lint::rules::ds102_export_drift::ExportDrift;

use crate::error::Result;
use crate::export::{self, RepoChange};
use crate::git::Git;
use crate::series::Series;

/// One finding per file a re-export of `tip` (built on `base`) would add, change or delete.
pub fn check(git: &Git, tip: &str, base: &str, series: &Series, root: &Path, out: &mut Vec<Diagnostic>) -> Result<()> {
    let m = &ExportDrift::META;
    let plan = export::plan(git, tip, base, &series.upstream, Some(series), root)?;
    for change in plan.changes(root) {
        let path = change.path().to_string_lossy().into_owned();
        let what = match change {
            RepoChange::Add(_) => "re-exporting the series would create this file",
            RepoChange::Modify(_) => "re-exporting the series would change this file",
            RepoChange::Mode(_) => "re-exporting the series would change this file's mode",
            RepoChange::Remove(_) => "re-exporting the series would delete this file",
        };
        out.push(Diagnostic::file_level(m.code, m.name, &path, what).with_help("run `dsock apply` then `dsock export`, and commit the result"));
    }
    Ok(())
}
