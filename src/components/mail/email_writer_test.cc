// Writing passengers as e-mails, checked by reading them back.
#include "components/mail/email_writer.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "components/mail/email_reader.h"
#include "databus/error.h"

namespace databus {
namespace {

using testing::HasSubstr;

Passenger sample() {
  Passenger p;
  p.external_id = "E-1";
  p.internal_id = "0f5a3c5e-0000-4000-8000-000000000001";
  p.source_system = "erp";
  p.add_attachment("_body.txt", AttachmentFormat::text, "Dear all,\nsee the numbers.\n");
  p.add_attachment("numbers.xlsx", AttachmentFormat::binary, std::string("PK\x03\x04\0\xff", 6));
  p.add_attachment("notes.txt", AttachmentFormat::text, "line 1\nline \xc3\xa4\n");
  return p;
}

TEST(EmailWriterTest, AttachmentsAndBodySurviveARoundTrip) {
  const WrittenEmail written =
      write_email(sample(), {"Databus <bus@example.com>",
                             {"ops@example.com", "Bob <bob@example.com>, eve@example.com"},
                             "Zahlen \xc3\xbc",
                             "id-1@databus",
                             "_body.txt"});
  EXPECT_EQ(written.envelope_from, "bus@example.com");
  EXPECT_EQ(written.recipients,
            (std::vector<std::string>{"ops@example.com", "bob@example.com", "eve@example.com"}));
  EXPECT_THAT(written.raw, HasSubstr("\r\n"));
  EXPECT_THAT(written.raw, HasSubstr("X-Databus-Internal-Id: 0f5a3c5e"));
  // Every line ends with CRLF, as SMTP wants.
  for (std::size_t i = written.raw.find('\n'); i != std::string::npos;
       i = written.raw.find('\n', i + 1)) {
    ASSERT_GT(i, 0u);
    ASSERT_EQ(written.raw[i - 1], '\r');
  }

  const EmailContent back = read_email(written.raw);
  EXPECT_EQ(back.external_id, "<id-1@databus>");
  EXPECT_EQ(back.subject, "Zahlen \xc3\xbc");
  ASSERT_EQ(back.attachments.size(), 4u);
  EXPECT_EQ(back.attachments[0].name, "_body.txt");
  EXPECT_EQ(back.attachments[0].content, "Dear all,\r\nsee the numbers.\r\n");
  EXPECT_EQ(back.attachments[1].name, "_headers.json");
  EXPECT_EQ(back.attachments[2].name, "numbers.xlsx");
  EXPECT_EQ(back.attachments[2].format, AttachmentFormat::binary);
  EXPECT_EQ(back.attachments[2].content, std::string("PK\x03\x04\0\xff", 6));
  EXPECT_EQ(back.attachments[3].name, "notes.txt");
  EXPECT_EQ(back.attachments[3].format, AttachmentFormat::text);
  EXPECT_EQ(back.attachments[3].content, "line 1\nline \xc3\xa4\n");  // Base64 keeps LF.
}

TEST(EmailWriterTest, WithoutABodyAttachmentTheTextNamesThePassenger) {
  Passenger p;
  p.external_id = "E-2";
  p.internal_id = "id";
  const WrittenEmail written =
      write_email(p, {"bus@example.com", {"ops@example.com"}, "s", "m@x", "_body.txt"});
  const EmailContent back = read_email(written.raw);
  ASSERT_EQ(back.attachments.size(), 2u);
  EXPECT_THAT(back.attachments[0].content, HasSubstr("E-2"));
}

TEST(EmailWriterTest, RefusesSendersAndRecipientsWithoutAnAddress) {
  const Passenger p = sample();
  EXPECT_THROW(write_email(p, {"not an address", {"ops@example.com"}, "", "m@x", ""}), Error);
  EXPECT_THROW(write_email(p, {"bus@example.com", {"nobody"}, "", "m@x", ""}), Error);
  EXPECT_THROW(write_email(p, {"bus@example.com", {}, "", "m@x", ""}), Error);
}

}  // namespace
}  // namespace databus
