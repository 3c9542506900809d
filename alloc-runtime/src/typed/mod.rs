//! The typed, safe API of the arenas (`alloc`, `alloc_str`, ...) with
//! bumpalo's names, shared by [`Bump`](crate::Bump) and
//! [`Arena`](crate::Arena) (SKELETON: the typed-API helper fills it in).
