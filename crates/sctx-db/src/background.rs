//! Process and thread settings for imports: background work that should use only otherwise
//! idle cores, and the page size of a process about to import.
#![allow(unsafe_code)]

/// Asks Linux not to back this process's memory with transparent huge pages. For a process
/// about to run an import (the `sctx import` command calls it; a server does not).
///
/// An import's time on the virtual machines we measure on is dominated by first touches of
/// fresh memory, which the kernel zeroes: with huge pages it zeroes 2 MiB wherever a byte is
/// touched, and compacts memory to find them. On the International profile, three
/// alternating pairs with and without huge pages gave 0.4 GiB fewer pages allocated, system
/// time 5.7-6.3 -> 3.1-4.5 s and user time about the same or slightly higher (more TLB
/// misses), 1-2 CPU-seconds less in all (BENCHMARKS.md). Best effort: where it is not
/// supported the process keeps its setting.
pub fn prefer_small_pages() {
    #[cfg(target_os = "linux")]
    {
        // SAFETY: prctl(PR_SET_THP_DISABLE, 1, 0, 0, 0) takes plain integers and touches no
        // memory of ours; it only sets a flag on the calling process (inherited by threads
        // created later) that makes the kernel refuse huge pages for its anonymous memory
        // (prctl(2)). A failure is reported through the return value, which is ignored: the
        // setting is a hint.
        let _ = unsafe { libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0) };
    }
}

/// Lowers the calling thread's scheduling priority to the lowest nice value, so that work on
/// it (the legacy tables during an import) runs on cores the import's other threads leave
/// idle instead of competing with them. Best effort: where it is not supported or not
/// allowed, the thread keeps its priority.
pub(crate) fn lower_this_thread() {
    #[cfg(target_os = "linux")]
    {
        // SAFETY: setpriority takes plain integers and touches no memory of ours. With
        // `PRIO_PROCESS` and `who == 0` Linux applies the nice value to the calling thread
        // only (nice values are per thread under NPTL; setpriority(2), "BUGS"). A failure is
        // reported through the return value, which is ignored: the priority is a hint.
        let _ = unsafe { libc::setpriority(libc::PRIO_PROCESS, 0, 19) };
    }
}
