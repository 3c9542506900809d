//! [`Logging`]: a wrapper that reports every call to a [`Sink`], without
//! allocating.
//!
//! Each of the four functions that reaches the wrapper is passed on to the
//! parent allocator, then described by an [`Event`] — which function, the
//! lengths, the alignment, the result and the [`Caller`] that asked — and
//! handed to the sink. Sinks:
//!
//! - any closure `Fn(&Event)` (write the argument type, `|event: &Event|`,
//!   so that the closure accepts events of any lifetime);
//! - [`Tally`], which counts events, for tests and demonstrations;
//! - with the `log` feature, `LogSink`, which forwards each event to the
//!   [`log`](https://docs.rs/log) facade.
//!
//! [`Event`]'s `Display` writes a one-line record such as
//! `alloc(24, align 8) -> 0x5581a4c0 at src/main.rs:10:5`, through the
//! formatter alone: nothing on the logging path allocates (this module
//! builds without the `alloc` feature).
//!
//! # Examples
//!
//! ```
//! use alloc_runtime::Bump;
//! use alloc_runtime::logging::{Event, Logging};
//! use core::{cell::RefCell, mem::MaybeUninit};
//!
//! let lines = RefCell::new(Vec::new());
//! let mut buf = [MaybeUninit::uninit(); 256];
//! let logging = Logging::new(Bump::new(&mut buf), |event: &Event| {
//!     lines.borrow_mut().push(event.to_string())
//! });
//! let p = logging.allocator().create(7u64)?;
//! // SAFETY: `p` came from `create` on this allocator and is destroyed once.
//! unsafe { logging.allocator().destroy(p) };
//!
//! let lines = lines.borrow();
//! assert!(lines[0].starts_with("alloc(8, align 8) -> 0x"), "{}", lines[0]);
//! assert!(lines[1].starts_with("free(0x"), "{}", lines[1]);
//! assert!(lines.iter().all(|l| l.contains(file!())), "the caller is this file");
//! # Ok::<(), alloc_runtime::AllocError>(())
//! ```

use core::cell::Cell;
use core::fmt;
use core::mem;
use core::ptr::NonNull;

use crate::{Alignment, Caller, Owns, RawAlloc};

/// One of the four allocator functions, as named in an [`Event`].
///
/// # Examples
///
/// ```
/// use alloc_runtime::logging::Function;
/// assert_eq!(Function::Remap.name(), "remap");
/// assert_eq!(Function::Free.to_string(), "free");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Function {
    /// [`RawAlloc::alloc`].
    Alloc,
    /// [`RawAlloc::resize`].
    Resize,
    /// [`RawAlloc::remap`].
    Remap,
    /// [`RawAlloc::free`].
    Free,
}

impl Function {
    /// The method's name: `"alloc"`, `"resize"`, `"remap"` or `"free"`.
    ///
    /// ```
    /// use alloc_runtime::logging::Function;
    /// assert_eq!(Function::Alloc.name(), "alloc");
    /// ```
    #[inline]
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Function::Alloc => "alloc",
            Function::Resize => "resize",
            Function::Remap => "remap",
            Function::Free => "free",
        }
    }
}

impl fmt::Display for Function {
    /// The method's name, as [`name`](Function::name).
    ///
    /// ```
    /// use alloc_runtime::logging::Function;
    /// assert_eq!(format!("{}", Function::Resize), "resize");
    /// ```
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// One call of an allocator function and what it returned, as a [`Logging`]
/// wrapper reports it to its [`Sink`].
///
/// Pointers are the addresses the call took or returned; a sink must not
/// read or write through them (the memory belongs to whoever asked for it,
/// and after `free` to no one). [`NonNull::addr`] gives the address as a
/// number.
///
/// `Display` writes one line, without allocating:
///
/// | call | line |
/// |---|---|
/// | `alloc` | `alloc(24, align 8) -> 0x5581a4c0 at src/main.rs:10:5`, or `-> failed` |
/// | `resize` | `resize(0x5581a4c0, 24 -> 48, align 8) -> true at ...` (`false`: unchanged) |
/// | `remap` | `remap(0x5581a4c0, 24 -> 48, align 8) -> 0x5581b000 at ...`, or `-> failed` (the caller falls back to allocate + copy + free) |
/// | `free` | `free(0x5581a4c0, 24, align 8) at ...` |
///
/// # Examples
///
/// ```
/// use alloc_runtime::logging::{Event, Function};
/// use alloc_runtime::{Alignment, Caller};
///
/// let caller = Caller::here();
/// let event = Event::Alloc { len: 24, align: Alignment::of::<u64>(), result: None, caller };
/// assert_eq!(event.function(), Function::Alloc);
/// assert!(!event.succeeded());
/// assert_eq!(event.to_string(), format!("alloc(24, align 8) -> failed at {caller}"));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Event {
    /// [`RawAlloc::alloc`]: `len` bytes aligned to `align`; `result` is the
    /// memory, or `None` if the parent refused.
    Alloc {
        /// The requested length in bytes.
        len: usize,
        /// The requested alignment.
        align: Alignment,
        /// The returned pointer, `None` on failure.
        result: Option<NonNull<u8>>,
        /// Who asked.
        caller: Caller,
    },
    /// [`RawAlloc::resize`]: `len` bytes at `ptr` to `new_len`, in place;
    /// `resized` is what the parent returned.
    Resize {
        /// The start of the memory.
        ptr: NonNull<u8>,
        /// Its length before the call.
        len: usize,
        /// The length asked for.
        new_len: usize,
        /// The alignment it was allocated with.
        align: Alignment,
        /// Whether the length changed (`false`: nothing changed).
        resized: bool,
        /// Who asked.
        caller: Caller,
    },
    /// [`RawAlloc::remap`]: `len` bytes at `ptr` to `new_len`, moving them
    /// if need be; `result` is the new address, or `None` when the caller
    /// must fall back to allocate + copy + free.
    Remap {
        /// The start of the memory before the call.
        ptr: NonNull<u8>,
        /// Its length before the call.
        len: usize,
        /// The length asked for.
        new_len: usize,
        /// The alignment it was allocated with.
        align: Alignment,
        /// The (possibly new) address, `None` on refusal.
        result: Option<NonNull<u8>>,
        /// Who asked.
        caller: Caller,
    },
    /// [`RawAlloc::free`]: `len` bytes at `ptr` given back (after the call,
    /// so `ptr` is only an address now).
    Free {
        /// The start of the memory.
        ptr: NonNull<u8>,
        /// Its length.
        len: usize,
        /// The alignment it was allocated with.
        align: Alignment,
        /// Who asked.
        caller: Caller,
    },
}

