// Compatibility: the same samples go into a real Prometheus (backfilled with promtool from an
// OpenMetrics file) and into a SeriesHistory; a table of expressions is evaluated by both at
// timestamps we choose, and the label sets and values must agree.
#define BOOST_TEST_MODULE promql_compat
#include <dirent.h>
#include <unistd.h>

#include <boost/test/unit_test.hpp>
#include <cmath>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "rules/promql/promql_eval.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/process.hpp"
#include "tests/support/temp_dir.hpp"

namespace opswatch::promql {
namespace {

using opswatch::testing::HttpGet;
using opswatch::testing::Process;
using opswatch::testing::RunCommand;
using opswatch::testing::TempDir;
using std::chrono::milliseconds;

constexpr int64_t kT0Ms = 1700000000000LL;
constexpr int kRounds = 41;  // 10 minutes of 15s rounds

// The timestamp of round r: 15s steps with a deterministic jitter of up to ~0.5s, so the rate
// extrapolation sees uneven intervals as it does with real scrapes.
int64_t RoundMs(int r) { return kT0Ms + 15000LL * r + (r * 137) % 500; }

struct SeriesSpec {
  std::string name;
  Labels labels;
  int first_round;
  int last_round;
  double (*value)(int round);
};

std::vector<SeriesSpec> Dataset() {
  return {
      {"req_total", Labels{{"job", "api"}, {"instance", "a"}}, 0, 40,
       [](int r) { return r < 22 ? 3.0 * r + (r % 3) : 1.5 * (r - 22); }},  // reset at 22
      {"req_total", Labels{{"job", "api"}, {"instance", "b"}}, 0, 40,
       [](int r) { return 1000.0 + 7.25 * r; }},
      {"req_total", Labels{{"job", "web"}, {"instance", "c"}}, 5, 40,
       [](int r) { return 50.0 + 2 * r * r; }},
      {"temp", Labels{{"room", "x"}}, 0, 40, [](int r) { return 20 + std::sin(r) * 3; }},
      {"temp", Labels{{"room", "y"}}, 0, 40, [](int r) { return 25.5 + (r % 7) * 0.1; }},
      {"temp", Labels{{"room", "z"}, {"job", "api"}}, 0, 40, [](int r) { return -4.0 + r % 5; }},
      {"errors_total", Labels{{"job", "api"}, {"instance", "a"}}, 0, 40,
       [](int r) { return double(r / 4); }},
      {"flappy", Labels{}, 0, 40, [](int r) { return double(r % 2); }},
      {"stopped", Labels{{"job", "old"}}, 0, 10, [](int r) { return 10.0 + r; }},
      {"weird", Labels{{"kind", "nan"}}, 0, 40,
       [](int r) { return r % 10 == 3 ? std::nan("") : double(r); }},
      {"weird", Labels{{"kind", "inf"}}, 0, 40, [](int r) { return r == 30 ? HUGE_VAL : 1.0 * r; }},
      // Classic histograms: plain, a second job, no +Inf bucket, counts that decrease across
      // buckets, no observations, non-positive bounds, and one bound spelled two ways.
      {"lat_bucket", Labels{{"job", "api"}, {"le", "0.1"}}, 0, 40, [](int r) { return 2.0 * r; }},
      {"lat_bucket", Labels{{"job", "api"}, {"le", "0.5"}}, 0, 40, [](int r) { return 5.0 * r; }},
      {"lat_bucket", Labels{{"job", "api"}, {"le", "1"}}, 0, 40,
       [](int r) { return 7.0 * r + r % 4; }},
      {"lat_bucket", Labels{{"job", "api"}, {"le", "+Inf"}}, 0, 40,
       [](int r) { return 8.0 * r + r % 4; }},
      {"lat_bucket", Labels{{"job", "web"}, {"le", "0.25"}}, 0, 40, [](int r) { return 1.0 * r; }},
      {"lat_bucket", Labels{{"job", "web"}, {"le", "1"}}, 0, 40, [](int r) { return 3.0 * r; }},
      {"lat_bucket", Labels{{"job", "web"}, {"le", "+Inf"}}, 0, 40, [](int r) { return 3.5 * r; }},
      {"lat_bucket", Labels{{"job", "noinf"}, {"le", "0.1"}}, 0, 40, [](int r) { return 1.0 * r; }},
      {"lat_bucket", Labels{{"job", "noinf"}, {"le", "1"}}, 0, 40, [](int r) { return 2.0 * r; }},
      {"lat_bucket", Labels{{"job", "nonmono"}, {"le", "0.1"}}, 0, 40,
       [](int r) { return 10.0 + r; }},
      {"lat_bucket", Labels{{"job", "nonmono"}, {"le", "1"}}, 0, 40, [](int r) { return 8.0 + r; }},
      {"lat_bucket", Labels{{"job", "nonmono"}, {"le", "+Inf"}}, 0, 40,
       [](int r) { return 20.0 + 2 * r; }},
      {"lat_bucket", Labels{{"job", "zero"}, {"le", "1"}}, 0, 40, [](int) { return 0.0; }},
      {"lat_bucket", Labels{{"job", "zero"}, {"le", "+Inf"}}, 0, 40, [](int) { return 0.0; }},
      {"lat_bucket", Labels{{"job", "neg"}, {"le", "-1"}}, 0, 40, [](int r) { return 3.0 + r; }},
      {"lat_bucket", Labels{{"job", "neg"}, {"le", "0"}}, 0, 40, [](int r) { return 4.0 + r; }},
      {"lat_bucket", Labels{{"job", "neg"}, {"le", "+Inf"}}, 0, 40, [](int r) { return 9.0 + r; }},
      {"lat_bucket", Labels{{"job", "dup"}, {"le", "1"}}, 0, 40, [](int r) { return 1.0 * r; }},
      {"lat_bucket", Labels{{"job", "dup"}, {"le", "1.0"}}, 0, 40, [](int r) { return 2.0 * r; }},
      {"lat_bucket", Labels{{"job", "dup"}, {"le", "+Inf"}}, 0, 40, [](int r) { return 5.0 * r; }},
      // For regressions and calendar fields: a shrinking disk with noise, a constant, epoch
      // seconds (around a leap day, and before 1970).
      {"disk_free", Labels{{"mount", "/"}}, 0, 40,
       [](int r) { return 5e9 - 1.3e7 * r + (r % 5) * 1e6; }},
      {"const_gauge", Labels{}, 0, 40, [](int) { return 42.0; }},
      {"epoch_s", Labels{{"k", "a"}}, 0, 40, [](int r) { return 1700000000.0 + r * 26280.5; }},
      {"epoch_s", Labels{{"k", "leap"}}, 0, 40, [](int r) { return 951782400.0 + r * 3600; }},
      {"epoch_s", Labels{{"k", "old"}}, 0, 40, [](int r) { return -34560000.0 - r * 86400; }},
      // "info" series for many-to-one matching.
      {"info", Labels{{"instance", "a"}, {"version", "1.0"}, {"owner", "x"}}, 0, 40,
       [](int) { return 1.0; }},
      {"info", Labels{{"instance", "b"}, {"version", "2.0"}}, 0, 40, [](int) { return 2.0; }},
  };
}

std::string FormatValue(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  std::ostringstream out;
  out.precision(17);
  out << v;
  return out.str();
}

std::string OpenMetrics(const std::vector<SeriesSpec>& data) {
  std::ostringstream out;
  std::string family;
  for (const auto& s : data) {
    if (s.name != family) {
      out << "# TYPE " << s.name << " gauge\n";  // gauge: samples named exactly as written
      family = s.name;
    }
    std::string labels;
    for (const auto& l : s.labels) {
      labels += (labels.empty() ? "" : ",") + l.name + "=\"" + l.value + "\"";
    }
    for (int r = s.first_round; r <= s.last_round; ++r) {
      char ts[32];
      std::snprintf(ts, sizeof(ts), "%.3f", static_cast<double>(RoundMs(r)) / 1000);
      out << s.name << (labels.empty() ? "" : "{" + labels + "}") << " " << FormatValue(s.value(r))
          << " " << ts << "\n";
    }
  }
  out << "# EOF\n";
  return out.str();
}

// The TCP port a process listens on, from its socket inodes and /proc/net/tcp.
int ListeningPort(pid_t pid) {
  std::vector<std::string> inodes;
  const std::string fd_dir = "/proc/" + std::to_string(pid) + "/fd";
  if (DIR* dir = opendir(fd_dir.c_str())) {
    while (dirent* entry = readdir(dir)) {
      char target[256];
      const std::string link = fd_dir + "/" + entry->d_name;
      ssize_t n = readlink(link.c_str(), target, sizeof(target) - 1);
      if (n <= 0) continue;
      std::string t(target, static_cast<size_t>(n));
      if (t.rfind("socket:[", 0) == 0) inodes.push_back(t.substr(8, t.size() - 9));
    }
    closedir(dir);
  }
  std::ifstream tcp("/proc/net/tcp");
  std::string line;
  std::getline(tcp, line);
  while (std::getline(tcp, line)) {
    std::istringstream fields(line);
    std::string sl, local, remote, state, queues, timer, retr, uid, timeout, inode;
    fields >> sl >> local >> remote >> state >> queues >> timer >> retr >> uid >> timeout >> inode;
    if (state != "0A") continue;
    for (const auto& i : inodes) {
      if (i == inode) return std::stoi(local.substr(local.find(':') + 1), nullptr, 16);
    }
  }
  return 0;
}

std::string UrlEncode(std::string_view s) {
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      char buf[4];
      std::snprintf(buf, sizeof(buf), "%%%02X", c);
      out += buf;
    }
  }
  return out;
}

