// A grid that renders only the rows and columns in view (thousands of runs x hundreds of
// columns stay cheap): fixed row height, fixed column widths, the first `frozen` columns stuck
// to the left. ARIA grid semantics with row/column counts and indices, and the grid pattern's
// keyboard model: the grid is the one tab stop (its cells' controls are not); its active cell
// (aria-activedescendant) moves with the arrow keys, Home/End (Ctrl: first/last row),
// PageUp/PageDown; Enter or Space presses the cell's link or control (in the header: sorts).
import type { ComponentChildren } from 'preact';
import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';

export interface GridColumn<R> {
  id: string;
  title: ComponentChildren;
  label: string;                 // accessible name of the header
  width: number;
  cell: (row: R, index: number) => ComponentChildren;
  sort?: 'asc' | 'desc' | 'none'; // aria-sort; undefined = not sortable
  onSort?: () => void;
  className?: string;
}

interface Props<R> {
  columns: GridColumn<R>[];
  rows: R[];
  rowKey: (r: R) => string;
  frozen?: number;
  rowHeight?: number;
  height?: number | string;
  label: string;
  totalRows?: number;             // for aria-rowcount when more rows exist than are loaded
  onNearEnd?: () => void;         // scrolled within a screen of the last loaded row
  rowClass?: (r: R) => string;
  onRowClick?: (r: R) => void;    // a click on a row outside its links and controls
  revealRow?: number;             // scrolled into view when it changes (a selection made elsewhere)
  testId?: string;
}

const HEADER = 34;
let gridCount = 0;
const OVERSCAN_ROWS = 8;
const OVERSCAN_PX = 200;

