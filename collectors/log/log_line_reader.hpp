// Splits a file into lines from a byte offset, in bounded memory: a line longer than
// max_line_bytes is handed on cut (its first max_line_bytes) and the rest is skipped up to its
// newline, never buffered whole. An unterminated last line is left unread (the writer may be in
// the middle of it) unless the file is finished (rotated away or deleted), when it counts as a
// line. The cursor is what a restart resumes from: the offset of the first byte not yet consumed.
// Thread-safety: pure functions over a caller-owned cursor and fd.
#pragma once

#include <cstdint>
#include <functional>
#include <string_view>

#include "core/status.hpp"

namespace opswatch {

struct LogCursor {
  uint64_t offset = 0;
  bool skipping = false;  // inside a cut line: drop bytes up to the next newline
};

struct LogLine {
  std::string_view text;  // without the newline (and without a trailing \r)
  bool cut = false;
};

struct LogReadLimits {
  size_t max_line_bytes = 64 << 10;
  uint64_t budget = 64 << 20;  // bytes to read in this call
  bool finished = false;       // no more will be written: an unterminated last line is a line
};

struct LogReadResult {
  uint64_t consumed = 0;  // bytes the cursor advanced
  uint64_t read = 0;      // bytes read (an unterminated last line is read again next time)
  bool at_end = false;    // reached the end of what the file holds now
  Status status;          // a read error; lines before it were delivered
};

using LogLineSink = std::function<void(const LogLine& line)>;

LogReadResult ReadLogLines(int fd, LogCursor& cursor, const LogReadLimits& limits,
                           const LogLineSink& sink);

}  // namespace opswatch