// Both engines' answers normalised to labels -> value (scalars under the key "scalar").
struct Answer {
  bool ok = false;
  std::string error;
  std::map<std::string, double> values;
};

double ParsePromValue(const std::string& s) {
  if (s == "NaN") return std::nan("");
  if (s == "+Inf") return HUGE_VAL;
  if (s == "-Inf") return -HUGE_VAL;
  return std::stod(s);
}

struct Prometheus {
  Prometheus() {
    const auto data = Dataset();
    const std::string input = dir.Write("data.om", OpenMetrics(data));
    auto created = RunCommand({"promtool", "tsdb", "create-blocks-from", "openmetrics", "--quiet",
                               input, dir.Join("tsdb")});
    BOOST_REQUIRE_MESSAGE(created.exit_code == 0, "promtool failed: " + created.err + created.out);
    const std::string config = dir.Write("prometheus.yml", "global:\n  scrape_interval: 15s\n");
    server = std::make_unique<Process>(std::vector<std::string>{
        "prometheus", "--config.file=" + config, "--storage.tsdb.path=" + dir.Join("tsdb"),
        "--storage.tsdb.retention.time=100y", "--web.listen-address=127.0.0.1:0",
        "--log.level=warn"});
    for (int i = 0; i < 300 && port == 0; ++i) {
      std::this_thread::sleep_for(milliseconds(50));  // waiting on a real external process
      port = ListeningPort(server->pid());
    }
    BOOST_REQUIRE_MESSAGE(port != 0, "prometheus did not start: " + server->Stderr());
    bool ready = false;
    for (int i = 0; i < 300 && !ready; ++i) {
      ready = HttpGet(Url("/-/ready")).status == 200;
      if (!ready) std::this_thread::sleep_for(milliseconds(50));
    }
    BOOST_REQUIRE_MESSAGE(ready, "prometheus never became ready: " + server->Stderr());

    // The same samples, one source per series so a series' end is not a staleness marker
    // (backfilled blocks have none either).
    for (int r = 0; r < kRounds; ++r) {
      for (size_t i = 0; i < data.size(); ++i) {
        const auto& s = data[i];
        if (r < s.first_round || r > s.last_round) continue;
        history.Append(SystemTime(milliseconds(RoundMs(r))), {{s.name, s.labels, s.value(r)}},
                       std::to_string(i));
      }
    }
  }

