// disk: statvfs per configured path, labelled with the mount that holds it. A stat call that does
// not return before the run's deadline (a dead NFS mount) is abandoned: the path reports
// opswatch_disk_stuck 1 and is not stat'ed again until that call returns (node_exporter's
// stuckMounts), so a hung mount costs one blocked thread, not one per interval.
// Thread-safety: Collect() is not called concurrently for one instance (scheduler guarantee); the
// stuck bookkeeping is shared with abandoned stat threads and locked.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "collectors/collector.hpp"
#include "collectors/disk/disk_config.hpp"
#include "collectors/disk_statter.hpp"

namespace opswatch {

class DiskCollector final : public Collector {
 public:
  DiskCollector(DiskConfig config, std::shared_ptr<DiskStatter> statter, Clock& clock);
  ~DiskCollector() override;
  CollectResult Collect(const RunContext& ctx) override;

 private:
  struct PathProbe;  // shared with the stat thread, which may outlive this collector
  DiskConfig config_;
  std::shared_ptr<DiskStatter> statter_;
  Clock& clock_;
  std::vector<std::shared_ptr<PathProbe>> probes_;  // one per configured path
};

}  // namespace opswatch
