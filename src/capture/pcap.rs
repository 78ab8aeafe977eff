//! pcap reader (in progress).
