//! What a [`DebugAlloc`](super::DebugAlloc) finds: [`Report`], made of
//! [`Leak`]s and [`Misuse`]s.

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

use super::Site;
use crate::Alignment;

/// An allocation still live when checked.
///
/// ```
/// use alloc_runtime::debug::DebugAlloc;
/// use alloc_runtime::Bump;
/// use core::mem::MaybeUninit;
///
/// let mut buf = [MaybeUninit::uninit(); 64];
/// let a = DebugAlloc::new(Bump::new(&mut buf));
/// let (p, line) = (a.allocator().create(7u64)?, line!());
/// let leaks = a.leaks();
/// assert_eq!((leaks[0].len, leaks[0].align.to_bytes()), (8, 8));
/// assert_eq!(leaks[0].address, p.as_ptr() as usize);
/// assert_eq!(leaks[0].allocated_at.caller.location().line(), line);
/// # // SAFETY: allocated above on this allocator, freed once.
/// # unsafe { a.allocator().destroy(p) };
/// # Ok::<(), alloc_runtime::AllocError>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct Leak {
    /// The address of the block.
    pub address: usize,
    /// Its length in bytes, as last handed out.
    pub len: usize,
    /// Its alignment.
    pub align: Alignment,
    /// Where it was allocated.
    pub allocated_at: Site,
}

impl fmt::Display for Leak {
    /// `leak: 32 bytes (align 8) at 0x…, allocated at src/foo.rs:41:18`
    ///
    /// ```
    /// # use alloc_runtime::debug::DebugAlloc;
    /// # use alloc_runtime::Bump;
    /// # let mut buf = [core::mem::MaybeUninit::uninit(); 64];
    /// let a = DebugAlloc::new(Bump::new(&mut buf));
    /// let p = a.allocator().create(1u32)?;
    /// assert!(a.leaks()[0].to_string().starts_with("leak: 4 bytes (align 4) at 0x"));
    /// # // SAFETY: allocated above on this allocator, freed once.
    /// # unsafe { a.allocator().destroy(p) };
    /// # Ok::<(), alloc_runtime::AllocError>(())
    /// ```
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "leak: {} bytes (align {}) at {:#x}, allocated at {}",
            self.len, self.align, self.address, self.allocated_at
        )
    }
}

/// The recorded block a [`Misuse`] refers to.
///
/// ```
/// use alloc_runtime::debug::{DebugAlloc, MisuseKind};
/// use alloc_runtime::Bump;
/// # let mut buf = [core::mem::MaybeUninit::uninit(); 64];
/// let a = DebugAlloc::new(Bump::new(&mut buf));
/// let h = a.allocator();
/// let p = h.create(1u16)?;
/// // SAFETY: from `create` on `h`, destroyed once.
/// unsafe { h.destroy(p) };
/// // SAFETY: deliberately wrong, a double free: the debug allocator does
/// // not pass it on, and the memory is still the bump's buffer (valid).
/// unsafe { h.destroy(p) };
/// let block = a.misuses()[0].block.clone().unwrap();
/// assert_eq!((block.address, block.len), (p.as_ptr() as usize, 2));
/// assert!(block.freed_at.is_some());
/// # a.finish().unwrap_err();
/// # Ok::<(), alloc_runtime::AllocError>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct Block {
    /// The address of the block.
    pub address: usize,
    /// Its length in bytes, as last handed out.
    pub len: usize,
    /// The alignment it was allocated with.
    pub align: Alignment,
    /// Where it was allocated.
    pub allocated_at: Site,
    /// Where it was freed, if it was.
    pub freed_at: Option<Site>,
}

