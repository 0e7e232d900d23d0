// Traces for the browser tests, logged as MLflow 3's client does: spans over OTLP/HTTP JSON
// (`POST /v1/traces`, header x-mlflow-experiment-id; ids in hex, enums as integers), then
// StartTraceV3 (`POST /api/3.0/mlflow/traces`) with the trace's info, tags and metadata.
import { randomBytes } from 'node:crypto';

export const hex = (bytes) => randomBytes(bytes).toString('hex');
const value = (v) => (typeof v === 'number' ? (Number.isInteger(v) ? { intValue: String(v) } : { doubleValue: v })
  : typeof v === 'boolean' ? { boolValue: v } : { stringValue: typeof v === 'string' ? v : JSON.stringify(v) });
const attributes = (o) => Object.entries(o).map(([key, v]) => ({ key, value: value(v) }));

// spans: [{ id, parent, name, start, end (ns offsets from t0), type, inputs, outputs, attrs, events, error }]
export function otlpBody(traceHex, t0ns, spans) {
  return {
    resourceSpans: [{
      resource: { attributes: attributes({ 'service.name': 'sextant-browser-test' }) },
      scopeSpans: [{
        scope: { name: 'sextant.tests' },
        spans: spans.map((s) => ({
          traceId: traceHex, spanId: s.id, parentSpanId: s.parent ?? '', name: s.name, kind: 1,
          startTimeUnixNano: String(t0ns + BigInt(s.start)), endTimeUnixNano: String(t0ns + BigInt(s.end)),
          attributes: attributes({
            ...(s.type ? { 'mlflow.spanType': s.type } : {}),
            ...(s.inputs !== undefined ? { 'mlflow.spanInputs': s.inputs } : {}),
            ...(s.outputs !== undefined ? { 'mlflow.spanOutputs': s.outputs } : {}),
            ...(s.attrs ?? {}),
          }),
          events: (s.events ?? []).map((e) => ({ name: e.name, timeUnixNano: String(t0ns + BigInt(e.at)), attributes: attributes(e.attrs ?? {}) })),
          status: s.error ? { code: 2, message: s.error } : { code: 1 },
        })),
      }],
    }],
  };
}

export async function postSpans(srv, experimentId, body) {
  const r = await fetch(srv.base + '/v1/traces', {
    method: 'POST', headers: { 'Content-Type': 'application/json', 'x-mlflow-experiment-id': experimentId }, body: JSON.stringify(body),
  });
  if (!r.ok) throw new Error(`/v1/traces: ${r.status} ${await r.text()}`);
}

export async function startTraceV3(srv, info) {
  const r = await fetch(srv.base + '/api/3.0/mlflow/traces', {
    method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ trace: { trace_info: info } }),
  });
  const text = await r.text();
  if (!r.ok) throw new Error(`StartTraceV3: ${r.status} ${text}`);
  return JSON.parse(text).trace.trace_info;
}

// One whole trace: its spans (if any) then its info. Returns the trace id.
export async function logTrace(srv, experimentId, { name, spans = [], state = 'OK', request, response, tags = {}, metadata = {},
  startMs = Date.now(), durationMs = 1000, tokens }) {
  const traceHex = hex(16);
  const traceId = 'tr-' + traceHex;
  if (spans.length) {
    const t0ns = BigInt(startMs) * 1_000_000n;
    for (let i = 0; i < spans.length; i += 2500) await postSpans(srv, experimentId, otlpBody(traceHex, t0ns, spans.slice(i, i + 2500)));
  }
  await startTraceV3(srv, {
    trace_id: traceId, trace_location: { type: 'MLFLOW_EXPERIMENT', mlflow_experiment: { experiment_id: experimentId } },
    request_preview: request, response_preview: response, request_time: new Date(startMs).toISOString(),
    execution_duration: (durationMs / 1000).toFixed(3) + 's', state,
    trace_metadata: { 'mlflow.trace_schema.version': '3', 'mlflow.trace.sizeStats': JSON.stringify({ num_spans: spans.length }),
      ...(tokens ? { 'mlflow.trace.tokenUsage': JSON.stringify(tokens) } : {}), ...metadata },
    tags: { 'mlflow.traceName': name, ...tags },
  });
  return traceId;
}

// A 3-level agent trace: agent -> retrieve, llm -> tool; an event on llm.
export function agentSpans({ question, answer, longText = 'x'.repeat(2000) }) {
  const [root, retrieve, llm, tool] = [hex(8), hex(8), hex(8), hex(8)];
  return [
    { id: root, name: 'agent', start: 0, end: 900e6, type: 'AGENT', inputs: { question }, outputs: { answer } },
    { id: retrieve, parent: root, name: 'retrieve', start: 10e6, end: 200e6, type: 'RETRIEVER', inputs: { query: question },
      outputs: [{ page_content: longText, metadata: { source: 'doc-1' } }] },
    { id: llm, parent: root, name: 'llm', start: 250e6, end: 850e6, type: 'CHAT_MODEL', inputs: { messages: [{ role: 'user', content: question }] },
      outputs: { choices: [{ message: { role: 'assistant', content: answer } }] }, attrs: { model: 'gpt-test', temperature: 0.5 },
      events: [{ name: 'first_token', at: 300e6, attrs: { index: 0 } }] },
    { id: tool, parent: llm, name: 'calculator', start: 400e6, end: 500e6, type: 'TOOL', inputs: { expression: '6*7' }, outputs: 42,
      error: 'tool failed once' },
  ];
}
