#include "databus/config_version.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <set>

namespace databus {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

TEST(ConfigVersionTest, AMadeVersionCarriesItsTimeToTheMicrosecondAndIsUnique) {
  const TimePoint at = parse_iso("2026-12-07T15:56:31.123456");
  std::set<std::string> tags;
  for (int i = 0; i < 1000; ++i) {
    const ConfigVersion v = ConfigVersion::make("alice@demo", at);
    EXPECT_EQ(v.saved(), at);
    EXPECT_EQ(v.saved_by, "alice@demo");
    tags.insert(v.tag);
  }
  EXPECT_EQ(tags.size(), 1000u);  // Same microsecond, still one tag per save.
}

TEST(ConfigVersionTest, TheVersionOfATextChangesWithTheTextOrTheTimeOnly) {
  const TimePoint t = parse_iso("2026-01-02T03:04:05.000006");
  const ConfigVersion a = ConfigVersion::of_text("{\"a\": 1}", t);
  EXPECT_EQ(a.tag, ConfigVersion::of_text("{\"a\": 1}", t).tag);
  EXPECT_NE(a.tag, ConfigVersion::of_text("{\"a\": 2}", t).tag);
  EXPECT_NE(a.tag, ConfigVersion::of_text("{\"a\": 1}", t + std::chrono::microseconds(1)).tag);
  EXPECT_EQ(a.saved(), t);
  EXPECT_EQ(a.saved_by, "");
  // Without a time: the text alone.
  const ConfigVersion timeless = ConfigVersion::of_text("{\"a\": 1}", std::nullopt);
  EXPECT_EQ(timeless.tag, ConfigVersion::of_text("{\"a\": 1}", std::nullopt).tag);
  EXPECT_NE(timeless.tag, ConfigVersion::of_text("{\"a\": 2}", std::nullopt).tag);
  EXPECT_EQ(timeless.saved(), std::nullopt);
}

TEST(ConfigVersionTest, TagsWithoutATimeHaveNone) {
  EXPECT_EQ(ConfigVersion::saved_at(kUnversioned), std::nullopt);
  EXPECT_EQ(ConfigVersion::saved_at(""), std::nullopt);
  EXPECT_EQ(ConfigVersion::saved_at("-abc"), std::nullopt);
  EXPECT_EQ(ConfigVersion::saved_at("12x-abc"), std::nullopt);
  EXPECT_EQ(ConfigVersion::saved_at("99999999999999999999-abc"), std::nullopt);  // Overflows.
  EXPECT_EQ(ConfigVersion::saved_at("0-abc"), TimePoint{});
}

TEST(ConfigVersionTest, AConflictNamesTheNodeBothTimesAndWhoSavedTheCurrentVersion) {
  const ConfigVersion loaded = ConfigVersion::make("", parse_iso("2026-12-07T10:00:00.000001"));
  const ConfigVersion current =
      ConfigVersion::make("bob@demo", parse_iso("2026-12-07T10:05:00.250000"));
  const EditConflictError e("node __databus__ of client 'demo'", loaded.tag, current);
  EXPECT_THAT(e.what(), HasSubstr("node __databus__ of client 'demo' was saved at "
                                  "2026-12-07T10:05:00.250000 UTC by bob@demo"));
  EXPECT_THAT(e.what(), HasSubstr("(saved at 2026-12-07T10:00:00.000001 UTC)"));
  EXPECT_THAT(e.what(), HasSubstr("nothing was saved"));
  EXPECT_EQ(e.loaded(), loaded.tag);
  EXPECT_EQ(e.current().tag, current.tag);

  const EditConflictError unknown("node x", kUnversioned, ConfigVersion{kUnversioned, ""});
  EXPECT_THAT(unknown.what(), HasSubstr("node x was saved at an unknown time, after"));
  EXPECT_THAT(unknown.what(), Not(HasSubstr(" by ")));
}

}  // namespace
}  // namespace databus
