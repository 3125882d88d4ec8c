// The IMAP puller against the test Dovecot (fixture `databus_mail`): pull,
// peek, notify (move or flag), dedup in a drive, TLS modes, login errors.
#include "components/mail/imap_puller.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "components/mail/mail_test_server.h"
#include "databus/builtins.h"
#include "databus/error.h"
#include "databus/factories.h"
#include "storage/memory/memory_database.h"

namespace databus {
namespace {

using testing::HasSubstr;
using testing::Not;

class ImapPullerTest : public testing::Test {
 protected:
  void SetUp() override {
    server_ = MailTestServer::load();
    folder_ = server_.new_folder();
    passenger_.name = kEmailPassengerModule;
  }

  ComponentEnv env(nlohmann::json settings) {
    return ComponentEnv{"acme", kEmailPassengerModule, kImapPullerModule, std::move(settings), {}};
  }
  DriveContext context() {
    return DriveContext("acme", passenger_, log_, [] {
      Passenger p;
      p.passenger_module = kEmailPassengerModule;
      return p;
    });
  }
  // One drive of passenger_ against `database`, returning its log.
  Log drive(Database& database) {
    Log log;
    Factories factories = Factories::primal(builtin_registry());
    DriveRequest request;
    request.client_id = "acme";
    request.passenger = passenger_;
    request.database = &database;
    request.factories = &factories;
    request.log = &log;
    factories.driver("databus.driver.primal_driver")->drive(request);
    return log;
  }

  MailTestServer server_;
  std::string folder_;
  ClientPassenger passenger_;
  Log log_;
};

TEST_F(ImapPullerTest, PullsEachMessageAndPeekMovesNothing) {
  server_.deliver(folder_, test_message("<a-1@example.com>", "First"));
  server_.deliver(folder_, test_message("", "No id"));
  ImapPuller puller(env(server_.imap_settings(folder_)));
  DriveContext ctx = context();

  const std::vector<Passenger> got = puller.pull(ctx);

  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].external_id, "<a-1@example.com>");
  EXPECT_EQ(got[0].source_system, "imap");
  EXPECT_EQ(got[0].puller_module, kImapPullerModule);
  EXPECT_THAT(got[1].external_id, testing::StartsWith("blake2b:"));
  const Attachment* pdf = got[0].find_attachment("scan.pdf");
  ASSERT_NE(pdf, nullptr);
  EXPECT_EQ(pdf->format, AttachmentFormat::binary);
  EXPECT_EQ(pdf->content, "%PDF-1.4\n\xff");
  ASSERT_NE(got[0].find_attachment("_body.txt"), nullptr);
  EXPECT_EQ(got[0].find_attachment("_body.txt")->content, "Hello.");
  ASSERT_NE(got[0].find_attachment("_headers.json"), nullptr);
  EXPECT_THAT(got[0].find_attachment("_headers.json")->content, HasSubstr("\"First\""));

  // Neither pull nor peek moves or marks anything.
  ImapPuller peeker(env(server_.imap_settings(folder_)));
  EXPECT_EQ(peeker.peek(ctx).size(), 2u);
  EXPECT_EQ(server_.count(folder_), 2u);
  EXPECT_EQ(server_.count(folder_ + "-done"), 0u);
  EXPECT_EQ(server_.session()->search(folder_, "UNSEEN").size(), 2u);
}

TEST_F(ImapPullerTest, TakesTheOldestMaxMessagesAndNamesAMissingFolder) {
  for (const char* id : {"<o-1@example.com>", "<o-2@example.com>", "<o-3@example.com>"}) {
    server_.deliver(folder_, test_message(id, "Old first"));
  }
  nlohmann::json settings = server_.imap_settings(folder_);
  settings["max_messages"] = 2;
  DriveContext ctx = context();
  const std::vector<Passenger> got = ImapPuller(env(settings)).pull(ctx);
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].external_id, "<o-1@example.com>");
  EXPECT_EQ(got[1].external_id, "<o-2@example.com>");

  settings["folder"] = folder_ + "-missing";
  ImapPuller missing(env(settings));
  try {
    missing.pull(ctx);
    FAIL() << "pull of a missing folder succeeded";
  } catch (const Error& e) {
    EXPECT_THAT(e.what(), HasSubstr(folder_ + "-missing"));
    EXPECT_THAT(e.what(), Not(HasSubstr(server_.password)));
  }
}

