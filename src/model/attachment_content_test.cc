#include "databus/attachment_content.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "databus/uuid.h"

namespace databus {
namespace {

namespace stdfs = std::filesystem;

class AttachmentContentTest : public testing::Test {
 protected:
  void SetUp() override {
    dir_ = stdfs::temp_directory_path() / ("databus-content-" + new_uuid());
    settings_.dir = dir_ / "spool";
    settings_.threshold = 1000;
  }
  void TearDown() override { stdfs::remove_all(dir_); }

  // `n` bytes of a pattern no chunk boundary repeats.
  static std::string bytes(std::size_t n) {
    std::string out(n, '\0');
    for (std::size_t i = 0; i < n; ++i) out[i] = static_cast<char>((i * 7 + i / 251) & 0xFF);
    return out;
  }

  static std::string read_all(const Attachment& a) {
    std::string out;
    ContentReader reader(a);
    for (std::string_view chunk = reader.next(); !chunk.empty(); chunk = reader.next()) {
      EXPECT_LE(chunk.size(), ContentReader::kChunk);
      out.append(chunk);
    }
    return out;
  }

  stdfs::path dir_;
  SpoolSettings settings_;
};

TEST_F(AttachmentContentTest, KeepsContentUpToTheThresholdInMemory) {
  AttachmentWriter writer(settings_, "a.bin", AttachmentFormat::binary);
  writer.write(bytes(600));
  writer.write(bytes(400));
  const Attachment a = writer.finish();
  EXPECT_EQ(a.spool, nullptr);
  EXPECT_EQ(a.content.size(), 1000u);
  EXPECT_EQ(content_size(a), 1000u);
  EXPECT_FALSE(stdfs::exists(settings_.dir) && !stdfs::is_empty(settings_.dir));
}

TEST_F(AttachmentContentTest, SpoolsContentAboveTheThresholdToAFileReadInChunks) {
  const std::string whole = bytes(ContentReader::kChunk * 2 + 12345);
  AttachmentWriter writer(settings_, "big.bin", AttachmentFormat::binary);
  for (std::size_t at = 0; at < whole.size(); at += 700) writer.write(whole.substr(at, 700));
  const Attachment a = writer.finish();
  ASSERT_NE(a.spool, nullptr);
  EXPECT_TRUE(a.content.empty());
  EXPECT_EQ(a.name, "big.bin");
  EXPECT_EQ(content_size(a), whole.size());
  EXPECT_EQ(stdfs::file_size(a.spool->path()), whole.size());
  EXPECT_EQ(read_all(a), whole);

  Attachment in_memory{"big.bin", AttachmentFormat::binary, whole};
  EXPECT_EQ(content_sha256(a), content_sha256(in_memory));
  EXPECT_TRUE(same_content(a, in_memory));
  in_memory.content.back() ^= 1;
  EXPECT_FALSE(same_content(a, in_memory));
}

TEST_F(AttachmentContentTest, KnowsTheSha256OfContent) {
  const Attachment abc{"a.txt", AttachmentFormat::text, "abc"};
  EXPECT_EQ(content_sha256(abc),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST_F(AttachmentContentTest, RemovesATemporarySpoolFileWithItsLastHandle) {
  AttachmentWriter writer(settings_, "big.bin", AttachmentFormat::binary);
  writer.write(bytes(5000));
  stdfs::path path;
  {
    const Attachment a = writer.finish();
    const Attachment copy = a;
    path = a.spool->path();
    EXPECT_EQ(copy, a);
    EXPECT_TRUE(stdfs::exists(path));
  }
  EXPECT_FALSE(stdfs::exists(path));
}

TEST_F(AttachmentContentTest, RemovesTheSpoolFileOfAWriterNeverFinished) {
  {
    AttachmentWriter writer(settings_, "big.bin", AttachmentFormat::binary);
    writer.write(bytes(5000));
    EXPECT_FALSE(stdfs::is_empty(settings_.dir));
  }
  EXPECT_TRUE(stdfs::is_empty(settings_.dir));
}

TEST_F(AttachmentContentTest, ReadsAFileInChunksIntoAnAttachment) {
  stdfs::create_directories(dir_);
  const std::string whole = bytes(ContentReader::kChunk + 3);
  std::ofstream(dir_ / "in.bin", std::ios::binary) << whole;
  const Attachment a =
      attachment_from_file(settings_, dir_ / "in.bin", "in.bin", AttachmentFormat::binary);
  ASSERT_NE(a.spool, nullptr);
  stdfs::remove(dir_ / "in.bin");
  EXPECT_EQ(read_all(a), whole);
  EXPECT_THROW(attachment_from_file(settings_, dir_ / "gone.bin", "g", AttachmentFormat::binary),
               StorageError);
}

TEST_F(AttachmentContentTest, RefusesToReadWholeContentAboveALimitNamingItsPassenger) {
  AttachmentWriter writer(settings_, "big.bin", AttachmentFormat::binary);
  writer.write(bytes(5000));
  const Attachment a = writer.finish();
  EXPECT_EQ(read_content(a, 5000, "p"), bytes(5000));
  try {
    read_content(a, 4999, "src - ext (id)");
    FAIL() << "no error";
  } catch (const ContentTooLargeError& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find("'big.bin'"), std::string::npos) << message;
    EXPECT_NE(message.find("src - ext (id)"), std::string::npos) << message;
    EXPECT_NE(message.find("5000 bytes"), std::string::npos) << message;
    EXPECT_NE(message.find("4999 bytes"), std::string::npos) << message;
  }
}

TEST_F(AttachmentContentTest, ReportsASpoolFileShorterThanRecorded) {
  AttachmentWriter writer(settings_, "big.bin", AttachmentFormat::binary);
  writer.write(bytes(5000));
  const Attachment a = writer.finish();
  stdfs::resize_file(a.spool->path(), 10);
  EXPECT_THROW(read_all(a), StorageError);
}

}  // namespace
}  // namespace databus
