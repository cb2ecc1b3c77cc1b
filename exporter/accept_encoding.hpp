// Content negotiation for /metrics: does the client's Accept-Encoding allow gzip?
// Thread-safety: pure function.
#pragma once

#include <string_view>

namespace opswatch {

// RFC 9110 12.5.3: a comma-separated list of codings, each with an optional ";q=" weight. gzip is
// acceptable when its weight (or, if gzip is not listed, the weight of "*") is above zero; names
// are case-insensitive and "x-gzip" is gzip. A malformed weight makes its entry unacceptable.
bool AcceptsGzip(std::string_view accept_encoding);

}  // namespace opswatch
