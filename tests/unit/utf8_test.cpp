#define BOOST_TEST_MODULE utf8
#include "core/utf8.hpp"

#include <boost/test/unit_test.hpp>
#include <string>
#include <vector>

namespace opswatch {
namespace {

BOOST_AUTO_TEST_CASE(valid_text_passes_unchanged) {
  for (const std::string& text : std::vector<std::string>{
           "", "plain ascii", "caf\xC3\xA9", "\xE2\x82\xAC 5", "\xF0\x9F\x94\xA5",
           "\xF4\x8F\xBF\xBF", std::string("nul\0inside", 10)}) {
    BOOST_TEST(IsValidUtf8(text), text);
    BOOST_TEST(SanitizeUtf8(text) == text);
    BOOST_TEST(EscapeInvalidUtf8(text) == text);
  }
}

BOOST_AUTO_TEST_CASE(invalid_sequences_are_found_at_their_first_byte) {
  struct Case {
    std::string text;
    size_t offset;
  };
  for (const Case& c :
       std::initializer_list<Case>{{"caf\xE9", 3},              // Latin-1
                                   {"ab\xC3", 2},               // truncated
                                   {"\xC0\x80", 0},             // overlong NUL
                                   {"x\xE0\x80\xAF", 1},        // overlong '/'
                                   {"\xED\xA0\x80", 0},         // UTF-16 surrogate
                                   {"ok \xF4\x90\x80\x80", 3},  // above U+10FFFF
                                   {"\xF5\x80\x80\x80", 0},     // never a lead byte
                                   {"\x80", 0},                 // lone continuation
                                   {"\xC3\xA9\xC3\x28", 2}}) {  // continuation missing
    BOOST_TEST(FindInvalidUtf8(c.text) == c.offset, EscapeInvalidUtf8(c.text));
  }
}

BOOST_AUTO_TEST_CASE(sanitise_replaces_each_bad_byte_and_escape_names_it) {
  BOOST_TEST(SanitizeUtf8("caf\xE9 ok") == "caf\xEF\xBF\xBD ok");
  BOOST_TEST(SanitizeUtf8("\xC0\x80") == "\xEF\xBF\xBD\xEF\xBF\xBD");
  BOOST_TEST(IsValidUtf8(SanitizeUtf8("\xFF\xFE\xED\xA0\x80x")));
  BOOST_TEST(EscapeInvalidUtf8("caf\xE9 \xC3\xA9") == "caf\\xE9 \xC3\xA9");
  BOOST_TEST(EscapeInvalidUtf8("\xC3") == "\\xC3");
}

}  // namespace
}  // namespace opswatch
