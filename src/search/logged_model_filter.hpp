// SearchLoggedModels' own filter grammar and order_by objects (mlflow-api.md §3.6) parsed into
// plain data. This grammar is simpler than the runs one (search/filter_parser.hpp) and has its
// own AST; store/sql compiles it to parameterised SQL. Pure functions, thread-safe. Invalid
// input throws core::MlflowError(INVALID_PARAMETER_VALUE) with MLflow's wording.
//
// Grammar: comparison (AND comparison)*, where a comparison is
//   identifier op value | identifier [NOT] IN ( literal, ... )
// identifier = attributes.<key> | metrics.<key> | params.<key> | tags.<key> | <attribute>
//   (an entity is recognised when the text before the first '.' is all lowercase ASCII letters;
//   it must then be one of the four plurals). Backticks (and, more leniently than MLflow, double
//   quotes) around the key are removed: tags.`mlflow.user`.
// Attributes are the logged_models columns; creation_time and creation_timestamp alias
// creation_timestamp_ms, last_updated_timestamp aliases last_updated_timestamp_ms (also after
// "attributes.", where MLflow fails with a 500). Unknown attributes are a 400.
// Numeric entities (metrics and the two timestamps) take < <= > >= = != and a number; the others
// take = != LIKE ILIKE IN NOT IN with a 'single-quoted' string (MLflow also takes a bare word or
// number as the string; so do we, and a "double-quoted" one) or a ( ... ) list of literals.
// Operators are matched case-insensitively (MLflow requires upper case).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sextant::search {

enum class LoggedModelEntity { Attribute, Metric, Param, Tag };

enum class LoggedModelOp { Eq, NotEq, Gt, Ge, Lt, Le, Like, ILike, In, NotIn };

struct LoggedModelComparison {
  LoggedModelEntity entity = LoggedModelEntity::Attribute;
  // Attribute: the logged_models column (aliases resolved). Others: the key, quotes removed.
  std::string key;
  LoggedModelOp op = LoggedModelOp::Eq;
  enum class Kind { Number, String, List } kind = Kind::String;
  double number = 0;              // Number (numeric entities)
  std::string text;               // String
  std::vector<std::string> list;  // List (IN / NOT IN); may be empty
};

// AND of comparisons; empty = no filter.
using LoggedModelFilter = std::vector<LoggedModelComparison>;

// One element of SearchLoggedModels.order_by.
struct LoggedModelOrderBy {
  enum class Kind { Attribute, Metric } kind = Kind::Attribute;
  std::string key;  // Attribute: logged_models column (aliases resolved); Metric: metric name
  bool ascending = true;
  std::optional<std::string> dataset_name, dataset_digest;  // Metric only: restrict the values
};

LoggedModelFilter parse_logged_model_filter(std::string_view filter);

// field_name without '.' is an attribute (unknown -> "Invalid order by field name: x");
// "metrics.<name>" a metric; any other prefix -> "... Only metrics are supported.".
LoggedModelOrderBy parse_logged_model_order_by(std::string_view field_name, bool ascending,
                                               std::optional<std::string> dataset_name,
                                               std::optional<std::string> dataset_digest);

// The logged_models column an attribute name or alias refers to, or nullopt.
std::optional<std::string> logged_model_attribute_column(std::string_view name);
// creation_timestamp_ms and last_updated_timestamp_ms.
bool is_numeric_logged_model_attribute(std::string_view column);

}  // namespace sextant::search
