//! What the 0.2 line of the `allocator-api2-tests` crate checks, as our own
//! generic functions over allocator-api2's `Allocator`.
//!
//! That crate pins an exact allocator-api2 version, so it cannot be a
//! dependency beside ours; these functions check the same things (and check
//! the memory they get: its length and alignment, and that it can be
//! written), so every block's test can run them, and each block added later
//! is held to them too. [`all`] runs them all.
//!
//! # Examples
//!
//! ```
//! use alloc_runtime::{testing::api2, Bump};
//! use core::mem::MaybeUninit;
//!
//! let mut buf = [MaybeUninit::uninit(); 64 * 1024];
//! let bump = Bump::new(&mut buf);
//! api2::all(&bump);
//! ```

use allocator_api2::alloc::Allocator;
use allocator_api2::boxed::Box;
use allocator_api2::vec::Vec;
use core::alloc::Layout;

use super::pattern::{assert_aligned, check, fill};
use crate::Alignment;

/// The sizes of [`sizes`]: those of `u8` to `u64`, then byte arrays from 17
/// bytes to over 8 MB (the largest may be refused; under Miri it is a tenth
/// of that, to keep the run short).
pub const SIZES: [usize; 11] = [1, 2, 4, 8, 17, 67, 129, 654, 2345, 32_578, LARGEST];

/// The last of [`SIZES`].
const LARGEST: usize = if cfg!(miri) { 860_346 } else { 8_603_461 };

/// Allocates `layout`; if the allocator gives it, the block must be at
/// least `layout.size()` bytes, aligned, writable, and is deallocated. A
/// refusal passes (an allocator may be out of memory).
///
/// # Panics
///
/// When the block is too short or misaligned, or its contents change while
/// it is held.
///
/// ```
/// use alloc_runtime::{testing::api2, Bump};
/// use core::{alloc::Layout, mem::MaybeUninit};
/// let mut buf = [MaybeUninit::uninit(); 64];
/// api2::allocate_layout(&Bump::new(&mut buf), Layout::new::<u64>());
/// ```
#[track_caller]
pub fn allocate_layout<A: Allocator>(a: A, layout: Layout) {
    let Ok(block) = a.allocate(layout) else {
        return;
    };
    assert!(
        block.len() >= layout.size(),
        "allocate: {} bytes for a layout of {}",
        block.len(),
        layout.size()
    );
    let ptr = block.cast::<u8>();
    assert_aligned(ptr, Alignment::of_layout(layout), "allocate");
    // SAFETY: the block is valid for writes of its `block.len()` bytes.
    unsafe { fill(ptr, block.len(), layout.size()) };
    // SAFETY: filled just above, not shared.
    unsafe { check(ptr, block.len(), layout.size(), "allocate") };
    // SAFETY: `block` came from `allocate` with `layout`, deallocated once.
    unsafe { a.deallocate(ptr, layout) };
}

/// [`allocate_layout`] for each of [`SIZES`], as byte arrays and (for the
/// first four) at the alignment of the integer of that size.
///
/// ```
/// use alloc_runtime::{testing::api2, Bump};
/// use core::mem::MaybeUninit;
/// let mut buf = [MaybeUninit::uninit(); 64 * 1024];
/// api2::sizes(&Bump::new(&mut buf));
/// ```
#[track_caller]
pub fn sizes<A: Allocator>(a: A) {
    for size in SIZES {
        let align = if size <= 8 { size } else { 1 };
        let layout = Layout::from_size_align(size, align).expect("valid layout");
        allocate_layout(&a, layout);
    }
}

/// A `Vec<u8, A>` pushed to, shrunk to fit, resized to 10 and shrunk
/// again, then resized to 12,467 bytes and dropped; its contents are
/// checked after each step.
///
/// # Panics
///
/// When the contents are wrong, or the allocator refuses (the `Vec` then
/// panics; the allocator needs about 13 KiB).
///
/// ```
/// use alloc_runtime::{testing::api2, Bump};
/// use core::mem::MaybeUninit;
/// let mut buf = [MaybeUninit::uninit(); 64 * 1024];
/// api2::vec(&Bump::new(&mut buf));
/// ```
#[track_caller]
pub fn vec<A: Allocator>(a: A) {
    let mut v = Vec::<u8, A>::new_in(a);
    v.push(1);
    v.push(2);
    v.shrink_to_fit();
    assert_eq!(v, [1, 2], "vec: lost its contents when shrinking");
    v.push(3);
    v.resize(10, 0xBA);
    v.shrink_to_fit();
    assert_eq!(v.capacity(), 10, "vec: shrink_to_fit kept spare room");
    assert_eq!(v, [1, 2, 3, 0xBA, 0xBA, 0xBA, 0xBA, 0xBA, 0xBA, 0xBA]);
    v.resize(12_467, 0xFE);
    assert_eq!(v[..3], [1, 2, 3], "vec: lost its contents when growing");
    assert!(
        v[10..].iter().all(|&b| b == 0xFE),
        "vec: lost the new bytes"
    );
    drop(v);
}

/// Fifteen `Box`es in a `Vec`, all in the same allocator, each still
/// holding its value once all are made.
///
/// ```
/// use alloc_runtime::{testing::api2, Bump};
/// use core::mem::MaybeUninit;
/// let mut buf = [MaybeUninit::uninit(); 1024];
/// api2::many_boxes(&Bump::new(&mut buf));
/// ```
#[track_caller]
pub fn many_boxes<A: Allocator + Copy>(a: A) {
    let mut boxes = Vec::new_in(a);
    for i in 0..15usize {
        boxes.push(Box::new_in(i, a));
    }
    for (i, b) in boxes.iter().enumerate() {
        assert_eq!(**b, i, "many_boxes: box {i} lost its value");
    }
    drop(boxes);
}

/// [`sizes`], [`vec`] and [`many_boxes`] on `a`.
///
/// ```
/// use alloc_runtime::{testing::api2, Bump};
/// use core::mem::MaybeUninit;
/// let mut buf = [MaybeUninit::uninit(); 64 * 1024];
/// let bump = Bump::new(&mut buf);
/// api2::all(bump.allocator());
/// ```
#[track_caller]
pub fn all<A: Allocator + Copy>(a: A) {
    sizes(a);
    vec(a);
    many_boxes(a);
}
