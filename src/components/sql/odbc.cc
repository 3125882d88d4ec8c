#include "components/sql/odbc.h"

#include <sql.h>
#include <sqlext.h>

#include <cstdio>
#include <cstring>
#include <deque>

#include "databus/error.h"
#include "registry/secrets.h"

namespace databus::odbc {

namespace {

bool ok(SQLRETURN rc) { return rc == SQL_SUCCESS || rc == SQL_SUCCESS_WITH_INFO; }

// Parameter values kept alive from binding until the statement ran.
struct Bound {
  std::deque<std::u16string> texts;
  std::deque<std::string> bytes;
  std::deque<SQL_TIMESTAMP_STRUCT> stamps;
  std::deque<SQLBIGINT> integers;
  std::deque<double> reals;
  std::deque<unsigned char> bits;
  std::deque<SQLLEN> lengths;
};

// "YYYY-MM-DDTHH:MM:SS[.ffffff]" (or a space for the T) into a struct.
SQL_TIMESTAMP_STRUCT parse_timestamp(const std::string& text) {
  SQL_TIMESTAMP_STRUCT ts{};
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0;
  char sep = 0;
  int used = 0;
  if (std::sscanf(text.c_str(), "%4d-%2d-%2d%c%2d:%2d:%2d%n", &y, &mo, &d, &sep, &h, &mi, &s,
                  &used) < 7 ||
      (sep != 'T' && sep != ' ')) {
    throw Error("not a timestamp: '" + text + "'");
  }
  ts.year = static_cast<SQLSMALLINT>(y);
  ts.month = static_cast<SQLUSMALLINT>(mo);
  ts.day = static_cast<SQLUSMALLINT>(d);
  ts.hour = static_cast<SQLUSMALLINT>(h);
  ts.minute = static_cast<SQLUSMALLINT>(mi);
  ts.second = static_cast<SQLUSMALLINT>(s);
  if (text.size() > static_cast<std::size_t>(used) && text[used] == '.') {
    std::string digits = text.substr(used + 1, 9);
    while (digits.size() < 9) digits += '0';
    ts.fraction = static_cast<SQLUINTEGER>(std::stoul(digits));  // Nanoseconds.
  }
  return ts;
}

std::string format_timestamp(const SQL_TIMESTAMP_STRUCT& ts) {
  char text[64];
  std::snprintf(text, sizeof text, "%04d-%02u-%02uT%02u:%02u:%02u.%06u", ts.year, ts.month, ts.day,
                ts.hour, ts.minute, ts.second, static_cast<unsigned>(ts.fraction / 1000));
  return text;
}

Value::Kind kind_of(SQLSMALLINT type) {
  switch (type) {
    case SQL_TINYINT:
    case SQL_SMALLINT:
    case SQL_INTEGER:
    case SQL_BIGINT:
      return Value::Kind::integer;
    case SQL_REAL:
    case SQL_FLOAT:
    case SQL_DOUBLE:
      return Value::Kind::real;
    case SQL_BIT:
      return Value::Kind::boolean;
    case SQL_TYPE_TIMESTAMP:
    case SQL_TIMESTAMP:
      return Value::Kind::timestamp;
    case SQL_BINARY:
    case SQL_VARBINARY:
    case SQL_LONGVARBINARY:
      return Value::Kind::binary;
    default:
      return Value::Kind::text;
  }
}

// Binds `params` to `stmt`; their buffers live in `bound`.
void bind_parameters(const Connection& c, SQLHSTMT stmt, const std::vector<Value>& params,
                     Bound& bound) {
  SQLUSMALLINT n = 0;
  for (const Value& v : params) {
    ++n;
    SQLSMALLINT c_type = SQL_C_WCHAR;
    SQLSMALLINT sql_type = SQL_WVARCHAR;
    SQLULEN size = 1;
    SQLSMALLINT digits = 0;
    void* data = nullptr;
    SQLLEN& length = bound.lengths.emplace_back(0);
    switch (v.kind) {
      case Value::Kind::null:
        length = SQL_NULL_DATA;
        break;
      case Value::Kind::integer:
        c_type = SQL_C_SBIGINT;
        sql_type = SQL_BIGINT;
        data = &bound.integers.emplace_back(v.integer);
        break;
      case Value::Kind::real:
        c_type = SQL_C_DOUBLE;
        sql_type = SQL_DOUBLE;
        data = &bound.reals.emplace_back(v.real);
        break;
      case Value::Kind::boolean:
        c_type = SQL_C_BIT;
        sql_type = SQL_BIT;
        data = &bound.bits.emplace_back(v.boolean ? 1 : 0);
        break;
      case Value::Kind::timestamp:
        c_type = SQL_C_TYPE_TIMESTAMP;
        sql_type = SQL_TYPE_TIMESTAMP;
        size = 26;
        digits = 6;
        data = &bound.stamps.emplace_back(parse_timestamp(v.text));
        break;
      case Value::Kind::text: {
        std::u16string& t = bound.texts.emplace_back(to_utf16(v.text));
        data = t.data();
        length = static_cast<SQLLEN>(t.size() * sizeof(char16_t));
        size = t.empty() ? 1 : t.size();
        break;
      }
      case Value::Kind::binary: {
        std::string& b = bound.bytes.emplace_back(v.text);
        c_type = SQL_C_BINARY;
        sql_type = SQL_VARBINARY;
        data = b.data();
        length = static_cast<SQLLEN>(b.size());
        size = b.empty() ? 1 : b.size();
        break;
      }
    }
    const SQLRETURN rc = SQLBindParameter(stmt, n, SQL_PARAM_INPUT, c_type, sql_type, size, digits,
                                          data, length > 0 ? length : 0, &length);
    if (!ok(rc)) c.fail(SQL_HANDLE_STMT, stmt, "cannot bind parameter " + std::to_string(n));
  }
}

struct StatementDeleter {
  void operator()(SQLHSTMT stmt) const { SQLFreeHandle(SQL_HANDLE_STMT, stmt); }
};

}  // namespace

struct Cursor::Handle {
  SQLHSTMT stmt = SQL_NULL_HSTMT;
  Bound bound;
  ~Handle() {
    if (stmt != SQL_NULL_HSTMT) SQLFreeHandle(SQL_HANDLE_STMT, stmt);
  }
};

Connection::Connection(const std::string& connection_string, std::vector<std::string> secrets,
                       std::chrono::seconds login_timeout)
    : secrets_(std::move(secrets)) {
  SQLHENV env = SQL_NULL_HENV;
  if (!ok(SQLAllocHandle(SQL_HANDLE_ENV, SQL_NULL_HANDLE, &env))) {
    throw Error("cannot set up unixODBC");
  }
  env_ = env;
  SQLSetEnvAttr(env, SQL_ATTR_ODBC_VERSION, reinterpret_cast<SQLPOINTER>(SQL_OV_ODBC3), 0);
  SQLHDBC dbc = SQL_NULL_HDBC;
  if (!ok(SQLAllocHandle(SQL_HANDLE_DBC, env, &dbc))) {
    SQLFreeHandle(SQL_HANDLE_ENV, env);
    throw Error("cannot set up an ODBC connection");
  }
  dbc_ = dbc;
  SQLSetConnectAttr(dbc, SQL_ATTR_LOGIN_TIMEOUT,
                    reinterpret_cast<SQLPOINTER>(static_cast<SQLULEN>(login_timeout.count())), 0);
  std::u16string text = to_utf16(connection_string);
  const SQLRETURN rc = SQLDriverConnectW(dbc, nullptr, reinterpret_cast<SQLWCHAR*>(text.data()),
                                         static_cast<SQLSMALLINT>(text.size()), nullptr, 0, nullptr,
                                         SQL_DRIVER_NOPROMPT);
  if (!ok(rc)) {
    try {
      fail(SQL_HANDLE_DBC, dbc, "cannot connect");
    } catch (...) {
      SQLFreeHandle(SQL_HANDLE_DBC, dbc);
      SQLFreeHandle(SQL_HANDLE_ENV, env);
      throw;
    }
  }
  char name[256] = {0};
  SQLSMALLINT length = 0;
  if (ok(SQLGetInfo(dbc, SQL_DBMS_NAME, name, sizeof name, &length))) dbms_ = name;
}

Connection::~Connection() {
  SQLDisconnect(static_cast<SQLHDBC>(dbc_));
  SQLFreeHandle(SQL_HANDLE_DBC, static_cast<SQLHDBC>(dbc_));
  SQLFreeHandle(SQL_HANDLE_ENV, static_cast<SQLHENV>(env_));
}

void Connection::fail(short handle_type, void* handle, const std::string& what) const {
  std::string message;
  for (SQLSMALLINT i = 1; i <= 5; ++i) {
    SQLCHAR state[8] = {0};
    SQLCHAR text[1024] = {0};
    SQLINTEGER native = 0;
    SQLSMALLINT length = 0;
    if (!ok(SQLGetDiagRec(handle_type, handle, i, state, &native, text, sizeof text, &length))) {
      break;
    }
    if (!message.empty()) message += "; ";
    message += std::string(reinterpret_cast<char*>(state)) + " " +
               std::string(reinterpret_cast<char*>(text));
  }
  if (message.empty()) message = "no diagnostics from the driver";
  throw Error(redact(what + ": " + message, secrets_));
}

std::int64_t Connection::execute(const std::string& sql, const std::vector<Value>& params) {
  Cursor cursor = query(sql, params);
  SQLLEN rows = -1;
  SQLRowCount(cursor.handle_->stmt, &rows);
  return rows;
}

Cursor Connection::query(const std::string& sql, const std::vector<Value>& params) {
  auto handle = std::make_unique<Cursor::Handle>();
  if (!ok(SQLAllocHandle(SQL_HANDLE_STMT, static_cast<SQLHDBC>(dbc_), &handle->stmt))) {
    fail(SQL_HANDLE_DBC, dbc_, "cannot make a statement");
  }
  std::u16string text = to_utf16(sql);
  if (!ok(SQLPrepareW(handle->stmt, reinterpret_cast<SQLWCHAR*>(text.data()),
                      static_cast<SQLINTEGER>(text.size())))) {
    fail(SQL_HANDLE_STMT, handle->stmt, "cannot prepare the statement");
  }
  bind_parameters(*this, handle->stmt, params, handle->bound);
  const SQLRETURN rc = SQLExecute(handle->stmt);
  if (!ok(rc) && rc != SQL_NO_DATA) fail(SQL_HANDLE_STMT, handle->stmt, "the statement failed");
  return Cursor(std::move(handle), *this);
}

void Connection::begin() {
  if (!ok(SQLSetConnectAttr(static_cast<SQLHDBC>(dbc_), SQL_ATTR_AUTOCOMMIT,
                            reinterpret_cast<SQLPOINTER>(SQL_AUTOCOMMIT_OFF), 0))) {
    fail(SQL_HANDLE_DBC, dbc_, "cannot start a transaction");
  }
}

void Connection::commit() {
  if (!ok(SQLEndTran(SQL_HANDLE_DBC, static_cast<SQLHDBC>(dbc_), SQL_COMMIT))) {
    fail(SQL_HANDLE_DBC, dbc_, "cannot commit");
  }
  SQLSetConnectAttr(static_cast<SQLHDBC>(dbc_), SQL_ATTR_AUTOCOMMIT,
                    reinterpret_cast<SQLPOINTER>(SQL_AUTOCOMMIT_ON), 0);
}

void Connection::rollback() noexcept {
  SQLEndTran(SQL_HANDLE_DBC, static_cast<SQLHDBC>(dbc_), SQL_ROLLBACK);
  SQLSetConnectAttr(static_cast<SQLHDBC>(dbc_), SQL_ATTR_AUTOCOMMIT,
                    reinterpret_cast<SQLPOINTER>(SQL_AUTOCOMMIT_ON), 0);
}

Cursor::Cursor(std::unique_ptr<Handle> handle, const Connection& connection)
    : handle_(std::move(handle)), connection_(&connection) {
  SQLSMALLINT count = 0;
  SQLNumResultCols(handle_->stmt, &count);
  for (SQLSMALLINT i = 1; i <= count; ++i) {
    SQLWCHAR name[256] = {0};
    SQLSMALLINT name_length = 0, type = 0, digits = 0, nullable = 0;
    SQLULEN size = 0;
    if (!ok(SQLDescribeColW(handle_->stmt, static_cast<SQLUSMALLINT>(i), name, 255, &name_length,
                            &type, &size, &digits, &nullable))) {
      connection.fail(SQL_HANDLE_STMT, handle_->stmt,
                      "cannot describe column " + std::to_string(i));
    }
    const auto* chars = reinterpret_cast<const char16_t*>(name);
    columns_.push_back(
        {to_utf8(std::u16string(chars, std::min<SQLSMALLINT>(name_length, 255))), kind_of(type)});
  }
}

Cursor::Cursor(Cursor&&) noexcept = default;
Cursor::~Cursor() = default;

bool Cursor::next(std::vector<Value>& row) {
  const SQLRETURN rc = SQLFetch(handle_->stmt);
  if (rc == SQL_NO_DATA) return false;
  if (!ok(rc)) connection_->fail(SQL_HANDLE_STMT, handle_->stmt, "cannot fetch a row");
  row.assign(columns_.size(), Value{});
  for (std::size_t i = 0; i < columns_.size(); ++i) {
    const auto col = static_cast<SQLUSMALLINT>(i + 1);
    Value& v = row[i];
    SQLLEN length = 0;
    auto check = [&](SQLRETURN r) {
      if (!ok(r))
        connection_->fail(SQL_HANDLE_STMT, handle_->stmt, "cannot read column " + columns_[i].name);
    };
    switch (columns_[i].kind) {
      case Value::Kind::integer: {
        SQLBIGINT n = 0;
        check(SQLGetData(handle_->stmt, col, SQL_C_SBIGINT, &n, sizeof n, &length));
        v.integer = n;
        break;
      }
      case Value::Kind::real:
        check(SQLGetData(handle_->stmt, col, SQL_C_DOUBLE, &v.real, sizeof v.real, &length));
        break;
      case Value::Kind::boolean: {
        unsigned char bit = 0;
        check(SQLGetData(handle_->stmt, col, SQL_C_BIT, &bit, sizeof bit, &length));
        v.boolean = bit != 0;
        break;
      }
      case Value::Kind::timestamp: {
        SQL_TIMESTAMP_STRUCT ts{};
        check(SQLGetData(handle_->stmt, col, SQL_C_TYPE_TIMESTAMP, &ts, sizeof ts, &length));
        v.text = format_timestamp(ts);
        break;
      }
      case Value::Kind::binary:
      case Value::Kind::text: {
        // Read in pieces: a value of any length, each piece as the driver gives it.
        const bool binary = columns_[i].kind == Value::Kind::binary;
        std::string bytes;
        std::u16string chars;
        for (;;) {
          char buffer[8192];
          const SQLRETURN r = SQLGetData(handle_->stmt, col, binary ? SQL_C_BINARY : SQL_C_WCHAR,
                                         buffer, sizeof buffer, &length);
          if (r == SQL_NO_DATA) break;
          check(r);
          if (length == SQL_NULL_DATA) break;
          std::size_t got = sizeof buffer;
          if (length != SQL_NO_TOTAL && static_cast<std::size_t>(length) < sizeof buffer) {
            got = static_cast<std::size_t>(length);
          } else if (!binary) {
            got = sizeof buffer - sizeof(char16_t);  // The terminating NUL.
          }
          if (binary) {
            bytes.append(buffer, got);
          } else {
            chars.append(reinterpret_cast<const char16_t*>(buffer), got / sizeof(char16_t));
          }
          if (r == SQL_SUCCESS) break;
        }
        v.text = binary ? std::move(bytes) : to_utf8(chars);
        break;
      }
      case Value::Kind::null:
        break;
    }
    v.kind = length == SQL_NULL_DATA ? Value::Kind::null : columns_[i].kind;
  }
  return true;
}

std::vector<std::string> installed_drivers() {
  std::vector<std::string> names;
  SQLHENV env = SQL_NULL_HENV;
  if (!ok(SQLAllocHandle(SQL_HANDLE_ENV, SQL_NULL_HANDLE, &env))) return names;
  SQLSetEnvAttr(env, SQL_ATTR_ODBC_VERSION, reinterpret_cast<SQLPOINTER>(SQL_OV_ODBC3), 0);
  SQLUSMALLINT direction = SQL_FETCH_FIRST;
  SQLCHAR name[256];
  SQLCHAR attributes[1024];
  SQLSMALLINT name_length = 0, attributes_length = 0;
  while (ok(SQLDrivers(env, direction, name, sizeof name, &name_length, attributes,
                       sizeof attributes, &attributes_length))) {
    names.emplace_back(reinterpret_cast<char*>(name));
    direction = SQL_FETCH_NEXT;
  }
  SQLFreeHandle(SQL_HANDLE_ENV, env);
  return names;
}

std::u16string to_utf16(const std::string& text) {
  std::u16string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size();) {
    const auto b = static_cast<unsigned char>(text[i]);
    char32_t cp = 0xFFFD;
    std::size_t n = 1;
    if (b < 0x80) {
      cp = b;
    } else if ((b >> 5) == 0x6) {
      n = 2, cp = b & 0x1F;
    } else if ((b >> 4) == 0xE) {
      n = 3, cp = b & 0x0F;
    } else if ((b >> 3) == 0x1E) {
      n = 4, cp = b & 0x07;
    }
    bool valid = b < 0x80 || n > 1;
    if (n > 1) {
      if (i + n > text.size()) {
        valid = false;
      } else {
        for (std::size_t k = 1; k < n; ++k) {
          const auto c = static_cast<unsigned char>(text[i + k]);
          if ((c >> 6) != 0x2) valid = false;
          cp = (cp << 6) | (c & 0x3F);
        }
      }
    }
    if (!valid || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
      cp = 0xFFFD;
      n = 1;
    }
    i += n;
    if (cp >= 0x10000) {
      cp -= 0x10000;
      out.push_back(static_cast<char16_t>(0xD800 + (cp >> 10)));
      out.push_back(static_cast<char16_t>(0xDC00 + (cp & 0x3FF)));
    } else {
      out.push_back(static_cast<char16_t>(cp));
    }
  }
  return out;
}

std::string to_utf8(const std::u16string& text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    char32_t cp = text[i];
    if (cp >= 0xD800 && cp <= 0xDBFF && i + 1 < text.size() && text[i + 1] >= 0xDC00 &&
        text[i + 1] <= 0xDFFF) {
      cp = 0x10000 + ((cp - 0xD800) << 10) + (text[++i] - 0xDC00);
    } else if (cp >= 0xD800 && cp <= 0xDFFF) {
      cp = 0xFFFD;
    }
    if (cp < 0x80) {
      out.push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
      out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
      out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) {
      out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
      out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else {
      out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
      out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    }
  }
  return out;
}

}  // namespace databus::odbc
