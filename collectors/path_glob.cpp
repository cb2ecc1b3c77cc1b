#include "collectors/path_glob.hpp"

#include <fnmatch.h>

#include <algorithm>

namespace opswatch {

Result<PathGlob> PathGlob::Parse(std::string_view pattern) {
  if (pattern.empty()) return Result<PathGlob>::Error("pattern must not be empty");
  if (pattern.front() == '/') {
    return Result<PathGlob>::Error("pattern must be relative to path (no leading \"/\")");
  }
  PathGlob glob;
  size_t start = 0;
  while (start <= pattern.size()) {
    size_t slash = pattern.find('/', start);
    if (slash == std::string_view::npos) slash = pattern.size();
    std::string segment(pattern.substr(start, slash - start));
    if (segment.empty()) return Result<PathGlob>::Error("pattern has an empty path segment");
    if (segment == "." || segment == "..") {
      return Result<PathGlob>::Error("pattern must not contain \".\" or \"..\" segments");
    }
    // "**/**" means the same as "**"; collapsing keeps the state sets small.
    if (!(segment == "**" && !glob.segments_.empty() && glob.segments_.back() == "**")) {
      glob.segments_.push_back(std::move(segment));
    }
    start = slash + 1;
  }
  if (glob.segments_.back() == "**") {
    return Result<PathGlob>::Error("pattern must end with a file name pattern, not \"**\"");
  }
  return glob;
}

bool PathGlob::MatchesSegment(size_t index, const std::string& name) const {
  return ::fnmatch(segments_[index].c_str(), name.c_str(), FNM_PERIOD) == 0;
}

Result<GlobListing> PathGlob::List(FileTreeFs& fs, const std::string& root) const {
  GlobListing listing;
  // A non-deterministic walk over pattern positions (an NFA): each directory is visited with the
  // set of segment indexes that may match its entries, so it is read once.
  struct Pending {
    std::string dir;
    std::vector<size_t> states;
  };
  std::vector<Pending> stack{{root, {0}}};
  const size_t last = segments_.size() - 1;
  bool root_read = false;
  while (!stack.empty()) {
    Pending current = std::move(stack.back());
    stack.pop_back();
    // Closure: a "**" may match zero directories, so the segment after it applies here too.
    std::vector<size_t> states;
    for (size_t s : current.states) {
      states.push_back(s);
      if (segments_[s] == "**") states.push_back(s + 1);
    }
    std::sort(states.begin(), states.end());
    states.erase(std::unique(states.begin(), states.end()), states.end());

    auto entries = fs.ListDir(current.dir);
    if (!entries) {
      if (!root_read) return entries.status();
      listing.errors.push_back(entries.error());
      continue;
    }
    root_read = true;
    for (const DirEntry& entry : *entries) {
      std::vector<size_t> next;
      bool is_match = false;
      for (size_t s : states) {
        if (segments_[s] == "**") {
          // Like the shell's globstar, "**" does not descend into hidden directories.
          if (entry.kind == DirEntry::Kind::kDir && entry.name[0] != '.') next.push_back(s);
          continue;
        }
        if (!MatchesSegment(s, entry.name)) continue;
        if (s == last) {
          is_match = is_match || entry.kind == DirEntry::Kind::kFile;
        } else if (entry.kind == DirEntry::Kind::kDir) {
          next.push_back(s + 1);
        }
      }
      std::string path = current.dir + (current.dir.ends_with('/') ? "" : "/") + entry.name;
      if (is_match) {
        auto stat = fs.Stat(path);
        if (!stat) {
          listing.errors.push_back(stat.error());  // deleted since readdir, usually rotation
        } else if (stat->regular) {
          listing.files.push_back(GlobMatch{path, *stat});
        }
      }
      if (!next.empty()) stack.push_back(Pending{std::move(path), std::move(next)});
    }
  }
  return listing;
}

}  // namespace opswatch
