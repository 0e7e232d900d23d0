// Confinement of artifact locations to the configured roots, and byte ranges of downloads.
#include <gtest/gtest.h>

#include "artifacts/artifact_repo.hpp"
#include "artifacts/artifact_stores.hpp"
#include "core/artifact_uri.hpp"
#include "core/error.hpp"

using sextant::artifacts::ArtifactStores;
using sextant::artifacts::parse_range_header;
using sextant::artifacts::RangeNotSatisfiable;
using sextant::core::location_within;
using sextant::core::MlflowError;

TEST(LocationWithin, SameSchemeAuthorityAndSegmentPrefix) {
  EXPECT_TRUE(location_within("s3://bucket/prefix/1", "s3://bucket/prefix"));
  EXPECT_TRUE(location_within("s3://bucket/prefix", "s3://bucket/prefix/"));
  EXPECT_TRUE(location_within("s3://bucket/any/where", "s3://bucket"));
  EXPECT_FALSE(location_within("s3://bucket/prefix2/1", "s3://bucket/prefix"));  // not a segment prefix
  EXPECT_FALSE(location_within("s3://bucket2/prefix/1", "s3://bucket/prefix"));
  EXPECT_FALSE(location_within("s3://Bucket/prefix/1", "s3://bucket/prefix"));
  EXPECT_FALSE(location_within("gs://bucket/prefix/1", "s3://bucket/prefix"));
  EXPECT_TRUE(location_within("mlflow-artifacts:/1", "mlflow-artifacts:/"));
  EXPECT_FALSE(location_within("mlflow-artifacts://evil:80/1", "mlflow-artifacts:/"));
  EXPECT_TRUE(location_within("/srv/art/1", "/srv/art"));
  EXPECT_TRUE(location_within("file:///srv/art/a%20b", "/srv/art"));
  EXPECT_FALSE(location_within("/srv/artx", "/srv/art"));
  EXPECT_TRUE(location_within("wasbs://c@a.blob.core.windows.net/p/1?x=1", "wasbs://c@a.blob.core.windows.net/p?x=1"));
  EXPECT_FALSE(location_within("wasbs://c@a.blob.core.windows.net/p/1?x=2", "wasbs://c@a.blob.core.windows.net/p?x=1"));
}

TEST(LocationWithin, TraversalAndOddFormsNeverMatch) {
  for (const char* loc : {"s3://bucket/prefix/../other", "s3://bucket/prefix/%2e%2e/other",
                          "s3://bucket/prefix/%252E%252E/other", "s3://bucket/prefix/a%2F..%2F..%2Fx",
                          "s3://bucket/prefix/a\\..\\x", "s3://bucket/prefix/./x", "/srv/art/../etc",
                          "file:///srv/art/%2e%2e/etc", "relative/path", "s3:///prefix", "s3://bucket/prefix/\x01x",
                          "file://host/srv/art"}) {
    EXPECT_FALSE(location_within(loc, "s3://bucket/prefix")) << loc;
    EXPECT_FALSE(location_within(loc, "/srv/art")) << loc;
    EXPECT_FALSE(location_within(loc, "file:///srv/art")) << loc;
  }
}

TEST(ArtifactStores, NewLocationsMustStayInsideTheRoots) {
  ArtifactStores stores({"mlflow-artifacts:/", "s3://bucket/prefix", "/srv/art"}, nullptr);
  EXPECT_NO_THROW(stores.check_new_location("s3://bucket/prefix/team"));
  EXPECT_NO_THROW(stores.check_new_location("/srv/art/x"));
  EXPECT_NO_THROW(stores.check_new_location("mlflow-artifacts:/shared"));
  for (const char* loc : {"s3://bucket/other", "s3://bucket/prefix/../x", "file:///srv/art/x", "http://h/x",
                          "https://h/api/2.0/mlflow-artifacts/artifacts/x", "/etc", "gs://bucket/prefix"}) {
    EXPECT_THROW(stores.check_new_location(loc), MlflowError) << loc;
  }
  // Reading: outside the roots is refused; s3:// without an opener is not implemented.
  EXPECT_THROW(stores.open("/etc"), MlflowError);
  try {
    stores.open("s3://bucket/prefix/1");
    FAIL();
  } catch (const MlflowError& e) {
    EXPECT_EQ(e.code(), sextant::core::ErrorCode::NOT_IMPLEMENTED);
  }
  EXPECT_EQ(stores.open("/srv/art/1")->root_uri(), "/srv/art/1");
}

TEST(RangeHeader, SingleRanges) {
  auto r = parse_range_header("bytes=0-9", 100);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->first, 0u);
  EXPECT_EQ(r->last, 9u);
  r = parse_range_header("bytes=90-", 100);
  EXPECT_EQ(r->first, 90u);
  EXPECT_EQ(r->last, 99u);
  r = parse_range_header("bytes=-5", 100);
  EXPECT_EQ(r->first, 95u);
  EXPECT_EQ(r->length(), 5u);
  r = parse_range_header("bytes=50-1000", 100);
  EXPECT_EQ(r->last, 99u);
  r = parse_range_header("bytes=-500", 100);
  EXPECT_EQ(r->first, 0u);
  // Not usable: the whole file is sent.
  for (const char* h : {"", "items=0-1", "bytes=0-1,5-6", "bytes=5-1", "bytes=x-1", "bytes=", "bytes=-"})
    EXPECT_FALSE(parse_range_header(h, 100)) << h;
  EXPECT_THROW(parse_range_header("bytes=100-", 100), RangeNotSatisfiable);
  EXPECT_THROW(parse_range_header("bytes=-0", 100), RangeNotSatisfiable);
  EXPECT_THROW(parse_range_header("bytes=0-", 0), RangeNotSatisfiable);
}
