// The log line reader on real files: partial last lines, CRLF, lines cut at max_line_bytes and
// skipped to their newline across calls, the read budget, and finishing a rotated file.
#define BOOST_TEST_MODULE log_line_reader
#include "collectors/log/log_line_reader.hpp"

#include <fcntl.h>

#include <boost/test/unit_test.hpp>
#include <fstream>
#include <string>
#include <vector>

#include "core/unique_fd.hpp"
#include "tests/support/temp_dir.hpp"

using namespace opswatch;

namespace {

struct Got {
  std::vector<std::string> lines;
  std::vector<bool> cut;
};

void Append(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::app | std::ios::binary);
  out << text;
}

LogReadResult Read(const std::string& path, LogCursor& cursor, Got& got, LogReadLimits limits) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  BOOST_REQUIRE(fd.get() >= 0);
  return ReadLogLines(fd.get(), cursor, limits, [&](const LogLine& line) {
    got.lines.emplace_back(line.text);
    got.cut.push_back(line.cut);
  });
}

LogReadLimits Limits(size_t max_line = 1024, uint64_t budget = 1 << 20, bool finished = false) {
  return LogReadLimits{max_line, budget, finished};
}

}  // namespace

BOOST_AUTO_TEST_CASE(an_unterminated_line_waits_for_its_newline) {
  testing::TempDir dir;
  std::string path = dir.Write("a.log", "one\ntwo\r\nthr");
  LogCursor cursor;
  Got got;
  LogReadResult r = Read(path, cursor, got, Limits());
  BOOST_TEST(got.lines == (std::vector<std::string>{"one", "two"}),
             boost::test_tools::per_element());
  BOOST_TEST(r.at_end);
  BOOST_TEST(cursor.offset == 9u);
  BOOST_TEST(r.consumed == 9u);

  Append(path, "ee\nfour\n");
  got = {};
  r = Read(path, cursor, got, Limits());
  BOOST_TEST(got.lines == (std::vector<std::string>{"three", "four"}),
             boost::test_tools::per_element());
  BOOST_TEST(cursor.offset == 20u);
}

BOOST_AUTO_TEST_CASE(a_finished_file_delivers_its_unterminated_last_line) {
  testing::TempDir dir;
  std::string path = dir.Write("a.log", "one\nlast");
  LogCursor cursor;
  Got got;
  Read(path, cursor, got, Limits(1024, 1 << 20, /*finished=*/true));
  BOOST_TEST(got.lines == (std::vector<std::string>{"one", "last"}),
             boost::test_tools::per_element());
  BOOST_TEST(cursor.offset == 8u);
}

BOOST_AUTO_TEST_CASE(a_long_line_is_cut_and_the_rest_skipped_without_buffering) {
  testing::TempDir dir;
  std::string path = dir.Write("a.log", "short\n" + std::string(100, 'x'));
  LogCursor cursor;
  Got got;
  Read(path, cursor, got, Limits(/*max_line=*/10));
  BOOST_REQUIRE(got.lines.size() == 2u);
  BOOST_TEST(got.lines[1] == std::string(10, 'x'));
  BOOST_TEST(got.cut[1]);
  // The cut line's rest is consumed even before its newline arrives.
  BOOST_TEST(cursor.skipping);
  BOOST_TEST(cursor.offset == 106u);

  Append(path, std::string(50, 'y') + "\nnext\n");
  got = {};
  Read(path, cursor, got, Limits(10));
  BOOST_TEST(got.lines == (std::vector<std::string>{"next"}), boost::test_tools::per_element());
  BOOST_TEST(!cursor.skipping);
  BOOST_TEST(cursor.offset == 162u);
}

BOOST_AUTO_TEST_CASE(a_line_of_exactly_max_line_bytes_is_not_cut) {
  testing::TempDir dir;
  std::string path = dir.Write("a.log", std::string(10, 'a') + "\n" + std::string(11, 'b') + "\n");
  LogCursor cursor;
  Got got;
  Read(path, cursor, got, Limits(10));
  BOOST_REQUIRE(got.lines.size() == 2u);
  BOOST_TEST(!got.cut[0]);
  BOOST_TEST(got.cut[1]);
  BOOST_TEST(got.lines[1] == std::string(10, 'b'));
  BOOST_TEST(cursor.offset == 23u);
  BOOST_TEST(!cursor.skipping);
}

BOOST_AUTO_TEST_CASE(the_budget_stops_reading_and_the_next_call_continues) {
  testing::TempDir dir;
  std::string content;
  for (int i = 0; i < 1000; ++i) content += "line " + std::to_string(i) + "\n";
  std::string path = dir.Write("a.log", content);
  LogCursor cursor;
  std::vector<std::string> all;
  int calls = 0;
  for (;;) {
    Got got;
    LogReadResult r = Read(path, cursor, got, Limits(64, /*budget=*/1000));
    BOOST_TEST(r.read <= 1000u);
    all.insert(all.end(), got.lines.begin(), got.lines.end());
    ++calls;
    if (r.at_end) break;
    BOOST_REQUIRE(calls < 100);
  }
  BOOST_TEST(calls > 5);
  BOOST_REQUIRE(all.size() == 1000u);
  for (int i = 0; i < 1000; ++i) BOOST_TEST(all[size_t(i)] == "line " + std::to_string(i));
  BOOST_TEST(cursor.offset == content.size());
}

BOOST_AUTO_TEST_CASE(empty_lines_are_lines) {
  testing::TempDir dir;
  std::string path = dir.Write("a.log", "\n\nx\n");
  LogCursor cursor;
  Got got;
  Read(path, cursor, got, Limits());
  BOOST_TEST(got.lines == (std::vector<std::string>{"", "", "x"}),
             boost::test_tools::per_element());
}
