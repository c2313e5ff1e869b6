//! The prior-art variant: dsbench.c built with Socket.IWA's Emscripten library
//! (<https://github.com/maceip/Socket.IWA>, `emscripten/src/lib/libdirectsockets.js`), so a
//! reader can compare it with the series on the same machine in the same run.
//!
//! Its code is never part of this repository: the user points `--prior-art PATH`
//! (`DSOCK_BENCH_PRIOR_ART`) at a clone (a work tree, or a bare/mirror git directory whose
//! HEAD is used). The library is used unmodified: Socket.IWA's own `docker_build.sh` patches a
//! temporary work tree of the user's Emscripten checkout (settings.js, libsyscall.js,
//! libwasi.js, modules.mjs, syscall stubs) and copies the library in; only its last step, an
//! `em++` build of its own test program, is replaced by a no-op on `PATH`.
//!
//! Which Emscripten: first the commit the series is based on (upstream main as the series
//! targets it); if dsbench.c does not build there, the Emscripten release the prior art's CI
//! builds with (`emscripten/emsdk:X.Y.Z` in `.github/workflows/build.yml`, tag `X.Y.Z` of the
//! checkout). The report says which, and why the first failed. The build uses a cache of its
//! own (`EM_CACHE`): an Emscripten of another version would otherwise clear the shared one.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::git::Git;
use crate::testrun::worktree::TempTree;

/// Where the prior art comes from and which Emscripten checkout to build it with.
#[derive(Debug, Clone)]
pub struct Source {
    /// The user's Socket.IWA clone: a work tree, or a git directory (HEAD is used).
    pub path: PathBuf,
    /// The user's Emscripten checkout: temporary work trees are added to it.
    pub checkout: Git,
    /// Its work tree, whose node_modules the temporary trees share.
    pub checkout_dir: PathBuf,
    /// The first Emscripten commit to try: the series base.
    pub base: String,
    /// Python for Emscripten's `create_entry_points.py` and Socket.IWA's patch script.
    pub python: PathBuf,
}

/// A finished prior-art build (dsbench.js/.wasm in the output directory).
#[derive(Debug, Clone)]
pub struct Built {
    /// For the report's tool line: "maceip/Socket.IWA <sha> on Emscripten <rev>".
    pub describe: String,
    /// What the table should say about the build (the Emscripten it needed, and why).
    pub notes: Vec<String>,
}

/// The library file docker_build.sh copies into Emscripten.
const LIBRARY: &str = "emscripten/src/lib/libdirectsockets.js";
const SCRIPT: &str = "docker_build.sh";
const WORKFLOW: &str = ".github/workflows/build.yml";

/// Build `source_c` with the prior art into `out` (`dsbench.js` + `.wasm`), with `flags` after
/// `-o`. `env` is the toolchain environment; `cache` holds a private EM_CACHE per Emscripten
/// commit (kept between runs; its first fill builds libc and takes minutes). Errors are the reason the variant did not run.
pub fn build(
    src: &Source,
    env: &[(String, String)],
    source_c: &Path,
    flags: &[&str],
    out: &Path,
    cache: &Path,
) -> Result<Built, String> {
    let work = tempfile::Builder::new()
        .prefix("dsock-prior-art-")
        .tempdir()
        .map_err(|e| format!("cannot create a temporary directory: {e}"))?;
    let (lib_dir, origin) = source_tree(&src.path, work.path())?;
    let mut notes = Vec::new();
    let mut candidates = vec![(
        src.base.clone(),
        "the series base (upstream main)".to_string(),
    )];
    if let Some(tag) = targeted_release(&lib_dir) {
        candidates.push((
            tag.clone(),
            format!("Emscripten {tag}, which its CI builds with (emsdk {tag})"),
        ));
    }
    let mut last_err = String::new();
    for (rev, why) in candidates {
        let Ok(commit) = src.checkout.rev_parse_commit(&rev) else {
            last_err = format!("{rev} is not in the Emscripten checkout (git fetch --tags?)");
            notes.push(format!("Cannot try {why}: not in the checkout"));
            continue;
        };
        let short: String = commit.chars().take(10).collect();
        let tree = temp_tree(src, &commit)?;
        patch(&tree.path, &lib_dir, env, work.path())?;
        // One cache per Emscripten commit: a cache of another version is cleared on first use.
        let cache = cache.join(&short);
        std::fs::create_dir_all(&cache)
            .map_err(|e| format!("cannot create {}: {e}", cache.display()))?;
        let js = out.join("dsbench.js");
        let res = Command::new(tree.path.join("emcc"))
            .arg(source_c)
            .arg("-o")
            .arg(&js)
            .args(flags)
            .envs(env.iter().map(|(k, v)| (k, v)))
            .env("EM_CACHE", &cache)
            .output()
            .map_err(|e| format!("cannot run emcc: {e}"))?;
        if res.status.success() {
            notes.push(format!("Built with {origin} on {why} ({short})"));
            return Ok(Built {
                describe: format!("{origin} on Emscripten {short}"),
                notes,
            });
        }
        last_err = format!("emcc failed on {short}: {}", key_error(&res.stderr));
        notes.push(format!(
            "Does not build on {why} ({short}): {}",
            key_error(&res.stderr)
        ));
    }
    Err(format!("the prior art did not build: {last_err}"))
}

