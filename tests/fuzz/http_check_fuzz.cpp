// The http collector's check language and JSON paths: the input's first line is a check (and,
// parsed separately, an export path), the rest a response body evaluated as the collector does.
#include <nlohmann/json.hpp>

#include "collectors/check_expr.hpp"
#include "tests/fuzz/fuzz_support.hpp"

using opswatch::fuzz::Require;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input = opswatch::fuzz::AsText(data, size);
  const size_t newline = input.find('\n');
  const std::string_view check_text = input.substr(0, newline);
  const std::string_view body =
      newline == std::string_view::npos ? std::string_view() : input.substr(newline + 1);

  opswatch::CheckParseError error;
  auto check = opswatch::ParseCheck(check_text, &error);
  if (!check.ok()) Require(error.offset <= check_text.size(), "error offset past the text");
  auto path = opswatch::ParseJsonPath(check_text);

  nlohmann::json doc = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  const bool json_ok = !doc.is_discarded();
  if (path.ok() && json_ok) (void)opswatch::LookupJsonPath(doc, *path);
  if (!check.ok()) return 0;
  Require(check->text() == check_text, "the check keeps its text");
  opswatch::CheckInput in;
  in.status = 200;
  in.duration_seconds = 0.25;
  in.body = body;
  in.json = json_ok ? &doc : nullptr;
  (void)check->Evaluate(in);
  in.json = nullptr;
  in.status = 503;
  (void)check->Evaluate(in);
  return 0;
}
