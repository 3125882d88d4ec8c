#include "storage/json_db/passenger_codec.h"

#include <gtest/gtest.h>

#include "databus/error.h"

namespace databus {
namespace {

// Written by the original Python Databus.
const std::string kOriginal =
    R"({"external_id": "ID_1_2", "internal_id": "082791e0-5e07-11ed-8023-acde48001122", )"
    R"("source_system": "DEMO_SYSTEM", "passenger_module": "databus.passenger.demo.demo_passenger_1", )"
    R"("puller_module": "databus.puller.demo.demo_puller_1", "puller_notified": true, )"
    R"("pull_datetime": "2022-11-06T22:13:01.294628", "attachments": [], "log_guids": )"
    R"(["081f0a34-5e07-11ed-b7cc-acde48001122"], "processor_statuses": [{"processor_module": )"
    R"("databus.processor.demo.demo_processor_1", "status": "complete"}], "pusher_statuses": )"
    R"([{"pusher_module": "databus.pusher.demo.demo_pusher_1", "status": "complete"}]})";

// Expects decoding `text` to fail with a message containing `needle`.
void expect_corrupt(const std::string& text, const std::string& needle) {
  try {
    decode_passenger_json(text, "x/passenger.json");
    ADD_FAILURE() << "decoded: " << text;
  } catch (const CorruptDataError& e) {
    EXPECT_EQ(e.path(), "x/passenger.json");
    EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
  }
}

std::string replaced(std::string text, const std::string& from, const std::string& to) {
  text.replace(text.find(from), from.size(), to);
  return text;
}

TEST(PassengerCodecTest, TheOriginalFormIsReadAndWrittenBackTheSame) {
  QueueEntry e = decode_passenger_json(kOriginal, "p");
  EXPECT_EQ(e.passenger.external_id, "ID_1_2");
  EXPECT_EQ(e.passenger.pull_datetime, parse_iso("2022-11-06T22:13:01.294628"));
  EXPECT_TRUE(e.puller_notified);
  ASSERT_EQ(e.processor_statuses.size(), 1u);
  EXPECT_EQ(e.processor_statuses[0],
            (StepState{"databus.processor.demo.demo_processor_1", StepStatus::complete, 0, ""}));
  EXPECT_EQ(encode_passenger_json(e), kOriginal);
}

TEST(PassengerCodecTest, TheCountOfDroppedLogGuidsIsWrittenOnlyWhenSet) {
  QueueEntry e = decode_passenger_json(kOriginal, "p");
  EXPECT_EQ(e.passenger.log_guids_dropped, 0u);
  EXPECT_EQ(encode_passenger_json(e).find("log_guids_dropped"), std::string::npos);
  e.passenger.log_guids_dropped = 222;
  const std::string text = encode_passenger_json(e);
  EXPECT_NE(text.find(R"("log_guids_dropped": 222, )"), std::string::npos) << text;
  EXPECT_EQ(decode_passenger_json(text, "p"), e);
  expect_corrupt(replaced(text, "222", "-1"), "log_guids_dropped");
  expect_corrupt(replaced(text, "222", R"("many")"), "log_guids_dropped");
}

TEST(PassengerCodecTest, AttemptsAndLastErrorOnlyWhenSet) {
  QueueEntry e = decode_passenger_json(kOriginal, "p");
  e.pusher_statuses[0] = {"databus.pusher.demo.demo_pusher_1", StepStatus::incomplete, 3,
                          "refused \"x\"\nline 2"};
  e.passenger.attachments = {{"a (2).txt", AttachmentFormat::text, "ignored"},
                             {"b.bin", AttachmentFormat::binary, ""}};
  const std::string text = encode_passenger_json(e);
  EXPECT_EQ(text.find('\n'), std::string::npos);
  EXPECT_NE(text.find(R"("attempts": 3, "last_error": "refused \"x\"\nline 2")"),
            std::string::npos);
  EXPECT_EQ(text.find("ignored"), std::string::npos);
  QueueEntry back = decode_passenger_json(text, "p");
  e.passenger.attachments[0].content.clear();
  EXPECT_EQ(back, e);
}

TEST(PassengerCodecTest, NextAttemptAndQuarantineOnlyWhenSet) {
  QueueEntry e = decode_passenger_json(kOriginal, "p");
  EXPECT_EQ(encode_passenger_json(e).find("next_attempt"), std::string::npos);
  EXPECT_EQ(encode_passenger_json(e).find("quarantined"), std::string::npos);
  StepState& push = e.pusher_statuses[0];
  push = {"databus.pusher.demo.demo_pusher_1", StepStatus::incomplete, 20, "down"};
  push.next_attempt = parse_iso("2026-12-07T10:00:00.250000");
  push.quarantined = true;
  const std::string text = encode_passenger_json(e);
  EXPECT_NE(text.find(R"("next_attempt": "2026-12-07T10:00:00.250000", "quarantined": true)"),
            std::string::npos)
      << text;
  EXPECT_EQ(decode_passenger_json(text, "p"), e);
  expect_corrupt(replaced(text, "2026-12-07T10:00:00.250000", "soon"),
                 "pusher_statuses[0].next_attempt");
  expect_corrupt(replaced(text, "\"quarantined\": true", "\"quarantined\": 1"),
                 "pusher_statuses[0].quarantined");
}

// The bytes of every kind of string the encoder escapes (quotes, control
// characters, DEL, non-ASCII UTF-8, invalid UTF-8 replaced), pinned to what
// the nlohmann::json-based encoder of commit 1101ff7 wrote.
TEST(PassengerCodecTest, EscapesAreWrittenAsBefore) {
  QueueEntry e = decode_passenger_json(kOriginal, "p");
  e.passenger.external_id = "q\"b\\n\nt\tc\x01\x1f\x7f \xc3\xa9\xe2\x82\xac bad\xff/end";
  e.passenger.log_guids = {};
  e.processor_statuses[0].attempts = 12;
  e.processor_statuses[0].last_error = "\b\f\r";
  e.passenger.attachments = {{"a b.txt", AttachmentFormat::binary, ""}};
  const std::string expected =
      "{\"external_id\": \"q\\\"b\\\\n\\nt\\tc\\u0001\\u001f\x7F \xC3\xA9\xE2\x82\xAC "
      "bad\xEF\xBF\xBD/end\", \"internal_id\": \"082791e0-5e07-11ed-8023-acde48001122\", "
      "\"source_system\": \"DEMO_SYSTEM\", \"passenger_module\": "
      "\"databus.passenger.demo.demo_passenger_1\", \"puller_module\": "
      "\"databus.puller.demo.demo_puller_1\", \"puller_notified\": true, \"pull_datetime\": "
      "\"2022-11-06T22:13:01.294628\", \"attachments\": [{\"name\": \"a b.txt\", \"format\": "
      "\"binary\"}], \"log_guids\": [], \"processor_statuses\": [{\"processor_module\": "
      "\"databus.processor.demo.demo_processor_1\", \"status\": \"complete\", \"attempts\": 12, "
      "\"last_error\": \"\\b\\f\\r\"}], \"pusher_statuses\": [{\"pusher_module\": "
      "\"databus.pusher.demo.demo_pusher_1\", \"status\": \"complete\"}]}";
  EXPECT_EQ(encode_passenger_json(e), expected);
}

TEST(PassengerCodecTest, MalformedFilesNameTheField) {
  expect_corrupt("{ not json", "not valid JSON");
  expect_corrupt("[]", "not an object");
  expect_corrupt(replaced(kOriginal, R"("source_system": "DEMO_SYSTEM", )", ""),
                 "field 'source_system' is missing");
  expect_corrupt(replaced(kOriginal, R"("puller_notified": true)", R"("puller_notified": "yes")"),
                 "field 'puller_notified' must be boolean");
  expect_corrupt(replaced(kOriginal, "2022-11-06T22:13:01.294628", "yesterday"),
                 "field 'pull_datetime'");
  expect_corrupt(
      replaced(kOriginal, R"("status": "complete"}], "pusher)", R"("status": "done"}], "pusher)"),
      "field 'processor_statuses[0].status'");
  expect_corrupt(replaced(kOriginal, R"("attachments": [])",
                          R"("attachments": [{"name": "../../x", "format": "text"}])"),
                 "field 'attachments[0].name' is not a safe file name");
  expect_corrupt(replaced(kOriginal, R"("attachments": [])",
                          R"("attachments": [{"name": "x", "format": "pdf"}])"),
                 "field 'attachments[0].format'");
  expect_corrupt(replaced(kOriginal, R"("pusher_module": )", R"("module": )"),
                 "field 'pusher_statuses[0].pusher_module' is missing");
}

