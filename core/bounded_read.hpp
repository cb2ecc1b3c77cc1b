// Reading a whole small file whose path comes from config or state (the config file, rule files,
// *_file secrets, alert state, outbox files) without trusting what the path names: the open never
// blocks (O_NONBLOCK, so a FIFO cannot hang start-up), anything but a regular file is refused with
// a message saying what it is, the size is checked before reading, and at most `max_bytes` + 1
// bytes are read, so a file that lies about its size (or grows while read) cannot exhaust memory.
// Thread-safety: thread-safe (no shared state).
#pragma once

#include <cstddef>
#include <string>

#include "core/status.hpp"

namespace opswatch {

// The limits, one per kind of file (README, "Reliability").
inline constexpr size_t kConfigFileLimit = size_t{16} << 20;  // opswatch.yml, rule files, TLS files
inline constexpr size_t kSecretFileLimit = size_t{64} << 10;  // *_file secrets, header files
inline constexpr size_t kStateFileLimit = size_t{64} << 20;   // alerts.json, outbox files

// The content of `path`, or why not, as a reason without the path (callers add it), e.g.
// "No such file or directory", "is a directory", "is not a regular file (FIFO)",
// "is larger than 64 KiB".
Result<std::string> ReadBoundedFile(const std::string& path, size_t max_bytes);

}  // namespace opswatch
