// The backup collector against an in-memory filesystem and a FakeClock: config parsing, glob
// matching, every summary metric, settling of files still being written, the verification cache,
// and verification that pauses at the deadline and resumes on the next run.
#define BOOST_TEST_MODULE backup_collector
#include "collectors/backup/backup_collector.hpp"

#include <zlib.h>

#include <boost/test/unit_test.hpp>
#include <mutex>

#include "collectors/backup/backup_verify_sha256.hpp"
#include "core/fake_clock.hpp"
#include "tests/support/env.hpp"
#include "tests/support/metric_lookup.hpp"

namespace opswatch {
namespace {

using std::chrono::hours;
using std::chrono::seconds;

// Files by absolute path; directories are implied by the paths.
class FakeBackupFs final : public BackupFs {
 public:
  struct File {
    std::string content;
    SystemTime mtime;
  };
  std::map<std::string, File> files;
  int opens = 0;
  FakeClock* advance_per_read = nullptr;  // each ReadAt takes a second of this clock

  Result<std::vector<DirEntry>> ListDir(const std::string& dir) override {
    std::vector<DirEntry> out;
    std::set<std::string> dirs;
    bool exists = false;
    for (const auto& [path, file] : files) {
      if (path.rfind(dir + "/", 0) != 0) continue;
      exists = true;
      std::string rest = path.substr(dir.size() + 1);
      auto slash = rest.find('/');
      if (slash == std::string::npos) {
        out.push_back({rest, DirEntry::Kind::kFile});
      } else if (dirs.insert(rest.substr(0, slash)).second) {
        out.push_back({rest.substr(0, slash), DirEntry::Kind::kDir});
      }
    }
    if (!exists)
      return Result<std::vector<DirEntry>>::Error("open " + dir + ": No such file or directory");
    return out;
  }
  Result<FileStat> Stat(const std::string& path) override {
    auto it = files.find(path);
    if (it == files.end()) return Result<FileStat>::Error("stat " + path + ": No such file");
    return FileStat{it->second.content.size(), it->second.mtime, true};
  }
  Result<std::unique_ptr<BackupFile>> Open(const std::string& path) override {
    auto it = files.find(path);
    if (it == files.end()) return Result<std::unique_ptr<BackupFile>>::Error("open " + path);
    ++opens;
    return std::unique_ptr<BackupFile>(
        std::make_unique<Reader>(it->second.content, advance_per_read));
  }

 private:
  struct Reader final : BackupFile {
    Reader(std::string c, FakeClock* clock) : content(std::move(c)), clock(clock) {}
    Result<size_t> ReadAt(uint64_t offset, uint8_t* buf, size_t n) override {
      if (clock) clock->Advance(seconds(1));
      if (offset >= content.size()) return size_t(0);
      size_t got = std::min<size_t>(n, content.size() - offset);
      std::memcpy(buf, content.data() + offset, got);
      return got;
    }
    std::string content;
    FakeClock* clock;
  };
};

class CapturingLogger final : public Logger {
 public:
  bool Enabled(LogLevel) const override { return true; }
  void Log(LogLevel, std::string_view message, std::initializer_list<LogField>) override {
    std::lock_guard lock(mu);
    lines.emplace_back(message);
  }
  bool Saw(const std::string& m) const {
    return std::find(lines.begin(), lines.end(), m) != lines.end();
  }
  std::mutex mu;
  std::vector<std::string> lines;
};

std::string EmptyTar() { return std::string(1024, '\0'); }

std::string Gzip(const std::string& in) {
  z_stream s{};
  deflateInit2(&s, 6, Z_DEFLATED, 16 + 15, 8, Z_DEFAULT_STRATEGY);
  std::string out(deflateBound(&s, in.size()) + 64, '\0');
  s.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  s.avail_in = uInt(in.size());
  s.next_out = reinterpret_cast<Bytef*>(out.data());
  s.avail_out = uInt(out.size());
  deflate(&s, Z_FINISH);
  out.resize(s.total_out);
  deflateEnd(&s);
  return out;
}

std::optional<double> Value(const CollectResult& r, const std::string& name,
                            const Labels& labels = {}) {
  return testing::SeriesValue(r.families, name, labels);
}

struct Fixture {
  FakeClock clock;
  CapturingLogger logger;
  FakeBackupFs* fs = nullptr;
  std::unique_ptr<BackupCollector> collector;