  std::string Url(const std::string& path) const {
    return "http://127.0.0.1:" + std::to_string(port) + path;
  }

  Answer QueryPrometheus(const std::string& expr, int64_t at_ms) const {
    char time[32];
    std::snprintf(time, sizeof(time), "%.3f", static_cast<double>(at_ms) / 1000);
    auto response = HttpGet(Url("/api/v1/query?query=" + UrlEncode(expr) + "&time=" + time));
    BOOST_REQUIRE_MESSAGE(response.status != 0, "query failed: " + response.error);
    auto json = nlohmann::json::parse(response.body);
    Answer a;
    if (json["status"] != "success") {
      a.error = json.value("error", "");
      return a;
    }
    a.ok = true;
    const auto& result = json["data"]["result"];
    if (json["data"]["resultType"] == "scalar") {
      a.values["scalar"] = ParsePromValue(result[1].get<std::string>());
      return a;
    }
    for (const auto& sample : result) {
      Labels labels;
      for (const auto& [k, v] : sample["metric"].items()) labels.Set(k, v.get<std::string>());
      a.values[labels.ToString()] = ParsePromValue(sample["value"][1].get<std::string>());
    }
    return a;
  }

  Answer QueryOurs(const std::string& expr, int64_t at_ms) const {
    Answer a;
    auto parsed = Parse(expr);
    BOOST_REQUIRE_MESSAGE(parsed.ok(),
                          expr + ": " + (parsed.ok() ? std::string() : parsed.error()));
    auto value = Evaluate(**parsed, history, SystemTime(milliseconds(at_ms)));
    if (!value.ok()) {
      a.error = value.error();
      return a;
    }
    a.ok = true;
    if (value->kind == Value::Kind::kScalar) {
      a.values["scalar"] = value->scalar;
      return a;
    }
    for (const auto& s : value->vector) a.values[s.labels->ToString()] = s.value;
    return a;
  }

