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
//!
//! The same reading also splits that time by what each process of the tree is
//! ([`Role`], from `/proc/<pid>/cmdline`): for a browser variant, the page's main thread (the
//! renderer's thread whose id is its process id: where the sockets and, under JSPI, the program
//! run), the renderer's other threads (its IO thread, and the program's workers under
//! `-pthread`), Chromium's network service, and the rest. On the 2-core VM all of it competes
//! for the same CPUs, so the split shows which part of Chromium a build makes work harder
//! without the overhead of a trace or a profile (docs/bench.md, twelfth pass).

use std::collections::{BTreeMap, HashMap};

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

/// The pids of `root` and all its descendants among `procs` (`root` first); empty when
/// `root` is not among them.
fn tree_pids(procs: &[ProcStat], root: u32) -> Vec<u32> {
    let mut children: HashMap<u32, Vec<u32>> = HashMap::new();
    for p in procs {
        children.entry(p.ppid).or_default().push(p.pid);
    }
    if !procs.iter().any(|p| p.pid == root) {
        return Vec::new();
    }
    let mut out = Vec::new();
    let mut stack = vec![root];
    while let Some(pid) = stack.pop() {
        out.push(pid);
        if let Some(c) = children.get(&pid) {
            stack.extend(c.iter().copied());
        }
    }
    out
}

/// What a process of a server's tree is, for [`TreeCpu::by_role_ms`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// A Chromium renderer (`--type=renderer`): its main thread is the page's.
    Renderer,
    /// Chromium's network service (`--type=utility --utility-sub-type=network.mojom.NetworkService`),
    /// which owns the sockets behind Direct Sockets.
    NetworkService,
    /// Chromium's browser process (the executable with no `--type`).
    Browser,
    /// Any other Chromium process (GPU, storage service, zygote).
    OtherChromium,
    /// Anything else: the server itself for native and node, the IWA launcher (node).
    Other,
}

/// The keys of [`TreeCpu::by_role_ms`], as written to latest.json.
pub const PAGE_THREAD: &str = "page thread";
pub const RENDERER_OTHER: &str = "renderer, other threads";
pub const NETWORK_SERVICE: &str = "network service";
pub const BROWSER: &str = "browser";
pub const OTHER_CHROMIUM: &str = "other chromium";
pub const OTHER: &str = "other";

/// The role of a process from its `/proc/<pid>/cmdline`: arguments separated by NUL, or by
/// spaces once a zygote-forked Chromium child has rewritten its title.
pub fn role(cmdline: &[u8]) -> Role {
    let text = String::from_utf8_lossy(cmdline);
    let mut args = text.split(['\0', ' ']).filter(|a| !a.is_empty());
    let exe = args.next().unwrap_or("");
    let name = exe.rsplit('/').next().unwrap_or(exe);
    if !matches!(name, "chromium" | "chrome" | "chrome-headless-shell") {
        return Role::Other;
    }
    let args: Vec<&str> = args.collect();
    match args.iter().find_map(|a| a.strip_prefix("--type=")) {
        None => Role::Browser,
        Some("renderer") => Role::Renderer,
        Some("utility") if args.contains(&"--utility-sub-type=network.mojom.NetworkService") => {
            Role::NetworkService
        }
        Some(_) => Role::OtherChromium,
    }
}

/// One reading of a server's process tree.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TreeCpu {
    /// CPU milliseconds used so far by the root and its descendants (user and system time,
    /// reaped children included).
    pub total_ms: f64,
    /// The same time by role ([`PAGE_THREAD`], [`RENDERER_OTHER`], [`NETWORK_SERVICE`],
    /// [`BROWSER`], [`OTHER_CHROMIUM`], [`OTHER`]; only the roles present). A process that exits
    /// moves its time into its parent's reaped-children time, so between two readings a
    /// role's difference may shift to the parent's; the total stays exact.
    pub by_role_ms: BTreeMap<String, f64>,
}