  void Make(BackupConfig config, std::map<std::string, FakeBackupFs::File> files) {
    auto owned = std::make_unique<FakeBackupFs>();
    fs = owned.get();
    fs->files = std::move(files);
    auto glob = PathGlob::Parse(config.pattern);
    BOOST_REQUIRE(glob.ok());
    collector = std::make_unique<BackupCollector>(std::move(config), *glob, std::move(owned), clock,
                                                  logger);
  }
  SystemTime Ago(Duration d) const {
    return clock.SystemNow() - std::chrono::duration_cast<SystemTime::duration>(d);
  }
  CollectResult Run(Duration budget = seconds(10)) {
    return collector->Collect(RunContext{clock.SteadyNow() + budget});
  }
};

BackupConfig Config(std::string pattern, BackupVerifyMode verify = BackupVerifyMode::kNewest) {
  BackupConfig c;
  c.path = "/backups";
  c.pattern = std::move(pattern);
  c.verify = verify;
  return c;
}

// --- config ----------------------------------------------------------------------------------

struct Parsed {
  std::optional<ParsedCollector> parsed;
  std::string errors;
};
Parsed Parse(const std::string& yaml) {
  YAML::Node node = YAML::Load(yaml);
  testing::FakeConfigEnv env;
  ConfigErrors errors;
  MapReader reader(node, "collectors[0]", errors, env);
  reader.Accept("name");
  reader.Accept("type");
  Parsed out;
  out.parsed =
      ParseBackupCollector(reader, CollectorIdentity{"b", "backup", Millis(30000), Millis(10000)});
  reader.Finish();
  out.errors = errors.Format("opswatch.yml");
  return out;
}

BOOST_AUTO_TEST_CASE(config_minimal_and_full) {
  auto minimal = Parse("name: b\ntype: backup\npath: /backups\n");
  BOOST_TEST_REQUIRE(minimal.errors == "");
  BOOST_TEST_REQUIRE(minimal.parsed.has_value());
  BOOST_TEST(minimal.parsed->thresholds == (Thresholds{{"min_count", 1}}));

  auto full = Parse(R"(name: b
type: backup
path: /backups/
pattern: "ifms_staging_*.dump"
verify: all
thresholds: {max_age: 26h, min_count: 2, retention_count: 14, min_bytes: 1KiB, shrink_ratio: 0.5}
)");
  BOOST_TEST_REQUIRE(full.errors == "");
  BOOST_TEST((full.parsed->thresholds == Thresholds{{"max_age", 93600},
                                                    {"min_count", 2},
                                                    {"retention_count", 14},
                                                    {"min_bytes", 1024},
                                                    {"shrink_ratio", 0.5}}));
}

BOOST_AUTO_TEST_CASE(config_errors_are_positioned_and_precise) {
  auto relative = Parse("path: backups\n");
  BOOST_TEST(relative.errors.find(
                 "opswatch.yml:1:7: collectors[0].path: \"backups\" is not an absolute path") !=
                 std::string::npos,
             relative.errors);
  BOOST_TEST(!relative.parsed.has_value());
  auto verify = Parse("path: /b\nverify: sometimes\n");
  BOOST_TEST(verify.errors.find("must be one of none, newest, all") != std::string::npos,
             verify.errors);
  auto pattern = Parse("path: /b\npattern: \"/abs/*.dump\"\n");
  BOOST_TEST(pattern.errors.find("pattern must be relative") != std::string::npos, pattern.errors);
  auto ratio = Parse("path: /b\nthresholds: {shrink_ratio: 1.5}\n");
  BOOST_TEST(
      ratio.errors.find("shrink_ratio: must be a ratio above 0 and at most 1") != std::string::npos,
      ratio.errors);
  auto unknown = Parse("path: /b\nthresholds: {max_agee: 1h}\n");
  BOOST_TEST(unknown.errors.find("max_agee") != std::string::npos, unknown.errors);
  auto missing = Parse("pattern: x\n");
  BOOST_TEST(missing.errors.find("path") != std::string::npos, missing.errors);
}

// --- glob ------------------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(glob_recursion_and_hidden_names) {
  FakeBackupFs fs;
  SystemTime t{};
  for (const char* p :
       {"/r/logs/a.ndjson", "/r/logs/2024/05/b.ndjson", "/r/logs/2024/c.txt", "/r/other/d.ndjson",
        "/r/logs/.hidden/e.ndjson", "/r/logs/.f.ndjson", "/r/top.ndjson"}) {
    fs.files[p] = {"x", t};
  }
  auto glob = PathGlob::Parse("logs/**/*.ndjson");
  BOOST_REQUIRE(glob.ok());
  auto listing = glob->List(fs, "/r");
  BOOST_REQUIRE(listing.ok());
  std::set<std::string> paths;
  for (const auto& f : listing->files) paths.insert(f.path);
  BOOST_TEST((paths == std::set<std::string>{"/r/logs/a.ndjson", "/r/logs/2024/05/b.ndjson"}));

