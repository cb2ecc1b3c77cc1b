// Fixture for the module dependency check: collector types do not include each other.
#pragma once

#include "collectors/collector.hpp"
#include "collectors/http/http_config.hpp"
