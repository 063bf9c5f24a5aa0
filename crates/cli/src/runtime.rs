//! Process-wide settings a program makes once, at the start of `main`. Shared by both
//! programs: `cargo xtask` includes this file (`#[path]`), so it is written once without a
//! library crate that would carry the allocator into other projects.

/// Tells the allocator (mimalloc, the programs' global allocator) to keep freed memory
/// mapped. A training step frees and reallocates the same multi-megabyte buffers;
/// returned to the kernel, each comes back as fresh pages to fault in and zero.
pub fn keep_freed_memory() {
    // mimalloc's `mi_option_purge_delay` (15 in both its v2 and v3 headers); -1: never purge.
    const PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;
    // SAFETY: sets an integer option; safe at any time, from any thread.
    unsafe { libmimalloc_sys::mi_option_set(PURGE_DELAY, -1) };
}
