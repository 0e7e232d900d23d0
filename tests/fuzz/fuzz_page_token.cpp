// Page tokens (src/api/page_token): the offset tokens of the search endpoints and the
// SearchLoggedModels tokens that embed their query. The first byte picks the kind; for
// logged-model tokens the rest is "token\nexperiment ids (comma-separated)\nfilter". Invariants:
// only MlflowError(INVALID_PARAMETER_VALUE) escapes (and json::type_error for a query that is not
// UTF-8, which the router also answers with 400); an accepted offset is positive (logged-model
// tokens: non-negative) and survives encode/decode; a token issued for a query decodes for it.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "api/page_token.hpp"
#include "core/error.hpp"
#include "fuzz_check.hpp"

using namespace sextant;

namespace {

std::string_view next_line(std::string_view& rest) {
  auto nl = rest.find('\n');
  auto line = rest.substr(0, nl);
  rest = nl == std::string_view::npos ? std::string_view() : rest.substr(nl + 1);
  return line;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  std::string_view rest(reinterpret_cast<const char*>(data + 1), size - 1);
  if ((data[0] & 1) == 0) {
    std::int64_t offset = -1;
    if (!refused_as_invalid([&] { offset = api::decode_page_token(std::string(rest)); })) {
      FUZZ_CHECK(offset >= 0);
      FUZZ_CHECK(offset == 0 ? rest.empty() : api::decode_page_token(api::encode_page_token(offset)) == offset);
    }
    if (rest.size() >= 8) {  // every offset we issue decodes to itself (or is refused as too large)
      std::int64_t n = 0;
      std::memcpy(&n, rest.data(), sizeof n);
      std::int64_t back = 0;
      if (n > 0 && !refused_as_invalid([&] { back = api::decode_page_token(api::encode_page_token(n)); }))
        FUZZ_CHECK(back == n);
      if (n > 0 && n < (std::int64_t{1} << 31)) FUZZ_CHECK(api::decode_page_token(api::encode_page_token(n)) == n);
    }
    return 0;
  }

  std::string token(next_line(rest));
  api::LoggedModelPageQuery query;
  std::string_view ids = next_line(rest);
  while (!ids.empty()) {
    auto comma = ids.find(',');
    query.experiment_ids.emplace_back(ids.substr(0, comma));
    ids = comma == std::string_view::npos ? std::string_view() : ids.substr(comma + 1);
  }
  if (!rest.empty()) query.filter_string = std::string(rest);
  if (data[0] & 2) query.order_by.push_back({"metrics.loss", (data[0] & 4) != 0, std::nullopt, std::nullopt});

  std::int64_t offset = -1;
  try {
    if (!refused_as_invalid([&] { offset = api::decode_logged_model_page_token(token, query); })) FUZZ_CHECK(offset >= 0);
  } catch (const nlohmann::json::type_error&) {
    // A query string that is not UTF-8 cannot be compared as JSON; the router answers 400.
  }
  // A token we issue for this query decodes to its offset (the strings may hold any bytes:
  // invalid UTF-8 makes the encoder's JSON throw, which the handler reports as a 400).
  try {
    std::int64_t want = static_cast<std::int64_t>(size);
    std::string issued = api::encode_logged_model_page_token(query, want);
    FUZZ_CHECK(api::decode_logged_model_page_token(issued, query) == want);
  } catch (const nlohmann::json::type_error&) {
  }
  return 0;
}
