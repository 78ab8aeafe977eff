// A tiny classic-pcap writer and packet builders (Ethernet, IPv4, TCP, UDP) with correct
// checksums, for captures the tests make themselves.

/** The 24-byte header of a little-endian microsecond pcap file (LINKTYPE_ETHERNET). */
export function pcapHeader({ snaplen = 65535 } = {}) {
  const header = Buffer.alloc(24);
  header.writeUInt32LE(0xa1b2c3d4, 0);
  header.writeUInt16LE(2, 4);
  header.writeUInt16LE(4, 6);
  header.writeUInt32LE(snaplen, 16);
  header.writeUInt32LE(1, 20);
  return header;
}

/** A little-endian microsecond pcap file (LINKTYPE_ETHERNET) holding `frames` [{ts, data}]. */
export function pcapFile(frames, { snaplen = 65535 } = {}) {
  const parts = [pcapHeader({ snaplen })];
  for (const { ts, data } of frames) parts.push(pcapRecord(ts, data));
  return Buffer.concat(parts);
}

/** One record: 16-byte header (seconds, microseconds, caplen, len) and the frame. */
export function pcapRecord(ts, data) {
  const rec = Buffer.alloc(16);
  const sec = Math.floor(ts);
  rec.writeUInt32LE(sec, 0);
  rec.writeUInt32LE(Math.round((ts - sec) * 1e6), 4);
  rec.writeUInt32LE(data.length, 8);
  rec.writeUInt32LE(data.length, 12);
  return Buffer.concat([rec, data]);
}

const mac = (s) => Buffer.from(s.split(':').map((h) => parseInt(h, 16)));
const ip4 = (s) => Buffer.from(s.split('.').map(Number));

export function ethernet(src, dst, etherType, payload) {
  const h = Buffer.alloc(14);
  mac(dst).copy(h, 0);
  mac(src).copy(h, 6);
  h.writeUInt16BE(etherType, 12);
  return Buffer.concat([h, payload]);
}

