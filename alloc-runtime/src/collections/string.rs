//! [`String`]: the smallest growable UTF-8 string in an allocator, over
//! allocator-api2's `Vec<u8, A>`.

use core::fmt;
use core::ops::Deref;

use allocator_api2::alloc::Allocator;
use allocator_api2::vec::Vec;

use crate::{AllocError, Arena, Bump, RawAlloc};

/// A growable UTF-8 string whose bytes live in the allocator `A` (a `&Bump`,
/// a `&Arena`, a `Handle`, ...): bumpalo's `collections::String`, reduced to
/// what arena code needs.
///
/// Every byte it holds was written from a `&str` or by
/// `char::encode_utf8`, so it is always UTF-8; it has no method that could
/// write anything else. Use [`format!`](crate::format!) to format into one,
/// and [`into_bump_str`](String::into_bump_str) to keep the text in the
/// arena as a `&mut str` after the `String` is gone.
///
/// The fallible forms ([`try_reserve`](Self::try_reserve),
/// [`try_push_str`](Self::try_push_str), [`try_push`](Self::try_push))
/// return [`AllocError`]; the others end the process through
/// `handle_alloc_error` when the allocator refuses, as `Vec` does.
///
/// # Examples
///
/// ```
/// use alloc_runtime::Bump;
/// use alloc_runtime::collections::String;
/// use core::fmt::Write;
/// use core::mem::MaybeUninit;
///
/// let mut buf = [MaybeUninit::uninit(); 256];
/// let bump = Bump::new(&mut buf);
/// let mut s = String::from_str_in("hello", &bump);
/// s.push(',');
/// write!(s, " {}", "world")?;
/// assert_eq!(s, "hello, world");
/// let kept: &mut str = s.into_bump_str();
/// assert_eq!(kept, "hello, world");
/// # Ok::<(), core::fmt::Error>(())
/// ```
pub struct String<A: Allocator> {
    /// The bytes; invariant: always valid UTF-8.
    bytes: Vec<u8, A>,
}

impl<A: Allocator> String<A> {
    /// An empty string in `alloc`; allocates nothing yet.
    ///
    /// ```
    /// use alloc_runtime::Bump;
    /// use alloc_runtime::collections::String;
    /// use core::mem::MaybeUninit;
    /// let mut buf = [MaybeUninit::uninit(); 16];
    /// let bump = Bump::new(&mut buf);
    /// let s = String::new_in(&bump);
    /// assert!(s.is_empty());
    /// assert_eq!(bump.used(), 0);
    /// ```
    #[inline]
    #[must_use]
    pub fn new_in(alloc: A) -> Self {
        Self {
            bytes: Vec::new_in(alloc),
        }
    }

    /// An empty string in `alloc` with room for `capacity` bytes.
    ///
    /// # Panics
    ///
    /// When the allocator refuses, through `handle_alloc_error`.
    ///
    /// ```
    /// use alloc_runtime::Bump;
    /// use alloc_runtime::collections::String;
    /// use core::mem::MaybeUninit;
    /// let mut buf = [MaybeUninit::uninit(); 64];
    /// let bump = Bump::new(&mut buf);
    /// let s = String::with_capacity_in(10, &bump);
    /// assert!(s.capacity() >= 10);
    /// ```
    #[inline]
    #[must_use]
    pub fn with_capacity_in(capacity: usize, alloc: A) -> Self {
        Self {
            bytes: Vec::with_capacity_in(capacity, alloc),
        }
    }

    /// A copy of `s` in `alloc` (bumpalo's `String::from_str_in`).
    ///
    /// # Panics
    ///
    /// When the allocator refuses, through `handle_alloc_error`.
    ///
    /// ```
    /// use alloc_runtime::Bump;
    /// use alloc_runtime::collections::String;
    /// use core::mem::MaybeUninit;
    /// let mut buf = [MaybeUninit::uninit(); 64];
    /// let bump = Bump::new(&mut buf);
    /// assert_eq!(String::from_str_in("abc", &bump), "abc");
    /// ```
    #[inline]
    #[must_use]
    pub fn from_str_in(s: &str, alloc: A) -> Self {
        let mut string = Self::with_capacity_in(s.len(), alloc);
        string.push_str(s);
        string
    }

    /// Appends `ch`.
    ///
    /// # Panics
    ///
    /// When the allocator refuses, through `handle_alloc_error`.
    ///
    /// ```
    /// use alloc_runtime::Bump;
    /// use alloc_runtime::collections::String;
    /// use core::mem::MaybeUninit;
    /// let mut buf = [MaybeUninit::uninit(); 64];
    /// let bump = Bump::new(&mut buf);
    /// let mut s = String::new_in(&bump);
    /// s.push('é');
    /// assert_eq!(s, "é");
    /// ```
    #[inline]
    pub fn push(&mut self, ch: char) {
        self.push_str(ch.encode_utf8(&mut [0; 4]));
    }

