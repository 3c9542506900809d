//! Tests of `Segregator` (TODO(skeleton)).
