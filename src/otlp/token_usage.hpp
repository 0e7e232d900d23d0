// MLflow's trace token usage arithmetic (translation.update_token_usage): input_tokens,
// output_tokens and total_tokens of a JSON object added key by key (a missing key counts 0),
// the current object's other keys and key order kept, the three keys appended in that order when
// new. Pure.
#pragma once

#include <optional>
#include <string>

namespace sextant::otlp {

// json.dumps of `current` + `addend` (both JSON object texts; a `current` that is absent or not
// an object counts as {}; an addend that is not an object of numbers adds nothing). nullopt
// when the result would be empty ({} + {}).
std::optional<std::string> add_token_usage(const std::optional<std::string>& current, const std::string& addend);

}  // namespace sextant::otlp
