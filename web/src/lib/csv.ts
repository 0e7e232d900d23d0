// CSV (RFC 4180): export of the runs table, and parsing for artifact previews.

function cell(v: unknown): string {
  const s = v === undefined || v === null ? '' : String(v);
  // A leading = + - @ makes spreadsheets evaluate the cell; quote it and prefix a '.
  const safe = /^[=+\-@\t\r]/.test(s) && !/^-?\d/.test(s) ? "'" + s : s;
  return /[",\r\n]/.test(safe) || safe !== s ? '"' + safe.replace(/"/g, '""') + '"' : safe;
}

export function toCsv(header: string[], rows: unknown[][]): string {
  return [header, ...rows].map((r) => r.map(cell).join(',')).join('\r\n') + '\r\n';
}

// Rows of a CSV (or TSV with sep '\t') text; at most maxRows rows.
export function parseCsv(text: string, sep = ',', maxRows = 1000): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') { field += '"'; i++; } else quoted = false;
      } else field += c;
    } else if (c === '"' && field === '') quoted = true;
    else if (c === sep) { row.push(field); field = ''; }
    else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(field); field = '';
      rows.push(row); row = [];
      if (rows.length >= maxRows) return rows;
    } else field += c;
  }
  if (field !== '' || row.length) { row.push(field); rows.push(row); }
  return rows;
}
