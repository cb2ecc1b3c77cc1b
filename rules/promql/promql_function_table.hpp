// The functions the parser accepts: name, argument types, result type. Internal to the engine.
// Thread-safety: immutable tables.
#pragma once

#include <string_view>
#include <vector>

#include "rules/promql/promql_ast.hpp"

namespace opswatch::promql {

struct FunctionSpec {
  std::string_view name;
  Function function;
  std::vector<ValueType> args;
  ValueType result;
  // As Prometheus's Function.Variadic: the last argument may be left out (1) or repeated any
  // number of times (-1), so at least args.size() - 1 arguments are accepted, and at most
  // args.size() - 1 + variadic when variadic is positive.
  int variadic = 0;
};

// Null for a name Prometheus may know but this engine does not (the parser names it).
const FunctionSpec* FindFunction(std::string_view name);

}  // namespace opswatch::promql
