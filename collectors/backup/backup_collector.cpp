#include "collectors/backup/backup_collector.hpp"

#include <algorithm>
#include <numeric>
#include <unordered_set>

#include "collectors/backup/backup_metrics.hpp"

namespace opswatch {
namespace {

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

void AppendError(std::string& errors, size_t& count, const std::string& message) {
  // Keep the collector's error short: a tree of 10,000 unreadable directories is one line.
  if (++count <= 3) {
    errors += (errors.empty() ? "" : "; ") + message;
  } else if (count == 4) {
    errors += "; and more";
  }
}

}  // namespace

BackupCollector::BackupCollector(BackupConfig config, PathGlob glob, std::unique_ptr<BackupFs> fs,
                                 Clock& clock, Logger& logger)
    : config_(std::move(config)),
      glob_(std::move(glob)),
      fs_(std::move(fs)),
      clock_(clock),
      logger_(logger) {}

BackupCollector::~BackupCollector() = default;

CollectResult BackupCollector::Collect(const RunContext& ctx) {
  const SteadyTime started = clock_.SteadyNow();
  const SystemTime now = clock_.SystemNow();
  MetricFamily files = NewFamily(backup_metrics::kFiles);
  MetricFamily total = NewFamily(backup_metrics::kTotalBytes);
  MetricFamily newest_ts = NewFamily(backup_metrics::kNewestTimestamp);
  MetricFamily newest_age = NewFamily(backup_metrics::kNewestAge);
  MetricFamily newest_bytes = NewFamily(backup_metrics::kNewestBytes);
  MetricFamily previous_bytes = NewFamily(backup_metrics::kPreviousBytes);
  MetricFamily oldest_ts = NewFamily(backup_metrics::kOldestTimestamp);
  MetricFamily valid = NewFamily(backup_metrics::kNewestValid);
  MetricFamily verify_duration = NewFamily(backup_metrics::kVerifyDuration);
  MetricFamily invalid_files = NewFamily(backup_metrics::kInvalidFiles);
  CollectResult out;
  auto finish = [&]() {
    out.families.push_back(std::move(files));
    out.families.push_back(std::move(total));
    for (MetricFamily* f : {&newest_ts, &newest_age, &newest_bytes, &previous_bytes, &oldest_ts,
                            &valid, &verify_duration, &invalid_files}) {
      if (!f->samples.empty()) out.families.push_back(std::move(*f));
    }
    return std::move(out);
  };

  auto listing = glob_.List(*fs_, config_.path);
  if (!listing) {
    files.Add({}, 0);
    total.Add({}, 0);
    out.status = Status::Error(listing.error());
    return finish();
  }
  std::string errors;
  size_t error_count = 0;
  for (const std::string& e : listing->errors) AppendError(errors, error_count, e);

  // A pattern like "*" also matches checksum sidecars; they describe backups, they are not ones.
  const bool sidecars_wanted = EndsWith(glob_.segments().back(), ".sha256");
  std::vector<GlobMatch> set;
  set.reserve(listing->files.size());
  for (GlobMatch& f : listing->files) {
    if (!sidecars_wanted && EndsWith(f.path, ".sha256")) continue;
    set.push_back(std::move(f));
  }

  uint64_t total_bytes = 0;
  for (const auto& f : set) total_bytes += f.stat.size;
  files.Add({}, double(set.size()));
  total.Add({}, double(total_bytes));
  if (!set.empty()) {
    auto oldest = std::min_element(set.begin(), set.end(), [](const auto& a, const auto& b) {
      return a.stat.mtime < b.stat.mtime;
    });
    oldest_ts.Add({}, ToUnixSeconds(oldest->stat.mtime));
  }

  // Newest first; equal mtimes (a coarse filesystem) fall back to the name, which for dated
  // names puts the later one first.
  std::vector<size_t> order(set.size());
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    if (set[a].stat.mtime != set[b].stat.mtime) return set[a].stat.mtime > set[b].stat.mtime;
    return set[a].path > set[b].path;
  });
  std::vector<size_t> settled;  // newest first
  std::map<std::string, uint64_t> looked;
  for (size_t i : order) {
    const GlobMatch& f = set[i];
    // A future mtime (a skewed file server clock) cannot settle by age; the size look decides.
    bool recent = f.stat.mtime > now - kSettleTime && f.stat.mtime <= now + kSettleTime;
    auto before = last_look_sizes_.find(f.path);
    bool grew = before != last_look_sizes_.end() && before->second != f.stat.size;
    // Only files near the top of the order are remembered: enough to see the newest ones grow.
    if (settled.size() < 2) looked[f.path] = f.stat.size;
    if (recent || grew) {
      logger_.Debug("backup file still being written; not judged yet", {{"file", f.path}});
      continue;
    }
    settled.push_back(i);
    if (settled.size() >= 2 && config_.verify != BackupVerifyMode::kAll) break;
  }
  last_look_sizes_ = std::move(looked);

  if (!settled.empty()) {
    const GlobMatch& newest = set[settled[0]];
    newest_ts.Add({}, ToUnixSeconds(newest.stat.mtime));
    newest_age.Add({}, ToSeconds(now - newest.stat.mtime));
    newest_bytes.Add({}, double(newest.stat.size));
  }
  if (settled.size() >= 2) previous_bytes.Add({}, double(set[settled[1]].stat.size));

  if (config_.verify != BackupVerifyMode::kNone) {
    // Leave a slice of the run for publishing; with a tiny timeout, at least try one chunk.
    const Duration margin =
        std::min<Duration>(std::chrono::milliseconds(100), (ctx.deadline - started) / 10);
    const SteadyTime stop_at = ctx.deadline - margin;
    auto should_stop = [&] { return clock_.SteadyNow() >= stop_at; };
    size_t targets = config_.verify == BackupVerifyMode::kAll ? settled.size()
                                                              : std::min<size_t>(1, settled.size());
    size_t invalid = 0;
    for (size_t t = 0; t < targets; ++t) {
      const GlobMatch& f = set[settled[t]];
      const Verified* v = Verify(f, should_stop, errors);
      if (t == 0) {
        if (v) {
          for (const auto& [check, ok] : v->verdict) valid.Add({{"check", check}}, ok ? 1 : 0);
          verify_duration.Add({}, ToSeconds(v->busy));
        } else if (job_ && job_->path() == f.path) {
          verify_duration.Add({}, ToSeconds(job_->busy()));
        }
      }
      if (v && std::any_of(v->verdict.begin(), v->verdict.end(),
                           [](const auto& c) { return !c.second; })) {
        ++invalid;
      }
    }
    if (config_.verify == BackupVerifyMode::kAll) invalid_files.Add({}, double(invalid));
    // Forget files that are gone, so the memory follows the directory, not its history.
    std::unordered_set<std::string_view> listed;
    for (const GlobMatch& f : set) listed.insert(f.path);
    for (auto it = verified_.begin(); it != verified_.end();) {
      it = listed.count(it->first) ? std::next(it) : verified_.erase(it);
    }
  }
  if (!errors.empty()) out.status = Status::Error(errors);
  return finish();
}

