//! Waiting for a quiet machine between runs.
//!
//! Every variant's server stays up for the whole bench, so a server that is still busy after
//! its own run (working off a backlog of datagrams it read but had not echoed yet) takes CPU
//! from the next variant's run. On a 2-core machine that is most of a core: in the
//! 2026-11-30 measurements the prior art's page kept 70–87 % of a CPU busy for 13–16 s after
//! each UDP run, and the Direct Sockets build measured right after it lost about 40 % of its
//! UDP ramp rate (docs/bench.md, "Issue 16, fifth pass"). So before each run the runner waits
//! until the whole machine is back near its baseline (measured once, with every server up and
//! idle) for one sampling window, bounded in time, and records how long it waited and whether
//! it got there.
//!
//! CPU time comes from the first line of `/proc/stat` (Linux, `man 5 proc`): the jiffies
//! every CPU spent in user, nice, system, irq and softirq mode (busy) and in idle and iowait.
//! On systems without it the wait is skipped and nothing is recorded.

use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

/// One sampling window: the machine counts as quiet when it was busy for less than its
/// baseline plus [`QUIET_BUSY_CPUS`] CPUs' worth of time over this long.
pub const QUIET_WINDOW: Duration = Duration::from_millis(250);
/// Busy CPUs (busy jiffies ÷ all jiffies × CPU count) above the baseline below which a window
/// is quiet. The baseline ([`baseline`]) is measured once all servers are up and idle, so idle
/// headless Chromium pages, the other servers and whatever else the machine runs (about
/// 0.05–0.15 CPUs on the 2-core VM) do not make every run wait [`QUIET_MAX_WAIT`].
pub const QUIET_BUSY_CPUS: f64 = 0.5;
/// How long the baseline is sampled.
pub const BASELINE_WINDOW: Duration = Duration::from_secs(1);
/// The longest wait before a run starts anyway (and is recorded as started on a busy machine).
pub const QUIET_MAX_WAIT: Duration = Duration::from_secs(30);

/// What the wait before one run found, kept in the run's record (`runs[].quiet` in
/// latest.json).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QuietWait {
    /// The variant whose run came just before (`None` for the first run of the bench).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub after: Option<String>,
    /// How long the runner waited, in milliseconds (at least one window).
    pub waited_ms: f64,
    /// Busy CPUs over the last window (0 = idle, `cpus` = all busy).
    pub busy_cpus: f64,
    /// The bound the window had to stay under: the baseline plus [`QUIET_BUSY_CPUS`]. Absent
    /// in reports from before the baseline (their bound was [`QUIET_BUSY_CPUS`] itself).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub threshold_cpus: Option<f64>,
    /// False when [`QUIET_MAX_WAIT`] passed first: the run started on a busy machine.
    pub settled: bool,
}

/// Cumulative (busy, total) jiffies over all CPUs, from the `cpu` line of `/proc/stat`.
fn cpu_jiffies() -> Option<(u64, u64)> {
    let stat = std::fs::read_to_string("/proc/stat").ok()?;
    parse_cpu_line(stat.lines().next()?)
}

/// Parse `cpu  user nice system idle iowait irq softirq steal ...`. Steal (time the
/// hypervisor gave to others) counts in neither: it is not ours to wait for.
pub fn parse_cpu_line(line: &str) -> Option<(u64, u64)> {
    let mut fields = line.split_whitespace();
    if fields.next()? != "cpu" {
        return None;
    }
    let v: Vec<u64> = fields
        .take(7)
        .map(|f| f.parse().ok())
        .collect::<Option<_>>()?;
    if v.len() < 7 {
        return None;
    }
    let busy = v[0] + v[1] + v[2] + v[5] + v[6];
    let idle = v[3] + v[4];
    Some((busy, busy + idle))
}

/// Busy CPUs between two samples; `None` when no time passed.
pub fn busy_cpus(before: (u64, u64), after: (u64, u64), cpus: usize) -> Option<f64> {
    let total = after.1.checked_sub(before.1)?;
    if total == 0 {
        return None;
    }
    let busy = after.0.saturating_sub(before.0);
    Some(busy as f64 / total as f64 * cpus as f64)
}

/// Busy CPUs over `window` (sleeps that long); `None` without `/proc/stat`. Measured before
/// the first run, with every server started and idle.
pub fn baseline(cpus: usize, window: Duration) -> Option<f64> {
    let before = cpu_jiffies()?;
    std::thread::sleep(window);
    Some(busy_cpus(before, cpu_jiffies()?, cpus).unwrap_or(0.0))
}

/// Sample windows until one has fewer than `threshold_cpus` busy CPUs or `limit` has passed;
/// `after` names the run before. `None` without `/proc/stat`.
pub fn wait_for_quiet(
    cpus: usize,
    threshold_cpus: f64,
    limit: Duration,
    after: Option<&str>,
) -> Option<QuietWait> {
    let start = Instant::now();
    let mut before = cpu_jiffies()?;
    loop {
        std::thread::sleep(QUIET_WINDOW);
        let now = cpu_jiffies()?;
        let busy = busy_cpus(before, now, cpus).unwrap_or(0.0);
        let waited = start.elapsed();
        let settled = busy < threshold_cpus;
        if settled || waited >= limit {
            return Some(QuietWait {
                after: after.map(str::to_string),
                waited_ms: waited.as_secs_f64() * 1000.0,
                busy_cpus: busy,
                threshold_cpus: Some(threshold_cpus),
                settled,
            });
        }
        before = now;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_aggregate_cpu_line() {
        // user nice system idle iowait irq softirq steal guest guest_nice
        let line = "cpu  100 5 50 1000 20 3 2 7 0 0";
        assert_eq!(parse_cpu_line(line), Some((160, 1180)));
        assert_eq!(parse_cpu_line("cpu0 1 2 3 4 5 6 7"), None);
        assert_eq!(parse_cpu_line("cpu  1 2 3"), None);
        assert_eq!(parse_cpu_line("intr 1 2 3 4 5 6 7"), None);
    }

    #[test]
    fn busy_cpus_scales_by_the_cpu_count() {
        // Half of all jiffies busy on a 2-CPU machine is one CPU.
        assert_eq!(busy_cpus((0, 0), (100, 200), 2), Some(1.0));
        assert_eq!(busy_cpus((100, 200), (100, 400), 2), Some(0.0));
        assert_eq!(busy_cpus((5, 10), (5, 10), 2), None);
    }

    #[test]
    #[cfg(target_os = "linux")]
    fn a_quiet_wait_reads_proc_stat_on_linux() {
        let base = baseline(1, QUIET_WINDOW).expect("/proc/stat is readable");
        assert!((0.0..=1.0).contains(&base), "{base}");
        let w = wait_for_quiet(1, 2.0, Duration::ZERO, Some("native")).expect("/proc/stat is readable");
        assert!(w.settled, "one CPU cannot be more than 2 CPUs busy");
        assert_eq!(w.threshold_cpus, Some(2.0));
        assert!(w.waited_ms >= QUIET_WINDOW.as_millis() as f64);
        assert!(w.busy_cpus >= 0.0);
        assert_eq!(w.after.as_deref(), Some("native"));
    }
}
