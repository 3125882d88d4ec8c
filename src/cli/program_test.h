// ProgramTest: the fixture of the tests that run the built `databus` binary
// (no store of their own): a scratch folder, removed afterwards, and
// databus(args) to run the program there. Test support, not program code.
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <string>
#include <vector>

#include "cli/child_process.h"
#include "test_paths.h"

namespace databus::cli {

class ProgramTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "databus_program_test_XXXXXX").string();
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  // Runs the built program with `args` to its end, in the scratch folder.
  ProgramResult databus(std::vector<std::string> args) {
    args.insert(args.begin(), DATABUS_CLI_PATH);
    return run_program(args, dir_);
  }

  std::filesystem::path dir_;
};

}  // namespace databus::cli
