//! Upstream's own linters on the files the series changes, as of the series tip: eslint
//! (the checkout's `node_modules`, `eslint.config.mjs`) and ruff (its `pyproject.toml`).
//! Findings are reported as `eslint:RULE` / `ruff:CODE`; a linter that cannot run is a
//! `SKIPPED:` line.

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

use dsock_lint::diagnostic::Diagnostic;

use super::{ext, tool_output, Report};
use crate::git::Git;

/// eslint (via the checkout's node_modules) and ruff on `files` as of `tip`, fed on stdin
/// so the checkout's work tree is never touched.
pub fn run(checkout: &Path, git: &Git, tip: &str, files: &[String], report: &mut Report) {
    let eslint = checkout.join("node_modules/.bin/eslint");
    let js: Vec<&String> = files.iter().filter(|f| matches!(ext(f), "js" | "mjs")).collect();
    if !eslint.exists() {
        report.skipped.push(format!("SKIPPED: eslint: {} has no node_modules (run `npm ci` there)", checkout.display()));
    } else {
        // The checkout's eslint.config.mjs declares every setting in *its* src/settings.js as
        // a global; settings the series adds are declared here so they are not no-undef.
        let added_settings = added_settings(git, tip);
        let mut n = 0;
        for f in &js {
            let Ok(Some(bytes)) = git.read_blob(tip, f) else { continue };
            let mut cmd = Command::new("npm");
            cmd.current_dir(checkout).args(["exec", "--no", "--", "eslint", "--format", "json", "--stdin", "--stdin-filename", f]);
            for name in &added_settings {
                cmd.args(["--global", name]);
            }
            let out = match run_with_stdin(cmd, &bytes) {
                Ok(o) => o,
                Err(e) => {
                    report.skipped.push(format!("SKIPPED: eslint: {e}"));
                    break;
                }
            };
            n += 1;
            let Ok(v) = serde_json::from_slice::<serde_json::Value>(&out.stdout) else { continue };
            for file in v.as_array().into_iter().flatten() {
                for m in file["messages"].as_array().into_iter().flatten() {
                    let msg = m["message"].as_str().unwrap_or("");
                    if msg.starts_with("File ignored") {
                        continue;
                    }
                    let rule = m["ruleId"].as_str().unwrap_or("parse");
                    report.diagnostics.push(Diagnostic::at_line(
                        &format!("eslint:{rule}"),
                        rule,
                        &format!("{f} (patched)"),
                        m["line"].as_u64().unwrap_or(1) as usize,
                        m["column"].as_u64().unwrap_or(1) as usize,
                        msg,
                    ));
                }
            }
        }
        report.ran.push(format!("eslint: {n} file(s) with {}/eslint.config.mjs", checkout.display()));
    }
    let py: Vec<&String> = files.iter().filter(|f| ext(f) == "py").collect();
    match tool_output({
        let mut c = Command::new("ruff");
        c.arg("--version");
        c
    }) {
        Err(_) => report.skipped.push("SKIPPED: ruff: not installed (`pip install ruff`)".into()),
        // Without upstream's config ruff would fall back to whatever config it finds
        // above the directory (or its defaults) and report rules upstream does not use.
        Ok(_) if !py.is_empty() && !checkout.join("pyproject.toml").is_file() => report.skipped.push(format!(
            "SKIPPED: ruff: {} has no pyproject.toml in its work tree (upstream's ruff config); check out main there",
            checkout.display()
        )),
        Ok(_) => {
            for f in &py {
                let Ok(Some(bytes)) = git.read_blob(tip, f) else { continue };
                let mut cmd = Command::new("ruff");
                cmd.current_dir(checkout).args(["check", "--output-format", "json", "--stdin-filename", f, "-"]);
                let Ok(out) = run_with_stdin(cmd, &bytes) else { continue };
                let Ok(v) = serde_json::from_slice::<serde_json::Value>(&out.stdout) else { continue };
                for m in v.as_array().into_iter().flatten() {
                    let rule = m["code"].as_str().unwrap_or("syntax");
                    report.diagnostics.push(Diagnostic::at_line(
                        &format!("ruff:{rule}"),
                        rule,
                        &format!("{f} (patched)"),
                        m["location"]["row"].as_u64().unwrap_or(1) as usize,
                        m["location"]["column"].as_u64().unwrap_or(1) as usize,
                        m["message"].as_str().unwrap_or(""),
                    ));
                }
            }
            report.ran.push(format!("ruff: {} file(s) with {}/pyproject.toml", py.len(), checkout.display()));
        }
    }
}

/// `var NAME` settings in `src/settings.js` at `tip` that the checkout's work tree lacks.
fn added_settings(git: &Git, tip: &str) -> Vec<String> {
    let names = |text: &str| -> BTreeSet<String> {
        dsock_lint::regex!(r"(?m)^var ([A-Z_][A-Z0-9_]*)\b").captures_iter(text).map(|c| c[1].to_string()).collect()
    };
    let Ok(Some(new)) = git.read_blob(tip, "src/settings.js") else { return vec![] };
    let old = std::fs::read_to_string(git.dir().join("src/settings.js")).unwrap_or_default();
    let (new, old) = (names(&String::from_utf8_lossy(&new)), names(&old));
    new.difference(&old).cloned().collect()
}

fn run_with_stdin(mut cmd: Command, input: &[u8]) -> Result<std::process::Output, String> {
    use std::io::Write;
    use std::process::Stdio;
    let mut child = cmd.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().map_err(|e| e.to_string())?;
    child.stdin.take().expect("piped").write_all(input).map_err(|e| e.to_string())?;
    child.wait_with_output().map_err(|e| e.to_string())
}
