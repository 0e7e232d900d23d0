// Percent-decoding that never throws: text that is not valid percent-encoding (`%E0%A4%A`) is
// kept as written (hashes come from links anyone can write).
export function safeDecode(s: string): string {
  try { return decodeURIComponent(s); } catch { return s; }
}
