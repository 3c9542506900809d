//! Collections for the arenas (SKELETON: the typed-API helper fills it in).
