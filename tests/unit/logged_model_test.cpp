// Unit tests for logged-model values and helpers: status names, the name rule, Python-style
// reprs, and the logged-model page tokens (mlflow-api.md §1.7, §2.6).
#include <gtest/gtest.h>

#include "api/page_token.hpp"
#include "core/error.hpp"
#include "core/logged_model.hpp"
#include "util/base64.hpp"
#include "util/strings.hpp"

namespace sextant {
namespace {

using core::LoggedModelStatus;

std::string error_of(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const core::MlflowError& e) {
    EXPECT_EQ(e.code(), core::ErrorCode::INVALID_PARAMETER_VALUE);
    return e.what();
  }
  ADD_FAILURE() << "expected an error";
  return {};
}

TEST(LoggedModelStatus, NamesAndNumbers) {
  EXPECT_EQ(core::logged_model_status_name(LoggedModelStatus::Unspecified), "LOGGED_MODEL_STATUS_UNSPECIFIED");
  EXPECT_EQ(core::logged_model_status_name(LoggedModelStatus::Pending), "LOGGED_MODEL_PENDING");
  EXPECT_EQ(core::logged_model_status_name(LoggedModelStatus::Ready), "LOGGED_MODEL_READY");
  EXPECT_EQ(core::logged_model_status_name(LoggedModelStatus::UploadFailed), "LOGGED_MODEL_UPLOAD_FAILED");
  EXPECT_EQ(core::parse_logged_model_status("LOGGED_MODEL_READY"), LoggedModelStatus::Ready);
  EXPECT_EQ(core::parse_logged_model_status("3"), LoggedModelStatus::UploadFailed);
  EXPECT_EQ(core::parse_logged_model_status("0"), LoggedModelStatus::Unspecified);
  EXPECT_EQ(core::parse_logged_model_status("4"), std::nullopt);
  EXPECT_EQ(core::parse_logged_model_status("READY"), std::nullopt);
  EXPECT_EQ(core::parse_logged_model_status("logged_model_ready"), std::nullopt);
  EXPECT_EQ(core::logged_model_status_from_int(2), LoggedModelStatus::Ready);
  EXPECT_EQ(core::logged_model_status_from_int(9), LoggedModelStatus::Unspecified);
}

TEST(LoggedModelName, Rule) {
  core::validate_logged_model_name("model");
  core::validate_logged_model_name("my model-1_x");
  EXPECT_EQ(error_of([] { core::validate_logged_model_name("a/b"); }),
            "Invalid model name ('a/b') provided. Model name must be a non-empty string and cannot contain the "
            "following characters: ('/', ':', '.', '%', '\"', \"'\")");
  for (const char* bad : {"", "a:b", "a.b", "50%", "say \"hi\"", "it's"}) {
    EXPECT_NE(error_of([bad] { core::validate_logged_model_name(bad); }).find("Invalid model name ("),
              std::string::npos)
        << bad;
  }
  EXPECT_NE(error_of([] { core::validate_logged_model_name("it's"); }).find("(\"it's\")"), std::string::npos);
}

TEST(PythonRepr, Strings) {
  EXPECT_EQ(util::python_repr("abc"), "'abc'");
  EXPECT_EQ(util::python_repr("it's"), "\"it's\"");
  EXPECT_EQ(util::python_repr("a'b\"c"), "'a\\'b\"c'");
  EXPECT_EQ(util::python_repr("a\\b\n\t\x01"), "'a\\\\b\\n\\t\\x01'");
  EXPECT_EQ(util::python_repr("h\xc3\xa9"), "'h\xc3\xa9'");
}

api::LoggedModelPageQuery query(std::vector<std::string> ids, std::optional<std::string> filter,
                                std::vector<api::LoggedModelOrderField> order = {}) {
  return {std::move(ids), std::move(filter), std::move(order)};
}

// Reference tokens, produced with MLflow's SearchLoggedModelsPaginationToken(...).encode().
TEST(LoggedModelPageToken, SameBytesAsMlflow) {
  EXPECT_EQ(api::encode_logged_model_page_token(query({"1"}, std::nullopt), 2),
            "eyJleHBlcmltZW50X2lkcyI6IFsiMSJdLCAiZmlsdGVyX3N0cmluZyI6IG51bGwsICJvcmRlcl9ieSI6IG51bGwsICJvZmZzZXQiOiAyfQ==");
  EXPECT_EQ(api::encode_logged_model_page_token(
                query({"1", "2"}, std::string("name = 'm'"), {{"name", true, std::nullopt, std::nullopt}}), 50),
            "eyJleHBlcmltZW50X2lkcyI6IFsiMSIsICIyIl0sICJmaWx0ZXJfc3RyaW5nIjogIm5hbWUgPSAnbSciLCAib3JkZXJfYnkiOiBbeyJmaWVs"
            "ZF9uYW1lIjogIm5hbWUiLCAiYXNjZW5kaW5nIjogdHJ1ZSwgImRhdGFzZXRfbmFtZSI6IG51bGwsICJkYXRhc2V0X2RpZ2VzdCI6IG51bGx9"
            "XSwgIm9mZnNldCI6IDUwfQ==");
  EXPECT_EQ(api::encode_logged_model_page_token(query({"1"}, std::string("tags.x = '\xc3\xa9'")), 2),
            "eyJleHBlcmltZW50X2lkcyI6IFsiMSJdLCAiZmlsdGVyX3N0cmluZyI6ICJ0YWdzLnggPSAnXHUwMGU5JyIsICJvcmRlcl9ieSI6IG51bGws"
            "ICJvZmZzZXQiOiAyfQ==");
}

TEST(LoggedModelPageToken, RoundTripAndValidation) {
  auto q = query({"1", "2"}, std::string("metrics.a > 1"), {{"metrics.a", false, std::string("ds"), std::nullopt}});
  auto token = api::encode_logged_model_page_token(q, 30);
  EXPECT_EQ(api::decode_logged_model_page_token(token, q), 30);
  EXPECT_EQ(api::decode_logged_model_page_token(std::nullopt, q), 0);
  EXPECT_EQ(api::decode_logged_model_page_token(std::string(""), q), 0);

  auto other_ids = q;
  other_ids.experiment_ids = {"2", "1"};
  EXPECT_EQ(error_of([&] { api::decode_logged_model_page_token(token, other_ids); }),
            "Experiment IDs in the page token do not match the requested experiment IDs. Expected: ['2', '1']. "
            "Found: ['1', '2']");
  auto other_filter = q;
  other_filter.filter_string = std::nullopt;
  EXPECT_EQ(error_of([&] { api::decode_logged_model_page_token(token, other_filter); }),
            "Filter string in the page token does not match the requested filter string. Expected: None. Found: "
            "metrics.a > 1");
  auto other_order = q;
  other_order.order_by[0].ascending = true;
  EXPECT_EQ(error_of([&] { api::decode_logged_model_page_token(token, other_order); }),
            "Order by in the page token does not match the requested order by. Expected: [{'field_name': "
            "'metrics.a', 'ascending': True, 'dataset_name': 'ds', 'dataset_digest': None}]. Found: [{'field_name': "
            "'metrics.a', 'ascending': False, 'dataset_name': 'ds', 'dataset_digest': None}]");
}

TEST(LoggedModelPageToken, KeyOrderAndEmptyValuesAsPython) {
  // Key order inside the JSON does not matter; "" / [] count as None (Python's `x or None`).
  auto q = query({"1"}, std::nullopt);
  auto token = util::base64_encode(R"({"offset": 7, "order_by": [], "filter_string": "", "experiment_ids": ["1"]})");
  EXPECT_EQ(api::decode_logged_model_page_token(token, q), 7);
  auto no_offset = util::base64_encode(R"({"experiment_ids": ["1"]})");
  EXPECT_EQ(api::decode_logged_model_page_token(no_offset, q), 0);
}

TEST(LoggedModelPageToken, BadTokens) {
  auto q = query({"1"}, std::nullopt);
  for (std::string bad : {std::string("not base64!"), util::base64_encode("[1]"), util::base64_encode("{oops"),
                          util::base64_encode(R"({"experiment_ids": ["1"], "offset": -1})"),
                          util::base64_encode(R"({"experiment_ids": ["1"], "offset": "3"})")}) {
    EXPECT_NE(error_of([&] { api::decode_logged_model_page_token(bad, q); }).find("Invalid page token: "),
              std::string::npos)
        << bad;
  }
  // An offset token of the other APIs names no experiments: a mismatch, not a crash.
  EXPECT_NE(error_of([&] { api::decode_logged_model_page_token(util::base64_encode("{\"offset\": 5}"), q); })
                .find("Experiment IDs in the page token do not match"),
            std::string::npos);
}

}  // namespace
}  // namespace sextant
