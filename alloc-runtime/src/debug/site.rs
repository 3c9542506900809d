//! [`Site`]: where a request came from, and backtrace trimming
//! ([`user_frame`]) that finds the user's line in a backtrace.

use alloc::string::String;
use core::fmt;

use crate::Caller;

/// Where a request came from: its [`Caller`], and with backtraces on
/// ([`Config::with_backtraces`](super::Config::with_backtraces)) the first frame of the user's code.
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
    /// frame says better: then [`Config::with_backtraces`](super::Config::with_backtraces) would help.
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

/// Captures a backtrace here and returns its first frame outside this
/// crate, allocator-api2, hashbrown and the standard library ([`user_frame`]),
/// as text: where user code made the request being handled.
#[cfg(feature = "std")]
pub(crate) fn capture_user_frame() -> Option<String> {
    let text = alloc::string::ToString::to_string(&std::backtrace::Backtrace::force_capture());
    user_frame(&text).map(|frame| alloc::string::ToString::to_string(&frame))
}

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

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::string::ToString;

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
}
