//! [`DebugAlloc`]: Zig's `DebugAllocator` for Rust — leaks, double frees,
//! foreign frees, wrong lengths and alignments, reported with call sites
//! (feature `alloc`).
//!
//! Wrap any [`RawAlloc`] in a [`DebugAlloc`] and it records every live
//! allocation (address, length, alignment, call site). Misuse — a double
//! free, a free of memory it never handed out, a free, resize or remap with
//! the wrong length or alignment — is **recorded and not passed on** to the
//! parent, so the parent is never corrupted and the program keeps running.
//! What is still live when you ask is a leak. [`DebugAlloc::report`] returns
//! both as a [`Report`], a value that also prints as a readable list.
//!
//! Memory given back is first overwritten with [`POISON`] (`0xDD`), so a read
//! after free sees `0xDDDD…` instead of stale data; fresh memory is filled
//! with [`FILL`] (`0xAA`), so a read of uninitialized memory is recognizable
//! too. Both bytes can be changed or turned off in [`Config`].
//!
//! For tests, `test_allocator()` (feature `std`) is Zig's
//! `std.testing.allocator`: a [`DebugAlloc`] over the global allocator that
//! panics when dropped with leaks or misuse, failing the test that caused
//! them.
//!
//! ```
//! use alloc_runtime::debug::test_allocator;
//! use allocator_api2::vec::Vec;
//!
//! let a = test_allocator();
//! let mut v: Vec<u32, _> = Vec::new_in(&a);
//! v.extend([1, 2, 3]);
//! drop(v);
//! a.finish().expect("no leaks, no misuse"); // or just let `a` drop
//! ```
//!
//! # Call sites
//!
//! Every site is first the [`Caller`] of the request: the user's line for the
//! typed helpers of [`Handle`](crate::Handle) (`create`, `alloc_slice`,
//! `dupe`, …), which are `#[track_caller]`. Collections call through
//! allocator-api2, whose code is not `#[track_caller]`, so their `Caller` is
//! a line inside the collection. For those, turn on
//! [`Config::with_backtraces`] (feature `std`): each site then also captures
//! a `std::backtrace::Backtrace` and keeps the first frame outside this
//! crate, allocator-api2, hashbrown and the standard library
//! ([`user_frame`]). Capturing and symbolizing a backtrace costs far more
//! than the allocation itself, so it is off by default.
//!
//! # Design choices
//!
//! - **Bookkeeping lives in the global allocator**, never in the checked
//!   one: a `BTreeMap` of records in a `RefCell`. That is why the module
//!   needs the `alloc` feature: without `alloc` the only storage would be a
//!   fixed-capacity table, whose size would have to be a const generic on
//!   every type that names the allocator, and which, once full, would have
//!   to refuse allocations or forget records (and then report false
//!   "foreign frees"). Tests, where a debug allocator is used, have `alloc`.
//! - **Not `Sync`**: the state is in `Cell`/`RefCell`. The functions never
//!   panic: a call that finds the bookkeeping busy (a parent that calls back
//!   into its own wrapper) is refused and counted
//!   ([`Report::reentrant_calls`]) instead of panicking on the `RefCell`.
//! - **Shrinking keeps the parent's block.** A shrink (by `resize` or
//!   `remap`) only shortens the record and poisons the cut-off tail; the
//!   parent still holds the full block, so the tail stays valid memory full
//!   of `0xDD`, and a later growth up to the original length happens in
//!   place. The parent sees the original length when the block is freed.
//! - **`remap` never moves.** It changes the length in place or returns
//!   `None`; the caller then allocates, copies and frees through this
//!   wrapper, so the old block is checked and poisoned like any other free.
//! - **Double frees are recognized** for the last [`Config::with_max_freed`]
//!   freed addresses (1024 by default) that the parent has not handed out
//!   again; older ones are reported as frees of memory not allocated here.
//! - A direct call of `alloc` with length zero returns `None` (the
//!   [`Handle`](crate::Handle) and the allocator-api2 bridge never make one).
#![cfg(feature = "alloc")]
#![cfg_attr(docsrs, doc(cfg(feature = "alloc")))]

use alloc::collections::{BTreeMap, VecDeque};
use alloc::string::String;
use alloc::vec::Vec;
use core::cell::{Cell, RefCell};
use core::fmt;
use core::ptr::NonNull;

use crate::{Alignment, Caller, RawAlloc};

/// The byte that freed memory (and the tail cut off by a shrink) is filled
/// with before it goes back to the parent: `0xDD`, "dead". The same byte as
/// the MSVC debug heap's freed-memory fill.
///
/// ```
/// assert_eq!(alloc_runtime::debug::POISON, 0xDD);
/// ```
pub const POISON: u8 = 0xDD;

/// The byte fresh memory (and the new part of a grown block) is filled with
/// before it is handed out: `0xAA`, Zig's `undefined` in safe builds.
///
/// ```
/// use alloc_runtime::debug::{DebugAlloc, FILL};
/// use alloc_runtime::{Bump, Allocator};
/// use core::mem::MaybeUninit;
///
/// let mut buf = [MaybeUninit::uninit(); 64];
/// let a = DebugAlloc::new(Bump::new(&mut buf));
/// let block = a.allocator().alloc_slice::<u8>(4)?;
/// // SAFETY: the debug allocator initialized the four bytes with `FILL`.
/// assert_eq!(unsafe { block.as_ref() }, [FILL; 4]);
/// # // SAFETY: allocated above on this allocator, freed once.
/// # unsafe { a.allocator().free_slice(block) };
/// # Ok::<(), alloc_runtime::AllocError>(())
/// ```
pub const FILL: u8 = 0xAA;

/// What a [`DebugAlloc`] does when it is dropped with leaks or misuse on
/// record.
///
/// ```
/// use alloc_runtime::debug::{Config, OnDrop};
/// assert_eq!(Config::new().on_drop, OnDrop::Print);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum OnDrop {
    /// Nothing: read the results with [`DebugAlloc::report`] before.
    Ignore,
    /// Print the [`Report`] to standard error (feature `std`; without it,
    /// nothing). The default.
    Print,
    /// Panic with the [`Report`], failing the test (unless the thread is
    /// already panicking, with feature `std`: then print it). Without `std`
    /// the panicking state cannot be seen, and a panic during unwinding
    /// aborts. `test_allocator()` uses this.
    Panic,
}

/// Settings of a [`DebugAlloc`]: build one with [`Config::new`] and the
/// `with_*` methods.
///
/// ```
/// use alloc_runtime::debug::{Config, OnDrop};
/// let config = Config::new().with_fill(None).with_max_misuses(8).with_on_drop(OnDrop::Panic);
/// assert_eq!(config.poison, Some(0xDD));
/// assert_eq!((config.fill, config.max_misuses), (None, 8));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct Config {
    /// The byte freed memory and shrunk tails are overwritten with;
    /// [`POISON`] by default, `None` to leave them as they are.
    pub poison: Option<u8>,
    /// The byte fresh memory is filled with; [`FILL`] by default, `None` to
    /// leave it as the parent gives it.
    pub fill: Option<u8>,
    /// Whether each call site also captures a backtrace and keeps the first
    /// frame in the user's code (feature `std`; slow). Off by default.
    pub backtraces: bool,
    /// How many misuses are kept in full; later ones are only counted.
    /// 64 by default.
    pub max_misuses: usize,
    /// How many freed blocks are remembered to recognize double frees. 1024
    /// by default.
    pub max_freed: usize,
    /// What dropping the allocator does with leaks or misuse on record.
    pub on_drop: OnDrop,
}

impl Config {
    /// The defaults: poison `0xDD`, fill `0xAA`, no backtraces, 64 misuses
    /// kept, 1024 freed blocks remembered, print the report on drop.
    ///
    /// ```
    /// let config = alloc_runtime::debug::Config::new();
    /// assert_eq!(config, Default::default());
    /// assert!(!config.backtraces);
    /// ```
    #[must_use]
    pub const fn new() -> Self {
        Self {
            poison: Some(POISON),
            fill: Some(FILL),
            backtraces: false,
            max_misuses: 64,
            max_freed: 1024,
            on_drop: OnDrop::Print,
        }
    }

    /// Sets [`poison`](Self::poison).
    ///
    /// ```
    /// let config = alloc_runtime::debug::Config::new().with_poison(Some(0xFE));
    /// assert_eq!(config.poison, Some(0xFE));
    /// ```
    #[must_use]
    pub const fn with_poison(mut self, byte: Option<u8>) -> Self {
        self.poison = byte;
        self
    }

    /// Sets [`fill`](Self::fill).
    ///
    /// ```
    /// let config = alloc_runtime::debug::Config::new().with_fill(None);
    /// assert_eq!(config.fill, None);
    /// ```
    #[must_use]
    pub const fn with_fill(mut self, byte: Option<u8>) -> Self {
        self.fill = byte;
        self
    }

