// The cache sizes that dispatch rules weigh data against, read once.
#pragma once

#include <cstdint>

namespace stridetune::detail {

// Bytes of the L2 cache one core has, as the OS reports it; 256 KiB (the
// smallest of the x86-64 CPUs with AVX2) where it does not say.
int64_t l2_cache_bytes();

}  // namespace stridetune::detail