impl Event {
    /// Which of the four functions was called.
    ///
    /// ```
    /// use alloc_runtime::logging::{Event, Function};
    /// use alloc_runtime::{Alignment, Caller};
    /// use core::ptr::NonNull;
    ///
    /// let event = Event::Free {
    ///     ptr: NonNull::dangling(),
    ///     len: 1,
    ///     align: Alignment::ONE,
    ///     caller: Caller::here(),
    /// };
    /// assert_eq!(event.function(), Function::Free);
    /// ```
    #[inline]
    #[must_use]
    pub const fn function(&self) -> Function {
        match self {
            Event::Alloc { .. } => Function::Alloc,
            Event::Resize { .. } => Function::Resize,
            Event::Remap { .. } => Function::Remap,
            Event::Free { .. } => Function::Free,
        }
    }

    /// The source location that made the request.
    ///
    /// ```
    /// use alloc_runtime::logging::Event;
    /// use alloc_runtime::{Alignment, Caller};
    ///
    /// let (caller, line) = (Caller::here(), line!());
    /// let event = Event::Alloc { len: 1, align: Alignment::ONE, result: None, caller };
    /// assert_eq!(event.caller().location().line(), line);
    /// ```
    #[inline]
    #[must_use]
    pub const fn caller(&self) -> Caller {
        match *self {
            Event::Alloc { caller, .. }
            | Event::Resize { caller, .. }
            | Event::Remap { caller, .. }
            | Event::Free { caller, .. } => caller,
        }
    }

    /// The alignment of the request.
    ///
    /// ```
    /// use alloc_runtime::logging::Event;
    /// use alloc_runtime::{Alignment, Caller};
    ///
    /// let align = Alignment::of::<u32>();
    /// let event = Event::Alloc { len: 4, align, result: None, caller: Caller::here() };
    /// assert_eq!(event.align(), align);
    /// ```
    #[inline]
    #[must_use]
    pub const fn align(&self) -> Alignment {
        match *self {
            Event::Alloc { align, .. }
            | Event::Resize { align, .. }
            | Event::Remap { align, .. }
            | Event::Free { align, .. } => align,
        }
    }

    /// Whether the call did what it was asked: `alloc` and `remap` returned
    /// a pointer, `resize` returned `true`; `free` always succeeds.
    ///
    /// ```
    /// use alloc_runtime::logging::Event;
    /// use alloc_runtime::{Alignment, Caller};
    /// use core::ptr::NonNull;
    ///
    /// let event = Event::Resize {
    ///     ptr: NonNull::dangling(),
    ///     len: 8,
    ///     new_len: 16,
    ///     align: Alignment::ONE,
    ///     resized: false,
    ///     caller: Caller::here(),
    /// };
    /// assert!(!event.succeeded());
    /// ```
    #[inline]
    #[must_use]
    pub const fn succeeded(&self) -> bool {
        match *self {
            Event::Alloc { result, .. } | Event::Remap { result, .. } => result.is_some(),
            Event::Resize { resized, .. } => resized,
            Event::Free { .. } => true,
        }
    }
}

/// `-> 0x...` or `-> failed`.
fn write_result(f: &mut fmt::Formatter<'_>, result: Option<NonNull<u8>>) -> fmt::Result {
    match result {
        Some(ptr) => write!(f, "-> {ptr:p}"),
        None => f.write_str("-> failed"),
    }
}

impl fmt::Display for Event {
    /// One line: the call with its arguments, `->` the result, `at` the
    /// caller. Writes through the formatter only: no allocation.
    ///
    /// ```
    /// use alloc_runtime::logging::Event;
    /// use alloc_runtime::{Alignment, Caller};
    /// use core::ptr::NonNull;
    ///
    /// let (ptr, caller) = (NonNull::<u64>::dangling().cast::<u8>(), Caller::here());
    /// let event = Event::Free { ptr, len: 24, align: Alignment::of::<u64>(), caller };
    /// assert_eq!(event.to_string(), format!("free({ptr:p}, 24, align 8) at {caller}"));
    /// ```
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Event::Alloc {
                len,
                align,
                result,
                caller,
            } => {
                write!(f, "alloc({len}, align {align}) ")?;
                write_result(f, result)?;
                write!(f, " at {caller}")
            }
            Event::Resize {
                ptr,
                len,
                new_len,
                align,
                resized,
                caller,
            } => write!(
                f,
                "resize({ptr:p}, {len} -> {new_len}, align {align}) -> {resized} at {caller}"
            ),
            Event::Remap {
                ptr,
                len,
                new_len,
                align,
                result,
                caller,
            } => {
                write!(f, "remap({ptr:p}, {len} -> {new_len}, align {align}) ")?;
                write_result(f, result)?;
                write!(f, " at {caller}")
            }
            Event::Free {
                ptr,
                len,
                align,
                caller,
            } => write!(f, "free({ptr:p}, {len}, align {align}) at {caller}"),
        }
    }
}

