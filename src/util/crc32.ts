// CRC-32 (IEEE 802.3: reflected polynomial 0xEDB88320, initial value and final XOR 0xFFFFFFFF),
// the checksum of zip, gzip and PNG, computed with a 256-entry table. Browser-safe.

/** The table, built on first use (nothing runs when the module is imported). */
let table: Uint32Array | undefined;

function crcTable(): Uint32Array {
  if (table) return table;
  table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let bit = 0; bit < 8; bit++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
}

/**
 * The CRC-32 of `bytes` as an unsigned 32-bit number. `previous` continues a running checksum
 * (pass the result of the earlier chunk), so `crc32(b, crc32(a))` equals the CRC of a then b.
 */
export function crc32(bytes: Uint8Array, previous = 0): number {
  const TABLE = crcTable();
  let c = ~previous;
  for (let t = 0; t < bytes.length; t++) c = TABLE[(c ^ bytes[t]) & 0xff] ^ (c >>> 8);
  return ~c >>> 0;
}
