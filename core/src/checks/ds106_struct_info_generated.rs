//! DS106 `struct-info-generated`: `src/struct_info_generated*.json` at the series tip are
//! what `tools/gen_struct_info.py` generates from the headers (needs the toolchain; runs
//! with `dsock check --struct-info`). Doc: `dsock explain DS106`
//! (`dsock_lint::rules::ds106_struct_info_generated`).

use std::path::Path;
use std::process::Command;

use dsock_lint::diagnostic::Diagnostic;
use dsock_lint::rules::ds106_struct_info_generated::StructInfoGenerated;

use super::{tool_output, Report};
use crate::bootstrap::{bootstrap_worktree, NodeModules};
use crate::error::{Error, Result};
use crate::git::Git;

/// DS106: run gen_struct_info.py in a temporary worktree at `tip` and compare.
///
/// The worktree is bootstrapped the way a fresh clone is (`tools/maint/create_entry_points.py`
/// for the `emcc` launchers; the checkout's `node_modules` linked in), and removed after.
pub fn check(checkout: &Path, git: &Git, tip: &str, report: &mut Report) -> Result<()> {
    if std::env::var_os("EM_CONFIG").is_none() {
        report.skipped.push("SKIPPED: struct_info regeneration (DS106): no toolchain in the environment (EM_CONFIG unset; `. ~/.local/share/dsock/toolchain/env.sh`)".into());
        return Ok(());
    }
    let dir = tempfile::tempdir()?;
    let wt_path = dir.path().join("wt");
    git.add_worktree(&wt_path, tip)?;
    let result = regenerate(checkout, git, tip, &wt_path, report);
    let _ = git.run(["worktree", "remove", "--force", &wt_path.to_string_lossy()]);
    result
}

fn regenerate(checkout: &Path, git: &Git, tip: &str, wt_path: &Path, report: &mut Report) -> Result<()> {
    // Bootstrapped as a fresh clone is, with the checkout's node_modules when it has them.
    if let Err(e) = bootstrap_worktree(wt_path, NodeModules::LinkIfPresent(checkout), Path::new("python3")) {
        report.skipped.push(format!("SKIPPED: struct_info regeneration (DS106): {}", e.message.lines().last().unwrap_or("")));
        return Ok(());
    }
    let mut found = Vec::new();
    for (args, file) in [(vec!["-q"], "src/struct_info_generated.json"), (vec!["-q", "--wasm64"], "src/struct_info_generated_wasm64.json")] {
        let mut cmd = Command::new("python3");
        cmd.current_dir(wt_path).arg("tools/gen_struct_info.py").args(&args);
        let out = tool_output(cmd).map_err(Error::environment)?;
        if !out.status.success() {
            let stderr = String::from_utf8_lossy(&out.stderr);
            let why = stderr.lines().find(|l| l.contains("error:")).or_else(|| stderr.lines().last()).unwrap_or("");
            report.skipped.push(format!("SKIPPED: struct_info regeneration ({file}): gen_struct_info.py failed: {why}"));
            return Ok(());
        }
        let regenerated = fs_err::read(wt_path.join(file))?;
        let committed = git.read_blob(tip, file)?.unwrap_or_default();
        if regenerated != committed {
            let m = &StructInfoGenerated::META;
            found.push(
                Diagnostic::file_level(m.code, m.name, file, "differs from what tools/gen_struct_info.py generates from the headers")
                    .with_help("run ./tools/gen_struct_info.py (and --wasm64) on the applied branch, amend, `dsock export`"),
            );
        }
    }
    report.diagnostics.extend(found);
    report.ran.push("struct_info: regenerated with tools/gen_struct_info.py and compared".into());
    Ok(())
}
