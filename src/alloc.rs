//! The global allocator of the binaries: the system's (glibc) malloc for small runs,
//! mimalloc once a run turns out to be large.
//!
//! Measured on this project's benchmarks: mimalloc lints a 50 MB stream or 10,000 files
//! 15-25% faster than glibc (parsing allocates and frees millions of small nodes on every
//! core), but on a pre-commit hook's one small file it costs a third of the run: its first
//! allocation reserves a 1 GiB arena and zeroes a 2 MB transparent huge page. So allocation
//! starts on the system allocator, and once a run has read `LARGE_INPUT_BYTES` of input
//! (`count_input`, called as each input is decoded) every later allocation goes to mimalloc.
//!
//! Soundness: only *new* allocations follow the switch. Freeing and resizing follow the
//! block's owner, asked of mimalloc's page map (`mi_is_in_heap_region`, the check mimalloc's
//! own malloc override makes): a block from glibc stays with glibc for its whole life.

use std::alloc::{GlobalAlloc, Layout, System};
use std::ffi::c_void;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use libmimalloc_sys as mi;

/// From this much input on, a run is large: the size from which work also goes parallel.
pub const LARGE_INPUT_BYTES: usize = crate::parallel::PARALLEL_BYTES;

/// mimalloc's own alignment for every block (`MI_MAX_ALIGN_SIZE`): a layout aligned to no
/// more, and no larger than its size, is served by plain `mi_malloc`. `mi_malloc_aligned`
/// sends every block over 1 KiB whose size is not a power of two down its over-allocating
/// slow path, even at alignment 1 or 8.
const MI_MAX_ALIGN: usize = 16;

fn naturally_aligned(align: usize, size: usize) -> bool {
    align <= MI_MAX_ALIGN && align <= size
}

static THROUGHPUT: AtomicBool = AtomicBool::new(false);
static INPUT_BYTES: AtomicUsize = AtomicUsize::new(0);

/// Counts input read by this run (any thread); past `LARGE_INPUT_BYTES`, favours throughput.
pub fn count_input(bytes: usize) {
    let total = INPUT_BYTES.fetch_add(bytes, Ordering::Relaxed) + bytes;
    if total >= LARGE_INPUT_BYTES {
        favour_throughput();
    }
}

/// Sends every allocation from now on to mimalloc. Idempotent; never undone. Without
/// `Hybrid` as the global allocator (the library's tests), it only sets a flag.
pub fn favour_throughput() {
    if !THROUGHPUT.swap(true, Ordering::Relaxed) {
        decline_transparent_huge_pages();
    }
}

/// mimalloc asks the kernel for transparent huge pages on its arenas (`MADV_HUGEPAGE`). With
/// the kernel's usual `defrag=madvise`, a page fault there may compact memory on the spot to
/// find a free 2 MiB page. Measured on the 50 MB stream, 6 runs each: system time 0.32-1.07 s
/// with huge pages (half the runs stalled in compaction), 0.26-0.41 s without, wall median
/// 1.8 -> 1.5 s, and the peak RSS 15 MB lower (huge pages are zeroed and resident whole,
/// however little of them is used). Regular pages cost more faults, but no stalls.
fn decline_transparent_huge_pages() {
    #[cfg(target_os = "linux")]
    // SAFETY: integer arguments only; it sets this process's (and its children's) THP
    // policy and touches no memory. A kernel that refuses leaves the policy as it was.
    unsafe {
        libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0);
    }
}

/// The global allocator: see the module comment.
pub struct Hybrid;

fn owned_by_mimalloc(ptr: *mut u8) -> bool {
    // SAFETY: a page-map lookup; it reads no memory at `ptr`.
    unsafe { mi::mi_is_in_heap_region(ptr as *const c_void) }
}

