//! Byte patterns and alignment checks shared by the suite's cases.

use core::ptr::NonNull;

use crate::Alignment;

/// A recognizable byte for position `i` of block `tag`.
pub(super) fn pattern(tag: usize, i: usize) -> u8 {
    (tag.wrapping_mul(31) ^ i.wrapping_mul(7)) as u8
}

/// The pattern repeats every `PERIOD` bytes (`i * 7` modulo 256), which
/// lets [`fill`] and [`check`] work a period at a time after the first: one
/// copy or comparison per period instead of one step per byte, which keeps
/// large blocks fast under Miri while every byte is still written and read.
const PERIOD: usize = 256;

/// Fills `len` bytes at `ptr` with block `tag`'s pattern.
///
/// # Safety
///
/// `ptr` is valid for writing `len` bytes.
pub(super) unsafe fn fill(ptr: NonNull<u8>, len: usize, tag: usize) {
    for i in 0..len.min(PERIOD) {
        // SAFETY: `i < len`, and the caller promises `len` writable bytes.
        let byte = unsafe { ptr.add(i) };
        // SAFETY: as above.
        unsafe { byte.write(pattern(tag, i)) };
    }
    // Doubling copies: the first `done` bytes hold the pattern, and `done` is
    // a multiple of the period, so they continue it from `done` on.
    let mut done = len.min(PERIOD);
    while done < len {
        let n = done.min(len - done);
        // SAFETY: `done + n <= len`: inside the block.
        let dst = unsafe { ptr.add(done) };
        // SAFETY: `ptr..ptr + n` and `dst..dst + n` are inside the block and
        // do not overlap (`n <= done`); the source is initialized.
        unsafe { dst.copy_from_nonoverlapping(ptr, n) };
        done += n;
    }
}

/// Panics unless the first `len` bytes at `ptr` hold block `tag`'s pattern.
///
/// # Safety
///
/// `ptr` is valid for reading `len` initialized bytes.
#[track_caller]
pub(super) unsafe fn check(ptr: NonNull<u8>, len: usize, tag: usize, what: &str) {
    let mut expected = [0u8; PERIOD];
    for (i, byte) in expected.iter_mut().enumerate().take(len) {
        *byte = pattern(tag, i);
    }
    let mut at = 0;
    while at < len {
        let n = PERIOD.min(len - at);
        // SAFETY: `at + n <= len`: inside the caller's readable bytes.
        let start = unsafe { ptr.add(at) };
        // SAFETY: `n` readable, initialized bytes from `start` (the caller's
        // promise), which nothing writes while this shared view lives.
        let chunk = unsafe { core::slice::from_raw_parts(start.as_ptr(), n) };
        if chunk != &expected[..n] {
            let i = (0..n).find(|&i| chunk[i] != expected[i]).unwrap_or(0);
            panic!("{what}: byte {} of block {tag} was overwritten", at + i);
        }
        at += n;
    }
}

#[track_caller]
pub(super) fn assert_aligned(ptr: NonNull<u8>, align: Alignment, what: &str) {
    assert!(
        align.is_aligned(ptr.addr().get()),
        "{what}: {ptr:p} is not aligned to {align}"
    );
}
