#include "collectors/log/log_state.hpp"

#include <nlohmann/json.hpp>

namespace opswatch {
namespace {

constexpr int kVersion = 1;

using nlohmann::json;

json CountersJson(const LogPathCounters& c) {
  return json{{"lines", c.lines},
              {"bytes", c.bytes},
              {"rotations", c.rotations},
              {"truncations", c.truncations},
              {"lines_cut", c.lines_cut},
              {"read_errors", c.read_errors},
              {"last_line", c.last_line_seconds}};
}

LogPathCounters CountersFrom(const json& j) {
  LogPathCounters c;
  c.lines = j.at("lines").get<uint64_t>();
  c.bytes = j.at("bytes").get<uint64_t>();
  c.rotations = j.at("rotations").get<uint64_t>();
  c.truncations = j.at("truncations").get<uint64_t>();
  c.lines_cut = j.at("lines_cut").get<uint64_t>();
  c.read_errors = j.at("read_errors").get<std::map<std::string, uint64_t>>();
  c.last_line_seconds = j.at("last_line").get<double>();
  return c;
}

}  // namespace

std::string SerializeLogState(const LogState& state) {
  json files = json::array();
  for (const LogFilePosition& p : state.positions) {
    files.push_back({{"path", p.path},
                     {"dev", p.id.dev},
                     {"ino", p.id.ino},
                     {"fingerprint_len", p.id.fingerprint_len},
                     {"fingerprint", p.id.fingerprint_hash},
                     {"offset", p.cursor.offset},
                     {"skipping", p.cursor.skipping}});
  }
  json paths = json::object();
  for (const auto& [path, counters] : state.paths) paths[path] = CountersJson(counters);
  json events = json::array();
  for (const LogSavedEvent& e : state.events) {
    json series = json::array();
    for (const auto& [values, count] : e.counts.series) {
      series.push_back({{"values", values}, {"count", count}});
    }
    json event{{"name", e.name},
               {"labels", e.labels},
               {"series", series},
               {"overflow", e.counts.overflow}};
    if (!e.counts.values.buckets.empty()) {
      event["value"] = {{"buckets", e.counts.values.buckets},
                        {"count", e.counts.values.count},
                        {"sum", e.counts.values.sum}};
    }
    events.push_back(std::move(event));
  }
  json doc{{"version", kVersion}, {"files", files}, {"paths", paths}, {"events", events}};
  // Paths from the file system may hold any bytes: replace what is not UTF-8 rather than fail.
  return doc.dump(-1, ' ', false, json::error_handler_t::replace) + "\n";
}

Result<LogState> ParseLogState(const std::string& text) {
  json doc = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return Result<LogState>::Error("not valid JSON");
  // nlohmann's typed access throws on a wrong shape; the state file is ours, so a wrong shape
  // means a damaged file, reported as such.
  try {
    if (doc.at("version").get<int>() != kVersion) {
      return Result<LogState>::Error("unknown version");
    }
    LogState state;
    for (const json& f : doc.at("files")) {
      LogFilePosition p;
      p.path = f.at("path").get<std::string>();
      p.id.dev = f.at("dev").get<uint64_t>();
      p.id.ino = f.at("ino").get<uint64_t>();
      p.id.fingerprint_len = f.at("fingerprint_len").get<uint64_t>();
      p.id.fingerprint_hash = f.at("fingerprint").get<uint64_t>();
      p.cursor.offset = f.at("offset").get<uint64_t>();
      p.cursor.skipping = f.at("skipping").get<bool>();
      state.positions.push_back(std::move(p));
    }
    for (const auto& [path, counters] : doc.at("paths").items()) {
      state.paths[path] = CountersFrom(counters);
    }
    for (const json& e : doc.at("events")) {
      LogSavedEvent saved;
      saved.name = e.at("name").get<std::string>();
      saved.labels = e.at("labels").get<std::vector<std::string>>();
      for (const json& s : e.at("series")) {
        saved.counts.series[s.at("values").get<std::vector<std::string>>()] =
            s.at("count").get<uint64_t>();
      }
      saved.counts.overflow = e.at("overflow").get<uint64_t>();
      if (auto value = e.find("value"); value != e.end()) {  // events with a value only
        saved.counts.values.buckets = value->at("buckets").get<std::vector<uint64_t>>();
        saved.counts.values.count = value->at("count").get<uint64_t>();
        saved.counts.values.sum = value->at("sum").get<double>();
      }
      state.events.push_back(std::move(saved));
    }
    return state;
  } catch (const json::exception& e) {
    return Result<LogState>::Error(std::string("unexpected content: ") + e.what());
  }
}

std::string LogStatePath(const std::string& state_dir, const std::string& collector) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string name;
  for (unsigned char c : collector) {
    bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                 c == '-' || c == '_' || c == '.';
    if (plain && !(c == '.' && name.empty())) {
      name += char(c);
    } else {
      name += '%';
      name += kHex[c >> 4];
      name += kHex[c & 15];
    }
  }
  return state_dir + "/log/" + name + ".json";
}

}  // namespace opswatch