/// The directory holding docker_build.sh and the library: `path` itself when it is a work
/// tree, else HEAD of the git directory `path`, extracted under `scratch`. Also returns
/// "maceip/Socket.IWA <short sha>" (or the path when there is no git history).
fn source_tree(path: &Path, scratch: &Path) -> Result<(PathBuf, String), String> {
    let git = |args: &[&str]| -> Option<String> {
        let out = Command::new("git").args(args).output().ok()?;
        out.status
            .success()
            .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
    };
    let p = path.display().to_string();
    if path.join(LIBRARY).is_file() && path.join(SCRIPT).is_file() {
        let sha = git(&["-C", &p, "rev-parse", "--short=10", "HEAD"]);
        let origin = sha
            .map(|s| format!("Socket.IWA {s}"))
            .unwrap_or_else(|| format!("Socket.IWA at {p}"));
        return Ok((path.to_path_buf(), origin));
    }
    let Some(sha) = git(&["--git-dir", &p, "rev-parse", "--short=10", "HEAD"]) else {
        return Err(format!(
            "{p} is neither a Socket.IWA work tree (with {LIBRARY} and {SCRIPT}) nor a git \
             directory: clone https://github.com/maceip/Socket.IWA and pass its path"
        ));
    };
    let dir = scratch.join("socket-iwa");
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let tar = scratch.join("socket-iwa.tar");
    let tar_s = tar.display().to_string();
    git(&["--git-dir", &p, "archive", "-o", &tar_s, "HEAD"])
        .ok_or_else(|| format!("git archive of {p} failed"))?;
    let ok = Command::new("tar")
        .arg("-xf")
        .arg(&tar)
        .arg("-C")
        .arg(&dir)
        .status()
        .map(|s| s.success())
        .unwrap_or(false);
    if !ok || !dir.join(LIBRARY).is_file() || !dir.join(SCRIPT).is_file() {
        return Err(format!(
            "HEAD of {p} has no {LIBRARY} and {SCRIPT}: is it Socket.IWA?"
        ));
    }
    Ok((dir, format!("Socket.IWA {sha}")))
}

/// `X.Y.Z` from `emscripten/emsdk:X.Y.Z` in the prior art's CI workflow.
fn targeted_release(dir: &Path) -> Option<String> {
    let text = std::fs::read_to_string(dir.join(WORKFLOW)).ok()?;
    let at = text.find("emscripten/emsdk:")? + "emscripten/emsdk:".len();
    let tag: String = text[at..]
        .chars()
        .take_while(|c| c.is_ascii_digit() || *c == '.')
        .collect();
    (tag.split('.').count() == 3).then_some(tag)
}

