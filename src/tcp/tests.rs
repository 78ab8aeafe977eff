//! Unit tests per rule, on small real segment sequences.
