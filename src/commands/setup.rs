//! `dsock setup [--emscripten PATH] [--clone DIR]`: record the Emscripten checkout.
//!
//! - With a path (`--emscripten PATH` or `DSOCK_EMSCRIPTEN`): check it is a git clone of
//!   Emscripten and write it to the user config (`$XDG_CONFIG_HOME/dsock/config.toml`,
//!   default `~/.config/dsock/config.toml`).
//! - With `--clone DIR`: run `git clone <upstream> DIR`, then record DIR.
//! - Without either: show the recorded checkout if there is one; otherwise print the
//!   `git clone` it would run and whether upstream is reachable from this machine
//!   (a `git ls-remote` with a short timeout), and exit 2.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::config::{self, UserConfig};
use crate::context::CommandContext;
use crate::error::{CommandError, CommandResult};
use crate::exit::ExitStatus;
use crate::git::Git;
use crate::series::UPSTREAM_URL;

/// Overrides the upstream URL `setup` probes and clones (tests point it at a local path).
pub const ENV_UPSTREAM_URL: &str = "DSOCK_UPSTREAM_URL";

/// How long the reachability probe may take.
const PROBE_TIMEOUT: Duration = Duration::from_secs(8);

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Clone upstream Emscripten into DIR (needs network), then record it.
    #[arg(long, value_name = "DIR")]
    pub clone: Option<PathBuf>,
}

fn upstream_url() -> String {
    std::env::var(ENV_UPSTREAM_URL).ok().filter(|s| !s.is_empty()).unwrap_or_else(|| UPSTREAM_URL.to_string())
}

/// `git ls-remote --heads URL main`, killed after [`PROBE_TIMEOUT`]. `Err` says why not.
pub fn probe_upstream(url: &str) -> Result<(), String> {
    let mut child = Command::new("git")
        .args(["ls-remote", "--heads", url, "main"])
        .env("GIT_TERMINAL_PROMPT", "0")
        .env("LC_ALL", "C")
        .env("GIT_HTTP_LOW_SPEED_LIMIT", "1000")
        .env("GIT_HTTP_LOW_SPEED_TIME", "5")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot run git: {e}"))?;
    let start = Instant::now();
    loop {
        match child.try_wait() {
            Ok(Some(status)) if status.success() => return Ok(()),
            Ok(Some(_)) => {
                let mut err = String::new();
                if let Some(mut e) = child.stderr.take() {
                    use std::io::Read;
                    let _ = e.read_to_string(&mut err);
                }
                let first = err.lines().find(|l| !l.trim().is_empty()).unwrap_or("git ls-remote failed");
                return Err(first.trim().to_string());
            }
            Ok(None) if start.elapsed() > PROBE_TIMEOUT => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!("no answer within {}s", PROBE_TIMEOUT.as_secs()));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(50)),
            Err(e) => return Err(e.to_string()),
        }
    }
}

/// Check `path` is an Emscripten clone and record it; returns the config file path.
fn record(ctx: &mut CommandContext, path: &Path) -> CommandResult<PathBuf> {
    let git = Git::open(path).map_err(|e| {
        CommandError::environment(format!("{} is not a git checkout: {}", path.display(), e.message()))
            .with_hint(format!("clone Emscripten first: `git clone {} {}`", upstream_url(), path.display()))
    })?;
    let top = PathBuf::from(git.run(["rev-parse", "--show-toplevel"])?);
    let looks_right = ["emcc.py", "src/lib/libsockfs.js"].iter().all(|f| top.join(f).exists())
        || git.read_blob("HEAD", "src/lib/libsockfs.js")?.is_some();
    if !looks_right {
        writeln!(ctx.err, "warning: {} has no emcc.py / src/lib/libsockfs.js; is it an Emscripten clone?", top.display())?;
    }
    let config = UserConfig { emscripten: Some(top.clone()) };
    let file = config.save()?;
    let head = git.run(["log", "-1", "--format=%h %s"]).unwrap_or_default();
    writeln!(ctx.out, "recorded Emscripten checkout {} (HEAD {head})", top.display())?;
    writeln!(ctx.out, "in {}", file.display())?;
    Ok(file)
}

pub fn run(ctx: &mut CommandContext, args: &Args) -> CommandResult {
    let url = upstream_url();
    if let Some(dir) = &args.clone {
        if ctx.global.emscripten.is_some() && std::env::var_os(config::ENV_CHECKOUT).is_none() {
            return Err(CommandError::usage("pass either --emscripten PATH or --clone DIR, not both"));
        }
        if dir.exists() && std::fs::read_dir(dir).map(|mut d| d.next().is_some()).unwrap_or(true) {
            return Err(CommandError::usage(format!("{} already exists and is not empty", dir.display()))
                .with_hint(format!("record an existing clone with `dsock setup --emscripten {}`", dir.display())));
        }
        if let Err(why) = probe_upstream(&url) {
            return Err(CommandError::environment(format!("cannot reach {url} from this machine ({why})"))
                .with_hint(format!(
                    "clone on a machine with network (`git clone {url} {}`), copy it here, then `dsock setup --emscripten {}`",
                    dir.display(),
                    dir.display()
                )));
        }
        writeln!(ctx.out, "running: git clone {url} {}", dir.display())?;
        let status = Command::new("git").arg("clone").arg(&url).arg(dir).env("GIT_TERMINAL_PROMPT", "0").status()?;
        if !status.success() {
            return Err(CommandError::git(format!("git clone {url} {} failed ({status})", dir.display())));
        }
        record(ctx, dir)?;
        return Ok(ExitStatus::Success);
    }
    if let Some(path) = ctx.global.emscripten.clone() {
        record(ctx, &path)?;
        return Ok(ExitStatus::Success);
    }
    if let Some(p) = UserConfig::load()?.emscripten {
        let file = UserConfig::path().map(|f| f.display().to_string()).unwrap_or_default();
        writeln!(ctx.out, "Emscripten checkout: {} (recorded in {file})", p.display())?;
        if Git::open(&p).is_err() {
            writeln!(ctx.out, "warning: it is not a git checkout any more; run `dsock setup --emscripten PATH`")?;
            return Ok(ExitStatus::Error);
        }
        return Ok(ExitStatus::Success);
    }
    let default_dir = std::env::var_os("HOME").map(|h| PathBuf::from(h).join("emscripten")).unwrap_or_else(|| "emscripten".into());
    writeln!(ctx.out, "no Emscripten checkout configured.")?;
    writeln!(ctx.out, "dsock would get one with:")?;
    writeln!(ctx.out, "  git clone {url} {}", default_dir.display())?;
    writeln!(ctx.out, "  dsock setup --emscripten {}", default_dir.display())?;
    match probe_upstream(&url) {
        Ok(()) => {
            writeln!(ctx.out, "{url} is reachable: run `dsock setup --clone {}` to do both", default_dir.display())?;
        }
        Err(why) => {
            writeln!(ctx.out, "this machine cannot reach {url} ({why}), so dsock cannot clone it here.")?;
            writeln!(ctx.out, "clone it on a machine with network and copy it over, or point dsock at an existing clone:")?;
            writeln!(ctx.out, "  dsock setup --emscripten PATH")?;
        }
    }
    Ok(ExitStatus::Error)
}

use std::io::Write as _;
