// The puller conformance suite (puller_conformance.h) for the IMAP puller,
// against the test Dovecot (fixture `databus_mail`): a folder of its own,
// messages fetched two at a time (chunk_messages), moved to "<folder>-done"
// once notified.
#include "components/mail/imap_puller.h"
#include "components/mail/mail_test_server.h"
#include "components/puller_conformance.h"

namespace databus::testing_support {
namespace {

class ImapSource : public PullerSource {
 public:
  ImapSource() : server_(MailTestServer::load()), folder_(server_.new_folder()) {}

  void fill(int n) override {
    for (int i = 1; i <= n; ++i) {
      server_.deliver(folder_, test_message(external_id(i), "Item " + std::to_string(i)));
    }
  }
  std::string external_id(int i) const override {
    return "<item-" + std::to_string(i) + "@example.com>";
  }
  std::unique_ptr<Puller> make_puller() override {
    nlohmann::json settings = server_.imap_settings(folder_);
    settings["chunk_messages"] = 2;
    return make_builtin_puller(kImapPullerModule, std::move(settings));
  }
  // Marks the last message \Deleted (the puller reads only undeleted ones).
  bool withdraw_last(int n) override {
    const std::vector<std::uint32_t> uids = server_.session()->search(folder_, "ALL");
    if (uids.size() < static_cast<std::size_t>(n)) return false;
    server_.session()->store(folder_, {uids[n - 1]}, "+FLAGS.SILENT (\\Deleted)");
    return true;
  }

 private:
  MailTestServer server_;
  std::string folder_;
};

INSTANTIATE_TEST_SUITE_P(Imap, PullerConformanceTest,
                         testing::Values(PullerKind{"imap",
                                                    [] { return std::make_unique<ImapSource>(); }}),
                         PullerKind::name_of);

}  // namespace
}  // namespace databus::testing_support