/// Where a [`Logging`] wrapper sends its [`Event`]s.
///
/// Implemented for every closure (and function) `Fn(&Event)`, for
/// [`Tally`], and, with the `log` feature, for `LogSink`.
///
/// `record` runs inside the allocator function, after the parent answered:
/// it should be quick, and it must not unwind — a sink that panics **aborts
/// the process** (an allocator function may not unwind, see
/// [`RawAlloc`]'s safety section; [`Logging`] turns the unwind into an
/// abort). A sink may allocate from an unrelated allocator, but one that
/// allocates from the allocator it logs recurses.
///
/// # Examples
///
/// ```
/// use alloc_runtime::logging::{Event, Logging, Sink};
/// use alloc_runtime::Bump;
/// use core::{cell::Cell, mem::MaybeUninit};
///
/// /// Remembers the largest `alloc` request.
/// #[derive(Default)]
/// struct Largest(Cell<usize>);
///
/// impl Sink for Largest {
///     fn record(&self, event: &Event) {
///         if let Event::Alloc { len, .. } = *event {
///             self.0.set(self.0.get().max(len));
///         }
///     }
/// }
///
/// let mut buf = [MaybeUninit::uninit(); 256];
/// let logging = Logging::new(Bump::new(&mut buf), Largest::default());
/// logging.allocator().alloc_slice::<u16>(20)?;
/// assert_eq!(logging.sink().0.get(), 40);
/// # Ok::<(), alloc_runtime::AllocError>(())
/// ```
pub trait Sink {
    /// Takes note of one call. Must not unwind (see the trait documentation).
    ///
    /// ```
    /// use alloc_runtime::logging::{Event, Sink};
    /// use alloc_runtime::{Alignment, Caller};
    ///
    /// let print = |event: &Event| println!("{event}");
    /// print.record(&Event::Alloc { len: 1, align: Alignment::ONE, result: None, caller: Caller::here() });
    /// ```
    fn record(&self, event: &Event);
}

impl<F: Fn(&Event) + ?Sized> Sink for F {
    #[inline]
    fn record(&self, event: &Event) {
        self(event);
    }
}

/// A [`Sink`] that counts events by function, and failures: for tests and
/// demonstrations.
///
/// Its counters are `Cell`s, so it is not `Sync` (and neither is a
/// [`Logging`] that uses it).
///
/// # Examples
///
/// ```
/// use alloc_runtime::logging::{Function, Logging, Tally};
/// use alloc_runtime::Bump;
/// use core::mem::MaybeUninit;
///
/// let mut buf = [MaybeUninit::uninit(); 64];
/// let logging = Logging::new(Bump::new(&mut buf), Tally::new());
/// let mut v = allocator_api2::vec::Vec::new_in(&logging);
/// v.extend_from_slice(&[1u8, 2, 3]);
/// assert!(logging.allocator().alloc_slice::<u8>(1000).is_err());
/// drop(v);
/// let tally = logging.sink();
/// assert_eq!((tally.count(Function::Alloc), tally.count(Function::Free)), (2, 1));
/// assert_eq!(tally.failures(), 1);
/// ```
#[derive(Debug, Default)]
pub struct Tally {
    /// Events of each function, indexed by `Function as usize`.
    calls: [Cell<usize>; 4],
    failures: Cell<usize>,
}

impl Tally {
    /// A tally at zero.
    ///
    /// ```
    /// assert_eq!(alloc_runtime::logging::Tally::new().total(), 0);
    /// ```
    #[inline]
    #[must_use]
    pub const fn new() -> Self {
        Self {
            calls: [Cell::new(0), Cell::new(0), Cell::new(0), Cell::new(0)],
            failures: Cell::new(0),
        }
    }

    /// How many calls of `function` were recorded, successful or not.
    ///
    /// ```
    /// use alloc_runtime::logging::{Function, Logging, Tally};
    /// use alloc_runtime::Bump;
    /// use core::mem::MaybeUninit;
    /// let mut buf = [MaybeUninit::uninit(); 64];
    /// let logging = Logging::new(Bump::new(&mut buf), Tally::new());
    /// logging.allocator().create(1u32)?;
    /// assert_eq!(logging.sink().count(Function::Alloc), 1);
    /// assert_eq!(logging.sink().count(Function::Free), 0);
    /// # Ok::<(), alloc_runtime::AllocError>(())
    /// ```
    #[inline]
    #[must_use]
    pub fn count(&self, function: Function) -> usize {
        self.calls[function as usize].get()
    }

    /// How many recorded calls did not succeed (see [`Event::succeeded`]).
    ///
    /// ```
    /// use alloc_runtime::logging::{Logging, Tally};
    /// use alloc_runtime::Bump;
    /// use core::mem::MaybeUninit;
    /// let mut buf = [MaybeUninit::uninit(); 64];
    /// let logging = Logging::new(Bump::new(&mut buf), Tally::new());
    /// assert!(logging.allocator().create([0u8; 100]).is_err());
    /// assert_eq!(logging.sink().failures(), 1);
    /// ```
    #[inline]
    #[must_use]
    pub fn failures(&self) -> usize {
        self.failures.get()
    }

    /// All recorded calls.
    ///
    /// ```
    /// use alloc_runtime::logging::{Logging, Tally};
    /// use alloc_runtime::Bump;
    /// use core::mem::MaybeUninit;
    /// let mut buf = [MaybeUninit::uninit(); 64];
    /// let logging = Logging::new(Bump::new(&mut buf), Tally::new());
    /// let a = logging.allocator();
    /// let p = a.create(1u8)?;
    /// // SAFETY: `p` came from `create` on this allocator and is destroyed once.
    /// unsafe { a.destroy(p) };
    /// assert_eq!(logging.sink().total(), 2);
    /// # Ok::<(), alloc_runtime::AllocError>(())
    /// ```
    #[must_use]
    pub fn total(&self) -> usize {
        self.calls
            .iter()
            .fold(0usize, |sum, c| sum.wrapping_add(c.get()))
    }
}

