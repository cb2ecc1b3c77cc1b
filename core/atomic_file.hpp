// Replaces files' content atomically: each is written to "<name>.tmp", flushed, then renamed over
// its name, so a reader or a crash sees the old content or the new, never a torn file. The one
// implementation of temp+fsync+rename: state files, the outbox and its notification log use it.
// Thread-safety: safe for distinct paths; one writer per path.
#pragma once

#include <sys/types.h>

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/status.hpp"

namespace opswatch {

enum class Durability {
  // Flushed before the rename and the directory after: survives power loss.
  kDurable,
  // No fsync: survives the process crashing (the page cache keeps it), costs microseconds.
  kProcessCrash,
};

Status WriteFileAtomically(const std::string& path, std::string_view data, Durability durability,
                           mode_t mode = 0600);

// Several files of one directory as one batch: all are written first, flushed together (one
// syncfs instead of an fsync each), then renamed in order and the directory flushed once. On an
// error no temp file is left; files renamed before the error keep their new content.
using NamedContent = std::pair<std::string, std::string>;  // file name in `dir`, content
Status WriteFilesAtomically(const std::string& dir, const std::vector<NamedContent>& files,
                            Durability durability, mode_t mode = 0600);

}  // namespace opswatch
