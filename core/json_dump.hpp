// The one way opswatch serialises JSON: nlohmann's dump() throws type_error.316 on a string that is
// not valid UTF-8, and an exception on a rule or dispatcher thread ends the process. Text from
// config is validated at load and text from targets is sanitised where it enters (core/utf8.hpp);
// this is the defence in depth behind both: invalid bytes become U+FFFD instead of a throw.
// A template so core/ does not depend on nlohmann: works for json and ordered_json.
// Thread-safety: pure function.
#pragma once

#include <string>

namespace opswatch {

template <typename Json>
std::string DumpJson(const Json& json, int indent = -1) {
  return json.dump(indent, ' ', false, Json::error_handler_t::replace);
}

}  // namespace opswatch