  TempDir dir;
  std::unique_ptr<Process> server;
  int port = 0;
  SeriesHistory history{std::chrono::hours(1)};
};

bool Close(double a, double b) {
  if (std::isnan(a) || std::isnan(b)) return std::isnan(a) && std::isnan(b);
  if (a == b) return true;
  return std::fabs(a - b) <= 1e-9 * std::max(std::fabs(a), std::fabs(b));
}

std::string Describe(const Answer& a) {
  if (!a.ok) return "error: " + a.error;
  std::string out;
  for (const auto& [labels, v] : a.values) out += labels + " => " + FormatValue(v) + "; ";
  return out.empty() ? "(empty)" : out;
}

const char* const kExpressions[] = {
    // selectors and matchers
    "temp",
    "temp{room!=\"x\"}",
    "temp{room=~\"x|z\"}",
    "temp{room!~\"x\"}",
    "{__name__=~\"te.*\"}",
    "req_total{job=\"api\"}",
    "temp{job=\"\"}",
    "stopped",
    "weird",
    // arithmetic and comparison
    "temp * 2",
    "100 - temp",
    "temp % 3",
    "temp ^ 2",
    "temp / 0",
    "-temp",
    "2 ^ 3 ^ 2 - temp",
    "temp > 22",
    "22 < temp",
    "temp > bool 22",
    "temp == bool temp",
    "temp != 25.5",
    "1 + 2 * 3 - 4 / 2",
    "-2 ^ 2",
    "7 % -4",
    "1 < bool 2",
    "weird + 1",
    "weird > 5",
    // vector matching
    "temp - temp",
    "req_total - on(instance, job) req_total",
    "req_total / ignoring(instance) errors_total",
    "req_total > on(instance) errors_total",
    "req_total > bool on(instance) errors_total",
    "req_total + on() temp{room=\"x\"}",
    "temp{room=\"x\"} + on() req_total",
    "req_total * on(job) errors_total",
    "temp + req_total",
    // set operators
    "temp and temp > 22",
    "temp unless temp > 22",
    "temp or req_total",
    "temp > 22 or temp",
    "req_total and on(job) errors_total",
    "req_total unless on(job) errors_total",
    "nothing or temp",
    "temp or nothing",
    "req_total and nothing",
    // aggregation
    "sum(temp)",
    "avg(temp)",
    "min(temp)",
    "max(temp)",
    "count(temp)",
    "sum by (job) (req_total)",
    "max without (instance) (req_total)",
    "count by (__name__) ({__name__=~\"temp|req_total\"})",
    "avg by (kind) (weird)",
    "sum(weird)",
    "max(weird)",
    "min(weird)",
    "count without () (temp)",
    "sum by (job) (rate(req_total[2m]))",
    // range functions
    "rate(req_total[1m])",
    "rate(req_total[5m])",
    "increase(req_total[2m])",
    "delta(temp[3m])",
    "irate(req_total[1m])",
    "rate(errors_total[10m])",
    "increase(req_total[47s])",
    "avg_over_time(temp[5m])",
    "min_over_time(weird[5m])",
    "max_over_time(weird[5m])",
    "avg_over_time(weird[2m])",
    "last_over_time(temp[1m])",
    "changes(flappy[5m])",
    "changes(weird[5m])",
    "changes(errors_total[10m])",
    "rate(stopped[5m])",
    // absent
    "absent(temp)",
    "absent(nope{job=\"a\", env=~\"p.*\", zone=\"z\"})",
    "absent(nope{job=\"a\", job=\"b\"})",
    "absent(sum(nope{job=\"a\"}))",
    "absent_over_time(nope{job=\"a\"}[5m])",
    "absent_over_time(stopped{job=\"old\"}[1m])",
    "absent(stopped{job=\"old\"})",
    // instant functions
    "time()",
    "timestamp(temp)",
    "timestamp(temp * 1)",
    "timestamp((temp))",
    "abs(-temp)",
    "clamp_min(temp, 21)",
    "clamp_max(temp, 21)",
    "clamp_max(weird, NaN)",
    "vector(3)",
    "vector(time())",
    "scalar(temp{room=\"y\"})",
    "scalar(temp)",
    "temp > scalar(temp{room=\"x\"})",
    "time() - timestamp(stopped)",
    // duplicate output labelsets
    "{room=\"x\"} * 2",
    "changes({__name__=~\"temp|req_total\"}[5m])",
    "abs({__name__=~\"temp|req_total\"})",
    "last_over_time({__name__=~\"temp|errors_total\"}[1m])",
    // keywords in any case
    "SUM BY (job) (req_total)",
    "Sum(req_total) By (job)",
    "MAX WITHOUT (instance) (req_total)",
    "COUNT(temp)",
    "temp AND temp > 22",
    "temp Or req_total",
    "temp UNLESS temp > 22",
    "req_total - ON(instance, job) req_total",
    "req_total / IGNORING(instance) errors_total",
    "temp > BOOL 22",
    "temp OFFSET 1m",
    // offset
    "temp offset 1m",
    "temp offset 5m",
    "req_total offset 30s",
    "stopped offset 5m",
    "temp offset -1m",
    "temp - temp offset 1m",
    "rate(req_total[2m] offset 3m)",
    "increase(req_total[5m] offset 1m)",
    "avg_over_time(temp[5m] offset 2m)",
    "timestamp(temp offset 2m)",
    "absent(nope offset 1m)",
    "absent(stopped offset 1m)",
    "sum by (job) (rate(req_total[1m] offset 1m))",
    // histogram_quantile over classic buckets
    "histogram_quantile(0.5, lat_bucket)",
    "histogram_quantile(0.9, rate(lat_bucket[2m]))",
    "histogram_quantile(0.99, sum by (le) (rate(lat_bucket{job=~\"api|web\"}[5m])))",
    "histogram_quantile(0.5, sum by (job, le) (increase(lat_bucket[3m])))",
    "histogram_quantile(0, lat_bucket)",
    "histogram_quantile(1, lat_bucket)",
    "histogram_quantile(0.01, lat_bucket)",
    "histogram_quantile(-0.5, lat_bucket)",
    "histogram_quantile(1.5, lat_bucket)",
    "histogram_quantile(NaN, lat_bucket)",
    "histogram_quantile(0.5, temp)",
    "histogram_quantile(scalar(temp{room=\"x\"}) / 30, lat_bucket{job=\"api\"})",
    // deriv and predict_linear
    "deriv(temp[5m])",
    "deriv(disk_free[10m])",
    "deriv(const_gauge[5m])",
    "deriv(weird[5m])",
    "deriv(stopped[5m])",
    "predict_linear(disk_free[10m], 3600)",
    "predict_linear(disk_free[5m] offset 2m, 4 * 3600)",
    "predict_linear(temp[5m], 600)",
    "predict_linear(const_gauge[5m], 100)",
    "predict_linear(weird[2m], 60)",
    "predict_linear(disk_free[1h], 3600) < 0",
    // math and rounding
    "round(temp)",
    "round(temp, 0.5)",
    "round(temp, 3)",
    "round(-temp, 0.1)",
    "round(weird)",
    "floor(temp)",
    "ceil(temp)",
    "floor(weird)",
    "sqrt(temp)",
    "sqrt(-temp)",
    "exp(temp / 10)",
    "ln(temp)",
    "ln(weird)",
    "log2(req_total)",
    "log10(req_total)",
    "sgn(temp)",
    "sgn(weird)",
    "clamp(temp, 20, 25)",
    "clamp(temp, 25, 20)",
    "clamp(weird, 3, 30)",
    // time-of-day
    "hour(epoch_s)",
    "minute(epoch_s)",
    "day_of_week(epoch_s)",
    "day_of_month(epoch_s)",
    "days_in_month(epoch_s)",
    "month(epoch_s)",
    "year(epoch_s)",
    "hour()",
    "minute()",
    "day_of_week()",
    "day_of_month()",
    "days_in_month()",
    "month()",
    "year()",
    "year(weird)",
    "hour(weird)",
    "day_of_week(weird)",
    // more range functions
    "sum_over_time(temp[5m])",
    "sum_over_time(weird[5m])",
    "count_over_time(req_total[2m])",
    "quantile_over_time(0.5, temp[5m])",
    "quantile_over_time(0.9, weird[5m])",
    "quantile_over_time(0, req_total[3m])",
    "quantile_over_time(-1, temp[5m])",
    "quantile_over_time(2, temp[5m])",
    "stddev_over_time(temp[5m])",
    "stddev_over_time(const_gauge[5m])",
    "stdvar_over_time(weird[5m])",
    "stdvar_over_time(disk_free[10m])",
    "present_over_time(stopped[1m])",
    "resets(req_total[10m])",
    "resets(weird[5m])",
    // many-to-one and one-to-many matching
    "req_total * on(instance) group_left(version) info",
    "req_total * on(instance) group_left(version, owner) info",
    "req_total * on(instance) GROUP_LEFT(version, nonexistent) info",
    "info * on(instance) group_right(version) req_total",
    "info * on(instance) group_right req_total",
    "req_total > on(instance) group_left info",
    "req_total > bool on(instance) group_left info",
    "info < on(instance) group_right req_total",
    "req_total / on(job) group_left errors_total",
    "req_total + ignoring(instance) group_left errors_total",
    "errors_total * on(job) group_right req_total",
    "req_total * on(instance) group_left(job) errors_total",
    "req_total + on(job) group_left temp",
    "req_total * on(job) group_left req_total",
    "req_total * on(job) group_right req_total",
    "req_total * on(job) group_left(instance) errors_total",
    "sum by (job) (req_total) * on(job) group_right req_total",
    "temp + on() 1",
    // label_replace and label_join
    "label_replace(temp, \"place\", \"room-$1\", \"room\", \"(.*)\")",
    "label_replace(req_total, \"inst\", \"${1}x\", \"instance\", \"([ab])\")",
    "label_replace(req_total, \"inst\", \"$1x\", \"instance\", \"([ab])\")",
    "label_replace(req_total, \"job\", \"\", \"job\", \"api\")",
    "label_replace(req_total, \"job\", \"$$ $name $2\", \"job\", \"(?P<name>a)(p)i\")",
    "label_replace(temp, \"room\", \"same\", \"room\", \".*\")",
    "label_replace(temp, \"__name__\", \"renamed\", \"room\", \"x\")",
    "label_replace(temp, \"1bad\", \"x\", \"room\", \".*\")",
    "label_replace(temp, \"a\", \"x\", \"room\", \"(\")",
    "label_replace(temp, \"a\", \"$1\", \"nope\", \"(.*)\")",
    "label_join(req_total, \"id\", \"/\", \"job\", \"instance\")",
    "label_join(req_total, \"id\", \"-\", \"nope\")",
    "label_join(req_total, \"job\", \"\", \"nope\")",
    "label_join(temp, \"x\", \",\", \"room\", \"job\", \"room\")",
    "label_join(temp, \"x\", \",\", \"b-ad\")",
    "label_join(temp, \"room\", \"\", \"job\")",
    // more aggregations
    "stddev(temp)",
    "stdvar by (job) (req_total)",
    "stddev without (instance) (req_total)",
    "stddev(weird)",
    "STDVAR(weird)",
    "group(temp)",
    "group by (job) (req_total)",
    "quantile(0.5, temp)",
    "quantile by (job) (0.9, req_total)",
    "quantile(0, weird)",
    "quantile(1, weird)",
    "quantile(-1, temp)",
    "quantile(2, temp)",
    "quantile without (room) (scalar(flappy) / 2, temp)",
    "count_values(\"value\", flappy)",
    "count_values(\"v\", round(temp))",
    "count_values by (job) (\"v\", errors_total)",
    "count_values without (instance) (\"v\", req_total > 1e3)",
    "count_values(\"v\", weird)",
    "count_values(\"v\", disk_free * 1e20)",
    "count_values(\"v\", temp / 7)",
    "count_values(\"room\", temp)",
    "count_values(\"1x\", temp)",
    "quantile(NaN, temp)",
    "quantile_over_time(NaN, temp[1m])",
    // idelta, holt_winters, sort, trigonometry
    "idelta(temp[5m])",
    "idelta(req_total[2m])",
    "idelta(weird[5m])",
    "idelta(stopped[5m])",
    "holt_winters(temp[10m], 0.5, 0.5)",
    "holt_winters(disk_free[10m], 0.1, 0.9)",
    "holt_winters(weird[5m], 0.3, 0.3)",
    "holt_winters(req_total[5m] offset 1m, 0.8, 0.2)",
    "holt_winters(temp[5m], 0, 0.5)",
    "holt_winters(temp[5m], 0.5, 1)",
    "holt_winters(nope[5m], 2, 2)",
    "sort(temp)",
    "sort_desc(req_total)",
    "sort(weird)",
    "sin(temp)",
    "cos(temp)",
    "tan(temp)",
    "asin(temp / 100)",
    "acos(temp / 100)",
    "atan(temp)",
    "sinh(temp / 10)",
    "cosh(temp / 10)",
    "tanh(temp)",
    "asinh(temp)",
    "acosh(temp)",
    "atanh(temp / 100)",
    "deg(temp)",
    "rad(temp)",
    "pi()",
    "temp * pi()",
    "sin(weird)",
    "acos(weird)",
    "atanh(weird)",
    // topk and bottomk
    "topk(2, temp)",
    "bottomk(1, req_total)",
    "topk by (job) (1, req_total)",
    "bottomk without (instance) (2, req_total)",
    "topk(0, temp)",
    "topk(-1, temp)",
    "topk(100, temp)",
    "topk(2.7, weird)",
    "bottomk(2, weird)",
    "topk(1, weird)",
    "TOPK(scalar(flappy), temp)",
    "topk(1e30, temp)",
    "topk(NaN, temp)",
    "sum(topk by (job) (1, rate(req_total[5m])))",
};

