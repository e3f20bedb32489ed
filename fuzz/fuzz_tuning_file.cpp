// The tuning-file reader: the input is a file's text. Only stridetune::Error
// may leave it, and a file it accepts, written back, reads back the same.
#include <cstddef>
#include <cstdint>
#include <string>

#include "oracle.h"
#include "stridetune/error.h"
#include "tuning_file.h"

namespace stridetune_fuzz {
namespace {

using stridetune::detail::TunedConfiguration;
using stridetune::detail::TunedProblem;
using stridetune::detail::TuningFile;

// Times compare exactly: the writer prints enough digits to give the same double back.
bool same(const TunedConfiguration &a, const TunedConfiguration &b) {
    return a.generator == b.generator && a.parameters == b.parameters && a.median_ms == b.median_ms &&
           a.parallel == b.parallel;
}

bool same(const TunedProblem &a, const TunedProblem &b) {
    if (a.name != b.name || !same(a.winner, b.winner) || a.runners_up.size() != b.runners_up.size()) return false;
    for (size_t i = 0; i < a.runners_up.size(); i++) {
        if (!same(a.runners_up[i], b.runners_up[i])) return false;
    }
    return true;
}

// The first difference, or "".
std::string difference(const TuningFile &a, const TuningFile &b) {
    if (!(a.cpu == b.cpu)) return "cpu " + to_string(a.cpu) + " became " + to_string(b.cpu);
    if (a.halide_version != b.halide_version) return "halide " + a.halide_version + " became " + b.halide_version;
    if (a.kernels != b.kernels) return "kernels " + a.kernels + " became " + b.kernels;
    if (a.problems.size() != b.problems.size()) {
        return std::to_string(a.problems.size()) + " problems became " + std::to_string(b.problems.size());
    }
    for (const auto &[key, p] : a.problems) {
        const auto it = b.problems.find(key);
        if (it == b.problems.end()) return "problem " + key + " went missing";
        if (!same(p, it->second)) return "problem " + key + " changed";
    }
    return "";
}

void check(const std::string &text) {
    TuningFile file;
    try {
        file = stridetune::detail::parse_tuning_file(text, "input");
    } catch (const stridetune::Error &) {
        return;
    }
    const std::string written = stridetune::detail::format_tuning_file(file);
    TuningFile back;
    try {
        back = stridetune::detail::parse_tuning_file(written, "written");
    } catch (const stridetune::Error &e) {
        oracle_failure(std::string("the accepted file, written back, does not read: ") + e.what() + "\n" + written);
    }
    if (const std::string d = difference(file, back); !d.empty()) {
        oracle_failure("the accepted file, written back and read, differs: " + d + "\n" + written);
    }
}

}  // namespace
}  // namespace stridetune_fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    stridetune_fuzz::check(std::string(reinterpret_cast<const char *>(data), size));
    return 0;
}
