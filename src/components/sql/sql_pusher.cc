#include "components/sql/sql_pusher.h"

#include <algorithm>
#include <cctype>

#include <nlohmann/json.hpp>

#include "components/directory/directory_components.h"
#include "components/settings.h"
#include "components/sql/odbc.h"
#include "databus/attachment_content.h"
#include "databus/error.h"

namespace databus {

namespace cs = component_settings;
namespace di = directory_internal;

namespace {

std::string joined(const std::vector<std::string>& items, const std::string& separator,
                   const std::string& before = "", const std::string& after = "") {
  std::string text;
  for (const std::string& item : items) {
    if (!text.empty()) text += separator;
    text += before + item + after;
  }
  return text;
}

bool contains(const std::string& text, const std::string& part) {
  std::string lower = text;
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return lower.find(part) != std::string::npos;
}

odbc::Value value_of(const nlohmann::json& v) {
  odbc::Value out;
  if (v.is_null()) return out;
  if (v.is_boolean()) {
    out.kind = odbc::Value::Kind::boolean;
    out.boolean = v.get<bool>();
  } else if (v.is_number_integer()) {
    out.kind = odbc::Value::Kind::integer;
    out.integer = v.get<std::int64_t>();
  } else if (v.is_number()) {
    out.kind = odbc::Value::Kind::real;
    out.real = v.get<double>();
  } else if (v.is_string()) {
    out = odbc::Value::of_text(v.get<std::string>());
  } else {
    out = odbc::Value::of_text(v.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
  }
  return out;
}

}  // namespace

namespace sql_internal {

bool is_identifier(const std::string& name, bool dotted) {
  if (name.empty() || name.size() > 128) return false;
  bool start = true;
  for (char c : name) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '.' && dotted && !start) {
      start = true;
      continue;
    }
    if (!(std::isalpha(u) || c == '_' || (!start && std::isdigit(u)))) return false;
    start = false;
  }
  return !start;
}

std::string upsert_statement(const std::string& dbms, const std::string& table,
                             const std::vector<std::string>& columns,
                             const std::vector<std::string>& key) {
  const std::vector<std::string> marks(columns.size(), "?");
  const std::string insert = "INSERT INTO " + table + " (" + joined(columns, ", ") + ") VALUES (" +
                             joined(marks, ", ") + ")";
  if (key.empty()) return insert;
  std::vector<std::string> rest;
  for (const std::string& c : columns) {
    if (std::find(key.begin(), key.end(), c) == key.end()) rest.push_back(c);
  }
  if (contains(dbms, "postgres") || contains(dbms, "sqlite")) {
    if (rest.empty()) return insert + " ON CONFLICT (" + joined(key, ", ") + ") DO NOTHING";
    std::vector<std::string> sets;
    for (const std::string& c : rest) sets.push_back(c + " = excluded." + c);
    return insert + " ON CONFLICT (" + joined(key, ", ") + ") DO UPDATE SET " + joined(sets, ", ");
  }
  if (contains(dbms, "mysql") || contains(dbms, "mariadb")) {
    std::vector<std::string> sets;
    for (const std::string& c : rest) sets.push_back(c + " = VALUES(" + c + ")");
    if (sets.empty()) sets.push_back(key.front() + " = " + key.front());
    return insert + " ON DUPLICATE KEY UPDATE " + joined(sets, ", ");
  }
  // SQL Server, Oracle, DB2 and the rest: the standard MERGE.
  std::vector<std::string> source;
  for (const std::string& c : columns) source.push_back("? AS " + c);
  std::vector<std::string> on;
  for (const std::string& k : key) on.push_back("t." + k + " = s." + k);
  std::vector<std::string> sets;
  for (const std::string& c : rest) sets.push_back("t." + c + " = s." + c);
  std::string sql = "MERGE INTO " + table + " t USING (SELECT " + joined(source, ", ") +
                    (contains(dbms, "oracle") ? " FROM dual" : "") + ") s ON (" +
                    joined(on, " AND ") + ")";
  if (!sets.empty()) sql += " WHEN MATCHED THEN UPDATE SET " + joined(sets, ", ");
  sql += " WHEN NOT MATCHED THEN INSERT (" + joined(columns, ", ") + ") VALUES (" +
         joined(columns, ", ", "s.") + ")";
  if (contains(dbms, "sql server")) sql += ";";
  return sql;
}

}  // namespace sql_internal

