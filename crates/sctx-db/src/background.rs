//! Background work that should use only otherwise idle cores.
#![allow(unsafe_code)]

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