    /// Sets [`backtraces`](Self::backtraces): each call site then names the
    /// first frame of the user's code (feature `std`; without it, ignored).
    ///
    /// ```
    /// let config = alloc_runtime::debug::Config::new().with_backtraces(true);
    /// assert!(config.backtraces);
    /// ```
    #[must_use]
    pub const fn with_backtraces(mut self, on: bool) -> Self {
        self.backtraces = on;
        self
    }

    /// Sets [`max_misuses`](Self::max_misuses).
    ///
    /// ```
    /// let config = alloc_runtime::debug::Config::new().with_max_misuses(1);
    /// assert_eq!(config.max_misuses, 1);
    /// ```
    #[must_use]
    pub const fn with_max_misuses(mut self, n: usize) -> Self {
        self.max_misuses = n;
        self
    }

    /// Sets [`max_freed`](Self::max_freed); `0` turns double-free
    /// recognition off (double frees are then frees of memory not allocated
    /// here, still caught).
    ///
    /// ```
    /// let config = alloc_runtime::debug::Config::new().with_max_freed(0);
    /// assert_eq!(config.max_freed, 0);
    /// ```
    #[must_use]
    pub const fn with_max_freed(mut self, n: usize) -> Self {
        self.max_freed = n;
        self
    }

    /// Sets [`on_drop`](Self::on_drop).
    ///
    /// ```
    /// use alloc_runtime::debug::{Config, OnDrop};
    /// assert_eq!(Config::new().with_on_drop(OnDrop::Ignore).on_drop, OnDrop::Ignore);
    /// ```
    #[must_use]
    pub const fn with_on_drop(mut self, on_drop: OnDrop) -> Self {
        self.on_drop = on_drop;
        self
    }
}

impl Default for Config {
    /// [`Config::new`].
    fn default() -> Self {
        Self::new()
    }
}

/// Where a request came from: its [`Caller`], and with backtraces on
/// ([`Config::with_backtraces`]) the first frame of the user's code.
///
/// Displays as the frame when there is one, else as the caller
/// (`file:line:column`).
///
/// ```
/// use alloc_runtime::debug::Site;
/// use alloc_runtime::Caller;
///
/// let site = Site { caller: Caller::here(), frame: None };
/// assert_eq!(site.to_string(), site.caller.to_string());
/// let site = Site { frame: Some("src/main.rs:3:5".into()), ..site };
/// assert_eq!(site.to_string(), "src/main.rs:3:5");
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Site {
    /// The `#[track_caller]` location passed with the request.
    pub caller: Caller,
    /// The first frame of a backtrace outside this crate, allocator-api2,
    /// hashbrown and the standard library ([`user_frame`]), as
    /// `file:line:column` (or the function's name when it has no location).
    pub frame: Option<String>,
}

impl Site {
    /// Whether the site names a line inside a collection or the standard
    /// library (allocator-api2, hashbrown, `/rustc/…`) and no backtrace
    /// frame says better: then [`Config::with_backtraces`] would help.
    ///
    /// ```
    /// use alloc_runtime::debug::Site;
    /// let site = Site { caller: alloc_runtime::Caller::here(), frame: None };
    /// assert!(!site.is_inside_collection());
    /// ```
    #[must_use]
    pub fn is_inside_collection(&self) -> bool {
        self.frame.is_none() && {
            let file = self.caller.location().file();
            ["allocator-api2", "allocator_api2", "hashbrown", "/rustc/"]
                .iter()
                .any(|p| file.contains(p))
        }
    }
}

impl fmt::Display for Site {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.frame {
            Some(frame) => f.write_str(frame),
            None => fmt::Display::fmt(&self.caller, f),
        }
    }
}

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
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Op {
    /// [`RawAlloc::free`].
    Free,
    /// [`RawAlloc::resize`].
    Resize,
    /// [`RawAlloc::remap`].
    Remap,
}

impl fmt::Display for Op {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Op::Free => "free",
            Op::Resize => "resize",
            Op::Remap => "remap",
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
    /// A resize or remap to zero bytes, which [`RawAlloc`] forbids.
    ZeroLength,
}

/// A request that broke [`RawAlloc`]'s contract, caught and not passed on.
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
        }
        write!(f, ": {:#x} ({}", self.address, self.len)?;
        if let Some(new_len) = self.new_len {
            write!(f, " -> {new_len}")?;
        }
        write!(f, " bytes, align {}) at {}", self.align, self.at)?;
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
        }
    }
}

/// What a [`DebugAlloc`] found: leaks and misuse, as values and as a
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
    /// [`Config::max_misuses`].
    pub misuses: Vec<Misuse>,
    /// Misuses past [`Config::max_misuses`], counted only.
    pub dropped_misuses: u64,
    /// Calls refused because the bookkeeping was busy (the parent called
    /// back into this allocator).
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

/// Captures a backtrace here and returns its first frame outside this
/// crate, allocator-api2, hashbrown and the standard library ([`user_frame`]),
/// as text: where user code made the request being handled.
#[cfg(feature = "std")]
pub(crate) fn capture_user_frame() -> Option<String> {
    let text = alloc::string::ToString::to_string(&std::backtrace::Backtrace::force_capture());
    user_frame(&text).map(|frame| alloc::string::ToString::to_string(&frame))
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

/// A frame of a backtrace: the function, and where it is if the backtrace
/// says ([`user_frame`]).
///
/// Displays as the location when there is one, else the function.
///
/// ```
/// use alloc_runtime::debug::Frame;
/// let frame = Frame { function: "app::main", location: Some("src/main.rs:3:5") };
/// assert_eq!(frame.to_string(), "src/main.rs:3:5");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Frame<'a> {
    /// The function's name, as the backtrace prints it.
    pub function: &'a str,
    /// `file:line:column`, a leading `./` removed.
    pub location: Option<&'a str>,
}

impl fmt::Display for Frame<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.location.unwrap_or(self.function))
    }
}

/// Crates whose frames are never the user's code (`test` is libtest, the
/// test harness; Cargo reserves the name).
const INTERNAL_CRATES: [&str; 11] = [
    "alloc_runtime",
    "allocator_api2",
    "hashbrown",
    "core",
    "alloc",
    "std",
    "backtrace",
    "panic_unwind",
    "panic_abort",
    "compiler_builtins",
    "test",
];

/// The first frame of `backtrace` (the `Display` text of a
/// `std::backtrace::Backtrace`, innermost frame first) in the user's code:
/// not in this crate, allocator-api2, hashbrown, `core`/`alloc`/`std`, the
/// backtrace machinery, the test harness or the Rust runtime (symbols
/// without a `::` path, such as `main`, `_start`, `__libc_start_main`, and
/// paths starting with `__`, such as `__rustc::rust_begin_unwind`).
///
/// A frame's crate is the first segment of its path; for
/// `<Type as Trait>::method` it is `Type`'s, or the trait's when the type
/// has no path (`<&A as allocator_api2::…::Allocator>::allocate` is
/// allocator-api2's). Pure: unit-testable on a fixed text.
///
/// ```
/// use alloc_runtime::debug::user_frame;
///
/// let text = "   0: alloc_runtime::debug::DebugAlloc<A>::site
///              at ./alloc-runtime/src/debug.rs:700:20
///    1: <&A as allocator_api2::stable::alloc::Allocator>::allocate
///              at /home/u/.cargo/registry/src/allocator-api2-0.2.21/src/stable/alloc/mod.rs:350:9
///    2: app::parse
///              at ./src/parse.rs:12:17
///    3: app::main
///              at ./src/main.rs:3:5";
/// let frame = user_frame(text).unwrap();
/// assert_eq!(frame.function, "app::parse");
/// assert_eq!(frame.to_string(), "src/parse.rs:12:17");
/// assert_eq!(user_frame("   0: core::ops::function::FnOnce::call_once"), None);
/// ```
#[must_use]
pub fn user_frame(backtrace: &str) -> Option<Frame<'_>> {
    let mut lines = backtrace.lines().map(str::trim).peekable();
    while let Some(line) = lines.next() {
        if line.is_empty() || line.starts_with("at ") {
            continue;
        }
        // `12: name`, or `name` alone for a further (inlined) symbol.
        let function = match line.split_once(": ") {
            Some((index, name)) if index.bytes().all(|b| b.is_ascii_digit()) => name.trim(),
            _ => line,
        };
        let location = lines
            .next_if(|next| next.starts_with("at "))
            .map(|at| at["at ".len()..].trim())
            .map(|at| at.strip_prefix("./").unwrap_or(at));
        if is_user_function(function) {
            return Some(Frame { function, location });
        }
    }
    None
}

/// Whether `function` (a demangled symbol) belongs to the user's code.
fn is_user_function(function: &str) -> bool {
    match crate_of(function) {
        Some(krate) => !krate.starts_with("__") && !INTERNAL_CRATES.contains(&krate),
        None => false,
    }
}

