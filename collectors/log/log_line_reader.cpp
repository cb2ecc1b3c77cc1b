#include "collectors/log/log_line_reader.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <vector>

namespace opswatch {
namespace {

constexpr size_t kChunkBytes = 64 << 10;

void Deliver(std::string& line, bool cut, const LogLineSink& sink) {
  std::string_view text = line;
  if (!cut && text.ends_with('\r')) text.remove_suffix(1);
  sink(LogLine{text, cut});
  line.clear();
}

}  // namespace

LogReadResult ReadLogLines(int fd, LogCursor& cursor, const LogReadLimits& limits,
                           const LogLineSink& sink) {
  LogReadResult result;
  std::vector<char> chunk(kChunkBytes);
  std::string line;  // the current line's bytes, at most max_line_bytes
  // Where the bytes in `line` start: the cursor moves past a line only once it is delivered, so
  // a partial line left at the end is read again next time.
  uint64_t line_start = cursor.offset;
  uint64_t pos = cursor.offset;
  uint64_t read_total = 0;
  while (read_total < limits.budget) {
    size_t want = size_t(std::min<uint64_t>(kChunkBytes, limits.budget - read_total));
    ssize_t got = ::pread(fd, chunk.data(), want, off_t(pos));
    if (got < 0) {
      if (errno == EINTR) continue;
      result.status = Status::Error(std::string("read: ") + std::strerror(errno));
      break;
    }
    if (got == 0) {
      result.at_end = true;
      if (limits.finished && !line.empty()) {
        Deliver(line, /*cut=*/false, sink);
        line_start = pos;
      }
      break;
    }
    read_total += uint64_t(got);
    std::string_view data(chunk.data(), size_t(got));
    while (!data.empty()) {
      size_t newline = data.find('\n');
      size_t take = newline == std::string_view::npos ? data.size() : newline;
      if (cursor.skipping) {
        pos += take;
        data.remove_prefix(take);
        line_start = pos;
        if (newline == std::string_view::npos) continue;
        cursor.skipping = false;
        pos += 1;
        data.remove_prefix(1);
        line_start = pos;
        continue;
      }
      size_t room = limits.max_line_bytes - line.size();
      if (take > room) {
        // Too long: hand on what fits and skip the rest without buffering it.
        line.append(data.substr(0, room));
        pos += room;
        data.remove_prefix(room);
        Deliver(line, /*cut=*/true, sink);
        cursor.skipping = true;
        line_start = pos;
        continue;
      }
      line.append(data.substr(0, take));
      pos += take;
      data.remove_prefix(take);
      if (newline == std::string_view::npos) continue;
      pos += 1;
      data.remove_prefix(1);
      Deliver(line, /*cut=*/false, sink);
      line_start = pos;
    }
  }
  result.read = read_total;
  result.consumed = line_start - cursor.offset;
  cursor.offset = line_start;
  return result;
}

}  // namespace opswatch
