use super::text::{self, Mode};
use super::*;
use crate::analyzer::FrameLocation;

#[test]
fn hex_lines_match_tshark_layout() {
    assert_eq!(
        text::hex_line(0, b"SSH-2.0-OpenSSH_"),
        "00000000  53 53 48 2d 32 2e 30 2d  4f 70 65 6e 53 53 48 5f  SSH-2.0- OpenSSH_"
    );
    assert_eq!(
        text::hex_line(0x10, b"7.9\r\n"),
        "00000010  37 2e 39 0d 0a                                    7.9.."
    );
    assert_eq!(
        text::hex_line(0x20, b"untu0.3\r\n"),
        "00000020  75 6e 74 75 30 2e 33 0d  0a                       untu0.3. ."
    );
    // Eight spaces: the gap after them is dropped, the spaces themselves stay.
    assert_eq!(text::hex_line(0, b"        ").len(), 68);
}

#[test]
fn ascii_keeps_line_ends_and_dots_the_rest() {
    let item = PageItem {
        piece: Piece {
            frame: 0,
            server: true,
            len: 5,
            content: Content::Payload { skip: 0 },
        },
        offset: 0,
        bytes: b"a\r\n\t\xff".to_vec(),
    };
    assert_eq!(text::piece(&item, Mode::Ascii), "\t5\na\r\n..\n");
    assert_eq!(text::piece(&item, Mode::Raw), "\t610d0a09ff\n");
    assert_eq!(
        text::missing_note(-3),
        b"[-3 bytes missing in capture file]\0"
    );
}

/// A corpus capture read into a finished analyzer, with its bytes (the other stream tests use it).
pub(crate) fn corpus(name: &str) -> (crate::analyzer::Analyzer, Vec<u8>) {
    let path = format!("{}/../shared/captures/{name}", env!("CARGO_MANIFEST_DIR"));
    let bytes = std::fs::read(&path).expect("corpus capture");
    let mut analyzer = crate::analyzer::Analyzer::new();
    let file = analyzer.begin_file(name);
    analyzer.push(file, &bytes);
    analyzer.finish();
    (analyzer, bytes)
}

struct Whole(Vec<u8>);

impl FrameBytes for Whole {
    fn frame_bytes(&self, _frame: usize, at: &FrameLocation) -> Option<std::borrow::Cow<'_, [u8]>> {
        let start = at.offset as usize;
        self.0
            .get(start..start + at.caplen as usize)
            .map(std::borrow::Cow::Borrowed)
    }
}

#[test]
fn retransmitted_bytes_are_given_once() {
    // Frame 1 sends 648 bytes; frames 2-5 (and more) send them again.
    let (analyzer, bytes) = corpus("chrissanders/tcp_retransmissions.pcapng");
    let (index, flows, tcp) = (analyzer.index(), analyzer.flows(), analyzer.tcp());
    let follow = Follow::new(index, flows, tcp, Protocol::Tcp, 0).expect("stream 0");
    assert_eq!(follow.pieces.len(), 1);
    assert_eq!(follow.totals().bytes, [648, 0]);
    let (items, next) = follow.page(index, &Whole(bytes), Cursor::default(), 100);
    assert_eq!(next.piece, 1);
    assert_eq!(next.offsets, [648, 0]);
    assert_eq!((items[0].piece.frame, items[0].bytes.len()), (0, 648));
    assert_eq!(&items[0].bytes[..4], &[0x70, 0x3e, 0xce, 0x4b]);
}

#[test]
fn both_directions_alternate_and_pages_stay_bounded() {
    // ssh-dups: every segment is sent four times; the banners come first, client then server.
    let (analyzer, bytes) = corpus("zeek/ssh-dups.pcap");
    let (index, flows, tcp) = (analyzer.index(), analyzer.flows(), analyzer.tcp());
    let follow = Follow::new(index, flows, tcp, Protocol::Tcp, 0).expect("stream 0");
    let source = Whole(bytes);
    let (first, next) = follow.page(index, &source, Cursor::default(), 70);
    assert_eq!(first.len(), 2, "a page ends once it passes its budget");
    assert_eq!(first[0].bytes, b"SSH-2.0-OpenSSH_7.9\r\n");
    assert!(!first[0].piece.server && first[1].piece.server);
    assert_eq!(first[1].piece.frame + 1, 12);
    let (second, _) = follow.page(index, &source, next, 70);
    assert_eq!(
        second[0].offset, 21,
        "offsets count what the node sent before"
    );
    assert!(Follow::new(index, flows, tcp, Protocol::Udp, 0).is_err());
}