/** The Internet checksum (RFC 1071) of `buf`, starting from `sum`. */
export function checksum(buf, sum = 0) {
  for (let i = 0; i + 1 < buf.length; i += 2) sum += buf.readUInt16BE(i);
  if (buf.length % 2) sum += buf[buf.length - 1] << 8;
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

export function ipv4(src, dst, protocol, payload, { id = 1, ttl = 64 } = {}) {
  const h = Buffer.alloc(20);
  h[0] = 0x45;
  h.writeUInt16BE(20 + payload.length, 2);
  h.writeUInt16BE(id & 0xffff, 4);
  h.writeUInt16BE(0x4000, 6); // don't fragment
  h[8] = ttl;
  h[9] = protocol;
  ip4(src).copy(h, 12);
  ip4(dst).copy(h, 16);
  h.writeUInt16BE(checksum(h), 10);
  return Buffer.concat([h, payload]);
}

function pseudoSum(src, dst, protocol, length) {
  const p = Buffer.alloc(12);
  ip4(src).copy(p, 0);
  ip4(dst).copy(p, 4);
  p[9] = protocol;
  p.writeUInt16BE(length, 10);
  let sum = 0;
  for (let i = 0; i < 12; i += 2) sum += p.readUInt16BE(i);
  return sum;
}

export const FIN = 0x01, SYN = 0x02, RST = 0x04, PSH = 0x08, ACK = 0x10;

/** A TCP segment inside IPv4 (`options`: raw option bytes, a multiple of 4 long). */
export function tcp4(src, dst, { sport, dport, seq = 0, ack = 0, flags = ACK, win = 64240, payload = Buffer.alloc(0), options = Buffer.alloc(0), id, ttl }) {
  const h = Buffer.alloc(20);
  h.writeUInt16BE(sport, 0);
  h.writeUInt16BE(dport, 2);
  h.writeUInt32BE(seq >>> 0, 4);
  h.writeUInt32BE(ack >>> 0, 8);
  h[12] = ((20 + options.length) / 4) << 4;
  h[13] = flags;
  h.writeUInt16BE(win, 14);
  const seg = Buffer.concat([h, Buffer.from(options), payload]);
  seg.writeUInt16BE(checksum(seg, pseudoSum(src, dst, 6, seg.length)), 16);
  return ipv4(src, dst, 6, seg, { id, ttl });
}

/** An ICMP echo request (or reply) with `size` data bytes (Windows `ping -l size` fills them a, b, c…). */
export function icmpEcho4(src, dst, { request = true, ident = 1, seq = 1, size = 32, id, ttl }) {
  const data = Buffer.from(Array.from({ length: size }, (_, i) => 0x61 + (i % 23)));
  const h = Buffer.alloc(8);
  h[0] = request ? 8 : 0;
  h.writeUInt16BE(ident, 4);
  h.writeUInt16BE(seq, 6);
  const msg = Buffer.concat([h, data]);
  msg.writeUInt16BE(checksum(msg), 2);
  return ipv4(src, dst, 1, msg, { id, ttl });
}

/** A UDP datagram inside IPv4. */
export function udp4(src, dst, { sport, dport, payload, id }) {
  const h = Buffer.alloc(8);
  h.writeUInt16BE(sport, 0);
  h.writeUInt16BE(dport, 2);
  h.writeUInt16BE(8 + payload.length, 4);
  const dgram = Buffer.concat([h, payload]);
  dgram.writeUInt16BE(checksum(dgram, pseudoSum(src, dst, 17, dgram.length)) || 0xffff, 6);
  return ipv4(src, dst, 17, dgram, { id });
}

/** A DNS query (RFC 1035 §4.1) for `name`, whose labels may hold any bytes. */
export function dnsQuery(id, name, qtype = 1) {
  const h = Buffer.alloc(12);
  h.writeUInt16BE(id, 0);
  h.writeUInt16BE(0x0100, 2); // recursion desired
  h.writeUInt16BE(1, 4);
  const labels = name.split('.').map((l) => {
    const b = Buffer.from(l, 'latin1');
    return Buffer.concat([Buffer.from([b.length]), b]);
  });
  const tail = Buffer.alloc(4);
  tail.writeUInt16BE(qtype, 0);
  tail.writeUInt16BE(1, 2);
  return Buffer.concat([h, ...labels, Buffer.from([0]), tail]);
}

/** A TLS 1.2 record carrying a ClientHello with one server_name (RFC 6066 §3). */
export function tlsClientHello(serverName) {
  const name = Buffer.from(serverName, 'latin1');
  const sniList = Buffer.concat([Buffer.from([0]), u16(name.length), name]);
  const sni = Buffer.concat([u16(0), u16(sniList.length + 2), u16(sniList.length), sniList]);
  const extensions = Buffer.concat([u16(sni.length), sni]);
  const body = Buffer.concat([
    Buffer.from([0x03, 0x03]), // client_version TLS 1.2
    Buffer.alloc(32, 0x42), // random
    Buffer.from([0]), // session id
    u16(4), u16(0x1301), u16(0xc02f), // cipher suites
    Buffer.from([1, 0]), // compression: null
    extensions,
  ]);
  const hs = Buffer.concat([Buffer.from([1, (body.length >> 16) & 0xff, (body.length >> 8) & 0xff, body.length & 0xff]), body]);
  return Buffer.concat([Buffer.from([0x16, 0x03, 0x01]), u16(hs.length), hs]);
}

function u16(n) {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(n, 0);
  return b;
}

/**
 * The records of a classic little-endian microsecond pcap file: {linkType, frames: [{ts, data}]}
 * (`ts` in seconds).
 */
export function readPcap(buffer) {
  if (buffer.readUInt32LE(0) !== 0xa1b2c3d4) throw new Error('not a little-endian microsecond pcap');
  const linkType = buffer.readUInt32LE(20);
  const frames = [];
  for (let at = 24; at + 16 <= buffer.length;) {
    const sec = buffer.readUInt32LE(at);
    const usec = buffer.readUInt32LE(at + 4);
    const caplen = buffer.readUInt32LE(at + 8);
    frames.push({ ts: sec + usec / 1e6, data: Buffer.from(buffer.subarray(at + 16, at + 16 + caplen)) });
    at += 16 + caplen;
  }
  return { linkType, frames };
}

/**
 * `frame` (Ethernet, IPv4, TCP) with `extra` payload bytes appended: the IP total length, the IP
 * and TCP checksums fixed.
 */
export function withTcpPayload(frame, extra) {
  const ip = 14;
  const ihl = (frame[ip] & 0x0f) * 4;
  const total = frame.readUInt16BE(ip + 2);
  const out = Buffer.concat([frame.subarray(0, ip + total), extra]);
  out.writeUInt16BE(total + extra.length, ip + 2);
  out.writeUInt16BE(0, ip + 10);
  out.writeUInt16BE(checksum(out.subarray(ip, ip + ihl)), ip + 10);
  const seg = out.subarray(ip + ihl);
  seg.writeUInt16BE(0, 16);
  const src = [...out.subarray(ip + 12, ip + 16)].join('.');
  const dst = [...out.subarray(ip + 16, ip + 20)].join('.');
  seg.writeUInt16BE(checksum(seg, pseudoSum(src, dst, 6, seg.length)), 16);
  return out;
}

/**
 * `frame` (Ethernet, IPv4, TCP) as a NAT rewrites it: the endpoint `inside` ({ip, port}) becomes
 * `outside` as source or destination, the IP and TCP checksums fixed.
 */
export function natTcp(frame, inside, outside) {
  const ip = 14;
  const ihl = (frame[ip] & 0x0f) * 4;
  const out = Buffer.from(frame);
  const tcp = ip + ihl;
  const addr = (at) => [...out.subarray(at, at + 4)].join('.');
  for (const [addrAt, portAt] of [[ip + 12, tcp], [ip + 16, tcp + 2]]) {
    if (addr(addrAt) === inside.ip && out.readUInt16BE(portAt) === inside.port) {
      Buffer.from(outside.ip.split('.').map(Number)).copy(out, addrAt);
      out.writeUInt16BE(outside.port, portAt);
    }
  }
  return withTcpPayload(out, Buffer.alloc(0));
}
