// A candidate kernel compiled with Halide's JIT from the same generator the
// ahead-of-time build runs (schedules/*.cpp are linked into the tuner), so
// what the tuner times is what the build would generate.
#pragma once

#include <memory>
#include <vector>
#include <string>

#include "Halide.h"
#include "jit_bindings.h"

namespace stridetune::tune {

// A generator and its parameters, as the tuning file and the build spell
// them: parameters "key=value" sorted by key, space-separated. The pseudo-
// parameter autoscheduler=Adams2019|Mullapudi2016 runs that autoscheduler.
struct Configuration {
    std::string generator, parameters;
    std::string to_string() const { return generator + (parameters.empty() ? "" : " " + parameters); }
    bool operator<(const Configuration &o) const { return to_string() < o.to_string(); }
};

// Canonical parameters from unordered "key=value" items.
std::string canonical_parameters(std::vector<std::string> items);
// "generator key=value ..." (any order) as a Configuration.
Configuration parse_configuration(const std::string &text);

class JitKernel {
public:
    // Throws (Halide::CompileError, stridetune::Error) when the
    // configuration does not compile.
    JitKernel(const Configuration &configuration, const Halide::Target &target);
    // Throws Halide::RuntimeError if the kernel fails.
    void run(const JitArguments &arguments, Halide::Buffer<float> &output);

private:
    Halide::Target target_;
    std::unique_ptr<Halide::Internal::GeneratorBase> generator_;
    JitBindings *bindings_ = nullptr;
    Halide::Pipeline pipeline_;
};

}  // namespace stridetune::tune