    /// Appends `s`.
    ///
    /// # Panics
    ///
    /// When the allocator refuses, through `handle_alloc_error`.
    ///
    /// ```
    /// use alloc_runtime::Bump;
    /// use alloc_runtime::collections::String;
    /// use core::mem::MaybeUninit;
    /// let mut buf = [MaybeUninit::uninit(); 64];
    /// let bump = Bump::new(&mut buf);
    /// let mut s = String::new_in(&bump);
    /// s.push_str("ab");
    /// s.push_str("cd");
    /// assert_eq!(s, "abcd");
    /// ```
    #[inline]
    pub fn push_str(&mut self, s: &str) {
        self.bytes.extend_from_slice(s.as_bytes());
    }

    /// Makes room for `additional` more bytes: room to grow (doubling), or
    /// exactly `additional` when that is all the allocator has.
    ///
    /// # Errors
    ///
    /// [`AllocError`] when the allocator refuses (or the size overflows);
    /// the string is unchanged.
    ///
    /// ```
    /// use alloc_runtime::Bump;
    /// use alloc_runtime::collections::String;
    /// use core::mem::MaybeUninit;
    /// let mut buf = [MaybeUninit::uninit(); 64];
    /// let bump = Bump::new(&mut buf);
    /// let mut s = String::new_in(&bump);
    /// assert!(s.try_reserve(16).is_ok());
    /// assert!(s.try_reserve(1000).is_err());
    /// ```
    #[inline]
    pub fn try_reserve(&mut self, additional: usize) -> Result<(), AllocError> {
        // The amortized request (doubling) first; when it does not fit, the
        // exact one, so a string can fill an arena's last bytes.
        self.bytes
            .try_reserve(additional)
            .or_else(|_| self.bytes.try_reserve_exact(additional))
            .map_err(|_| AllocError)
    }

    /// [`push_str`](Self::push_str), with the failure as a value.
    ///
    /// # Errors
    ///
    /// [`AllocError`] when the allocator refuses; the string is unchanged.
    ///
    /// ```
    /// use alloc_runtime::Bump;
    /// use alloc_runtime::collections::String;
    /// use core::mem::MaybeUninit;
    /// let mut buf = [MaybeUninit::uninit(); 8];
    /// let bump = Bump::new(&mut buf);
    /// let mut s = String::new_in(&bump);
    /// assert!(s.try_push_str("1234").is_ok());
    /// assert!(s.try_push_str("too long for the buffer").is_err());
    /// assert_eq!(s, "1234");
    /// ```
    #[inline]
    pub fn try_push_str(&mut self, s: &str) -> Result<(), AllocError> {
        self.try_reserve(s.len())?;
        // Cannot reallocate: the room was reserved above.
        self.bytes.extend_from_slice(s.as_bytes());
        Ok(())
    }

    /// [`push`](Self::push), with the failure as a value.
    ///
    /// # Errors
    ///
    /// [`AllocError`] when the allocator refuses; the string is unchanged.
    ///
    /// ```
    /// use alloc_runtime::Bump;
    /// use alloc_runtime::collections::String;
    /// use core::mem::MaybeUninit;
    /// let mut buf = [MaybeUninit::uninit(); 8];
    /// let bump = Bump::new(&mut buf);
    /// let mut s = String::new_in(&bump);
    /// assert!(s.try_push('x').is_ok());
    /// assert_eq!(s, "x");
    /// ```
    #[inline]
    pub fn try_push(&mut self, ch: char) -> Result<(), AllocError> {
        self.try_push_str(ch.encode_utf8(&mut [0; 4]))
    }

    /// The text.
    ///
    /// ```
    /// use alloc_runtime::Bump;
    /// use alloc_runtime::collections::String;
    /// use core::mem::MaybeUninit;
    /// let mut buf = [MaybeUninit::uninit(); 8];
    /// let bump = Bump::new(&mut buf);
    /// assert_eq!(String::from_str_in("hi", &bump).as_str(), "hi");
    /// ```
    #[inline]
    #[must_use]
    pub fn as_str(&self) -> &str {
        // SAFETY: the bytes are always UTF-8 (the field's invariant: every
        // byte was written from a `&str`).
        unsafe { core::str::from_utf8_unchecked(&self.bytes) }
    }