TEST_F(ImapPullerTest, NotifyMovesTheSeatedMessagesIdempotently) {
  server_.deliver(folder_, test_message("<m-1@example.com>", "One"));
  server_.deliver(folder_, test_message("<m-2@example.com>", "Two"));
  ImapPuller puller(env(server_.imap_settings(folder_)));
  DriveContext ctx = context();
  std::vector<Passenger> got = puller.pull(ctx);
  ASSERT_EQ(got.size(), 2u);

  puller.notify(ctx, {got[0]});
  EXPECT_EQ(server_.count(folder_), 1u);
  EXPECT_EQ(server_.count(folder_ + "-done"), 1u);

  // A later puller (as after a crash) finds the message by its id; the one
  // already moved is fine.
  ImapPuller later(env(server_.imap_settings(folder_)));
  later.notify(ctx, got);
  EXPECT_EQ(server_.count(folder_), 0u);
  EXPECT_EQ(server_.count(folder_ + "-done"), 2u);
  later.notify(ctx, got);
  EXPECT_EQ(server_.count(folder_ + "-done"), 2u);
  EXPECT_TRUE(later.pull(ctx).empty());
}

TEST_F(ImapPullerTest, MovesByCopyAndExpungeWithoutMove) {
  server_.deliver(folder_, test_message("<c-1@example.com>", "Copy me"));
  std::unique_ptr<ImapSession> session = server_.session();
  const std::vector<std::uint32_t> uids = session->search(folder_, "ALL");
  ASSERT_EQ(uids.size(), 1u);
  session->ensure_folder(folder_ + "-copy");
  session->move(folder_, uids, folder_ + "-copy", false);
  EXPECT_TRUE(session->search(folder_, "ALL").empty());  // Expunged, not just \Deleted.
  EXPECT_EQ(server_.count(folder_ + "-copy"), 1u);
  session->move(folder_, uids, folder_ + "-copy", false);  // Gone already: harmless.
  EXPECT_EQ(server_.count(folder_ + "-copy"), 1u);
}

TEST_F(ImapPullerTest, FlagModeMarksInsteadOfMovingAndKeepsSeenAsItWas) {
  server_.deliver(folder_, test_message("<f-1@example.com>", "Flag me"));
  nlohmann::json settings = server_.imap_settings(folder_);
  settings.erase("done_folder");
  settings["flag"] = "$Databus";
  ImapPuller puller(env(settings));
  DriveContext ctx = context();
  const std::vector<Passenger> got = puller.pull(ctx);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(server_.session()->search(folder_, "UNSEEN").size(), 1u);

  puller.notify(ctx, got);
  EXPECT_EQ(server_.count(folder_), 1u);  // Still there, flagged.
  EXPECT_EQ(server_.session()->search(folder_, "KEYWORD $Databus").size(), 1u);
  EXPECT_TRUE(ImapPuller(env(settings)).pull(ctx).empty());
}

