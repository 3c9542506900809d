//! The intrusive stack of freed blocks behind [`FreeList`](super::FreeList)
//! and [`SizeClasses`](super::SizeClasses): each kept block holds the
//! address of the next in its first bytes.

/// TODO(skeleton)
pub(crate) struct Stack {
    len: core::cell::Cell<usize>,
}

impl Stack {
    pub(crate) const fn new() -> Self {
        Self {
            len: core::cell::Cell::new(0),
        }
    }

    pub(crate) fn len(&self) -> usize {
        self.len.get()
    }
}
