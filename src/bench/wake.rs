//! How long this machine takes to wake a thread whose CPU has gone idle.
//!
//! Under `-pthread -sPROXY_TO_PTHREAD` the program runs on a worker while its sockets live on
//! the page's main thread, so every datagram or request that reaches the program wakes the
//! program's thread (a futex wake in `changed()` of
//! `system/lib/libc/musl/src/network/emscripten_sock_ring.c`), and the main thread waits for
//! the answer (`ringAwaitReply` in `src/lib/libsockfs_direct.js`). A plain-JS server or the
//! `-sJSPI` build never pays that wake. What it costs depends on the machine, not on the
//! backend: on the 2-core VM of docs/bench.md, whose idle CPUs halt at once (Linux cpuidle
//! governor `haltpoll` with `guest_halt_poll_ns` 0), waking a thread on the other, halted, CPU
//! goes through the hypervisor and took 46–58 µs (p50) natively, in Node and in Chromium
//! alike; with the kernel's default 200 µs of halt polling it took 3–5 µs. So the report
//! records both the measured wake and the idle settings, next to the CPU count.
//!
//! The measurement mimics a request/response round trip: one thread busy-waits for
//! [`IDLE_GAP`] (the other CPU idles meanwhile, as the program's thread does between two
//! requests), then wakes a parked thread (a futex on Linux) and busy-waits until it answers.

use super::stats::Summary;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Idle time before each wake: about the length of one plain-JS tcp-rr round trip on the
/// 2-core VM (130–150 µs), which is how long the program's thread sleeps between requests.
pub const IDLE_GAP: Duration = Duration::from_micros(150);
/// Wakes measured; with [`IDLE_GAP`] the whole measurement takes about 0.2 s.
pub const WAKES: usize = 1_000;
/// A wake not answered within this long ends the measurement (a machine whose other CPU is
/// taken by something else), which then reports nothing.
const MAX_WAKE: Duration = Duration::from_millis(20);

/// The median wake-to-answer time in microseconds, or `None` with fewer than two CPUs (the
/// answer would wait for the waker's time slice) or when a wake took longer than
/// [`MAX_WAKE`].
pub fn idle_wake_p50_us(cpus: usize) -> Option<f64> {
    if cpus < 2 {
        return None;
    }
    let go = Arc::new(AtomicBool::new(false));
    let answered = Arc::new(AtomicBool::new(false));
    let stop = Arc::new(AtomicBool::new(false));
    let waiter = {
        let (go, answered, stop) = (go.clone(), answered.clone(), stop.clone());
        std::thread::spawn(move || loop {
            while !go.swap(false, Ordering::SeqCst) {
                if stop.load(Ordering::SeqCst) {
                    return;
                }
                std::thread::park();
            }
            answered.store(true, Ordering::SeqCst);
        })
    };
    let mut samples = Vec::with_capacity(WAKES);
    for _ in 0..WAKES {
        let idle_until = Instant::now() + IDLE_GAP;
        while Instant::now() < idle_until {
            std::hint::spin_loop();
        }
        let t0 = Instant::now();
        go.store(true, Ordering::SeqCst);
        waiter.thread().unpark();
        while !answered.swap(false, Ordering::SeqCst) {
            if t0.elapsed() > MAX_WAKE {
                break;
            }
            std::hint::spin_loop();
        }
        let took = t0.elapsed();
        if took > MAX_WAKE {
            samples.clear();
            break;
        }
        samples.push(took.as_secs_f64() * 1e6);
    }
    stop.store(true, Ordering::SeqCst);
    waiter.thread().unpark();
    let _ = waiter.join();
    Summary::of(&samples).map(|s| s.median)
}

/// The idle settings that decide the wake's cost, as one line: the cpuidle governor
/// (`/sys/devices/system/cpu/cpuidle/current_governor_ro`, or `current_governor`) and, when
/// the `haltpoll` module is loaded, its `guest_halt_poll_ns` (the most a guest CPU polls
/// before it halts; 0: it halts at once). `None` when neither is readable (not Linux).
pub fn cpuidle_settings() -> Option<String> {
    let read = |p: &str| std::fs::read_to_string(p).ok().map(|s| s.trim().to_string());
    let governor = read("/sys/devices/system/cpu/cpuidle/current_governor_ro")
        .or_else(|| read("/sys/devices/system/cpu/cpuidle/current_governor"));
    let halt_poll_ns = read("/sys/module/haltpoll/parameters/guest_halt_poll_ns");
    describe_cpuidle(governor.as_deref(), halt_poll_ns.as_deref())
}

fn describe_cpuidle(governor: Option<&str>, halt_poll_ns: Option<&str>) -> Option<String> {
    match (governor, halt_poll_ns) {
        (None, None) => None,
        (Some(g), None) => Some(format!("cpuidle governor {g}")),
        (g, Some(ns)) => Some(format!(
            "cpuidle governor {}, guest_halt_poll_ns {ns}",
            g.unwrap_or("unknown")
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn describes_the_idle_settings() {
        assert_eq!(describe_cpuidle(None, None), None);
        assert_eq!(describe_cpuidle(Some("menu"), None).as_deref(), Some("cpuidle governor menu"));
        assert_eq!(
            describe_cpuidle(Some("haltpoll"), Some("0")).as_deref(),
            Some("cpuidle governor haltpoll, guest_halt_poll_ns 0")
        );
    }

    #[test]
    fn one_cpu_measures_nothing() {
        assert_eq!(idle_wake_p50_us(1), None);
    }

    #[test]
    fn measures_a_wake_with_two_cpus() {
        let p50 = idle_wake_p50_us(2).expect("a wake was measured");
        // Anything from a hot wake (under 1 µs) to a VM's halted CPU (about 50 µs) is fine;
        // more than MAX_WAKE would have given None.
        assert!(p50 > 0.0 && p50 < MAX_WAKE.as_secs_f64() * 1e6, "p50 {p50} µs");
    }
}
