//! pcapng reader (in progress).
