#include "exporter/flags.hpp"

namespace opswatch {

std::string UsageText() {
  return R"(usage: opswatch [flags]

opswatch watches what runbooks check by hand (service health endpoints, backup freshness and
integrity, free disk space, PostgreSQL), publishes it on /metrics and fires Alertmanager-compatible
alerts from threshold rules.

Flags:
  --config.file=PATH          configuration file (default "opswatch.yml")
  --config.check              validate the configuration and rule files (and the web config when
                              --web.config.file is given), print problems as
                              file:line:col: message, and exit 0 (valid) or 1
  --web.listen-address=ADDR   address to serve HTTP on (default ":10490"); port 0 picks a free
                              port, which is logged
  --web.config.file=PATH      TLS, client certificates, basic auth and security headers
                              (exporter-toolkit's web-config format); re-read when it or the
                              files it names change
  --web.enable-lifecycle      allow POST /-/reload (otherwise 403; SIGHUP always reloads)
  --log.level=LEVEL           debug, info, warn or error (default "info")
  --log.format=FORMAT         logfmt or json (default "logfmt")
  --once                      run every collector once, evaluate rules once, print the exposition
                              to stdout and the alerts that would fire to stderr; exit 0, or 2 if
                              any alert fires
  --print-rules               print the effective rules (built-in and files) as one rule file
  --version                   print version information and exit
  --help                      print this help and exit

Signals: SIGHUP reloads the configuration (as does POST /-/reload with --web.enable-lifecycle);
SIGTERM and SIGINT stop.
)";
}

Result<Flags> ParseFlags(const std::vector<std::string>& args) {
  Flags flags;
  struct StringFlag {
    const char* name;
    std::string* target;
  };
  StringFlag string_flags[] = {{"--config.file", &flags.config_file},
                               {"--web.listen-address", &flags.listen_address},
                               {"--web.config.file", &flags.web_config_file},
                               {"--log.level", &flags.log_level},
                               {"--log.format", &flags.log_format}};
  struct BoolFlag {
    const char* name;
    bool* target;
  };
  BoolFlag bool_flags[] = {{"--config.check", &flags.config_check},
                           {"--web.enable-lifecycle", &flags.enable_lifecycle},
                           {"--once", &flags.once},
                           {"--print-rules", &flags.print_rules},
                           {"--version", &flags.version},
                           {"--help", &flags.help},
                           {"-h", &flags.help}};
  for (size_t i = 0; i < args.size(); ++i) {
    std::string arg = args[i];
    std::string name = arg;
    std::optional<std::string> value;
    if (auto eq = arg.find('='); eq != std::string::npos) {
      name = arg.substr(0, eq);
      value = arg.substr(eq + 1);
    }
    bool matched = false;
    for (const auto& f : string_flags) {
      if (name != f.name) continue;
      matched = true;
      if (!value) {
        if (i + 1 >= args.size()) return Result<Flags>::Error("flag " + name + " needs a value");
        value = args[++i];
      }
      *f.target = *value;
    }
    for (const auto& f : bool_flags) {
      if (name != f.name) continue;
      matched = true;
      if (!value || *value == "true") {
        *f.target = true;
      } else if (*value == "false") {
        *f.target = false;
      } else {
        return Result<Flags>::Error("flag " + name + " takes true or false, not \"" + *value +
                                    "\"");
      }
    }
    if (!matched) return Result<Flags>::Error("unknown flag \"" + name + "\"");
  }
  return flags;
}

}  // namespace opswatch