    /// The text, mutably (for `make_ascii_uppercase` and the like, which
    /// keep it UTF-8).
    ///
    /// ```
    /// use alloc_runtime::Bump;
    /// use alloc_runtime::collections::String;
    /// use core::mem::MaybeUninit;
    /// let mut buf = [MaybeUninit::uninit(); 8];
    /// let bump = Bump::new(&mut buf);
    /// let mut s = String::from_str_in("hi", &bump);
    /// s.as_mut_str().make_ascii_uppercase();
    /// assert_eq!(s, "HI");
    /// ```
    #[inline]
    #[must_use]
    pub fn as_mut_str(&mut self) -> &mut str {
        // SAFETY: the bytes are always UTF-8, and safe code can only change
        // a `&mut str` into other UTF-8.
        unsafe { core::str::from_utf8_unchecked_mut(&mut self.bytes) }
    }

    /// The length in bytes.
    ///
    /// ```
    /// use alloc_runtime::Bump;
    /// use alloc_runtime::collections::String;
    /// use core::mem::MaybeUninit;
    /// let mut buf = [MaybeUninit::uninit(); 8];
    /// let bump = Bump::new(&mut buf);
    /// assert_eq!(String::from_str_in("é", &bump).len(), 2);
    /// ```
    #[inline]
    #[must_use]
    pub fn len(&self) -> usize {
        self.bytes.len()
    }

    /// Whether the string is empty.
    ///
    /// ```
    /// use alloc_runtime::Bump;
    /// use alloc_runtime::collections::String;
    /// use core::mem::MaybeUninit;
    /// let mut buf = [MaybeUninit::uninit(); 8];
    /// let bump = Bump::new(&mut buf);
    /// assert!(String::new_in(&bump).is_empty());
    /// ```
    #[inline]
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.bytes.is_empty()
    }

    /// Room in bytes, without reallocating.
    ///
    /// ```
    /// use alloc_runtime::Bump;
    /// use alloc_runtime::collections::String;
    /// use core::mem::MaybeUninit;
    /// let mut buf = [MaybeUninit::uninit(); 8];
    /// let bump = Bump::new(&mut buf);
    /// assert_eq!(String::new_in(&bump).capacity(), 0);
    /// ```
    #[inline]
    #[must_use]
    pub fn capacity(&self) -> usize {
        self.bytes.capacity()
    }

    /// Empties the string, keeping its room.
    ///
    /// ```
    /// use alloc_runtime::Bump;
    /// use alloc_runtime::collections::String;
    /// use core::mem::MaybeUninit;
    /// let mut buf = [MaybeUninit::uninit(); 8];
    /// let bump = Bump::new(&mut buf);
    /// let mut s = String::from_str_in("abc", &bump);
    /// s.clear();
    /// assert!(s.is_empty() && s.capacity() >= 3);
    /// ```
    #[inline]
    pub fn clear(&mut self) {
        self.bytes.clear();
    }
}

/// `into_bump_str` for each arena type: the buffer is leaked into the arena,
/// which keeps it valid for as long as it is borrowed.
macro_rules! into_bump_str {
    ($([$($generics:tt)*] $arena:ty, $setup:literal;)*) => {$(
        impl<'a, $($generics)*> String<&'a $arena> {
            /// Leaks the string's buffer into the arena and returns the
            /// text, borrowed from the arena (bumpalo's
            /// `String::into_bump_str`). Its unused room stays taken.
            ///
            /// ```
            #[doc = $setup]
            /// use alloc_runtime::collections::String;
            /// let s = String::from_str_in("kept", &arena).into_bump_str();
            /// s.make_ascii_uppercase();
            /// assert_eq!(s, "KEPT");
            /// ```
            #[inline]
            #[must_use]
            pub fn into_bump_str(self) -> &'a mut str {
                let bytes = self.bytes.leak();
                // SAFETY: the bytes are always UTF-8 (the field's
                // invariant). The buffer is never freed (leaked), and the
                // arena keeps it valid while borrowed for `'a`.
                unsafe { core::str::from_utf8_unchecked_mut(bytes) }
            }
        }
    )*};
}

