//! netmon reader (in progress).
