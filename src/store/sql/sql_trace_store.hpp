// TraceStore over MLflow's schema on the shared Database. The methods are split by area:
// sql_trace_store.cpp (traces, tags, spans read, delete, links), sql_trace_search.cpp (search,
// filter counts), sql_span_ingest.cpp (OTLP log_spans), sql_assessment_store.cpp (assessments),
// sql_trace_retention.cpp (expired traces, purge).
// Thread-safe. The database must outlive the store.
#pragma once

#include "store/sql/database.hpp"
#include "store/trace_store.hpp"

namespace sextant::store::sql {

class SqlTraceStore final : public TraceStore {
 public:
  explicit SqlTraceStore(Database& database) : db_(database) {}

  core::TraceInfo start_trace(const core::TraceInfo& info) override;
  core::TraceInfo get_trace_info(const std::string& trace_id) override;
  std::vector<core::TraceInfo> get_trace_infos(const std::vector<std::string>& trace_ids) override;
  std::size_t read_spans(const std::string& trace_id, const std::function<void(const core::SpanRow&)>& sink) override;
  std::size_t count_spans(const std::string& trace_id) override;
  core::TraceInfo start_trace_v2(const core::TraceInfo& info) override;
  core::TraceInfo end_trace_v2(const std::string& trace_id, std::int64_t timestamp_ms, const std::string& state,
                               const std::vector<core::Tag>& metadata, const std::vector<core::Tag>& tags) override;
  void set_trace_tag(const std::string& trace_id, const core::Tag& tag) override;
  void delete_trace_tag(const std::string& trace_id, const std::string& key) override;
  std::int64_t delete_traces(const TraceDeletion& deletion) override;
  void link_traces_to_run(const std::vector<std::string>& trace_ids, const std::string& run_id) override;
  TraceSearchPage search_traces(const TraceQuery& query) override;
  TraceFilterCounts count_trace_filters(const std::vector<std::string>& experiment_ids, const std::string& filter1,
                                        const std::string& filter2, const std::string& base_filter) override;
  void log_spans(const std::string& experiment_id, const std::vector<TraceSpans>& traces) override;
  std::vector<ExpiredTrace> expired_traces(const std::vector<std::string>& experiment_ids, std::int64_t before_ms,
                                           std::size_t limit) override;
  std::int64_t purge_traces(const std::vector<std::string>& trace_ids) override;
  core::Assessment create_assessment(const core::Assessment& assessment) override;
  core::Assessment get_assessment(const std::string& trace_id, const std::string& assessment_id) override;
  core::Assessment update_assessment(const core::Assessment& assessment, const std::vector<std::string>& fields) override;
  void delete_assessment(const std::string& trace_id, const std::string& assessment_id) override;

 private:
  Database& db_;
};

}  // namespace sextant::store::sql
