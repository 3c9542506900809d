//! Tests of `Fallback` (TODO(skeleton)).