/// The crate a demangled symbol belongs to, as described on [`user_frame`].
fn crate_of(symbol: &str) -> Option<&str> {
    let Some(qualified) = symbol.strip_prefix('<') else {
        return path_crate(symbol);
    };
    // `<Type as Trait>::f` or `<Type>::f`: split at ` as ` or the closing
    // `>` at nesting depth zero.
    let mut depth = 0usize;
    let mut self_end = qualified.len();
    let mut trait_start = None;
    for (i, b) in qualified.bytes().enumerate() {
        match b {
            b'<' => depth += 1,
            b'>' if depth == 0 => {
                self_end = self_end.min(i);
                break;
            }
            b'>' => depth -= 1,
            b' ' if depth == 0 && qualified[i..].starts_with(" as ") && trait_start.is_none() => {
                self_end = i;
                trait_start = Some(i + " as ".len());
            }
            _ => {}
        }
    }
    path_crate(&qualified[..self_end]).or_else(|| path_crate(&qualified[trait_start?..]))
}

/// The first segment of a path type (`&`, `*const`, `dyn` and the like
/// skipped), if the type has a path with `::`.
fn path_crate(ty: &str) -> Option<&str> {
    let mut ty = ty.trim();
    loop {
        let before = ty;
        for prefix in ["&", "*const ", "*mut ", "mut ", "dyn ", "impl ", "[", "("] {
            ty = ty.strip_prefix(prefix).unwrap_or(ty).trim_start();
        }
        if ty == before {
            break;
        }
    }
    let head = &ty[..ty.find("::")?];
    let is_ident = !head.is_empty() && head.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
    is_ident.then_some(head)
}

/// A wrapper over any [`RawAlloc`] that records every live allocation and
/// catches misuse: Zig's `DebugAllocator`. See the [module](self) docs.
///
/// It is an allocator itself (`#[derive(Allocator)]`): `.allocator()` gives
/// the [`Handle`](crate::Handle), and `&DebugAlloc<A>` works with
/// allocator-api2 collections and hashbrown.
///
/// Not `Sync` (its state is in `Cell`/`RefCell`; `Send` when `A` is). The
/// bookkeeping is in the global allocator, never in `A`.
///
/// # Examples
///
/// ```
/// use alloc_runtime::debug::DebugAlloc;
/// use alloc_runtime::Bump;
/// use core::mem::MaybeUninit;
///
/// let mut buf = [MaybeUninit::uninit(); 256];
/// let a = DebugAlloc::new(Bump::new(&mut buf));
/// let h = a.allocator();
/// let (kept, line) = (h.create(1u64)?, line!());
/// let freed = h.create(2u32)?;
/// // SAFETY: from `create` on `h`, destroyed once.
/// unsafe { h.destroy(freed) };
///
/// let report = a.check().unwrap_err();
/// assert_eq!(report.leaks.len(), 1);
/// assert_eq!(report.leaks[0].allocated_at.caller.location().line(), line);
/// println!("{report}"); // 1 leak (8 bytes):\n  leak: 8 bytes (align 8) at 0x…, allocated at src/…
/// # // SAFETY: allocated above on this allocator, freed once.
/// # unsafe { h.destroy(kept) };
/// # Ok::<(), alloc_runtime::AllocError>(())
/// ```
#[derive(alloc_derive::Allocator)]
#[allocator(unsafe(
    alloc = Self::checked_alloc,
    resize = Self::checked_resize,
    remap = Self::checked_remap,
    free = Self::checked_free,
))]
pub struct DebugAlloc<A> {
    #[allocator(parent)]
    inner: A,
    config: Config,
    /// The records; borrowed for the whole of each call, parent call
    /// included, so a reentrant call finds it busy.
    state: RefCell<State>,
    /// Calls refused because `state` was busy.
    reentrant: Cell<u64>,
    /// Whether dropping still reports (`finish` disarms it).
    armed: Cell<bool>,
}

/// A live block.
struct Record {
    /// The length the user holds.
    len: usize,
    /// The length the parent holds: at least `len` (shrinks keep the block).
    parent_len: usize,
    align: Alignment,
    allocated_at: Site,
    /// Allocation order, for reporting leaks oldest first.
    seq: u64,
}

/// A freed block, remembered to recognize double frees.
struct Freed {
    len: usize,
    align: Alignment,
    allocated_at: Site,
    freed_at: Site,
    /// Which free, to tell a current entry from a reused address in `order`.
    seq: u64,
}

#[derive(Default)]
struct State {
    live: BTreeMap<usize, Record>,
    freed: BTreeMap<usize, Freed>,
    /// Freed addresses, oldest first (entries whose `seq` no longer matches
    /// are stale).
    freed_order: VecDeque<(usize, u64)>,
    misuses: Vec<Misuse>,
    dropped_misuses: u64,
    seq: u64,
}

impl State {
    fn next_seq(&mut self) -> u64 {
        self.seq = self.seq.wrapping_add(1);
        self.seq
    }

    /// Forgets freed blocks in `start..start + len`: the parent handed that
    /// memory out again.
    fn reused(&mut self, start: usize, len: usize) {
        let end = start.saturating_add(len);
        while let Some((&addr, _)) = self.freed.range(start..end).next() {
            self.freed.remove(&addr);
        }
    }

    fn remember_freed(&mut self, addr: usize, freed: Freed, max: usize) {
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

    fn misuse(&mut self, misuse: Misuse, max: usize) {
        if self.misuses.len() < max {
            self.misuses.push(misuse);
        } else {
            self.dropped_misuses = self.dropped_misuses.saturating_add(1);
        }
    }
}

impl<A> DebugAlloc<A> {
    /// Checks what passes to `inner`, with the default [`Config`].
    ///
    /// ```
    /// use alloc_runtime::debug::DebugAlloc;
    /// use alloc_runtime::Bump;
    /// # let mut buf = [core::mem::MaybeUninit::uninit(); 64];
    /// let a = DebugAlloc::new(Bump::new(&mut buf));
    /// assert!(a.report().is_clean());
    /// ```
    #[must_use]
    pub fn new(inner: A) -> Self {
        Self::with_config(inner, Config::new())
    }

    /// Checks what passes to `inner`, with `config`.
    ///
    /// ```
    /// use alloc_runtime::debug::{Config, DebugAlloc, OnDrop};
    /// use alloc_runtime::Bump;
    /// # let mut buf = [core::mem::MaybeUninit::uninit(); 64];
    /// let a = DebugAlloc::with_config(Bump::new(&mut buf), Config::new().with_on_drop(OnDrop::Ignore));
    /// assert_eq!(a.config().on_drop, OnDrop::Ignore);
    /// ```
    #[must_use]
    pub fn with_config(inner: A, config: Config) -> Self {
        Self {
            inner,
            config,
            state: RefCell::new(State::default()),
            reentrant: Cell::new(0),
            armed: Cell::new(true),
        }
    }

    /// The settings.
    ///
    /// ```
    /// use alloc_runtime::debug::DebugAlloc;
    /// # let mut buf = [core::mem::MaybeUninit::uninit(); 64];
    /// let a = DebugAlloc::new(alloc_runtime::Bump::new(&mut buf));
    /// assert_eq!(a.config().poison, Some(0xDD));
    /// ```
    #[must_use]
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// The parent allocator.
    ///
    /// ```
    /// use alloc_runtime::debug::DebugAlloc;
    /// # let mut buf = [core::mem::MaybeUninit::uninit(); 64];
    /// let a = DebugAlloc::new(alloc_runtime::Bump::new(&mut buf));
    /// assert_eq!(a.inner().capacity(), 64);
    /// ```
    #[must_use]
    pub fn inner(&self) -> &A {
        &self.inner
    }

    /// The number of live allocations.
    ///
    /// ```
    /// use alloc_runtime::debug::DebugAlloc;
    /// # let mut buf = [core::mem::MaybeUninit::uninit(); 64];
    /// let a = DebugAlloc::new(alloc_runtime::Bump::new(&mut buf));
    /// let b = allocator_api2::boxed::Box::new_in(5u8, &a);
    /// assert_eq!(a.live_allocations(), 1);
    /// drop(b);
    /// assert_eq!(a.live_allocations(), 0);
    /// ```
    #[must_use]
    pub fn live_allocations(&self) -> usize {
        self.state.borrow().live.len()
    }

