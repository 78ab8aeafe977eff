//! Packet-details dissector: turns one captured frame into the Wireshark-like "details tree" the
//! page shows beside the hex dump. Every [`Node`] names the exact bytes it covers (`start`, `len`)
//! so the page can highlight them, carries the display-filter field name where one exists, and may
//! carry an expert `problem` note (bad checksum, SYN with payload, frame cut by the snapshot
//! length, malformed header). Headers are read through the wire layer's views ([`crate::wire`]):
//! a node's bytes are its layer's offset plus the view's `field` range, and a header cut by the
//! snapshot length is viewed over a zero-padded copy of which only the captured fields are shown
//! ([`bytes::Padded`]), so there is one decoder of each header. Around them no slice is indexed
//! without a bound check, every loop has a fixed upper bound, and text taken from packet bytes is
//! escaped and length-limited (see [`text`]). The layers live in one file per family:
//! [`link`], [`network`], [`icmp`], [`transport`], [`tunnel`], [`dns`], [`http`] and [`tls`].

mod bytes;
pub(crate) mod checksum;
mod dns;
mod http;
mod icmp;
mod link;
mod names;
mod network;
mod text;
mod tls;
mod transport;
mod tunnel;

#[cfg(test)]
mod tests;

pub use crate::wire::checksum::{
    ipv4_header_checksum_ok, transport_checksum_expected, transport_checksum_ok,
};

use bytes::Bytes;

/// One line of the details tree.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Node {
    /// Wireshark-like text, e.g. "Source Port: 443" or "Flags: 0x012 (SYN, ACK)".
    pub label: String,
    /// Offset in the frame of the first byte this node covers.
    pub start: u32,
    /// How many bytes it covers (0 for generated or summary nodes).
    pub len: u32,
    /// Display-filter field name, e.g. "tcp.srcport".
    pub field: Option<&'static str>,
    /// Expert note shown highlighted (bad checksum, truncation, suspicious flags...).
    pub problem: Option<String>,
    pub children: Vec<Node>,
}

impl Node {
    /// A node covering `len` bytes from `start` (both are frame offsets).
    pub fn new(label: impl Into<String>, start: usize, len: usize) -> Node {
        Node {
            label: label.into(),
            start: to_u32(start),
            len: to_u32(len),
            field: None,
            problem: None,
            children: Vec::new(),
        }
    }

    /// A node over `field` (a `field` module's range or offset) of the header at frame offset
    /// `base`.
    pub(crate) fn at(label: impl Into<String>, base: usize, field: impl bytes::Span) -> Node {
        let r = field.span();
        Node::new(label, base + r.start, r.len())
    }

    /// A layer's node over its `header_len`-byte header at `start`, of which `have` bytes were
    /// captured: it covers only those.
    pub(crate) fn header(
        label: impl Into<String>,
        start: usize,
        have: usize,
        header_len: usize,
    ) -> Node {
        Node::new(label, start, have.min(header_len))
    }

    /// A generated node (Wireshark's bracketed lines): it covers no bytes.
    pub fn generated(label: impl Into<String>, at: usize) -> Node {
        Node::new(label, at, 0)
    }

    pub fn field(mut self, name: &'static str) -> Node {
        self.field = Some(name);
        self
    }

    pub fn problem(mut self, note: impl Into<String>) -> Node {
        self.problem = Some(note.into());
        self
    }

    pub fn with_child(mut self, child: Node) -> Node {
        self.children.push(child);
        self
    }

    pub fn push(&mut self, child: Node) {
        self.children.push(child);
    }

    pub(crate) fn start_usize(&self) -> usize {
        self.start as usize
    }

    /// Widen or shrink the node so that it ends at `end` (clamped so it never goes backwards).
    pub(crate) fn set_end(&mut self, end: usize) {
        self.len = to_u32(end.saturating_sub(self.start_usize()));
    }

    /// Depth-first search for the first node carrying `field`.
    pub fn find(&self, field: &str) -> Option<&Node> {
        find_in(std::slice::from_ref(self), field, 0)
    }
}

fn find_in<'n>(nodes: &'n [Node], field: &str, depth: usize) -> Option<&'n Node> {
    if depth > MAX_TREE_DEPTH {
        return None;
    }
    for node in nodes {
        if node.field == Some(field) {
            return Some(node);
        }
        if let Some(hit) = find_in(&node.children, field, depth + 1) {
            return Some(hit);
        }
    }
    None
}

/// The tree is never deeper than this (quoted packets inside ICMP errors nest a little).
const MAX_TREE_DEPTH: usize = 64;

pub(crate) fn to_u32(value: usize) -> u32 {
    u32::try_from(value).unwrap_or(u32::MAX)
}

/// How many protocol layers one frame may stack (tunnels, VLAN tags, MPLS labels) before the
/// dissector stops: a crafted packet can nest GRE in GRE forever.
pub(crate) const MAX_LAYERS: usize = 32;

/// The state of one dissection: the bytes, the layers produced so far and the nesting guards.
pub(crate) struct Cx {
    pub layers: Vec<Node>,
    /// True while dissecting the packet quoted inside an ICMP error: such a packet is cut short
    /// on purpose, so missing bytes are not a problem and checksums cannot be verified.
    pub quoted: bool,
    /// How many ICMP errors we are inside (an error quoting an error quoting...).
    pub quote_depth: usize,
}

impl Cx {
    fn new() -> Cx {
        Cx {
            layers: Vec::new(),
            quoted: false,
            quote_depth: 0,
        }
    }

