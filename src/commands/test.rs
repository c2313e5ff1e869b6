//! `dsock test [SELECTORS…]`: Emscripten's own socket suites, in-process through PyO3, with
//! the browser tests running in a headless Chromium Isolated Web App through the series' own
//! IWA mode (`EMTEST_BROWSER_IWA=1`, test/browser_iwa.py in the checkout): the same path as
//! [`upstream_command`], so what dsock tests is what upstream runs. No node modules.
//!
//! Default selection: [`DEFAULT_SELECTORS`] (the Direct Sockets group of `sockets_browser`,
//! our `dsock_sockets` extension suite (test-browser/python/test_dsock.py: soak tests), and all
//! of `sockets_node` to show nothing regressed).
//! Selectors are upstream's (`suite`, `suite.test`, wildcards `suite.*tcp*`, `skip:suite.test`).
//!
//! Every run saves its results to `target/dsock/test-results.json` (`--results PATH`), the
//! file `dsock pr-body` reads. `--from FILE` re-renders saved results (JSON or JUnit XML)
//! without running anything.
//!
//! Exit status: 0 all selected tests passed or were skipped; 1 a test failed/errored or the run
//! was interrupted; 2 environment errors (no checkout, toolchain, Chromium, port 8888 busy…).

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

use crate::cli::OutputFormat;
use crate::config;
use crate::context::CommandContext;
use crate::error::{CommandError, CommandResult};
use crate::exit::ExitStatus;
use crate::series::Series;
use crate::testrun::model::{DriverResults, TestRun};
use crate::testrun::{junit, preflight, python, render, worktree};
use crate::toolchain::Layout;

/// What `dsock test` runs without selectors.
pub const DEFAULT_SELECTORS: &[&str] = &["sockets_browser.*direct_sockets*", "dsock_sockets", "sockets_node"];

pub use crate::testrun::saved::{load_results, RESULTS_FILE};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Upstream test selectors (`sockets_node`, `sockets_browser.test_x`, `suite.*pattern*`,
    /// `skip:suite.test`); default: the Direct Sockets browser tests, dsock_sockets, sockets_node.
    pub selectors: Vec<String>,
    /// Test the series materialized on a temporary work tree of the checkout (the checkout's
    /// own work tree and branches stay untouched).
    #[arg(long)]
    pub apply: bool,
    /// Report format on stdout (the runner's own progress goes to stderr with --format json).
    #[arg(long, value_enum, default_value_t = OutputFormat::Human)]
    pub format: OutputFormat,
    /// Print a Markdown table (for the PR description) instead of the human table.
    #[arg(long, conflicts_with = "format")]
    pub markdown: bool,
    /// Also write JUnit XML to PATH.
    #[arg(long, value_name = "PATH")]
    pub junit: Option<PathBuf>,
    /// Where to save the results JSON (default: target/dsock/test-results.json in the dsock repo).
    #[arg(long, value_name = "PATH")]
    pub results: Option<PathBuf>,
    /// Render saved results (dsock JSON or JUnit XML) instead of running tests.
    #[arg(long, value_name = "FILE")]
    pub from: Option<PathBuf>,
    /// Per-test timeout in seconds (compile + run); a test over it is reported as an error.
    #[arg(long, default_value_t = 600, value_name = "SECS")]
    pub timeout: u64,
    /// The Chromium executable (Debian's `chromium` package).
    #[arg(long, env = "DSOCK_CHROMIUM", default_value = "/usr/bin/chromium", value_name = "PATH")]
    pub chromium: PathBuf,
    /// Extra argument for upstream's runner (repeatable), e.g. `--runner-arg=--verbose`.
    #[arg(long = "runner-arg", value_name = "ARG", allow_hyphen_values = true)]
    pub runner_args: Vec<String>,
}

