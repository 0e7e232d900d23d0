// A filter box in MLflow's search syntax with key autocomplete (combobox + listbox): the runs'
// keys by default, or the completions `complete` offers (the traces' grammar).
import { useRef, useState } from 'preact/hooks';
import { applyCompletion, completions, tokenAt, type Keys } from '../lib/filter';

export function FilterBox({ value, keys, onApply, complete, id = 'run-filter', label = 'Filter runs (MLflow search syntax)',
  placeholder = "metrics.rmse < 1 and params.model = 'tree'" }: {
  value: string; keys?: Keys; onApply: (v: string) => void; complete?: (token: string) => string[];
  id?: string; label?: string; placeholder?: string;
}) {
  const [text, setText] = useState(value);
  const [open, setOpen] = useState(false);
  const [sel, setSel] = useState(0);
  const [items, setItems] = useState<string[]>([]);
  const [tok, setTok] = useState<{ token: string; start: number } | null>(null);
  const input = useRef<HTMLInputElement>(null);
  const [last, setLast] = useState(value);
  if (value !== last) { setLast(value); setText(value); }

  const refresh = (t: string, cursor: number) => {
    const at = tokenAt(t, cursor);
    setTok(at);
    const list = at && at.token.length > 0 ? (complete ? complete(at.token).slice(0, 12) : completions(at.token, keys ?? { metrics: [], params: [], tags: [] }, 12)) : [];
    setItems(list);
    setSel(0);
    setOpen(list.length > 0 && !(list.length === 1 && list[0] === at?.token));
  };
  const accept = (c: string) => {
    const el = input.current!;
    const cursor = el.selectionStart ?? text.length;
    const r = applyCompletion(text, tok?.start ?? cursor, cursor, c);
    // The element gets the text and cursor now, not in a later frame: keys typed right after the
    // completion must land after it (the render then finds the same value and leaves the cursor).
    el.value = r.text;
    el.focus();
    el.setSelectionRange(r.cursor, r.cursor);
    setText(r.text);
    setOpen(false);
  };
  return (
    <div class="filterbox">
      <label class="sr-only" for={id}>{label}</label>
      <input id={id} ref={input} value={text} spellcheck={false} autoComplete="off"
        placeholder={placeholder} role="combobox" aria-expanded={open}
        aria-controls={id + '-suggestions'} aria-autocomplete="list"
        aria-activedescendant={open ? `${id}-opt-${sel}` : undefined}
        onInput={(e) => { const el = e.currentTarget; setText(el.value); refresh(el.value, el.selectionStart ?? el.value.length); }}
        onBlur={() => setTimeout(() => setOpen(false), 150)}
        onKeyDown={(e) => {
          if (open && (e.key === 'ArrowDown' || e.key === 'ArrowUp')) {
            e.preventDefault();
            setSel((s) => (s + (e.key === 'ArrowDown' ? 1 : items.length - 1)) % items.length);
          } else if (open && (e.key === 'Tab' || e.key === 'Enter')) {
            e.preventDefault();
            accept(items[sel]);
          } else if (e.key === 'Escape') setOpen(false);
          else if (e.key === 'Enter') onApply(text.trim());
        }} />
      <button onClick={() => onApply(text.trim())}>Search</button>
      {text && <button onClick={() => { setText(''); onApply(''); }} aria-label="Clear filter">✕</button>}
      {open && (
        <ul id={id + '-suggestions'} role="listbox" class="suggestions" aria-label="Filter keys">
          {items.map((c, i) => (
            <li key={c} id={`${id}-opt-${i}`} role="option" aria-selected={i === sel} class={i === sel ? 'sel' : ''}
              onMouseDown={(e) => { e.preventDefault(); accept(c); }}>{c}</li>
          ))}
        </ul>
      )}
    </div>
  );
}
