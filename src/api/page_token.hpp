// Page tokens in MLflow's formats (mlflow-api.md §1.7): offset tokens base64(JSON {"offset": N})
// and the logged-model tokens that also embed the query they belong to.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace sextant::api {

// Largest offset a token may carry (2^53 - 1, exact in every JSON client): offset + max_results
// cannot overflow.
inline constexpr std::int64_t kMaxPageOffset = (std::int64_t{1} << 53) - 1;

std::string encode_page_token(std::int64_t offset);
// 0 for an absent/empty token; throws INVALID_PARAMETER_VALUE "Invalid page token, ..." otherwise.
std::int64_t decode_page_token(const std::optional<std::string>& token);

// What a SearchLoggedModels token embeds, as the request gave it.
struct LoggedModelOrderField {
  std::string field_name;
  bool ascending = true;
  std::optional<std::string> dataset_name, dataset_digest;  // nullopt when absent or empty
};
struct LoggedModelPageQuery {
  std::vector<std::string> experiment_ids;
  std::optional<std::string> filter_string;   // nullopt when absent or empty
  std::vector<LoggedModelOrderField> order_by;  // empty = none (null in the token)
};

// base64(JSON {"experiment_ids": [...], "filter_string": s|null, "order_by": [{"field_name",
// "ascending", "dataset_name", "dataset_digest"}]|null, "offset": N}), serialised like Python's
// json.dumps so tokens look like the reference's.
std::string encode_logged_model_page_token(const LoggedModelPageQuery& query, std::int64_t offset);
// 0 for an absent/empty token. INVALID_PARAMETER_VALUE "Invalid page token: ..." when it does not
// decode, and "... in the page token do(es) not match ..." when it was issued for another
// experiment list, filter or order.
std::int64_t decode_logged_model_page_token(const std::optional<std::string>& token,
                                            const LoggedModelPageQuery& query);

}  // namespace sextant::api
