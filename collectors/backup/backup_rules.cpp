#include "collectors/backup/backup_rules.hpp"

#include "collectors/backup/backup_metrics.hpp"
#include "core/humanize.hpp"

namespace opswatch {

namespace {

using std::chrono::minutes;

}  // namespace

std::vector<AlertRuleText> BackupBuiltinRules(const std::string& collector,
                                              const Thresholds& thresholds) {
  std::vector<AlertRuleText> rules;
  if (auto n = FindThreshold(thresholds, "min_count")) {
    rules.push_back(
        {"BackupMissing",
         CollectorSelector(backup_metrics::kFiles, collector) + " < " + FormatThreshold(*n),
         minutes(5), "critical", "Backups missing ({{ $labels.collector }})",
         "Only {{ $value }} backup files match; at least " + FormatThreshold(*n) + " are expected.",
         "Check that the backup job runs (cron or systemd timer logs), that it writes to the "
         "watched path and that the file name matches the pattern."});
  }
  if (auto age = FindThreshold(thresholds, "max_age")) {
    rules.push_back(
        {"BackupStale",
         CollectorSelector(backup_metrics::kNewestAge, collector) + " > " + FormatThreshold(*age),
         minutes(5), "critical", "Newest backup is {{ $value | humanizeDuration }} old",
         "The newest backup ({{ $labels.collector }}) is {{ $value | humanizeDuration }} old, "
         "more than the allowed " +
             HumanizeDuration(*age) + ".",
         "Check the last run of the backup job and its logs; run it by hand once to see it "
         "succeed, then confirm the new file appears."});
  }
  if (auto bytes = FindThreshold(thresholds, "min_bytes")) {
    rules.push_back(
        {"BackupTooSmall",
         CollectorSelector(backup_metrics::kNewestBytes, collector) + " < " +
             FormatThreshold(*bytes),
         minutes(5), "critical", "Newest backup is only {{ $value | humanize1024 }}B",
         "The newest backup ({{ $labels.collector }}) is {{ $value | humanize1024 }}B, smaller "
         "than the minimum of " +
             Humanize1024(*bytes) + "B.",
         "A tiny dump is usually an error message or an empty database: open the file and the "
         "backup job's log."});
  }
  if (auto ratio = FindThreshold(thresholds, "shrink_ratio")) {
    rules.push_back(
        {"BackupShrank",
         CollectorSelector(backup_metrics::kNewestBytes, collector) + " < " +
             FormatThreshold(*ratio) + " * " +
             CollectorSelector(backup_metrics::kPreviousBytes, collector),
         minutes(5), "warning", "Newest backup shrank sharply",
         "The newest backup ({{ $labels.collector }}) is {{ $value | humanize1024 }}B, less than " +
             HumanizePercentage(*ratio) + " of the previous one.",
         "Compare the two dumps' table of contents (pg_restore -l) to see what is missing; a large "
         "delete or a failing table may be the cause."});
  }
  rules.push_back(
      {"BackupCorrupt", CollectorSelector(backup_metrics::kNewestValid, collector) + " == 0",
       minutes(1), "critical", "Newest backup fails its {{ $labels.check }} check",
       "The newest backup ({{ $labels.collector }}) did not pass the {{ $labels.check }} "
       "verification.",
       "Do not rely on this file for a restore. Re-run the backup and check the disk it is written "
       "to; test a restore of the previous file."});
  if (auto n = FindThreshold(thresholds, "retention_count")) {
    rules.push_back(
        {"BackupRetentionShort",
         CollectorSelector(backup_metrics::kFiles, collector) + " < " + FormatThreshold(*n),
         minutes(5), "warning", "Fewer backups kept than the retention policy",
         "{{ $value }} backup files are kept; the retention policy wants " + FormatThreshold(*n) +
             ".",
         "Check the cleanup job's retention setting and whether older backups were deleted by "
         "hand or by a full disk."});
  }
  return rules;
}

}  // namespace opswatch