impl Sink for Tally {
    #[inline]
    fn record(&self, event: &Event) {
        // Wrapping: an allocator never panics, and the counters do not wrap
        // in practice.
        let calls = &self.calls[event.function() as usize];
        calls.set(calls.get().wrapping_add(1));
        if !event.succeeded() {
            self.failures.set(self.failures.get().wrapping_add(1));
        }
    }
}

/// A wrapper that passes every call to its parent allocator `A`, then
/// reports it to the sink `S` as an [`Event`]: function, lengths, alignment,
/// result and caller.
///
/// Nothing on the way allocates; what the sink does is up to it. The caller
/// is the one the request carries: the user's line for requests made
/// through the [`Handle`](crate::Handle)'s typed helpers (`create`,
/// `alloc_slice`, ...) and the allocator-api2 bridge's entry points, which
/// are `#[track_caller]`; a collection's own code (inside `Vec::push`, say)
/// for requests a collection makes.
///
/// `Logging` holds no state of its own: it is `Sync` exactly when `A` and
/// `S` are (a closure sink is `Sync` if what it captures is), and then its
/// `sync_allocator()` handle may cross threads.
///
/// The sink must not unwind: a panic inside [`Sink::record`] aborts the
/// process, because an allocator function must not unwind.
///
/// # Examples
///
/// ```
/// use alloc_runtime::logging::{Event, Logging};
/// use alloc_runtime::Bump;
/// use core::{cell::Cell, mem::MaybeUninit};
///
/// let events = Cell::new(0);
/// let mut buf = [MaybeUninit::uninit(); 1024];
/// let logging = Logging::new(Bump::new(&mut buf), |_: &Event| events.set(events.get() + 1));
///
/// let mut v = allocator_api2::vec::Vec::new_in(&logging);
/// v.extend(0..100u32);
/// drop(v);
/// assert!(events.get() >= 2, "at least one alloc and one free");
/// ```
///
/// A `Logging` over a `Cell`-based allocator such as [`Bump`](crate::Bump)
/// is not `Sync`:
///
/// ```compile_fail
/// use alloc_runtime::logging::{Event, Logging};
/// use alloc_runtime::Bump;
/// fn sync<T: Sync>(_: &T) {}
/// let mut buf = [core::mem::MaybeUninit::uninit(); 64];
/// sync(&Logging::new(Bump::new(&mut buf), |_: &Event| {}));
/// ```
#[derive(alloc_derive::Allocator)]
// SAFETY: each override calls the same function of `inner` with the same
// arguments and returns its answer unchanged; it only reports the call.
#[allocator(unsafe(
    alloc = Self::logged_alloc,
    resize = Self::logged_resize,
    remap = Self::logged_remap,
    free = Self::logged_free,
))]
pub struct Logging<A, S: Sink> {
    #[allocator(parent)]
    inner: A,
    sink: S,
}

impl<A, S: Sink> Logging<A, S> {
    /// Logs the calls to `inner` into `sink`.
    ///
    /// ```
    /// use alloc_runtime::logging::{Event, Logging};
    /// use alloc_runtime::Bump;
    /// use core::mem::MaybeUninit;
    /// let mut buf = [MaybeUninit::uninit(); 64];
    /// let logging = Logging::new(Bump::new(&mut buf), |event: &Event| println!("{event}"));
    /// assert!(logging.allocator().create(1u8).is_ok());
    /// ```
    #[inline]
    #[must_use]
    pub fn new(inner: A, sink: S) -> Self {
        Self { inner, sink }
    }

    /// The parent allocator.
    ///
    /// ```
    /// use alloc_runtime::logging::{Logging, Tally};
    /// use alloc_runtime::Bump;
    /// use core::mem::MaybeUninit;
    /// let mut buf = [MaybeUninit::uninit(); 64];
    /// let logging = Logging::new(Bump::new(&mut buf), Tally::new());
    /// assert_eq!(logging.inner().capacity(), 64);
    /// ```
    #[inline]
    #[must_use]
    pub fn inner(&self) -> &A {
        &self.inner
    }

    /// The parent allocator, mutably (for `Bump::reset`, say).
    ///
    /// ```
    /// use alloc_runtime::logging::{Logging, Tally};
    /// use alloc_runtime::Bump;
    /// use core::mem::MaybeUninit;
    /// let mut buf = [MaybeUninit::uninit(); 64];
    /// let mut logging = Logging::new(Bump::new(&mut buf), Tally::new());
    /// logging.allocator().create(1u8)?;
    /// logging.inner_mut().reset();
    /// assert_eq!(logging.inner().used(), 0);
    /// # Ok::<(), alloc_runtime::AllocError>(())
    /// ```
    #[inline]
    pub fn inner_mut(&mut self) -> &mut A {
        &mut self.inner
    }

    /// The sink.
    ///
    /// ```
    /// use alloc_runtime::logging::{Logging, Tally};
    /// use alloc_runtime::Bump;
    /// use core::mem::MaybeUninit;
    /// let mut buf = [MaybeUninit::uninit(); 64];
    /// let logging = Logging::new(Bump::new(&mut buf), Tally::new());
    /// logging.allocator().create(1u8)?;
    /// assert_eq!(logging.sink().total(), 1);
    /// # Ok::<(), alloc_runtime::AllocError>(())
    /// ```
    #[inline]
    #[must_use]
    pub fn sink(&self) -> &S {
        &self.sink
    }

    /// Unwraps the parent allocator and the sink.
    ///
    /// ```
    /// use alloc_runtime::logging::{Logging, Tally};
    /// use alloc_runtime::Bump;
    /// use core::mem::MaybeUninit;
    /// let mut buf = [MaybeUninit::uninit(); 64];
    /// let (bump, tally) = Logging::new(Bump::new(&mut buf), Tally::new()).into_parts();
    /// assert_eq!((bump.used(), tally.total()), (0, 0));
    /// ```
    #[inline]
    pub fn into_parts(self) -> (A, S) {
        (self.inner, self.sink)
    }
}

