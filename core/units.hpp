// Prometheus-style durations ("500ms", "1h30m", "7d") and byte sizes ("1024", "10KiB", "1GB").
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/status.hpp"

namespace opswatch {

using Millis = std::chrono::milliseconds;

// Units y w d h m s ms, combined largest first, as Prometheus's model.ParseDuration. "0" is
// allowed. The one duration parser: config values and PromQL range literals both use it.
Result<Millis> ParseDuration(std::string_view text);
// Prometheus's model.Duration spelling: largest units first, years and weeks only when exact
// (90000ms -> "1m30s", 14d -> "2w", 9d -> "9d", 0 -> "0s").
std::string FormatDuration(Millis d);

// A plain byte count or a number with B, KB, MB, GB, TB (powers of 1000) or KiB, MiB, GiB, TiB
// (powers of 1024); fractions allowed ("1.5GiB").
Result<uint64_t> ParseSize(std::string_view text);
// The largest binary unit that divides `bytes` exactly, e.g. 16777216 -> "16 MiB", 1000 -> "1000
// bytes"; for limits in messages.
std::string FormatSize(uint64_t bytes);

}  // namespace opswatch
