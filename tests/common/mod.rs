//! Hermetic sandboxes for the series-loop tests: a miniature "upstream Emscripten" git
//! repository built from code, a dsock repo directory, and private HOME/XDG dirs.
//! Every git and dsock process runs with a fixed identity and fixed dates, no system
//! or global git config, and the sandbox's HOME, so results are the same on any machine.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

pub mod tree;

pub struct Sandbox {
    pub dir: tempfile::TempDir,
}

/// Output of one process.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// stdout, then stderr (if any) under a marker; for snapshots.
    pub fn both(&self) -> String {
        if self.stderr.is_empty() {
            format!("exit {}\n{}", self.code, self.stdout)
        } else {
            format!("exit {}\n{}--- stderr\n{}", self.code, self.stdout, self.stderr)
        }
    }
}

pub const LIBSOCKFS: &str = "\
// libsockfs.js (miniature)
addToLibrary({
  $SOCKFS__deps: ['$FS',
#if NODERAWSOCKETS
    '$nodeSockOps',
#endif
  ],
  $SOCKFS: {
    mount(mount) {
      return FS.createNode(null, '/', 0o40777, 0);
    },
    createSocket(family, type, protocol) {
      var streaming = type == {{{ cDefs.SOCK_STREAM }}};
      var sock = {
        family,
        type,
        protocol,
#if NODERAWSOCKETS
        sock_ops: nodeSockOps
#else
        sock_ops: SOCKFS.websocket_sock_ops
#endif
      };
      return sock;
    },
  },
});
";

pub const SETTINGS: &str = "\
// settings.js (miniature)
var NODERAWSOCKETS = false;
var PROXY_POSIX_SOCKETS = false;
";

impl Sandbox {
    /// A sandbox with `up/` = upstream (branch `main`, 2 commits) and an empty `ds/`.
    pub fn new() -> Sandbox {
        let sb = Sandbox { dir: tempfile::Builder::new().prefix("dsock-test").tempdir().unwrap() };
        for d in ["home", "xdg", "up", "ds"] {
            std::fs::create_dir_all(sb.path(d)).unwrap();
        }
        sb.git("up", &["init", "-q", "-b", "main"]);
        sb.write("up/src/lib/libsockfs.js", LIBSOCKFS);
        sb.write("up/src/settings.js", SETTINGS);
        sb.write("up/README.md", "Emscripten (miniature)\n");
        sb.commit_all("up", "Initial import");
        sb.write("up/ChangeLog.md", "- nothing yet\n");
        sb.commit_all("up", "Add ChangeLog");
        sb.git("ds", &["init", "-q", "-b", "main"]);
        sb
    }

    /// The sandbox with a three-commit series on branch `direct-sockets` of `up/`:
    /// 1. modify libsockfs.js deps; 2. add libsockfs_direct.js + a setting;
    /// 3. extend libsockfs_direct.js (modifies a file the series added) + select the ops.
    pub fn with_branch() -> Sandbox {
        let sb = Sandbox::new();
        sb.git("up", &["checkout", "-q", "-b", "direct-sockets"]);
        sb.edit("up/src/lib/libsockfs.js", "#endif\n  ],", "#endif\n#if DIRECT_SOCKETS\n    '$directSockOps',\n#endif\n  ],");
        sb.commit_all("up", "sockfs: depend on directSockOps under DIRECT_SOCKETS\n\nautoAddDeps pulls the backend in only when it is enabled.");
        sb.write(
            "up/src/lib/libsockfs_direct.js",
            "// Direct Sockets sock_ops.\naddToLibrary({\n  $directSockOps: {\n    poll(sock) {\n      return 0;\n    },\n  },\n});\n",
        );
        sb.edit("up/src/settings.js", "var PROXY_POSIX_SOCKETS = false;\n", "var PROXY_POSIX_SOCKETS = false;\nvar DIRECT_SOCKETS = false;\n");
        sb.commit_all("up", "Add the DIRECT_SOCKETS backend (TCP)");
        sb.edit("up/src/lib/libsockfs_direct.js", "      return 0;\n    },\n", "      return 0;\n    },\n    sendmsg(sock, buffer, offset, length) {\n      return length;\n    },\n");
        sb.edit(
            "up/src/lib/libsockfs.js",
            "#if NODERAWSOCKETS\n        sock_ops: nodeSockOps",
            "#if DIRECT_SOCKETS\n        sock_ops: directSockOps\n#elif NODERAWSOCKETS\n        sock_ops: nodeSockOps",
        );
        sb.commit_all("up", "DIRECT_SOCKETS: UDP sendmsg, select the ops in createSocket\n\nSigned-off-by: Dev <dev@example.com>");
        sb.git("up", &["checkout", "-q", "main"]);
        sb
    }