/// Which request a [`Misuse`] was.
///
/// ```
/// use alloc_runtime::debug::Op;
/// assert_eq!(Op::Resize.to_string(), "resize");
/// assert_eq!(Op::Move.to_string(), "move");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Op {
    /// [`RawAlloc::free`](crate::RawAlloc::free).
    Free,
    /// [`RawAlloc::resize`](crate::RawAlloc::resize).
    Resize,
    /// [`RawAlloc::remap`](crate::RawAlloc::remap).
    Remap,
    /// [`RawAlloc::validate`](crate::RawAlloc::validate), asked before a
    /// block is copied out to move it: a grow or shrink through the
    /// allocator-api2 bridge, or [`Handle::realloc`](crate::Handle::realloc),
    /// that could not happen in place. Displays as `move`.
    ///
    /// Those callers try [`Resize`](Op::Resize), then [`Remap`](Op::Remap),
    /// then ask before they move, all for the same block from the same
    /// [`Caller`](crate::Caller): a wrong block shows up once, as the last
    /// step that refused it, with the new length the first step asked for.
    Move,
}

impl fmt::Display for Op {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Op::Free => "free",
            Op::Resize => "resize",
            Op::Remap => "remap",
            Op::Move => "move",
        })
    }
}

/// What was wrong with a request: see [`Misuse`].
///
/// ```
/// use alloc_runtime::debug::{DebugAlloc, MisuseKind};
/// use alloc_runtime::Bump;
/// # let mut buf = [core::mem::MaybeUninit::uninit(); 64];
/// let a = DebugAlloc::new(Bump::new(&mut buf));
/// let h = a.allocator();
/// let mut on_stack = 0u64;
/// // SAFETY: deliberately wrong: `on_stack` did not come from `h`. The
/// // debug allocator records the free and does not pass it on.
/// unsafe { h.destroy(core::ptr::NonNull::from(&mut on_stack)) };
/// assert_eq!(a.misuses()[0].kind, MisuseKind::NotAllocated);
/// # a.finish().unwrap_err();
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum MisuseKind {
    /// The address was freed before (and not handed out again): a double
    /// free, or a resize/remap of freed memory.
    AlreadyFreed,
    /// The address was never handed out by this allocator (a pointer from
    /// another allocator, the stack, or the inside of a block).
    NotAllocated,
    /// The length given is not the block's length.
    WrongLength,
    /// The alignment given is not the one the block was allocated with.
    WrongAlignment,
    /// A resize or remap to zero bytes, which [`RawAlloc`](crate::RawAlloc) forbids.
    ZeroLength,
    /// A freed block no longer held the [poison](super::Config::poison)
    /// everywhere when it left the quarantine: something wrote to it after
    /// it was freed. `offset` is the first byte found changed, from the
    /// block's start. Found only when the block leaves the quarantine (the
    /// misuse's `at` is that moment: the free that pushed it out,
    /// [`release_quarantine`](super::DebugAlloc::release_quarantine), or the
    /// drop), and only with a poison byte set.
    WrittenAfterFree {
        /// The first changed byte, from the block's start.
        offset: usize,
    },
}

/// A request that broke [`RawAlloc`](crate::RawAlloc)'s contract, caught and not passed on.
///
/// Displays as one line: what, where the bad call was, and where the block
/// it concerns was allocated (and freed).
///
/// ```
/// use alloc_runtime::debug::{DebugAlloc, MisuseKind, Op};
/// use alloc_runtime::Bump;
/// # let mut buf = [core::mem::MaybeUninit::uninit(); 64];
/// let a = DebugAlloc::new(Bump::new(&mut buf));
/// let h = a.allocator();
/// let s = h.alloc_slice::<u8>(16)?;
/// let short = core::ptr::NonNull::slice_from_raw_parts(s.cast::<u8>(), 8);
/// // SAFETY: deliberately wrong: the slice has 16 bytes, not 8. The debug
/// // allocator records the free and does not pass it on.
/// unsafe { h.free_slice(short) };
/// let m = &a.misuses()[0];
/// assert_eq!((m.kind, m.op, m.len), (MisuseKind::WrongLength, Op::Free, 8));
/// assert!(m.to_string().starts_with("free with the wrong length: 0x"));
/// // SAFETY: the right length this time.
/// unsafe { h.free_slice(s) };
/// assert!(a.leaks().is_empty());
/// # a.finish().unwrap_err();
/// # Ok::<(), alloc_runtime::AllocError>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct Misuse {
    /// What was wrong.
    pub kind: MisuseKind,
    /// Which request.
    pub op: Op,
    /// The address given.
    pub address: usize,
    /// The length given.
    pub len: usize,
    /// The alignment given.
    pub align: Alignment,
    /// The new length asked for by a resize or remap.
    pub new_len: Option<usize>,
    /// Where the bad call was made.
    pub at: Site,
    /// The recorded block it concerns: the one at that address (live or
    /// freed), or the live block the address points into.
    pub block: Option<Block>,
}