pub fn run(ctx: &mut CommandContext, args: &Args) -> CommandResult {
    if let Some(from) = &args.from {
        let run = load_results(from)?;
        emit(ctx, args, &run)?;
        return Ok(status_of(&run));
    }
    let started = Instant::now();
    let test_browser = preflight::find_test_browser(ctx.global.repo.as_deref())?;
    let repo_root = test_browser.parent().expect("test-browser has a parent").to_path_buf();
    let checkout = config::resolve_checkout(&ctx.global)?;
    let layout = Layout::default_layout();
    let python = python::python_executable();
    preflight::check_toolchain(&layout)?;
    let chromium_version = preflight::check_chromium(&args.chromium)?;
    preflight::check_port_free(preflight::BTEST_PORT)?;

    let series = Series::load(&repo_root).ok();
    let temp_tree;
    let tree: PathBuf = if args.apply {
        let series = series.as_ref().ok_or_else(|| {
            CommandError::usage(format!("--apply needs the series, but {} does not load", Series::manifest_path(&repo_root).display()))
                .with_hint("run `dsock check` to see what is wrong with the series")
        })?;
        writeln!(ctx.err, "materializing the series on a temporary work tree of {} …", checkout.path.display())?;
        temp_tree = worktree::materialize(&checkout.git, &checkout.path, series, &repo_root, &python)?;
        temp_tree.path.clone()
    } else {
        preflight::check_bootstrapped(&checkout.path)?;
        if let Some(series) = &series {
            check_series_present(&checkout, series)?;
        }
        checkout.path.clone()
    };
    let emscripten_sha = crate::git::Git::open(&tree).ok().and_then(|g| g.try_rev_parse("HEAD"));

    let selectors: Vec<String> = if args.selectors.is_empty() {
        DEFAULT_SELECTORS.iter().map(|s| s.to_string()).collect()
    } else {
        args.selectors.clone()
    };
    let work = repo_root.join("target").join("dsock");
    std::fs::create_dir_all(&work)?;
    let raw_results = work.join("driver-results.json");
    let _ = std::fs::remove_file(&raw_results);

    let mut env: BTreeMap<String, Option<String>> =
        layout.run_env(&python).into_iter().map(|(k, v)| (k, Some(v))).collect();
    for (k, v) in upstream_env(&args.chromium) {
        env.insert(k.into(), Some(v));
    }
    // A cache per system/ tree (see Layout::cache_for_system): the series patches libc sources.
    if let Some((k, v)) = layout.cache_var_for(&tree) {
        env.insert(k, Some(v));
    }
    // Upstream's own browser configuration (flags, profile in out/browser-profile).
    env.insert("EMTEST_BROWSER_AUTO_CONFIG".into(), None);
    // The browser is an IWA: a Direct Sockets test that finds no TCPSocket is a failure here,
    // not a skip (the series makes this the default under EMTEST_BROWSER_IWA; said explicitly
    // for our extension suite and for a series that predates that default).
    env.insert("EMTEST_REQUIRE_DIRECT_SOCKETS".into(), Some("1".into()));
    // With CI set upstream switches to xmlrunner (an extra PyPI package); our hook replaces it.
    env.insert("CI".into(), None);
    let mut argv = selectors.clone();
    argv.extend(args.runner_args.iter().cloned());
    let cfg = python::DriverConfig {
        checkout: tree.clone(),
        argv,
        env,
        python: python.clone(),
        extensions: vec![test_browser.join("python")],
        results: raw_results.clone(),
        timeout: args.timeout,
    };
    writeln!(ctx.err, "dsock test: {} in {} (browser: {chromium_version}, IWA)", selectors.join(" "), tree.display())?;
    ctx.err.flush()?;
    ctx.out.flush()?;
    let runner_exit = {
        // Keep stdout for the report in --format json / --markdown: the runner prints to stderr then.
        let _redirect = (args.format == OutputFormat::Json || args.markdown).then(StdoutToStderr::new);
        python::run_driver(&test_browser.join("python"), &cfg)?
    };
    let text = std::fs::read_to_string(&raw_results).map_err(|e| {
        CommandError::internal(format!("the test driver wrote no results ({}): {e}", raw_results.display()))
    })?;
    let mut run = DriverResults::parse(&text)
        .map_err(|e| CommandError::internal(format!("{}: {e}", raw_results.display())))?
        .into_run();
    run.emscripten = emscripten_sha;
    run.chromium = Some(chromium_version);
    run.command = Some(command_line(args));
    run.upstream_command = upstream_command(&args.chromium, &selectors, &extension_suites(&test_browser.join("python")));
    run.wall_seconds = Some((started.elapsed().as_secs_f64() * 10.0).round() / 10.0);

    if run.tests.is_empty() && !run.interrupted {
        let e = if runner_exit != 0 {
            CommandError::usage(format!(
                "upstream's runner stopped before running any test (exit {runner_exit}; its message is above)"
            ))
        } else {
            CommandError::usage(format!("the selection {:?} matched no test in {}", selectors, tree.display()))
        };
        return Err(e.with_hint(
            "check the selectors (`suite`, `suite.test_name`, `suite.*pattern*`; suites cannot mix parallel and serial modules), or use `dsock test --apply` to test the series",
        ));
    }
    let results_path = args.results.clone().unwrap_or_else(|| repo_root.join(RESULTS_FILE));
    save_json(&results_path, &run)?;
    emit(ctx, args, &run)?;
    if args.format == OutputFormat::Human && !args.markdown {
        writeln!(ctx.out, "results: {}", results_path.display())?;
        for sel in &selectors {
            if let Some(suite) = sel.split('.').next().filter(|s| !s.starts_with("skip:")) {
                if !run.tests.iter().any(|t| t.suite == suite) {
                    writeln!(ctx.out, "note: `{sel}` matched no test in this checkout")?;
                }
            }
        }
        if let Some(cmd) = &run.upstream_command {
            writeln!(ctx.out, "upstream: {cmd}")?;
        }
    }
    Ok(status_of(&run))
}

