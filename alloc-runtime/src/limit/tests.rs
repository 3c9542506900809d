//! Tests of `Limit` (TODO(skeleton)).
