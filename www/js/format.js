// Number, size, time and name formatting shared by the views. Pure functions, no DOM.

const numberFormat = new Intl.NumberFormat('en-US');

/** 1234567 → "1,234,567". */
export function count(n) {
  return numberFormat.format(n);
}

/** "1 frame", "2 frames". */
export function plural(n, one, many = `${one}s`) {
  return `${count(n)} ${n === 1 ? one : many}`;
}

/** Bytes as "512 B", "6.4 KB", "80.1 MB", "1.20 GB" (decimal units, like capinfos). */
export function bytes(n) {
  if (n < 1000) return `${n} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let value = n;
  let unit = -1;
  do {
    value /= 1000;
    unit++;
  } while (value >= 1000 && unit < units.length - 1);
  return `${value.toFixed(value < 10 ? 2 : 1)} ${units[unit]}`;
}

/** A rate in bytes per second as "35.2 MB/s". */
export function rate(bytesPerSec) {
  return `${bytes(Math.round(bytesPerSec))}/s`;
}

/** Seconds with six decimals, as Wireshark's time columns show them. */
export function seconds(s) {
  if (s === null || s === undefined || !Number.isFinite(s)) return '';
  return s.toFixed(6);
}

/** A duration for people: "0.134 s", "2 min 5 s", "3 h 12 min". */
export function duration(s) {
  if (s === null || s === undefined || !Number.isFinite(s)) return '—';
  if (s < 60) return `${s < 10 ? s.toFixed(3) : s.toFixed(1)} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${Math.round(s - m * 60)} s`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h} h ${m - h * 60} min`;
  return `${Math.floor(h / 24)} d ${h % 24} h`;
}

const pad2 = (n) => String(n).padStart(2, '0');

/**
 * Epoch seconds as "2013-07-03 13:14:07.123456" in UTC. Microseconds are computed from the
 * fractional part separately so they survive the float (epoch seconds keep ~0.2 µs).
 */
export function utcTime(epoch, digits = 6) {
  if (epoch === null || epoch === undefined || !Number.isFinite(epoch)) return '';
  let whole = Math.floor(epoch);
  let frac = Math.round((epoch - whole) * 10 ** digits);
  if (frac >= 10 ** digits) {
    whole += 1;
    frac -= 10 ** digits;
  }
  const d = new Date(whole * 1000);
  const date = `${d.getUTCFullYear()}-${pad2(d.getUTCMonth() + 1)}-${pad2(d.getUTCDate())}`;
  const time = `${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}:${pad2(d.getUTCSeconds())}`;
  return digits > 0 ? `${date} ${time}.${String(frac).padStart(digits, '0')}` : `${date} ${time}`;
}

/** The Time column's text for a row in the given mode ("relative", "absolute", "delta"). */
export function rowTime(row, mode) {
  if (mode === 'absolute') return row.abs_time === null ? '—' : utcTime(row.abs_time);
  if (mode === 'delta') return seconds(row.delta);
  return seconds(row.time);
}

/** Names of the capture formats the analyzer reports (serde snake_case of capture::Format). */
const FORMATS = {
  pcap: 'pcap',
  pcap_ns: 'pcap (nanosecond)',
  pcap_modified: 'pcap (modified, Kuznetsov)',
  pcap_ng: 'pcapng',
  net_mon: 'Network Monitor',
};

export function formatName(format) {
  if (format === null || format === undefined) return 'unknown format';
  return FORMATS[format] ?? String(format);
}

/** LINKTYPE_* values (tcpdump.org/linktypes.html) that captures commonly carry. */
const LINK_TYPES = {
  0: 'BSD loopback',
  1: 'Ethernet',
  6: 'Token Ring',
  8: 'SLIP',
  9: 'PPP',
  101: 'Raw IP',
  104: 'Cisco HDLC',
  105: 'IEEE 802.11',
  108: 'OpenBSD loopback',
  113: 'Linux cooked (SLL)',
  127: '802.11 + radiotap',
  143: 'DOCSIS',
  192: 'PPI',
  195: 'IEEE 802.15.4',
  228: 'Raw IPv4',
  229: 'Raw IPv6',
  239: 'Netlink',
  249: 'USB (Linux mmapped)',
  274: 'Ethernet MPacket',
  276: 'Linux cooked v2 (SLL2)',
};

export function linkTypeName(linkType) {
  const name = LINK_TYPES[linkType];
  return name ? `${name} (${linkType})` : `link type ${linkType}`;
}
