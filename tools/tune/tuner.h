// The search for one problem, within a time budget: screen every candidate
// with a few runs (the library's untuned pick first; the search stops early
// where tuning would not beat it, early_stop.h), keep the faster half while
// time allows (successive halving), then re-measure the finalists
// interleaved so that the machine's drift hits them alike. Compiled
// candidates are kept across problems; candidates are compiled a few at a
// time, one a core, since compiling takes most of the budget.
#pragma once

#include <atomic>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "jit_kernel.h"
#include "stridetune/descriptor.h"
#include "tuning_file.h"

namespace stridetune::tune {

// What the tuner compiles of `c` for `problem`: a hand schedule only the
// branch the library's kernel runs for it (kernel_geometry.h, ConvGenerator's
// only_stride), in a third of the compile time; an autoscheduler plans the
// whole kernel, as it is built.
Configuration jit_configuration(Configuration c, const ConvDescriptor &problem);

struct TuneOptions {
    double budget_seconds = 40;
    Isa isa = Isa::sse41;
    bool autoschedulers = true;
    bool exhaustive = false;          // screen every candidate, whatever the budget
    std::vector<std::string> only;    // "generator key=value ...": search these alone
    int runners_up = 5;
    // Worker threads (HL_NUM_THREADS): above 1, the winner is also timed on
    // the calling thread alone, and the faster way recorded.
    int threads = 1;
};

// Where a problem stands in the whole run, for the progress line.
struct Progress {
    int index = 0, count = 0;
};

class Tuner {
public:
    Tuner(const TuneOptions &options, const Halide::Target &target);
    // Set from a signal handler: the current problem ends with what it has measured.
    static std::atomic<bool> interrupted;
    // Throws Error when no candidate compiled and gave a right result.
    detail::TunedProblem tune(const ConvDescriptor &problem, const Progress &progress);

private:
    // The search space for `problem`, or options_.only.
    std::vector<Configuration> candidates_for(const ConvDescriptor &problem) const;
    // The configuration compiled as jit_configuration() says, or null (and
    // the reason logged once) if it does not compile.
    JitKernel *kernel(const Configuration &c, const ConvDescriptor &problem);
    // Compiles those of `configurations` not compiled or failed yet side by
    // side, a thread each (at most options_.threads of them), so that
    // kernel() finds them. Nothing is timed meanwhile.
    void compile_together(const std::vector<Configuration> &configurations, const ConvDescriptor &problem);
    bool is_compiled(const Configuration &c, const ConvDescriptor &problem) const;
    // The mean time a compile has taken so far.
    double compile_seconds() const;

    TuneOptions options_;
    Halide::Target target_;
    FilterPacker packer_;  // once: every candidate reads the filter packed
    std::map<std::string, std::unique_ptr<JitKernel>> compiled_;
    std::map<std::string, std::string> failed_;
    double compile_seconds_ = 0;
};

}  // namespace stridetune::tune
