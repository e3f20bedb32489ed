#pragma once

#include <stdexcept>
#include <string>

namespace stridetune {

// Raised for a bad argument (the message names the field) or a kernel that
// failed. When it is raised, nothing has been written to the output.
class Error : public std::runtime_error {
public:
    explicit Error(const std::string &message) : std::runtime_error(std::string(prefix) + message) {}
    static constexpr const char *prefix = "stridetune: ";
};

// What the error says, without the prefix: for an Error that adds context to another.
inline std::string message_of(const Error &e) {
    const std::string what = e.what();
    return what.rfind(Error::prefix, 0) == 0 ? what.substr(std::char_traits<char>::length(Error::prefix)) : what;
}

}  // namespace stridetune
