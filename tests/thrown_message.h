// What a call throws, for the tests of bad input.
#pragma once

#include <exception>
#include <functional>
#include <string>

#include "stridetune/error.h"

namespace stridetune_test {

// An Error's message (threw_error set), else a description of what happened instead.
inline std::string thrown_message(const std::function<void()> &call, bool &threw_error) {
    threw_error = false;
    try {
        call();
    } catch (const stridetune::Error &e) {
        threw_error = true;
        return e.what();
    } catch (const std::exception &e) {
        return std::string("a std::exception that is not stridetune::Error: ") + e.what();
    }
    return "nothing thrown";
}

}  // namespace stridetune_test