    /// The allocations still live now, oldest first.
    ///
    /// ```
    /// use alloc_runtime::debug::DebugAlloc;
    /// # let mut buf = [core::mem::MaybeUninit::uninit(); 64];
    /// let a = DebugAlloc::new(alloc_runtime::Bump::new(&mut buf));
    /// let s = a.allocator().alloc_slice::<u16>(3)?;
    /// assert_eq!(a.leaks()[0].len, 6);
    /// # // SAFETY: allocated above on this allocator, freed once.
    /// # unsafe { a.allocator().free_slice(s) };
    /// # Ok::<(), alloc_runtime::AllocError>(())
    /// ```
    #[must_use]
    pub fn leaks(&self) -> Vec<Leak> {
        let state = self.state.borrow();
        let mut leaks: Vec<(u64, Leak)> = state
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

    /// The misuses recorded so far (the first [`Config::max_misuses`]).
    ///
    /// ```
    /// use alloc_runtime::debug::DebugAlloc;
    /// # let mut buf = [core::mem::MaybeUninit::uninit(); 64];
    /// let a = DebugAlloc::new(alloc_runtime::Bump::new(&mut buf));
    /// assert!(a.misuses().is_empty());
    /// ```
    #[must_use]
    pub fn misuses(&self) -> Vec<Misuse> {
        self.state.borrow().misuses.clone()
    }

    /// Everything found so far: leaks (what is live now), misuses.
    ///
    /// ```
    /// use alloc_runtime::debug::DebugAlloc;
    /// # let mut buf = [core::mem::MaybeUninit::uninit(); 64];
    /// let a = DebugAlloc::new(alloc_runtime::Bump::new(&mut buf));
    /// let b = allocator_api2::boxed::Box::new_in(5u8, &a);
    /// assert_eq!(a.report().leaks.len(), 1);
    /// drop(b);
    /// assert!(a.report().is_clean());
    /// ```
    #[must_use]
    pub fn report(&self) -> Report {
        let leaks = self.leaks();
        let state = self.state.borrow();
        Report {
            leaks,
            misuses: state.misuses.clone(),
            dropped_misuses: state.dropped_misuses,
            reentrant_calls: self.reentrant.get(),
        }
    }

    /// `Ok` when the [`report`](Self::report) is clean, else the report.
    ///
    /// # Errors
    ///
    /// The [`Report`] when anything is live or any misuse was caught.
    ///
    /// # Examples
    ///
    /// ```
    /// use alloc_runtime::debug::DebugAlloc;
    /// # let mut buf = [core::mem::MaybeUninit::uninit(); 64];
    /// let a = DebugAlloc::new(alloc_runtime::Bump::new(&mut buf));
    /// let b = allocator_api2::boxed::Box::new_in(5u8, &a);
    /// assert!(a.check().is_err());
    /// drop(b);
    /// a.check()?;
    /// # Ok::<(), alloc_runtime::debug::Report>(())
    /// ```
    pub fn check(&self) -> Result<(), Report> {
        let report = self.report();
        if report.is_clean() {
            Ok(())
        } else {
            Err(report)
        }
    }

    /// [`check`](Self::check), then drops the allocator without its
    /// [`OnDrop`] action: the non-panicking end of a `test_allocator()`.
    ///
    /// # Errors
    ///
    /// The [`Report`] when anything is live or any misuse was caught.
    ///
    /// # Examples
    ///
    /// ```
    /// use alloc_runtime::debug::{test_allocator, Global};
    /// let a = test_allocator();
    /// let p = a.allocator().create(1u32)?;
    /// // The leak is returned, not panicked with.
    /// assert_eq!(a.finish().unwrap_err().leaks.len(), 1);
    /// // SAFETY: `p` came from `create` on the test allocator, whose parent
    /// // is `Global`, and was not freed.
    /// unsafe { Global.allocator().destroy(p) };
    /// # Ok::<(), alloc_runtime::AllocError>(())
    /// ```
    pub fn finish(self) -> Result<(), Report> {
        self.armed.set(false);
        self.check()
    }

    /// The call site of a request: the caller, and a backtrace frame if on.
    fn site(&self, caller: Caller) -> Site {
        Site {
            caller,
            frame: self.frame(),
        }
    }

    #[cfg(feature = "std")]
    fn frame(&self) -> Option<String> {
        if !self.config.backtraces {
            return None;
        }
        capture_user_frame()
    }

    #[cfg(not(feature = "std"))]
    fn frame(&self) -> Option<String> {
        None
    }

    /// Counts a call refused because the bookkeeping is busy.
    fn refuse_reentrant(&self) {
        self.reentrant.set(self.reentrant.get().saturating_add(1));
    }

    /// Finds `memory` among the live blocks with its exact length and
    /// alignment, or records what is wrong and returns `None`.
    fn validate(
        &self,
        state: &mut State,
        op: Op,
        memory: NonNull<[u8]>,
        align: Alignment,
        new_len: Option<usize>,
        caller: Caller,
    ) -> Option<(usize, usize)> {
        let address = memory.cast::<u8>().addr().get();
        let (kind, block) = if let Some(r) = state.live.get(&address) {
            let kind = if memory.len() != r.len {
                MisuseKind::WrongLength
            } else if align != r.align {
                MisuseKind::WrongAlignment
            } else if new_len == Some(0) {
                MisuseKind::ZeroLength
            } else {
                return Some((r.len, r.parent_len));
            };
            let block = Block {
                address,
                len: r.len,
                align: r.align,
                allocated_at: r.allocated_at.clone(),
                freed_at: None,
            };
            (kind, Some(block))
        } else if let Some(f) = state.freed.get(&address) {
            let block = Block {
                address,
                len: f.len,
                align: f.align,
                allocated_at: f.allocated_at.clone(),
                freed_at: Some(f.freed_at.clone()),
            };
            (MisuseKind::AlreadyFreed, Some(block))
        } else {
            let inside = state
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
            (MisuseKind::NotAllocated, inside)
        };
        let misuse = Misuse {
            kind,
            op,
            address,
            len: memory.len(),
            align,
            new_len,
            at: self.site(caller),
            block,
        };
        state.misuse(misuse, self.config.max_misuses);
        None
    }
}

/// Writes `len` copies of `byte` at `ptr + offset`.
///
/// # Safety
///
/// `ptr + offset .. ptr + offset + len` is valid for writes, inside one
/// allocation.
unsafe fn paint(ptr: NonNull<u8>, offset: usize, len: usize, byte: Option<u8>) {
    let Some(byte) = byte else { return };
    // SAFETY: the caller's promise: `offset` stays inside the allocation.
    let start = unsafe { ptr.add(offset) };
    // SAFETY: the caller's promise: `len` bytes from `start` are writable.
    unsafe { start.as_ptr().write_bytes(byte, len) };
}

impl<A: RawAlloc> DebugAlloc<A> {
    fn checked_alloc(&self, len: usize, align: Alignment, caller: Caller) -> Option<NonNull<u8>> {
        if len == 0 {
            return None;
        }
        let Ok(mut state) = self.state.try_borrow_mut() else {
            self.refuse_reentrant();
            return None;
        };
        let ptr = self.inner.alloc(len, align, caller)?;
        // SAFETY: the parent just handed out `len` writable bytes at `ptr`.
        unsafe { paint(ptr, 0, len, self.config.fill) };
        let address = ptr.addr().get();
        state.reused(address, len);
        let seq = state.next_seq();
        let record = Record {
            len,
            parent_len: len,
            align,
            allocated_at: self.site(caller),
            seq,
        };
        state.live.insert(address, record);
        Some(ptr)
    }

    /// Changes the length of a checked block in place: within what the
    /// parent holds by bookkeeping alone, beyond it by the parent's
    /// `resize`. Returns whether it did.
    ///
    /// # Safety
    ///
    /// None beyond `RawAlloc::resize`'s: misuse is caught, not passed on.
    unsafe fn change_in_place(
        &self,
        op: Op,
        memory: NonNull<[u8]>,
        align: Alignment,
        new_len: usize,
        caller: Caller,
    ) -> bool {
        let Ok(mut state) = self.state.try_borrow_mut() else {
            self.refuse_reentrant();
            return false;
        };
        let Some((old_len, parent_len)) =
            self.validate(&mut state, op, memory, align, Some(new_len), caller)
        else {
            return false;
        };
        let ptr = memory.cast::<u8>();
        let address = ptr.addr().get();
        let new_parent_len = if new_len <= parent_len {
            parent_len
        } else {
            let held = NonNull::slice_from_raw_parts(ptr, parent_len);
            // SAFETY: `held` is the live block the parent handed out (its
            // record was found with the right length and alignment above),
            // with the length and alignment the parent knows; both lengths
            // are non-zero.
            if !unsafe { self.inner.resize(held, align, new_len, caller) } {
                return false;
            }
            state.reused(address, new_len);
            new_len
        };
        if new_len < old_len {
            // SAFETY: the parent still holds `parent_len >= old_len` bytes
            // at `ptr`; the tail `new_len..old_len` is inside them.
            unsafe { paint(ptr, new_len, old_len - new_len, self.config.poison) };
        } else {
            // SAFETY: the block now has `new_parent_len >= new_len` bytes.
            unsafe { paint(ptr, old_len, new_len - old_len, self.config.fill) };
        }
        if let Some(record) = state.live.get_mut(&address) {
            record.len = new_len;
            record.parent_len = new_parent_len;
        }
        true
    }

    /// # Safety
    ///
    /// `RawAlloc::resize`'s contract; breaking it is caught and recorded.
    unsafe fn checked_resize(
        &self,
        memory: NonNull<[u8]>,
        align: Alignment,
        new_len: usize,
        caller: Caller,
    ) -> bool {
        // SAFETY: the caller's contract, checked inside.
        unsafe { self.change_in_place(Op::Resize, memory, align, new_len, caller) }
    }