impl TreeCpu {
    /// `self - before`, role by role (a role missing from `before` counts from 0).
    pub fn since(&self, before: &TreeCpu) -> TreeCpu {
        let by_role_ms = self
            .by_role_ms
            .iter()
            .map(|(k, v)| (k.clone(), v - before.by_role_ms.get(k).copied().unwrap_or(0.0)))
            .collect();
        TreeCpu { total_ms: self.total_ms - before.total_ms, by_role_ms }
    }
}

/// Split the processes of one tree into roles: `(role, ticks, main-thread ticks)` per process,
/// where the main-thread ticks count only for renderers.
fn split_ticks(procs: &[(Role, u64, u64)]) -> BTreeMap<&'static str, u64> {
    let mut out = BTreeMap::new();
    for &(r, ticks, main) in procs {
        let mut add = |k: &'static str, t: u64| *out.entry(k).or_insert(0) += t;
        match r {
            Role::Renderer => {
                add(PAGE_THREAD, main.min(ticks));
                add(RENDERER_OTHER, ticks.saturating_sub(main));
            }
            Role::NetworkService => add(NETWORK_SERVICE, ticks),
            Role::Browser => add(BROWSER, ticks),
            Role::OtherChromium => add(OTHER_CHROMIUM, ticks),
            Role::Other => add(OTHER, ticks),
        }
    }
    out
}

fn read_procs() -> Option<Vec<ProcStat>> {
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
    Some(procs)
}

fn ticks_to_ms(ticks: u64) -> f64 {
    // SAFETY: sysconf has no preconditions.
    let hz = unsafe { libc::sysconf(libc::_SC_CLK_TCK) };
    let hz = if hz > 0 { hz as f64 } else { 100.0 };
    ticks as f64 * 1000.0 / hz
}

