// Timestamps as text: RFC 3339 in UTC with milliseconds ("2026-11-22T03:19:20.357Z"), for logs,
// /health and the status page.
#pragma once

#include <string>

#include "core/clock.hpp"

namespace opswatch {

std::string FormatRfc3339Millis(SystemTime t);

}  // namespace opswatch
