//! Collections for the arenas: allocator-api2's [`Vec`] and the smallest
//! arena [`String`], which allocator-api2 does not have (feature `alloc`:
//! allocator-api2's `Vec` needs it).
//!
//! Both take any allocator of this crate — `&Bump`, `&Arena`, a `Handle` —
//! as bumpalo's `collections` take a `&Bump`.
//!
//! ```
//! use alloc_runtime::Bump;
//! use alloc_runtime::collections::{String, Vec};
//! use core::mem::MaybeUninit;
//!
//! let mut buf = [MaybeUninit::uninit(); 256];
//! let bump = Bump::new(&mut buf);
//! let mut v = Vec::new_in(&bump);
//! v.extend([1u8, 2, 3]);
//! let mut s = String::new_in(&bump);
//! s.push_str("sum: ");
//! s.push(char::from(b'0' + v.iter().sum::<u8>()));
//! assert_eq!(s, "sum: 6");
//! ```

#[cfg(feature = "alloc")]
mod string;
#[cfg(all(test, feature = "alloc"))]
mod tests;

#[cfg(feature = "alloc")]
pub use self::string::String;
/// allocator-api2's `Vec`, re-exported: a growable array in any allocator
/// (`Vec::new_in(&arena)`); in an arena it grows in place while it is the
/// most recent allocation.
///
/// ```
/// use alloc_runtime::Bump;
/// use alloc_runtime::collections::Vec;
/// use core::mem::MaybeUninit;
///
/// let mut buf = [MaybeUninit::uninit(); 64];
/// let bump = Bump::new(&mut buf);
/// let mut v: Vec<u16, _> = Vec::with_capacity_in(4, &bump);
/// v.push(7);
/// assert_eq!(v, [7]);
/// ```
#[cfg(feature = "alloc")]
pub use allocator_api2::vec::Vec;