BOOST_AUTO_TEST_CASE(every_expression_matches_real_prometheus) {
  Prometheus prom;
  // Query instants: mid-range, between samples, near the reset, after a series stopped, and
  // past the end so lookback expiry matters.
  const int64_t instants[] = {RoundMs(4),           RoundMs(20) + 7300,  RoundMs(22),
                              RoundMs(23) + 1,      RoundMs(30),         RoundMs(40),
                              RoundMs(40) + 299000, RoundMs(40) + 301000};
  int compared = 0;
  int non_empty = 0;  // guards against both engines agreeing on nothing
  for (const char* expr : kExpressions) {
    for (int64_t at : instants) {
      const Answer theirs = prom.QueryPrometheus(expr, at);
      const Answer ours = prom.QueryOurs(expr, at);
      bool same = theirs.ok == ours.ok && theirs.values.size() == ours.values.size();
      for (auto it = theirs.values.begin(); same && it != theirs.values.end(); ++it) {
        auto mine = ours.values.find(it->first);
        same = mine != ours.values.end() && Close(it->second, mine->second);
      }
      if (!theirs.ok && !ours.ok) same = theirs.error.find(ours.error) != std::string::npos;
      BOOST_CHECK_MESSAGE(same, expr << " @" << at << "\n  prometheus: " << Describe(theirs)
                                     << "\n  opswatch:   " << Describe(ours));
      ++compared;
      if (theirs.ok && !theirs.values.empty()) ++non_empty;
    }
  }
  BOOST_TEST_MESSAGE("compared " << compared << " (expression, time) pairs, " << non_empty
                                 << " with a non-empty answer");
  BOOST_CHECK_GT(non_empty, compared / 2);
}

}  // namespace
}  // namespace opswatch::promql
