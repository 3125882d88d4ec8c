// databus.processor.unzip on archives written here with libarchive.
#include "components/unzip/unzip.h"

#include <archive.h>
#include <archive_entry.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>

#include "databus/attachment_content.h"
#include "databus/builtins.h"
#include "databus/error.h"
#include "databus/uuid.h"

namespace databus {
namespace {

using testing::ElementsAre;
using testing::HasSubstr;

struct ZipItem {
  std::string path;
  std::string content;
  unsigned type = AE_IFREG;
};

// A zip archive (deflate) of `items`, in memory.
std::string make_zip(const std::vector<ZipItem>& items) {
  std::string buffer(8 * 1024 * 1024, '\0');
  size_t used = 0;
  struct archive* a = archive_write_new();
  EXPECT_EQ(archive_write_set_format_zip(a), ARCHIVE_OK);
  EXPECT_EQ(archive_write_open_memory(a, buffer.data(), buffer.size(), &used), ARCHIVE_OK);
  for (const ZipItem& item : items) {
    struct archive_entry* e = archive_entry_new();
    archive_entry_set_pathname(e, item.path.c_str());
    archive_entry_set_filetype(e, item.type);
    archive_entry_set_perm(e, 0644);
    if (item.type == AE_IFLNK) archive_entry_set_symlink(e, "/etc/passwd");
    archive_entry_set_size(
        e, item.type == AE_IFREG ? static_cast<la_int64_t>(item.content.size()) : 0);
    EXPECT_EQ(archive_write_header(a, e), ARCHIVE_OK) << archive_error_string(a);
    if (item.type == AE_IFREG && !item.content.empty()) {
      EXPECT_EQ(archive_write_data(a, item.content.data(), item.content.size()),
                static_cast<la_ssize_t>(item.content.size()));
    }
    archive_entry_free(e);
  }
  EXPECT_EQ(archive_write_close(a), ARCHIVE_OK);
  archive_write_free(a);
  buffer.resize(used);
  return buffer;
}

class UnzipTest : public testing::Test {
 protected:
  std::unique_ptr<Processor> make(nlohmann::json settings = nlohmann::json::object()) {
    return registry_->make_processor({kUnzipModule, std::move(settings)},
                                     ComponentEnv{"acme", "test.mail"});
  }
  QueueEntry entry(std::vector<Attachment> attachments) {
    Passenger p;
    p.external_id = "m1";
    for (auto& a : attachments) p.add_attachment(std::move(a));
    return QueueEntry::seat(p, {kUnzipModule}, {"a.pusher"});
  }
  void run(Processor& processor, QueueEntry& e) {
    DriveContext ctx("acme", passenger_, log_, [] { return Passenger{}; });
    processor.process(ctx, e);
  }
  static std::vector<std::string> names(const QueueEntry& e) {
    std::vector<std::string> out;
    for (const auto& a : e.passenger.attachments) out.push_back(a.name);
    return out;
  }
  // The message of the Error process() throws, or "" when none.
  std::string failure(Processor& processor, QueueEntry& e) {
    try {
      run(processor, e);
    } catch (const Error& error) {
      return error.what();
    }
    return "";
  }

