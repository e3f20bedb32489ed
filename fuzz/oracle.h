// What the fuzzers share: a broken oracle aborts, so that libFuzzer keeps the
// input as a crash-* file, after saying which property failed and for what.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <string>

namespace stridetune_fuzz {

[[noreturn]] inline void oracle_failure(const std::string &what) {
    std::fprintf(stderr, "oracle failure: %s\n", what.c_str());
    std::abort();
}

}  // namespace stridetune_fuzz