// SAFETY: every block is allocated by exactly one of the two allocators and freed or
// resized by the same one (`owned_by_mimalloc` is exact: mimalloc's arenas are its own
// reserved address ranges, which glibc never hands out).
unsafe impl GlobalAlloc for Hybrid {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if THROUGHPUT.load(Ordering::Relaxed) {
            // SAFETY: as `GlobalAlloc::alloc`; mimalloc honours any power-of-two alignment,
            // and `naturally_aligned` layouts get it without asking.
            unsafe {
                if naturally_aligned(layout.align(), layout.size()) {
                    mi::mi_malloc(layout.size()) as *mut u8
                } else {
                    mi::mi_malloc_aligned(layout.size(), layout.align()) as *mut u8
                }
            }
        } else {
            // SAFETY: forwarded with the caller's guarantees.
            unsafe { System.alloc(layout) }
        }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        if THROUGHPUT.load(Ordering::Relaxed) {
            // SAFETY: as `alloc`.
            unsafe {
                if naturally_aligned(layout.align(), layout.size()) {
                    mi::mi_zalloc(layout.size()) as *mut u8
                } else {
                    mi::mi_zalloc_aligned(layout.size(), layout.align()) as *mut u8
                }
            }
        } else {
            // SAFETY: forwarded with the caller's guarantees.
            unsafe { System.alloc_zeroed(layout) }
        }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        if owned_by_mimalloc(ptr) {
            // SAFETY: `ptr` is a live mimalloc block (the caller's guarantee, and its owner).
            unsafe { mi::mi_free(ptr as *mut c_void) }
        } else {
            // SAFETY: not mimalloc's, so allocated by `System` with this layout.
            unsafe { System.dealloc(ptr, layout) }
        }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if owned_by_mimalloc(ptr) {
            // SAFETY: as `dealloc`; the block keeps its alignment.
            unsafe {
                if naturally_aligned(layout.align(), new_size) {
                    mi::mi_realloc(ptr as *mut c_void, new_size) as *mut u8
                } else {
                    mi::mi_realloc_aligned(ptr as *mut c_void, new_size, layout.align()) as *mut u8
                }
            }
        } else {
            // SAFETY: as `dealloc`.
            unsafe { System.realloc(ptr, layout, new_size) }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Blocks from either allocator are freed and resized by their owner, whichever mode
    /// the allocator is in by then (the unit tests run on the system allocator, so the
    /// switch here is only `Hybrid`'s own flag).
    #[test]
    fn each_block_goes_back_to_its_owner() {
        let hybrid = Hybrid;
        let layouts = [
            Layout::from_size_align(24, 8).unwrap(),
            Layout::from_size_align(3000, 8).unwrap(),
            Layout::from_size_align(4, 8).unwrap(),
            Layout::from_size_align(4096, 64).unwrap(),
            Layout::from_size_align(3 << 20, 16).unwrap(),
        ];
        unsafe {
            let before: Vec<*mut u8> = layouts.iter().map(|l| hybrid.alloc(*l)).collect();
            assert!(
                before
                    .iter()
                    .all(|p| !p.is_null() && !owned_by_mimalloc(*p))
            );
            favour_throughput();
            let after: Vec<*mut u8> = layouts.iter().map(|l| hybrid.alloc_zeroed(*l)).collect();
            assert!(after.iter().all(|p| !p.is_null() && owned_by_mimalloc(*p)));
            for (i, layout) in layouts.iter().enumerate() {
                assert_eq!(*after[i], 0);
                // A glibc block grows inside glibc, a mimalloc block inside mimalloc.
                let grown = hybrid.realloc(before[i], *layout, layout.size() * 2);
                assert!(!owned_by_mimalloc(grown));
                *grown.add(layout.size() * 2 - 1) = 7;
                let grown_mi = hybrid.realloc(after[i], *layout, layout.size() * 2);
                assert!(owned_by_mimalloc(grown_mi));
                let bigger = Layout::from_size_align(layout.size() * 2, layout.align()).unwrap();
                assert_eq!(grown_mi as usize % layout.align(), 0);
                hybrid.dealloc(grown, bigger);
                hybrid.dealloc(grown_mi, bigger);
            }
        }
    }
}
