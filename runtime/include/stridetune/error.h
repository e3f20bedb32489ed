#pragma once

#include <stdexcept>
#include <string>

namespace stridetune {

// Raised for a bad argument (the message names the field) or a kernel that
// failed. When it is raised, nothing has been written to the output.
class Error : public std::runtime_error {
public:
    explicit Error(const std::string &message) : std::runtime_error("stridetune: " + message) {}
};

}  // namespace stridetune