    /// # Safety
    ///
    /// `RawAlloc::remap`'s contract; breaking it is caught and recorded.
    unsafe fn checked_remap(
        &self,
        memory: NonNull<[u8]>,
        align: Alignment,
        new_len: usize,
        caller: Caller,
    ) -> Option<NonNull<u8>> {
        // SAFETY: the caller's contract, checked inside.
        unsafe { self.change_in_place(Op::Remap, memory, align, new_len, caller) }
            .then(|| memory.cast())
    }

    /// # Safety
    ///
    /// `RawAlloc::free`'s contract; breaking it is caught and recorded.
    unsafe fn checked_free(&self, memory: NonNull<[u8]>, align: Alignment, caller: Caller) {
        let Ok(mut state) = self.state.try_borrow_mut() else {
            // Not passed on: the block leaks rather than risk the parent.
            self.refuse_reentrant();
            return;
        };
        if self
            .validate(&mut state, Op::Free, memory, align, None, caller)
            .is_none()
        {
            return;
        }
        let ptr = memory.cast::<u8>();
        let address = ptr.addr().get();
        let Some(record) = state.live.remove(&address) else {
            return;
        };
        let seq = state.next_seq();
        let freed = Freed {
            len: record.len,
            align: record.align,
            allocated_at: record.allocated_at,
            freed_at: self.site(caller),
            seq,
        };
        state.remember_freed(address, freed, self.config.max_freed);
        // SAFETY: the parent holds `parent_len` bytes at `ptr`, live until
        // the free below.
        unsafe { paint(ptr, 0, record.parent_len, self.config.poison) };
        let held = NonNull::slice_from_raw_parts(ptr, record.parent_len);
        // SAFETY: `held` is the live block the parent handed out, with the
        // length and alignment the parent knows (checked above); its record
        // is gone, so it is freed once.
        unsafe { self.inner.free(held, record.align, caller) };
    }
}

impl<A> Drop for DebugAlloc<A> {
    fn drop(&mut self) {
        if !self.armed.get() || self.config.on_drop == OnDrop::Ignore {
            return;
        }
        let Err(report) = self.check() else {
            return;
        };
        #[cfg(feature = "std")]
        let print = self.config.on_drop == OnDrop::Print || std::thread::panicking();
        #[cfg(not(feature = "std"))]
        let print = self.config.on_drop == OnDrop::Print;
        if !print {
            panic!("alloc_runtime::debug: {report}");
        }
        #[cfg(feature = "std")]
        std::eprintln!("alloc_runtime::debug: {report}");
    }
}

impl<A: fmt::Debug> fmt::Debug for DebugAlloc<A> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut s = f.debug_struct("DebugAlloc");
        s.field("inner", &self.inner).field("config", &self.config);
        match self.state.try_borrow() {
            Ok(state) => s
                .field("live_allocations", &state.live.len())
                .field("misuses", &state.misuses.len()),
            Err(_) => s.field("state", &"<busy>"),
        };
        s.finish()
    }
}

/// The global allocator (`alloc::alloc::{alloc, dealloc}`) as a
/// [`RawAlloc`]: the parent of `test_allocator()`.
///
/// No resize or remap: growth allocates, copies and frees. A zero-size
/// request, or one that no `Layout` can describe, is `None`.
///
/// ```
/// use alloc_runtime::debug::Global;
/// let b = allocator_api2::boxed::Box::new_in([1u8; 100], Global);
/// assert_eq!(b.len(), 100);
/// let p = Global.allocator().create(5u32)?;
/// // SAFETY: from `create` on this allocator, destroyed once.
/// unsafe { Global.allocator().destroy(p) };
/// # Ok::<(), alloc_runtime::AllocError>(())
/// ```
#[derive(alloc_derive::Allocator, Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Global;

// SAFETY: the global allocator hands out distinct blocks valid for the
// layout's size and alignment until `dealloc`, which receives the layout the
// block was allocated with (`free`'s contract: same length and alignment).
// It does not depend on the `Global` value, so moving it changes nothing.
unsafe impl RawAlloc for Global {
    #[inline]
    fn alloc(&self, len: usize, align: Alignment, _: Caller) -> Option<NonNull<u8>> {
        if len == 0 {
            return None;
        }
        let layout = core::alloc::Layout::from_size_align(len, align.to_bytes()).ok()?;
        // SAFETY: the layout has a non-zero size.
        NonNull::new(unsafe { alloc::alloc::alloc(layout) })
    }

    #[inline]
    unsafe fn free(&self, memory: NonNull<[u8]>, align: Alignment, _: Caller) {
        // SAFETY: `free`'s contract: `memory` came from `alloc` with this
        // length and alignment, which formed a valid layout then.
        let layout = unsafe {
            core::alloc::Layout::from_size_align_unchecked(memory.len(), align.to_bytes())
        };
        // SAFETY: as above: allocated by the global allocator with `layout`.
        unsafe { alloc::alloc::dealloc(memory.cast::<u8>().as_ptr(), layout) };
    }
}

/// The allocator of [`test_allocator`]: a [`DebugAlloc`] over [`Global`].
///
/// ```
/// fn takes(a: &alloc_runtime::debug::TestAllocator) -> usize {
///     a.live_allocations()
/// }
/// assert_eq!(takes(&alloc_runtime::debug::test_allocator()), 0);
/// ```
#[cfg(feature = "std")]
pub type TestAllocator = DebugAlloc<Global>;