const BackupCollector::Verified* BackupCollector::Verify(const GlobMatch& file,
                                                         const std::function<bool()>& should_stop,
                                                         std::string& errors) {
  // The sidecar is part of the verdict: adding or replacing one means judging again.
  std::optional<FileStat> sidecar;
  if (auto st = fs_->Stat(file.path + ".sha256"); st && st->regular) sidecar = *st;
  auto same_sidecar = [&](const std::optional<FileStat>& other) {
    return sidecar.has_value() == other.has_value() &&
           (!sidecar || (sidecar->size == other->size && sidecar->mtime == other->mtime));
  };
  auto cached = verified_.find(file.path);
  if (cached != verified_.end() && cached->second.size == file.stat.size &&
      cached->second.mtime == file.stat.mtime && same_sidecar(cached->second.sidecar)) {
    return &cached->second;
  }
  if (job_ && (job_->path() != file.path || job_->stat().size != file.stat.size ||
               job_->stat().mtime != file.stat.mtime)) {
    logger_.Info("backup verification abandoned: a newer backup takes priority or the file changed",
                 {{"file", job_->path()}, {"read_bytes", job_->offset()}});
    job_.reset();
  }
  if (should_stop()) return nullptr;
  if (!job_) {
    auto base = file.path.substr(file.path.rfind('/') + 1);
    auto started = BackupVerifyJob::Start(*fs_, file.path, file.stat,
                                          PlanBackupChecks(base, sidecar.has_value()));
    if (!started) {
      size_t count = 1;
      AppendError(errors, count, started.error());
      return nullptr;
    }
    job_ = std::move(*started);
  }
  const SteadyTime step_start = clock_.SteadyNow();
  auto done = job_->Step(should_stop, logger_);
  job_->AddBusy(clock_.SteadyNow() - step_start);
  if (!done) {
    size_t count = 1;
    AppendError(errors, count, done.error());
    job_.reset();
    return nullptr;
  }
  if (!*done) {
    logger_.Info("backup not yet verified; continuing next run",
                 {{"file", job_->path()},
                  {"read_bytes", job_->offset()},
                  {"size_bytes", job_->stat().size}});
    return nullptr;
  }
  Verified& v = verified_[file.path];
  v = Verified{file.stat.size, file.stat.mtime, sidecar, job_->verdict(), job_->busy()};
  if (job_->problem().empty()) {
    logger_.Debug("backup verified", {{"file", file.path}});
  } else {
    logger_.Warn("backup failed verification", {{"file", file.path}, {"problem", job_->problem()}});
  }
  job_.reset();
  return &v;
}

}  // namespace opswatch