  std::shared_ptr<Registry> registry_ = builtin_registry();
  ClientPassenger passenger_;
  Log log_;
};

TEST_F(UnzipTest, FilesBecomeAttachmentsWithSafeUniqueNames) {
  const std::string png("\x89PNG\r\n\x1a\n\0\0", 10);
  const std::string zip = make_zip({{"docs/", "", AE_IFDIR},
                                    {"docs/report 1.xlsx", "sheet"},
                                    {"../../etc/passwd", "root:x"},
                                    {"C:\\temp\\image.png", png},
                                    {"other/report 1.xlsx", "second"},
                                    {"link", "", AE_IFLNK}});
  QueueEntry e = entry({{"_body.txt", AttachmentFormat::text, "hi"},
                        {"Files.ZIP", AttachmentFormat::binary, zip},
                        {"passwd", AttachmentFormat::text, "already here"}});
  auto unzip = make();
  run(*unzip, e);
  EXPECT_THAT(names(e), ElementsAre("_body.txt", "passwd", "report 1.xlsx", "passwd (2)",
                                    "image.png", "report 1 (2).xlsx"));
  const Passenger& p = e.passenger;
  EXPECT_EQ(p.find_attachment("report 1.xlsx")->content, "sheet");
  EXPECT_EQ(p.find_attachment("report 1.xlsx")->format, AttachmentFormat::text);
  EXPECT_EQ(p.find_attachment("passwd (2)")->content, "root:x");
  EXPECT_EQ(p.find_attachment("image.png")->content, png);
  EXPECT_EQ(p.find_attachment("image.png")->format, AttachmentFormat::binary);
  EXPECT_EQ(p.find_attachment("report 1 (2).xlsx")->content, "second");
}

TEST_F(UnzipTest, ExtensionFilterAndKeepArchive) {
  const std::string zip = make_zip({{"a.XLSX", "1"}, {"b.txt", "2"}, {"c.xls", "3"}});
  QueueEntry e = entry({{"in.zip", AttachmentFormat::binary, zip}});
  auto unzip = make({{"extensions", {".xlsx", "xls"}}, {"keep_archive", true}});
  run(*unzip, e);
  EXPECT_THAT(names(e), ElementsAre("in.zip", "a.XLSX", "c.xls"));
  EXPECT_EQ(e.passenger.find_attachment("in.zip")->content, zip);
}

TEST_F(UnzipTest, PassengerWithoutArchiveIsUnchanged) {
  QueueEntry e = entry({{"a.txt", AttachmentFormat::text, "x"}});
  const QueueEntry before = e;
  auto unzip = make();
  run(*unzip, e);
  EXPECT_EQ(e, before);
}

TEST_F(UnzipTest, ZipBombsAreRefusedAndThePassengerKept) {
  // 4 MiB of zeros deflate to a few KiB: far beyond a ratio of 100.
  const std::string bomb = make_zip({{"zeros.bin", std::string(4 * 1024 * 1024, '\0')}});
  ASSERT_LT(bomb.size(), 64u * 1024);
  QueueEntry e = entry({{"bomb.zip", AttachmentFormat::binary, bomb}});
  const QueueEntry before = e;
  auto unzip = make();
  EXPECT_THAT(failure(*unzip, e), HasSubstr("max_compression_ratio"));
  EXPECT_EQ(e, before);
  EXPECT_THAT(failure(*unzip, e), HasSubstr("bomb.zip"));

  // The same archive passes with a generous ratio, but not a byte cap.
  auto ratio_ok = make({{"max_compression_ratio", 100000}});
  QueueEntry e2 = before;
  run(*ratio_ok, e2);
  EXPECT_EQ(e2.passenger.find_attachment("zeros.bin")->content.size(), 4u * 1024 * 1024);
  auto capped = make({{"max_compression_ratio", 100000}, {"max_total_bytes", 1024 * 1024}});
  QueueEntry e3 = before;
  EXPECT_THAT(failure(*capped, e3), HasSubstr("max_total_bytes"));
  EXPECT_EQ(e3, before);
}

TEST_F(UnzipTest, TooManyEntriesAndDamagedArchivesAreRefused) {
  std::vector<ZipItem> many;
  for (int i = 0; i < 6; ++i) many.push_back({"f" + std::to_string(i) + ".txt", "x"});
  QueueEntry e = entry({{"many.zip", AttachmentFormat::binary, make_zip(many)}});
  auto limited = make({{"max_entries", 5}});
  EXPECT_THAT(failure(*limited, e), HasSubstr("max_entries"));

  QueueEntry damaged = entry({{"broken.zip", AttachmentFormat::binary, "PK\x03\x04 not really"}});
  auto unzip = make();
  EXPECT_THAT(failure(*unzip, damaged), HasSubstr("broken.zip"));
}

TEST_F(UnzipTest, BadLimitsAreConfigErrors) {
  for (const char* key : {"max_total_bytes", "max_entries", "max_compression_ratio"}) {
    try {
      make({{key, 0}});
      ADD_FAILURE() << key << " = 0 accepted";
    } catch (const ConfigError& e) {
      EXPECT_EQ(e.field(), key);
    }
  }
}

// Found by the fuzz target zip_archive (fuzz/corpus/zip_archive/
// crash-error-without-message.zip): for this damaged archive libarchive has
// no error message (null), and the error text was built from it: a
// std::logic_error (where it was appended, a read through null) instead of
// an Error naming the attachment. Now it is that Error, the passenger
// unchanged.
TEST_F(UnzipTest, ADamagedArchiveWithoutAnErrorMessageIsAnError) {
  const std::string zip(
      "\x50\x4b\x03\x04\x14\x00\x65\x6d\x70\x5c\x69\x6d\x61\x67\x65\x2e\x70\x6e\x67\x50"
      "\x4b\x01\x02\x14\x03\x14\x00\x00\x00\x00\x00\x08\x00\x26\x6b\x87\x5d\x00\x00\x00"
      "\x00\x02\x00\x00\x00\x00\x00\x00\x00\x05\x00\x00\x00\x64\x6f\x63\x73\x2f\x03\x00"
      "\x50\x4b\x03\x04\x14\x00\x00\x00\x08\x00\x26\x6b\x87\x5d\xe2\x91\x3c\x87\x07\x00"
      "\x00\x00\x05\x00\x00\x00\x12\x00\x00\x00\x64\x6f\x63\x73\x2f\x72\x65\x70\x6f\x72"
      "\x74\x20\x32\x2e\x78\x6c\x73\x78\x2b\xce\x48\x4d\x2d\x01\x00\x50\x4b\x03\x04\x14"
      "\x00\x00\x00\x08\x00\x26\x6b\x87\x5d\x5b\xed\x80\xa7\x08\x00\x00\x00\x06\x00\x00"
      "\x00\x10\x00\x00\x00\x2e\x2e\x2f\x2e\x2e\x2f\x65\x74\x63\x2f\x70\x61\x73\x73\x77"
      "\x64\x2b\xca\xcf\x2f\xb1\xaa\x00\x00\x50\x4b\x03\x04\x14\x00\x00\x00\x08\x00\x26"
      "\x6b\x87\x5d\xb1\xa9\x6e\xf2\x0c\x00\x00\x00\x0a\x00\x00\x00\x11\x00\x00\x00\x43"
      "\x3a\x5c\x74\x65\x6d\x70\x5c\x69\x6d\x61\x67\x65\x2e\x70\x6e\x67\xeb\x0c\xf0\x73"
      "\xe7\xe5\x92\xe2\x62\x60\x00\x00\x50\x4b\x03\x04\x14\x00\x00\x00\x08\x00\x26\x6b"
      "\x87\x5d\x69\x11\x1f\xb6\x08\x00\x00\x00\x06\x00\x00\x00\x13\x00\x00\x00\x6f\x74"
      "\x68\x65\x72\x2f\x72\x65\x70\x6f\x72\x74\x20\x31\x2e\x78\x6c\x73\x78\x2b\x4e\x4d"
      "\xce\xcf\x4b\x01\x00\x50\x4b\x01\x02\x14\x03\x14\x00\x00\x00\x08\x00\x26\x6b\x87"
      "\x5d\x00\x00\x00\x00\x02\x00\x00\x00\x00\x00\x00\x00\x05\x00\x00\x00\x00\x00\x00"
      "\x00\x00\x00\xff\xff\xff\xff\xff\xff\xff\xff\x10\x00\xfd\x41\x00\x00\x00\x00\x64"
      "\x6f\x63\x73\x2f\x50\x4b\x01\x02\x14\x03\x14\x00\x00\x00\x08\x00\x26\x6b\x87\x5d"
      "\xe2\x91\x3c\x87\x07\x00\x00\x00\x05\x00\x00\x00\x12\x00\x00\x00\x00\x00\x00\x00"
      "\x00\x00\x00\x00\x80\x01\x25\x00\x00\x00\x64\x6f\x63\x73\x2f\x72\x65\x70\x6f\x72"
      "\x74\x20\x31\x2e\x78\x6c\x73\x78\x50\x4b\x01\x02\x14\x03\x14\x00\x00\x00\x08\x00"
      "\x26\x6b\x87\x5d\x5b\xed\x80\xa7\x08\x00\x0a\x00\x00\x00\x11\x00\x00\x00\x00\x00"
      "\x00\x00\x00\x00\x00\x00\x80\x01\x92\x00\x00\x00\x43\x3a\x5c\x74\x65\x6d\x70\x5c"
      "\x69\x6d\x61\x67\x65\x2e\x70\x6e\x67\x50\x4b\x01\x02\x14\x03\x14\x00\x00\x00\x08"
      "\x00\x26\x6b\x87\x5d\x69\x11\x1f\xb6\x08\x00\x00\x00\x06\x00\x00\x00\x13\x00\x00"
      "\x00\x00\x00\x00\x00\x00\x00\x00\x00\x80\x01\xcd\x00\x00\x00\x6f\x74\x68\x65\x72"
      "\x2f\x72\x65\x70\x6f\xff\xff\x02\xf0\x72\x74\x20\x32\x2e\x78\x6c\x73\x78\x50\x4b"
      "\x05\x06\x00\x00\x00\x00\x05\x00\x05\x00\x31\x01\x00\x00\x06\x01\x00\x00\x00\x00",
      560);
  QueueEntry e = entry({{"files.zip", AttachmentFormat::binary, zip}});
  const QueueEntry before = e;
  auto unzip = make();
  EXPECT_THAT(failure(*unzip, e), HasSubstr("attachment files.zip"));
  EXPECT_EQ(e, before);
}

// A spooled archive is read from its file and each file inside comes out as
// a stream: spooled when above the threshold, with the same bytes.
TEST_F(UnzipTest, ASpooledArchiveIsReadFromItsFileAndLargeFilesStaySpooled) {
  const std::filesystem::path spool =
      std::filesystem::path(testing::TempDir()) / ("databus_unzip_" + new_uuid());
  std::string big(300 << 10, '\0');
  for (std::size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>(i * 13 + i / 509);
  const std::string zip = make_zip({{"big.bin", big}, {"small.txt", "hello"}});
  AttachmentWriter writer(SpoolSettings{spool, 1024}, "files.zip", AttachmentFormat::binary);
  writer.write(zip);
  QueueEntry e = entry({writer.finish()});
  ASSERT_NE(e.passenger.attachments[0].spool, nullptr);

  ComponentEnv env{"acme", "test.mail"};
  env.spool = SpoolSettings{spool, 64 << 10};
  auto unzip = registry_->make_processor({kUnzipModule, nlohmann::json::object()}, env);
  run(*unzip, e);
  ASSERT_THAT(names(e), ElementsAre("big.bin", "small.txt"));
  const Attachment& out = e.passenger.attachments[0];
  ASSERT_NE(out.spool, nullptr);
  EXPECT_TRUE(same_content(out, Attachment{"big.bin", AttachmentFormat::binary, big}));
  EXPECT_EQ(out.format, AttachmentFormat::binary);
  EXPECT_EQ(e.passenger.attachments[1].content, "hello");
  EXPECT_EQ(e.passenger.attachments[1].spool, nullptr);
  e = QueueEntry();
  std::filesystem::remove_all(spool);
}

}  // namespace
}  // namespace databus
