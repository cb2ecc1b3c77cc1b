// An alert as the rule engine produces it and the dispatcher delivers it (Prometheus's
// rules.Alert, reduced to what leaves the evaluator). Value type.
#pragma once

#include <map>
#include <string>

#include "core/clock.hpp"
#include "core/labels.hpp"

namespace opswatch {

enum class AlertState { kInactive, kPending, kFiring };

struct Alert {
  Labels labels;                                   // includes alertname and external labels
  std::map<std::string, std::string> annotations;  // templated
  AlertState state = AlertState::kInactive;
  double value = 0;
  SystemTime active_at{};    // when the expression first returned this series
  SystemTime fired_at{};     // when it became firing (zero while pending)
  SystemTime resolved_at{};  // zero while active
  SystemTime last_sent_at{};
  SystemTime valid_until{};  // endsAt for Alertmanager pushes
  std::string generator_url;

  bool resolved() const { return resolved_at != SystemTime{}; }
};

inline const char* AlertStateName(AlertState s) {
  switch (s) {
    case AlertState::kPending:
      return "pending";
    case AlertState::kFiring:
      return "firing";
    default:
      return "inactive";
  }
}

}  // namespace opswatch
