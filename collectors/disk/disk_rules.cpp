#include "collectors/disk/disk_rules.hpp"

#include "collectors/disk/disk_metrics.hpp"
#include "core/humanize.hpp"

namespace opswatch {

namespace {

using std::chrono::minutes;

}  // namespace

std::vector<AlertRuleText> DiskBuiltinRules(const std::string& collector,
                                            const Thresholds& thresholds) {
  std::vector<AlertRuleText> rules;
  const std::string ratio = CollectorSelector(disk_metrics::kAvailBytes, collector) + " / " +
                            CollectorSelector(disk_metrics::kSizeBytes, collector);
  if (auto w = FindThreshold(thresholds, "avail_ratio_warning")) {
    rules.push_back(
        {"DiskSpaceLow", ratio + " < " + FormatThreshold(*w), minutes(5), "warning",
         "Disk space low on {{ $labels.mountpoint }}",
         "{{ $labels.path }} ({{ $labels.device }}) has {{ $value | humanizePercentage }} of its "
         "space available, below the warning threshold of " +
             HumanizePercentage(*w) + ".",
         "Find what grew: du -xh --max-depth=2 {{ $labels.mountpoint }} | sort -h | tail. Rotate "
         "or delete old logs and backups, or grow the volume."});
  }
  if (auto c = FindThreshold(thresholds, "avail_ratio_critical")) {
    rules.push_back(
        {"DiskSpaceCritical", ratio + " < " + FormatThreshold(*c), minutes(5), "critical",
         "Disk almost full on {{ $labels.mountpoint }}",
         "{{ $labels.path }} ({{ $labels.device }}) has only {{ $value | humanizePercentage }} of "
         "its space available, below the critical threshold of " +
             HumanizePercentage(*c) + ".",
         "Writes will fail soon. Free space now (old backups, logs, docker images: docker system "
         "df) and then find the cause with du -xh --max-depth=2 {{ $labels.mountpoint }}."});
  }
  if (auto r = FindThreshold(thresholds, "inodes_free_ratio")) {
    rules.push_back(
        {"DiskInodesLow",
         CollectorSelector(disk_metrics::kFilesFree, collector) + " / " +
             CollectorSelector(disk_metrics::kFiles, collector) + " < " + FormatThreshold(*r),
         minutes(5), "warning", "Inodes running out on {{ $labels.mountpoint }}",
         "{{ $labels.path }} has {{ $value | humanizePercentage }} of its inodes free, below " +
             HumanizePercentage(*r) + ".",
         "Many small files: find {{ $labels.mountpoint }} -xdev -type f | cut -d/ -f2-3 | sort | "
         "uniq -c | sort -n | tail. Clean up session, cache or mail spool files."});
  }
  rules.push_back(
      {"DiskReadOnly", CollectorSelector(disk_metrics::kReadonly, collector) + " == 1", minutes(1),
       "critical", "{{ $labels.mountpoint }} is mounted read-only",
       "{{ $labels.path }} ({{ $labels.device }}, {{ $labels.fstype }}) is read-only; writes to it "
       "fail.",
       "A filesystem remounted read-only usually means I/O errors: check dmesg and the disk's "
       "health before remounting (mount -o remount,rw {{ $labels.mountpoint }})."});
  rules.push_back(
      {"DiskStuck", CollectorSelector(disk_metrics::kStuck, collector) + " == 1", minutes(1),
       "critical", "Filesystem at {{ $labels.path }} does not respond",
       "A statfs call on {{ $labels.path }} has not returned within the collector's timeout.",
       "Usually a dead NFS or network mount: check the server and the network, then umount -f -l "
       "{{ $labels.mountpoint }} if it will not recover."});
  return rules;
}

}  // namespace opswatch
