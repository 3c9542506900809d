//! The intrusive stack of freed blocks behind [`FreeList`](super::FreeList)
//! and [`SizeClasses`](super::SizeClasses): each kept block holds the
//! address of the next in its first bytes.

use core::cell::Cell;
use core::ptr::{self, NonNull};

/// A stack of kept blocks, linked through the blocks themselves: the first
/// `size_of::<*mut u8>()` bytes of each kept block hold a pointer to the
/// next one (null at the bottom), written as a pointer so that its
/// provenance survives. Pushing and popping touch the top block only.
pub(crate) struct Stack {
    /// The top block, or null when empty. Every block on the stack was
    /// pushed under [`push`](Self::push)'s contract: valid for reads and
    /// writes of a pointer while it is on the stack, used by no one else,
    /// its first bytes holding the next block's address (or null).
    head: Cell<*mut u8>,
    /// How many blocks are on the stack.
    len: Cell<usize>,
}

// SAFETY: the blocks on the stack belong to it alone (`push`'s contract:
// no one else uses them while they are kept), so moving the stack to
// another thread moves them with it; it holds no reference to anything
// shared. `Cell` keeps it `!Sync`.
unsafe impl Send for Stack {}

impl Stack {
    /// An empty stack.
    pub(crate) const fn new() -> Self {
        Self {
            head: Cell::new(ptr::null_mut()),
            len: Cell::new(0),
        }
    }

    /// How many blocks are kept.
    #[inline(always)]
    pub(crate) fn len(&self) -> usize {
        self.len.get()
    }

    /// Keeps `block` on top of the stack.
    ///
    /// # Safety
    ///
    /// `block` is valid for reads and writes of `size_of::<*mut u8>()`
    /// bytes (at any alignment) from now until it is popped, and nothing
    /// else reads or writes it until then: the caller gives it to the
    /// stack.
    #[inline(always)]
    pub(crate) unsafe fn push(&self, block: NonNull<u8>) {
        // SAFETY: `block` is valid for writes of a pointer (the contract);
        // unaligned, because a size class's blocks may be aligned to less
        // than a pointer.
        unsafe { block.cast::<*mut u8>().write_unaligned(self.head.get()) };
        self.head.set(block.as_ptr());
        self.len.set(self.len.get() + 1);
    }

    /// Takes the top block off the stack, or `None` when it is empty. The
    /// block is the caller's again (its first bytes hold a stale link).
    #[inline(always)]
    pub(crate) fn pop(&self) -> Option<NonNull<u8>> {
        let top = NonNull::new(self.head.get())?;
        // SAFETY: `top` is on the stack, so it is valid for reads of a
        // pointer and its first bytes hold the next block's address (the
        // invariant on `head`, set up by `push`).
        let next = unsafe { top.cast::<*mut u8>().read_unaligned() };
        self.head.set(next);
        self.len.set(self.len.get() - 1);
        Some(top)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pops_in_reverse_order_of_pushes_and_keeps_the_count() {
        let mut blocks = [[0u8; 16]; 3];
        let stack = Stack::new();
        assert!(stack.pop().is_none());
        let ptrs: [NonNull<u8>; 3] = core::array::from_fn(|i| NonNull::from(&mut blocks[i]).cast());
        for p in ptrs {
            // SAFETY: each array is 16 bytes, used by nothing else meanwhile.
            unsafe { stack.push(p) };
        }
        assert_eq!(stack.len(), 3);
        assert_eq!(stack.pop(), Some(ptrs[2]));
        assert_eq!(stack.pop(), Some(ptrs[1]));
        assert_eq!(stack.len(), 1);
        assert_eq!(stack.pop(), Some(ptrs[0]));
        assert_eq!((stack.pop(), stack.len()), (None, 0));
    }

    #[test]
    fn links_through_unaligned_blocks() {
        let mut bytes = [0u8; 40];
        let base = NonNull::from(&mut bytes).cast::<u8>();
        let stack = Stack::new();
        // SAFETY: offset 1 leaves 12 bytes inside the array.
        let a = unsafe { base.add(1) };
        // SAFETY: offset 13 leaves 12 bytes inside the array.
        let b = unsafe { base.add(13) };
        // SAFETY: disjoint 12-byte ranges of `bytes`, used only by the stack.
        unsafe { stack.push(a) };
        // SAFETY: as above.
        unsafe { stack.push(b) };
        assert_eq!(stack.pop(), Some(b));
        assert_eq!(stack.pop(), Some(a));
    }
}