fn temp_tree(src: &Source, commit: &str) -> Result<TempTree, String> {
    let tree = TempTree::add(&src.checkout, commit, "dsock-prior-art-ems-")
        .map_err(|e| format!("cannot add a work tree at {commit}: {e}"))?;
    crate::testrun::worktree::bootstrap(&tree.path, &src.checkout_dir, &src.python)
        .map_err(|e| format!("cannot bootstrap the prior art's Emscripten tree: {e}"))?;
    Ok(tree)
}

/// Run the prior art's docker_build.sh on `tree` (EMDIR) with `lib_dir` as SRCDIR; its final
/// `em++` test build is a no-op here. Its exit status is not used (it ends with an `ls` of
/// that build); the patched tree is checked instead.
fn patch(
    tree: &Path,
    lib_dir: &Path,
    env: &[(String, String)],
    scratch: &Path,
) -> Result<(), String> {
    let shim = scratch.join("shim");
    std::fs::create_dir_all(&shim).map_err(|e| e.to_string())?;
    let empp = shim.join("em++");
    std::fs::write(&empp, "#!/bin/sh\necho 'em++: skipped by dsock bench'\n")
        .map_err(|e| e.to_string())?;
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&empp, std::fs::Permissions::from_mode(0o755))
        .map_err(|e| e.to_string())?;
    let path = env
        .iter()
        .find(|(k, _)| k == "PATH")
        .map(|(_, v)| v.clone())
        .unwrap_or_else(|| std::env::var("PATH").unwrap_or_default());
    let out = Command::new("bash")
        .arg(lib_dir.join(SCRIPT))
        .envs(env.iter().map(|(k, v)| (k, v)))
        .env("PATH", format!("{}:{path}", shim.display()))
        .env("EMDIR", tree)
        .env("SRCDIR", lib_dir)
        .env("BUILDDIR", scratch.join("unused-build"))
        .output()
        .map_err(|e| format!("cannot run {SCRIPT}: {e}"))?;
    let settings = std::fs::read_to_string(tree.join("src/settings.js")).unwrap_or_default();
    if !tree.join("src/lib/libdirectsockets.js").is_file()
        || !settings.contains("var DIRECT_SOCKETS")
    {
        return Err(format!(
            "the prior art's {SCRIPT} did not patch Emscripten: {}",
            key_error(&out.stderr)
        ));
    }
    Ok(())
}

/// The telling line of emcc's stderr: an error or exception line, else the last line.
fn key_error(stderr: &[u8]) -> String {
    let text = String::from_utf8_lossy(stderr);
    let line = text
        .lines()
        .find(|l| l.contains("Exception message") || l.contains("error:") || l.contains("Error"))
        .or_else(|| text.lines().rev().find(|l| !l.trim().is_empty()))
        .unwrap_or("no output")
        .trim();
    let line = line.trim_start_matches("with a log of the build and the input files used to run. ");
    match line.char_indices().nth(200) {
        Some((i, _)) => format!("{}…", &line[..i]),
        None => line.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn release_from_the_ci_workflow() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join(".github/workflows")).unwrap();
        std::fs::write(
            dir.path().join(WORKFLOW),
            "steps:\n  - run: docker run --rm emscripten/emsdk:5.0.1 \\\n      bash x.sh\n",
        )
        .unwrap();
        assert_eq!(targeted_release(dir.path()), Some("5.0.1".into()));
        std::fs::write(
            dir.path().join(WORKFLOW),
            "image: emscripten/emsdk:latest\n",
        )
        .unwrap();
        assert_eq!(targeted_release(dir.path()), None);
    }

    #[test]
    fn emcc_errors_are_shortened_to_their_key_line() {
        let stderr = b"cache:INFO: x\nInternal compiler error JS compiler\nwith a log of the build and the input files used to run. Exception message: \"AssertionError: falsy\"\n  at y\n";
        assert_eq!(
            key_error(stderr),
            "Exception message: \"AssertionError: falsy\""
        );
        assert_eq!(key_error(b"a\nlast line\n"), "last line");
    }
}
