//! Byte patterns and alignment checks shared by the suite's cases.

use core::ptr::NonNull;

use crate::Alignment;

/// A recognizable byte for position `i` of block `tag`.
pub(super) fn pattern(tag: usize, i: usize) -> u8 {
    (tag.wrapping_mul(31) ^ i.wrapping_mul(7)) as u8
}

/// Calls `f` with each position of a `len`-byte block that the suite
/// writes and checks: all of them, except under Miri, where a block over
/// 1 KiB is sampled (its first and last 256 bytes, and every 509th between)
/// to keep the run short. The unsafe paths run the same either way.
fn for_each_position(len: usize, mut f: impl FnMut(usize)) {
    const EDGE: usize = 256;
    if !cfg!(miri) || len <= 4 * EDGE {
        (0..len).for_each(f);
    } else {
        (0..EDGE).for_each(&mut f);
        (EDGE..len - EDGE).step_by(509).for_each(&mut f);
        (len - EDGE..len).for_each(f);
    }
}

/// Fills `len` bytes at `ptr` with block `tag`'s pattern (every byte is
/// initialized; under Miri only the sampled positions hold the pattern).
///
/// # Safety
///
/// `ptr` is valid for writing `len` bytes.
pub(super) unsafe fn fill(ptr: NonNull<u8>, len: usize, tag: usize) {
    if cfg!(miri) {
        // SAFETY: the caller promises `len` writable bytes.
        unsafe { ptr.write_bytes(tag as u8, len) };
    }
    for_each_position(len, |i| {
        // SAFETY: `i < len`, and the caller promises `len` writable bytes.
        let byte = unsafe { ptr.add(i) };
        // SAFETY: as above.
        unsafe { byte.write(pattern(tag, i)) };
    });
}

/// Panics unless the first `len` bytes at `ptr` hold block `tag`'s pattern.
///
/// # Safety
///
/// `ptr` is valid for reading `len` initialized bytes.
#[track_caller]
pub(super) unsafe fn check(ptr: NonNull<u8>, len: usize, tag: usize, what: &str) {
    for_each_position(len, |i| {
        // SAFETY: `i < len`, and the caller promises `len` readable bytes.
        let at = unsafe { ptr.add(i) };
        // SAFETY: as above.
        let byte = unsafe { at.read() };
        assert_eq!(
            byte,
            pattern(tag, i),
            "{what}: byte {i} of block {tag} was overwritten"
        );
    });
}

#[track_caller]
pub(super) fn assert_aligned(ptr: NonNull<u8>, align: Alignment, what: &str) {
    assert!(
        align.is_aligned(ptr.addr().get()),
        "{what}: {ptr:p} is not aligned to {align}"
    );
}