/// Aborts the process if dropped while a sink unwinds: a panic while
/// panicking is an abort. Forgotten when the sink returns.
struct AbortOnUnwind;

impl Drop for AbortOnUnwind {
    #[cold]
    fn drop(&mut self) {
        panic!("alloc_runtime::logging: a sink panicked inside an allocator function; aborting");
    }
}

impl<A: RawAlloc, S: Sink> Logging<A, S> {
    /// Hands `event` to the sink; an unwind out of it becomes an abort.
    #[inline(always)]
    fn emit(&self, event: &Event) {
        let guard = AbortOnUnwind;
        self.sink.record(event);
        mem::forget(guard);
    }

    #[inline(always)]
    fn logged_alloc(&self, len: usize, align: Alignment, caller: Caller) -> Option<NonNull<u8>> {
        let result = self.inner.alloc(len, align, caller);
        self.emit(&Event::Alloc {
            len,
            align,
            result,
            caller,
        });
        result
    }

    /// # Safety
    ///
    /// `RawAlloc::resize`'s contract.
    #[inline(always)]
    unsafe fn logged_resize(
        &self,
        memory: NonNull<[u8]>,
        align: Alignment,
        new_len: usize,
        caller: Caller,
    ) -> bool {
        // SAFETY: the caller upholds `resize`'s contract; the parent made `memory`.
        let resized = unsafe { self.inner.resize(memory, align, new_len, caller) };
        self.emit(&Event::Resize {
            ptr: memory.cast(),
            len: memory.len(),
            new_len,
            align,
            resized,
            caller,
        });
        resized
    }

    /// # Safety
    ///
    /// `RawAlloc::remap`'s contract.
    #[inline(always)]
    unsafe fn logged_remap(
        &self,
        memory: NonNull<[u8]>,
        align: Alignment,
        new_len: usize,
        caller: Caller,
    ) -> Option<NonNull<u8>> {
        // SAFETY: the caller upholds `remap`'s contract; the parent made `memory`.
        let result = unsafe { self.inner.remap(memory, align, new_len, caller) };
        self.emit(&Event::Remap {
            ptr: memory.cast(),
            len: memory.len(),
            new_len,
            align,
            result,
            caller,
        });
        result
    }

    /// # Safety
    ///
    /// `RawAlloc::free`'s contract.
    #[inline(always)]
    unsafe fn logged_free(&self, memory: NonNull<[u8]>, align: Alignment, caller: Caller) {
        // SAFETY: the caller upholds `free`'s contract; the parent made `memory`.
        unsafe { self.inner.free(memory, align, caller) };
        self.emit(&Event::Free {
            ptr: memory.cast(),
            len: memory.len(),
            align,
            caller,
        });
    }
}

// SAFETY: `Logging` hands out exactly its parent's blocks (each override
// returns the parent's answer unchanged), so its live blocks are the
// parent's live blocks with their current lengths, and the memory it
// manages is the parent's: the parent's answer is right. Not logged: `owns`
// is a question, not one of the four functions, and it must not unwind,
// which a sink could.
unsafe impl<A: Owns, S: Sink> Owns for Logging<A, S> {
    #[inline(always)]
    fn owns(&self, memory: NonNull<[u8]>) -> bool {
        self.inner.owns(memory)
    }
}

impl<A: fmt::Debug, S: Sink> fmt::Debug for Logging<A, S> {
    /// The parent; the sink, often a closure, is left out.
    ///
    /// ```
    /// use alloc_runtime::logging::{Logging, Tally};
    /// use alloc_runtime::Bump;
    /// use core::mem::MaybeUninit;
    /// let mut buf = [MaybeUninit::uninit(); 64];
    /// let logging = Logging::new(Bump::new(&mut buf), Tally::new());
    /// assert!(format!("{logging:?}").starts_with("Logging { inner: Bump"));
    /// ```
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Logging")
            .field("inner", &self.inner)
            .finish_non_exhaustive()
    }
}

#[cfg(feature = "log")]
pub use self::log_sink::LogSink;

#[cfg(feature = "log")]
mod log_sink {
    use super::{Event, Sink};

    /// A [`Sink`] that forwards each [`Event`] to the [`log`] facade
    /// (feature `log`): one record per call, its message the event's
    /// one-line `Display`, its file and line the event's caller.
    ///
    /// The target is `"alloc_runtime"` and the level `Trace` unless set
    /// otherwise. Building the record allocates nothing (`format_args!`);
    /// what the installed logger does with it is up to the logger — one
    /// that allocates from the allocator being logged recurses.
    ///
    /// `LogSink` is `Copy` and `Sync`.
    ///
    /// # Examples
    ///
    /// ```
    /// use alloc_runtime::logging::{LogSink, Logging};
    /// use alloc_runtime::Bump;
    /// use core::mem::MaybeUninit;
    ///
    /// let mut buf = [MaybeUninit::uninit(); 64];
    /// let sink = LogSink::new().with_level(log::Level::Debug).with_target("my_app::alloc");
    /// let logging = Logging::new(Bump::new(&mut buf), sink);
    /// // With a logger installed, this logs
    /// // `alloc(4, align 4) -> 0x... at src/main.rs:12:21` at debug level.
    /// logging.allocator().create(1u32)?;
    /// # Ok::<(), alloc_runtime::AllocError>(())
    /// ```
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
    #[cfg_attr(docsrs, doc(cfg(feature = "log")))]
    pub struct LogSink {
        level: log::Level,
        target: &'static str,
    }

