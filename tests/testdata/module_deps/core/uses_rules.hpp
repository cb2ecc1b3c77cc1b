// Fixture for the module dependency check: core may include nothing of ours but core.
#pragma once

#include "core/labels.hpp"
#include "rules/rule_file.hpp"
