#include "collectors/disk/disk_collector.hpp"

#include <condition_variable>
#include <mutex>
#include <thread>

#include "collectors/disk/disk_metrics.hpp"
#include "core/utf8.hpp"

namespace opswatch {

struct DiskCollector::PathProbe {
  std::mutex mu;
  std::condition_variable done;
  bool in_flight = false;                   // GUARDED_BY(mu): a stat thread has not returned yet
  std::optional<Result<DiskStats>> result;  // GUARDED_BY(mu): set by the stat thread
};

DiskCollector::DiskCollector(DiskConfig config, std::shared_ptr<DiskStatter> statter, Clock& clock)
    : config_(std::move(config)), statter_(std::move(statter)), clock_(clock) {
  for (size_t i = 0; i < config_.paths.size(); ++i) {
    probes_.push_back(std::make_shared<PathProbe>());
  }
}

DiskCollector::~DiskCollector() = default;

CollectResult DiskCollector::Collect(const RunContext& ctx) {
  // Stat all paths in parallel, so one stuck mount does not eat the others' share of the deadline.
  for (size_t i = 0; i < config_.paths.size(); ++i) {
    auto probe = probes_[i];
    std::lock_guard lock(probe->mu);
    if (probe->in_flight) continue;  // still stuck from an earlier run: do not pile up threads
    probe->in_flight = true;
    probe->result.reset();
    // The thread owns shared references only, so an abandoned stat may outlive this collector.
    std::thread([probe, statter = statter_, path = config_.paths[i]] {
      auto result = statter->Stat(path);
      std::lock_guard lock(probe->mu);
      probe->result = std::move(result);
      probe->in_flight = false;
      probe->done.notify_all();
    }).detach();
  }

  auto mounts_text = statter_->ReadMountInfo();
  std::vector<MountEntry> mounts;
  if (mounts_text) mounts = ParseMountInfo(*mounts_text);

  MetricFamily size = NewFamily(disk_metrics::kSizeBytes);
  MetricFamily free = NewFamily(disk_metrics::kFreeBytes);
  MetricFamily avail = NewFamily(disk_metrics::kAvailBytes);
  MetricFamily files = NewFamily(disk_metrics::kFiles);
  MetricFamily files_free = NewFamily(disk_metrics::kFilesFree);
  MetricFamily readonly = NewFamily(disk_metrics::kReadonly);
  MetricFamily stuck = NewFamily(disk_metrics::kStuck);
  std::string errors;
  for (size_t i = 0; i < config_.paths.size(); ++i) {
    const std::string& path = config_.paths[i];
    MountEntry mount = FindMount(mounts, path);
    // The mount table is outside text (a mountpoint may hold any bytes): sanitised into labels.
    Labels labels{{"path", path},
                  {"mountpoint", SanitizeUtf8(mount.mountpoint)},
                  {"fstype", SanitizeUtf8(mount.fstype)},
                  {"device", SanitizeUtf8(mount.device)}};
    auto& probe = *probes_[i];
    std::unique_lock lock(probe.mu);
    // Wait in real time for what is left of the run's deadline (the clock may be a test's).
    auto remaining = ctx.deadline - clock_.SteadyNow();
    probe.done.wait_for(lock, remaining, [&] { return !probe.in_flight; });
    if (probe.in_flight) {
      stuck.Add(labels, 1);
      errors += (errors.empty() ? "" : "; ") + path + ": stat did not return before the deadline";
      continue;
    }
    stuck.Add(labels, 0);
    const Result<DiskStats>& result = *probe.result;
    if (!result) {
      errors += (errors.empty() ? "" : "; ") + result.error();
      continue;
    }
    size.Add(labels, double(result->size_bytes));
    free.Add(labels, double(result->free_bytes));
    avail.Add(labels, double(result->avail_bytes));
    files.Add(labels, double(result->files));
    files_free.Add(labels, double(result->files_free));
    readonly.Add(labels, result->readonly ? 1 : 0);
  }
  CollectResult out;
  out.families = {std::move(size),       std::move(free),     std::move(avail), std::move(files),
                  std::move(files_free), std::move(readonly), std::move(stuck)};
  if (!errors.empty()) out.status = Status::Error(errors);
  if (!mounts_text) {
    out.status = Status::Error(mounts_text.error() + (errors.empty() ? "" : "; " + errors));
  }
  return out;
}

}  // namespace opswatch
