#include "databus/puller_health.h"

#include <gtest/gtest.h>

namespace databus {
namespace {

using std::chrono::minutes;
using State = PullerHealth::State;

const TimePoint kT0 = parse_iso("2026-12-07T10:00:00");

TEST(PullerHealthTest, FailingAfterThreeFailuresInARowAndOkAfterASuccess) {
  PullerHealth h;
  EXPECT_EQ(h.state(kT0, minutes(1)), State::unknown);
  h.record(kT0, "");
  EXPECT_EQ(h.state(kT0, minutes(1)), State::ok);
  h.record(kT0 + minutes(1), "wrong password");
  h.record(kT0 + minutes(2), "wrong password");
  EXPECT_EQ(h.state(kT0 + minutes(2), minutes(1)), State::ok);
  h.record(kT0 + minutes(3), "wrong password again");
  EXPECT_EQ(h.consecutive_failures, 3);
  EXPECT_EQ(h.state(kT0 + minutes(3), minutes(1)), State::failing);
  h.record(kT0 + minutes(4), "");
  EXPECT_EQ(h.state(kT0 + minutes(4), minutes(1)), State::ok);
  EXPECT_EQ(h.consecutive_failures, 0);
  EXPECT_EQ(h.last_error, "wrong password again");  // Kept for the record.
  EXPECT_EQ(h.last_success, kT0 + minutes(4));
}

TEST(PullerHealthTest, StaleWithoutSuccessForThreeIntervalsOrFiveMinutes) {
  PullerHealth h;
  h.record(kT0, "");
  // Driven every minute: five minutes rule.
  EXPECT_EQ(h.state(kT0 + minutes(4), minutes(1)), State::ok);
  EXPECT_EQ(h.state(kT0 + minutes(5), minutes(1)), State::stale);
  // Driven every ten minutes: three intervals.
  EXPECT_EQ(h.state(kT0 + minutes(29), minutes(10)), State::ok);
  EXPECT_EQ(h.state(kT0 + minutes(30), minutes(10)), State::stale);
  // A puller that never succeeded and failed once is stale after the time too.
  PullerHealth never;
  never.record(kT0, "refused");
  EXPECT_EQ(never.state(kT0 + minutes(1), minutes(1)), State::ok);
  EXPECT_EQ(never.state(kT0 + minutes(6), minutes(1)), State::stale);
}

TEST(PullerHealthTest, TheDocumentRoundTripsAndNamesBadFields) {
  PullerHealthMap map;
  map["databus.puller.mail.imap"].record(kT0, "");
  map["databus.puller.mail.imap"].record(kT0 + minutes(1), "login failed: \"x\"\nü");
  map["databus.puller.directory"];  // Never pulled.
  EXPECT_EQ(decode_puller_health(encode_puller_health(map)), map);
  EXPECT_THROW(decode_puller_health("[]"), std::invalid_argument);
  try {
    decode_puller_health(R"({"p": {"last_attempt": "yesterday"}})");
    FAIL();
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("puller health of p.last_attempt"), std::string::npos)
        << e.what();
  }
  EXPECT_THROW(decode_puller_health(R"({"p": {"consecutive_failures": -1}})"),
               std::invalid_argument);
}

}  // namespace
}  // namespace databus
