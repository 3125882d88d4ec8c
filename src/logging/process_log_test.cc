#include "logging/process_log.h"

#include <sstream>

#include <gmock/gmock.h>
#include <nlohmann/json.hpp>

namespace databus::process_log {
namespace {

using ::testing::HasSubstr;
using ::testing::MatchesRegex;
using ::testing::Not;

class ProcessLogTest : public ::testing::Test {
 protected:
  void TearDown() override { configure(Options{}); }

  std::string capture(Level level, Format format, const std::function<void()>& log) {
    std::ostringstream out;
    configure(Options{level, format, &out});
    log();
    return out.str();
  }
};

TEST_F(ProcessLogTest, TextLinesHaveTimeLevelComponentClientAndPassenger) {
  const std::string text = capture(Level::info, Format::text, [] {
    warning("dispatcher", {.client = "demo", .passenger = "orders"}) << "cycle failed: " << 42;
  });
  // GoogleTest's regular expressions are POSIX extended ones: no \d.
  EXPECT_THAT(text,
              MatchesRegex("[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\\.[0-9]{3}Z "
                           "warning +\\[dispatcher\\] client=demo passenger=orders cycle "
                           "failed: 42\n"));
}

TEST_F(ProcessLogTest, JsonLinesAreOneObjectEach) {
  const std::string text = capture(Level::info, Format::json, [] {
    error("web", {.client = "demo"}) << "a \"quoted\"\nmessage";
    info("cluster") << "second";
  });
  std::istringstream lines(text);
  std::string first, second, none;
  ASSERT_TRUE(std::getline(lines, first));
  ASSERT_TRUE(std::getline(lines, second));
  EXPECT_FALSE(std::getline(lines, none));
  const nlohmann::json a = nlohmann::json::parse(first);
  EXPECT_EQ(a["level"], "error");
  EXPECT_EQ(a["component"], "web");
  EXPECT_EQ(a["client"], "demo");
  EXPECT_FALSE(a.contains("passenger"));
  EXPECT_EQ(a["message"], "a \"quoted\"\nmessage");
  EXPECT_THAT(a["time"].get<std::string>(), MatchesRegex("[0-9]{4}-.*T.*\\.[0-9]{3}Z"));
  EXPECT_EQ(nlohmann::json::parse(second)["level"], "info");
}

TEST_F(ProcessLogTest, MessagesBelowTheLevelAreDropped) {
  const std::string text = capture(Level::warning, Format::text, [] {
    debug("x") << "debug";
    info("x") << "info";
    warning("x") << "warning";
    error("x") << "error";
  });
  EXPECT_THAT(text, Not(HasSubstr("] debug")));
  EXPECT_THAT(text, Not(HasSubstr("] info")));
  EXPECT_THAT(text, HasSubstr("] warning"));
  EXPECT_THAT(text, HasSubstr("] error"));
  EXPECT_EQ(capture(Level::trace, Format::text, [] { trace("x") << "t"; }).empty(), false);
}

TEST_F(ProcessLogTest, NoMessageCarriesASecret) {
  add_secret("s3cr3t-from-the-command-line");
  for (Format format : {Format::text, Format::json}) {
    const std::string text = capture(Level::info, format, [] {
      error("storage") << "cannot connect to postgresql://databus:hunter2@db.example/databus";
      error("storage") << "conninfo host=db password=hunter3 dbname=x";
      error("storage") << "settings {\"api_key\": \"hunter4\", \"token\":'hunter5'}";
      warning("web") << "header Authorization: Bearer hunter6.abc was refused";
      warning("http") << "sent Basic aHVudGVyNzp4";
      info("cli") << "argument s3cr3t-from-the-command-line given";
      info("mail") << "secret=hunter8&user=x";
    });
    for (const char* secret : {"hunter2", "hunter3", "hunter4", "hunter5", "hunter6",
                               "aHVudGVyNzp4", "s3cr3t-from-the-command-line", "hunter8"}) {
      EXPECT_THAT(text, Not(HasSubstr(secret))) << text;
    }
    // What is not secret stays readable.
    EXPECT_THAT(text, HasSubstr("postgresql://databus:***@db.example/databus"));
    EXPECT_THAT(text, HasSubstr("user=x"));
  }
}

TEST_F(ProcessLogTest, LevelsAndFormatsParseOrNameTheAcceptedValues) {
  EXPECT_EQ(parse_level("trace"), Level::trace);
  EXPECT_EQ(parse_level("warning"), Level::warning);
  EXPECT_EQ(parse_format("json"), Format::json);
  try {
    parse_level("loud");
    FAIL();
  } catch (const std::invalid_argument& e) {
    EXPECT_THAT(e.what(), HasSubstr("trace, debug, info, warning or error"));
  }
  EXPECT_THROW(parse_format("xml"), std::invalid_argument);
}

}  // namespace
}  // namespace databus::process_log
