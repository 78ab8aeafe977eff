//! The layer walker over every frame of the corpus: it never panics, every layer it reports lies
//! inside the frame, and so does every prefix of the first frames of each capture (a frame cut
//! by a small snapshot length at any byte).

mod common;

use std::ops::Range;
use tracelens::filter::FrameBytes;
use tracelens::wire::walk::{
    self, Flow, IpLayer, LinkLayer, Stop, TransportLayer, Tunnel, Visitor,
};

/// Descends everywhere (ICMP quotes included) and checks that every offset is in the frame.
struct Check {
    len: usize,
    layers: usize,
}

impl Check {
    fn span(&mut self, at: usize, end: usize) {
        assert!(at <= end || end == 0, "layer at {at} ends at {end}");
        assert!(
            end <= self.len,
            "layer ends at {end}, past the frame's {} bytes",
            self.len
        );
        self.layers += 1;
    }
}

impl<'a> Visitor<'a> for Check {
    fn link(&mut self, link: &LinkLayer) {
        self.span(link.at, link.end);
    }
    fn ip(&mut self, ip: &IpLayer<'a>) -> Flow {
        self.span(ip.at, ip.end);
        self.span(ip.payload.start, ip.payload.end);
        Flow::Descend
    }
    fn tunnel(&mut self, t: &Tunnel<'a>) -> Flow {
        self.span(t.at.min(t.end), t.end);
        Flow::Descend
    }
    fn icmp(
        &mut self,
        t: &TransportLayer,
        _icmp: &tracelens::wire::icmp::IcmpHeader<'a>,
        _v6: bool,
    ) -> Flow {
        self.span(t.at, t.end);
        Flow::Descend
    }
    fn payload(&mut self, _t: &TransportLayer, span: Range<usize>) {
        self.span(span.start, span.end);
    }
    fn stop(&mut self, stop: &Stop) {
        assert!(stop.end <= self.len);
    }
}

fn check(link_type: u32, bytes: &[u8], whole: bool) -> usize {
    let mut v = Check {
        len: bytes.len(),
        layers: 0,
    };
    walk::walk(link_type, bytes, whole, &mut v);
    v.layers
}

#[test]
fn the_walker_reads_every_corpus_frame_and_every_prefix_without_panic() {
    let (mut frames, mut layers) = (0, 0);
    for path in common::manifest_paths() {
        let (analyzer, memory) = common::load(&path);
        let index = analyzer.index();
        for (i, record) in index.records.iter().enumerate() {
            let at = analyzer.locate(i as u64 + 1).expect("frame location");
            let Some(bytes) = memory.frame_bytes(i, &at) else {
                continue;
            };
            let link_type = index.link_type_of(&record);
            frames += 1;
            layers += check(link_type, &bytes, record.orig_len as usize == bytes.len());
            if i < 16 {
                for n in 0..bytes.len() {
                    check(link_type, &bytes[..n], true);
                }
            }
        }
    }
    assert!(frames > 10_000, "only {frames} corpus frames");
    assert!(
        layers > 3 * frames,
        "only {layers} layers in {frames} frames"
    );
}
