// A value pretty-printed as a folded JSON tree (lib/pretty): containers fold and unfold, their
// children come a page at a time, long strings are clipped with "show more", strings holding JSON
// open as JSON. Everything is rendered as text nodes: span content is never HTML.
import { useState } from 'preact/hooks';
import { childCount, childrenOf, clip, isContainer, jsonInString, kindOf, literal, openByDefault, PAGE_CHILDREN, summary } from '../lib/pretty';

export function ClipText({ text, limit, class: cls = '' }: { text: string; limit?: number; class?: string }) {
  const [all, setAll] = useState(false);
  const { head, hidden } = clip(text, limit);
  return (
    <span class={'cliptext ' + cls}>
      {all || !hidden ? text : head + '…'}
      {hidden > 0 && (
        <button class="link small showmore" onClick={() => setAll(!all)}>
          {all ? 'show less' : `show more (${hidden.toLocaleString()} more characters)`}
        </button>
      )}
    </span>
  );
}

function Node({ name, value, depth }: { name?: string; value: unknown; depth: number }) {
  const parsed = typeof value === 'string' ? jsonInString(value) : undefined;
  const shown = parsed !== undefined ? parsed : value;
  const [open, setOpen] = useState(() => openByDefault(shown, depth));
  const [count, setCount] = useState(PAGE_CHILDREN);
  const label = name !== undefined && <span class="json-key">{name}: </span>;
  if (!isContainer(shown)) {
    const k = kindOf(shown);
    return (
      <div class="json-row" style={{ paddingLeft: depth ? '14px' : undefined }}>
        {label}
        {k === 'string' ? <ClipText class="json-str" text={shown as string} /> : <span class={'json-' + k}>{literal(shown)}</span>}
      </div>
    );
  }
  const n = childCount(shown);
  return (
    <div class="json-row" style={{ paddingLeft: depth ? '14px' : undefined }}>
      <button class="json-toggle" aria-expanded={open} onClick={() => setOpen(!open)}>
        {open ? '▾ ' : '▸ '}{label}<span class="muted">{summary(shown)}</span>
        {parsed !== undefined && <span class="badge">JSON text</span>}
      </button>
      {open && (
        <div class="json-children">
          {childrenOf(shown, 0, count).map(([k, v]) => <Node key={k} name={k} value={v} depth={depth + 1} />)}
          {n > count && <button class="link small" onClick={() => setCount(count + PAGE_CHILDREN)}>show {Math.min(PAGE_CHILDREN, n - count)} more of {n - count}</button>}
        </div>
      )}
    </div>
  );
}

export function JsonView({ value, testId }: { value: unknown; testId?: string }) {
  return <div class="json" data-testid={testId}><Node value={value} depth={0} /></div>;
}
