// The tuning file: what stridetune-tune found, per CPU and Halide version,
// read by the build (stridetune_tuned_kernels() in
// cmake/StridetuneKernels.cmake), the runtime
// (STRIDETUNE_TUNING_FILE) and the tuner itself (resume, merge).
//
// {
//   "stridetune_tuning": 1,
//   "cpu": {"vendor": "AuthenticAMD", "model": "...", "isa": "avx512", "cores": 2,
//           "family": 26, "model_number": 2, "stepping": 0},
//   "halide": "14.0.0",
//   "kernels": "0123456789abcdef",
//   "problems": {
//     "<canonical descriptor>": {
//       "name": "resnet_50:res2a_branch2a",
//       "winner": {"generator": "direct", "parameters": "lanes=pixels", "median_ms": 4.2,
//                  "parallel": true},
//       "runners_up": [ ...same, fastest first... ]
//     }
//   }
// }
//
// Problems are keyed by stridetune::problem_key(); parameters are in the
// canonical form of stridetune::Parameters, which the kernel registrations
// use. "parallel" (the winner's, optional): whether it ran faster on the
// worker threads than on the calling thread alone, as the tuner measured. Files with a "threads" field (written before it was dropped: nothing
// read it) are read as before.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "stridetune/isa.h"

namespace stridetune::detail {

struct TunedConfiguration {
    std::string generator, parameters;
    double median_ms = 0;
    std::optional<bool> parallel;  // measured; none: not measured
};

struct TunedProblem {
    std::string name;
    TunedConfiguration winner;
    std::vector<TunedConfiguration> runners_up;
};

struct TuningFile {
    CpuIdentity cpu;
    std::string halide_version;
    std::map<std::string, TunedProblem> problems;
    // The fingerprint of the kernels it was tuned against
    // (kernels_fingerprint()); empty: not recorded (an older file).
    std::string kernels;
};

// Throws Error naming the file and what is wrong with it.
TuningFile read_tuning_file(const std::string &path);
// A file's text; `origin` names it in the messages ("tuning file <origin>: ...").
TuningFile parse_tuning_file(const std::string &text, const std::string &origin);

// Writes to a temporary file beside `path`, then renames it over `path`:
// an interrupted write leaves the old file whole.
void write_tuning_file(const TuningFile &file, const std::string &path);
// The text write_tuning_file writes.
std::string format_tuning_file(const TuningFile &file);

// The Halide version the library was built with, e.g. "14.0.0".
std::string halide_version();
// What this build's kernels are made from (cmake/kernels.cmake): a tuning
// file tuned against other kernels does not apply.
std::string kernels_fingerprint();

}  // namespace stridetune::detail
