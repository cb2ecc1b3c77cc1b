// Replaces a file's content atomically: written to "<path>.tmp", then renamed over `path`, so a
// reader or a crash sees the old content or the new, never a torn file.
// Thread-safety: safe for distinct paths; one writer per path.
#pragma once

#include <string>
#include <string_view>

#include "core/status.hpp"

namespace opswatch {

enum class Durability {
  // fsync of the file before the rename and of the directory after: survives power loss.
  kDurable,
  // No fsync: survives the process crashing (the page cache keeps it), costs microseconds.
  kProcessCrash,
};

Status WriteFileAtomically(const std::string& path, std::string_view data, Durability durability);

}  // namespace opswatch
