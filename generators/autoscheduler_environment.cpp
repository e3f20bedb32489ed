#include "autoscheduler_environment.h"

#include <cstdlib>

#include "stridetune/build_settings.h"

namespace stridetune {

void set_autoscheduler_environment() {
    setenv("HL_BEAM_SIZE", build_settings::adams2019_beam_size, /*overwrite=*/0);
    setenv("HL_PERMIT_FAILED_UNROLL", "1", /*overwrite=*/1);
}

}  // namespace stridetune
