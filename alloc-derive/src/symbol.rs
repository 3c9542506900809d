//! The words of `#[allocator(...)]`, compared against parsed paths.

use std::fmt::{self, Display};

use syn::{Ident, Path};

/// One keyword of the attribute grammar.
#[derive(Copy, Clone)]
pub struct Symbol(&'static str);

/// The attribute itself: `#[allocator(...)]`.
pub const ALLOCATOR: Symbol = Symbol("allocator");
/// `#[allocator(parent)]` on the field to delegate to.
pub const PARENT: Symbol = Symbol("parent");
/// `#[allocator(crate = "path")]` on the struct.
pub const CRATE: Symbol = Symbol("crate");
/// `#[allocator(unsafe(alloc = path, ...))]` on the struct.
pub const UNSAFE: Symbol = Symbol("unsafe");
/// `#[allocator(validate = path)]` on the struct.
pub const VALIDATE: Symbol = Symbol("validate");
/// `#[allocator(route = path)]` on a struct with two parents.
pub const ROUTE: Symbol = Symbol("route");
/// `#[allocator(global)]` on the struct: `GlobalAlloc` and `Standalone`.
pub const GLOBAL: Symbol = Symbol("global");

impl Symbol {
    pub const fn as_str(self) -> &'static str {
        self.0
    }
}

impl PartialEq<Symbol> for Ident {
    fn eq(&self, word: &Symbol) -> bool {
        self == word.0
    }
}

impl PartialEq<Symbol> for &Ident {
    fn eq(&self, word: &Symbol) -> bool {
        *self == word.0
    }
}

impl PartialEq<Symbol> for Path {
    fn eq(&self, word: &Symbol) -> bool {
        self.is_ident(word.0)
    }
}

impl PartialEq<Symbol> for &Path {
    fn eq(&self, word: &Symbol) -> bool {
        self.is_ident(word.0)
    }
}

impl Display for Symbol {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(self.0)
    }
}
