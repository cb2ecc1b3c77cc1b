// The backup collector on real files made by real tools: `pg_dump -Fc` from a real PostgreSQL
// (compressed, uncompressed, written to a pipe, with large objects), `tar czf`, `gzip`,
// `sha256sum`; then truncated, bit-flipped and zero-byte variants, mtimes set with `touch -d`.
// Every metric is asserted, ages against a FakeClock.
#define BOOST_TEST_MODULE backup_collector_integration
#include "collectors/backup/backup_collector.hpp"

#include <boost/test/unit_test.hpp>
#include <filesystem>
#include <fstream>

#include "collectors/backup/backup_verify_pgdump.hpp"
#include "collectors/collector_services.hpp"
#include "collectors/disk_statter.hpp"
#include "core/fake_clock.hpp"
#include "tests/support/env.hpp"
#include "tests/support/metric_lookup.hpp"
#include "tests/support/postgres_fixture.hpp"
#include "tests/support/process.hpp"
#include "tests/support/temp_dir.hpp"

namespace opswatch {
namespace {

using testing::PostgresServer;
using testing::RunCommand;
using testing::RunShell;
using testing::TempDir;

constexpr int64_t kNow = 1'700'000'000;  // FakeClock's default start

void Must(const testing::CommandResult& r, const std::string& what) {
  BOOST_TEST_REQUIRE(r.exit_code == 0, what << " failed: " << r.err << r.out);
}

// Real dumps, made once per test binary (one PostgreSQL start).
struct RealDumps {
  std::string compressed;    // pg_dump -Fc -f FILE (seekable: offsets in the TOC)
  std::string uncompressed;  // pg_dump -Fc -Z0
  std::string piped;         // pg_dump -Fc | cat > FILE (no offsets)
};

const RealDumps& Dumps() {
  static const RealDumps dumps = [] {
    PostgresServer server;
    Must(server.Psql("CREATE DATABASE appdb"), "createdb");
    Must(server.Psql("CREATE TABLE audit_logs AS SELECT g AS id, md5(g::text) AS hash, "
                     "repeat('x', g % 50) AS pad FROM generate_series(1, 60000) g;"
                     "CREATE TABLE empty_table (id int);"
                     "CREATE INDEX ON audit_logs (hash);"
                     "SELECT lo_from_bytea(0, convert_to(repeat('large object ', 5000), 'UTF8'));",
                     "appdb"),
         "fill");
    TempDir dir;
    const std::string pg_dump = server.BinDir() + "/pg_dump";
    const std::string port = std::to_string(server.port());
    const std::vector<std::string> base = {pg_dump, "-h",       "127.0.0.1", "-p", port,
                                           "-U",    "postgres", "-Fc",       "-b", "appdb"};
    auto run = [&](std::vector<std::string> extra, const std::string& file) {
      std::vector<std::string> argv = base;
      argv.insert(argv.end(), extra.begin(), extra.end());
      argv.push_back("-f");
      argv.push_back(dir.Join(file));
      Must(RunCommand(argv), "pg_dump");
      return testing::ReadFileOrDie(dir.Join(file));
    };
    RealDumps out;
    out.compressed = run({}, "c.dump");
    out.uncompressed = run({"-Z0"}, "u.dump");
    Must(RunShell(pg_dump + " -h 127.0.0.1 -p " + port + " -U postgres -Fc appdb | cat > " +
                  dir.Join("p.dump")),
         "pg_dump | cat");
    out.piped = testing::ReadFileOrDie(dir.Join("p.dump"));
    return out;
  }();
  return dumps;
}

Status VerifyPg(const std::string& bytes) {
  PgDumpVerifier v(bytes.size());
  v.Feed(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
  return v.Finish();
}

std::string Flip(std::string bytes, double at) {
  bytes[size_t(double(bytes.size()) * at)] ^= 0x20;
  return bytes;
}

void Touch(const std::string& path, int64_t epoch) {
  Must(RunCommand({"touch", "-d", "@" + std::to_string(epoch), path}), "touch");
}

// A backup collector built the way the exporter builds it (parser + create), on the real fs.
struct Harness {
  FakeClock clock;
  NullLogger logger;
  CollectorServices services{clock, logger, std::make_shared<OsDiskStatter>()};
  std::unique_ptr<Collector> collector;

  explicit Harness(const std::string& yaml) {
    YAML::Node node = YAML::Load(yaml);
    testing::FakeConfigEnv env;
    ConfigErrors errors;
    MapReader reader(node, "collectors[0]", errors, env);
    auto parsed = ParseBackupCollector(
        reader, CollectorIdentity{"b", "backup", Millis(30000), Millis(10000)});
    reader.Finish();
    BOOST_TEST_REQUIRE(errors.empty(), errors.Format("opswatch.yml"));
    collector = parsed->create(services);
  }
  CollectResult Run() {
    return collector->Collect(RunContext{clock.SteadyNow() + std::chrono::seconds(10)});
  }
};

std::optional<double> Value(const CollectResult& r, const std::string& name,
                            const Labels& labels = {}) {
  return testing::SeriesValue(r.families, name, labels);
}
std::optional<double> Valid(const CollectResult& r, const std::string& check) {
  return Value(r, "opswatch_backup_newest_valid", {{"check", check}});
}

BOOST_AUTO_TEST_CASE(real_pg_dumps_pass_and_damaged_ones_fail) {
  const RealDumps& d = Dumps();
  for (const std::string* dump : {&d.compressed, &d.uncompressed, &d.piped}) {
    BOOST_TEST_REQUIRE(dump->size() > 1000u);
    Status s = VerifyPg(*dump);
    BOOST_TEST(s.ok(), s.message());
    for (size_t len : {size_t(0), size_t(5), size_t(100), dump->size() / 3, dump->size() / 2,
                       dump->size() - 100, dump->size() - 1}) {
      BOOST_TEST(!VerifyPg(dump->substr(0, len)).ok(), "prefix " << len << " of " << dump->size());
    }
  }
  // Prefixes of the compressed dump at 300 points, plus the whole TOC byte by byte: none passes.
  for (size_t len = 0; len < d.compressed.size(); len += d.compressed.size() / 300 + 1) {
    BOOST_TEST_REQUIRE(!VerifyPg(d.compressed.substr(0, len)).ok(), "prefix " << len);
  }
  for (size_t len = 0; len < 4096 && len < d.compressed.size(); ++len) {
    BOOST_TEST_REQUIRE(!VerifyPg(d.compressed.substr(0, len)).ok(), "prefix " << len);
  }
  // A flipped bit in zlib-compressed table data fails the Adler-32 / inflate.
  BOOST_TEST(!VerifyPg(Flip(d.compressed, 0.75)).ok());
}

BOOST_AUTO_TEST_CASE(corrupted_newest_dump_shows_pg_dump_0) {
  const RealDumps& d = Dumps();
  TempDir dir;
  const std::string older = dir.Write("backups/appdb_2023-11-13.dump", d.compressed);
  const std::string newest = dir.Write("backups/appdb_2023-11-14.dump", d.compressed);
  Must(RunShell("cd " + dir.Join("backups") +
                " && for f in *.dump; do sha256sum $f > $f.sha256; done"),
       "sha256sum");
  // The newest dump loses its tail after its checksum was taken (a full disk, a killed copy).
  std::filesystem::resize_file(newest, d.compressed.size() * 2 / 3);
  Touch(older, kNow - 26 * 3600);
  Touch(newest, kNow - 2 * 3600);

  Harness h("path: " + dir.Join("backups") +
            "\npattern: 'appdb_*.dump'\nverify: newest\nthresholds: {max_age: 26h}\n");
  CollectResult r = h.Run();
  BOOST_TEST(r.status.ok(), r.status.message());
  const double truncated = double(d.compressed.size() * 2 / 3);
  BOOST_TEST(*Value(r, "opswatch_backup_files") == 2);
  BOOST_TEST(*Value(r, "opswatch_backup_total_bytes") == double(d.compressed.size()) + truncated);
  BOOST_TEST(*Value(r, "opswatch_backup_newest_timestamp_seconds") == double(kNow - 2 * 3600));
  BOOST_TEST(*Value(r, "opswatch_backup_newest_age_seconds") == 7200);
  BOOST_TEST(*Value(r, "opswatch_backup_newest_bytes") == truncated);
  BOOST_TEST(*Value(r, "opswatch_backup_previous_bytes") == double(d.compressed.size()));
  BOOST_TEST(*Value(r, "opswatch_backup_oldest_timestamp_seconds") == double(kNow - 26 * 3600));
  BOOST_TEST(*Valid(r, "pg_dump") == 0);
  BOOST_TEST(*Valid(r, "sha256") == 0);
  BOOST_TEST(!Valid(r, "gzip").has_value());
  BOOST_TEST(*Value(r, "opswatch_backup_verify_duration_seconds") >= 0);

  // The next night's dump is good: a new newest, verified, both checks 1.
  const std::string fixed = dir.Write("backups/appdb_2023-11-15.dump", d.compressed);
  Must(RunShell("cd " + dir.Join("backups") +
                " && sha256sum appdb_2023-11-15.dump > appdb_2023-11-15.dump.sha256"),
       "sha256sum");
  Touch(fixed, kNow - 60);
  r = h.Run();
  BOOST_TEST(*Value(r, "opswatch_backup_files") == 3);
  BOOST_TEST(*Value(r, "opswatch_backup_newest_age_seconds") == 60);
  BOOST_TEST(*Value(r, "opswatch_backup_previous_bytes") == truncated);
  BOOST_TEST(*Valid(r, "pg_dump") == 1);
  BOOST_TEST(*Valid(r, "sha256") == 1);
}

// Verifies a single file as the only member of a backup directory; check -> value.
std::map<std::string, double> Judge(const std::string& file) {
  Touch(file, kNow - 3600);
  auto dir = std::filesystem::path(file).parent_path().string();
  auto name = std::filesystem::path(file).filename().string();
  Harness h("path: " + dir + "\npattern: '" + name + "'\n");
  CollectResult r = h.Run();
  BOOST_TEST(r.status.ok(), r.status.message());
  std::map<std::string, double> out;
  for (const auto& f : r.families) {
    if (f.name != "opswatch_backup_newest_valid") continue;
    for (const auto& s : f.samples) out[std::string(s.labels.Get("check"))] = s.value;
  }
  return out;
}

using Checks = std::map<std::string, double>;

BOOST_AUTO_TEST_CASE(pg_dump_variants_made_by_real_tools) {
  const RealDumps& d = Dumps();
  TempDir dir;
  BOOST_TEST((Judge(dir.Write("a/ok.dump", d.compressed)) == Checks{{"pg_dump", 1}}));
  BOOST_TEST((Judge(dir.Write("b/plain.dump", d.uncompressed)) == Checks{{"pg_dump", 1}}));
  BOOST_TEST((Judge(dir.Write("c/piped.dump", d.piped)) == Checks{{"pg_dump", 1}}));
  BOOST_TEST((Judge(dir.Write("d/zero.dump", "")) == Checks{{"pg_dump", 0}}));
  BOOST_TEST((Judge(dir.Write("e/flip.dump", Flip(d.compressed, 0.75))) == Checks{{"pg_dump", 0}}));
  // A name that says nothing: recognised by its PGDMP magic.
  BOOST_TEST((Judge(dir.Write("f/nightly-backup", d.compressed)) == Checks{{"pg_dump", 1}}));
  // Uncompressed data has no checksum of its own: a flip there is found by the sidecar only.
  const std::string flipped = dir.Write("g/plain.dump", d.uncompressed);
  Must(RunShell("cd " + dir.Join("g") + " && sha256sum plain.dump > plain.dump.sha256"), "sha");
  std::string bytes = Flip(d.uncompressed, 0.8);
  std::ofstream(flipped, std::ios::binary | std::ios::trunc) << bytes;
  auto checks = Judge(flipped);
  BOOST_TEST(checks["sha256"] == 0);
  // A gzip'd dump: both layers checked.
  const std::string gz = dir.Write("h/db.dump", d.compressed);
  Must(RunCommand({"gzip", gz}), "gzip");
  BOOST_TEST((Judge(gz + ".gz") == Checks{{"gzip", 1}, {"pg_dump", 1}}));
}

BOOST_AUTO_TEST_CASE(tar_and_gzip_variants_made_by_real_tools) {
  TempDir dir;
  for (int i = 0; i < 50; ++i) {
    std::string content;
    for (int j = 0; j < 200 * (i + 1); ++j) content += "line " + std::to_string(i * j) + "\n";
    dir.Write("site/dir" + std::to_string(i % 5) + "/file" + std::to_string(i) + ".txt", content);
  }
  Must(RunCommand({"mkdir", "-p", dir.Join("t1"), dir.Join("t2"), dir.Join("t3"), dir.Join("t4"),
                   dir.Join("t5"), dir.Join("t6"), dir.Join("g1"), dir.Join("g2"), dir.Join("g3"),
                   dir.Join("g4"), dir.Join("s1")}),
       "mkdir");
  Must(RunCommand({"tar", "czf", dir.Join("t1/site.tar.gz"), "-C", dir.Join("site"), "."}), "tar");
  Must(RunCommand({"tar", "cf", dir.Join("t2/site.tar"), "-C", dir.Join("site"), "."}), "tar");
  const std::string tgz = testing::ReadFileOrDie(dir.Join("t1/site.tar.gz"));
  const std::string tar = testing::ReadFileOrDie(dir.Join("t2/site.tar"));
  Must(RunCommand({"tar", "tzf", dir.Join("t1/site.tar.gz")}), "tar -t agrees it is valid");

  BOOST_TEST((Judge(dir.Join("t1/site.tar.gz")) == Checks{{"gzip", 1}, {"tar", 1}}));
  BOOST_TEST((Judge(dir.Join("t2/site.tar")) == Checks{{"tar", 1}}));
  BOOST_TEST((Judge(dir.Write("t3/cut.tar.gz", tgz.substr(0, tgz.size() / 2))) ==
              Checks{{"gzip", 0}, {"tar", 0}}));
  BOOST_TEST((Judge(dir.Write("t4/cut.tar", tar.substr(0, tar.size() / 2))) == Checks{{"tar", 0}}));
  BOOST_TEST((Judge(dir.Write("t5/zero.tgz", "")) == Checks{{"gzip", 0}, {"tar", 0}}));
  // A flipped bit always fails gzip's CRC; tar may still parse when only file content changed.
  BOOST_TEST(Judge(dir.Write("t6/flip.tar.gz", Flip(tgz, 0.5)))["gzip"] == 0);

  std::string log;
  for (int i = 0; i < 20000; ++i) log += "{\"level\":\"info\",\"n\":" + std::to_string(i) + "}\n";
  dir.Write("g1/app.ndjson", log);
  Must(RunCommand({"gzip", dir.Join("g1/app.ndjson")}), "gzip");
  const std::string gz = testing::ReadFileOrDie(dir.Join("g1/app.ndjson.gz"));
  Must(RunShell("cat " + dir.Join("g1/app.ndjson.gz") + " " + dir.Join("g1/app.ndjson.gz") + " > " +
                dir.Join("g2/two.ndjson.gz")),
       "concatenate members");
  BOOST_TEST((Judge(dir.Join("g1/app.ndjson.gz")) == Checks{{"gzip", 1}}));
  BOOST_TEST((Judge(dir.Join("g2/two.ndjson.gz")) == Checks{{"gzip", 1}}));
  BOOST_TEST(
      (Judge(dir.Write("g3/cut.ndjson.gz", gz.substr(0, gz.size() - 4))) == Checks{{"gzip", 0}}));
  BOOST_TEST((Judge(dir.Write("g4/flip.ndjson.gz", Flip(gz, 0.6))) == Checks{{"gzip", 0}}));

  // sha256sum sidecar, good then stale.
  const std::string archive = dir.Write("s1/site.tar.gz", tgz);
  Must(RunShell("cd " + dir.Join("s1") + " && sha256sum site.tar.gz > site.tar.gz.sha256"), "sha");
  BOOST_TEST((Judge(archive) == Checks{{"gzip", 1}, {"sha256", 1}, {"tar", 1}}));
  dir.Write("s1/site.tar.gz.sha256", std::string(64, 'f') + "  site.tar.gz\n");
  BOOST_TEST((Judge(archive) == Checks{{"gzip", 1}, {"sha256", 0}, {"tar", 1}}));
}

BOOST_AUTO_TEST_CASE(missing_directory_on_the_real_filesystem) {
  TempDir dir;
  Harness h("path: " + dir.Join("not-there") + "\npattern: '*.dump'\n");
  CollectResult r = h.Run();
  BOOST_TEST(*Value(r, "opswatch_backup_files") == 0);
  BOOST_TEST(*Value(r, "opswatch_backup_total_bytes") == 0);
  BOOST_TEST(!r.status.ok());
  BOOST_TEST(r.status.message().find("No such file or directory") != std::string::npos,
             r.status.message());
}

}  // namespace
}  // namespace opswatch
