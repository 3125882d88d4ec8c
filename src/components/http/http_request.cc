#include "components/http/http_request.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <sys/socket.h>

#include <memory>
#include <mutex>

#include "components/directory/directory_components.h"
#include "components/settings.h"
#include "databus/error.h"
#include "registry/secrets.h"

namespace databus {

namespace cs = component_settings;

namespace {

// libcurl's global state, set up once per process before the first handle.
void init_curl_once() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

struct EasyDeleter {
  void operator()(CURL* handle) const { curl_easy_cleanup(handle); }
};
struct HeaderListDeleter {
  void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};
struct MimeDeleter {
  void operator()(curl_mime* mime) const { curl_mime_free(mime); }
};

// Where the response body goes, up to a limit.
struct BodySink {
  std::string* body;
  std::size_t limit;
  bool exceeded = false;
};

size_t append_body(char* data, size_t size, size_t count, void* user) {
  BodySink& sink = *static_cast<BodySink*>(user);
  if (sink.body->size() + size * count > sink.limit) {
    sink.exceeded = true;
    return 0;  // libcurl stops with CURLE_WRITE_ERROR.
  }
  sink.body->append(data, size * count);
  return size * count;
}

// The reader of a part whose bytes come from an attachment (HttpPart::source).
struct PartStream {
  const Attachment* source;
  std::unique_ptr<ContentReader> reader;
  std::string error;  // What a read threw; libcurl only hears "abort".
};

size_t read_part(char* out, size_t size, size_t count, void* user) {
  PartStream& s = *static_cast<PartStream*>(user);
  try {
    if (!s.reader) s.reader = std::make_unique<ContentReader>(*s.source);
    return s.reader->read(out, size * count);
  } catch (const std::exception& e) {
    s.error = e.what();
    return CURL_READFUNC_ABORT;
  }
}

// libcurl rewinds a part to send it again (e.g. after a redirect it does not
// follow, or an authentication round); only the start is ever asked for.
int seek_part(void* user, curl_off_t offset, int origin) {
  PartStream& s = *static_cast<PartStream*>(user);
  if (offset != 0 || origin != SEEK_SET) return CURL_SEEKFUNC_CANTSEEK;
  s.reader.reset();
  return CURL_SEEKFUNC_OK;
}

// Header values may not break lines (header injection).
std::string one_line(std::string value) {
  for (char& c : value) {
    if (c == '\r' || c == '\n') c = ' ';
  }
  return value;
}

// The address check of a restricting AddressPolicy, at connection time.
struct SocketGuard {
  std::string refused;  // The first address refused, as text.
};

curl_socket_t open_checked_socket(void* user, curlsocktype, curl_sockaddr* address) {
  auto& guard = *static_cast<SocketGuard*>(user);
  if (is_private_address(&address->addr)) {
    char text[INET6_ADDRSTRLEN] = "?";
    const void* raw = address->family == AF_INET6
                          ? static_cast<const void*>(
                                &reinterpret_cast<const sockaddr_in6*>(&address->addr)->sin6_addr)
                          : &reinterpret_cast<const sockaddr_in*>(&address->addr)->sin_addr;
    inet_ntop(address->family, raw, text, sizeof text);
    if (guard.refused.empty()) guard.refused = text;
    return CURL_SOCKET_BAD;
  }
  return socket(address->family, address->socktype, address->protocol);
}

// The host of `url` as libcurl reads it (IPv6 without brackets), or "".
std::string url_host(const std::string& url) {
  CURLU* parsed = curl_url();
  std::string host;
  char* part = nullptr;
  if (curl_url_set(parsed, CURLUPART_URL, url.c_str(), 0) == CURLUE_OK &&
      curl_url_get(parsed, CURLUPART_HOST, &part, 0) == CURLUE_OK) {
    host = part;
    curl_free(part);
  }
  curl_url_cleanup(parsed);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  return host;
}

}  // namespace

HttpEndpoint read_http_endpoint(const ComponentEnv& env) {
  namespace di = directory_internal;
  HttpEndpoint e;
  e.url = di::string_setting(env, "url", "");
  if (e.url.empty()) throw ConfigError(cs::where(env), "url", "needs the URL to use");
  e.headers = cs::string_map(env, "headers");
  const std::string auth = di::string_setting(env, "auth", "none");
  if (auth == "none") {
    e.auth = HttpAuth::none;
  } else if (auth == "basic") {
    e.auth = HttpAuth::basic;
  } else if (auth == "bearer") {
    e.auth = HttpAuth::bearer;
  } else {
    throw ConfigError(cs::where(env), "auth", "must be \"none\", \"basic\" or \"bearer\"");
  }
  e.username = di::string_setting(env, "username", "");
  e.password = di::string_setting(env, "password", "");
  e.token = di::string_setting(env, "token", "");
  if (e.auth == HttpAuth::basic && e.username.empty()) {
    throw ConfigError(cs::where(env), "username", "is needed for \"basic\" auth");
  }
  if (e.auth == HttpAuth::bearer && e.token.empty()) {
    throw ConfigError(cs::where(env), "token", "is needed for \"bearer\" auth");
  }
  e.verify_tls = di::bool_setting(env, "verify_tls", true);
  e.ca_file = di::string_setting(env, "ca_file", "");
  e.max_response_bytes = static_cast<std::size_t>(cs::integer(
      env, "max_response_bytes", static_cast<std::int64_t>(kDefaultMaxResponseBytes), 1));
  const double seconds = cs::number(env, "timeout_seconds", 30, 0.001);
  e.timeout = std::chrono::milliseconds(static_cast<long long>(seconds * 1000));
  for (const std::string* s : {&e.password, &e.token}) {
    if (!s->empty()) e.secrets.push_back(*s);
  }
  for (const auto& [name, value] : e.headers) {
    if (!value.empty()) e.secrets.push_back(value);
  }
  return e;
}

HttpResponse send_http(const HttpEndpoint& endpoint, const std::string& method,
                       const std::string& url, const std::string& body,
                       const std::string& content_type, const std::vector<HttpPart>& parts,
                       const std::vector<std::pair<std::string, std::string>>& extra_headers) {
  init_curl_once();
  const std::string what = redact(method + " " + url, endpoint.secrets);
  std::unique_ptr<CURL, EasyDeleter> handle(curl_easy_init());
  if (!handle) throw Error(what + ": cannot create a libcurl handle");
  CURL* h = handle.get();

  std::unique_ptr<curl_slist, HeaderListDeleter> headers;
  auto add_header = [&headers](const std::string& line) {
    curl_slist* grown = curl_slist_append(headers.get(), line.c_str());
    if (grown == nullptr) throw Error("out of memory building HTTP headers");
    headers.release();
    headers.reset(grown);
  };
  for (const auto& [name, value] : endpoint.headers) add_header(name + ": " + one_line(value));
  for (const auto& [name, value] : extra_headers) add_header(name + ": " + one_line(value));
  if (endpoint.auth == HttpAuth::bearer) {
    add_header("Authorization: Bearer " + one_line(endpoint.token));
  }
  if (!content_type.empty() && parts.empty()) add_header("Content-Type: " + content_type);
  // No "Expect: 100-continue" round trip for large bodies.
  add_header("Expect:");

  char error_text[CURL_ERROR_SIZE] = {0};
  HttpResponse response;
  curl_easy_setopt(h, CURLOPT_URL, url.c_str());
  curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h, CURLOPT_ERRORBUFFER, error_text);
  curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, static_cast<long>(endpoint.timeout.count()));
  curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, endpoint.verify_tls ? 1L : 0L);
  curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, endpoint.verify_tls ? 2L : 0L);
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers.get());
  if (!endpoint.ca_file.empty()) curl_easy_setopt(h, CURLOPT_CAINFO, endpoint.ca_file.c_str());
  BodySink sink{&response.body, endpoint.max_response_bytes};
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, append_body);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, &sink);
  // Refused before any byte is read when the server announces the length.
  curl_easy_setopt(h, CURLOPT_MAXFILESIZE_LARGE,
                   static_cast<curl_off_t>(endpoint.max_response_bytes));
  if (endpoint.auth == HttpAuth::basic) {
    curl_easy_setopt(h, CURLOPT_HTTPAUTH, static_cast<long>(CURLAUTH_BASIC));
    curl_easy_setopt(h, CURLOPT_USERNAME, endpoint.username.c_str());
    curl_easy_setopt(h, CURLOPT_PASSWORD, endpoint.password.c_str());
  }

  std::unique_ptr<curl_mime, MimeDeleter> mime;
  std::vector<std::unique_ptr<PartStream>> streams;  // Outlive the request.
  if (!parts.empty()) {
    mime.reset(curl_mime_init(h));
    for (const HttpPart& part : parts) {
      curl_mimepart* p = curl_mime_addpart(mime.get());
      curl_mime_name(p, part.name.c_str());
      if (part.source != nullptr) {
        streams.push_back(std::make_unique<PartStream>(PartStream{part.source, nullptr, ""}));
        curl_mime_data_cb(p, static_cast<curl_off_t>(content_size(*part.source)), read_part,
                          seek_part, nullptr, streams.back().get());
      } else {
        curl_mime_data(p, part.data.data(), part.data.size());
      }
      if (!part.filename.empty()) curl_mime_filename(p, part.filename.c_str());
      if (!part.content_type.empty()) curl_mime_type(p, part.content_type.c_str());
    }
    curl_easy_setopt(h, CURLOPT_MIMEPOST, mime.get());
  } else if (method == "POST") {
    curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, body.data());
  } else if (method != "GET") {
    curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method.c_str());
  }

  SocketGuard guard;
  if (endpoint.policy.restricts()) {
    const std::string host = url_host(url);
    if (!host_allowed(host, endpoint.policy.allowed_hosts)) {
      throw Error(what + " refused: the host '" + host + "' is not among allowed_hosts");
    }
    curl_easy_setopt(h, CURLOPT_PROXY, "");
    if (!endpoint.policy.allow_private) {
      curl_easy_setopt(h, CURLOPT_OPENSOCKETFUNCTION, open_checked_socket);
      curl_easy_setopt(h, CURLOPT_OPENSOCKETDATA, &guard);
    }
  }

  const CURLcode code = curl_easy_perform(h);
  if (!guard.refused.empty() && code != CURLE_OK) {
    throw Error(what + " refused: the host resolves to " + guard.refused +
                ", an address of this host or a private network (allow_private is off)");
  }
  if (sink.exceeded || code == CURLE_FILESIZE_EXCEEDED) {
    throw Error(what + " failed: the response is larger than " +
                std::to_string(endpoint.max_response_bytes) + " bytes (max_response_bytes)");
  }
  for (const auto& stream : streams) {
    if (!stream->error.empty()) {
      throw Error(what + " failed: cannot read attachment '" + stream->source->name +
                  "': " + stream->error);
    }
  }
  if (code != CURLE_OK) {
    const std::string detail = error_text[0] != 0 ? error_text : curl_easy_strerror(code);
    std::string hint;
    if (code == CURLE_PEER_FAILED_VERIFICATION || code == CURLE_SSL_CACERT_BADFILE) {
      hint = " (the server's TLS certificate is not trusted: give its CA in ca_file)";
    }
    throw Error(what + " failed: " + redact(detail, endpoint.secrets) + hint);
  }
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &response.status);
  char* type = nullptr;
  curl_easy_getinfo(h, CURLINFO_CONTENT_TYPE, &type);
  if (type != nullptr) response.content_type = type;
  return response;
}

void check_http_success(const HttpEndpoint& endpoint, const std::string& method,
                        const std::string& url, const HttpResponse& response) {
  if (response.status >= 200 && response.status < 300) return;
  std::string excerpt = response.body.substr(0, 200);
  if (!directory_internal::is_text(excerpt)) excerpt = "(binary body)";
  throw Error(redact(method + " " + url + " answered " + std::to_string(response.status) + ": " +
                         one_line(excerpt),
                     endpoint.secrets));
}

}  // namespace databus
