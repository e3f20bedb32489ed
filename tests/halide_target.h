// What the Halide target of a kernel built for an ISA level must say. The
// target comes from the generated kernel's own metadata, not from the
// dispatcher's table, so it shows which object actually runs.
#pragma once

#include <string>

#include <gtest/gtest.h>

#include "schedule_isa.h"
#include "stridetune.h"

namespace stridetune_test {

// sse41: "sse41" and no AVX at all; avx2: "avx2" but not "avx512"; avx512: "avx512".
inline testing::AssertionResult target_is_for(const std::string &target, stridetune::Isa isa) {
    const auto has = [&](const char *feature) { return target.find(feature) != std::string::npos; };
    bool ok = false;
    switch (isa) {
    case stridetune::Isa::sse41: ok = has("sse41") && !has("avx"); break;
    case stridetune::Isa::avx2: ok = has("avx2") && !has("avx512"); break;
    case stridetune::Isa::avx512: ok = has("avx512"); break;
    }
    if (ok) return testing::AssertionSuccess();
    return testing::AssertionFailure() << "Halide target \"" << target << "\" is not a " << isa_name(isa) << " target";
}

// The generated function's name, by the library's convention: stridetune_<schedule>_<isa>.
inline std::string kernel_name(const ScheduleIsa &k) {
    return "stridetune_" + test_name(k);
}

}  // namespace stridetune_test
