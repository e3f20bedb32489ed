#include "selection.h"

#include <algorithm>

#include "cpu_caches.h"
#include "dispatch.h"
#include "tuning.h"
#include "stridetune/error.h"
#include "stridetune/kernel_geometry.h"
#include "thread_pool.h"

namespace stridetune::detail {
namespace {

// One core's throughput on the small problems whose grain is in doubt,
// about 12 GFLOP/s a float lane doing useful work: 1x1 and 3x3 layers of
// 13x13 pixels ran at 190-250 GFLOP/s on one core of AMD Zen 5 at AVX-512
// (16 lanes). A kernel fills the lanes along output channels or along
// pixels, whichever it was chosen for, so the better of the two counts:
// K = 20 computes 32 channels, and its layers ran at 190 GFLOP/s counting
// those 32, 120 counting the 20.
// A depthwise problem's reduction is its filter's taps alone, each FMA with
// a vector load of its own, the rows restaged for every tile of them:
// MobileNet's depthwise layers ran at 20-51 GFLOP/s on one core (1.3-3.2 a
// lane; direct_depthwise, AMD Zen 5), and those of 7x7 to 14x14 outputs
// ran 1.7-1.8x faster on 2 threads than on one, where 12 GFLOP/s a lane
// had them run on one.
double estimated_serial_seconds(const Problem &kernel_problem, Isa isa) {
    const LaneUse use = lane_use_of(kernel_problem, isa);
    const double lane_flops = kernel_problem.descriptor().depthwise() ? 2e9 : 12e9;
    return kernel_problem.flops() / (float_lanes(isa) * lane_flops * std::max(use.channels, use.pixels));
}

// Splitting work of serial time t over T threads saves t (T - 1) / T and
// costs the pool's handoff h (measured on this machine, thread_pool.h) and
// the cores' exchange of the tiles' data. Beyond half the serial time the
// parallel loop took 2.0-2.7 us at h = 1.5-1.8 us and 0.75 us at
// h = 0.3 us (stridetune_layers --grain on 3x3 layers of 13x13 pixels,
// AMD Zen 5, 2 threads): 1.25 handoffs and a fixed 0.4 us fit both.
// Counted on the kernel's problem (its taps gathered, its pixels
// flattened); a tuned entry's measured grain, or Options::parallel, wins.
constexpr double parallel_handoffs = 1.25, parallel_exchange_seconds = 0.4e-6;
// A kernel's own parallel loop hands its tasks to threads as they come
// free, so from one call to the next a tile of the output is written by
// another core, and an output that stays in the cores' private caches
// moves between them (a larger one goes to memory, on one thread as on
// two); a band of the output (OutputBands) stays with one thread. Beyond half the
// serial time, such loops took 3.3-6.6 us on 1x1 layers of 13x13 pixels
// and 64 channels (43 KB of output) and 1.8-2.0 us on 25-pixel layers of
// 153-207 channels (15-21 KB) (stridetune_layers --grain, AMD Zen 5, 2
// threads, handoff 0.3-1 us): about 10 GB/s of output moved. Measured
// again on larger outputs, the cost stops growing with the output (the
// loop's first, large claims go to the same threads call after call, so
// likely only its last, small ones change hands): 2.1-2.2 us on 1x1 layers
// of 64 channels over 13x13 and 20x20 pixels (43 and 102 KB of output),
// 2-5 us over 56x56 (800 KB), where 10 GB/s ran ResNet-50's res2a_branch2a
// on one thread at 1.9x its parallel time. Capped at 2 us, the rule's
// picks over 140 runs of layers (the tails, 1x1 and network sets) lost
// 0.1-1% (geomean) against the better of serial and parallel, 6% uncapped.
constexpr double moved_output_bytes_per_second = 10e9, moved_output_max_seconds = 2e-6;

bool runs_in_parallel(const Problem &kernel_problem, Isa isa, bool in_bands) {
    const PoolCost pool = pool_cost();
    if (pool.threads < 2) return false;
    const double saved = estimated_serial_seconds(kernel_problem, isa) * (pool.threads - 1) / pool.threads;
    const double output_bytes = double(kernel_problem.n * kernel_problem.oh * kernel_problem.ow * kernel_problem.k) *
                                double(sizeof(float));
    const bool moves = !in_bands && output_bytes <= double(l2_cache_bytes());
    const double moved_output_seconds =
        moves ? std::min(output_bytes / moved_output_bytes_per_second, moved_output_max_seconds) : 0.0;
    return saved > parallel_handoffs * pool.handoff_seconds + parallel_exchange_seconds + moved_output_seconds;
}

// Selects the kernel for `problem` run as `k` (kernel_geometry.h).
Selection select_for(const Problem &problem, const Options &options, const ConvDescriptor &k, bool flattened) {
    const Isa isa = std::min(options.max_isa.value_or(max_isa()), detected_isa());
    // The kernel's problem (its pixels flattened, its taps gathered), which
    // the grain and the list judge.
    const Problem judged = Problem::of(k);
    Selection s{k,       bool(gathered_axes(problem.descriptor())), flattened,
                kernel_geometry(k.params, k.oh, k.ow, k.kh, k.kw), nullptr, "", {},
                // Judged again once the kernel, and so whether it runs in bands, is known.
                options.parallel.value_or(runs_in_parallel(judged, isa, true)), !options.parallel, {}};
    // Takes `kernel` if it can run the problem; returns why not, or "".
    const auto take = [&](const Kernel &kernel, const std::string &reason) -> std::string {
        const KernelNeeds needs = kernel_needs(kernel, k, s.geometry);
        if (needs.refusal.empty()) {
            s.kernel = &kernel;
            s.reason = reason;
            s.filter_shape = needs.filter;
        }
        return needs.refusal;
    };
    const auto take_or_fail = [&](const Kernel &kernel, const std::string &reason) {
        if (const std::string refusal = take(kernel, reason); !refusal.empty()) {
            throw Error(kernel.function + " cannot run " + problem.key() + ": its schedule needs " + refusal);
        }
        return s;
    };
    if (options.variant) {
        if (options.variant->empty()) throw Error("options.variant is empty: name a kernel variant (see kernels())");
        const Kernel *kernel = find_variant(*options.variant, isa);
        if (!kernel) {
            throw Error("no kernel variant " + *options.variant + " is built for " + std::string(to_string(isa)) +
                        " or below");
        }
        return take_or_fail(*kernel, "requested");
    }
    if (options.schedule) return take_or_fail(best_kernel(*options.schedule, isa), "requested");
    // A tuned kernel may not fit the tensors (an autoscheduled winner
    // planned for another size): the next one ranked, or the heuristic.
    TunedLookup tuned = options.ignore_tuning ? TunedLookup{{}, "tuning ignored (Options::ignore_tuning)"}
                                              : tuned_kernels(problem.key(), isa);
    // A layer tuned bare runs its tuned kernel with post-ops too: they add
    // a few operations to each stored vector, the same for every kernel.
    if (tuned.ranked.empty() && problem.post_ops.any() && !options.ignore_tuning) {
        Problem bare = problem;
        bare.post_ops = {};
        tuned = tuned_kernels(bare.key(), isa);
        for (TunedCandidate &c : tuned.ranked) c.reason += "; tuned without its post-ops";
    }
    std::string refusals;
    for (const TunedCandidate &c : tuned.ranked) {
        if (take(*c.kernel, c.reason + refusals).empty()) {
            if (!options.parallel && c.parallel) {
                s.parallel = *c.parallel;
                s.grain_estimated = false;
            }
            return s;
        }
        // No details: the verbose line's fields are separated by commas.
        refusals += "; " + c.kernel->function + " refused the problem (its tiles need more than the tensors)";
    }
    // The first candidate whose kernel fits is taken as it is asked (one
    // bounds query each); the reason follows once the list has chosen.
    const int threads = s.parallel ? pool_cost().threads : 1;
    const Choice choice = choose_schedule(judged, isa, threads, [&](Schedule schedule) {
        return take(best_kernel(schedule, isa), "").empty();
    });
    const std::string reason =
        choice.reason + "; " + (tuned.ranked.empty() ? tuned.note : "no tuned kernel fits") + refusals;
    if (!s.kernel) return take_or_fail(best_kernel(choice.schedule, isa), reason);
    s.reason = reason;
    return s;
}

// Whether the kernel `options` names, if it names one, computes depthwise
// problems (computes_depthwise()).
std::optional<bool> named_kernel_is_depthwise(const Options &options) {
    std::optional<std::string> parameters;
    if (options.variant) {
        for (const Kernel *k : all_kernels()) {
            if (k->variant == *options.variant) parameters = k->parameters;
        }
    } else if (options.schedule) {
        parameters = builtin_kernel(*options.schedule).parameters;
    }
    if (!parameters) return std::nullopt;
    return computes_depthwise(Parameters::parse(*parameters));
}

Selection select_unbanded(const Problem &problem, const Options &options) {
    const ConvDescriptor d = problem.descriptor();
    const bool requested = options.variant || options.schedule;
    if (!flattens_pixels(d) || !requested) return select_for(problem, options, kernel_problem(d), flattens_pixels(d));
    // A kernel asked for by name may need the rows that flattening takes
    // away (a tile of two rows): it runs the problem as it is.
    try {
        return select_for(problem, options, kernel_problem(d), true);
    } catch (const Error &) {
        return select_for(problem, options, d, false);
    }
}

// The problem in one call, run in bands where its kernel's tiles ask.
Selection select_whole(const Problem &problem, const Options &options) {
    Selection s = select_unbanded(problem, options);
    s.bands = output_bands(Parameters::parse(s.kernel->parameters), s.kernel->isa, s.kernel_problem, l2_cache_bytes());
    if (s.grain_estimated && s.parallel && !s.bands) {
        s.parallel = runs_in_parallel(Problem::of(s.kernel_problem), s.kernel->isa, false);
    }
    return s;
}

}  // namespace

Selection select_kernel(const Problem &problem, const Options &options) {
    if (problem.groups == 1) return select_whole(problem, options);
    // A depthwise kernel runs a depthwise problem whole, in one call: the
    // dispatcher's choice for one, unless Options names another kernel.
    // Any other grouped problem runs a kernel a group, chosen for one
    // group's problem, and so does a depthwise problem of fewer channels
    // than a depthwise tile's block, which its kernel refuses.
    const std::optional<bool> named_depthwise = named_kernel_is_depthwise(options);
    if (!named_depthwise.value_or(problem.descriptor().one_call().groups != 1)) {
        return select_kernel(problem.one_group(), options);
    }
    if (named_depthwise) return select_whole(problem, options);
    try {
        return select_whole(problem, options);
    } catch (const Error &) {
        return select_kernel(problem.one_group(), options);
    }
}

Problem call_problem(const Selection &s, const Problem &problem) {
    return s.kernel_problem.groups == 1 ? problem.one_group() : problem;
}

Plan plan_of(const Selection &s, const Problem &problem) {
    const Kernel &k = *s.kernel;
    Plan plan{k.schedule, k.isa, k.variant, k.function, k.metadata()->target, k.parameters, s.reason, s.parallel};
    const Problem call = call_problem(s, problem);
    const std::string groups = std::to_string(problem.groups);
    if (call.groups != problem.groups) {
        plan.reason = "each of " + groups + " groups of " + std::to_string(call.c) + " input and " +
                      std::to_string(call.k) + " output channels: " + plan.reason;
    } else if (problem.groups != 1) {
        plan.reason = "all " + groups + " groups in one call: " + plan.reason;
    }
    return plan;
}

}  // namespace stridetune::detail
