// Structured logging seam. The implementation (exporter/) writes logfmt or JSON to stderr;
// tests capture lines. Never pass secrets as field values.
// Thread-safety: implementations must be thread-safe.
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>

namespace opswatch {

enum class LogLevel { kDebug = 0, kInfo = 1, kWarn = 2, kError = 3 };

struct LogField {
  std::string key;
  std::string value;
  LogField(std::string k, std::string v) : key(std::move(k)), value(std::move(v)) {}
  LogField(std::string k, const char* v) : key(std::move(k)), value(v) {}
  LogField(std::string k, std::string_view v) : key(std::move(k)), value(v) {}
  template <typename Number, typename = std::enable_if_t<std::is_arithmetic_v<Number> &&
                                                         !std::is_same_v<Number, bool>>>
  LogField(std::string k, Number n) : key(std::move(k)), value(std::to_string(n)) {}
  LogField(std::string k, bool b) : key(std::move(k)), value(b ? "true" : "false") {}
};

class Logger {
 public:
  virtual ~Logger() = default;
  virtual bool Enabled(LogLevel level) const = 0;
  virtual void Log(LogLevel level, std::string_view message,
                   std::initializer_list<LogField> fields = {}) = 0;

  void Debug(std::string_view m, std::initializer_list<LogField> f = {}) {
    Log(LogLevel::kDebug, m, f);
  }
  void Info(std::string_view m, std::initializer_list<LogField> f = {}) {
    Log(LogLevel::kInfo, m, f);
  }
  void Warn(std::string_view m, std::initializer_list<LogField> f = {}) {
    Log(LogLevel::kWarn, m, f);
  }
  void Error(std::string_view m, std::initializer_list<LogField> f = {}) {
    Log(LogLevel::kError, m, f);
  }
};

// Discards everything; for tests that do not look at logs.
class NullLogger final : public Logger {
 public:
  bool Enabled(LogLevel) const override { return false; }
  void Log(LogLevel, std::string_view, std::initializer_list<LogField>) override {}
};

}  // namespace opswatch
