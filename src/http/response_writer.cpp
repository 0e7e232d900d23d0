#include "http/response_writer.hpp"

#include <cstdio>
#include <limits>

#include "http/error_response.hpp"

namespace sextant::http {

namespace beast = boost::beast;
namespace bhttp = boost::beast::http;

namespace {

template <typename Response>
void common_headers(Response& r, const api::ApiResponse& res, bool keep_alive) {
  r.set(bhttp::field::server, "sextant");
  r.set(bhttp::field::content_type, res.content_type);
  r.set("X-Content-Type-Options", "nosniff");
  r.set("X-Frame-Options", "SAMEORIGIN");
  for (const auto& [k, v] : res.headers) r.insert(k, v);  // insert: WWW-Authenticate may repeat
  r.keep_alive(keep_alive);
}

// A body the handler produces after the headers: Content-Length known up front (or, for an
// unknown length, chunked on HTTP/1.1 and delimited by closing the connection on HTTP/1.0, whose
// keep-alive the caller has turned off), bytes relayed through a buffer_body serializer. A
// producer that fails or comes up short ends the connection.
bool write_stream(Connection& conn, const api::ApiResponse& res, unsigned version, bool keep_alive, bool head,
                  TransferBudget& budget, std::uintmax_t& sent_bytes) {
  bhttp::response<bhttp::buffer_body> r{static_cast<bhttp::status>(res.status), version};
  common_headers(r, res, keep_alive);
  const bool known = !res.stream->unknown_length;
  if (known) {
    r.content_length(res.stream->length);
  } else if (version >= 11) {
    r.chunked(true);
  }
  r.body().data = nullptr;
  r.body().more = true;
  bhttp::response_serializer<bhttp::buffer_body> sr{r};
  if (!conn.write_out(sr, budget, true)) return false;
  if (head) return true;

  struct SocketSink final : artifacts::ByteSink {
    Connection& conn;
    bhttp::response<bhttp::buffer_body>& r;
    bhttp::response_serializer<bhttp::buffer_body>& sr;
    TransferBudget& budget;
    std::uint64_t sent = 0;
    std::uint64_t limit;
    SocketSink(Connection& c, bhttp::response<bhttp::buffer_body>& resp,
               bhttp::response_serializer<bhttp::buffer_body>& ser, TransferBudget& b, std::uint64_t max)
        : conn(c), r(resp), sr(ser), budget(b), limit(max) {}
    bool write(const char* data, std::size_t size) override {
      if (size == 0) return true;
      if (size > limit - sent) return false;  // more than announced: the source changed; stop
      r.body().data = const_cast<char*>(data);
      r.body().size = size;
      r.body().more = true;
      if (!conn.write_out(sr, budget)) return false;
      sent += size;
      return true;
    }
  } sink(conn, r, sr, budget, known ? res.stream->length : std::numeric_limits<std::uint64_t>::max());
  try {
    res.stream->produce(sink);
  } catch (const std::exception& e) {
    sent_bytes = sink.sent;
    std::fprintf(stderr, "sextant: download failed after the headers were sent: %s\n", e.what());
    return false;
  }
  sent_bytes = sink.sent;
  if (known && sink.sent != res.stream->length) return false;
  r.body().data = nullptr;
  r.body().size = 0;
  r.body().more = false;
  return conn.write_out(sr, budget);
}

}  // namespace

bool write_response(Connection& conn, api::ApiResponse& res, unsigned version, bool keep_alive, bool head,
                    TransferBudget budget, Sent& sent) {
  if (res.file) {
    beast::error_code ec;
    bhttp::response<bhttp::file_body> r{static_cast<bhttp::status>(res.status), version};
    r.body().open(res.file->c_str(), beast::file_mode::scan, ec);
    if (ec) {
      api::ApiResponse missing = error_response(404, "RESOURCE_DOES_NOT_EXIST", "File not found.");
      return write_response(conn, missing, version, keep_alive, head, budget, sent);
    }
    common_headers(r, res, keep_alive);
    r.prepare_payload();
    sent.download = true;
    if (!head) sent.bytes = r.body().size();
    bhttp::response_serializer<bhttp::file_body> sr{r};
    return conn.write_out(sr, budget, head);
  }
  if (res.stream) {
    sent.download = true;
    return write_stream(conn, res, version, keep_alive, head, budget, sent.bytes);
  }
  bhttp::response<bhttp::string_body> r{static_cast<bhttp::status>(res.status), version};
  common_headers(r, res, keep_alive);
  sent.bytes = res.body.size();
  r.body() = std::move(res.body);
  r.prepare_payload();
  bhttp::response_serializer<bhttp::string_body> sr{r};
  return conn.write_out(sr, budget, head);
}

}  // namespace sextant::http