impl fmt::Display for Misuse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.kind, self.op) {
            (MisuseKind::AlreadyFreed, Op::Free) => f.write_str("double free")?,
            (MisuseKind::AlreadyFreed, op) => write!(f, "{op} of freed memory")?,
            (MisuseKind::NotAllocated, op) => write!(f, "{op} of memory not allocated here")?,
            (MisuseKind::WrongLength, op) => write!(f, "{op} with the wrong length")?,
            (MisuseKind::WrongAlignment, op) => write!(f, "{op} with the wrong alignment")?,
            (MisuseKind::ZeroLength, op) => write!(f, "{op} to zero bytes")?,
            (MisuseKind::WrittenAfterFree { .. }, _) => f.write_str("write after free")?,
        }
        write!(f, ": {:#x} ({}", self.address, self.len)?;
        if let Some(new_len) = self.new_len {
            write!(f, " -> {new_len}")?;
        }
        let found = match self.kind {
            MisuseKind::WrittenAfterFree { .. } => "found ",
            _ => "",
        };
        write!(f, " bytes, align {}) {found}at {}", self.align, self.at)?;
        let Some(block) = &self.block else {
            return Ok(());
        };
        match self.kind {
            MisuseKind::AlreadyFreed => {
                write!(f, "; allocated at {}", block.allocated_at)?;
                if let Some(freed) = &block.freed_at {
                    let first = if self.op == Op::Free { "first " } else { "" };
                    write!(f, ", {first}freed at {freed}")?;
                }
                Ok(())
            }
            MisuseKind::NotAllocated => write!(
                f,
                "; inside the {}-byte block at {:#x}, allocated at {}",
                block.len, block.address, block.allocated_at
            ),
            MisuseKind::WrongLength | MisuseKind::WrongAlignment => write!(
                f,
                "; the block is {} bytes (align {}), allocated at {}",
                block.len, block.align, block.allocated_at
            ),
            MisuseKind::ZeroLength => write!(f, "; allocated at {}", block.allocated_at),
            MisuseKind::WrittenAfterFree { offset } => {
                write!(
                    f,
                    "; byte {offset} changed; allocated at {}",
                    block.allocated_at
                )?;
                if let Some(freed) = &block.freed_at {
                    write!(f, ", freed at {freed}")?;
                }
                Ok(())
            }
        }
    }
}

/// What a [`DebugAlloc`](super::DebugAlloc) found: leaks and misuse, as values and as a
/// readable list ([`Display`](fmt::Display)).
///
/// ```text
/// 2 leaks (48 bytes), 1 misuse:
///   leak: 32 bytes (align 8) at 0x…, allocated at tests/debug.rs:41:18
///   leak: 16 bytes (align 8) at 0x…, allocated at tests/debug.rs:42:18
///   double free: 0x… (16 bytes, align 8) at src/foo.rs:10:5; allocated at src/foo.rs:8:9, first freed at src/foo.rs:9:5
/// ```
///
/// ```
/// use alloc_runtime::debug::DebugAlloc;
/// use alloc_runtime::Bump;
/// # let mut buf = [core::mem::MaybeUninit::uninit(); 64];
/// let a = DebugAlloc::new(Bump::new(&mut buf));
/// let p = a.allocator().create([0u8; 48])?;
/// let report = a.report();
/// assert!(!report.is_clean());
/// assert_eq!(report.leaked_bytes(), 48);
/// assert!(report.to_string().starts_with("1 leak (48 bytes):\n  leak: 48 bytes (align 1) at 0x"));
/// # // SAFETY: allocated above on this allocator, freed once.
/// # unsafe { a.allocator().destroy(p) };
/// # Ok::<(), alloc_runtime::AllocError>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct Report {
    /// Live allocations, oldest first.
    pub leaks: Vec<Leak>,
    /// Misuses in the order they happened, the first
    /// [`Config::max_misuses`](super::Config::max_misuses).
    pub misuses: Vec<Misuse>,
    /// Misuses past [`Config::max_misuses`](super::Config::max_misuses),
    /// counted only.
    pub dropped_misuses: u64,
    /// Calls refused because the bookkeeping was busy: the parent called
    /// back into this allocator, or asked it a query (see
    /// [`DebugAlloc::report`](super::DebugAlloc::report)) while it was
    /// serving a request.
    pub reentrant_calls: u64,
}

