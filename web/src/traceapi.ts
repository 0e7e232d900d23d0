// MLflow 3's trace routes under <prefix>/ajax-api/3.0/mlflow (docs/design/tracing/rest-traces.md
// §2-§4, §7): search, get (with spans), assessments. JSON shapes as MLflow prints them (§3).
import { AJAX3, ApiError, get, request } from './api';

export interface Assessment {
  assessment_id: string; assessment_name: string; trace_id?: string; span_id?: string;
  source?: { source_type?: string; source_id?: string };
  create_time?: string; last_update_time?: string;
  feedback?: { value?: unknown; error?: { error_code?: string; error_message?: string; stack_trace?: string } };
  expectation?: { value?: unknown; serialized_value?: { serialization_format?: string; value?: string } };
  rationale?: string; metadata?: Record<string, string>; overrides?: string; valid?: boolean;
}
export interface TraceInfo {
  trace_id: string; client_request_id?: string;
  trace_location?: { type?: string; mlflow_experiment?: { experiment_id?: string } };
  request_preview?: string; response_preview?: string;
  request_time?: string; execution_duration?: string; state?: string;
  trace_metadata?: Record<string, string>; tags?: Record<string, string>; assessments?: Assessment[];
}
export interface AnyValueJson {
  string_value?: string; bool_value?: boolean; int_value?: number | string; double_value?: number | string;
  bytes_value?: string; array_value?: { values?: AnyValueJson[] }; kvlist_value?: { values?: KeyValueJson[] };
}
export interface KeyValueJson { key: string; value?: AnyValueJson }
// An OTel span as GetTrace prints it (attributes as AnyValue lists); a span in MLflow's stored
// dict form (attributes an object of JSON-encoded strings) is accepted as well.
export interface SpanJson {
  trace_id?: string; span_id: string; parent_span_id?: string | null; name?: string;
  start_time_unix_nano?: number | string; end_time_unix_nano?: number | string;
  attributes?: KeyValueJson[] | Record<string, unknown>;
  events?: { name?: string; time_unix_nano?: number | string; attributes?: KeyValueJson[] | Record<string, unknown> }[];
  status?: { code?: string; message?: string };
}
export interface Trace { trace_info: TraceInfo; spans?: SpanJson[] }

export const experimentLocation = (experimentId: string) => ({ type: 'MLFLOW_EXPERIMENT', mlflow_experiment: { experiment_id: experimentId } });

export function searchTraces(body: { experimentIds: string[]; filter?: string; max_results?: number; order_by?: string[]; page_token?: string }) {
  const { experimentIds, ...rest } = body;
  return request<{ traces?: TraceInfo[]; next_page_token?: string }>('POST', AJAX3 + '/traces/search',
    { locations: experimentIds.map(experimentLocation), ...rest });
}

// GetTrace answers 500 for a trace whose spans are not in the database (v2 traces, spans in the
// `traces.json` artifact): then its info and the artifact's spans (MLflow's stored dict form).
export async function getTrace(traceId: string): Promise<Trace> {
  try {
    return (await request<{ trace: Trace }>('GET', AJAX3 + '/traces/get?' + new URLSearchParams({ trace_id: traceId, allow_partial: 'true' }))).trace;
  } catch (e) {
    if (!(e instanceof ApiError) || e.status !== 500) throw e;
    const info = await request<{ trace: { trace_info: TraceInfo } }>('GET', AJAX3 + '/traces/' + encodeURIComponent(traceId));
    const data = await get<{ spans?: SpanJson[] }>('/get-trace-artifact', { request_id: traceId });
    return { trace_info: info.trace.trace_info, spans: data.spans ?? [] };
  }
}

const assessmentsUrl = (traceId: string) => AJAX3 + '/traces/' + encodeURIComponent(traceId) + '/assessments';

export function createAssessment(traceId: string, assessment: Partial<Assessment>) {
  return request<{ assessment: Assessment }>('POST', assessmentsUrl(traceId), { assessment: { ...assessment, trace_id: traceId } });
}

// `mask`: MLflow's FieldMask, comma-separated lowerCamelCase paths ("assessmentName,feedback,rationale").
export function updateAssessment(traceId: string, assessmentId: string, assessment: Partial<Assessment>, mask: string[]) {
  return request<{ assessment: Assessment }>('PATCH', assessmentsUrl(traceId) + '/' + encodeURIComponent(assessmentId),
    { assessment, update_mask: mask.join(',') });
}
