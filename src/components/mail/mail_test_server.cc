#include "components/mail/mail_test_server.h"

#include <cstdlib>
#include <fstream>
#include <map>
#include <stdexcept>

#include "databus/uuid.h"

namespace databus {

MailTestServer MailTestServer::load() {
  const char* dir = std::getenv("DATABUS_MAIL_TEST_DIR");
  if (dir == nullptr) throw std::runtime_error("DATABUS_MAIL_TEST_DIR is not set (run via ctest)");
  std::ifstream in(std::string(dir) + "/env");
  if (!in)
    throw std::runtime_error(std::string("no ") + dir + "/env: the mail fixture did not run");
  std::map<std::string, std::string> values;
  std::string line;
  while (std::getline(in, line)) {
    const std::size_t eq = line.find('=');
    if (eq != std::string::npos) values[line.substr(0, eq)] = line.substr(eq + 1);
  }
  MailTestServer s;
  s.host = values.at("host");
  s.imap_port = std::stoi(values.at("imap_port"));
  s.imaps_port = std::stoi(values.at("imaps_port"));
  s.smtp_port = std::stoi(values.at("smtp_port"));
  s.user = values.at("user");
  s.password = values.at("password");
  s.ca_file = values.at("ca_file");
  return s;
}

nlohmann::json MailTestServer::imap_settings(const std::string& folder) const {
  return {{"host", host},         {"port", imaps_port},
          {"tls", "imaps"},       {"ca_file", ca_file},
          {"user", user},         {"password", password},
          {"folder", folder},     {"done_folder", folder + "-done"},
          {"timeout_seconds", 20}};
}

nlohmann::json MailTestServer::smtp_settings(const std::string& folder) const {
  return {{"host", host},
          {"port", smtp_port},
          {"tls", "starttls"},
          {"ca_file", ca_file},
          {"user", user},
          {"password", password},
          {"from", "Databus <databus@example.com>"},
          {"to", {address(folder)}},
          {"timeout_seconds", 20}};
}

std::string MailTestServer::address(const std::string& folder) const {
  return user + "+" + folder + "@example.com";
}

std::unique_ptr<ImapSession> MailTestServer::session() const {
  MailEndpoint e;
  e.host = host;
  e.port = imaps_port;
  e.tls = MailTls::implicit;
  e.ca_file = ca_file;
  e.user = user;
  e.password = password;
  e.secrets = {password};
  return std::make_unique<ImapSession>(e);
}

std::string MailTestServer::new_folder() const {
  // Folder names stay within what the SMTP server's +extension maps 1:1.
  std::string id = new_uuid();
  std::string name = "t";
  for (char c : id) {
    if (c != '-') name += c;
  }
  session()->ensure_folder(name);
  return name;
}

void MailTestServer::deliver(const std::string& folder, const std::string& raw) const {
  std::unique_ptr<ImapSession> s = session();
  s->append(folder, raw);
  // libcurl appends with \Seen; a delivered message is new.
  s->store(folder, s->search(folder, "ALL"), "-FLAGS.SILENT (\\Seen)");
}

std::size_t MailTestServer::count(const std::string& folder) const {
  try {
    return session()->search(folder, "UNDELETED").size();
  } catch (const std::exception&) {
    return 0;  // No such folder.
  }
}

std::string test_message(const std::string& message_id, const std::string& subject,
                         const std::string& body) {
  std::string raw = "From: Ann <ann@example.com>\r\nTo: ops@example.com\r\n";
  if (!message_id.empty()) raw += "Message-ID: " + message_id + "\r\n";
  raw += "Subject: " + subject + "\r\nMIME-Version: 1.0\r\n";
  raw += "Content-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n";
  raw += "--b1\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n" + body + "\r\n";
  raw += "--b1\r\nContent-Type: application/pdf\r\n";
  raw += "Content-Disposition: attachment; filename=\"scan.pdf\"\r\n";
  raw += "Content-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQK/w==\r\n--b1--\r\n";
  return raw;
}

}  // namespace databus
