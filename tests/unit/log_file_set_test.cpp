// The log file set on real files in a temp dir: first sight at the end or the beginning, files
// that appear later, rename + create rotation (the old file finished through its descriptor),
// a renamed file followed under its new matched name, copytruncate, deletion, the read budget
// and resuming from saved positions.
#define BOOST_TEST_MODULE log_file_set
#include "collectors/log/log_file_set.hpp"

#include <unistd.h>

#include <boost/test/unit_test.hpp>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "tests/support/temp_dir.hpp"

using namespace opswatch;
namespace fs = std::filesystem;

namespace {

class Recorder final : public LogReadObserver {
 public:
  void OnFirstSight(const std::string&, double) override {}
  void OnLine(const std::string& path, const LogLine& line) override {
    lines[path].emplace_back(line.text);
  }
  void OnBytes(const std::string& path, uint64_t n) override { bytes[path] += n; }
  void OnRotation(const std::string& path) override { ++rotations[path]; }
  void OnTruncation(const std::string& path) override { ++truncations[path]; }
  void OnReadError(const std::string& path, const std::string& reason) override {
    errors[path].push_back(reason);
  }
  std::map<std::string, std::vector<std::string>> lines;
  std::map<std::string, uint64_t> bytes, rotations, truncations;
  std::map<std::string, std::vector<std::string>> errors;
};

void Append(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::app | std::ios::binary);
  out << text;
}

using Lines = std::vector<std::string>;

struct Fixture {
  testing::TempDir dir;
  std::string log = dir.Join("app.log");
  Recorder seen;

  void Run(LogFileSet& set, const std::vector<std::string>& paths, uint64_t budget = 1 << 20) {
    set.Run(
        paths, budget, [] { return false; }, seen);
  }
  // The paths that exist, as the glob would list them.
  std::vector<std::string> Existing(std::vector<std::string> candidates) {
    std::erase_if(candidates, [](const std::string& p) { return !fs::exists(p); });
    return candidates;
  }
};

}  // namespace

BOOST_FIXTURE_TEST_CASE(first_sight_starts_at_the_end_and_later_files_at_the_start, Fixture) {
  Append(log, "old 1\nold 2\n");
  LogFileSet set(1024, /*from_beginning=*/false);
  Run(set, {log});
  BOOST_TEST(seen.lines[log].empty());
  Append(log, "new 1\n");
  std::string later = dir.Write("later.log", "first\n");
  Run(set, {later, log});
  BOOST_TEST(seen.lines[log] == Lines{"new 1"}, boost::test_tools::per_element());
  BOOST_TEST(seen.lines[later] == Lines{"first"}, boost::test_tools::per_element());
  BOOST_TEST(seen.bytes[log] == 6u);
}

BOOST_FIXTURE_TEST_CASE(from_beginning_reads_existing_content, Fixture) {
  Append(log, "old 1\nold 2\n");
  LogFileSet set(1024, /*from_beginning=*/true);
  Run(set, {log});
  BOOST_TEST(seen.lines[log] == (Lines{"old 1", "old 2"}), boost::test_tools::per_element());
}

BOOST_FIXTURE_TEST_CASE(rename_and_create_finishes_the_old_file_then_reads_the_new, Fixture) {
  Append(log, "a\n");
  LogFileSet set(1024, true);
  Run(set, {log});
  // Written after the last run, then rotated: still counted, unterminated tail included.
  Append(log, "b\nc");
  fs::rename(log, dir.Join("app.log.1"));
  Append(log, "d\n");
  Run(set, {log});
  BOOST_TEST(seen.lines[log] == (Lines{"a", "b", "c", "d"}), boost::test_tools::per_element());
  BOOST_TEST(seen.rotations[log] == 1u);
  BOOST_TEST(seen.truncations[log] == 0u);
  BOOST_TEST(set.Paths() == Lines{log}, boost::test_tools::per_element());
}

BOOST_FIXTURE_TEST_CASE(a_rotated_file_matched_by_the_glob_is_followed_not_reread, Fixture) {
  std::string rotated = dir.Join("app.log.1");
  Append(log, "a\n");
  LogFileSet set(1024, true);
  Run(set, {log});
  Append(log, "b\n");
  fs::rename(log, rotated);
  Append(log, "c\n");
  Run(set, Existing({log, rotated}));
  BOOST_TEST(seen.lines[log] == (Lines{"a", "c"}), boost::test_tools::per_element());
  BOOST_TEST(seen.lines[rotated] == Lines{"b"}, boost::test_tools::per_element());
}

BOOST_FIXTURE_TEST_CASE(copytruncate_restarts_at_zero_and_counts_a_truncation, Fixture) {
  Append(log, "one\ntwo\n");
  LogFileSet set(1024, true);
  Run(set, {log});
  fs::resize_file(log, 0);
  Append(log, "x\n");
  Run(set, {log});
  BOOST_TEST(seen.lines[log] == (Lines{"one", "two", "x"}), boost::test_tools::per_element());
  BOOST_TEST(seen.truncations[log] == 1u);
}

