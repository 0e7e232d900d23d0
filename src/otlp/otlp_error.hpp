// What can go wrong while decoding and converting an OTLP request; the HTTP handler maps each
// kind to MLflow's status (otlp-ingest.md §2, §5): Malformed 400, TooLarge 413, Unconvertible 422
// ("Cannot convert OpenTelemetry span to MLflow span"), TraceFailed 422 (MLflow's per-trace
// "Failed to log OpenTelemetry spans: Trace <id>: <message>"; `trace_id` names the trace).
#pragma once

#include <stdexcept>
#include <string>

namespace sextant::otlp {

class OtlpError : public std::runtime_error {
 public:
  enum class Kind { Malformed, TooLarge, Unconvertible, TraceFailed };
  OtlpError(Kind kind, const std::string& message, std::string trace_id = {})
      : std::runtime_error(message), kind_(kind), trace_id_(std::move(trace_id)) {}
  Kind kind() const noexcept { return kind_; }
  const std::string& trace_id() const noexcept { return trace_id_; }

 private:
  Kind kind_;
  std::string trace_id_;
};

[[noreturn]] inline void malformed(const std::string& message) {
  throw OtlpError(OtlpError::Kind::Malformed, message);
}

}  // namespace sextant::otlp
