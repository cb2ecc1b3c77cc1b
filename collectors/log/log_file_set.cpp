#include "collectors/log/log_file_set.hpp"

#include <fcntl.h>

#include <algorithm>
#include <set>

namespace opswatch {
namespace {

// Reading in slices keeps the deadline check close to the work done.
constexpr uint64_t kSliceBytes = 1 << 20;

// Positions of files no longer followed, kept for files that come back; bounded so that a
// directory of daily files does not grow it forever.
constexpr size_t kMaxRemembered = 1024;

bool SameFile(const LogFileIdentity& id, const LogFileInfo& info) {
  return id.dev == info.dev && id.ino == info.ino;
}

}  // namespace

LogFileSet::LogFileSet(size_t max_line_bytes, bool from_beginning)
    : max_line_bytes_(max_line_bytes), from_beginning_(from_beginning) {}

void LogFileSet::Restore(std::vector<LogFilePosition> positions) {
  for (auto& position : positions) restored_[position.path] = std::move(position);
}

void LogFileSet::CheckFollowed(const std::map<std::string, LogFileInfo>& infos,
                               LogReadObserver& observer) {
  for (auto it = tails_.begin(); it != tails_.end();) {
    Tail& tail = it->second;
    auto info = infos.find(tail.path);
    if (info != infos.end() && SameFile(tail.id, info->second)) {
      if (info->second.size < tail.cursor.offset ||
          !LogFileStartsAsBefore(tail.fd.get(), tail.id)) {
        observer.OnTruncation(tail.path);
        tail.cursor = LogCursor{};
        // The new content's fingerprint, or the next run would see the old one differ again.
        if (auto id = IdentifyLogFile(tail.fd.get())) tail.id = *id;
      }
      if (tail.id.fingerprint_len < kLogFingerprintBytes &&
          info->second.size > tail.id.fingerprint_len) {
        if (auto id = IdentifyLogFile(tail.fd.get())) tail.id = *id;
      }
      ++it;
      continue;
    }
    if (info != infos.end()) observer.OnRotation(tail.path);
    finishing_.push_back(std::move(tail));
    it = tails_.erase(it);
  }
}

void LogFileSet::FollowRenamed(const std::map<std::string, LogFileInfo>& infos) {
  for (auto it = finishing_.begin(); it != finishing_.end();) {
    auto moved = std::find_if(infos.begin(), infos.end(), [&](const auto& entry) {
      return !tails_.contains(entry.first) && SameFile(it->id, entry.second);
    });
    if (moved == infos.end()) {
      ++it;
      continue;
    }
    Tail tail = std::move(*it);
    tail.path = moved->first;
    tails_.emplace(tail.path, std::move(tail));
    it = finishing_.erase(it);
  }
}

void LogFileSet::OpenNew(const std::map<std::string, LogFileInfo>& infos, bool first_run,
                         LogReadObserver& observer) {
  for (const auto& [path, seen] : infos) {
    if (tails_.contains(path)) continue;
    UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK));
    if (fd.get() < 0) {
      observer.OnReadError(path, "open");
      continue;
    }
    auto info = StatLogFd(fd.get());
    auto id = IdentifyLogFile(fd.get());
    if (!info || !id) {
      observer.OnReadError(path, "read");
      continue;
    }
    Tail tail{path, std::move(fd), *id, LogCursor{}};
    auto saved = restored_.find(path);
    if (saved != restored_.end()) {
      const LogFilePosition& position = saved->second;
      bool same_inode = position.id.dev == id->dev && position.id.ino == id->ino;
      if (same_inode && info->size >= position.cursor.offset &&
          LogFileStartsAsBefore(tail.fd.get(), position.id)) {
        tail.cursor = position.cursor;
      } else if (same_inode) {
        observer.OnTruncation(path);
      } else {
        // Rotated while opswatch was not running: the new file is read whole.
        observer.OnRotation(path);
      }
      restored_.erase(saved);
    } else if (first_run && !from_beginning_) {
      tail.cursor.offset = info->size;
    }
    observer.OnFirstSight(path, info->mtime_seconds);
    tails_.emplace(path, std::move(tail));
  }
}

void LogFileSet::Forget(const Tail& tail) {
  // Kept so that the same file seen again at its path (a directory that failed to list for one
  // run, a file moved away and back) resumes instead of being read twice. A path followed again
  // already has its new file.
  if (tails_.contains(tail.path)) return;
  restored_[tail.path] = LogFilePosition{tail.path, tail.id, tail.cursor};
  while (restored_.size() > kMaxRemembered) restored_.erase(restored_.begin());
}

bool LogFileSet::Read(Tail& tail, bool finished, uint64_t& budget,
                      const std::function<bool()>& past_deadline, LogReadObserver& observer) {
  const LogLineSink sink = [&](const LogLine& line) { observer.OnLine(tail.path, line); };
  while (budget > 0 && !past_deadline()) {
    // A slice holds at least one whole line, so every slice makes progress.
    uint64_t slice = std::max<uint64_t>(kSliceBytes, 2 * uint64_t(max_line_bytes_));
    LogReadLimits limits{max_line_bytes_, std::min(budget, slice), finished};
    LogReadResult result = ReadLogLines(tail.fd.get(), tail.cursor, limits, sink);
    budget -= std::min(budget, result.read);
    if (result.consumed > 0) observer.OnBytes(tail.path, result.consumed);
    if (!result.status.ok()) {
      observer.OnReadError(tail.path, "read");
      return finished;  // a file being finished that cannot be read is given up
    }
    if (result.at_end) return true;
  }
  return false;
}

void LogFileSet::Run(const std::vector<std::string>& paths, uint64_t budget,
                     const std::function<bool()>& past_deadline, LogReadObserver& observer) {
  const bool first_run = std::exchange(first_run_, false);
  std::map<std::string, LogFileInfo> infos;
  for (const std::string& path : paths) {
    if (auto info = StatLogPath(path)) infos.emplace(path, *info);
  }
  CheckFollowed(infos, observer);
  FollowRenamed(infos);
  OpenNew(infos, first_run, observer);

  // Older lines first: what is left of replaced and removed files.
  for (auto it = finishing_.begin(); it != finishing_.end();) {
    if (Read(*it, /*finished=*/true, budget, past_deadline, observer)) {
      Forget(*it);
      it = finishing_.erase(it);
    } else {
      ++it;
    }
  }
  if (tails_.empty()) return;
  std::vector<Tail*> order;
  for (auto& [path, tail] : tails_) order.push_back(&tail);
  size_t start = next_start_++ % order.size();
  std::rotate(order.begin(), order.begin() + long(start), order.end());
  for (Tail* tail : order) Read(*tail, /*finished=*/false, budget, past_deadline, observer);
}

std::vector<LogFilePosition> LogFileSet::Positions() const {
  std::vector<LogFilePosition> positions;
  for (const auto& [path, tail] : tails_) positions.push_back({path, tail.id, tail.cursor});
  return positions;
}

std::vector<std::string> LogFileSet::Paths() const {
  std::set<std::string> paths;
  for (const auto& [path, tail] : tails_) paths.insert(path);
  for (const Tail& tail : finishing_) paths.insert(tail.path);
  return {paths.begin(), paths.end()};
}

}  // namespace opswatch
