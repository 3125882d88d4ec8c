// End-to-end tests of `databus export`: they run the built binary.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>

#include "cli/program_test.h"

namespace databus::cli {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::Not;

class ExportCommandTest : public ProgramTest {};

TEST_F(ExportCommandTest, CopiesAClientIntoSqliteWhereCheckAndDriveWork) {
  const std::string data = (dir_ / "json").string();
  const std::string file = (dir_ / "out" / "databus.sqlite").string();
  ASSERT_EQ(databus({"init", "--demo", "--data-dir", data}).exit_code, 0);
  ASSERT_EQ(
      databus({"drive", "--data-dir", data, "demo", "databus.passenger.demo.demo_passenger_1"})
          .exit_code,
      0);

  const ProgramResult exported = databus({"export", "--data-dir", data, "--client", "demo",
                                          "--to-database", "sqlite", "--to-arg", "path=" + file});
  EXPECT_EQ(exported.exit_code, 0) << exported.err;
  EXPECT_THAT(exported.out, HasSubstr("exported client demo"));
  EXPECT_THAT(exported.out, HasSubstr("3 queue entries, 1 logs, 1 backups"));
  EXPECT_THAT(exported.err, Not(HasSubstr("\r")));  // No progress bar without a terminal.

  const ProgramResult check =
      databus({"check", "--database", "sqlite", "--database-arg", "path=" + file});
  EXPECT_EQ(check.exit_code, 0) << check.out << check.err;
  EXPECT_THAT(check.out, HasSubstr("demo: ok"));
  const ProgramResult drive =
      databus({"drive", "--database", "sqlite", "--database-arg", "path=" + file, "demo",
               "databus.passenger.demo.demo_passenger_2"});
  EXPECT_EQ(drive.exit_code, 0) << drive.out << drive.err;
}

TEST_F(ExportCommandTest, BadTargetsAreUsageErrorsNamingTheFlagOrKey) {
  const std::string data = (dir_ / "json").string();
  ASSERT_EQ(databus({"init", "--demo", "--data-dir", data}).exit_code, 0);
  const ProgramResult unknown_key = databus({"export", "--data-dir", data, "--client", "demo",
                                             "--to-database", "sqlite", "--to-arg", "file=x.db"});
  EXPECT_EQ(unknown_key.exit_code, 2);
  EXPECT_THAT(unknown_key.err, HasSubstr("databus: error:"));
  EXPECT_THAT(unknown_key.err, HasSubstr("file"));
  const ProgramResult malformed = databus({"export", "--data-dir", data, "--client", "demo",
                                           "--to-database", "sqlite", "--to-arg", "=x"});
  EXPECT_EQ(malformed.exit_code, 2);
  EXPECT_THAT(malformed.err, HasSubstr("--to-arg"));
  const ProgramResult no_client =
      databus({"export", "--data-dir", data, "--client", "nobody", "--to-database", "memory"});
  EXPECT_EQ(no_client.exit_code, 2);
  EXPECT_THAT(no_client.err, HasSubstr("nobody"));
}

}  // namespace
}  // namespace databus::cli
