// The alert template language: parse (load-time check) and expand with fixed data, twice (a
// parsed template is reused for every alert); an expansion never exceeds the output cap by more
// than its error text.
#include "rules/template/template.hpp"
#include "rules/template/template_parse.hpp"
#include "tests/fuzz/fuzz_support.hpp"

using opswatch::fuzz::Require;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(opswatch::fuzz::AsText(data, size));
  const opswatch::Labels labels{{"instance", "db1:5432"}, {"path", "/var/lib"}, {"job", "pg"}};
  const opswatch::Labels external{{"env", "staging"}};
  const opswatch::TemplateData values[] = {
      {labels, external, "http://opswatch:10490", 0.0523},
      {labels, external, "", -1e300},
      {external, labels, "x", 1.0 / 0.0},
  };
  const auto checked = opswatch::CheckTemplate("Fuzz", text);
  const opswatch::AlertTemplate parsed("Fuzz", text);
  // The error text quotes the failing command, which is at most the template itself.
  const size_t bound = opswatch::template_parse::kMaxTemplateOutput + 2 * text.size() + 4096;
  for (const auto& data_set : values) {
    std::string limit_error;
    const std::string out = parsed.Expand(data_set, &limit_error);
    Require(out.size() <= bound, "an expansion beyond the output cap");
    Require(out == parsed.Expand(data_set), "a second expansion differs from the first");
    if (!checked.ok()) {
      Require(out.rfind("<error expanding template: ", 0) == 0, "a parse error must render");
    }
  }
  return 0;
}
