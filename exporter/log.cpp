#include "exporter/log.hpp"

#include <ctime>
#include <nlohmann/json.hpp>
#include <ostream>

#include "core/json_dump.hpp"
#include "core/time_format.hpp"
#include "core/utf8.hpp"

namespace opswatch {
namespace {

const char* LevelName(LogLevel level) {
  switch (level) {
    case LogLevel::kDebug:
      return "debug";
    case LogLevel::kInfo:
      return "info";
    case LogLevel::kWarn:
      return "warn";
    default:
      return "error";
  }
}

// logfmt quotes a value when it is empty or holds a space, quote, equals sign or control char.
void AppendLogfmtValue(std::string& out, std::string_view value) {
  bool quote = value.empty();
  for (char c : value) {
    if (c == ' ' || c == '"' || c == '=' || static_cast<unsigned char>(c) < 0x20) quote = true;
  }
  if (!quote) {
    out += value;
    return;
  }
  out += '"';
  for (char c : value) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        out += c;
    }
  }
  out += '"';
}

}  // namespace

Result<LogLevel> ParseLogLevel(const std::string& text) {
  if (text == "debug") return LogLevel::kDebug;
  if (text == "info") return LogLevel::kInfo;
  if (text == "warn") return LogLevel::kWarn;
  if (text == "error") return LogLevel::kError;
  return Result<LogLevel>::Error("invalid log level \"" + text +
                                 "\" (use debug, info, warn or error)");
}

Result<LogFormat> ParseLogFormat(const std::string& text) {
  if (text == "logfmt") return LogFormat::kLogfmt;
  if (text == "json") return LogFormat::kJson;
  return Result<LogFormat>::Error("invalid log format \"" + text + "\" (use logfmt or json)");
}

StreamLogger::StreamLogger(std::ostream& out, LogLevel level, LogFormat format, const Clock& clock)
    : out_(out), level_(level), format_(format), clock_(clock) {}

void StreamLogger::Log(LogLevel level, std::string_view message,
                       std::initializer_list<LogField> fields) {
  if (!Enabled(level)) return;
  // Messages and values may quote text from files and targets: bytes that are not UTF-8 are
  // written as \xNN, never raw (a log pipeline would reject or mangle the whole line).
  std::string line;
  std::string ts = FormatRfc3339Millis(clock_.SystemNow());
  if (format_ == LogFormat::kJson) {
    nlohmann::ordered_json j;
    j["ts"] = ts;
    j["level"] = LevelName(level);
    j["msg"] = EscapeInvalidUtf8(message);
    for (const auto& f : fields) j[f.key] = EscapeInvalidUtf8(f.value);
    line = DumpJson(j);
  } else {
    line = "ts=" + ts + " level=" + LevelName(level) + " msg=";
    AppendLogfmtValue(line, EscapeInvalidUtf8(message));
    for (const auto& f : fields) {
      line += ' ';
      line += f.key;
      line += '=';
      AppendLogfmtValue(line, EscapeInvalidUtf8(f.value));
    }
  }
  line += '\n';
  std::lock_guard lock(mu_);
  out_ << line << std::flush;
}

}  // namespace opswatch
