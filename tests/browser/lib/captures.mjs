// Captures the browser tests build from numbers: the seed's SYN-ACK that gained 2 bytes (client
// side) and a repro bracketed by marker pings. Written to a scratch folder as classic pcap.

import fs from 'node:fs';
import path from 'node:path';
import { scratchDir } from './paths.mjs';
import { pcapFile, ethernet, tcp4, icmpEcho4, udp4, dnsQuery, SYN, ACK, PSH, RST, FIN } from './pcap.mjs';

const CMAC = '00:12:34:56:78:1b';
const SMAC = '00:11:22:33:44:55';
let dir = null;

function write(name, frames) {
  dir ??= scratchDir('tracelens-built-');
  const file = path.join(dir, name);
  fs.writeFileSync(file, pcapFile(frames));
  return file;
}

/** MSS 1460, NOP, window scale 2, NOP, NOP, SACK permitted (a Windows 7 SYN). */
const SYN_OPTIONS = Buffer.from([2, 4, 0x05, 0xb4, 1, 3, 3, 2, 1, 1, 4, 2]);
/** MSS 1380 only (the server's SYN-ACK in the seed). */
const SYNACK_OPTIONS = Buffer.from([2, 4, 0x05, 0x64]);

export const SEED = {
  client: '10.110.233.50',
  clientPort: 50183,
  server: '172.16.1.1',
  serverPort: 443,
  clientIsn: 367515135,
  serverIsn: 2180033885,
};

/**
 * The client-side trace of the seed's case: SYN; a SYN-ACK carrying 2 bytes of payload (IP total
 * length 46); the client's ACK of 2180033888 (ISN+3 instead of ISN+1); a 127-byte ClientHello
 * retransmitted 5 times; the server's SYN-ACK sent again; an RST about 6 s after the ACK. Frame
 * numbers: 1 SYN, 2 SYN-ACK, 3 ACK, 4 ClientHello, 5–7 retransmissions, 8 SYN-ACK again, 9 ACK,
 * 10–11 retransmissions, 12 RST.
 */
export function seedSynAckCapture() {
  const { client, clientPort, server, serverPort, clientIsn, serverIsn } = SEED;
  const c2s = (o) => ethernet(CMAC, SMAC, 0x0800, tcp4(client, server, { sport: clientPort, dport: serverPort, ttl: 128, ...o }));
  const s2c = (o) => ethernet(SMAC, CMAC, 0x0800, tcp4(server, client, { sport: serverPort, dport: clientPort, ttl: 120, ...o }));
  const hello = Buffer.concat([Buffer.from([0x16, 0x03, 0x01, 0, 122, 0x01, 0, 0, 118, 0x03, 0x01]), Buffer.alloc(116, 0x2a)]);
  const data = () => c2s({ seq: clientIsn + 1, ack: serverIsn + 3, flags: PSH | ACK, win: 64860, payload: hello });
  const t0 = 1_335_883_445 + 27.1395045;
  const frames = [
    [0, c2s({ seq: clientIsn, flags: SYN, win: 8192, options: SYN_OPTIONS })],
    [0.0170204, s2c({ seq: serverIsn, ack: clientIsn + 1, flags: SYN | ACK, options: SYNACK_OPTIONS, payload: Buffer.from([0, 0]) })],
    [0.0170398, c2s({ seq: clientIsn + 1, ack: serverIsn + 3, win: 64860 })],
    [0.0190131, data()],
    [0.3349917, data()],
    [0.943383, data()],
    [2.1553134, data()],
    [3.2420082, s2c({ seq: serverIsn, ack: clientIsn + 1, flags: SYN | ACK, options: SYNACK_OPTIONS, payload: Buffer.from([0, 0]) })],
    [3.242034, c2s({ seq: clientIsn + 128, ack: serverIsn + 3, win: 64860 })],
    [3.36243, data()],
    [4.5623944, data()],
    [6.0477788, s2c({ seq: serverIsn + 1, ack: clientIsn + 1, flags: RST | ACK, win: 8192 })],
  ];
  return write('seed-synack-2-bytes.pcap', frames.map(([t, data]) => ({ ts: t0 + t, data })));
}

/**
 * A repro bracketed by marker pings: `ping -l 22` (IP total length 50) at frames 3/4 and
 * `ping -l 33` (IP length 61) at frames 15/16, with DNS and a short TCP connection in between and
 * after. The frames between the markers are 5..14.
 */
