//! [`Scope`]: a scope of an [`Arena`](super::Arena) (SKELETON).

use super::Arena;
use crate::RawAlloc;

/// A scope of an arena, given by [`Arena::scope`]: it allocates from the
/// arena, and everything it allocated is released when it ends (SKELETON).
pub struct Scope<'s, A: RawAlloc> {
    arena: &'s mut Arena<A>,
}

impl<A: RawAlloc> core::ops::Deref for Scope<'_, A> {
    type Target = Arena<A>;

    fn deref(&self) -> &Arena<A> {
        self.arena
    }
}

impl<A: RawAlloc> Scope<'_, A> {
    /// A nested scope.
    pub fn scope<R>(&mut self, f: impl FnOnce(Scope<'_, A>) -> R) -> R {
        let _ = f;
        todo!()
    }
}
