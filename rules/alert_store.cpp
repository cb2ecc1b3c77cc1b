#include "rules/alert_store.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "core/unique_fd.hpp"

namespace opswatch {

namespace {

using nlohmann::json;

// Milliseconds since the epoch; 0 for "unset" (SystemTime{}).
int64_t ToMillis(SystemTime t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}
SystemTime FromMillis(int64_t ms) { return SystemTime(std::chrono::milliseconds(ms)); }

std::string Errno(const std::string& what, const std::string& path) {
  return what + " " + path + ": " + std::strerror(errno);
}

AlertState StateFromName(const std::string& name) {
  if (name == "pending") return AlertState::kPending;
  if (name == "firing") return AlertState::kFiring;
  return AlertState::kInactive;
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
  json doc = {{"version", 1}, {"saved_at_ms", ToMillis(state.saved_at)}, {"alerts", alerts}};
  // NaN values (an alert on a NaN sample) would be invalid JSON; dump writes them as null.
  return doc.dump(1) + "\n";
}

Result<StoredAlerts> DecodeStoredAlerts(const std::string& text) {
  try {
    json doc = json::parse(text);
    if (doc.value("version", 0) != 1) {
      return Result<StoredAlerts>::Error("unsupported alert state version");
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
    return state;
  } catch (const json::exception& e) {
    return Result<StoredAlerts>::Error(std::string("corrupt alert state: ") + e.what());
  }
}

AlertStore::AlertStore(std::string state_dir)
    : dir_(std::move(state_dir)), path_(dir_ + "/alerts.json") {}

Result<StoredAlerts> AlertStore::Load() const {
  std::error_code ec;
  if (!std::filesystem::exists(path_, ec)) return StoredAlerts{};
  std::ifstream in(path_);
  if (!in) return Result<StoredAlerts>::Error(Errno("cannot open", path_));
  std::stringstream buffer;
  buffer << in.rdbuf();
  auto decoded = DecodeStoredAlerts(buffer.str());
  if (!decoded) return Result<StoredAlerts>::Error(path_ + ": " + decoded.error());
  return decoded;
}

Status AlertStore::Save(const StoredAlerts& state) const {
  const std::string data = EncodeStoredAlerts(state);
  const std::string tmp = path_ + ".tmp";
  {
    UniqueFd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
    if (fd.get() < 0) return Status::Error(Errno("cannot create", tmp));
    size_t written = 0;
    while (written < data.size()) {
      ssize_t n = ::write(fd.get(), data.data() + written, data.size() - written);
      if (n < 0) {
        if (errno == EINTR) continue;
        Status error = Status::Error(Errno("cannot write", tmp));
        ::unlink(tmp.c_str());
        return error;
      }
      written += static_cast<size_t>(n);
    }
    if (::fsync(fd.get()) != 0) {
      Status error = Status::Error(Errno("cannot fsync", tmp));
      ::unlink(tmp.c_str());
      return error;
    }
    if (::close(fd.Release()) != 0) return Status::Error(Errno("cannot close", tmp));
  }
  if (::rename(tmp.c_str(), path_.c_str()) != 0) {
    Status error = Status::Error(Errno("cannot rename to", path_));
    ::unlink(tmp.c_str());
    return error;
  }
  // The rename is durable only once the directory entry is.
  UniqueFd dir(::open(dir_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (dir.get() < 0 || ::fsync(dir.get()) != 0) return Status::Error(Errno("cannot fsync", dir_));
  return Status::Ok();
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
