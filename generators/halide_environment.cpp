#include "halide_environment.h"

#include <cstdlib>
#include <string>

#include "stridetune/build_settings.h"

namespace stridetune {

void set_autoscheduler_environment() {
    setenv("HL_BEAM_SIZE", build_settings::adams2019_beam_size, /*overwrite=*/0);
    setenv("HL_PERMIT_FAILED_UNROLL", "1", /*overwrite=*/1);
}

void set_codegen_environment() {
    constexpr const char *coalescing = "-join-globalcopies=false";
    const char *given = std::getenv("HL_LLVM_ARGS");
    std::string args = given ? given : "";
    if (args.find(coalescing) == std::string::npos) {
        setenv("HL_LLVM_ARGS", (args.empty() ? args : args + " ").append(coalescing).c_str(), /*overwrite=*/1);
    }
}

}  // namespace stridetune
