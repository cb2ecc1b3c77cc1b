// The process logger: logfmt (default) or JSON lines on a stream (stderr), with a level filter.
// Thread-safety: thread-safe; one line is written whole under a lock.
#pragma once

#include <iosfwd>
#include <mutex>
#include <string>

#include "core/clock.hpp"
#include "core/logger.hpp"
#include "core/status.hpp"

namespace opswatch {

enum class LogFormat { kLogfmt, kJson };

Result<LogLevel> ParseLogLevel(const std::string& text);
Result<LogFormat> ParseLogFormat(const std::string& text);

class StreamLogger final : public Logger {
 public:
  StreamLogger(std::ostream& out, LogLevel level, LogFormat format, const Clock& clock);
  bool Enabled(LogLevel level) const override { return level >= level_; }
  void Log(LogLevel level, std::string_view message,
           std::initializer_list<LogField> fields) override;

 private:
  std::mutex mu_;
  std::ostream& out_;  // GUARDED_BY(mu_)
  const LogLevel level_;
  const LogFormat format_;
  const Clock& clock_;
};

}  // namespace opswatch
