// Fixture for the module dependency check: the engine does not include the rule manager.
#pragma once

#include "rules/promql/promql_ast.hpp"
#include "rules/rule_manager.hpp"
