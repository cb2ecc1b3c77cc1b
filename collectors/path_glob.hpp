// Files under a root directory whose relative path matches a glob (a backup set, log files).
// Segments are matched with fnmatch(3) (FNM_PERIOD: `*` does not match a leading dot, as in the
// shell); a `**` segment matches zero or more directories, so "logs/**/*.ndjson" finds
// logs/a.ndjson and logs/2024/05/b.ndjson. Each directory is read once however many `**` the
// pattern has, and only files whose name matches are stat'ed, so a listing costs what find(1)
// costs. Thread-safety: PathGlob is immutable after Parse and may be shared.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "collectors/file_tree.hpp"
#include "core/status.hpp"

namespace opswatch {

struct GlobMatch {
  std::string path;  // root + "/" + relative path
  FileStat stat;
};

struct GlobListing {
  std::vector<GlobMatch> files;
  // Problems below the root (an unreadable subdirectory, a file gone between readdir and stat).
  // A missing or unreadable root is the Result's error instead.
  std::vector<std::string> errors;
};

class PathGlob {
 public:
  // Rejects empty patterns, absolute patterns, empty segments and "." / ".." segments.
  static Result<PathGlob> Parse(std::string_view pattern);

  bool MatchesSegment(size_t index, const std::string& name) const;
  const std::vector<std::string>& segments() const { return segments_; }

  // Lists the matching regular files under `root`.
  Result<GlobListing> List(FileTreeFs& fs, const std::string& root) const;

 private:
  std::vector<std::string> segments_;
};

}  // namespace opswatch