  auto flat = PathGlob::Parse("*.ndjson");
  BOOST_TEST(flat->List(fs, "/r")->files.size() == 1u);  // no recursion without **
  auto anywhere = PathGlob::Parse("**/*.ndjson");
  BOOST_TEST(anywhere->List(fs, "/r")->files.size() == 4u);  // top, a, b, d; never hidden ones
  BOOST_TEST(!PathGlob::Parse("logs//x").ok());
  BOOST_TEST(!PathGlob::Parse("../x").ok());
  BOOST_TEST(!PathGlob::Parse("logs/**").ok());
}

// --- summary ---------------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(summary_metrics_have_exact_values) {
  Fixture f;
  f.Make(Config("*.tar", BackupVerifyMode::kNone),
         {{"/backups/a.tar", {std::string(1000, 'a'), f.Ago(hours(72))}},
          {"/backups/b.tar", {std::string(2000, 'b'), f.Ago(hours(48))}},
          {"/backups/c.tar", {std::string(200, 'c'), f.Ago(hours(1))}},
          {"/backups/c.tar.sha256", {"x", f.Ago(hours(1))}},
          {"/backups/notes.txt", {"x", f.Ago(hours(1))}}});
  auto r = f.Run();
  BOOST_TEST(r.status.ok(), r.status.message());
  const double now = ToUnixSeconds(f.clock.SystemNow());
  BOOST_TEST(*Value(r, "opswatch_backup_files") == 3);
  BOOST_TEST(*Value(r, "opswatch_backup_total_bytes") == 3200);
  BOOST_TEST(*Value(r, "opswatch_backup_newest_timestamp_seconds") == now - 3600);
  BOOST_TEST(*Value(r, "opswatch_backup_newest_age_seconds") == 3600);
  BOOST_TEST(*Value(r, "opswatch_backup_newest_bytes") == 200);
  BOOST_TEST(*Value(r, "opswatch_backup_previous_bytes") == 2000);
  BOOST_TEST(*Value(r, "opswatch_backup_oldest_timestamp_seconds") == now - 72 * 3600);
  BOOST_TEST(!Value(r, "opswatch_backup_newest_valid", {{"check", "tar"}}).has_value());
  BOOST_TEST(f.fs->opens == 0);  // verify: none reads nothing

  f.clock.Advance(hours(2));
  r = f.Run();
  BOOST_TEST(*Value(r, "opswatch_backup_newest_age_seconds") == 3 * 3600);
}