into_bump_str! {
    ['b] Bump<'b>, "use alloc_runtime::Bump;\nuse core::mem::MaybeUninit;\nlet mut buf = [MaybeUninit::uninit(); 64];\nlet arena = Bump::new(&mut buf);";
    [P: RawAlloc] Arena<P>, "use alloc_runtime::Arena;\nlet arena = Arena::new();";
}

impl<A: Allocator> Deref for String<A> {
    type Target = str;

    #[inline]
    fn deref(&self) -> &str {
        self.as_str()
    }
}

/// Hashes as the `str` it holds, so a map keyed by `String<A>` can be
/// looked up with a `&str` (with [`Borrow<str>`](core::borrow::Borrow)).
///
/// ```
/// use alloc_runtime::Arena;
/// use alloc_runtime::collections::String;
/// use hashbrown::{DefaultHashBuilder, HashMap};
///
/// let arena = Arena::new();
/// let mut map = HashMap::with_hasher_in(DefaultHashBuilder::default(), &arena);
/// map.insert(String::from_str_in("ferris", &arena), 7);
/// assert_eq!(map.get("ferris"), Some(&7)); // looked up by `&str`
/// ```
impl<A: Allocator> core::hash::Hash for String<A> {
    #[inline]
    fn hash<H: core::hash::Hasher>(&self, state: &mut H) {
        self.as_str().hash(state);
    }
}

/// The `str` it holds; `Hash`, `Eq` and `Ord` agree with `str`'s.
///
/// ```
/// use alloc_runtime::Arena;
/// use alloc_runtime::collections::String;
/// use core::borrow::Borrow;
///
/// let arena = Arena::new();
/// let s = String::from_str_in("key", &arena);
/// let k: &str = s.borrow();
/// assert_eq!(k, "key");
/// ```
impl<A: Allocator> core::borrow::Borrow<str> for String<A> {
    #[inline]
    fn borrow(&self) -> &str {
        self.as_str()
    }
}

/// The `str` it holds.
///
/// ```
/// use alloc_runtime::Arena;
/// use alloc_runtime::collections::String;
///
/// let arena = Arena::new();
/// let s = String::from_str_in("key", &arena);
/// assert_eq!(AsRef::<str>::as_ref(&s), "key");
/// ```
impl<A: Allocator> AsRef<str> for String<A> {
    #[inline]
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

/// Orders as the `str`s they hold.
///
/// ```
/// use alloc_runtime::Arena;
/// use alloc_runtime::collections::String;
///
/// let arena = Arena::new();
/// let (a, b) = (String::from_str_in("a", &arena), String::from_str_in("b", &arena));
/// assert!(a < b);
/// ```
impl<A: Allocator> PartialOrd for String<A> {
    #[inline]
    fn partial_cmp(&self, other: &Self) -> Option<core::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

/// Orders as the `str`s they hold.
///
/// ```
/// use alloc_runtime::Arena;
/// use alloc_runtime::collections::String;
///
/// let arena = Arena::new();
/// let mut v = vec![String::from_str_in("b", &arena), String::from_str_in("a", &arena)];
/// v.sort();
/// assert_eq!(v[0], "a");
/// ```
impl<A: Allocator> Ord for String<A> {
    #[inline]
    fn cmp(&self, other: &Self) -> core::cmp::Ordering {
        self.as_str().cmp(other.as_str())
    }
}

impl<A: Allocator> fmt::Write for String<A> {
    #[inline]
    fn write_str(&mut self, s: &str) -> fmt::Result {
        self.push_str(s);
        Ok(())
    }

    #[inline]
    fn write_char(&mut self, ch: char) -> fmt::Result {
        self.push(ch);
        Ok(())
    }
}

impl<A: Allocator> fmt::Display for String<A> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self.as_str(), f)
    }
}

impl<A: Allocator> fmt::Debug for String<A> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl<A: Allocator, B: Allocator> PartialEq<String<B>> for String<A> {
    #[inline]
    fn eq(&self, other: &String<B>) -> bool {
        self.as_str() == other.as_str()
    }
}

impl<A: Allocator> Eq for String<A> {}

impl<A: Allocator> PartialEq<str> for String<A> {
    #[inline]
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl<A: Allocator> PartialEq<&str> for String<A> {
    #[inline]
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl<A: Allocator> PartialEq<String<A>> for str {
    #[inline]
    fn eq(&self, other: &String<A>) -> bool {
        self == other.as_str()
    }
}

impl<A: Allocator> PartialEq<String<A>> for &str {
    #[inline]
    fn eq(&self, other: &String<A>) -> bool {
        *self == other.as_str()
    }
}

/// Formats into a [`String`](crate::collections::String) in an allocator,
/// as `std::format!` does into the heap: bumpalo's `bumpalo::format!(in
/// &bump, ...)`.
///
/// # Panics
///
/// When the allocator refuses (through `handle_alloc_error`), and, as
/// `std::format!`, when a formatting trait implementation returns an error
/// of its own.
///
/// # Examples
///
/// ```
/// use alloc_runtime::Bump;
/// use core::mem::MaybeUninit;
///
/// let mut buf = [MaybeUninit::uninit(); 128];
/// let bump = Bump::new(&mut buf);
/// let who = "arena";
/// let s = alloc_runtime::format!(in &bump, "hello, {who} {}", 1);
/// assert_eq!(s, "hello, arena 1");
/// ```
#[macro_export]
macro_rules! format {
    (in $alloc:expr, $($arg:tt)*) => {{
        let mut string = $crate::collections::String::new_in($alloc);
        ::core::fmt::Write::write_fmt(&mut string, ::core::format_args!($($arg)*)).expect(
            "a formatting trait implementation returned an error when the string did not; return Err from fmt only when the Formatter does",
        );
        string
    }};
}
