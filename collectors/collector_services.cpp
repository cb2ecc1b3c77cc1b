#include "collectors/collector_services.hpp"

namespace opswatch {

CollectorServices::~CollectorServices() = default;

}  // namespace opswatch