TEST_F(ImapPullerTest, DrivesSeatEachMessageIdOnce) {
  passenger_.pullers = {{kImapPullerModule, server_.imap_settings(folder_)}};
  server_.deliver(folder_, test_message("<d-1@example.com>", "Twice"));
  server_.deliver(folder_, test_message("<d-1@example.com>", "Twice"));
  server_.deliver(folder_, test_message("<d-2@example.com>", "Once"));
  MemoryDatabase database;

  const Log first = drive(database);
  EXPECT_FALSE(first.has_errors()) << first.to_text();
  EXPECT_EQ(database.query_entries("acme", EntryQuery{}).size(), 2u);
  EXPECT_EQ(server_.count(folder_), 0u);  // Both copies of d-1 moved.
  EXPECT_EQ(server_.count(folder_ + "-done"), 3u);

  // The same message again: already queued, so not seated a second time.
  server_.deliver(folder_, test_message("<d-1@example.com>", "Twice"));
  const Log second = drive(database);
  EXPECT_FALSE(second.has_errors()) << second.to_text();
  EXPECT_EQ(database.query_entries("acme", EntryQuery{}).size(), 2u);
  EXPECT_THAT(second.to_text(), HasSubstr("d-1@example.com"));
}

// Streamed one message a chunk, each notified from inside put() as the
// driver does: the second copy of d-1 comes after the first was moved, is
// not handed over again and is moved too.
TEST_F(ImapPullerTest, ASecondCopyOfAMessageNotifiedMeanwhileIsRetiredAtOnce) {
  server_.deliver(folder_, test_message("<d-1@example.com>", "Twice"));
  server_.deliver(folder_, test_message("<d-2@example.com>", "Once"));
  server_.deliver(folder_, test_message("<d-1@example.com>", "Twice"));
  nlohmann::json settings = server_.imap_settings(folder_);
  settings["chunk_messages"] = 1;
  ImapPuller puller(env(settings));
  DriveContext ctx = context();
  struct NotifyingSink : PassengerSink {
    NotifyingSink(Puller& puller, DriveContext& ctx) : puller(puller), ctx(ctx) {}
    void put(Passenger p) override {
      ids.push_back(p.external_id);
      puller.notify(ctx, {p});
    }
    Puller& puller;
    DriveContext& ctx;
    std::vector<std::string> ids;
  } sink(puller, ctx);

  puller.pull_into(ctx, sink);

  EXPECT_EQ(sink.ids, (std::vector<std::string>{"<d-1@example.com>", "<d-2@example.com>"}));
  EXPECT_EQ(server_.count(folder_), 0u);
  EXPECT_EQ(server_.count(folder_ + "-done"), 3u);
}

TEST_F(ImapPullerTest, SpeaksStarttlsAndPlainImapAndVerifiesCertificates) {
  server_.deliver(folder_, test_message("<t-1@example.com>", "TLS"));
  DriveContext ctx = context();
  nlohmann::json settings = server_.imap_settings(folder_);
  settings["port"] = server_.imap_port;
  settings["tls"] = "starttls";
  EXPECT_EQ(ImapPuller(env(settings)).pull(ctx).size(), 1u);
  settings["tls"] = "none";
  EXPECT_EQ(ImapPuller(env(settings)).pull(ctx).size(), 1u);

  // Without ca_file the self-signed certificate is not trusted...
  settings = server_.imap_settings(folder_);
  settings.erase("ca_file");
  ImapPuller untrusted(env(settings));
  EXPECT_THROW(untrusted.pull(ctx), Error);
  // ...unless verification is turned off.
  settings["verify_tls"] = false;
  EXPECT_EQ(ImapPuller(env(settings)).pull(ctx).size(), 1u);
}

TEST_F(ImapPullerTest, AWrongPasswordFailsWithoutShowingIt) {
  nlohmann::json settings = server_.imap_settings(folder_);
  settings["password"] = "wrong-pass-4711";
  ImapPuller puller(env(settings));
  DriveContext ctx = context();
  try {
    puller.pull(ctx);
    FAIL() << "pull with a wrong password succeeded";
  } catch (const Error& e) {
    EXPECT_THAT(e.what(), HasSubstr("Login denied"));
    EXPECT_THAT(e.what(), HasSubstr(std::to_string(server_.imaps_port)));
    EXPECT_THAT(e.what(), Not(HasSubstr("wrong-pass-4711")));
  }
}

}  // namespace
}  // namespace databus