// Found by the fuzz target passenger_json (fuzz/corpus/passenger_json/
// crash-number-overflow.json): a number too large for a double made the JSON
// library throw out_of_range, not parse_error, and it escaped as such.
TEST(PassengerCodecTest, ANumberTooLargeIsCorrupt) {
  expect_corrupt(R"({"extescurystem":999e48001122", "s"})", "is not valid JSON");
  expect_corrupt(replaced(kOriginal, R"("puller_notified": true)", R"("puller_notified": 1e999)"),
                 "is not valid JSON");
}

// Found by the fuzz target passenger_json (fuzz/corpus/passenger_json/
// crash-pull-datetime-year-1012.json): a pull time in a year a TimePoint
// cannot hold overflowed while decoding; it is a corrupt field now.
TEST(PassengerCodecTest, PullTimeOutsideTheClockRangeIsCorrupt) {
  expect_corrupt(
      replaced(kOriginal, "2022-11-06T22:13:01.294628", "1012-02-29T23:59:60.123456789+01:30"),
      "field 'pull_datetime' is not an ISO date and time");
  expect_corrupt(replaced(kOriginal, "2022-11-06T22:13:01.294628", "9999-12-31T23:59:59.999999"),
                 "field 'pull_datetime' is not an ISO date and time");
}

}  // namespace
}  // namespace databus