export function VirtualGrid<R>(p: Props<R>) {
  const rh = p.rowHeight ?? 28;
  const ref = useRef<HTMLDivElement>(null);
  const [view, setView] = useState({ top: 0, left: 0, width: 1200, height: 600 });
  const frame = useRef(0);
  const [gridId] = useState(() => 'vg' + ++gridCount);
  const [active, setActive] = useState<{ r: number; c: number } | null>(null);  // r = -1: the header
  const [focused, setFocused] = useState(false);

  const measure = () => {
    const el = ref.current;
    if (!el) return;
    setView({ top: el.scrollTop, left: el.scrollLeft, width: el.clientWidth, height: el.clientHeight });
  };
  useLayoutEffect(() => {
    measure();
    const ro = new ResizeObserver(measure);
    if (ref.current) ro.observe(ref.current);
    return () => ro.disconnect();
  }, []);
  useLayoutEffect(() => {
    const el = ref.current, r = p.revealRow;
    if (!el || r === undefined || r < 0) return;
    const top = HEADER + r * rh;
    if (top < el.scrollTop + HEADER || top + rh > el.scrollTop + el.clientHeight) {
      el.scrollTop = Math.max(0, top - el.clientHeight / 2);
      measure();
    }
  }, [p.revealRow]);
  const onScroll = () => {
    if (frame.current) return;
    frame.current = requestAnimationFrame(() => { frame.current = 0; measure(); });
  };

  // Column offsets; frozen columns are always drawn.
  const frozen = p.frozen ?? 0;
  const offsets: number[] = [];
  let total = 0;
  for (const c of p.columns) { offsets.push(total); total += c.width; }
  const frozenWidth = offsets[frozen] ?? total;
  const visibleCols: number[] = [];
  for (let i = frozen; i < p.columns.length; i++) {
    const x = offsets[i], w = p.columns[i].width;
    if (x + w >= view.left + frozenWidth - OVERSCAN_PX && x <= view.left + view.width + OVERSCAN_PX) visibleCols.push(i);
  }
  const first = Math.max(0, Math.floor((view.top - HEADER) / rh) - OVERSCAN_ROWS);
  const last = Math.min(p.rows.length, Math.ceil((view.top + view.height) / rh) + OVERSCAN_ROWS);

  const nearEnd = last >= p.rows.length - Math.ceil(view.height / rh);
  useEffect(() => { if (nearEnd && p.onNearEnd) p.onNearEnd(); }, [nearEnd, p.rows.length]);

  // The active cell, kept inside the grid when rows or columns go away.
  const cur = active && { r: Math.min(active.r, p.rows.length - 1), c: Math.min(active.c, p.columns.length - 1) };
  const cellId = (r: number, c: number) => `${gridId}-${r}-${c}`;
  const reveal = (r: number, c: number) => {
    const el = ref.current;
    if (!el) return;
    const top = HEADER + r * rh;
    if (r >= 0 && top < el.scrollTop + HEADER) el.scrollTop = top - HEADER;
    else if (r >= 0 && top + rh > el.scrollTop + el.clientHeight) el.scrollTop = top + rh - el.clientHeight;
    if (c >= frozen) {
      const x = offsets[c], w = p.columns[c].width;
      if (x < el.scrollLeft + frozenWidth) el.scrollLeft = x - frozenWidth;
      else if (x + w > el.scrollLeft + el.clientWidth) el.scrollLeft = x + w - el.clientWidth;
    }
    measure();  // render the cell now, so aria-activedescendant never names a missing element
  };
  const onKeyDown = (e: KeyboardEvent) => {
    if (e.target !== ref.current || e.altKey || e.metaKey) return;  // a control inside a cell keeps its keys
    let { r, c } = cur ?? { r: 0, c: 0 };
    const lastRow = p.rows.length - 1, lastCol = p.columns.length - 1;
    const page = Math.max(1, Math.floor((view.height - HEADER) / rh) - 1);
    switch (e.key) {
      case 'ArrowDown': r = Math.min(lastRow, r + 1); break;
      case 'ArrowUp': r = Math.max(-1, r - 1); break;
      case 'ArrowRight': c = Math.min(lastCol, c + 1); break;
      case 'ArrowLeft': c = Math.max(0, c - 1); break;
      case 'PageDown': r = Math.min(lastRow, r + page); break;
      case 'PageUp': r = Math.max(r < 0 ? -1 : 0, r - page); break;
      case 'Home': c = 0; if (e.ctrlKey) r = Math.min(0, lastRow); break;
      case 'End': c = lastCol; if (e.ctrlKey) r = lastRow; break;
      case 'Enter': case ' ': {
        // Enter follows the cell's link first; Space presses its button or checkbox first.
        const cell = document.getElementById(cellId(r, c));
        const link = cell?.querySelector<HTMLElement>('a'), control = cell?.querySelector<HTMLElement>('button, input, select');
        const target = e.key === 'Enter' ? link ?? control : control ?? link;
        if (target) { e.preventDefault(); target.click(); }
        return;
      }
      default: return;
    }
    e.preventDefault();
    setActive({ r, c });
    reveal(r, c);
  };
  // The grid is the only tab stop: the links and controls inside its cells are reached with the
  // arrow keys and pressed with Enter/Space (set after every render: rows come and go).
  useLayoutEffect(() => {
    ref.current?.querySelectorAll<HTMLElement>('a, button, input, select').forEach((el) => { el.tabIndex = -1; });
  });
  const activeClass = (r: number, c: number) => (focused && cur && cur.r === r && cur.c === c ? ' vg-active' : '');

  const gap = visibleCols.length ? offsets[visibleCols[0]] - frozenWidth : 0;
  const cells = (render: (i: number) => ComponentChildren) => (
    <>
      {Array.from({ length: frozen }, (_, i) => render(i))}
      {gap > 0 && <div class="vg-gap" style={{ width: gap + 'px' }} aria-hidden="true" />}
      {visibleCols.map(render)}
    </>
  );
  const cellStyle = (i: number) => {
    const s: Record<string, string> = { width: p.columns[i].width + 'px' };
    if (i < frozen) s.left = offsets[i] + 'px';
    return s;
  };

  const rows = [];
  for (let r = first; r < last; r++) {
    const row = p.rows[r];
    rows.push(
      <div key={p.rowKey(row)} role="row" aria-rowindex={r + 2} class={'vg-row ' + (p.rowClass?.(row) ?? '') + (p.onRowClick ? ' clickable' : '')}
        onClick={p.onRowClick && ((e: MouseEvent) => { if (!(e.target as Element).closest('a, button, input, select, label')) p.onRowClick!(row); })}
        style={{ top: HEADER + r * rh + 'px', height: rh + 'px', width: total + 'px' }}>
        {cells((i) => (
          <div key={p.columns[i].id} id={cellId(r, i)} role="gridcell" aria-colindex={i + 1}
            class={'vg-cell' + (i < frozen ? ' vg-frozen' : '') + (p.columns[i].className ? ' ' + p.columns[i].className : '') + activeClass(r, i)}
            style={cellStyle(i)}>{p.columns[i].cell(row, r)}</div>
        ))}
      </div>,
    );
  }
  return (
    <div ref={ref} class="vg" role="grid" aria-label={p.label} aria-rowcount={(p.totalRows ?? p.rows.length) + 1}
      aria-colcount={p.columns.length} onScroll={onScroll} tabIndex={0} onKeyDown={onKeyDown}
      aria-activedescendant={focused && cur ? cellId(cur.r, cur.c) : undefined}
      onFocus={(e) => { if (e.target === ref.current) { setFocused(true); if (!active) setActive({ r: p.rows.length ? 0 : -1, c: 0 }); } }}
      onBlur={(e) => { if (e.target === ref.current) setFocused(false); }} style={{ height: typeof p.height === 'number' ? p.height + 'px' : p.height ?? '70vh' }}
      data-testid={p.testId ?? 'runs-grid'}>
      <div class="vg-inner" style={{ height: HEADER + p.rows.length * rh + 'px', width: total + 'px' }}>
        <div role="row" aria-rowindex={1} class="vg-row vg-header" style={{ height: HEADER + 'px', width: total + 'px' }}>
          {cells((i) => {
            const c = p.columns[i];
            return (
              <div key={c.id} id={cellId(-1, i)} role="columnheader" aria-colindex={i + 1} aria-sort={c.sort === 'asc' ? 'ascending' : c.sort === 'desc' ? 'descending' : c.sort ? 'none' : undefined}
                class={'vg-cell' + (i < frozen ? ' vg-frozen' : '') + activeClass(-1, i)} style={cellStyle(i)} title={c.label}>
                {c.onSort ? <button class="vg-sort" onClick={c.onSort} aria-label={`Sort by ${c.label}`}>{c.title}{c.sort === 'asc' ? ' ▲' : c.sort === 'desc' ? ' ▼' : ''}</button> : c.title}
              </div>
            );
          })}
        </div>
        {rows}
      </div>
    </div>
  );
}