/// CPU time used so far by process `root` and its descendants, in total and by role: one pass
/// over `/proc`, plus each process's `cmdline` and each renderer's main thread
/// (`/proc/<pid>/task/<pid>/stat`, fields 14–15). `None` when `/proc` is unavailable or `root`
/// is gone. The difference of two readings ([`TreeCpu::since`]) is what the tree used in
/// between.
pub fn tree_cpu(root: u32) -> Option<TreeCpu> {
    let procs = read_procs()?;
    let by_pid: HashMap<u32, &ProcStat> = procs.iter().map(|p| (p.pid, p)).collect();
    let pids = tree_pids(&procs, root);
    if pids.is_empty() {
        return None;
    }
    let mut rows = Vec::new();
    for pid in pids {
        let cmdline = std::fs::read(format!("/proc/{pid}/cmdline")).unwrap_or_default();
        let r = role(&cmdline);
        let main = if r == Role::Renderer {
            std::fs::read_to_string(format!("/proc/{pid}/task/{pid}/stat"))
                .ok()
                .and_then(|l| parse_stat(&l))
                // A thread has no reaped children: its ticks are utime + stime.
                .map_or(0, |t| t.ticks)
        } else {
            0
        };
        rows.push((r, by_pid[&pid].ticks, main));
    }
    let total = rows.iter().map(|&(_, ticks, _)| ticks).sum();
    let by_role_ms = split_ticks(&rows)
        .into_iter()
        .map(|(k, t)| (k.to_string(), ticks_to_ms(t)))
        .collect();
    Some(TreeCpu { total_ms: ticks_to_ms(total), by_role_ms })
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
        let ticks: HashMap<u32, u64> = procs.iter().map(|p| (p.pid, p.ticks)).collect();
        let sum = |root| tree_pids(&procs, root).iter().map(|pid| ticks[pid]).sum::<u64>();
        assert_eq!(sum(10), 23);
        assert_eq!(sum(20), 100);
        assert!(tree_pids(&procs, 99).is_empty());
    }

    #[test]
    fn tells_chromiums_processes_apart_by_their_command_line() {
        let nul = |a: &[&str]| a.join("\0").into_bytes();
        assert_eq!(role(&nul(&["/usr/lib/chromium/chromium", "--headless=new"])), Role::Browser);
        assert_eq!(role(&nul(&["/usr/lib/chromium/chromium", "--type=renderer", "--lang=en"])), Role::Renderer);
        // A zygote child's rewritten title: one string, arguments separated by spaces.
        let title = b"/usr/lib/chromium/chromium --type=utility --utility-sub-type=network.mojom.NetworkService --lang=en\0";
        assert_eq!(role(title), Role::NetworkService);
        let storage = nul(&["/usr/lib/chromium/chromium", "--type=utility", "--utility-sub-type=storage.mojom.StorageService"]);
        assert_eq!(role(&storage), Role::OtherChromium);
        assert_eq!(role(&nul(&["/usr/lib/chromium/chromium", "--type=gpu-process"])), Role::OtherChromium);
        assert_eq!(role(&nul(&["node", "iwa-serve.mjs", "--type=renderer"])), Role::Other);
        assert_eq!(role(&nul(&["./dsbench", "--udp-port", "0"])), Role::Other);
        assert_eq!(role(b""), Role::Other);
    }

    #[test]
    fn splits_a_renderer_into_its_main_thread_and_the_rest() {
        let rows = [
            (Role::Other, 40, 0),
            (Role::Browser, 30, 0),
            (Role::Renderer, 500, 320),
            (Role::Renderer, 10, 10),
            (Role::NetworkService, 200, 0),
            (Role::OtherChromium, 7, 0),
        ];
        let split = split_ticks(&rows);
        assert_eq!(split[PAGE_THREAD], 330);
        assert_eq!(split[RENDERER_OTHER], 180);
        assert_eq!(split[NETWORK_SERVICE], 200);
        assert_eq!(split[BROWSER], 30);
        assert_eq!(split[OTHER_CHROMIUM], 7);
        assert_eq!(split[OTHER], 40);
        assert_eq!(split.values().sum::<u64>(), 787, "every tick in exactly one role");
    }

    #[test]
    fn a_reading_minus_an_earlier_one_is_what_each_role_used_in_between() {
        let reading = |total, roles: &[(&str, f64)]| TreeCpu {
            total_ms: total,
            by_role_ms: roles.iter().map(|(k, v)| (k.to_string(), *v)).collect(),
        };
        let before = reading(100.0, &[(PAGE_THREAD, 60.0), (OTHER, 40.0)]);
        let after = reading(180.0, &[(PAGE_THREAD, 110.0), (OTHER, 50.0), (NETWORK_SERVICE, 20.0)]);
        let d = after.since(&before);
        assert_eq!(d.total_ms, 80.0);
        assert_eq!(d.by_role_ms[PAGE_THREAD], 50.0);
        assert_eq!(d.by_role_ms[OTHER], 10.0);
        assert_eq!(d.by_role_ms[NETWORK_SERVICE], 20.0, "a process that appeared counts from 0");
    }

    #[test]
    fn lists_the_tree_below_the_root_only() {
        let p = |pid, ppid, ticks| ProcStat { pid, ppid, ticks };
        let procs = [p(1, 0, 1000), p(10, 1, 5), p(11, 10, 7), p(12, 11, 11), p(20, 1, 100)];
        let mut pids = tree_pids(&procs, 10);
        pids.sort();
        assert_eq!(pids, [10, 11, 12]);
        assert!(tree_pids(&procs, 99).is_empty());
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn reads_this_process_as_other_and_splits_all_of_its_time() {
        let t = tree_cpu(std::process::id()).expect("this process is in /proc");
        assert!(t.by_role_ms.contains_key(OTHER), "{t:?}");
        assert!(!t.by_role_ms.contains_key(PAGE_THREAD), "{t:?}");
        let sum: f64 = t.by_role_ms.values().sum();
        assert!((sum - t.total_ms).abs() < 1e-6, "{t:?}");
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn counts_a_busy_child_process() {
        let mut child = std::process::Command::new("sh")
            .args(["-c", "i=0; while [ $i -lt 200000 ]; do i=$((i+1)); done"])
            .spawn()
            .expect("sh runs");
        let before = tree_cpu(std::process::id()).expect("this process is in /proc").total_ms;
        child.wait().expect("sh ends");
        let after = tree_cpu(std::process::id()).expect("this process is in /proc").total_ms;
        // The reaped child's time is in this process's cutime/cstime now.
        assert!(after - before >= 10.0, "before {before} ms, after {after} ms");
    }
}
