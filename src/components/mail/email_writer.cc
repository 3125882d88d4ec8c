#include "components/mail/email_writer.h"

#include "components/mail/gmime_support.h"
#include "databus/attachment_content.h"
#include "databus/error.h"

namespace databus {

namespace {

using gmime::Ptr;

// The plain addresses of `text`, added to `list` when given. Throws Error
// naming `what` when there is none.
std::vector<std::string> addresses(const std::string& text, const std::string& what,
                                   InternetAddressList* list) {
  std::vector<std::string> out;
  Ptr<InternetAddressList> parsed(internet_address_list_parse(nullptr, text.c_str()));
  if (parsed != nullptr) {
    const int n = internet_address_list_length(parsed.get());
    for (int i = 0; i < n; ++i) {
      InternetAddress* address = internet_address_list_get_address(parsed.get(), i);
      if (!INTERNET_ADDRESS_IS_MAILBOX(address)) continue;  // Groups are not sent to.
      const char* addr = internet_address_mailbox_get_addr(INTERNET_ADDRESS_MAILBOX(address));
      const std::string a = addr != nullptr ? addr : "";
      if (a.find('@') != std::string::npos && a.find_first_of("\r\n<> ") == std::string::npos) {
        out.push_back(a);
      }
    }
    if (list != nullptr && !out.empty()) internet_address_list_append(list, parsed.get());
  }
  if (out.empty()) throw Error(what + " '" + text + "' holds no e-mail address");
  return out;
}

// The content of `a` whole: an e-mail is built in memory, so a spooled
// attachment is read up to kWholeContentLimit and refused above it.
std::string whole_content(const Attachment& a, const Passenger& passenger) {
  return a.spool != nullptr ? read_content(a, kWholeContentLimit, passenger.describe()) : a.content;
}

// A part holding `content` as base64 (any bytes, any line ends, survive).
GMimeObject* attachment_part(const Attachment& a, const Passenger& passenger) {
  const bool text = a.format == AttachmentFormat::text;
  GMimePart* part =
      g_mime_part_new_with_type(text ? "text" : "application", text ? "plain" : "octet-stream");
  if (text) g_mime_object_set_content_type_parameter(GMIME_OBJECT(part), "charset", "utf-8");
  const std::string content = whole_content(a, passenger);
  Ptr<GMimeStream> stream(g_mime_stream_mem_new_with_buffer(content.data(), content.size()));
  Ptr<GMimeDataWrapper> wrapper(
      g_mime_data_wrapper_new_with_stream(stream.get(), GMIME_CONTENT_ENCODING_DEFAULT));
  g_mime_part_set_content(part, wrapper.get());
  g_mime_part_set_content_encoding(part, GMIME_CONTENT_ENCODING_BASE64);
  g_mime_object_set_disposition(GMIME_OBJECT(part), "attachment");
  g_mime_part_set_filename(part, a.name.c_str());
  return GMIME_OBJECT(part);
}

GMimeObject* body_part(const std::string& text, bool html) {
  GMimeTextPart* part = g_mime_text_part_new_with_subtype(html ? "html" : "plain");
  g_mime_text_part_set_text(part, text.c_str());
  g_mime_part_set_content_encoding(
      GMIME_PART(part),
      g_mime_part_get_best_content_encoding(GMIME_PART(part), GMIME_ENCODING_CONSTRAINT_7BIT));
  return GMIME_OBJECT(part);
}

}  // namespace

WrittenEmail write_email(const Passenger& passenger, const OutgoingEmail& mail) {
  gmime::ensure_initialised();
  WrittenEmail out;
  Ptr<GMimeMessage> message(g_mime_message_new(TRUE));
  out.envelope_from = addresses(mail.from, "from", g_mime_message_get_from(message.get())).at(0);
  for (const std::string& to : mail.to) {
    for (std::string& a : addresses(to, "to", g_mime_message_get_to(message.get()))) {
      out.recipients.push_back(std::move(a));
    }
  }
  if (out.recipients.empty()) throw Error("to names no recipient");
  g_mime_message_set_subject(message.get(), mail.subject.c_str(), "utf-8");
  g_mime_message_set_message_id(message.get(), mail.message_id.c_str());
  GDateTime* now = g_date_time_new_now_utc();
  g_mime_message_set_date(message.get(), now);
  g_date_time_unref(now);
  g_mime_object_set_header(GMIME_OBJECT(message.get()), "X-Databus-Internal-Id",
                           passenger.internal_id.c_str(), nullptr);

  const Attachment* body =
      mail.body_attachment.empty() ? nullptr : passenger.find_attachment(mail.body_attachment);
  Ptr<GMimeObject> text(
      body != nullptr && body->format == AttachmentFormat::text
          ? body_part(whole_content(*body, passenger), body->name.ends_with(".html"))
          : body_part("Passenger " + passenger.describe() + ", sent by Databus.\n", false));
  std::vector<const Attachment*> attached;
  for (const Attachment& a : passenger.attachments) {
    if (&a != body || body->format != AttachmentFormat::text) attached.push_back(&a);
  }
  if (attached.empty()) {
    g_mime_message_set_mime_part(message.get(), text.get());
  } else {
    Ptr<GMimeMultipart> mixed(g_mime_multipart_new_with_subtype("mixed"));
    g_mime_multipart_add(mixed.get(), text.get());
    for (const Attachment* a : attached) {
      Ptr<GMimeObject> part(attachment_part(*a, passenger));
      g_mime_multipart_add(mixed.get(), part.get());
    }
    g_mime_message_set_mime_part(message.get(), GMIME_OBJECT(mixed.get()));
  }

  GMimeFormatOptions* options = g_mime_format_options_new();
  g_mime_format_options_set_newline_format(options, GMIME_NEWLINE_FORMAT_DOS);
  char* raw = g_mime_object_to_string(GMIME_OBJECT(message.get()), options);
  g_mime_format_options_free(options);
  if (raw == nullptr) throw Error("GMime could not write the message");
  out.raw = raw;
  g_free(raw);
  return out;
}

}  // namespace databus
