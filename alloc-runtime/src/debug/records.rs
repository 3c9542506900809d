//! The bookkeeping of a [`DebugAlloc`](super::DebugAlloc): live blocks,
//! freed blocks remembered to recognize double frees, the quarantine and
//! the misuses found. Pure data: no pointer is read or written here.

use alloc::collections::{BTreeMap, VecDeque};
use alloc::vec::Vec;

use super::quarantine::Quarantine;
use super::{Block, Leak, Misuse, MisuseKind, Site};
use crate::Alignment;

/// A live block.
pub(super) struct Record {
    /// The length the user holds.
    pub(super) len: usize,
    /// The length the parent holds: at least `len` (shrinks keep the block).
    pub(super) parent_len: usize,
    pub(super) align: Alignment,
    pub(super) allocated_at: Site,
    /// Allocation order, for reporting leaks oldest first.
    pub(super) seq: u64,
}

/// A freed block, remembered to recognize double frees.
pub(super) struct Freed {
    pub(super) len: usize,
    pub(super) align: Alignment,
    pub(super) allocated_at: Site,
    pub(super) freed_at: Site,
    /// Which free, to tell a current entry from a reused address in
    /// `freed_order`.
    pub(super) seq: u64,
}

impl Freed {
    /// The [`Block`] a misuse of this freed block refers to.
    pub(super) fn block(&self, address: usize) -> Block {
        Block {
            address,
            len: self.len,
            align: self.align,
            allocated_at: self.allocated_at.clone(),
            freed_at: Some(self.freed_at.clone()),
        }
    }
}

/// What a [`DebugAlloc`](super::DebugAlloc) knows.
#[derive(Default)]
pub(super) struct State {
    /// Live blocks by address.
    pub(super) live: BTreeMap<usize, Record>,
    /// Blocks given back to the parent, by address (at most
    /// `Config::max_freed`; forgotten when the parent hands the address out
    /// again).
    pub(super) freed: BTreeMap<usize, Freed>,
    /// Freed addresses, oldest first (entries whose `seq` no longer matches
    /// are stale).
    pub(super) freed_order: VecDeque<(usize, u64)>,
    /// Freed blocks not yet given back to the parent.
    pub(super) quarantine: Quarantine,
    pub(super) misuses: Vec<Misuse>,
    pub(super) dropped_misuses: u64,
    seq: u64,
}

impl State {
    pub(super) fn next_seq(&mut self) -> u64 {
        self.seq = self.seq.wrapping_add(1);
        self.seq
    }

    /// Forgets freed blocks in `start..start + len`: the parent handed that
    /// memory out again.
    pub(super) fn reused(&mut self, start: usize, len: usize) {
        let end = start.saturating_add(len);
        while let Some((&addr, _)) = self.freed.range(start..end).next() {
            self.freed.remove(&addr);
        }
    }

    /// Remembers a block given back to the parent, forgetting the oldest
    /// past `max`.
    pub(super) fn remember_freed(&mut self, addr: usize, freed: Freed, max: usize) {
        if max == 0 {
            return;
        }
        self.freed_order.push_back((addr, freed.seq));
        self.freed.insert(addr, freed);
        while self.freed.len() > max {
            let Some((old, seq)) = self.freed_order.pop_front() else {
                break;
            };
            if self.freed.get(&old).is_some_and(|f| f.seq == seq) {
                self.freed.remove(&old);
            }
        }
        if self.freed_order.len() > 2 * max + 16 {
            let freed = &self.freed;
            self.freed_order
                .retain(|(a, s)| freed.get(a).is_some_and(|f| f.seq == *s));
        }
    }

    /// Keeps `misuse` if fewer than `max` are kept, else counts it.
    pub(super) fn misuse(&mut self, misuse: Misuse, max: usize) {
        if self.misuses.len() < max {
            self.misuses.push(misuse);
        } else {
            self.dropped_misuses = self.dropped_misuses.saturating_add(1);
        }
    }

    /// Finds the live block at `address` with exactly `len` and `align`
    /// (and a `new_len`, if any, that is not zero): its user's and its
    /// parent's lengths. Otherwise what is wrong, with the recorded block
    /// it concerns.
    pub(super) fn find(
        &self,
        address: usize,
        len: usize,
        align: Alignment,
        new_len: Option<usize>,
    ) -> Result<(usize, usize), (MisuseKind, Option<Block>)> {
        if let Some(r) = self.live.get(&address) {
            let kind = if len != r.len {
                MisuseKind::WrongLength
            } else if align != r.align {
                MisuseKind::WrongAlignment
            } else if new_len == Some(0) {
                MisuseKind::ZeroLength
            } else {
                return Ok((r.len, r.parent_len));
            };
            let block = Block {
                address,
                len: r.len,
                align: r.align,
                allocated_at: r.allocated_at.clone(),
                freed_at: None,
            };
            return Err((kind, Some(block)));
        }
        let freed = self
            .quarantine
            .get(address)
            .or_else(|| self.freed.get(&address));
        if let Some(f) = freed {
            return Err((MisuseKind::AlreadyFreed, Some(f.block(address))));
        }
        let inside = self
            .live
            .range(..address)
            .next_back()
            .filter(|&(&start, r)| address - start < r.len)
            .map(|(&start, r)| Block {
                address: start,
                len: r.len,
                align: r.align,
                allocated_at: r.allocated_at.clone(),
                freed_at: None,
            });
        Err((MisuseKind::NotAllocated, inside))
    }

    /// The live blocks, oldest first.
    pub(super) fn leaks(&self) -> Vec<Leak> {
        let mut leaks: Vec<(u64, Leak)> = self
            .live
            .iter()
            .map(|(&address, r)| {
                let leak = Leak {
                    address,
                    len: r.len,
                    align: r.align,
                    allocated_at: r.allocated_at.clone(),
                };
                (r.seq, leak)
            })
            .collect();
        leaks.sort_by_key(|&(seq, _)| seq);
        leaks.into_iter().map(|(_, leak)| leak).collect()
    }
}
