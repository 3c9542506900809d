//! The two ways a workload reaches its allocator.

use std::hint::black_box;

/// How each allocation site gets the allocator: as the same value the
/// compiler has seen all along, or as one it cannot see through.
pub trait Reach {
    /// The shape's name in reports: `register` or `reference`.
    const NAME: &'static str;

    /// The allocator as the allocation site sees it.
    fn reach<A: Copy>(a: A) -> A;
}

/// "In a register": the allocator is reached through the `&A` (or the
/// handle) the workload was given, which the compiler can follow, so it may
/// keep the allocator's state in registers across allocations. This is the
/// shape of a loop that owns its arena or holds it by `&mut`.
#[derive(Debug, Clone, Copy)]
pub enum Register {}

impl Reach for Register {
    const NAME: &'static str = "register";

    #[inline(always)]
    fn reach<A: Copy>(a: A) -> A {
        a
    }
}

/// "Behind a reference": every allocation site gets the allocator through
/// `black_box`, so the compiler cannot know which allocator it is nor keep
/// its state in registers: each allocation loads and stores it through
/// memory, as when collections hold `&A` and the arena is shared. This is
/// the shape users have.
#[derive(Debug, Clone, Copy)]
pub enum Reference {}

impl Reach for Reference {
    const NAME: &'static str = "reference";

    #[inline(always)]
    fn reach<A: Copy>(a: A) -> A {
        black_box(a)
    }
}

/// [`Register`] or [`Reference`], chosen at run time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// See [`Register`].
    Register,
    /// See [`Reference`].
    Reference,
}

impl Shape {
    /// Both shapes, register first.
    pub const ALL: [Self; 2] = [Self::Register, Self::Reference];

    /// The shape's name in reports.
    pub const fn name(self) -> &'static str {
        match self {
            Self::Register => Register::NAME,
            Self::Reference => Reference::NAME,
        }
    }
}
