#include "rules/builtin_rules.hpp"

#include <cmath>
#include <cstdio>
#include <functional>
#include <optional>
#include <set>

#include "core/labels.hpp"
#include "rules/template/template.hpp"

namespace opswatch {

namespace {

using std::chrono::hours;
using std::chrono::minutes;

struct Builder {
  const std::string& collector;
  const Thresholds& thresholds;
  RuleGroupSpec& group;

  std::string Sel(const std::string& metric) const {
    return metric + "{collector=\"" + EscapeLabelValue(collector) + "\"}";
  }
  std::optional<double> Threshold(const std::string& key) const {
    auto it = thresholds.find(key);
    if (it == thresholds.end()) return std::nullopt;
    return it->second;
  }
  void Add(const std::string& name, const std::string& expr, Millis for_duration,
           const std::string& severity, const std::string& summary, const std::string& description,
           const std::string& hint) {
    RuleSpec rule;
    rule.kind = RuleSpec::Kind::kAlerting;
    rule.name = name;
    rule.expr_text = expr;
    auto parsed = promql::Parse(expr);
    // Generated text is fixed up to the collector name, which is escaped; a failure here is a bug.
    if (!parsed) return;
    rule.expr = std::move(parsed).value();
    rule.for_duration = for_duration;
    rule.labels = {{"severity", severity}};
    // The series carry collector= already; as a rule label it also keeps the rules of two
    // collectors of one type distinct (promtool reports same-name, same-label rules as duplicates).
    if (collector.find("{{") == std::string::npos) rule.labels["collector"] = collector;
    rule.annotations = {{"summary", summary}, {"description", description}, {"hint", hint}};
    group.rules.push_back(std::move(rule));
  }
};

std::string Pct(double ratio) { return *HumanizePercentage(ratio); }
std::string Dur(double seconds) { return *HumanizeDuration(seconds); }
std::string Bytes(double bytes) { return *Humanize1024(bytes) + "B"; }

void DiskRules(Builder& b) {
  const std::string ratio =
      b.Sel("opswatch_disk_avail_bytes") + " / " + b.Sel("opswatch_disk_size_bytes");
  if (auto w = b.Threshold("avail_ratio_warning")) {
    b.Add("DiskSpaceLow", ratio + " < " + FormatThreshold(*w), minutes(5), "warning",
          "Disk space low on {{ $labels.mountpoint }}",
          "{{ $labels.path }} ({{ $labels.device }}) has {{ $value | humanizePercentage }} of its "
          "space available, below the warning threshold of " +
              Pct(*w) + ".",
          "Find what grew: du -xh --max-depth=2 {{ $labels.mountpoint }} | sort -h | tail. Rotate "
          "or delete old logs and backups, or grow the volume.");
  }
  if (auto c = b.Threshold("avail_ratio_critical")) {
    b.Add("DiskSpaceCritical", ratio + " < " + FormatThreshold(*c), minutes(5), "critical",
          "Disk almost full on {{ $labels.mountpoint }}",
          "{{ $labels.path }} ({{ $labels.device }}) has only {{ $value | humanizePercentage }} of "
          "its space available, below the critical threshold of " +
              Pct(*c) + ".",
          "Writes will fail soon. Free space now (old backups, logs, docker images: docker system "
          "df) and then find the cause with du -xh --max-depth=2 {{ $labels.mountpoint }}.");
  }
  if (auto r = b.Threshold("inodes_free_ratio")) {
    b.Add("DiskInodesLow",
          b.Sel("opswatch_disk_files_free") + " / " + b.Sel("opswatch_disk_files") + " < " +
              FormatThreshold(*r),
          minutes(5), "warning", "Inodes running out on {{ $labels.mountpoint }}",
          "{{ $labels.path }} has {{ $value | humanizePercentage }} of its inodes free, below " +
              Pct(*r) + ".",
          "Many small files: find {{ $labels.mountpoint }} -xdev -type f | cut -d/ -f2-3 | sort | "
          "uniq -c | sort -n | tail. Clean up session, cache or mail spool files.");
  }
  b.Add(
      "DiskReadOnly", b.Sel("opswatch_disk_readonly") + " == 1", minutes(1), "critical",
      "{{ $labels.mountpoint }} is mounted read-only",
      "{{ $labels.path }} ({{ $labels.device }}, {{ $labels.fstype }}) is read-only; writes to it "
      "fail.",
      "A filesystem remounted read-only usually means I/O errors: check dmesg and the disk's "
      "health before remounting (mount -o remount,rw {{ $labels.mountpoint }}).");
  b.Add("DiskStuck", b.Sel("opswatch_disk_stuck") + " == 1", minutes(1), "critical",
        "Filesystem at {{ $labels.path }} does not respond",
        "A statfs call on {{ $labels.path }} has not returned within the collector's timeout.",
        "Usually a dead NFS or network mount: check the server and the network, then umount -f -l "
        "{{ $labels.mountpoint }} if it will not recover.");
}

void BackupRules(Builder& b) {
  if (auto n = b.Threshold("min_count")) {
    b.Add(
        "BackupMissing", b.Sel("opswatch_backup_files") + " < " + FormatThreshold(*n), minutes(5),
        "critical", "Backups missing ({{ $labels.collector }})",
        "Only {{ $value }} backup files match; at least " + FormatThreshold(*n) + " are expected.",
        "Check that the backup job runs (cron or systemd timer logs), that it writes to the "
        "watched path and that the file name matches the pattern.");
  }
  if (auto age = b.Threshold("max_age")) {
    b.Add("BackupStale",
          b.Sel("opswatch_backup_newest_age_seconds") + " > " + FormatThreshold(*age), minutes(5),
          "critical", "Newest backup is {{ $value | humanizeDuration }} old",
          "The newest backup ({{ $labels.collector }}) is {{ $value | humanizeDuration }} old, "
          "more than the allowed " +
              Dur(*age) + ".",
          "Check the last run of the backup job and its logs; run it by hand once to see it "
          "succeed, then confirm the new file appears.");
  }
  if (auto bytes = b.Threshold("min_bytes")) {
    b.Add("BackupTooSmall", b.Sel("opswatch_backup_newest_bytes") + " < " + FormatThreshold(*bytes),
          minutes(5), "critical", "Newest backup is only {{ $value | humanize1024 }}B",
          "The newest backup ({{ $labels.collector }}) is {{ $value | humanize1024 }}B, smaller "
          "than the minimum of " +
              Bytes(*bytes) + ".",
          "A tiny dump is usually an error message or an empty database: open the file and the "
          "backup job's log.");
  }
  if (auto ratio = b.Threshold("shrink_ratio")) {
    b.Add(
        "BackupShrank",
        b.Sel("opswatch_backup_newest_bytes") + " < " + FormatThreshold(*ratio) + " * " +
            b.Sel("opswatch_backup_previous_bytes"),
        minutes(5), "warning", "Newest backup shrank sharply",
        "The newest backup ({{ $labels.collector }}) is {{ $value | humanize1024 }}B, less than " +
            Pct(*ratio) + " of the previous one.",
        "Compare the two dumps' table of contents (pg_restore -l) to see what is missing; a large "
        "delete or a failing table may be the cause.");
  }
  b.Add(
      "BackupCorrupt", b.Sel("opswatch_backup_newest_valid") + " == 0", minutes(1), "critical",
      "Newest backup fails its {{ $labels.check }} check",
      "The newest backup ({{ $labels.collector }}) did not pass the {{ $labels.check }} "
      "verification.",
      "Do not rely on this file for a restore. Re-run the backup and check the disk it is written "
      "to; test a restore of the previous file.");
  if (auto n = b.Threshold("retention_count")) {
    b.Add("BackupRetentionShort", b.Sel("opswatch_backup_files") + " < " + FormatThreshold(*n),
          minutes(5), "warning", "Fewer backups kept than the retention policy",
          "{{ $value }} backup files are kept; the retention policy wants " + FormatThreshold(*n) +
              ".",
          "Check the cleanup job's retention setting and whether older backups were deleted by "
          "hand or by a full disk.");
  }
}

void HttpRules(Builder& b) {
  b.Add("ServiceDown", b.Sel("opswatch_http_up") + " == 0", minutes(2), "critical",
        "{{ $labels.target }} is down",
        "The health check of {{ $labels.target }} fails: the request did not complete, returned an "
        "unexpected status, or a check failed.",
        "curl -sv the target from the opswatch host; see opswatch_http_status_code and "
        "opswatch_http_check_ok for which part failed, and the service's logs.");
  b.Add("ServiceCheckFailed", b.Sel("opswatch_http_check_ok") + " == 0", minutes(2), "warning",
        "Health check '{{ $labels.check }}' fails on {{ $labels.target }}",
        "The check {{ $labels.check }} on the response of {{ $labels.target }} is false.",
        "Fetch the health document and look at the field the check reads; the service's own logs "
        "say why it reports itself unhealthy.");
  if (auto slow = b.Threshold("slow")) {
    b.Add("ServiceSlow", b.Sel("opswatch_http_duration_seconds") + " > " + FormatThreshold(*slow),
          minutes(5), "warning", "{{ $labels.target }} is slow",
          "{{ $labels.target }} took {{ $value | humanizeDuration }} to answer, more than " +
              Dur(*slow) + ".",
          "Check the service's load, its database and its dependencies; compare with "
          "opswatch_http_duration_seconds over the last hours.");
  }
  if (auto expiry = b.Threshold("cert_expiry")) {
    b.Add("TLSCertExpiringSoon",
          b.Sel("opswatch_http_tls_cert_expiry_timestamp_seconds") + " - time() < " +
              FormatThreshold(*expiry),
          minutes(10), "warning", "TLS certificate of {{ $labels.target }} expires soon",
          "The certificate of {{ $labels.target }} expires in {{ $value | humanizeDuration }}, "
          "less than " +
              Dur(*expiry) + ".",
          "Renew it (certbot renew, or your ACME client / cert-manager) and reload the server; "
          "check why automatic renewal did not run.");
  }
}

void PostgresRules(Builder& b) {
  b.Add("PostgresDown", b.Sel("opswatch_pg_up") + " == 0", minutes(1), "critical",
        "PostgreSQL is unreachable ({{ $labels.collector }})",
        "opswatch cannot connect to or query the database of collector {{ $labels.collector }}.",
        "Check the server (pg_isready, systemctl status postgresql, its log), the network and the "
        "credentials; the collector's lastError on /health says which.");
  if (auto ratio = b.Threshold("connections_ratio")) {
    b.Add("PostgresConnectionsHigh",
          "sum without (state) (" + b.Sel("opswatch_pg_connections") + ") / " +
              b.Sel("opswatch_pg_max_connections") + " > " + FormatThreshold(*ratio),
          minutes(5), "warning", "PostgreSQL connections at {{ $value | humanizePercentage }}",
          "{{ $value | humanizePercentage }} of max_connections are in use, more than " +
              Pct(*ratio) + ".",
          "SELECT usename, application_name, state, count(*) FROM pg_stat_activity GROUP BY 1,2,3 "
          "shows who holds them; look for idle-in-transaction sessions and pool sizes.");
  }
  if (auto lag = b.Threshold("replication_lag")) {
    b.Add(
        "PostgresReplicationLag",
        b.Sel("opswatch_pg_replication_lag_seconds") + " > " + FormatThreshold(*lag), minutes(5),
        "warning", "Replica is {{ $value | humanizeDuration }} behind",
        "The replica's replay lag is {{ $value | humanizeDuration }}, more than " + Dur(*lag) + ".",
        "Check the primary's pg_stat_replication, the network between them and long-running "
        "queries on the replica that block replay.");
  }
  b.Add("PostgresQueryFailing", b.Sel("opswatch_pg_query_up") + " == 0", minutes(5), "warning",
        "Custom query {{ $labels.query }} fails",
        "The configured query {{ $labels.query }} of collector {{ $labels.collector }} fails or "
        "times out.",
        "Run the query by hand with the collector's credentials; a missing table, a permission or "
        "a lock is the usual cause.");
}

void CollectorRules(Builder& b) {
  b.Add("CollectorFailing", b.Sel("opswatch_collector_up") + " == 0", minutes(5), "warning",
        "Collector {{ $labels.collector }} is failing",
        "The {{ $labels.type }} collector {{ $labels.collector }} has failed for 5 minutes, so its "
        "other alerts cannot be trusted.",
        "See lastError for {{ $labels.collector }} on opswatch's /health endpoint and its log.");
}

// Does `expr` select series with collector="<collector>" (an equality matcher)?
bool SelectsCollector(const promql::Expr& expr, const std::string& collector) {
  if (expr.kind == promql::ExprKind::kVectorSelector ||
      expr.kind == promql::ExprKind::kMatrixSelector) {
    for (const auto& m : expr.matchers) {
      if (m.op == promql::Matcher::Op::kEqual && m.name == "collector" && m.value == collector) {
        return true;
      }
    }
  }
  for (const auto* child : {&expr.lhs, &expr.rhs}) {
    if (*child && SelectsCollector(**child, collector)) return true;
  }
  for (const auto& arg : expr.args) {
    if (arg && SelectsCollector(*arg, collector)) return true;
  }
  return false;
}

}  // namespace

std::string FormatThreshold(double value) {
  if (std::isfinite(value) && value == std::floor(value) && std::fabs(value) < 1e15) {
    return std::to_string(static_cast<long long>(value));
  }
  char buf[64];
  for (int precision = 1; precision <= 17; ++precision) {
    std::snprintf(buf, sizeof buf, "%.*g", precision, value);
    if (std::strtod(buf, nullptr) == value) break;
  }
  return buf;
}

RuleGroupSpec GenerateBuiltinRules(const std::string& collector, const std::string& type,
                                   const Thresholds& thresholds) {
  RuleGroupSpec group;
  group.name = "opswatch-builtin:" + collector;
  group.builtin = true;
  group.collector = collector;
  Builder b{collector, thresholds, group};
  if (type == "disk") DiskRules(b);
  if (type == "backup") BackupRules(b);
  if (type == "http") HttpRules(b);
  if (type == "postgres") PostgresRules(b);
  CollectorRules(b);
  return group;
}

std::vector<RuleGroupSpec> MergeRuleGroups(std::vector<RuleGroupSpec> builtin,
                                           std::vector<RuleGroupSpec> files,
                                           std::vector<std::string>* overridden) {
  std::vector<RuleGroupSpec> out;
  for (auto& group : builtin) {
    std::vector<RuleSpec> kept;
    for (auto& rule : group.rules) {
      bool replaced = false;
      for (const auto& file_group : files) {
        for (const auto& file_rule : file_group.rules) {
          if (file_rule.kind == RuleSpec::Kind::kAlerting && file_rule.name == rule.name &&
              file_rule.expr && SelectsCollector(*file_rule.expr, group.collector)) {
            replaced = true;
          }
        }
      }
      if (replaced) {
        if (overridden) overridden->push_back(group.collector + "/" + rule.name);
      } else {
        kept.push_back(std::move(rule));
      }
    }
    group.rules = std::move(kept);
    if (!group.rules.empty()) out.push_back(std::move(group));
  }
  for (auto& group : files) out.push_back(std::move(group));
  return out;
}

}  // namespace opswatch
