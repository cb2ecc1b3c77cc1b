// Reads a list of Prometheus relabel_config entries (source_labels, separator, regex, modulus,
// target_label, replacement, action) from a collector's config: scrape's metric_relabel_configs
// now, remote_write's write_relabel_configs later. Unknown keys and every check of
// CompileRelabelRule are errors at the offending key's file:line:col. `$` is also the config's
// environment syntax: ${NAME} is an environment variable, so a group is written $1 or $${1}.
// Thread-safety: not thread-safe (config loading is single-threaded).
#pragma once

#include <string>
#include <vector>

#include "collectors/relabel.hpp"
#include "core/config_reader.hpp"

namespace opswatch {

// Reads `key` of `reader` (absent or null: no rules) into `out`; false on any problem.
bool ReadRelabelConfigs(MapReader& reader, const std::string& key, std::vector<RelabelRule>& out);

}  // namespace opswatch