BOOST_FIXTURE_TEST_CASE(a_truncated_file_that_grew_past_the_offset_is_noticed_by_its_start,
                        Fixture) {
  Append(log, "one\n");
  LogFileSet set(1024, true);
  Run(set, {log});
  fs::resize_file(log, 0);
  Append(log, "rewritten and longer\n");
  Run(set, {log});
  BOOST_TEST(seen.lines[log] == (Lines{"one", "rewritten and longer"}),
             boost::test_tools::per_element());
  BOOST_TEST(seen.truncations[log] == 1u);
}

BOOST_FIXTURE_TEST_CASE(a_deleted_file_is_finished_and_dropped, Fixture) {
  Append(log, "a\n");
  LogFileSet set(1024, true);
  Run(set, {log});
  Append(log, "b\n");
  fs::remove(log);
  Run(set, Existing({log}));
  BOOST_TEST(seen.lines[log] == (Lines{"a", "b"}), boost::test_tools::per_element());
  BOOST_TEST(set.Paths().empty());
  BOOST_TEST(seen.rotations[log] == 0u);
  // Created again: a new file, read from its start.
  Append(log, "c\n");
  Run(set, {log});
  BOOST_TEST(seen.lines[log].back() == "c");
}

BOOST_FIXTURE_TEST_CASE(the_budget_spreads_a_backlog_over_runs_and_files, Fixture) {
  std::string other = dir.Join("other.log");
  std::string big;
  for (int i = 0; i < 2000; ++i) big += "line " + std::to_string(i) + "\n";
  Append(log, big);
  Append(other, big);
  LogFileSet set(64, true);
  int runs = 0;
  while (seen.lines[log].size() < 2000 || seen.lines[other].size() < 2000) {
    Run(set, {log, other}, /*budget=*/4096);
    BOOST_REQUIRE(++runs < 100);
  }
  BOOST_TEST(runs > 5);
  BOOST_TEST(seen.lines[log].size() == 2000u);
  BOOST_TEST(seen.lines[other].size() == 2000u);
  BOOST_TEST(seen.lines[log].back() == "line 1999");
}

BOOST_FIXTURE_TEST_CASE(saved_positions_resume_the_same_file_and_reject_another, Fixture) {
  std::string second = dir.Join("second.log");
  Append(log, "a\nb\n");
  Append(second, "x\n");
  std::vector<LogFilePosition> saved;
  {
    LogFileSet set(1024, true);
    Run(set, {log, second});
    saved = set.Positions();
  }
  BOOST_REQUIRE(saved.size() == 2u);
  Append(log, "c\n");
  // second.log replaced by another file while "opswatch" was down.
  fs::remove(second);
  Append(second, "new\n");
  Recorder before = seen;
  seen = Recorder{};
  LogFileSet restarted(1024, /*from_beginning=*/false);
  restarted.Restore(saved);
  Run(restarted, {log, second});
  BOOST_TEST(seen.lines[log] == Lines{"c"}, boost::test_tools::per_element());
  BOOST_TEST(seen.lines[second] == Lines{"new"}, boost::test_tools::per_element());
  BOOST_TEST(seen.rotations[second] + seen.truncations[second] == 1u);
}

BOOST_FIXTURE_TEST_CASE(each_rotation_and_truncation_counts_once, Fixture) {
  LogFileSet set(1024, true);
  Append(log, "first file\n");
  Run(set, {log});
  for (int i = 0; i < 2; ++i) {
    fs::rename(log, dir.Join("app.log.1"));
    Append(log, "file " + std::to_string(i) + "\n");
    Run(set, {log});
    Run(set, {log});
  }
  BOOST_TEST(seen.rotations[log] == 2u);
  fs::resize_file(log, 0);
  Append(log, "after truncation\n");
  Run(set, {log});
  Run(set, {log});
  Append(log, "more\n");
  Run(set, {log});
  BOOST_TEST(seen.truncations[log] == 1u);
  BOOST_TEST(
      seen.lines[log] == (Lines{"first file", "file 0", "file 1", "after truncation", "more"}),
      boost::test_tools::per_element());
}

BOOST_FIXTURE_TEST_CASE(a_file_missing_from_one_listing_is_resumed_not_reread, Fixture) {
  LogFileSet set(1024, true);
  Append(log, "a\n");
  Run(set, {log});
  Run(set, {});  // e.g. its directory could not be listed this time
  Append(log, "b\n");
  Run(set, {log});
  BOOST_TEST(seen.lines[log] == (Lines{"a", "b"}), boost::test_tools::per_element());
  BOOST_TEST(seen.rotations[log] + seen.truncations[log] == 0u);
}
