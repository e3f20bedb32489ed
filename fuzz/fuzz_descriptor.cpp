// The text parsers: benchdnn descriptors and kernel Parameters. The first
// byte picks the parser (even: descriptor, odd: Parameters), the rest is the
// text. Only stridetune::Error may leave a parser; whatever one accepts
// survives its canonical form.
#include <cstddef>
#include <cstdint>
#include <sstream>
#include <string>
#include <string_view>

#include "oracle.h"
#include "stridetune/descriptor.h"
#include "stridetune/error.h"
#include "stridetune/parameters.h"

namespace stridetune_fuzz {
namespace {

using stridetune::ConvDescriptor;

std::string describe(const ConvDescriptor &d) {
    std::ostringstream s;
    s << d;
    return s.str();
}

// to_string refuses exactly the names benchdnn's syntax cannot hold.
bool writable(const std::string &name) {
    return name.find_first_of("\"\n\r") == std::string::npos;
}

// What a canonical form written for `d` parses back to; refusing it is a finding.
ConvDescriptor reparse(const std::string &canonical, const ConvDescriptor &d) {
    try {
        return stridetune::parse_descriptor(canonical);
    } catch (const stridetune::Error &e) {
        oracle_failure(canonical + ", written for " + describe(d) + ", does not parse: " + e.what());
    }
}

void check_descriptor(std::string_view text) {
    ConvDescriptor d;
    try {
        d = stridetune::parse_descriptor(text);
    } catch (const stridetune::Error &) {
        return;
    }
    ConvDescriptor anonymous = d;
    anonymous.name.clear();
    anonymous.occurrences = 1;
    const std::string key = stridetune::problem_key(d);
    if (const ConvDescriptor back = reparse(key, d); back != anonymous) {
        oracle_failure("problem_key " + key + " parses to " + describe(back) + ", not " + describe(anonymous));
    }
    std::string canonical;
    try {
        canonical = stridetune::to_string(d);
    } catch (const stridetune::Error &e) {
        if (writable(d.name)) oracle_failure("to_string(" + describe(d) + ") refused a writable name: " + e.what());
        return;
    }
    if (!writable(d.name)) oracle_failure("to_string wrote the unwritable name of " + describe(d) + ": " + canonical);
    if (const ConvDescriptor back = reparse(canonical, d); back != d) {
        oracle_failure("to_string " + canonical + " parses to " + describe(back) + ", not " + describe(d));
    }
}

void check_parameters(std::string_view text) {
    stridetune::Parameters p;
    try {
        p = stridetune::Parameters::parse(text);
    } catch (const stridetune::Error &) {
        return;
    }
    const std::string canonical = p.to_string();
    stridetune::Parameters back;
    try {
        back = stridetune::Parameters::parse(canonical);
    } catch (const stridetune::Error &e) {
        oracle_failure("canonical Parameters \"" + canonical + "\" do not parse: " + e.what());
    }
    if (back != p) oracle_failure("Parameters \"" + canonical + "\" parse to \"" + back.to_string() + "\"");
}

}  // namespace
}  // namespace stridetune_fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size == 0) return 0;
    const std::string_view text(reinterpret_cast<const char *>(data + 1), size - 1);
    if (data[0] % 2 == 0) {
        stridetune_fuzz::check_descriptor(text);
    } else {
        stridetune_fuzz::check_parameters(text);
    }
    return 0;
}