fn status_of(run: &TestRun) -> ExitStatus {
    if run.any_bad() || run.interrupted {
        ExitStatus::Failure
    } else {
        ExitStatus::Success
    }
}

/// The checkout holds the series: its files exist in the work tree (HEAD is at or after
/// `dsock apply`). Otherwise the tests would run against plain upstream.
fn check_series_present(checkout: &config::Checkout, series: &Series) -> CommandResult<()> {
    let missing: Vec<&String> =
        series.commits.iter().flat_map(|c| c.overlay.iter()).filter(|f| !checkout.path.join(f).exists()).collect();
    if missing.is_empty() {
        if !checkout.git.is_ancestor(&series.upstream.base, "HEAD") {
            return Err(CommandError::environment(format!(
                "the checkout {} is not based on the series base {:.12}",
                checkout.path.display(),
                series.upstream.base
            ))
            .with_hint("test the series on its base with `dsock test --apply`, or `dsock rebase` the series"));
        }
        return Ok(());
    }
    Err(CommandError::environment(format!(
        "the checkout {} does not contain the series (missing {})",
        checkout.path.display(),
        missing.iter().take(3).map(|s| s.as_str()).collect::<Vec<_>>().join(", ")
    ))
    .with_hint("run `dsock test --apply` (tests a temporary work tree), or `dsock apply` and check out its branch"))
}

/// The environment of the series' IWA mode, as upstream documents it (test/browser_common.py):
/// the browser is the Chromium executable itself, `EMTEST_BROWSER_IWA=1` installs the btest
/// server as an Isolated Web App over CDP, headless.
fn upstream_env(chromium: &Path) -> Vec<(&'static str, String)> {
    vec![
        ("EMTEST_BROWSER_IWA", "1".to_string()),
        ("EMTEST_BROWSER", chromium.display().to_string()),
        ("EMTEST_HEADLESS", "1".to_string()),
    ]
}

/// The suites our extension modules (`dir/test*.py`) define: `class NAME(` at the start of a
/// line. Upstream's runner does not know them.
fn extension_suites(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if !(name.starts_with("test") && name.ends_with(".py")) {
            continue;
        }
        for line in std::fs::read_to_string(entry.path()).unwrap_or_default().lines() {
            if let Some(rest) = line.strip_prefix("class ") {
                let class: String = rest.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
                if !class.is_empty() && !class.starts_with('_') && rest[class.len()..].starts_with('(') {
                    out.push(class);
                }
            }
        }
    }
    out.sort();
    out
}

