//! `cargo bench -p dsock --bench check`: wall time of `dsock check` without upstream
//! linters (budget: well under 1 s), measured in-process with `Instant`.
//!
//! Cases:
//! - `lint <file>`: `dsock_lint::lint_file` on each `emscripten/**/*.js` of this repo, and
//!   on a generated 2,000-line library (the size of the prior art's libdirectsockets.js);
//! - `check (no checkout)`: `check_series` on this repo's series (manifest, messages,
//!   overlay ownership, whitespace, lint);
//! - `check (checkout)`: the same plus building the series in memory, export --check and
//!   the patched-file lint, when `DSOCK_EMSCRIPTEN` names a checkout.
//!
//! `DSOCK_BENCH_REPO=PATH` measures another dsock repo's series (e.g. a fresh
//! `dsock export` of the PR branch). Without a series, the series cases run on a generated
//! one and say so.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use dsock_core::checks::{check_series, SeriesOptions};

const RUNS: usize = 20;

fn measure(name: &str, mut f: impl FnMut() -> usize) {
    let mut times: Vec<Duration> = Vec::with_capacity(RUNS);
    let mut findings = 0;
    f(); // warm the page cache
    for _ in 0..RUNS {
        let t = Instant::now();
        findings = f();
        times.push(t.elapsed());
    }
    times.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    let mean = times.iter().sum::<Duration>() / RUNS as u32;
    println!(
        "{name:<44} min {:>8.2} ms  median {:>8.2} ms  mean {:>8.2} ms  max {:>8.2} ms  ({findings} findings, {RUNS} runs)",
        ms(times[0]),
        ms(times[RUNS / 2]),
        ms(mean),
        ms(times[RUNS - 1])
    );
}

/// A synthetic library in the style of a sock_ops backend: `blocks` copies of a block
/// with macros, #if lines, option builders and socket constructors.
fn synthetic_library(blocks: usize) -> String {
    let mut s = String::from("// https://wicg.github.io/direct-sockets/\naddToLibrary({\n");
    for i in 0..blocks {
        s.push_str(&format!(
            r#"  $ops{i}__deps: ['$helpers{i}'],
  $ops{i}: {{
    connect(sock, host, port) {{
      if (sock.type !== {{{{{{ cDefs.SOCK_DGRAM }}}}}}) throw new FS.ErrnoError({{{{{{ cDefs.EINVAL }}}}}});
      var opts = {{ remoteAddress: host, remotePort: port }};
      if (sock.family === {{{{{{ cDefs.AF_INET6 }}}}}}) opts.dnsQueryType = 'ipv6';
#if ASSERTIONS
      assert(sock.state !== undefined);
#endif
      sock.udp = new UDPSocket(opts);
      sock.udp.opened.then((info) => {{
        sock.reader = info.readable.getReader();
        sock.writer = info.writable.getWriter();
      }}, (e) => {{ sock.error = {{{{{{ cDefs.EHOSTUNREACH }}}}}}; }});
    }},
    recvmsg(sock, length) {{
      if (sock.queue.length) return sock.queue.shift();
      if (sock.error) {{ var e = sock.error; sock.error = null; throw new FS.ErrnoError(e); }}
      if (sock.readClosed) return null;
      throw new FS.ErrnoError({{{{{{ cDefs.EAGAIN }}}}}});
    }},
    sendmsg(sock, buffer, offset, length) {{
      var data = buffer.slice(offset, offset + length);
      sock.writer.write(data).catch((e) => {{ sock.error = {{{{{{ cDefs.ECONNRESET }}}}}}; }});
      return length;
    }},
    close(sock) {{
      sock.reader?.cancel().catch(() => {{}});
      sock.writer?.close().catch(() => {{}});
    }},
  }},
"#
        ));
    }
    s.push_str("});\n");
    s
}

fn js_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(rd) = std::fs::read_dir(dir) else { return };
    for e in rd.flatten() {
        let p = e.path();
        if p.is_dir() {
            js_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "js") {
            out.push(p);
        }
    }
}

/// A throwaway dsock repo with one commit adding the synthetic library.
fn synthetic_repo(lib: &str) -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    std::fs::create_dir_all(root.join("patch-series")).unwrap();
    std::fs::create_dir_all(root.join("emscripten/src/lib")).unwrap();
    std::fs::write(root.join("emscripten/src/lib/libsockfs_direct.js"), lib).unwrap();
    std::fs::write(
        root.join("patch-series/series.toml"),
        r#"[upstream]
url = "https://github.com/emscripten-core/emscripten"
branch = "main"
base = "a04d0beef36bfa7661cee4b8dff7d3909303dabc"

[[commit]]
id = "I0000000000000000000000000000000000000001"
subject = "Add the DIRECT_SOCKETS sock_ops backend"
author = "Bench <bench@example.com>"
body = "Synthetic series for the benchmark."
overlay = ["src/lib/libsockfs_direct.js"]
"#,
    )
    .unwrap();
    tmp
}

fn main() {
    // `cargo bench` passes --bench; ignore arguments.
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let opts = dsock_lint::LintOptions::default();
    let lib = synthetic_library(60);
    println!("synthetic library: {} lines", lib.lines().count());
    measure("lint synthetic 2k-line library", || dsock_lint::lint_file("synthetic.js", &lib, &opts).len());
    let mut files = Vec::new();
    js_files(&root.join("emscripten"), &mut files);
    files.sort();
    for f in &files {
        let text = std::fs::read_to_string(f).unwrap();
        let name = f.strip_prefix(root).unwrap().display().to_string();
        measure(&format!("lint {name}"), || dsock_lint::lint_file(&name, &text, &opts).len());
    }

    let bench_repo = std::env::var_os("DSOCK_BENCH_REPO").map(PathBuf::from).unwrap_or_else(|| root.to_path_buf());
    let own_series = bench_repo.join("patch-series/series.toml").is_file();
    let synthetic = synthetic_repo(&lib);
    let repo: &Path = if own_series {
        println!("series: {}", bench_repo.display());
        &bench_repo
    } else {
        println!("SKIPPED: {} has no patch-series/series.toml; the series cases use a generated one-commit series", bench_repo.display());
        synthetic.path()
    };
    let no_linters = SeriesOptions { upstream_linters: false, struct_info: false };
    measure("check --no-upstream-linters (no checkout)", || {
        check_series(repo, None, &no_linters).expect("check runs").diagnostics.len()
    });
    match std::env::var_os("DSOCK_EMSCRIPTEN") {
        Some(ems) if own_series => {
            let ems = PathBuf::from(ems);
            let git = dsock::git::Git::open(&ems).expect("DSOCK_EMSCRIPTEN is a git checkout");
            measure("check --no-upstream-linters (checkout)", || {
                check_series(repo, Some((&ems, &git)), &no_linters).expect("check runs").diagnostics.len()
            });
        }
        Some(_) => println!("SKIPPED: check with a checkout: needs this repo's own series"),
        None => println!("SKIPPED: check with a checkout: set DSOCK_EMSCRIPTEN=PATH to measure it"),
    }
}
