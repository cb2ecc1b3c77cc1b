// The text exposition format (0.0.4) of a snapshot, via prometheus-cpp's TextSerializer, and its
// gzip form. Both are computed at most once per snapshot and shared by every scrape, so a scrape
// costs a pointer comparison and a copy, never a collector run.
// Thread-safety: ExpositionCache is thread-safe.
#pragma once

#include <memory>
#include <mutex>
#include <string>

#include "core/snapshot.hpp"

namespace opswatch {

std::string SerializeText(const Snapshot& snapshot);
std::string GzipCompress(const std::string& data);

class ExpositionCache {
 public:
  // The exposition of `snapshot`, gzipped when `gzip`.
  std::shared_ptr<const std::string> Get(const SnapshotPtr& snapshot, bool gzip);

 private:
  std::mutex mu_;
  SnapshotPtr snapshot_;                     // GUARDED_BY(mu_)
  std::shared_ptr<const std::string> text_;  // GUARDED_BY(mu_)
  std::shared_ptr<const std::string> gzip_;  // GUARDED_BY(mu_)
};

}  // namespace opswatch
