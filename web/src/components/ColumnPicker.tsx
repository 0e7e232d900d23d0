// Chooses the param/metric/tag columns of the runs table.
import { useState } from 'preact/hooks';
import { colId, type Col, type ColKind } from '../lib/tablestate';
import type { Keys } from '../lib/filter';
import { Dialog } from '../ui';

const GROUPS: [ColKind, keyof Keys, string][] = [['m', 'metrics', 'Metrics'], ['p', 'params', 'Parameters'], ['t', 'tags', 'Tags']];

export function ColumnPicker({ open, onClose, keys, cols, onChange }: {
  open: boolean; onClose: () => void; keys: Keys; cols: Col[]; onChange: (cols: Col[]) => void;
}) {
  const [q, setQ] = useState('');
  const chosen = new Set(cols.map(colId));
  const toggle = (c: Col) => onChange(chosen.has(colId(c)) ? cols.filter((x) => colId(x) !== colId(c)) : [...cols, c]);
  const match = (k: string) => !q || k.toLowerCase().includes(q.toLowerCase());
  return (
    <Dialog title="Columns" open={open} onClose={onClose}>
      <div class="stack picker" data-testid="column-picker">
        <label>Find a column <input type="search" value={q} onInput={(e) => setQ(e.currentTarget.value)} autoFocus /></label>
        <div class="picker-groups">
          {GROUPS.map(([kind, group, title]) => {
            const list = keys[group].filter(match);
            return (
              <fieldset key={kind}>
                <legend>{title} ({keys[group].length})</legend>
                <div class="row small">
                  <button type="button" class="small" onClick={() => onChange([...cols.filter((c) => c.kind !== kind), ...list.map((key) => ({ kind, key }))])}>All</button>
                  <button type="button" class="small" onClick={() => onChange(cols.filter((c) => c.kind !== kind))}>None</button>
                </div>
                <div class="picker-list">
                  {list.slice(0, 500).map((key) => (
                    <label key={key} class="check">
                      <input type="checkbox" checked={chosen.has(kind + ':' + key)} onChange={() => toggle({ kind, key })} /> {key}
                    </label>
                  ))}
                </div>
              </fieldset>
            );
          })}
        </div>
        <div class="row">
          <button class="primary" onClick={onClose}>Done</button>
          <button onClick={() => onChange([])}>Reset to defaults</button>
        </div>
      </div>
    </Dialog>
  );
}
