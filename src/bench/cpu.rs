//! CPU time a server used during one run.
//!
//! Rates and latencies of the browser variants depend on how fast the machine wakes an idle
//! CPU as much as on the work done (see [`super::wake`]): on the 2-core VM with halt polling
//! off, code that keeps the page's thread busy a little longer after each write was faster,
//! because the next wake found the CPU awake. CPU time per unit of work does not reward that,
//! so each run also records what the server's whole process tree spent: the server process and
//! every descendant (for a browser variant: the launcher, Chromium's browser, renderer, GPU
//! and network service processes).
//!
//! Source: `/proc/<pid>/stat` (`man 5 proc`), fields 14–17 (utime, stime, cutime, cstime) in
//! clock ticks (`sysconf(_SC_CLK_TCK)`, 100 per second on Linux), so each process contributes
//! up to 10 ms of rounding per field; the child times keep processes that exited and were
//! reaped during the run. Linux only: elsewhere nothing is recorded.

use std::collections::HashMap;

/// One process as `/proc/<pid>/stat` describes it.
#[derive(Debug, Clone, Copy, PartialEq)]
struct ProcStat {
    pid: u32,
    ppid: u32,
    /// utime + stime + cutime + cstime, in clock ticks.
    ticks: u64,
}

/// Parse a `/proc/<pid>/stat` line: `pid (comm) state ppid … utime stime cutime cstime …`.
/// The command name may hold spaces and parentheses, so fields are counted after the last `)`.
fn parse_stat(line: &str) -> Option<ProcStat> {
    let (head, tail) = line.rsplit_once(')')?;
    let pid = head.split_once(" (")?.0.trim().parse().ok()?;
    // Fields from 3 (state) on.
    let f: Vec<&str> = tail.split_whitespace().collect();
    let field = |n: usize| -> Option<u64> { f.get(n - 3)?.parse().ok() };
    Some(ProcStat {
        pid,
        ppid: field(4)? as u32,
        ticks: field(14)? + field(15)? + field(16)? + field(17)?,
    })
}

/// Total ticks of `root` and all its descendants among `procs`.
fn tree_ticks(procs: &[ProcStat], root: u32) -> Option<u64> {
    let mut children: HashMap<u32, Vec<&ProcStat>> = HashMap::new();
    let mut found = None;
    for p in procs {
        children.entry(p.ppid).or_default().push(p);
        if p.pid == root {
            found = Some(p);
        }
    }
    let mut total = 0;
    let mut stack = vec![found?];
    while let Some(p) = stack.pop() {
        total += p.ticks;
        if let Some(c) = children.get(&p.pid) {
            stack.extend(c.iter().copied());
        }
    }
    Some(total)
}

/// CPU milliseconds used so far by process `root` and its descendants (user and system
/// time, reaped children included); `None` when `/proc` is unavailable or `root` is gone.
/// The difference of two readings is what the tree used in between.
pub fn tree_cpu_ms(root: u32) -> Option<f64> {
    let mut procs = Vec::new();
    for entry in std::fs::read_dir("/proc").ok()?.flatten() {
        let name = entry.file_name();
        if !name.to_string_lossy().bytes().all(|b| b.is_ascii_digit()) {
            continue;
        }
        // A process may exit between the listing and the read.
        if let Ok(line) = std::fs::read_to_string(entry.path().join("stat")) {
            procs.extend(parse_stat(&line));
        }
    }
    let ticks = tree_ticks(&procs, root)?;
    // SAFETY: sysconf has no preconditions.
    let hz = unsafe { libc::sysconf(libc::_SC_CLK_TCK) };
    let hz = if hz > 0 { hz as f64 } else { 100.0 };
    Some(ticks as f64 * 1000.0 / hz)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_a_stat_line_whose_name_has_spaces_and_parentheses() {
        let line = "4242 (Web Content (x)) S 4000 4242 4242 0 -1 4194560 100 0 0 0 \
                    250 50 7 3 20 0 12 0 1000 2000000 500 18446744073709551615";
        assert_eq!(
            parse_stat(line),
            Some(ProcStat {
                pid: 4242,
                ppid: 4000,
                ticks: 310
            })
        );
        assert_eq!(parse_stat("garbage"), None);
    }

    #[test]
    fn sums_the_tree_below_the_root_only() {
        let p = |pid, ppid, ticks| ProcStat { pid, ppid, ticks };
        let procs = [p(1, 0, 1000), p(10, 1, 5), p(11, 10, 7), p(12, 11, 11), p(20, 1, 100)];
        assert_eq!(tree_ticks(&procs, 10), Some(23));
        assert_eq!(tree_ticks(&procs, 20), Some(100));
        assert_eq!(tree_ticks(&procs, 99), None);
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn counts_a_busy_child_process() {
        let mut child = std::process::Command::new("sh")
            .args(["-c", "i=0; while [ $i -lt 200000 ]; do i=$((i+1)); done"])
            .spawn()
            .expect("sh runs");
        let before = tree_cpu_ms(std::process::id()).expect("this process is in /proc");
        child.wait().expect("sh ends");
        let after = tree_cpu_ms(std::process::id()).expect("this process is in /proc");
        // The reaped child's time is in this process's cutime/cstime now.
        assert!(after - before >= 10.0, "before {before} ms, after {after} ms");
    }
}
