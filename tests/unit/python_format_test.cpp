// Unit tests for util/python_format (client values shown as MLflow's Python shows them) and the
// download headers of api/content_type (MLflow's mime map, Flask's Content-Disposition). The
// expected texts are what CPython 3.11 / werkzeug 3.1 print for the same input.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include <nlohmann/json.hpp>

#include "api/content_type.hpp"
#include "api/params.hpp"
#include "api/request_json.hpp"
#include "core/error.hpp"
#include "util/python_format.hpp"

namespace sextant {
namespace {

TEST(PythonFormat, JsonDumpsOfStrings) {
  EXPECT_EQ(util::python_json_string("foo"), "\"foo\"");
  EXPECT_EQ(util::python_json_string("\xc3\xa9\"\n\x7f\xf0\x9f\x98\x80\\"), R"("\u00e9\"\n\u007f\ud83d\ude00\\")");
  EXPECT_EQ(util::python_json_string(std::string("a\0b\x01", 4)), R"("a\u0000b\u0001")");
  EXPECT_EQ(util::python_json_string("\xff"), R"("\ufffd")");
}

TEST(PythonFormat, FloatRepr) {
  EXPECT_EQ(util::python_float_repr(9.0), "9.0");
  EXPECT_EQ(util::python_float_repr(-0.0), "-0.0");
  EXPECT_EQ(util::python_float_repr(1e15), "1000000000000000.0");
  EXPECT_EQ(util::python_float_repr(1e16), "1e+16");
  EXPECT_EQ(util::python_float_repr(123456789.123), "123456789.123");
  EXPECT_EQ(util::python_float_repr(0.0001), "0.0001");
  EXPECT_EQ(util::python_float_repr(1e-5), "1e-05");
  EXPECT_EQ(util::python_float_repr(1.5e300), "1.5e+300");
  EXPECT_EQ(util::python_float_repr(9007199254740992.0), "9007199254740992.0");
  EXPECT_EQ(util::python_float_repr(0.1), "0.1");
  EXPECT_EQ(util::python_float_repr(std::nan("")), "NaN");
  EXPECT_EQ(util::python_float_repr(-std::numeric_limits<double>::infinity()), "-Infinity");
}

// The message of the MLflow schema check for a value of the wrong JSON type.
std::string type_message(const char* json_text, const char* name) {
  try {
    api::throw_invalid_type(nlohmann::json::parse(json_text), name);
  } catch (const core::MlflowError& e) {
    return e.what();
  }
  return "";
}

TEST(PythonFormat, InvalidTypeMessagesAsMlflow) {
  const std::string tail = "'. See the API docs for more information about request parameters.";
  EXPECT_EQ(type_message("31", "run_id"), "Invalid value 31 for parameter 'run_id' supplied:  Hint: Value was of type 'int" + tail);
  EXPECT_EQ(type_message("9.0", "artifact_location"),
            "Invalid value 9.0 for parameter 'artifact_location' supplied:  Hint: Value was of type 'float" + tail);
  EXPECT_EQ(type_message("\"foo\"", "metrics"),
            "Invalid value \"foo\" for parameter 'metrics' supplied:  Hint: Value was of type 'str" + tail);
  EXPECT_EQ(type_message("true", "key"), "Invalid value true for parameter 'key' supplied:  Hint: Value was of type 'bool" + tail);
  EXPECT_EQ(type_message(R"({"b": [1, 2.5], "a": "\u00e9"})", "tags"),
            R"(Invalid value {"a":"\u00e9","b":[1,2.5]} for parameter 'tags' supplied:  Hint: Value was of type 'dict)" + tail);
  EXPECT_EQ(type_message("[]", "x"), "Invalid value [] for parameter 'x' supplied:  Hint: Value was of type 'list" + tail);
}

TEST(DownloadHeaders, ContentTypeAsMlflowGuessesIt) {
  EXPECT_EQ(api::artifact_content_type("a.txt"), "text/plain");
  EXPECT_EQ(api::artifact_content_type("dir/MLmodel"), "text/plain");
  EXPECT_EQ(api::artifact_content_type("mlproject"), "text/plain");
  EXPECT_EQ(api::artifact_content_type("MLproject"), "application/octet-stream");  // MLflow's name is "mlproject"
  EXPECT_EQ(api::artifact_content_type("x.json"), "text/plain");
  EXPECT_EQ(api::artifact_content_type("x.JSON"), "application/json");  // text list is case-sensitive
  EXPECT_EQ(api::artifact_content_type("c.png"), "image/png");
  EXPECT_EQ(api::artifact_content_type("c.PNG"), "image/png");
  EXPECT_EQ(api::artifact_content_type("dog%step%100.webp"), "image/webp");
  EXPECT_EQ(api::artifact_content_type("d.pdf"), "application/pdf");
  EXPECT_EQ(api::artifact_content_type("b.pkl"), "application/octet-stream");
  EXPECT_EQ(api::artifact_content_type("a.tar.gz"), "application/x-tar");
  EXPECT_EQ(api::artifact_content_type("a.tgz"), "application/x-tar");
  EXPECT_EQ(api::artifact_content_type("a.gz"), "application/octet-stream");
  EXPECT_EQ(api::artifact_content_type("a.svgz"), "image/svg+xml");
  EXPECT_EQ(api::artifact_content_type("page.html"), "text/html");
  EXPECT_EQ(api::artifact_content_type(".txt"), "application/octet-stream");  // a dot file has no extension
  EXPECT_EQ(api::artifact_content_type("txt"), "text/plain");
  EXPECT_EQ(api::artifact_content_type("script.sh"), "application/x-sh");
}

TEST(DownloadHeaders, ContentDispositionAsFlaskSendFile) {
  EXPECT_EQ(api::attachment_disposition("images/dog%step%100%timestamp%100%x.webp"),
            "attachment; filename=dog%step%100%timestamp%100%x.webp");
  EXPECT_EQ(api::attachment_disposition("MLmodel"), "attachment; filename=MLmodel");
  EXPECT_EQ(api::attachment_disposition("my file.txt"), "attachment; filename=\"my file.txt\"");
  EXPECT_EQ(api::attachment_disposition("a\"b\\c;d"), "attachment; filename=\"a\\\"b\\\\c;d\"");
  EXPECT_EQ(api::attachment_disposition("caf\xc3\xa9 \xe6\x97\xa5.txt"),
            "attachment; filename=\"cafe .txt\"; filename*=UTF-8''caf%C3%A9%20%E6%97%A5.txt");
  EXPECT_EQ(api::attachment_disposition("\xe6\x97\xa5"), "attachment; filename=\"\"; filename*=UTF-8''%E6%97%A5");
  EXPECT_EQ(api::attachment_disposition("a\r\nb"), "attachment; filename=a__b");
}

}  // namespace
}  // namespace sextant