    impl LogSink {
        /// Target `"alloc_runtime"`, level `Trace`.
        ///
        /// ```
        /// use alloc_runtime::logging::LogSink;
        /// assert_eq!(LogSink::new().level(), log::Level::Trace);
        /// assert_eq!(LogSink::new().target(), "alloc_runtime");
        /// ```
        #[inline]
        #[must_use]
        pub const fn new() -> Self {
            Self {
                level: log::Level::Trace,
                target: "alloc_runtime",
            }
        }

        /// The same sink, logging at `level`.
        ///
        /// ```
        /// use alloc_runtime::logging::LogSink;
        /// let sink = LogSink::new().with_level(log::Level::Debug);
        /// assert_eq!(sink.level(), log::Level::Debug);
        /// ```
        #[inline]
        #[must_use]
        pub const fn with_level(self, level: log::Level) -> Self {
            Self { level, ..self }
        }

        /// The same sink, logging to `target`.
        ///
        /// ```
        /// use alloc_runtime::logging::LogSink;
        /// assert_eq!(LogSink::new().with_target("heap").target(), "heap");
        /// ```
        #[inline]
        #[must_use]
        pub const fn with_target(self, target: &'static str) -> Self {
            Self { target, ..self }
        }

        /// The level records are logged at.
        ///
        /// ```
        /// assert_eq!(alloc_runtime::logging::LogSink::default().level(), log::Level::Trace);
        /// ```
        #[inline]
        #[must_use]
        pub const fn level(&self) -> log::Level {
            self.level
        }