/// The command that runs the same upstream tests without dsock, from the root of an Emscripten
/// checkout with the series (shown in the PR description): the [`upstream_env`] settings and
/// `test/runner` with the selectors, minus those of our `extensions` suites. `None` when only
/// extension suites were selected.
pub fn upstream_command(chromium: &Path, selectors: &[String], extensions: &[String]) -> Option<String> {
    let upstream: Vec<String> = selectors
        .iter()
        .filter(|s| {
            let suite = s.strip_prefix("skip:").unwrap_or(s).split('.').next().unwrap_or("");
            !extensions.iter().any(|e| e == suite)
        })
        .map(|s| if s.contains(['*', '?', '[', ' ']) { format!("'{s}'") } else { s.clone() })
        .collect();
    if upstream.is_empty() {
        return None;
    }
    let env: Vec<String> = upstream_env(chromium).into_iter().map(|(k, v)| format!("{k}={v}")).collect();
    Some(format!("{} test/runner {}", env.join(" "), upstream.join(" ")))
}

fn command_line(args: &Args) -> String {
    let mut parts = vec!["dsock test".to_string()];
    if args.apply {
        parts.push("--apply".into());
    }
    parts.extend(args.selectors.iter().cloned());
    parts.join(" ")
}

fn save_json(path: &Path, run: &TestRun) -> CommandResult<()> {
    if let Some(d) = path.parent() {
        std::fs::create_dir_all(d)?;
    }
    let mut text = serde_json::to_string_pretty(run).map_err(|e| CommandError::internal(e.to_string()))?;
    text.push('\n');
    std::fs::write(path, text)?;
    Ok(())
}

fn emit(ctx: &mut CommandContext, args: &Args, run: &TestRun) -> CommandResult<()> {
    if let Some(j) = &args.junit {
        if let Some(d) = j.parent() {
            std::fs::create_dir_all(d)?;
        }
        std::fs::write(j, junit::write(run))?;
    }
    if args.markdown {
        write!(ctx.out, "{}", render::markdown(run))?;
    } else if args.format == OutputFormat::Json {
        let mut text = serde_json::to_string_pretty(run).map_err(|e| CommandError::internal(e.to_string()))?;
        text.push('\n');
        write!(ctx.out, "{text}")?;
    } else {
        write!(ctx.out, "{}", render::human(run))?;
    }
    Ok(())
}

/// Points fd 1 at fd 2 for its lifetime (subprocesses of the runner inherit fd 1 too).
struct StdoutToStderr {
    saved: i32,
}

impl StdoutToStderr {
    fn new() -> StdoutToStderr {
        let _ = std::io::stdout().flush();
        // SAFETY: plain fd duplication; restored in drop.
        let saved = unsafe { libc::dup(1) };
        if saved >= 0 {
            unsafe { libc::dup2(2, 1) };
        }
        StdoutToStderr { saved }
    }
}

impl Drop for StdoutToStderr {
    fn drop(&mut self) {
        if self.saved >= 0 {
            unsafe {
                libc::dup2(self.saved, 1);
                libc::close(self.saved);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sel(s: &[&str]) -> Vec<String> {
        s.iter().map(|x| x.to_string()).collect()
    }

    #[test]
    fn upstream_command_drops_extension_suites_and_quotes_wildcards() {
        let cmd = upstream_command(
            Path::new("/usr/bin/chromium"),
            &sel(&["sockets_browser.*direct_sockets*", "dsock_sockets", "sockets_node", "skip:dsock_sockets.test_x"]),
            &sel(&["dsock_sockets"]),
        );
        assert_eq!(
            cmd.as_deref(),
            Some("EMTEST_BROWSER_IWA=1 EMTEST_BROWSER=/usr/bin/chromium EMTEST_HEADLESS=1 test/runner 'sockets_browser.*direct_sockets*' sockets_node")
        );
    }

    #[test]
    fn upstream_command_is_none_for_extension_suites_only() {
        let cmd = upstream_command(Path::new("/usr/bin/chromium"), &sel(&["dsock_sockets.test_a"]), &sel(&["dsock_sockets"]));
        assert_eq!(cmd, None);
    }

    #[test]
    fn extension_suites_are_read_from_the_modules() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("test-browser/python");
        assert_eq!(extension_suites(&dir), vec!["dsock_sockets".to_string()]);
    }
}
