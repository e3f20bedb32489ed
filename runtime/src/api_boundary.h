// What leaves the public API: Error, and no other exception.
#pragma once

#include <exception>
#include <string>

#include "stridetune/error.h"

namespace stridetune::detail {

// Runs `call`; an exception other than Error (a standard library's, say)
// becomes one, with its message.
template<typename Call>
auto only_errors(Call &&call) -> decltype(call()) {
    try {
        return call();
    } catch (const Error &) {
        throw;
    } catch (const std::exception &e) {
        throw Error(std::string("internal error: ") + e.what());
    }
}

}  // namespace stridetune::detail
