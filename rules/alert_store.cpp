#include "rules/alert_store.hpp"

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>

#include "core/atomic_file.hpp"
#include "core/bounded_read.hpp"
#include "core/json_dump.hpp"

namespace opswatch {

namespace {

using nlohmann::json;

// Milliseconds since the epoch; 0 for "unset" (SystemTime{}).
int64_t ToMillis(SystemTime t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}
SystemTime FromMillis(int64_t ms) { return SystemTime(std::chrono::milliseconds(ms)); }

constexpr int kStateVersion = 1;
constexpr size_t kAliveFileLimit = 4096;  // one number

// A decoded file, or why not; `unknown_version` is set when the file is well-formed JSON from
// another (newer) opswatch, which must not be overwritten.
struct Decoded {
  Result<StoredAlerts> state = Result<StoredAlerts>::Error("not decoded");
  std::optional<int64_t> unknown_version;
};

AlertState StateFromName(const std::string& name) {
  if (name == "pending") return AlertState::kPending;
  if (name == "firing") return AlertState::kFiring;
  return AlertState::kInactive;
}

Decoded Decode(const std::string& text) {
  Decoded out;
  try {
    json doc = json::parse(text);
    const json* version = doc.is_object() && doc.contains("version") ? &doc["version"] : nullptr;
    if (version && version->is_number_integer() && version->get<int64_t>() != kStateVersion) {
      out.unknown_version = version->get<int64_t>();
      out.state = Result<StoredAlerts>::Error("alert state version " +
                                              std::to_string(*out.unknown_version) +
                                              " is not known to this opswatch (it reads version " +
                                              std::to_string(kStateVersion) + ")");
      return out;
    }
    if (!version || *version != kStateVersion) {
      out.state = Result<StoredAlerts>::Error("unsupported alert state version");
      return out;
    }
    StoredAlerts state;
    state.saved_at = FromMillis(doc.at("saved_at_ms").get<int64_t>());
    for (const auto& item : doc.at("alerts")) {
      StoredAlert stored;
      stored.rule_key = item.at("rule").get<std::string>();
      Alert& a = stored.record.alert;
      for (const auto& [name, value] : item.at("labels").items()) {
        a.labels.Set(name, value.get<std::string>());
      }
      a.annotations = item.at("annotations").get<std::map<std::string, std::string>>();
      a.state = StateFromName(item.at("state").get<std::string>());
      a.value = item.at("value").is_number() ? item.at("value").get<double>() : std::nan("");
      a.active_at = FromMillis(item.at("active_at_ms").get<int64_t>());
      a.fired_at = FromMillis(item.at("fired_at_ms").get<int64_t>());
      a.resolved_at = FromMillis(item.at("resolved_at_ms").get<int64_t>());
      a.last_sent_at = FromMillis(item.at("last_sent_at_ms").get<int64_t>());
      a.valid_until = FromMillis(item.at("valid_until_ms").get<int64_t>());
      stored.record.keep_firing_since = FromMillis(item.at("keep_firing_since_ms").get<int64_t>());
      state.alerts.push_back(std::move(stored));
    }
    out.state = std::move(state);
  } catch (const json::exception& e) {
    out.state = Result<StoredAlerts>::Error(std::string("corrupt alert state: ") + e.what());
  }
  return out;
}

}  // namespace

std::string RuleKey(const std::string& group, const std::string& alertname) {
  return group + "/" + alertname;
}

std::string EncodeStoredAlerts(const StoredAlerts& state) {
  json alerts = json::array();
  for (const auto& stored : state.alerts) {
    const Alert& a = stored.record.alert;
    json labels = json::object();
    for (const auto& l : a.labels) labels[l.name] = l.value;
    alerts.push_back({{"rule", stored.rule_key},
                      {"labels", labels},
                      {"annotations", a.annotations},
                      {"state", AlertStateName(a.state)},
                      {"value", a.value},
                      {"active_at_ms", ToMillis(a.active_at)},
                      {"fired_at_ms", ToMillis(a.fired_at)},
                      {"resolved_at_ms", ToMillis(a.resolved_at)},
                      {"last_sent_at_ms", ToMillis(a.last_sent_at)},
                      {"valid_until_ms", ToMillis(a.valid_until)},
                      {"keep_firing_since_ms", ToMillis(stored.record.keep_firing_since)}});
  }
  json doc = {
      {"version", kStateVersion}, {"saved_at_ms", ToMillis(state.saved_at)}, {"alerts", alerts}};
  // NaN values (an alert on a NaN sample) would be invalid JSON; dump writes them as null.
  return DumpJson(doc, 1) + "\n";
}

Result<StoredAlerts> DecodeStoredAlerts(const std::string& text) { return Decode(text).state; }

AlertStore::AlertStore(std::string state_dir)
    : dir_(std::move(state_dir)),
      path_(dir_ + "/alerts.json"),
      alive_path_(dir_ + "/alerts.alive") {}

Result<StoredAlerts> AlertStore::Load() const {
  std::error_code ec;
  if (!std::filesystem::exists(path_, ec)) return StoredAlerts{};
  auto text = ReadBoundedFile(path_, kStateFileLimit);
  if (!text) return Result<StoredAlerts>::Error("cannot read " + path_ + ": " + text.error());
  Decoded decoded = Decode(*text);
  if (decoded.unknown_version) {
    // Probably written by a newer opswatch before a downgrade: keep it for that version instead of
    // overwriting it with the next save.
    std::string aside = path_ + ".unknown-version-" + std::to_string(*decoded.unknown_version);
    if (std::rename(path_.c_str(), aside.c_str()) != 0) {
      return Result<StoredAlerts>::Error(path_ + ": " + decoded.state.error() +
                                         "; cannot move it aside: " + std::strerror(errno));
    }
    return Result<StoredAlerts>::Error(path_ + ": " + decoded.state.error() + "; moved to " +
                                       aside + ", starting with no alert state");
  }
  if (!decoded.state) return Result<StoredAlerts>::Error(path_ + ": " + decoded.state.error());
  StoredAlerts state = std::move(decoded.state).value();
  // The outage began at the later of the last save and the last sign of life; an unreadable
  // heartbeat only makes the outage look longer.
  if (auto alive = ReadBoundedFile(alive_path_, kAliveFileLimit)) {
    char* end = nullptr;
    long long alive_ms = std::strtoll(alive->c_str(), &end, 10);
    if (end != alive->c_str() && FromMillis(alive_ms) > state.saved_at) {
      state.saved_at = FromMillis(alive_ms);
    }
  }
  return state;
}

Status AlertStore::Save(const StoredAlerts& state) const {
  return WriteFileAtomically(path_, EncodeStoredAlerts(state), Durability::kDurable);
}

Status AlertStore::MarkAlive(SystemTime now) const {
  return WriteFileAtomically(alive_path_, std::to_string(ToMillis(now)) + "\n",
                             Durability::kProcessCrash);
}

void RestoreAlerts(ActiveAlerts& active, const std::vector<AlertRecord>& stored, Millis hold,
                   SystemTime down_at, SystemTime now, const RestoreOptions& options) {
  for (const auto& record : stored) {
    const Alert& saved = record.alert;
    uint64_t fp = saved.labels.Fingerprint();
    switch (saved.state) {
      case AlertState::kFiring:
        active[fp] = record;
        break;
      case AlertState::kInactive:
        if (saved.resolved() && now - saved.resolved_at <= kResolvedRetention) active[fp] = record;
        break;
      case AlertState::kPending: {
        if (hold < options.grace_period) break;
        if (now - down_at > options.outage_tolerance) break;
        AlertRecord restored = record;
        auto spent = down_at - saved.active_at;
        auto remaining = hold - spent;
        if (remaining <= Duration::zero()) {
          // It was due to fire when we went down; it fires at the next evaluation.
        } else if (remaining < options.grace_period) {
          restored.alert.active_at =
              now + options.grace_period - std::chrono::duration_cast<SystemTime::duration>(hold);
        } else {
          restored.alert.active_at = saved.active_at + (now - down_at);
        }
        active[fp] = std::move(restored);
        break;
      }
    }
  }
}

}  // namespace opswatch