BOOST_AUTO_TEST_CASE(missing_directory_is_zero_files_and_an_error) {
  Fixture f;
  f.Make(Config("*.dump"), {});
  auto r = f.Run();
  BOOST_TEST(*Value(r, "opswatch_backup_files") == 0);
  BOOST_TEST(*Value(r, "opswatch_backup_total_bytes") == 0);
  BOOST_TEST(!Value(r, "opswatch_backup_newest_timestamp_seconds").has_value());
  BOOST_TEST(!r.status.ok());
  BOOST_TEST(r.status.message().find("/backups") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(files_still_being_written_are_not_judged) {
  Fixture f;
  f.Make(Config("*.tar"), {{"/backups/old.tar", {EmptyTar(), f.Ago(hours(24))}},
                           {"/backups/new.tar", {"half written", f.Ago(seconds(2))}}});
  auto r = f.Run();
  BOOST_TEST(*Value(r, "opswatch_backup_files") == 2);
  BOOST_TEST(*Value(r, "opswatch_backup_newest_bytes") == 1024);  // old.tar
  BOOST_TEST(!Value(r, "opswatch_backup_previous_bytes").has_value());
  BOOST_TEST(*Value(r, "opswatch_backup_newest_valid", {{"check", "tar"}}) == 1);

  // The writer goes on; its mtime is older than the settle time now, but the size changed since
  // the last look: still not judged.
  f.clock.Advance(seconds(10));
  f.fs->files["/backups/new.tar"].content = "half written, and more";
  r = f.Run();
  BOOST_TEST(*Value(r, "opswatch_backup_newest_bytes") == 1024);

  // Finished: same size twice and old enough.
  f.fs->files["/backups/new.tar"].content = EmptyTar() + EmptyTar();
  f.fs->files["/backups/new.tar"].mtime = f.Ago(seconds(30));
  r = f.Run();
  BOOST_TEST(*Value(r, "opswatch_backup_newest_bytes") == 1024);  // size changed again
  r = f.Run();
  BOOST_TEST(*Value(r, "opswatch_backup_newest_bytes") == 2048);
  BOOST_TEST(*Value(r, "opswatch_backup_previous_bytes") == 1024);
  BOOST_TEST(*Value(r, "opswatch_backup_newest_valid", {{"check", "tar"}}) == 1);
}

// --- verification ----------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(corrupt_newest_is_zero_and_verified_files_are_read_once) {
  Fixture f;
  f.Make(Config("*.tar.gz"),
         {{"/backups/a.tar.gz", {Gzip(EmptyTar()), f.Ago(hours(25))}},
          {"/backups/b.tar.gz", {Gzip(EmptyTar()).substr(0, 15), f.Ago(hours(1))}}});
  auto r = f.Run();
  BOOST_TEST(*Value(r, "opswatch_backup_newest_valid", {{"check", "gzip"}}) == 0);
  BOOST_TEST(*Value(r, "opswatch_backup_newest_valid", {{"check", "tar"}}) == 0);
  BOOST_TEST(!Value(r, "opswatch_backup_newest_valid", {{"check", "pg_dump"}}).has_value());
  BOOST_TEST(r.status.ok());  // a corrupt backup is a metric, not a collector failure
  BOOST_TEST(f.logger.Saw("backup failed verification"));
  BOOST_TEST(f.fs->opens == 1);

  r = f.Run();
  BOOST_TEST(f.fs->opens == 1);  // cached by (path, size, mtime)
  BOOST_TEST(*Value(r, "opswatch_backup_newest_valid", {{"check", "gzip"}}) == 0);

  // Rewritten in place with the same size but a new mtime: read again.
  f.fs->files["/backups/b.tar.gz"] = {Gzip(EmptyTar()), f.Ago(seconds(60))};
  r = f.Run();
  BOOST_TEST(f.fs->opens == 2);
  BOOST_TEST(*Value(r, "opswatch_backup_newest_valid", {{"check", "gzip"}}) == 1);
  BOOST_TEST(*Value(r, "opswatch_backup_newest_valid", {{"check", "tar"}}) == 1);
}

BOOST_AUTO_TEST_CASE(sha256_sidecar_mismatch) {
  Fixture f;
  f.Make(Config("*.tar"),
         {{"/backups/a.tar", {EmptyTar(), f.Ago(hours(1))}},
          {"/backups/a.tar.sha256", {std::string(64, '0') + "  a.tar\n", f.Ago(hours(1))}}});
  auto r = f.Run();
  BOOST_TEST(*Value(r, "opswatch_backup_newest_valid", {{"check", "tar"}}) == 1);
  BOOST_TEST(*Value(r, "opswatch_backup_newest_valid", {{"check", "sha256"}}) == 0);
  BOOST_TEST(*Value(r, "opswatch_backup_files") == 1);  // the sidecar is not a backup
  BOOST_TEST(f.fs->opens == 2);                         // the dump and its sidecar

  r = f.Run();
  BOOST_TEST(f.fs->opens == 2);  // cached
  // The operator regenerates the sidecar: the verdict is redone against it.
  Sha256Hasher h;
  h.Feed(reinterpret_cast<const uint8_t*>(EmptyTar().data()), 1024);
  f.fs->files["/backups/a.tar.sha256"] = {*h.Finish() + "  a.tar\n", f.Ago(seconds(30))};
  r = f.Run();
  BOOST_TEST(*Value(r, "opswatch_backup_newest_valid", {{"check", "sha256"}}) == 1);
  // Without a sidecar the check does not apply.
  f.fs->files.erase("/backups/a.tar.sha256");
  r = f.Run();
  BOOST_TEST(!Value(r, "opswatch_backup_newest_valid", {{"check", "sha256"}}).has_value());
  BOOST_TEST(*Value(r, "opswatch_backup_newest_valid", {{"check", "tar"}}) == 1);
}

BOOST_AUTO_TEST_CASE(future_mtime_is_judged_by_the_size_look) {
  Fixture f;
  f.Make(Config("*.tar"), {{"/backups/skewed.tar", {EmptyTar(), f.Ago(-hours(1))}}});
  auto r = f.Run();
  BOOST_TEST(*Value(r, "opswatch_backup_newest_bytes") == 1024);
  BOOST_TEST(*Value(r, "opswatch_backup_newest_age_seconds") == -3600);  // skew stays visible
  BOOST_TEST(*Value(r, "opswatch_backup_newest_valid", {{"check", "tar"}}) == 1);
}

BOOST_AUTO_TEST_CASE(verification_pauses_at_the_deadline_and_resumes) {
  Fixture f;
  // 5.5 MiB: six 1 MiB reads, each taking one second of the fake clock; two fit in a run.
  std::string big = std::string(5 * (1 << 20) + (1 << 19), '\0');
  f.Make(Config("*.tar"), {{"/backups/big.tar", {big, f.Ago(hours(1))}}});
  f.fs->advance_per_read = &f.clock;

  auto r = f.Run(seconds(2));
  BOOST_TEST(!Value(r, "opswatch_backup_newest_valid", {{"check", "tar"}}).has_value());
  BOOST_TEST(*Value(r, "opswatch_backup_newest_bytes") ==
             double(big.size()));  // summary still there
  BOOST_TEST(r.status.ok());
  BOOST_TEST(f.logger.Saw("backup not yet verified; continuing next run"));
  BOOST_TEST(*Value(r, "opswatch_backup_verify_duration_seconds") == 2);

  r = f.Run(seconds(2));
  BOOST_TEST(!Value(r, "opswatch_backup_newest_valid", {{"check", "tar"}}).has_value());
  r = f.Run(seconds(2));
  BOOST_TEST(*Value(r, "opswatch_backup_newest_valid", {{"check", "tar"}}) == 1);
  BOOST_TEST(*Value(r, "opswatch_backup_verify_duration_seconds") == 6);
  BOOST_TEST(f.fs->opens == 1);  // resumed, never restarted
}

BOOST_AUTO_TEST_CASE(verify_all_counts_invalid_files) {
  Fixture f;
  f.Make(Config("*.tar", BackupVerifyMode::kAll),
         {{"/backups/a.tar", {"garbage", f.Ago(hours(3))}},
          {"/backups/b.tar", {"", f.Ago(hours(2))}},
          {"/backups/c.tar", {EmptyTar(), f.Ago(hours(1))}}});
  auto r = f.Run();
  BOOST_TEST(*Value(r, "opswatch_backup_newest_valid", {{"check", "tar"}}) == 1);
  BOOST_TEST(*Value(r, "opswatch_backup_invalid_files") == 2);
  BOOST_TEST(f.fs->opens == 3);
  f.fs->files.erase("/backups/a.tar");
  r = f.Run();
  BOOST_TEST(*Value(r, "opswatch_backup_invalid_files") == 1);
  BOOST_TEST(f.fs->opens == 3);
}

}  // namespace
}  // namespace opswatch