impl Report {
    /// No leaks, no misuse, no refused reentrant call.
    ///
    /// ```
    /// assert!(alloc_runtime::debug::Report::default().is_clean());
    /// ```
    #[must_use]
    pub fn is_clean(&self) -> bool {
        self.leaks.is_empty()
            && self.misuses.is_empty()
            && self.dropped_misuses == 0
            && self.reentrant_calls == 0
    }

    /// The bytes of all leaks together.
    ///
    /// ```
    /// assert_eq!(alloc_runtime::debug::Report::default().leaked_bytes(), 0);
    /// ```
    #[must_use]
    pub fn leaked_bytes(&self) -> usize {
        self.leaks
            .iter()
            .fold(0usize, |sum, l| sum.saturating_add(l.len))
    }

    /// All misuses, recorded and counted only.
    ///
    /// ```
    /// assert_eq!(alloc_runtime::debug::Report::default().misuse_count(), 0);
    /// ```
    #[must_use]
    pub fn misuse_count(&self) -> u64 {
        (self.misuses.len() as u64).saturating_add(self.dropped_misuses)
    }
}

/// `n thing` or `n things`.
fn plural(n: u64, one: &str, many: &str) -> String {
    alloc::format!("{n} {}", if n == 1 { one } else { many })
}

impl fmt::Display for Report {
    /// A header line, then one indented line per leak and misuse.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_clean() {
            return f.write_str("no leaks, no misuse");
        }
        let mut parts = Vec::new();
        if !self.leaks.is_empty() {
            parts.push(alloc::format!(
                "{} ({} bytes)",
                plural(self.leaks.len() as u64, "leak", "leaks"),
                self.leaked_bytes()
            ));
        }
        if self.misuse_count() > 0 {
            parts.push(plural(self.misuse_count(), "misuse", "misuses"));
        }
        if self.reentrant_calls > 0 {
            parts.push(alloc::format!(
                "{} refused",
                plural(self.reentrant_calls, "reentrant call", "reentrant calls")
            ));
        }
        write!(f, "{}:", parts.join(", "))?;
        for leak in &self.leaks {
            write!(f, "\n  {leak}")?;
        }
        for misuse in &self.misuses {
            write!(f, "\n  {misuse}")?;
        }
        if self.dropped_misuses > 0 {
            write!(
                f,
                "\n  … and {} not kept",
                plural(self.dropped_misuses, "more misuse", "more misuses")
            )?;
        }
        let sites =
            self.leaks
                .iter()
                .map(|l| &l.allocated_at)
                .chain(self.misuses.iter().flat_map(|m| {
                    core::iter::once(&m.at).chain(m.block.iter().map(|b| &b.allocated_at))
                }));
        if sites.into_iter().any(Site::is_inside_collection) {
            f.write_str(
                "\n  note: sites inside allocator-api2/hashbrown/std are a collection's code; \
                 `Config::with_backtraces(true)` names the caller's line",
            )?;
        }
        Ok(())
    }
}

impl core::error::Error for Report {}