/// Zig's `std.testing.allocator`: a [`DebugAlloc`] over the global
/// allocator that **panics when dropped** with leaks or misuse on record,
/// failing the test that caused them (unless the thread is already
/// panicking: then it prints the report). End it with
/// [`finish`](DebugAlloc::finish) to get the [`Report`] as a value instead.
/// It captures a backtrace per allocation (except under Miri), so a leak
/// made through a collection names the test's line, not the collection's.
///
/// ```
/// use alloc_runtime::debug::{test_allocator, Global};
/// use std::panic::{catch_unwind, AssertUnwindSafe};
///
/// let a = test_allocator();
/// let p = a.allocator().create([0u64; 4])?;
/// let panic = catch_unwind(AssertUnwindSafe(|| drop(a))).unwrap_err();
/// let message = panic.downcast_ref::<String>().unwrap();
/// assert!(message.starts_with("alloc_runtime::debug: 1 leak (32 bytes):\n  leak: 32 bytes (align 8) at 0x"));
/// # // SAFETY: from `create` on the test allocator, whose parent is `Global`.
/// # unsafe { Global.allocator().destroy(p) };
/// # Ok::<(), alloc_runtime::AllocError>(())
/// ```
#[cfg(feature = "std")]
#[must_use]
pub fn test_allocator() -> TestAllocator {
    // Backtraces name the test's own line even for a collection's requests;
    // Miri cannot capture them in reasonable time.
    DebugAlloc::with_config(
        Global,
        Config::new()
            .with_on_drop(OnDrop::Panic)
            .with_backtraces(!cfg!(miri)),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Bump, Counting, Handle, VTable, testing};
    use alloc::string::ToString;
    use allocator_api2::boxed::Box;
    use allocator_api2::vec::Vec as ApiVec;
    use core::mem::MaybeUninit;
    use std::println;

    /// A quiet debug allocator over a bump of `buf`: drop does nothing, so
    /// tests look at the report themselves.
    fn quiet(buf: &mut [MaybeUninit<u8>]) -> DebugAlloc<Bump<'_>> {
        DebugAlloc::with_config(Bump::new(buf), Config::new().with_on_drop(OnDrop::Ignore))
    }

    fn raw(ptr: NonNull<u8>, len: usize) -> NonNull<[u8]> {
        NonNull::slice_from_raw_parts(ptr, len)
    }

    const EIGHT: Alignment = Alignment::of::<u64>();

    #[test]
    fn passes_the_conformance_suite_and_ends_clean() {
        let mut buf = [MaybeUninit::uninit(); testing::CONFORMANCE_BYTES];
        let a = quiet(&mut buf);
        testing::conformance(&a);
        assert_eq!(a.check(), Ok(()), "the suite frees what it allocates");

        let global = test_allocator();
        testing::conformance(&global);
        global
            .finish()
            .expect("clean over the global allocator too");
    }

    #[test]
    fn a_leak_names_the_line_that_allocated_it() {
        let mut buf = [MaybeUninit::uninit(); 256];
        let a = quiet(&mut buf);
        let h = a.allocator();
        let (kept, line) = (h.create([0u64; 4]).unwrap(), line!());
        let freed = h.create(1u16).unwrap();
        // SAFETY: from `create` on `h`, destroyed once.
        unsafe { h.destroy(freed) };
        let report = a.check().unwrap_err();
        println!("{report}");
        assert_eq!(report.leaks.len(), 1);
        assert!(report.misuses.is_empty());
        let leak = &report.leaks[0];
        assert_eq!(
            (leak.address, leak.len, leak.align),
            (kept.addr().get(), 32, EIGHT)
        );
        assert_eq!(leak.allocated_at.caller.location().file(), file!());
        assert_eq!(leak.allocated_at.caller.location().line(), line);
        let text = report.to_string();
        assert!(text.starts_with("1 leak (32 bytes):\n  leak: 32 bytes (align 8) at 0x"));
        assert!(text.ends_with(&std::format!("allocated at {}", leak.allocated_at.caller)));
        // SAFETY: from `create` on `h`, destroyed once.
        unsafe { h.destroy(kept) };
        assert_eq!(a.check(), Ok(()));
    }

    #[test]
    fn a_double_free_is_caught_and_not_passed_on() {
        let mut buf = [MaybeUninit::uninit(); 256];
        let a = DebugAlloc::with_config(
            Counting::new(Bump::new(&mut buf)),
            Config::new().with_on_drop(OnDrop::Ignore),
        );
        let h = a.allocator();
        let (p, allocated) = (h.create(5u64).unwrap(), line!());
        let _after = h.create(6u64).unwrap();
        let freed = line!() + 2;
        // SAFETY: from `create` on `h`, destroyed once.
        unsafe { h.destroy(p) };
        let again = line!() + 3;
        // SAFETY: deliberately wrong, a double free: the debug allocator
        // catches it and does not pass it on (`u64` has no drop glue).
        unsafe { h.destroy(p) };
        assert_eq!(
            a.inner().stats().frees,
            1,
            "the second free was not passed on"
        );
        let m = &a.misuses()[0];
        println!("{}", a.report());
        assert_eq!(
            (m.kind, m.op, m.address, m.len),
            (MisuseKind::AlreadyFreed, Op::Free, p.addr().get(), 8)
        );
        assert_eq!(m.at.caller.location().line(), again);
        let block = m.block.as_ref().unwrap();
        assert_eq!(block.allocated_at.caller.location().line(), allocated);
        assert_eq!(
            block.freed_at.as_ref().unwrap().caller.location().line(),
            freed
        );
        let text = m.to_string();
        assert!(text.starts_with("double free: 0x"), "{text}");
        assert!(text.contains(", first freed at "), "{text}");
    }

    #[test]
    fn a_free_of_memory_from_elsewhere_is_caught() {
        let mut buf = [MaybeUninit::uninit(); 256];
        let mut other_buf = [MaybeUninit::uninit(); 64];
        let a = DebugAlloc::with_config(
            Counting::new(Bump::new(&mut buf)),
            Config::new().with_on_drop(OnDrop::Ignore),
        );
        let other = Bump::new(&mut other_buf);
        let h = a.allocator();
        let mut on_stack = 7u32;
        let from_other = other.allocator().create(8u32).unwrap();
        let block = h.alloc_slice::<u32>(8).unwrap();
        // SAFETY: `block` has 8 elements: `1` is inside it.
        let interior = unsafe { block.cast::<u32>().add(1) };
        for foreign in [NonNull::from(&mut on_stack), from_other, interior] {
            // SAFETY: deliberately wrong: none of these came from `h`. The
            // debug allocator catches them and passes nothing on.
            unsafe { h.destroy(foreign) };
        }
        assert_eq!(a.inner().stats().frees, 0);
        let report = a.report();
        println!("{report}");
        let kinds: Vec<_> = report.misuses.iter().map(|m| m.kind).collect();
        assert_eq!(kinds, [MisuseKind::NotAllocated; 3]);
        assert!(report.misuses[..2].iter().all(|m| m.block.is_none()));
        let inside = report.misuses[2].block.as_ref().unwrap();
        assert_eq!(
            (inside.address, inside.len),
            (block.cast::<u8>().addr().get(), 32)
        );
        assert!(
            report.misuses[2]
                .to_string()
                .contains("inside the 32-byte block at 0x")
        );
        assert!(
            report.misuses[0]
                .to_string()
                .starts_with("free of memory not allocated here: 0x")
        );
        assert_eq!(on_stack, 7);
        // SAFETY: from `alloc_slice` on `h`, freed once.
        unsafe { h.free_slice(block) };
    }

    #[test]
    fn a_free_with_the_wrong_length_or_alignment_is_caught() {
        let mut buf = [MaybeUninit::uninit(); 256];
        let a = DebugAlloc::with_config(
            Counting::new(Bump::new(&mut buf)),
            Config::new().with_on_drop(OnDrop::Ignore),
        );
        let p = a.alloc(24, EIGHT, Caller::here()).unwrap();
        for (len, align) in [(16, EIGHT), (24, Alignment::ONE)] {
            // SAFETY: deliberately wrong length, then wrong alignment:
            // caught, not passed on.
            unsafe { a.free(raw(p, len), align, Caller::here()) };
        }
        assert_eq!(a.inner().stats().frees, 0);
        let report = a.report();
        println!("{report}");
        let m = &report.misuses;
        assert_eq!(
            (m[0].kind, m[0].len, m[0].align),
            (MisuseKind::WrongLength, 16, EIGHT)
        );
        assert_eq!(
            (m[1].kind, m[1].len, m[1].align),
            (MisuseKind::WrongAlignment, 24, Alignment::ONE)
        );
        assert!(m[0].to_string().contains("(16 bytes, align 8)"));
        assert!(
            m[0].to_string()
                .contains("; the block is 24 bytes (align 8), allocated at ")
        );
        assert!(
            m[1].to_string()
                .starts_with("free with the wrong alignment: ")
        );
        assert_eq!(report.leaks.len(), 1, "the block is still live");
        // SAFETY: the right length and alignment.
        unsafe { a.free(raw(p, 24), EIGHT, Caller::here()) };
        assert!(a.leaks().is_empty());
    }

    #[test]
    fn a_bad_resize_is_false_and_a_bad_remap_none() {
        let mut buf = [MaybeUninit::uninit(); 256];
        let a = DebugAlloc::with_config(
            Counting::new(Bump::new(&mut buf)),
            Config::new().with_on_drop(OnDrop::Ignore),
        );
        let p = a.alloc(16, EIGHT, Caller::here()).unwrap();
        let q = a.alloc(16, EIGHT, Caller::here()).unwrap();
        // SAFETY: `q` is live with these arguments, freed once.
        unsafe { a.free(raw(q, 16), EIGHT, Caller::here()) };
        let bad_resizes = [
            (p, 8, EIGHT, 32),
            (p, 16, Alignment::ONE, 32),
            (p, 16, EIGHT, 0),
            (q, 16, EIGHT, 32),
        ];
        for (ptr, len, align, new_len) in bad_resizes {
            // SAFETY: deliberately wrong, each of them: caught, not passed on.
            let resized = unsafe { a.resize(raw(ptr, len), align, new_len, Caller::here()) };
            assert!(!resized);
        }
        for (ptr, len) in [(p, 12), (q, 16)] {
            // SAFETY: deliberately wrong (wrong length, freed): caught.
            let remapped = unsafe { a.remap(raw(ptr, len), EIGHT, 4, Caller::here()) };
            assert!(remapped.is_none());
        }
        let s = a.inner().stats();
        assert_eq!((s.resizes, s.remaps), (0, 0));
        let report = a.report();
        println!("{report}");
        let got: Vec<_> = report
            .misuses
            .iter()
            .map(|m| (m.op, m.kind, m.new_len))
            .collect();
        assert_eq!(
            got,
            [
                (Op::Resize, MisuseKind::WrongLength, Some(32)),
                (Op::Resize, MisuseKind::WrongAlignment, Some(32)),
                (Op::Resize, MisuseKind::ZeroLength, Some(0)),
                (Op::Resize, MisuseKind::AlreadyFreed, Some(32)),
                (Op::Remap, MisuseKind::WrongLength, Some(4)),
                (Op::Remap, MisuseKind::AlreadyFreed, Some(4)),
            ]
        );
        assert!(
            report.misuses[0]
                .to_string()
                .contains("(8 -> 32 bytes, align 8)")
        );
        assert!(
            report.misuses[3]
                .to_string()
                .starts_with("resize of freed memory: ")
        );
        // SAFETY: the right arguments: a live block, grown in place.
        assert!(unsafe { a.resize(raw(p, 16), EIGHT, 32, Caller::here()) });
        // SAFETY: live with its new length.
        unsafe { a.free(raw(p, 32), EIGHT, Caller::here()) };
        assert!(a.leaks().is_empty());
    }

    #[test]
    fn freed_memory_reads_as_poison() {
        let mut buf = [MaybeUninit::uninit(); 256];
        let a = quiet(&mut buf);
        let h = a.allocator();
        let p = h.create(0x0123_4567_89AB_CDEFu64).unwrap();
        let _later = h.create(0u64).unwrap(); // so `p` is not the bump's last block
        // SAFETY: from `create` on `h`, destroyed once.
        unsafe { h.destroy(p) };
        // SAFETY: the bump does not take back a block that is not its last,
        // so `p`'s 8 bytes are still valid memory of its buffer (a read
        // after free only in the allocator's bookkeeping). They are
        // initialized: the debug allocator wrote the poison there.
        let stale = unsafe { p.read() };
        assert_eq!(stale, u64::from_ne_bytes([POISON; 8]));
    }

    #[test]
    fn the_tail_cut_off_by_a_shrink_reads_as_poison() {
        let mut buf = [MaybeUninit::uninit(); 256];
        let a = DebugAlloc::with_config(
            Counting::new(Bump::new(&mut buf)),
            Config::new().with_on_drop(OnDrop::Ignore),
        );
        let h = a.allocator();
        let s = h.dupe(&[7u8; 16]).unwrap();
        // SAFETY: from `dupe` on `h` with this length.
        let short = unsafe { h.realloc(s, 4) }.unwrap();
        assert_eq!(short.cast::<u8>(), s.cast::<u8>(), "shrunk in place");
        // SAFETY: the debug allocator keeps the parent's 16-byte block
        // while the user holds 4 bytes, so the tail is valid memory still,
        // initialized with the poison.
        let tail = unsafe { s.cast::<[u8; 16]>().read() };
        assert_eq!(tail[..4], [7; 4]);
        assert_eq!(tail[4..], [POISON; 12]);
        // Growing back within the parent's block needs no parent call.
        // SAFETY: `short` is live with 4 bytes.
        let long = unsafe { h.realloc(short, 12) }.unwrap();
        assert_eq!(a.inner().stats().resizes, 0);
        // SAFETY: `realloc` kept 4 bytes and the debug allocator filled the rest.
        let grown = unsafe { long.as_ref() };
        assert_eq!(
            grown[..],
            [7, 7, 7, 7, FILL, FILL, FILL, FILL, FILL, FILL, FILL, FILL]
        );
        // SAFETY: live with 12 bytes.
        unsafe { h.free_slice(long) };
        assert_eq!(a.check(), Ok(()));
        assert_eq!(
            a.inner().stats().live_bytes,
            0,
            "the parent got its 16 bytes back"
        );
    }

    #[test]
    fn fresh_memory_is_filled_and_can_be_left_alone() {
        let mut buf = [MaybeUninit::new(0x11); 64];
        let a = quiet(&mut buf);
        let s = a.allocator().alloc_slice::<u8>(8).unwrap();
        // SAFETY: filled by the debug allocator.
        assert_eq!(unsafe { s.as_ref() }, [FILL; 8]);
        // SAFETY: live, freed once.
        unsafe { a.allocator().free_slice(s) };
        drop(a);
        let a = DebugAlloc::with_config(
            Bump::new(&mut buf),
            Config::new().with_fill(None).with_poison(None),
        );
        let s = a.allocator().alloc_slice::<u8>(8).unwrap();
        // SAFETY: the buffer's bytes, initialized to 0xDD by the free above.
        assert_eq!(unsafe { s.as_ref() }, [POISON; 8]);
        // SAFETY: live, freed once.
        unsafe { a.allocator().free_slice(s) };
    }

    #[test]
    fn correct_code_passes() {
        let mut buf = std::vec![MaybeUninit::uninit(); 64 * 1024];
        let on_bump = quiet(&mut buf);
        let on_heap = test_allocator();
        fn exercise<A: allocator_api2::alloc::Allocator + Copy>(a: A) {
            let n = if cfg!(miri) { 40 } else { 400 };
            let mut v: ApiVec<u64, A> = ApiVec::new_in(a);
            v.extend(0..n);
            v.truncate(3);
            v.shrink_to_fit();
            assert_eq!(v, [0, 1, 2]);
            let b = Box::new_in([3u16; 17], a);
            assert_eq!(b[16], 3);
            let mut map =
                hashbrown::HashMap::with_hasher_in(hashbrown::DefaultHashBuilder::default(), a);
            for i in 0..n {
                map.insert(i, i * 2);
            }
            map.retain(|k, _| k % 3 == 0);
            map.shrink_to_fit();
            assert_eq!(map[&9], 18);
        }
        exercise(&on_bump);
        exercise(on_bump.allocator());
        exercise(&on_heap);
        exercise(on_heap.allocator());
        assert_eq!(on_bump.check(), Ok(()));
        on_heap.finish().unwrap();
    }

    #[test]
    fn misuses_past_the_limit_are_counted() {
        let mut buf = [MaybeUninit::uninit(); 64];
        let a = DebugAlloc::with_config(
            Bump::new(&mut buf),
            Config::new()
                .with_max_misuses(2)
                .with_on_drop(OnDrop::Ignore),
        );
        let mut x = 0u8;
        for _ in 0..5 {
            // SAFETY: deliberately wrong: not from `a`; caught, not passed on.
            unsafe {
                a.free(
                    raw(NonNull::from(&mut x), 1),
                    Alignment::ONE,
                    Caller::here(),
                )
            };
        }
        let report = a.report();
        assert_eq!((report.misuses.len(), report.dropped_misuses), (2, 3));
        assert_eq!(report.misuse_count(), 5);
        let text = report.to_string();
        assert!(text.starts_with("5 misuses:\n"));
        assert!(
            text.ends_with("\n  … and 3 more misuses not kept"),
            "{text}"
        );
    }

    #[test]
    fn double_frees_are_remembered_up_to_the_limit() {
        let mut buf = [MaybeUninit::uninit(); 256];
        let a = DebugAlloc::with_config(
            Bump::new(&mut buf),
            Config::new().with_max_freed(2).with_on_drop(OnDrop::Ignore),
        );
        let blocks: Vec<_> = (0..4)
            .map(|_| a.alloc(8, EIGHT, Caller::here()).unwrap())
            .collect();
        for &p in &blocks {
            // SAFETY: live, freed once.
            unsafe { a.free(raw(p, 8), EIGHT, Caller::here()) };
        }
        for &p in &blocks {
            // SAFETY: deliberately wrong, double frees: caught, not passed on.
            unsafe { a.free(raw(p, 8), EIGHT, Caller::here()) };
        }
        let kinds: Vec<_> = a.misuses().iter().map(|m| m.kind).collect();
        assert_eq!(
            kinds,
            [
                MisuseKind::NotAllocated,
                MisuseKind::NotAllocated,
                MisuseKind::AlreadyFreed,
                MisuseKind::AlreadyFreed
            ]
        );
        assert!(a.state.borrow().freed_order.len() <= 2 * 2 + 16);
    }

    #[test]
    fn an_address_handed_out_again_is_live_not_freed() {
        let mut buf = [MaybeUninit::uninit(); 64];
        let a = quiet(&mut buf);
        let p = a.alloc(8, EIGHT, Caller::here()).unwrap();
        // SAFETY: live, freed once.
        unsafe { a.free(raw(p, 8), EIGHT, Caller::here()) };
        let q = a.alloc(16, EIGHT, Caller::here()).unwrap();
        assert_eq!(p, q, "the bump hands the last block's bytes out again");
        // SAFETY: live, freed once.
        unsafe { a.free(raw(q, 16), EIGHT, Caller::here()) };
        assert_eq!(a.check(), Ok(()));
    }

    /// A parent that calls back into the debug allocator wrapping it.
    struct Reenter<'b> {
        bump: Bump<'b>,
        hook: Cell<Option<Handle<'static>>>,
    }

    // SAFETY: forwards to the bump; the hook's calls are refused by the
    // debug allocator (its bookkeeping is busy) and hand out nothing.
    unsafe impl RawAlloc for Reenter<'_> {
        fn alloc(&self, len: usize, align: Alignment, caller: Caller) -> Option<NonNull<u8>> {
            if let Some(hook) = self.hook.get() {
                assert!(hook.alloc(len, align, caller).is_none());
                let mut x = 0u8;
                // SAFETY: the debug allocator refuses it without looking.
                unsafe { hook.free(raw(NonNull::from(&mut x), 1), Alignment::ONE, caller) };
            }
            self.bump.alloc(len, align, caller)
        }

        unsafe fn free(&self, memory: NonNull<[u8]>, align: Alignment, caller: Caller) {
            // SAFETY: the caller's contract, for the bump.
            unsafe { self.bump.free(memory, align, caller) }
        }
    }

    #[test]
    fn reentrant_calls_are_refused_and_counted() {
        let mut buf = [MaybeUninit::uninit(); 64];
        let parent = Reenter {
            bump: Bump::new(&mut buf),
            hook: Cell::new(None),
        };
        let a = DebugAlloc::with_config(&parent, Config::new().with_on_drop(OnDrop::Ignore));
        // SAFETY: the context is `a`, of the type the table is for; the
        // hook is cleared below, before `a` goes away.
        let hook = unsafe {
            Handle::from_raw_parts(
                NonNull::from(&a).cast(),
                VTable::of::<DebugAlloc<&Reenter<'_>>>(),
            )
        };
        parent.hook.set(Some(hook));
        let p = a.alloc(4, Alignment::ONE, Caller::here()).unwrap();
        parent.hook.set(None);
        // SAFETY: live, freed once.
        unsafe { a.free(raw(p, 4), Alignment::ONE, Caller::here()) };
        let report = a.report();
        assert_eq!(report.reentrant_calls, 2);
        assert!(report.leaks.is_empty() && report.misuses.is_empty());
        assert_eq!(report.to_string(), "2 reentrant calls refused:");
    }

    #[test]
    fn a_zero_size_request_is_refused() {
        let mut buf = [MaybeUninit::uninit(); 64];
        let a = quiet(&mut buf);
        assert!(a.alloc(0, Alignment::ONE, Caller::here()).is_none());
        assert_eq!(a.inner().used(), 0);
        assert!(a.report().is_clean());
    }

    const SAMPLE: &str = "\
   0: alloc_runtime::debug::DebugAlloc<A>::frame
             at ./src/debug.rs:1180:20
   1: alloc_runtime::debug::DebugAlloc<A>::site
             at ./src/debug.rs:1170:20
   2: <alloc_runtime::debug::DebugAlloc<A> as alloc_runtime::raw::RawAlloc>::alloc
             at ./src/debug.rs:900:1
   3: alloc_runtime::bridge::allocate
             at ./src/bridge.rs:57:5
   4: <&A as allocator_api2::stable::alloc::Allocator>::allocate
             at /home/u/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/allocator-api2-0.2.21/src/stable/alloc/mod.rs:350:9
   5: allocator_api2::stable::raw_vec::RawVec<T,A>::try_allocate_in
             at /home/u/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/allocator-api2-0.2.21/src/stable/raw_vec.rs:183:38
   6: hashbrown::raw::RawTable<T,A>::reserve_rehash
   7: <hashbrown::map::HashMap<K,V,S,A>>::insert
             at /home/u/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/hashbrown-0.17.1/src/map.rs:1800:9
   8: <&dyn core::ops::function::Fn<(), Output = i32> + core::marker::Sync as core::ops::function::FnOnce<()>>::call_once
             at /rustc/59807616e1fa2540724bfbac14d7976d7e4a3860/library/core/src/ops/function.rs:287:21
   9: leak_hunt::build_index::{{closure}}
             at ./examples/leak_hunt.rs:41:18
  10: leak_hunt::main
             at ./examples/leak_hunt.rs:60:5
  11: core::ops::function::FnOnce::call_once
             at /rustc/59807616e1fa2540724bfbac14d7976d7e4a3860/library/core/src/ops/function.rs:250:5
  12: std::rt::lang_start_internal
  13: main
  14: __libc_start_main
  15: _start";

    #[test]
    fn trimming_keeps_the_first_frame_of_the_users_code() {
        let frame = user_frame(SAMPLE).unwrap();
        assert_eq!(frame.function, "leak_hunt::build_index::{{closure}}");
        assert_eq!(frame.location, Some("examples/leak_hunt.rs:41:18"));
        assert_eq!(frame.to_string(), "examples/leak_hunt.rs:41:18");
    }

    #[test]
    fn trimming_finds_nothing_in_runtime_frames_alone() {
        let runtime = "   0: core::ops::function::FnOnce::call_once\n   1: std::rt::lang_start_internal\n   2: main\n   3: _start\n   4: <unknown>\n   5: __rustc::rust_begin_unwind\n   6: test::__rust_begin_short_backtrace";
        assert_eq!(user_frame(runtime), None);
        assert_eq!(user_frame(""), None);
        assert_eq!(user_frame("disabled backtrace"), None);
    }

    #[test]
    fn trimming_reads_impls_inlined_symbols_and_frames_without_location() {
        // A user's type implementing this crate's trait is the user's code.
        let text = "   0: <alloc_runtime::debug::DebugAlloc<A> as alloc_runtime::raw::RawAlloc>::alloc\n   1: <my_app::Arena as alloc_runtime::raw::RawAlloc>::alloc\n             at ./src/arena.rs:9:1";
        assert_eq!(user_frame(text).unwrap().to_string(), "src/arena.rs:9:1");
        // An inlined symbol printed without an index, and no location.
        let text = "   0: std::backtrace::Backtrace::create\n      my_app::inlined_helper\n   1: my_app::main";
        let frame = user_frame(text).unwrap();
        assert_eq!(
            (frame.function, frame.location),
            ("my_app::inlined_helper", None)
        );
        assert_eq!(frame.to_string(), "my_app::inlined_helper");
        // A generic function of the user's over this crate's types.
        let text = "   5: my_app::build::<alloc_runtime::handle::Handle>\n             at /abs/src/lib.rs:3:9";
        assert_eq!(user_frame(text).unwrap().to_string(), "/abs/src/lib.rs:3:9");
        // `<&A as Trait>`: a type without a path is the trait's crate.
        assert_eq!(
            crate_of("<&A as allocator_api2::stable::alloc::Allocator>::allocate"),
            Some("allocator_api2")
        );
        assert_eq!(crate_of("<[T] as my_ext::Ext>::go"), Some("my_ext"));
        assert_eq!(
            crate_of("<hashbrown::map::HashMap<K,V,S,A>>::insert"),
            Some("hashbrown")
        );
        assert_eq!(crate_of("_start"), None);
    }

    #[test]
    fn a_site_inside_a_collection_adds_a_note() {
        let mut buf = [MaybeUninit::uninit(); 64];
        let a = quiet(&mut buf);
        let v: ApiVec<u8, _> = ApiVec::with_capacity_in(4, &a);
        let report = a.report();
        println!("{report}");
        assert!(report.leaks[0].allocated_at.is_inside_collection());
        assert!(
            report
                .to_string()
                .contains("\n  note: sites inside allocator-api2")
        );
        drop(v);
    }

    #[cfg(not(miri))]
    #[test]
    fn backtraces_inside_this_crate_find_no_user_frame() {
        // Every frame of a unit test is in `alloc_runtime`, so the site
        // falls back to the caller (the integration tests see a frame).
        let mut buf = [MaybeUninit::uninit(); 64];
        let a = DebugAlloc::with_config(
            Bump::new(&mut buf),
            Config::new()
                .with_backtraces(true)
                .with_on_drop(OnDrop::Ignore),
        );
        let p = a.allocator().create(1u8).unwrap();
        let leak = &a.leaks()[0];
        assert_eq!(
            leak.allocated_at.to_string(),
            leak.allocated_at.caller.to_string()
        );
        // SAFETY: from `create` here, destroyed once.
        unsafe { a.allocator().destroy(p) };
    }

    /// Frees a block through the global allocator when dropped: declared
    /// before a panicking test allocator, it runs during the unwinding, so
    /// the deliberate leak does not outlive the test (Miri checks).
    struct FreeLater(Cell<Option<NonNull<u64>>>);

    impl Drop for FreeLater {
        fn drop(&mut self) {
            if let Some(p) = self.0.take() {
                // SAFETY: `p` came from `create::<u64>` on a test
                // allocator, whose parent is `Global`, and was not freed.
                unsafe { Global.allocator().destroy(p) };
            }
        }
    }

    #[test]
    #[should_panic(
        expected = "alloc_runtime::debug: 1 leak (8 bytes):\n  leak: 8 bytes (align 8) at 0x"
    )]
    fn the_test_allocator_panics_on_a_leak() {
        let cleanup = FreeLater(Cell::new(None));
        let a = test_allocator();
        cleanup.0.set(Some(a.allocator().create(1u64).unwrap()));
        drop(a);
    }

    #[test]
    #[should_panic(expected = "alloc_runtime::debug: 1 misuse:\n  double free: 0x")]
    fn the_test_allocator_panics_on_misuse() {
        let a = test_allocator();
        let p = a.allocator().create(1u64).unwrap();
        // SAFETY: from `create`, destroyed once.
        unsafe { a.allocator().destroy(p) };
        // SAFETY: deliberately again: caught, not passed on. Through `free`,
        // not `destroy`: the global allocator took the memory back, so even
        // dropping the `u64` in place would touch freed memory.
        unsafe { a.free(raw(p.cast(), 8), EIGHT, Caller::here()) };
    }

    #[test]
    fn the_test_allocator_is_quiet_when_all_is_well() {
        let a = test_allocator();
        let mut v: ApiVec<u32, _> = ApiVec::new_in(&a);
        v.extend(0..10);
        assert_eq!(v.len(), 10);
        drop(v);
        // Dropped at the end of the test: no panic.
    }

    #[test]
    fn finish_returns_the_report_instead_of_panicking() {
        let a = test_allocator();
        let p = a.allocator().create(9u64).unwrap();
        let report = a.finish().unwrap_err();
        assert_eq!(report.leaks.len(), 1);
        // SAFETY: from `create` on the test allocator over `Global`.
        unsafe { Global.allocator().destroy(p) };
    }
}
