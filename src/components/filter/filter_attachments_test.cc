// databus.processor.filter_attachments, made through the registry.
#include "components/filter/filter_attachments.h"

#include <gtest/gtest.h>

#include "databus/builtins.h"
#include "databus/error.h"

namespace databus {
namespace {

class FilterAttachmentsTest : public testing::Test {
 protected:
  std::unique_ptr<Processor> make(nlohmann::json settings) {
    return registry_->make_processor({kFilterAttachmentsModule, std::move(settings)},
                                     ComponentEnv{"acme", "test.mail"});
  }
  QueueEntry entry(std::vector<std::string> names) {
    Passenger p;
    p.external_id = "m1";
    for (const auto& n : names) p.add_attachment(n, AttachmentFormat::binary, "x");
    return QueueEntry::seat(p, {kFilterAttachmentsModule}, {"a.pusher", "b.pusher"});
  }
  // Runs `processor` on `e` as the driver would (it then marks the step).
  void run(Processor& processor, QueueEntry& e) {
    DriveContext ctx("acme", passenger_, log_, [] { return Passenger{}; });
    processor.process(ctx, e);
  }

  std::shared_ptr<Registry> registry_ = builtin_registry();
  ClientPassenger passenger_;
  Log log_;
};

TEST_F(FilterAttachmentsTest, DefaultKeepsSpreadsheetsIgnoringCase) {
  auto filter = make(nlohmann::json::object());
  QueueEntry with = entry({"_body.txt", "Report.XLSX"});
  run(*filter, with);
  EXPECT_EQ(with.pusher("a.pusher")->status, StepStatus::incomplete);
  EXPECT_EQ(with.pusher("b.pusher")->status, StepStatus::incomplete);
  EXPECT_EQ(with.passenger.attachments.size(), 2u);

  QueueEntry old_excel = entry({"old.xls"});
  run(*filter, old_excel);
  EXPECT_EQ(old_excel.pusher("a.pusher")->status, StepStatus::incomplete);
}

TEST_F(FilterAttachmentsTest, PassengerWithoutMatchIsCompletedNeverPushed) {
  auto filter = make({{"extensions", {"csv", ".ZIP"}}});
  QueueEntry without = entry({"_body.txt", "sheet.xlsx", "csv"});  // "csv" is no extension.
  run(*filter, without);
  EXPECT_EQ(without.pusher("a.pusher")->status, StepStatus::complete);
  EXPECT_EQ(without.pusher("b.pusher")->status, StepStatus::complete);
  EXPECT_EQ(without.processor(kFilterAttachmentsModule)->status, StepStatus::complete);
  EXPECT_EQ(without.passenger.attachments.size(), 3u);  // Nothing removed.

  QueueEntry with = entry({"data.Zip"});
  run(*filter, with);
  EXPECT_EQ(with.pusher("a.pusher")->status, StepStatus::incomplete);
}

TEST_F(FilterAttachmentsTest, InvalidExtensionsAreConfigErrors) {
  for (const nlohmann::json& bad :
       {nlohmann::json::array(), nlohmann::json{""}, nlohmann::json{"."}, nlohmann::json("xlsx"),
        nlohmann::json{1}}) {
    try {
      make({{"extensions", bad}});
      ADD_FAILURE() << "accepted " << bad.dump();
    } catch (const ConfigError& e) {
      EXPECT_EQ(e.field(), "extensions");
    }
  }
}

}  // namespace
}  // namespace databus
