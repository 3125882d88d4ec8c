// The conformance suite, part 3: a client configuration's version and the
// compare-and-set write of the edit conflict check (config_version.h,
// database.h: read_client_config_versioned(), write_client_config_text_if()).
#include <latch>
#include <optional>
#include <thread>

#include "databus/error.h"
#include "storage/database_conformance.h"

namespace databus {
namespace {

constexpr char kFirst[] = "{\"log_life_span\": 1, \"passengers\": [], \"users\": []}";
constexpr char kSecond[] = "{\"log_life_span\": 2, \"passengers\": [], \"users\": []}";
constexpr char kThird[] = "{\"log_life_span\": 3, \"passengers\": [], \"users\": []}";

}  // namespace

TEST_P(DatabaseConformanceTest, ConfigVersionStaysUntilAWriteChangesIt) {
  db_->write_client_config_text("acme", kFirst);
  const VersionedText first = db_->read_client_config_versioned("acme");
  EXPECT_EQ(first.text, kFirst);
  EXPECT_FALSE(first.version.tag.empty());
  EXPECT_EQ(db_->read_client_config_versioned("acme").version.tag, first.version.tag);
  // An unconditional write (the CLI, an export) makes a new version too.
  db_->write_client_config_text("acme", kSecond);
  const VersionedText second = db_->read_client_config_versioned("acme");
  EXPECT_EQ(second.text, kSecond);
  EXPECT_NE(second.version.tag, first.version.tag);
  EXPECT_EQ(second.version.saved_by, "");
  EXPECT_THROW(db_->read_client_config_versioned("nobody"), NotFoundError);
}

TEST_P(DatabaseConformanceTest, WriteFromTheCurrentVersionSavesAndRecordsWhoAndWhen) {
  db_->write_client_config_text("acme", kFirst);
  const ConfigVersion loaded = db_->read_client_config_versioned("acme").version;
  const TimePoint before = Clock::now();
  const ConfigVersion saved =
      db_->write_client_config_text_if("acme", kSecond, loaded.tag, "alice@acme");
  EXPECT_NE(saved.tag, loaded.tag);
  EXPECT_EQ(saved.saved_by, "alice@acme");
  ASSERT_TRUE(saved.saved().has_value());
  EXPECT_GE(*saved.saved(), before - std::chrono::seconds(2));  // A file system's clock.
  EXPECT_LE(*saved.saved(), Clock::now() + std::chrono::seconds(2));

  const VersionedText now = db_->read_client_config_versioned("acme");
  EXPECT_EQ(now.text, kSecond);
  EXPECT_EQ(now.version.tag, saved.tag);
  EXPECT_EQ(now.version.saved_by, "alice@acme");
  EXPECT_EQ(db_->read_client_config_text("acme"), kSecond);
  EXPECT_EQ(db_->load_client("acme").log_life_span, 2);

  if (db_->engine() == "memory") return;  // Nothing persists.
  db_.reset();
  db_ = reopen();
  const VersionedText reopened = db_->read_client_config_versioned("acme");
  EXPECT_EQ(reopened.text, kSecond);
  EXPECT_EQ(reopened.version.tag, saved.tag);
  EXPECT_EQ(reopened.version.saved_by, "alice@acme");
}

TEST_P(DatabaseConformanceTest, WriteFromAStaleVersionIsRefusedAndChangesNothing) {
  db_->write_client_config_text("acme", kFirst);
  const ConfigVersion loaded = db_->read_client_config_versioned("acme").version;
  const ConfigVersion alice =
      db_->write_client_config_text_if("acme", kSecond, loaded.tag, "alice@acme");
  try {
    db_->write_client_config_text_if("acme", kThird, loaded.tag, "bob@acme");
    FAIL() << "a save from a stale version was accepted";
  } catch (const EditConflictError& e) {
    EXPECT_EQ(e.loaded(), loaded.tag);
    EXPECT_EQ(e.current().tag, alice.tag);
    EXPECT_EQ(e.current().saved_by, "alice@acme");
    EXPECT_NE(std::string(e.what()).find("client 'acme'"), std::string::npos) << e.what();
  }
  EXPECT_EQ(db_->read_client_config_versioned("acme").text, kSecond);
  EXPECT_EQ(db_->read_client_config_versioned("acme").version.tag, alice.tag);

  // An unconditional write makes what was loaded before it stale as well.
  db_->write_client_config_text("acme", kThird);
  EXPECT_THROW(db_->write_client_config_text_if("acme", kFirst, alice.tag, "bob@acme"),
               EditConflictError);
  EXPECT_EQ(db_->read_client_config_text("acme"), kThird);
  // A tag nobody handed out matches nothing.
  EXPECT_THROW(db_->write_client_config_text_if("acme", kFirst, "", "x"), EditConflictError);
  EXPECT_THROW(db_->write_client_config_text_if("acme", kFirst, std::string("1-\0x", 4), "x"),
               EditConflictError);
  EXPECT_EQ(db_->read_client_config_text("acme"), kThird);
}

TEST_P(DatabaseConformanceTest, ConditionalWriteNeverCreatesAClient) {
  EXPECT_THROW(db_->write_client_config_text_if("nobody", kFirst, kUnversioned, "x"),
               NotFoundError);
  EXPECT_TRUE(db_->client_ids().empty());
}

// Two saves from the same loaded version at the same instant (two browser
// tabs, two nodes): exactly one wins, the other is told the winner's version,
// and the stored text is the winner's.
TEST_P(DatabaseConformanceTest, OfTwoConcurrentSavesFromOneVersionExactlyOneWins) {
  db_->write_client_config_text("acme", kFirst);
  for (int round = 0; round < 20; ++round) {
    const ConfigVersion loaded = db_->read_client_config_versioned("acme").version;
    // Texts of their own each round: the JSON DB's tag is the file's time
    // (a clock tick, not a microsecond) and text, so a text written again
    // within one tick may keep its tag, which loses nothing but would let
    // both saves of this test pass.
    const std::string r = std::to_string(round);
    const std::string texts[2] = {"{\"log_life_span\": 2, \"round\": " + r + "}",
                                  "{\"log_life_span\": 3, \"round\": " + r + "}"};
    std::optional<ConfigVersion> won[2];
    std::optional<EditConflictError> lost[2];
    std::latch start(2);
    auto save = [&](int i) {
      start.arrive_and_wait();
      try {
        won[i] = db_->write_client_config_text_if("acme", texts[i], loaded.tag,
                                                  "user" + std::to_string(i));
      } catch (const EditConflictError& e) {
        lost[i] = e;
      }
    };
    std::thread a(save, 0), b(save, 1);
    a.join();
    b.join();
    ASSERT_NE(won[0].has_value(), won[1].has_value()) << "round " << round;
    const int winner = won[0] ? 0 : 1;
    const int loser = 1 - winner;
    ASSERT_TRUE(lost[loser].has_value()) << "round " << round;
    EXPECT_EQ(lost[loser]->current().tag, won[winner]->tag);
    EXPECT_EQ(lost[loser]->current().saved_by, "user" + std::to_string(winner));
    const VersionedText stored = db_->read_client_config_versioned("acme");
    EXPECT_EQ(stored.text, texts[winner]);
    EXPECT_EQ(stored.version.tag, won[winner]->tag);
  }
}

}  // namespace databus
