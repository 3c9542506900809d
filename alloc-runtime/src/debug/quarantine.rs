//! The quarantine: freed blocks held back from the parent, so their
//! addresses are not handed out again while a stale pointer to them may
//! still be freed (Zig's `DebugAllocator` and AddressSanitizer do the same).
//!
//! A held block is poisoned and belongs to no one: not to its former user
//! (who freed it), not yet to the parent. Its record stays here, so a
//! second free of it is a double free whatever the parent does meanwhile.
//! Blocks leave oldest first, when a limit of
//! [`Config::with_quarantine`](super::Config::with_quarantine) is passed,
//! and all of them on
//! [`DebugAlloc::release_quarantine`](super::DebugAlloc::release_quarantine)
//! and when the allocator is dropped.

use alloc::collections::{BTreeMap, VecDeque};
use core::ptr::NonNull;

use super::records::Freed;

/// A held block's address, with the provenance the parent gave it: the
/// block goes back to the parent through this pointer.
pub(super) struct BlockPtr(pub(super) NonNull<u8>);

// SAFETY: a held block is memory the debug allocator alone owns (its user
// freed it; the parent has not got it back), and the pointer is only ever
// used by that allocator to give the block back to its own parent, which
// moves to another thread together with it (`DebugAlloc<A>` is `Send` only
// when `A` is). Sending the address hands no access to anyone else.
unsafe impl Send for BlockPtr {}

/// A freed block held back from the parent.
pub(super) struct Held {
    /// Where the block is.
    pub(super) ptr: BlockPtr,
    /// The length the parent knows (a shrunk block keeps its full length).
    pub(super) parent_len: usize,
    /// Its record, for double-free reports.
    pub(super) freed: Freed,
}

impl Held {
    /// The block as the parent knows it.
    pub(super) fn memory(&self) -> NonNull<[u8]> {
        NonNull::slice_from_raw_parts(self.ptr.0, self.parent_len)
    }
}

/// The held blocks, oldest first, and their bytes.
#[derive(Default)]
pub(super) struct Quarantine {
    /// Held blocks by address. Addresses are unique: the parent cannot hand
    /// out a held block's memory, and a live block is disjoint from it.
    blocks: BTreeMap<usize, Held>,
    /// Addresses in the order the blocks were freed.
    order: VecDeque<usize>,
    /// The parent lengths of the held blocks together.
    bytes: usize,
}

impl Quarantine {
    /// The record of the held block at `address`, if any.
    pub(super) fn get(&self, address: usize) -> Option<&Freed> {
        self.blocks.get(&address).map(|held| &held.freed)
    }

    /// How many blocks are held.
    pub(super) fn len(&self) -> usize {
        self.blocks.len()
    }

    /// How many bytes (as the parent knows them) are held.
    pub(super) fn bytes(&self) -> usize {
        self.bytes
    }

    /// Holds `held`, or hands it back when it alone passes a limit (a
    /// block larger than `max_bytes`, or a quarantine of no blocks).
    pub(super) fn admit(
        &mut self,
        held: Held,
        max_blocks: usize,
        max_bytes: usize,
    ) -> Option<Held> {
        if max_blocks == 0 || held.parent_len > max_bytes {
            return Some(held);
        }
        let address = held.ptr.0.addr().get();
        self.bytes = self.bytes.saturating_add(held.parent_len);
        self.order.push_back(address);
        if let Some(old) = self.blocks.insert(address, held) {
            // Not reachable with a parent that keeps its contract; keep the
            // byte count true and give the older entry back.
            self.bytes -= old.parent_len;
            return Some(old);
        }
        None
    }

    /// The oldest held block, taken out, when more than `max_blocks` blocks
    /// or `max_bytes` bytes are held.
    pub(super) fn evict(&mut self, max_blocks: usize, max_bytes: usize) -> Option<Held> {
        if self.blocks.len() > max_blocks || self.bytes > max_bytes {
            self.take_oldest()
        } else {
            None
        }
    }

    /// The oldest held block, taken out.
    pub(super) fn take_oldest(&mut self) -> Option<Held> {
        while let Some(address) = self.order.pop_front() {
            if let Some(held) = self.blocks.remove(&address) {
                self.bytes -= held.parent_len;
                return Some(held);
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::debug::Site;
    use crate::{Alignment, Caller};

    /// A held block at a made-up address: the quarantine never follows the
    /// pointer.
    fn held(address: usize, parent_len: usize) -> Held {
        let site = Site {
            caller: Caller::here(),
            frame: None,
        };
        Held {
            ptr: BlockPtr(NonNull::without_provenance(
                core::num::NonZeroUsize::new(address).unwrap(),
            )),
            parent_len,
            freed: Freed {
                len: parent_len,
                align: Alignment::ONE,
                allocated_at: site.clone(),
                freed_at: site,
                seq: 0,
            },
        }
    }

    #[test]
    fn blocks_leave_oldest_first_past_the_block_limit() {
        let mut q = Quarantine::default();
        for address in [0x100, 0x200, 0x300] {
            assert!(q.admit(held(address, 8), 2, usize::MAX).is_none());
        }
        assert_eq!((q.len(), q.bytes()), (3, 24));
        let out = q.evict(2, usize::MAX).unwrap();
        assert_eq!(out.ptr.0.addr().get(), 0x100);
        assert!(q.evict(2, usize::MAX).is_none());
        assert!(q.get(0x100).is_none() && q.get(0x200).is_some());
        assert_eq!((q.len(), q.bytes()), (2, 16));
    }

    #[test]
    fn blocks_leave_oldest_first_past_the_byte_limit() {
        let mut q = Quarantine::default();
        assert!(q.admit(held(0x100, 8), usize::MAX, 16).is_none());
        assert!(q.admit(held(0x200, 12), usize::MAX, 16).is_none());
        assert_eq!(q.evict(usize::MAX, 16).unwrap().ptr.0.addr().get(), 0x100);
        assert!(q.evict(usize::MAX, 16).is_none());
        assert_eq!(q.bytes(), 12);
    }

    #[test]
    fn a_block_past_a_limit_alone_is_not_held() {
        let mut q = Quarantine::default();
        assert!(q.admit(held(0x100, 17), usize::MAX, 16).is_some());
        assert!(q.admit(held(0x100, 1), 0, usize::MAX).is_some());
        assert_eq!((q.len(), q.bytes()), (0, 0));
        assert!(q.take_oldest().is_none());
    }
}