    /// `with_branch` exported into `ds/` and committed there (the normal starting point).
    pub fn exported() -> Sandbox {
        let sb = Sandbox::with_branch();
        let r = sb.dsock(&["export"]);
        assert_eq!(r.code, 0, "{}", r.both());
        sb.commit_all("ds", "series");
        sb
    }

    pub fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    pub fn write(&self, rel: &str, text: &str) {
        let p = self.path(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }

    pub fn read(&self, rel: &str) -> String {
        std::fs::read_to_string(self.path(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
    }

    /// Replace exactly one occurrence of `from` in a file.
    pub fn edit(&self, rel: &str, from: &str, to: &str) {
        let text = self.read(rel);
        assert_eq!(text.matches(from).count(), 1, "{rel} must contain {from:?} once");
        self.write(rel, &text.replacen(from, to, 1));
    }

    fn env(&self, cmd: &mut Command) {
        cmd.env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", self.path("home"))
            .env("XDG_CONFIG_HOME", self.path("xdg"))
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_AUTHOR_NAME", "Dev")
            .env("GIT_AUTHOR_EMAIL", "dev@example.com")
            .env("GIT_AUTHOR_DATE", "1700000000 +0000")
            .env("GIT_COMMITTER_NAME", "Dev")
            .env("GIT_COMMITTER_EMAIL", "dev@example.com")
            .env("GIT_COMMITTER_DATE", "1700000000 +0000")
            .env("LC_ALL", "C")
            // setup's network probe must fail fast and offline.
            .env("DSOCK_UPSTREAM_URL", self.path("no-such-upstream"));
    }

    /// Run git in `dir` (relative to the sandbox); panics on failure; returns trimmed stdout.
    pub fn git(&self, dir: &str, args: &[&str]) -> String {
        let r = self.git_run(dir, args);
        assert_eq!(r.code, 0, "git {args:?} in {dir}: {}", r.both());
        r.stdout.trim_end().to_string()
    }

    pub fn git_run(&self, dir: &str, args: &[&str]) -> Run {
        let mut cmd = Command::new("git");
        self.env(&mut cmd);
        cmd.current_dir(self.path(dir)).args(args);
        run(cmd)
    }

    pub fn commit_all(&self, dir: &str, message: &str) {
        self.git(dir, &["add", "-A"]);
        self.git(dir, &["commit", "-q", "-m", message]);
    }

    /// Run dsock in `ds/` against `up/` (via `--emscripten`).
    pub fn dsock(&self, args: &[&str]) -> Run {
        let mut full = vec!["--emscripten".to_string(), self.path("up").display().to_string()];
        full.extend(args.iter().map(|s| s.to_string()));
        self.dsock_raw(&full.iter().map(String::as_str).collect::<Vec<_>>())
    }

    /// Run dsock in `ds/` with exactly `args`.
    pub fn dsock_raw(&self, args: &[&str]) -> Run {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_dsock"));
        self.env(&mut cmd);
        cmd.current_dir(self.path("ds")).args(args);
        run(cmd)
    }

    /// Snapshot filters: the sandbox path, full and abbreviated hashes.
    pub fn filters(&self) -> Vec<(String, String)> {
        let root = self.dir.path().canonicalize().unwrap();
        vec![
            (regex::escape(&root.display().to_string()), "[SANDBOX]".into()),
            (regex::escape(&self.dir.path().display().to_string()), "[SANDBOX]".into()),
            (r"\b[0-9a-f]{40}\b".into(), "[SHA]".into()),
            (r"\b[0-9a-f]{7,13}\b".into(), "[SHORT]".into()),
        ]
    }

    /// Snapshot of all files under `rel` (path → bytes), to prove nothing changed.
    pub fn tree_bytes(&self, rel: &str) -> Vec<(PathBuf, Vec<u8>)> {
        let mut out = Vec::new();
        walk(&self.path(rel), &self.path(rel), &mut out);
        out.sort();
        out
    }

    pub fn rev(&self, dir: &str, rev: &str) -> Option<String> {
        let r = self.git_run(dir, &["rev-parse", "--verify", "--quiet", rev]);
        (r.code == 0).then(|| r.stdout.trim().to_string())
    }
}

fn walk(root: &Path, dir: &Path, out: &mut Vec<(PathBuf, Vec<u8>)>) {
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.file_name().is_some_and(|n| n == ".git") {
            continue;
        }
        if p.is_dir() {
            walk(root, &p, out);
        } else {
            out.push((p.strip_prefix(root).unwrap().to_path_buf(), std::fs::read(&p).unwrap()));
        }
    }
}

fn run(mut cmd: Command) -> Run {
    let out = cmd.output().expect("spawn");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Assert a snapshot with the sandbox's filters.
#[macro_export]
macro_rules! snap {
    ($sb:expr, $name:expr, $value:expr) => {{
        let mut settings = insta::Settings::clone_current();
        for (re, rep) in $sb.filters() {
            settings.add_filter(&re, rep);
        }
        settings.bind(|| insta::assert_snapshot!($name, $value));
    }};
}
