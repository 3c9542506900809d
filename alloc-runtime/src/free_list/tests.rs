//! Tests of `FreeList` and `SizeClasses` (TODO(skeleton)).
