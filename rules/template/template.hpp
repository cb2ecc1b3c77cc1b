// Alert label and annotation templates: the subset of Go's text/template that Prometheus alert
// rules use, with Prometheus's data ($value, $labels, $externalLabels, $externalURL, .Value,
// .Labels, .ExternalLabels, .ExternalURL) and functions (humanize, humanize1024,
// humanizeDuration, humanizePercentage, humanizeTimestamp, printf, print, toUpper, toLower,
// title, and Go's eq ne lt le gt ge not and or len index). Control structures: if / else if /
// else / end, comments, and the {{- -}} trim markers.
//
// As in Prometheus, a template that fails renders as "<error expanding template: ...>" instead of
// dropping the alert, and error texts follow Go's ("template: __alert_X:1: function "foo" not
// defined"). Functions that need a query engine (query, first, ...) are rejected at load time.
// Thread-safety: pure functions; safe from any thread.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/labels.hpp"
#include "core/status.hpp"

namespace opswatch {

struct TemplateData {
  const Labels& labels;           // the alert's series labels (without __name__)
  const Labels& external_labels;  // global.external_labels
  std::string_view external_url;  // alerting.external_url
  double value = 0;               // the sample value
};

namespace template_parse {
struct Node;
}

// A template parsed once, when its rule is loaded, and expanded for every alert of every
// evaluation (parsing per alert was most of a round's time with many active alerts). Text without
// "{{" is returned as is. Thread-safety: immutable; Expand is safe from any thread.
class AlertTemplate {
 public:
  AlertTemplate(std::string_view alert_name, std::string text);
  ~AlertTemplate();
  AlertTemplate(AlertTemplate&&) noexcept;
  AlertTemplate& operator=(AlertTemplate&&) noexcept;

  // The expansion ("__alert_<name>" is the template's name, as in Prometheus); a failure is
  // rendered in-line as "<error expanding template: ...>" with Prometheus's wording, as it does.
  // When it failed on opswatch's output cap (64 KiB, a limit Prometheus does not have),
  // `limit_error` (when not null) also receives the error, for the rule's health.
  std::string Expand(const TemplateData& data, std::string* limit_error = nullptr) const;

 private:
  std::string name_;  // "__alert_<name>"
  std::string text_;
  bool literal_ = false;
  std::string parse_error_;  // non-empty: every expansion fails with it
  std::unique_ptr<std::vector<template_parse::Node>> parsed_;
};

// Parses `text` without running it, for load-time validation of rule files.
Status CheckTemplate(std::string_view alert_name, std::string_view text);

// Go's fmt %v of a float64 (strconv 'g' shortest: 0.05, 1e+06, 123456).
std::string FormatGoFloat(double v);

}  // namespace opswatch