    /// Append a top-level layer node; false (and a note) once the layer budget is spent.
    pub fn push_layer(&mut self, node: Node) -> bool {
        if self.layers.len() >= MAX_LAYERS {
            if self.layers.len() == MAX_LAYERS {
                let at = node.start_usize();
                self.layers.push(
                    Node::generated("[Dissection stopped: too many nested layers]", at).problem(
                        format!("More than {MAX_LAYERS} stacked protocol layers: the rest of the frame is not dissected"),
                    ),
                );
            }
            return false;
        }
        self.layers.push(node);
        true
    }

    pub fn room_for_layer(&self) -> bool {
        self.layers.len() < MAX_LAYERS
    }

    /// Ends `node`, a layer whose header is cut short, with the [`Cx::cut`] note and pushes it:
    /// the last step of a layer that cannot go on. Returns the "nothing follows" value of the
    /// caller (`()` or `None`), so a layer ends with `return cx.push_cut(…)`.
    pub fn push_cut<T: Default>(
        &mut self,
        b: &Bytes,
        mut node: Node,
        what: &str,
        off: usize,
        needed: usize,
    ) -> T {
        node.push(self.cut(b, what, off, needed));
        self.push_layer(node);
        T::default()
    }

    /// The layer node named `names.0` over the `len`-byte header at `off` and the view `view`
    /// makes of the header; or, when the header is cut, `None` after pushing the node with the
    /// cut note (where the header is called `names.1`).
    pub fn header_view<'a, V>(
        &mut self,
        b: &Bytes<'a>,
        off: usize,
        names: (&str, &str),
        len: usize,
        view: impl FnOnce(&'a [u8]) -> Result<V, crate::wire::WireError>,
    ) -> Option<(Node, V)> {
        let node = Node::header(names.0, off, b.remaining(off), len);
        match view(b.rest(off)) {
            Ok(v) => Some((node, v)),
            Err(_) => self.push_cut(b, node, names.1, off, len),
        }
    }

    /// A node that says where and why decoding stopped because bytes are missing.
    pub fn cut(&self, b: &Bytes, what: &str, off: usize, needed: usize) -> Node {
        let node = b.cut_node(what, off, needed);
        if self.quoted {
            let mut node = node;
            node.problem = None;
            node.label = format!(
                "[Quoted packet ends here: the {what} needs {needed} bytes, {} quoted]",
                b.len().saturating_sub(off)
            );
            node
        } else {
            node
        }
    }
}

/// Dissect one frame into one top-level node per layer: a frame summary first, then the link
/// layer, network layer, transport, tunnelled inner layers and application data.
///
/// `link_type` is the pcap/pcapng LINKTYPE (the upper bits of a classic pcap link-type field,
/// which carry FCS information, are ignored); `orig_len` is the frame length on the wire, used
/// to tell a snapshot-length cut from a malformed packet.
pub fn dissect(link_type: u32, data: &[u8], orig_len: u32) -> Vec<Node> {
    let b = Bytes::new(data, orig_len as usize);
    let mut cx = Cx::new();
    let linktype = link_type & 0xFFFF;
    cx.push_layer(frame_node(
        linktype,
        link_type,
        data.len(),
        orig_len as usize,
    ));
    link::dissect_link(&mut cx, &b, linktype);
    cx.layers
}

fn frame_node(linktype: u32, raw_link_type: u32, captured: usize, on_wire: usize) -> Node {
    let mut node = Node::new(
        format!(
            "Frame: {on_wire} bytes on wire ({} bits), {captured} bytes captured ({} bits)",
            on_wire.saturating_mul(8),
            captured.saturating_mul(8)
        ),
        0,
        captured,
    );
    let mut encap = Node::generated(
        format!(
            "Encapsulation type: {} ({linktype})",
            names::link_type_name(linktype)
        ),
        0,
    )
    .field("frame.encap_type");
    if raw_link_type != linktype {
        encap.push(Node::generated(
            format!(
                "[Link-type field 0x{raw_link_type:08x}: upper bits (FCS information) ignored]"
            ),
            0,
        ));
    }
    node.push(encap);
    node.push(Node::generated(format!("Frame Length: {on_wire} bytes"), 0).field("frame.len"));
    node.push(
        Node::generated(format!("Capture Length: {captured} bytes"), 0).field("frame.cap_len"),
    );
    if captured < on_wire {
        node.push(Node::generated(
            format!("[Frame cut by the snapshot length: {captured} of {on_wire} bytes captured]"),
            0,
        ));
    } else if captured > on_wire {
        node.push(
            Node::generated("[Capture length larger than frame length]", 0).problem(format!(
                "The record says {captured} bytes were captured of a {on_wire}-byte frame: the capture file is inconsistent"
            )),
        );
    }
    node
}

/// A top-level "Data" layer for bytes nobody dissects (unknown protocol or port).
pub(crate) fn data_layer(cx: &mut Cx, b: &Bytes, off: usize, what: &str) {
    let rest = b.rest(off);
    if rest.is_empty() {
        return;
    }
    let node = Node::new(
        format!("Data ({} bytes){what}", rest.len()),
        off,
        rest.len(),
    )
    .with_child(Node::new(format!("Data: {}", text::hex(rest)), off, rest.len()).field("data.data"))
    .with_child(Node::generated(format!("[Length: {}]", rest.len()), off).field("data.len"));
    cx.push_layer(node);
}