SqlPusher::SqlPusher(const ComponentEnv& env)
    : module_(env.module.empty() ? kSqlPusherModule : env.module),
      target_(sql::connection_target(env, odbc::installed_drivers(), 0)),
      table_(di::string_setting(env, "table", "")),
      columns_(cs::string_map(env, "columns")),
      key_(cs::string_list(env, "key", {})),
      attachment_(di::string_setting(env, "attachment", "")),
      rows_pointer_(di::string_setting(env, "rows_pointer", "")),
      login_timeout_seconds_(static_cast<int>(cs::integer(env, "login_timeout_seconds", 30, 1))) {
  const std::string where = cs::where(env);
  if (!sql_internal::is_identifier(table_, true)) {
    throw ConfigError(where, "table",
                      "must be a plain table name such as orders or staging.orders");
  }
  if (columns_.empty()) throw ConfigError(where, "columns", "needs at least one column");
  for (const auto& [column, source] : columns_) {
    if (!sql_internal::is_identifier(column, false)) {
      throw ConfigError(where, "columns",
                        "has the column name '" + column + "', which is not a plain identifier");
    }
    if (source.starts_with("$")) {
      if (source != "$internal_id" && source != "$external_id" && source != "$source_system" &&
          source != "$attachment_name") {
        throw ConfigError(where, "columns", "maps " + column + " to the unknown field " + source);
      }
    } else {
      try {
        nlohmann::json::json_pointer check(source);
      } catch (const nlohmann::json::exception&) {
        throw ConfigError(
            where, "columns",
            "maps " + column + " to '" + source + "', which is not a JSON pointer such as \"/id\"");
      }
    }
  }
  for (const std::string& k : key_) {
    if (std::none_of(columns_.begin(), columns_.end(),
                     [&](const auto& c) { return c.first == k; })) {
      throw ConfigError(where, "key", "names " + k + ", which is not one of columns");
    }
  }
  if (!rows_pointer_.empty()) {
    try {
      nlohmann::json::json_pointer check(rows_pointer_);
    } catch (const nlohmann::json::exception&) {
      throw ConfigError(where, "rows_pointer", "must be a JSON pointer such as \"/lines\"");
    }
  }
}

SqlPusher::~SqlPusher() = default;

void SqlPusher::push(DriveContext& ctx, QueueEntry& entry) {
  const Passenger& p = entry.passenger;
  const Attachment* source = nullptr;
  for (const Attachment& a : p.attachments) {
    if (attachment_.empty() ? a.name.ends_with(".json") : a.name == attachment_) {
      source = &a;
      break;
    }
  }
  nlohmann::json document = nlohmann::json::object();
  if (source != nullptr) {
    // A spooled one is read whole, up to kWholeContentLimit (else refused).
    document = nlohmann::json::parse(source->spool != nullptr
                                         ? read_content(*source, kWholeContentLimit, p.describe())
                                         : source->content,
                                     nullptr, false);
    if (document.is_discarded()) {
      throw Error("passenger " + p.describe() + ": attachment " + source->name + " is not JSON");
    }
  } else if (!attachment_.empty()) {
    throw Error("passenger " + p.describe() + " has no attachment " + attachment_);
  }
  nlohmann::json rows = document;
  if (!rows_pointer_.empty()) {
    const nlohmann::json::json_pointer at(rows_pointer_);
    if (!document.contains(at) || !document.at(at).is_array()) {
      throw Error("passenger " + p.describe() + ": no JSON array at " + rows_pointer_);
    }
    rows = document.at(at);
  }
  if (!rows.is_array()) rows = nlohmann::json::array({rows});

  if (!connection_) {
    connection_ = std::make_unique<odbc::Connection>(target_.text, target_.secrets,
                                                     std::chrono::seconds(login_timeout_seconds_));
    std::vector<std::string> names;
    for (const auto& [column, from] : columns_) names.push_back(column);
    statement_ = sql_internal::upsert_statement(connection_->dbms(), table_, names, key_);
  }
  const std::string name = source != nullptr ? source->name : "";
  connection_->begin();
  try {
    for (const nlohmann::json& row : rows) {
      std::vector<odbc::Value> params;
      for (const auto& [column, from] : columns_) {
        if (from == "$internal_id") {
          params.push_back(odbc::Value::of_text(p.internal_id));
        } else if (from == "$external_id") {
          params.push_back(odbc::Value::of_text(p.external_id));
        } else if (from == "$source_system") {
          params.push_back(odbc::Value::of_text(p.source_system));
        } else if (from == "$attachment_name") {
          params.push_back(odbc::Value::of_text(name));
        } else {
          const nlohmann::json::json_pointer at(from);
          params.push_back(row.is_structured() && row.contains(at) ? value_of(row.at(at))
                                                                   : odbc::Value{});
        }
      }
      connection_->execute(statement_, params);
    }
    connection_->commit();
  } catch (...) {
    connection_->rollback();
    connection_.reset();  // It may be broken: the next push connects anew.
    throw;
  }
  ctx.log().info(module_, "Wrote " + std::to_string(rows.size()) + " row(s) of passenger " +
                              p.describe() + " into " + table_);
}

}  // namespace databus
