#pragma once

namespace stridetune::detail {

// STRIDETUNE_VERBOSE or set_verbose().
bool verbose();

}  // namespace stridetune::detail