export function markerCapture() {
  const me = '192.168.1.10';
  const gw = '192.168.1.1';
  const web = '198.51.100.7';
  const out = (ip) => ethernet(CMAC, SMAC, 0x0800, ip);
  const back = (ip) => ethernet(SMAC, CMAC, 0x0800, ip);
  const conn = { sport: 50000, dport: 80 };
  const rconn = { sport: 80, dport: 50000 };
  const req = Buffer.from('GET / HTTP/1.1\r\nHost: example\r\n\r\n');
  const res = Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n');
  const frames = [
    out(udp4(me, gw, { sport: 51000, dport: 53, payload: dnsQuery(1, 'before.example') })),
    out(udp4(me, gw, { sport: 51001, dport: 53, payload: dnsQuery(2, 'before2.example') })),
    out(icmpEcho4(me, gw, { request: true, seq: 1, size: 22 })),
    back(icmpEcho4(gw, me, { request: false, seq: 1, size: 22 })),
    out(udp4(me, gw, { sport: 51002, dport: 53, payload: dnsQuery(3, 'web.example') })),
    out(tcp4(me, web, { ...conn, seq: 1000, flags: SYN })),
    back(tcp4(web, me, { ...rconn, seq: 5000, ack: 1001, flags: SYN | ACK })),
    out(tcp4(me, web, { ...conn, seq: 1001, ack: 5001 })),
    out(tcp4(me, web, { ...conn, seq: 1001, ack: 5001, flags: PSH | ACK, payload: req })),
    back(tcp4(web, me, { ...rconn, seq: 5001, ack: 1001 + req.length, flags: PSH | ACK, payload: res })),
    out(tcp4(me, web, { ...conn, seq: 1001 + req.length, ack: 5001 + res.length, flags: FIN | ACK })),
    back(tcp4(web, me, { ...rconn, seq: 5001 + res.length, ack: 1002 + req.length, flags: FIN | ACK })),
    out(tcp4(me, web, { ...conn, seq: 1002 + req.length, ack: 5002 + res.length })),
    out(udp4(me, gw, { sport: 51003, dport: 53, payload: dnsQuery(4, 'after.example') })),
    out(icmpEcho4(me, gw, { request: true, seq: 2, size: 33 })),
    back(icmpEcho4(gw, me, { request: false, seq: 2, size: 33 })),
    out(udp4(me, gw, { sport: 51004, dport: 53, payload: dnsQuery(5, 'later.example') })),
  ];
  const t0 = 1_700_000_000;
  return write('marker-pings.pcap', frames.map((data, i) => ({ ts: t0 + i * 0.25, data })));
}

/**
 * Journey 2's server-side view of NAT in front of a server: 192.168.200.1 (many clients behind
 * one translated address) opens 120 connections to 10.0.0.5:443 in 30 s and every 4th gets no
 * answer (SYN sent 3 times); 192.168.200.3 and 192.168.200.20 connect once each, normally.
 */
export function natFloodCapture() {
  const server = '10.0.0.5';
  const frames = [];
  let t = 1_700_000_000;
  const at = (dt, data) => {
    t += dt;
    frames.push({ ts: t, data });
  };
  const connect = (client, sport, answered) => {
    const c = { sport, dport: 443 };
    const s = { sport: 443, dport: sport };
    const isn = 1000 + sport;
    const sisn = 900000 + sport;
    const c2s = (o) => ethernet(CMAC, SMAC, 0x0800, tcp4(client, server, { ...c, ...o }));
    const s2c = (o) => ethernet(SMAC, CMAC, 0x0800, tcp4(server, client, { ...s, ...o }));
    at(0.05, c2s({ seq: isn, flags: SYN }));
    if (!answered) {
      at(0.1, c2s({ seq: isn, flags: SYN }));
      at(0.1, c2s({ seq: isn, flags: SYN }));
      return;
    }
    at(0.002, s2c({ seq: sisn, ack: isn + 1, flags: SYN | ACK }));
    at(0.002, c2s({ seq: isn + 1, ack: sisn + 1 }));
    at(0.01, c2s({ seq: isn + 1, ack: sisn + 1, flags: FIN | ACK }));
    at(0.002, s2c({ seq: sisn + 1, ack: isn + 2, flags: FIN | ACK }));
    at(0.002, c2s({ seq: isn + 2, ack: sisn + 2 }));
  };
  connect('192.168.200.20', 40000, true);
  for (let i = 0; i < 120; i++) connect('192.168.200.1', 50000 + i, i % 4 !== 3);
  connect('192.168.200.3', 40001, true);
  return write('nat-flood.pcap', frames);
}
