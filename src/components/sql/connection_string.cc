#include "components/sql/connection_string.h"

#include <algorithm>
#include <cctype>
#include <stdexcept>

#include "components/directory/directory_components.h"
#include "components/settings.h"
#include "databus/error.h"

namespace databus::sql {

namespace {

std::string upper(std::string text) {
  for (char& c : text) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return text;
}

std::string trim(const std::string& text) {
  const std::size_t first = text.find_first_not_of(" \t");
  if (first == std::string::npos) return "";
  return text.substr(first, text.find_last_not_of(" \t") - first + 1);
}

bool contains_ignoring_case(const std::string& text, const std::string& part) {
  return upper(text).find(upper(part)) != std::string::npos;
}

}  // namespace

std::vector<std::pair<std::string, std::string>> parse_connection_string(const std::string& text) {
  std::vector<std::pair<std::string, std::string>> pairs;
  std::size_t i = 0;
  while (i < text.size()) {
    const std::size_t equals = text.find('=', i);
    const std::size_t semicolon = text.find(';', i);
    if (semicolon != std::string::npos && (equals == std::string::npos || semicolon < equals)) {
      if (!trim(text.substr(i, semicolon - i)).empty()) {
        throw std::invalid_argument("an item without '=' at character " + std::to_string(i + 1));
      }
      i = semicolon + 1;
      continue;
    }
    if (equals == std::string::npos) {
      if (!trim(text.substr(i)).empty()) {
        throw std::invalid_argument("an item without '=' at character " + std::to_string(i + 1));
      }
      break;
    }
    const std::string key = trim(text.substr(i, equals - i));
    if (key.empty())
      throw std::invalid_argument("an empty key at character " + std::to_string(i + 1));
    std::size_t j = equals + 1;
    while (j < text.size() && (text[j] == ' ' || text[j] == '\t')) ++j;
    std::string value;
    if (j < text.size() && text[j] == '{') {
      ++j;
      for (;;) {
        if (j >= text.size()) throw std::invalid_argument("an unclosed '{' in the value of " + key);
        if (text[j] == '}') {
          if (j + 1 < text.size() && text[j + 1] == '}') {
            value += '}';
            j += 2;
            continue;
          }
          ++j;
          break;
        }
        value += text[j++];
      }
      while (j < text.size() && (text[j] == ' ' || text[j] == '\t')) ++j;
      if (j < text.size() && text[j] != ';') {
        throw std::invalid_argument("text after the braced value of " + key);
      }
    } else {
      const std::size_t end = text.find(';', j);
      value = trim(text.substr(j, end == std::string::npos ? std::string::npos : end - j));
      j = end == std::string::npos ? text.size() : end;
    }
    pairs.emplace_back(key, value);
    i = j + 1;
  }
  return pairs;
}

std::string format_connection_string(
    const std::vector<std::pair<std::string, std::string>>& pairs) {
  std::string text;
  for (const auto& [key, value] : pairs) {
    text += key + "=";
    if (value.find_first_of(";{}= ") != std::string::npos) {
      text += "{";
      for (char c : value) text += c == '}' ? std::string("}}") : std::string(1, c);
      text += "}";
    } else {
      text += value;
    }
    text += ";";
  }
  return text;
}

const std::vector<std::string>& allowed_connection_keys() {
  static const std::vector<std::string> keys = {
      "DRIVER",  "SERVER", "HOST",     "PORT",    "DATABASE", "UID",
      "USER",    "PWD",    "PASSWORD", "SSLMODE", "ENCRYPT",  "TRUSTSERVERCERTIFICATE",
      "CHARSET", "DB"};
  return keys;
}

ConnectionTarget connection_target(const ComponentEnv& env,
                                   const std::vector<std::string>& installed, int batch_rows) {
  namespace di = directory_internal;
  const std::string where = component_settings::where(env);
  const std::string text = di::string_setting(env, "connection", "");
  const std::string file = di::string_setting(env, "database_file", "");
  if (text.empty()) throw ConfigError(where, "connection", "needs an ODBC connection string");
  std::vector<std::pair<std::string, std::string>> pairs;
  try {
    pairs = parse_connection_string(text);
  } catch (const std::invalid_argument& e) {
    throw ConfigError(where, "connection", std::string("is not a connection string: ") + e.what());
  }
  ConnectionTarget target;
  const auto& allowed = allowed_connection_keys();
  for (const auto& [key, value] : pairs) {
    const std::string k = upper(key);
    if (k == "DSN" || k == "FILEDSN" || k == "SAVEFILE") {
      throw ConfigError(where, "connection",
                        "uses " + key + ": only DSN-less strings naming a Driver are allowed");
    }
    if (std::find(allowed.begin(), allowed.end(), k) == allowed.end()) {
      throw ConfigError(
          where, "connection",
          "uses the key " + key +
              ", which a configuration may not set (allowed: "
              "Driver, Server, Host, Port, Database, Uid, User, Pwd, Password, SSLmode, "
              "Encrypt, TrustServerCertificate, Charset, DB)");
    }
    if (k == "DRIVER") target.driver = value;
    if ((k == "PWD" || k == "PASSWORD") && !value.empty()) target.secrets.push_back(value);
  }
  if (target.driver.empty()) throw ConfigError(where, "connection", "names no Driver");
  if (target.driver.find('/') != std::string::npos) {
    throw ConfigError(where, "connection",
                      "names a driver library by path; name a driver "
                      "registered with unixODBC instead");
  }
  if (std::find(installed.begin(), installed.end(), target.driver) == installed.end()) {
    throw ConfigError(where, "connection",
                      "names the driver '" + target.driver +
                          "', which is not registered with unixODBC on this host (odbcinst -q -d)");
  }
  const bool file_database = contains_ignoring_case(target.driver, "sqlite");
  if (file_database) {
    for (const auto& [key, value] : pairs) {
      const std::string k = upper(key);
      if (k == "DATABASE" || k == "DB") {
        throw ConfigError(where, "connection",
                          "names the database file; give it in database_file (a host path)");
      }
    }
    if (file.empty()) throw ConfigError(where, "database_file", "is needed by " + target.driver);
    pairs.emplace_back("Database", file);
  } else if (!file.empty()) {
    throw ConfigError(where, "database_file", "is only for file databases (SQLite drivers)");
  }
  if (contains_ignoring_case(target.driver, "postgres")) {
    // Rows in batches through a server cursor (bounded memory for any
    // result), for a reader; no communication log (it would hold the
    // statements).
    if (batch_rows > 0) {
      pairs.emplace_back("UseDeclareFetch", "1");
      pairs.emplace_back("Fetch", std::to_string(batch_rows));
    }
    pairs.emplace_back("CommLog", "0");
    pairs.emplace_back("Debug", "0");
  }
  target.text = format_connection_string(pairs);
  target.secrets.push_back(text);
  target.secrets.push_back(target.text);
  return target;
}

}  // namespace databus::sql