        /// The target records are logged to.
        ///
        /// ```
        /// assert_eq!(alloc_runtime::logging::LogSink::default().target(), "alloc_runtime");
        /// ```
        #[inline]
        #[must_use]
        pub const fn target(&self) -> &'static str {
            self.target
        }
    }

    impl Default for LogSink {
        /// [`LogSink::new`].
        #[inline]
        fn default() -> Self {
            Self::new()
        }
    }

    impl Sink for LogSink {
        fn record(&self, event: &Event) {
            let level = self.level;
            if level <= log::STATIC_MAX_LEVEL && level <= log::max_level() {
                let location = event.caller().location();
                log::logger().log(
                    &log::Record::builder()
                        .level(level)
                        .target(self.target)
                        .file_static(Some(location.file()))
                        .line(Some(location.line()))
                        .args(format_args!("{event}"))
                        .build(),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Bump, testing};
    use core::cell::RefCell;
    use core::mem::MaybeUninit;
    use std::vec::Vec;

    /// A sink that keeps every event.
    fn recorder(events: &RefCell<Vec<Event>>) -> impl Fn(&Event) + '_ {
        move |event: &Event| events.borrow_mut().push(*event)
    }

    /// `core::fmt::Write` into a fixed buffer: formatting without `alloc`.
    struct FixedBuf {
        bytes: [u8; 256],
        len: usize,
    }

    impl FixedBuf {
        fn new() -> Self {
            Self {
                bytes: [0; 256],
                len: 0,
            }
        }

        fn as_str(&self) -> &str {
            core::str::from_utf8(&self.bytes[..self.len]).unwrap()
        }
    }

    impl fmt::Write for FixedBuf {
        fn write_str(&mut self, s: &str) -> fmt::Result {
            let end = self.len.checked_add(s.len()).ok_or(fmt::Error)?;
            self.bytes
                .get_mut(self.len..end)
                .ok_or(fmt::Error)?
                .copy_from_slice(s.as_bytes());
            self.len = end;
            Ok(())
        }
    }

    #[test]
    fn passes_the_conformance_suite_with_a_counting_closure_sink() {
        let events = Cell::new(0usize);
        let mut buf = [MaybeUninit::uninit(); testing::CONFORMANCE_BYTES];
        let logging = Logging::new(Bump::new(&mut buf), |_: &Event| {
            events.set(events.get() + 1)
        });
        testing::conformance(&logging);
        assert!(events.get() > 0);
    }

    #[test]
    fn passes_the_conformance_suite_with_a_tally_and_counts_consistently() {
        let mut buf = [MaybeUninit::uninit(); testing::CONFORMANCE_BYTES];
        let logging = Logging::new(Bump::new(&mut buf), Tally::new());
        testing::conformance(&logging);
        let tally = logging.sink();
        assert!(tally.count(Function::Alloc) > 0);
        assert!(tally.count(Function::Free) > 0);
        assert!(tally.failures() > 0, "the suite makes impossible requests");
        assert_eq!(
            tally.total(),
            [
                Function::Alloc,
                Function::Resize,
                Function::Remap,
                Function::Free
            ]
            .map(|f| tally.count(f))
            .iter()
            .sum::<usize>()
        );
    }

    #[test]
    fn alloc_reports_length_alignment_result_and_caller() {
        let events = RefCell::new(Vec::new());
        let mut buf = [MaybeUninit::uninit(); 64];
        let logging = Logging::new(Bump::new(&mut buf), recorder(&events));
        let caller = Caller::here();
        let align = Alignment::new(8).unwrap();
        let p = logging.alloc(24, align, caller);
        assert!(p.is_some());
        let refused = logging.alloc(1000, Alignment::ONE, caller);
        assert!(refused.is_none());
        assert_eq!(
            *events.borrow(),
            [
                Event::Alloc {
                    len: 24,
                    align,
                    result: p,
                    caller
                },
                Event::Alloc {
                    len: 1000,
                    align: Alignment::ONE,
                    result: None,
                    caller
                },
            ]
        );
        assert!(events.borrow()[0].succeeded());
        assert!(!events.borrow()[1].succeeded());
    }

    #[test]
    fn resize_reports_both_lengths_and_whether_it_resized() {
        let events = RefCell::new(Vec::new());
        let mut buf = [MaybeUninit::uninit(); 64];
        let logging = Logging::new(Bump::new(&mut buf), recorder(&events));
        let caller = Caller::here();
        let a = logging.alloc(8, Alignment::ONE, caller).unwrap();
        // SAFETY: `a` is the live 8-byte allocation just made, alignment 1.
        let grown = unsafe {
            logging.resize(
                NonNull::slice_from_raw_parts(a, 8),
                Alignment::ONE,
                16,
                caller,
            )
        };
        assert!(grown, "the last allocation grows in place");
        let b = logging.alloc(8, Alignment::ONE, caller).unwrap();
        // SAFETY: `a` is live with 16 bytes now, alignment 1.
        let grown_again = unsafe {
            logging.resize(
                NonNull::slice_from_raw_parts(a, 16),
                Alignment::ONE,
                32,
                caller,
            )
        };
        assert!(!grown_again, "no longer the last allocation");
        let events = events.borrow();
        assert_eq!(events.len(), 4);
        assert_eq!(
            events[1],
            Event::Resize {
                ptr: a,
                len: 8,
                new_len: 16,
                align: Alignment::ONE,
                resized: true,
                caller
            }
        );
        assert_eq!(events[2].function(), Function::Alloc);
        assert_eq!(
            events[3],
            Event::Resize {
                ptr: a,
                len: 16,
                new_len: 32,
                align: Alignment::ONE,
                resized: false,
                caller
            }
        );
        let _ = b;
    }

    #[test]
    fn remap_reports_both_lengths_and_the_new_address() {
        let events = RefCell::new(Vec::new());
        let mut buf = [MaybeUninit::uninit(); 64];
        let logging = Logging::new(Bump::new(&mut buf), recorder(&events));
        let caller = Caller::here();
        let align = Alignment::new(4).unwrap();
        let a = logging.alloc(16, align, caller).unwrap();
        // SAFETY: `a` is the live 16-byte allocation just made, alignment 4.
        let shrunk =
            unsafe { logging.remap(NonNull::slice_from_raw_parts(a, 16), align, 4, caller) };
        assert_eq!(shrunk, Some(a));
        // SAFETY: `a` is live with 4 bytes now, alignment 4.
        let refused =
            unsafe { logging.remap(NonNull::slice_from_raw_parts(a, 4), align, 1000, caller) };
        assert_eq!(refused, None);
        let events = events.borrow();
        assert_eq!(
            events[1..],
            [
                Event::Remap {
                    ptr: a,
                    len: 16,
                    new_len: 4,
                    align,
                    result: Some(a),
                    caller
                },
                Event::Remap {
                    ptr: a,
                    len: 4,
                    new_len: 1000,
                    align,
                    result: None,
                    caller
                },
            ]
        );
        assert!(!events[2].succeeded());
    }

    #[test]
    fn free_reports_address_length_and_alignment_after_freeing() {
        let used_when_logged = Cell::new(usize::MAX);
        let event = Cell::new(None);
        let mut buf = [MaybeUninit::uninit(); 64];
        let bump = Bump::new(&mut buf);
        let logging = Logging::new(&bump, |e: &Event| {
            used_when_logged.set(bump.used());
            event.set(Some(*e));
        });
        let caller = Caller::here();
        let align = Alignment::new(2).unwrap();
        let a = logging.alloc(6, align, caller).unwrap();
        let used_before = bump.used();
        // SAFETY: `a` is the live 6-byte allocation just made, not used again.
        unsafe { logging.free(NonNull::slice_from_raw_parts(a, 6), align, caller) };
        assert_eq!(
            event.get(),
            Some(Event::Free {
                ptr: a,
                len: 6,
                align,
                caller
            })
        );
        // The bump took its 6 bytes back before the sink saw the event
        // (alignment padding, if any, stays used).
        assert_eq!(
            used_when_logged.get(),
            used_before - 6,
            "the event follows the call"
        );
    }

    #[test]
    fn the_caller_is_the_users_line_through_the_handle() {
        let events = RefCell::new(Vec::new());
        let mut buf = [MaybeUninit::uninit(); 64];
        let logging = Logging::new(Bump::new(&mut buf), recorder(&events));
        let handle = logging.allocator();
        let (p, create_line) = (handle.create(5u64).unwrap(), line!());
        // SAFETY: `p` came from `create` on this allocator and is destroyed once.
        let ((), destroy_line) = (unsafe { handle.destroy(p) }, line!());
        let events = events.borrow();
        assert_eq!(events.len(), 2);
        for (event, line) in events.iter().zip([create_line, destroy_line]) {
            let location = event.caller().location();
            assert_eq!(
                (location.file(), location.line()),
                (file!(), line),
                "{event}"
            );
        }
        assert_eq!(events[0].function(), Function::Alloc);
        assert_eq!(events[1].function(), Function::Free);
        assert_eq!(events[0].align(), Alignment::of::<u64>());
    }

    #[test]
    fn display_writes_one_line_per_event_kind() {
        let ptr = NonNull::new(core::ptr::without_provenance_mut::<u8>(0x1000)).unwrap();
        let moved = NonNull::new(core::ptr::without_provenance_mut::<u8>(0x2000)).unwrap();
        let caller = Caller::here();
        let at = std::format!(
            "at {}:{}:{}",
            file!(),
            caller.location().line(),
            caller.location().column()
        );
        let align = Alignment::new(8).unwrap();
        let cases = [
            (
                Event::Alloc {
                    len: 24,
                    align,
                    result: Some(ptr),
                    caller,
                },
                "alloc(24, align 8) -> 0x1000",
            ),
            (
                Event::Alloc {
                    len: 24,
                    align,
                    result: None,
                    caller,
                },
                "alloc(24, align 8) -> failed",
            ),
            (
                Event::Resize {
                    ptr,
                    len: 24,
                    new_len: 48,
                    align,
                    resized: true,
                    caller,
                },
                "resize(0x1000, 24 -> 48, align 8) -> true",
            ),
            (
                Event::Resize {
                    ptr,
                    len: 24,
                    new_len: 48,
                    align,
                    resized: false,
                    caller,
                },
                "resize(0x1000, 24 -> 48, align 8) -> false",
            ),
            (
                Event::Remap {
                    ptr,
                    len: 24,
                    new_len: 4096,
                    align,
                    result: Some(moved),
                    caller,
                },
                "remap(0x1000, 24 -> 4096, align 8) -> 0x2000",
            ),
            (
                Event::Remap {
                    ptr,
                    len: 24,
                    new_len: 4096,
                    align,
                    result: None,
                    caller,
                },
                "remap(0x1000, 24 -> 4096, align 8) -> failed",
            ),
            (
                Event::Free {
                    ptr,
                    len: 24,
                    align,
                    caller,
                },
                "free(0x1000, 24, align 8)",
            ),
        ];
        for (event, call) in cases {
            assert_eq!(std::format!("{event}"), std::format!("{call} {at}"));
        }
    }

    #[test]
    fn display_formats_into_a_fixed_buffer_without_allocating() {
        let events = RefCell::new(Vec::new());
        let mut buf = [MaybeUninit::uninit(); 64];
        let logging = Logging::new(Bump::new(&mut buf), recorder(&events));
        let a = logging.allocator();
        let p = a.create(1u32).unwrap();
        // SAFETY: `p` came from `create` on this allocator and is destroyed once.
        unsafe { a.destroy(p) };
        for event in events.borrow().iter() {
            let mut line = FixedBuf::new();
            fmt::Write::write_fmt(&mut line, format_args!("{event}")).unwrap();
            assert_eq!(line.as_str(), std::format!("{event}"));
            assert!(!line.as_str().contains('\n'));
        }
    }

    #[test]
    fn a_sink_can_format_each_event_on_the_stack_while_a_collection_grows() {
        let lines = Cell::new(0usize);
        let mut buf = [MaybeUninit::uninit(); 4096];
        let logging = Logging::new(Bump::new(&mut buf), |event: &Event| {
            let mut line = FixedBuf::new();
            fmt::Write::write_fmt(&mut line, format_args!("{event}")).unwrap();
            assert!(line.as_str().starts_with(event.function().name()));
            lines.set(lines.get() + 1);
        });
        let mut v = allocator_api2::vec::Vec::new_in(&logging);
        v.extend(0..200u32);
        v.truncate(3);
        v.shrink_to_fit();
        drop(v);
        assert!(lines.get() >= 3, "alloc, growth, shrink and free");
    }

    #[test]
    fn is_sync_when_the_parent_and_the_sink_are() {
        /// Stateless, hence `Sync`: refuses everything.
        struct Refuse;
        // SAFETY: hands out no memory at all.
        unsafe impl RawAlloc for Refuse {
            fn alloc(&self, _: usize, _: Alignment, _: Caller) -> Option<NonNull<u8>> {
                None
            }
            unsafe fn free(&self, _: NonNull<[u8]>, _: Alignment, _: Caller) {}
        }

        let count = std::sync::atomic::AtomicUsize::new(0);
        let logging = Logging::new(Refuse, |_: &Event| {
            count.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        });
        let handle = logging.sync_allocator();
        std::thread::scope(|s| {
            for _ in 0..2 {
                s.spawn(move || assert!(handle.create(1u8).is_err()));
            }
        });
        assert_eq!(count.load(std::sync::atomic::Ordering::Relaxed), 2);
    }

    #[cfg(feature = "log")]
    #[test]
    fn the_log_sink_forwards_each_event_to_the_log_facade() {
        use std::string::String;
        use std::sync::Mutex;

        const TARGET: &str = "alloc_runtime::logging::tests";
        static RECORDS: Mutex<Vec<String>> = Mutex::new(Vec::new());

        /// Keeps the records of `TARGET` as `level target file:line message`.
        struct TestLogger;
        impl log::Log for TestLogger {
            fn enabled(&self, _: &log::Metadata<'_>) -> bool {
                true
            }
            fn log(&self, record: &log::Record<'_>) {
                if record.target() == TARGET {
                    let line = std::format!(
                        "{} {} {}:{} {}",
                        record.level(),
                        record.target(),
                        record.file().unwrap_or("?"),
                        record.line().unwrap_or(0),
                        record.args()
                    );
                    RECORDS
                        .lock()
                        .unwrap_or_else(|poisoned| poisoned.into_inner())
                        .push(line);
                }
            }
            fn flush(&self) {}
        }
        static LOGGER: TestLogger = TestLogger;
        // Another test binary may have installed a logger first; ours is the
        // only one in this binary.
        log::set_logger(&LOGGER).expect("no other logger in this test binary");
        log::set_max_level(log::LevelFilter::Trace);

        let sink = LogSink::new()
            .with_level(log::Level::Debug)
            .with_target(TARGET);
        let mut buf = [MaybeUninit::uninit(); 64];
        let logging = Logging::new(Bump::new(&mut buf), sink);
        let a = logging.allocator();
        let (p, line) = (a.create(3u16).unwrap(), line!());
        assert!(a.create([0u8; 100]).is_err());

        let records = RECORDS.lock().unwrap().clone();
        assert_eq!(records.len(), 2, "{records:?}");
        let expected = std::format!(
            "DEBUG {TARGET} {}:{line} alloc(2, align 2) -> {p:p} at {}:{line}:",
            file!(),
            file!()
        );
        assert!(records[0].starts_with(&expected), "{}", records[0]);
        assert!(
            records[1].contains("alloc(100, align 1) -> failed at "),
            "{}",
            records[1]
        );

        // Below the maximum level: nothing is logged.
        log::set_max_level(log::LevelFilter::Info);
        a.create(4u8).unwrap();
        assert_eq!(RECORDS.lock().unwrap().len(), 2);
        log::set_max_level(log::LevelFilter::Trace);
    }
}
