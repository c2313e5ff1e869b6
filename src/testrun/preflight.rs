//! Checks run before the embedded test runner starts. Each failure is a [`CommandError`]
//! saying what is missing and the command that fixes it; nothing here changes the machine.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::error::{CommandError, CommandResult};
use crate::toolchain::Layout;

/// Upstream's btest server port for the serial (non-parallel) runner: 8888 + worker id 0.
pub const BTEST_PORT: u16 = 8888;

/// The dsock `test-browser/` directory: `--repo`, else the nearest ancestor of the current
/// directory or of the dsock executable holding `test-browser/emtest-browser`.
pub fn find_test_browser(repo: Option<&Path>) -> CommandResult<PathBuf> {
    let has = |d: &Path| d.join("test-browser").join("emtest-browser").is_file();
    if let Some(r) = repo {
        if has(r) {
            return Ok(r.join("test-browser"));
        }
        return Err(CommandError::environment(format!("{} has no test-browser/emtest-browser", r.display()))
            .with_hint("pass --repo with a dsock clone"));
    }
    let mut starts = vec![std::env::current_dir()?];
    if let Ok(exe) = std::env::current_exe() {
        starts.push(exe);
    }
    for s in &starts {
        if let Some(d) = s.ancestors().find(|d| has(d)) {
            return Ok(d.join("test-browser"));
        }
    }
    Err(CommandError::environment("no dsock repository (test-browser/emtest-browser) found")
        .with_hint("run dsock from inside a dsock clone, or pass --repo PATH"))
}

/// test-browser/node_modules holds puppeteer-core (installed by `dsock toolchain`).
pub fn check_node_modules(test_browser: &Path) -> CommandResult<()> {
    if test_browser.join("node_modules").join("puppeteer-core").is_dir() {
        return Ok(());
    }
    Err(CommandError::environment(format!("{}/node_modules is missing (puppeteer-core)", test_browser.display()))
        .with_hint(format!(
            "run `dsock toolchain`, or `cd {} && PUPPETEER_SKIP_DOWNLOAD=1 npm ci`",
            test_browser.display()
        )))
}

/// The Chromium binary exists and runs; returns its `--version` line.
pub fn check_chromium(chromium: &Path) -> CommandResult<String> {
    let hint = "install it with `dsock toolchain` (apt-get install -y chromium), or pass --chromium PATH";
    if !chromium.is_file() {
        return Err(CommandError::environment(format!("Chromium not found at {}", chromium.display())).with_hint(hint));
    }
    let out = Command::new(chromium).arg("--version").output().map_err(|e| {
        CommandError::environment(format!("cannot run {}: {e}", chromium.display())).with_hint(hint)
    })?;
    let v = String::from_utf8_lossy(&out.stdout).trim().to_string();
    if !out.status.success() || v.is_empty() {
        return Err(CommandError::environment(format!("{} --version failed", chromium.display())).with_hint(hint));
    }
    Ok(v)
}

/// EM_CONFIG (from the environment or the toolchain layout) and node exist.
pub fn check_toolchain(layout: &Layout) -> CommandResult<()> {
    let em_config = std::env::var_os("EM_CONFIG").map(PathBuf::from).unwrap_or_else(|| layout.em_config());
    if !em_config.is_file() {
        return Err(CommandError::environment(format!("no Emscripten config at {}", em_config.display()))
            .with_hint("run `dsock toolchain` (writes it with clang-22, node 26, binaryen 132)"));
    }
    if std::env::var_os("EM_CONFIG").is_none() && !layout.node().is_file() {
        return Err(CommandError::environment(format!("node 26 is missing at {}", layout.node().display()))
            .with_hint("run `dsock toolchain`"));
    }
    Ok(())
}

/// The checkout was bootstrapped (`npm ci`, entry points, stamp files): emcc and
/// test/runner refuse to run otherwise.
pub fn check_bootstrapped(tree: &Path) -> CommandResult<()> {
    let missing: Vec<&str> = [
        "node_modules",
        "out/npm_packages.stamp",
        "out/create_entry_points.stamp",
        "test/runner",
    ]
    .into_iter()
    .filter(|p| !tree.join(p).exists())
    .collect();
    if missing.is_empty() {
        return Ok(());
    }
    Err(CommandError::environment(format!(
        "the Emscripten checkout {} is not bootstrapped (missing: {})",
        tree.display(),
        missing.join(", ")
    ))
    .with_hint("run `dsock toolchain` (npm ci, create_entry_points, stamp files in the checkout)"))
}

/// Upstream's btest server needs `port` on localhost; fail early with who to blame.
pub fn check_port_free(port: u16) -> CommandResult<()> {
    match TcpListener::bind(("127.0.0.1", port)) {
        Ok(l) => {
            drop(l);
            Ok(())
        }
        Err(e) if e.kind() == std::io::ErrorKind::AddrInUse => Err(CommandError::environment(format!(
            "port {port} on localhost is in use; upstream's browser test server needs it"
        ))
        .with_hint(format!(
            "another `test/runner` or `dsock test` is probably running (see `ss -ltnp 'sport = :{port}'`); wait for it or stop it"
        ))),
        Err(e) => Err(CommandError::environment(format!("cannot bind 127.0.0.1:{port}: {e}"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn busy_port_is_an_error_naming_it() {
        let l = TcpListener::bind(("127.0.0.1", 0)).unwrap();
        let port = l.local_addr().unwrap().port();
        let e = check_port_free(port).unwrap_err();
        assert!(e.message.contains(&format!("port {port}")), "{}", e.message);
        assert!(e.hint.unwrap().contains("ss -ltnp"));
        drop(l);
        check_port_free(port).unwrap();
    }

    #[test]
    fn missing_chromium_names_the_fix() {
        let e = check_chromium(Path::new("/nonexistent/chromium")).unwrap_err();
        assert!(e.message.contains("/nonexistent/chromium"));
        assert!(e.hint.unwrap().contains("dsock toolchain"));
    }

    #[test]
    fn unbootstrapped_checkout_lists_what_is_missing() {
        let d = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(d.path().join("node_modules")).unwrap();
        let e = check_bootstrapped(d.path()).unwrap_err();
        assert!(e.message.contains("out/npm_packages.stamp"), "{}", e.message);
        assert!(!e.message.contains("node_modules,"), "{}", e.message);
        assert!(e.hint.unwrap().contains("dsock toolchain"));
    }

    #[test]
    fn missing_node_modules_names_npm_ci() {
        let d = tempfile::tempdir().unwrap();
        let e = check_node_modules(d.path()).unwrap_err();
        assert!(e.hint.unwrap().contains("npm ci"));
    }
}
