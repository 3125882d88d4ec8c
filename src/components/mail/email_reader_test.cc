// Reading raw e-mails into passenger attachments (no server needed).
#include "components/mail/email_reader.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "components/content_digest.h"
#include "databus/error.h"

namespace databus {
namespace {

using testing::ElementsAre;

std::vector<std::string> names(const EmailContent& email) {
  std::vector<std::string> out;
  for (const Attachment& a : email.attachments) out.push_back(a.name);
  return out;
}

const Attachment& find(const EmailContent& email, const std::string& name) {
  for (const Attachment& a : email.attachments) {
    if (a.name == name) return a;
  }
  throw std::runtime_error("no attachment " + name);
}

const char kMultipart[] =
    "Received: from a by b\r\n"
    "Received: from c by d\r\n"
    "From: Ann <ann@example.com>\r\n"
    "To: ops@example.com\r\n"
    "Subject: =?UTF-8?B?UmVwb3J0IMOc?=\r\n"
    "Message-ID: <report-1@example.com>\r\n"
    "MIME-Version: 1.0\r\n"
    "Content-Type: multipart/mixed; boundary=\"outer\"\r\n"
    "\r\n"
    "--outer\r\n"
    "Content-Type: multipart/alternative; boundary=\"inner\"\r\n"
    "\r\n"
    "--inner\r\n"
    "Content-Type: text/plain; charset=iso-8859-1\r\n"
    "Content-Transfer-Encoding: quoted-printable\r\n"
    "\r\n"
    "Gr=FC=DFe\r\n"
    "--inner\r\n"
    "Content-Type: text/html; charset=utf-8\r\n"
    "\r\n"
    "<p>Hi</p>\r\n"
    "--inner--\r\n"
    "--outer\r\n"
    "Content-Type: application/vnd.openxmlformats-officedocument.spreadsheetml.sheet\r\n"
    "Content-Disposition: attachment; filename=\"../../sales 2024.xlsx\"\r\n"
    "Content-Transfer-Encoding: base64\r\n"
    "\r\n"
    "UEsDBAABAv8=\r\n"
    "--outer\r\n"
    "Content-Type: text/csv; name=\"C:\\\\data\\\\list.csv\"\r\n"
    "\r\n"
    "a;b\r\n"
    "--outer\r\n"
    "Content-Type: image/png\r\n"
    "Content-Transfer-Encoding: base64\r\n"
    "\r\n"
    "iVBORw==\r\n"
    "--outer--\r\n";

TEST(EmailReaderTest, ReadsBodiesHeadersAndDecodedParts) {
  const EmailContent email = read_email(kMultipart);
  EXPECT_EQ(email.external_id, "<report-1@example.com>");
  EXPECT_EQ(email.subject, "Report \xc3\x9c");
  EXPECT_THAT(names(email), ElementsAre("_body.txt", "_body.html", "_headers.json",
                                        "sales 2024.xlsx", "list.csv", "part5.png"));
  // The line break before a boundary belongs to the boundary.
  EXPECT_EQ(find(email, "_body.txt").content,
            "Gr\xc3\xbc\xc3\x9f"
            "e");
  EXPECT_EQ(find(email, "_body.txt").format, AttachmentFormat::text);
  EXPECT_EQ(find(email, "_body.html").content, "<p>Hi</p>");
  const Attachment& xlsx = find(email, "sales 2024.xlsx");
  EXPECT_EQ(xlsx.format, AttachmentFormat::binary);
  EXPECT_EQ(xlsx.content, std::string("PK\x03\x04\x00\x01\x02\xff", 8));
  EXPECT_EQ(find(email, "list.csv").format, AttachmentFormat::text);
  EXPECT_EQ(find(email, "part5.png").content, std::string("\x89PNG", 4));

  const nlohmann::json headers = nlohmann::json::parse(find(email, "_headers.json").content);
  EXPECT_EQ(headers["Subject"], "Report \xc3\x9c");
  EXPECT_EQ(headers["Received"], nlohmann::json({"from a by b", "from c by d"}));
  EXPECT_EQ(headers["From"], "Ann <ann@example.com>");
}

TEST(EmailReaderTest, AMessageWithoutMessageIdGetsADigestOfItsBytes) {
  const std::string raw = "From: a@example.com\r\nSubject: x\r\n\r\nplain body\r\n";
  const EmailContent email = read_email(raw);
  EXPECT_EQ(email.external_id, content_digest(raw));
  EXPECT_THAT(email.external_id, testing::StartsWith("blake2b:"));
  EXPECT_NE(read_email(raw + "more\r\n").external_id, email.external_id);
  EXPECT_THAT(names(email), ElementsAre("_body.txt", "_headers.json"));
  EXPECT_EQ(find(email, "_body.txt").content, "plain body\r\n");
}

TEST(EmailReaderTest, AttachedMessagesAndBaseNames) {
  const std::string raw =
      "Message-ID: <fwd@x>\r\nMIME-Version: 1.0\r\n"
      "Content-Type: multipart/mixed; boundary=b\r\n\r\n"
      "--b\r\nContent-Type: text/plain\r\n\r\nsee attached\r\n"
      "--b\r\nContent-Type: message/rfc822\r\n\r\nSubject: inner\r\n\r\ninner body\r\n"
      "--b--\r\n";
  const EmailContent email = read_email(raw);
  EXPECT_THAT(names(email), ElementsAre("_body.txt", "_headers.json", "message2.eml"));
  EXPECT_THAT(find(email, "message2.eml").content, testing::HasSubstr("inner body"));
  EXPECT_EQ(email_internal::base_name("../../etc/passwd"), "passwd");
  EXPECT_EQ(email_internal::base_name("C:\\x\\y.txt"), "y.txt");
  EXPECT_EQ(email_internal::base_name("plain.txt"), "plain.txt");
}

// _headers.json is written as nlohmann's ordered_json would dump it with an
// indent of 2: first spellings as keys, repeated headers as arrays in order.
TEST(EmailReaderTest, HeadersJsonKeepsItsForm) {
  const EmailContent email = read_email(
      "Received: from a by b\r\nFrom: Ann <ann@example.com>\r\nRECEIVED: from c by d\r\n"
      "X-Odd: \"quoted\" \\ value\r\nreceived: from e by f\r\n\r\nbody\r\n");
  nlohmann::ordered_json expected = nlohmann::ordered_json::object();
  expected["Received"] = {"from a by b", "from c by d", "from e by f"};
  expected["From"] = "Ann <ann@example.com>";
  expected["X-Odd"] = "\"quoted\" \\ value";
  EXPECT_EQ(find(email, "_headers.json").content, expected.dump(2));
}

// Found while writing the fuzz target mime_message: every header was compared with
// every key before it, so a message of many distinct headers took time
// growing with their square. Now it reads in one pass.
TEST(EmailReaderTest, ManyDistinctHeadersAreReadInOnePass) {
  std::string raw;
  constexpr int kHeaders = 100000;
  for (int i = 0; i < kHeaders; ++i) raw += "X-H" + std::to_string(i) + ": v\r\n";
  raw += "\r\nbody\r\n";
  const EmailContent email = read_email(raw);
  const nlohmann::json headers = nlohmann::json::parse(find(email, "_headers.json").content);
  EXPECT_EQ(headers.size(), static_cast<std::size_t>(kHeaders));
  EXPECT_EQ(headers["X-H99999"], "v");
}

}  // namespace
}  // namespace databus
