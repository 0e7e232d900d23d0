// Placeholder: the assessments helper replaces this with MLflow's full encoding.
#include "api/assessment_json.hpp"

namespace sextant::api {

nlohmann::json assessment_to_json(const core::Assessment& a) {
  return {{"assessment_id", a.assessment_id}, {"assessment_name", a.name}, {"trace_id", a.trace_id},
          {"valid", a.valid}};
}

}  // namespace sextant::api
