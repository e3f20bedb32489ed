#include "tuner.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <optional>
#include <random>
#include <thread>

#include "cpu_caches.h"
#include "dispatch.h"
#include "kernel_call.h"
#include "early_stop.h"
#include "problem.h"
#include "reference.h"
#include "search_space.h"
#include "stridetune/error.h"
#include "stridetune/kernel_geometry.h"
#include "stridetune/schedule.h"

namespace stridetune::tune {
namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t) {
    return std::chrono::duration<double>(Clock::now() - t).count();
}

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v.empty() ? 0 : v.size() % 2 ? v[v.size() / 2] : (v[v.size() / 2 - 1] + v[v.size() / 2]) / 2;
}

// The problem's tensors, random, and the reference for its first image.
struct ProblemData {
    Halide::Buffer<float> input;   // the problem's; args.input is what the kernel reads
    Halide::Buffer<float> filter;  // (k, c, fx, fy); each kernel reads it packed
    JitArguments args;             // without the filter; the bias K long
    Halide::Buffer<float> output;
    stridetune_test::ReferenceOutput first_image;

    explicit ProblemData(const ConvDescriptor &d) {
        // What the library's kernel receives for the problem (its pixels
        // flattened or its taps gathered, kernel_geometry.h), so that the
        // code timed is the code the library runs. Dense, a flattened
        // tensor is the problem's own. Halide's dimension order, innermost
        // first: NHWC is (c, x, y, n).
        const ConvDescriptor k = kernel_problem(d);
        const ConvDescriptor &in = flattens_pixels(d) ? k : d;
        input = Halide::Buffer<float>(int(in.ic), int(in.iw), int(in.ih), int(in.mb));
        filter = Halide::Buffer<float>(int(d.oc), int(d.filter_dims()[2]), int(d.kw), int(d.kh));
        output = Halide::Buffer<float>(int(k.oc), int(k.ow), int(k.oh), int(k.mb));
        std::mt19937 rng(7);
        std::uniform_real_distribution<float> dist(-1.f, 1.f);
        input.for_each_value([&](float &v) { v = dist(rng); });
        filter.for_each_value([&](float &v) { v = dist(rng); });
        // The post-ops' tensors: random where the problem has them, else
        // zeros (their identity, as the library passes).
        const PostOps &post = d.post_ops;
        args.bias = Halide::Buffer<float>(int(d.oc));
        args.bias.fill(0.0f);
        if (post.bias) args.bias.for_each_value([&](float &v) { v = dist(rng); });
        args.residual = Halide::Buffer<float>(int(k.oc), int(k.ow), int(k.oh), int(k.mb));
        args.residual.fill(0.0f);
        if (post.sum) args.residual.for_each_value([&](float &v) { v = dist(rng); });
        const detail::KernelPostOps scalars = detail::kernel_post_ops(post);
        args.post_ops = scalars.enabled;
        args.sum_scale = scalars.sum_scale, args.relu_slope = scalars.relu_slope;
        args.clip_lower = scalars.clip_lower, args.clip_upper = scalars.clip_upper;
        args.input = input;
        if (gathered_axes(d)) {
            args.input = Halide::Buffer<float>(int(k.ic), int(k.iw), int(k.ih), int(k.mb));
            gather_taps(d, dense<const float>(input.data(), d.input_dims()), args.input.data());
        }
        const ConvParams g = kernel_geometry(d);
        args.stride_x = g.stride_w, args.stride_y = g.stride_h;
        args.dilation_x = g.dilation_w, args.dilation_y = g.dilation_h;
        args.pad_left = g.pad_left, args.pad_top = g.pad_top;
        args.out_width = int(k.ow);
        first_image = stridetune_test::reference_convolution(
            dense<const float>(input.data(), {1, d.ih, d.iw, d.ic}),
            dense<const float>(filter.data(), d.filter_dims()), d.params, d.groups);
        // The residual is dense: its first image is the problem's, flattened or not.
        const ConstTensor first_residual = dense<const float>(args.residual.data(), {1, d.oh, d.ow, d.oc});
        stridetune_test::apply_post_ops(post, args.bias.data(), &first_residual, first_image);
    }
};

// A sample times calls run back to back for at least this long, as Google
// Benchmark's repetitions do: a single call of a few microseconds times the
// host's jitter more than the kernel. Tuned with one call a sample (and
// without the control below), the picks of the tails and dilated sets (most
// of them calls of 1-30 us) ran at 0.83x and 0.81x the best built-in
// kernel (AMD Zen 5, 2 threads, tools/run-benchmarks.sh).
constexpr double sample_ms = 1.0;

struct Measured {
    Configuration configuration;
    JitKernel *kernel;
    JitArguments args;  // with the filter packed for the kernel
    int calls = 1;           // a sample's, from one call's time
    std::vector<double> ms;  // the current round's samples, milliseconds a call
    double median_ms() const { return median(ms); }
    // Milliseconds a sample takes.
    double sample_cost_ms() const { return calls * median_ms(); }
};

// The library's untuned pick for `problem` run on `threads` threads: the
// built-in kernel its heuristic (dispatch.h) chooses, judging the problem the
// kernel runs, as the library does. Assumed to fit the tensors; where it
// does not, its candidate fails, and no search stops early.
Configuration untuned_pick(const ConvDescriptor &problem, Isa isa, int threads) {
    const detail::Problem judged = detail::Problem::of(kernel_problem(problem));
    const detail::Choice choice = detail::choose_schedule(judged, isa, threads, [](Schedule) { return true; });
    return builtin_configuration(builtin_kernel(choice.schedule));
}

// One sample: milliseconds a call, over m.calls calls.
double time_sample(const Measured &m, ProblemData &data) {
    const auto start = Clock::now();
    for (int i = 0; i < m.calls; i++) m.kernel->run(m.args, data.output);
    return seconds_since(start) * 1e3 / m.calls;
}

}  // namespace

std::atomic<bool> Tuner::interrupted{false};

Tuner::Tuner(const TuneOptions &options, const Halide::Target &target)
    : options_(options), target_(target), packer_(target) {
}

Configuration jit_configuration(Configuration c, const ConvDescriptor &problem) {
    const int stride = specialized_stride(kernel_geometry(problem));
    if (stride != 0 && !c.parameters.has("autoscheduler")) c.parameters.set("only_stride", std::to_string(stride));
    return c;
}

JitKernel *Tuner::kernel(const Configuration &configuration, const ConvDescriptor &problem) {
    const Configuration c = jit_configuration(configuration, problem);
    const std::string key = c.to_string();
    // In parallel, the bands the library would run it in for this problem.
    const std::optional<OutputBands> bands =
        output_bands(c.parameters, options_.isa, kernel_problem(problem), detail::l2_cache_bytes());
    if (auto it = compiled_.find(key); it != compiled_.end()) {
        it->second->set_bands(bands);
        return it->second.get();
    }
    if (failed_.count(key)) return nullptr;
    compile_together({configuration}, problem);
    return kernel(configuration, problem);
}

void Tuner::compile_together(const std::vector<Configuration> &configurations, const ConvDescriptor &problem) {
    struct Compile {
        Configuration configuration;
        std::string key;
        std::unique_ptr<JitKernel> kernel;
        std::string error;
        double seconds = 0;
    };
    std::vector<Compile> compiles;
    for (const Configuration &c : configurations) {
        Compile compile{jit_configuration(c, problem), "", nullptr, "", 0};
        compile.key = compile.configuration.to_string();
        const bool known = compiled_.count(compile.key) || failed_.count(compile.key) ||
                           std::any_of(compiles.begin(), compiles.end(),
                                       [&](const Compile &other) { return other.key == compile.key; });
        if (!known && int(compiles.size()) < std::max(1, options_.threads)) compiles.push_back(std::move(compile));
    }
    // Halide compiles pipelines that share no IR on separate threads safely.
    const auto run = [this](Compile *compile) {
        const auto start = Clock::now();
        try {
            compile->kernel = std::make_unique<JitKernel>(compile->configuration, target_);
        } catch (const std::exception &e) {
            compile->error = e.what();
        }
        compile->seconds = seconds_since(start);
    };
    std::vector<std::thread> threads;
    for (size_t i = 1; i < compiles.size(); i++) threads.emplace_back(run, &compiles[i]);
    if (!compiles.empty()) run(&compiles[0]);
    for (std::thread &t : threads) t.join();
    for (Compile &compile : compiles) {
        if (compile.kernel) {
            compiled_[compile.key] = std::move(compile.kernel);
            compile_seconds_ += compile.seconds;
        } else {
            failed_[compile.key] = compile.error;
            std::fprintf(stderr, "  dropped %s: does not compile: %s\n", compile.key.c_str(), compile.error.c_str());
        }
    }
}

bool Tuner::is_compiled(const Configuration &c, const ConvDescriptor &problem) const {
    return compiled_.count(jit_configuration(c, problem).to_string()) > 0;
}

double Tuner::compile_seconds() const {
    return compiled_.empty() ? 0 : compile_seconds_ / double(compiled_.size());
}

std::vector<Configuration> Tuner::candidates_for(const ConvDescriptor &problem) const {
    std::vector<Configuration> candidates;
    if (options_.only.empty()) {
        candidates = candidate_configurations(kernel_problem(problem), options_.isa);
    } else {
        for (const std::string &text : options_.only) candidates.push_back(Configuration::parse(text));
    }
    if (!options_.autoschedulers) {
        candidates.erase(std::remove_if(candidates.begin(), candidates.end(),
                                        [](const Configuration &c) { return c.parameters.has("autoscheduler"); }),
                         candidates.end());
    }
    return candidates;
}

detail::TunedProblem Tuner::tune(const ConvDescriptor &problem, const Progress &progress) {
    const auto start = Clock::now();
    const double budget = options_.exhaustive ? 1e30 : options_.budget_seconds;
    const auto left = [&] { return budget - seconds_since(start); };
    ProblemData data(problem);
    std::vector<Configuration> candidates = candidates_for(problem);
    // The untuned pick goes first: the search may stop early (EarlyStop).
    const Configuration pick = untuned_pick(problem, options_.isa, options_.threads);
    if (auto it = std::find(candidates.begin(), candidates.end(), pick); it != candidates.end()) {
        std::rotate(candidates.begin(), it, it + 1);
    }
    const auto is_pick = [&](const Measured &m) { return m.configuration == pick; };
    EarlyStop early_stop;
    std::vector<Measured> alive;
    const auto best_so_far = [&]() -> std::string {
        const Measured *b = nullptr;
        for (const Measured &m : alive) {
            if (!b || m.median_ms() < b->median_ms()) b = &m;
        }
        char ms[32];
        std::snprintf(ms, sizeof ms, " %.3f ms", b ? b->median_ms() : 0.0);
        return b ? b->configuration.to_string() + ms : "none yet";
    };
    const auto report = [&](const char *phase, size_t tried) {
        std::fprintf(stderr, "[%d/%d] %s: %s, %zu of %zu candidates tried, best %s", progress.index, progress.count,
                     problem.name.empty() ? "problem" : problem.name.c_str(), phase, tried, candidates.size(),
                     best_so_far().c_str());
        if (!options_.exhaustive) std::fprintf(stderr, ", %.0f s left", std::max(0.0, left()));
        std::fprintf(stderr, "\n");
    };

    // Screening: a warm-up run checked against the reference, then three
    // timed runs, while the time refinement needs is left: five runs of
    // each survivor, eleven interleaved rounds of three finalists (at most
    // a third of the budget). Compiling dominates (seconds a candidate, once
    // per run of the tool), so after the general-purpose kernels, the
    // candidates of the fastest one's generator and lanes go first, the
    // tiles fewest items away from it leading: a local search around it
    // (order_around, search_space.h).
    // In the list's order, the early stop came before the neighbour that
    // beat the untuned pick by 4-12% on tools/check-tuner-search.sh's
    // small_pointwise (its in-place tile, output rows outermost): picks
    // 1.07-1.15x the exhaustive best in three runs (AMD Zen 5, 2 threads).
    const auto refinement_seconds = [&] {
        double best_ms = 1e30;
        for (const Measured &m : alive) best_ms = std::min(best_ms, m.median_ms());
        return std::min(budget / 3, (5.0 * double(alive.size()) + 33) * std::max(best_ms, sample_ms) / 1e3);
    };
    const std::vector<Configuration> builtin = builtin_configurations();
    const size_t general = std::count_if(candidates.begin(), candidates.end(), [&](const Configuration &c) {
        return std::find(builtin.begin(), builtin.end(), c) != builtin.end();
    });
    size_t tried = 0;
    for (size_t i = 0; i < candidates.size(); i++) {
        if (interrupted || (!alive.empty() && left() < refinement_seconds())) break;
        if (!options_.exhaustive && early_stop.reached()) {
            report(("stopped early: " + early_stop.reason()).c_str(), tried);
            break;
        }
        if (i == general && !alive.empty()) {
            const Measured &best = *std::min_element(alive.begin(), alive.end(), [](const Measured &a, const Measured &b) {
                return a.median_ms() < b.median_ms();
            });
            order_around(candidates.begin() + long(i), candidates.end(), best.configuration, options_.isa);
        }
        const Configuration &c = candidates[i];
        // A compile that would overrun the screening time is not started.
        if (!alive.empty() && !is_compiled(c, problem) && compile_seconds() > left() - refinement_seconds()) {
            continue;
        }
        tried++;
        // With the next candidates not compiled yet (the general-purpose
        // kernels apart from the rest, which are reordered after them).
        if (!is_compiled(c, problem)) {
            std::vector<Configuration> together{c};
            for (size_t j = i + 1; j < (i < general ? general : candidates.size()); j++) {
                if (!is_compiled(candidates[j], problem)) together.push_back(candidates[j]);
                if (int(together.size()) == options_.threads) break;
            }
            compile_together(together, problem);
        }
        JitKernel *k = kernel(c, problem);
        if (!k) continue;
        Measured m{c, k};
        try {
            m.args = k->with_packed_filter(data.args, data.filter, packer_);
            k->run(m.args, data.output);
        } catch (const std::exception &e) {
            std::fprintf(stderr, "  dropped %s: failed on %s: %s\n", c.to_string().c_str(), to_string(problem).c_str(),
                         e.what());
            continue;
        }
        const std::string mismatch = stridetune_test::first_mismatch(data.output.data(), data.first_image);
        if (!mismatch.empty()) {
            std::fprintf(stderr, "  dropped %s: wrong result on %s: %s\n", c.to_string().c_str(),
                         to_string(problem).c_str(), mismatch.c_str());
            continue;
        }
        m.calls = int(std::clamp(std::ceil(sample_ms / time_sample(m, data)), 1.0, 1e4));
        for (int r = 0; r < 3; r++) m.ms.push_back(time_sample(m, data));
        // A median of three samples moves with the host's noise: where a
        // candidate seems to beat the untuned pick beyond noise, the two are
        // timed again, interleaved, before the search believes it and goes
        // on. Unconfirmed, such a lead kept the search on to its budget
        // where the final then kept the pick: 3 of the 7 ResNet-50 layers
        // that did not stop early (AMD Zen 5, 2 threads).
        if (const auto control = std::find_if(alive.begin(), alive.end(), is_pick);
            control != alive.end() && !within_noise(control->median_ms(), m.median_ms())) {
            control->ms.clear();
            m.ms.clear();
            for (int r = 0; r < 5; r++) {
                control->ms.push_back(time_sample(*control, data));
                m.ms.push_back(time_sample(m, data));
            }
            early_stop.pick_remeasured(control->median_ms());
        }
        early_stop.measured(m.median_ms(), c == pick, i >= general);
        alive.push_back(m);
        if (tried % 4 == 0) report("screening", tried);
    }
    if (alive.empty()) throw Error("no candidate ran correctly on " + to_string(problem));

    // Screening medians rank the runners-up that refinement drops.
    const auto by_time = [](const Measured &a, const Measured &b) { return a.median_ms() < b.median_ms(); };
    std::sort(alive.begin(), alive.end(), by_time);
    std::vector<Measured> dropped;
    const size_t finalists = 3;
    // The library's untuned pick runs to the final whatever its screening
    // time, a control: a tuned entry replaces it only where another
    // candidate beats it there by more than noise. Without the control, a
    // shared machine's noise made winners of candidates that run no faster:
    // tuned picks ran at 0.95x the best built-in kernel on ResNet-50
    // (res5a_branch2b 0.77x), AMD Zen 5, 2 threads.
    const bool has_control = std::any_of(alive.begin(), alive.end(), is_pick);
    // Moves all but the `keep` fastest of alive (sorted) to dropped, but the control.
    const auto keep_fastest = [&](size_t keep) {
        for (size_t i = alive.size(); i-- > keep;) {
            if (is_pick(alive[i])) continue;
            dropped.push_back(std::move(alive[i]));
            alive.erase(alive.begin() + long(i));
        }
    };
    // Successive halving: the faster half gets five more samples, while the
    // time the next round needs is left (keeping a third of it for the final).
    while (alive.size() > finalists + has_control && !interrupted) {
        double round_ms = 0;
        for (const Measured &m : alive) round_ms += 5 * m.sample_cost_ms();
        if (round_ms / 1e3 > left() * 0.5) break;
        for (Measured &m : alive) {
            for (int i = 0; i < 5; i++) m.ms.push_back(time_sample(m, data));
        }
        std::sort(alive.begin(), alive.end(), by_time);
        keep_fastest(std::max(finalists, alive.size() / 2));
        report("halving", tried);
    }
    keep_fastest(finalists);
    // The finalists, interleaved: one sample each per round, fresh ones.
    for (Measured &m : alive) m.ms.clear();
    for (int round = 0; round < 11 && !interrupted; round++) {
        if (round >= 3 && left() <= 0) break;
        for (Measured &m : alive) m.ms.push_back(time_sample(m, data));
    }
    for (Measured &m : alive) {
        if (m.ms.empty()) m.ms.push_back(time_sample(m, data));
    }
    std::sort(alive.begin(), alive.end(), by_time);
    if (const auto control = std::find_if(alive.begin(), alive.end(), is_pick);
        control != alive.end() && within_noise(control->median_ms(), alive.front().median_ms())) {
        std::rotate(alive.begin(), control, control + 1);
    }
    std::sort(dropped.begin(), dropped.end(), by_time);
    alive.insert(alive.end(), dropped.begin(), dropped.end());

    // The grain: the winner on the calling thread alone, interleaved with it
    // on the workers. Splitting it saves its serial time's (T - 1) / T, and
    // costs the pool's handoffs and the output's moves between the cores,
    // a few microseconds (runtime/src/selection.cpp). Where the saving is
    // ten times that, the calling thread alone can measure faster only
    // while another tenant of a shared machine holds a core, which stalls
    // a parallel call and not a serial one: tuned so, ResNet-50's
    // res3a_branch1 ran serially at 0.88 ms against 0.50 on 2 threads.
    constexpr double saving_beyond_doubt_us = 50;
    std::optional<bool> parallel;
    if (options_.threads > 1 && !interrupted) {
        Measured &w = alive.front();
        std::vector<double> serial_ms, parallel_ms;
        for (int round = 0; round < 11 && !interrupted && (round < 3 || left() > 0); round++) {
            w.kernel->set_parallel(false);
            serial_ms.push_back(time_sample(w, data));
            w.kernel->set_parallel(true);
            parallel_ms.push_back(time_sample(w, data));
        }
        const double saving_us = median(serial_ms) * 1e3 * (options_.threads - 1) / options_.threads;
        parallel = saving_us > saving_beyond_doubt_us || median(parallel_ms) <= median(serial_ms);
        std::fprintf(stderr, "[%d/%d] grain: %.2f us on the calling thread, %.2f us on %d threads: %s\n",
                     progress.index, progress.count, median(serial_ms) * 1e3, median(parallel_ms) * 1e3,
                     options_.threads, *parallel ? "parallel" : "serial");
    }

    detail::TunedProblem result;
    result.name = problem.name;
    for (size_t i = 0; i < alive.size() && int(i) <= options_.runners_up; i++) {
        // Recorded as measured, compiled for this problem's stride alone, so
        // that the build makes the kernel that was timed: the stride branch
        // of a kernel compiled for every stride ran up to 1.9x slower than
        // the JIT's kernel of that stride alone on MobileNet's depthwise
        // layers (AMD Zen 5, 1 thread), and ResNet-50's res4a_branch2b
        // winner, a tile of 28 accumulators over the staged image, 1.86x
        // (3.53 ms against 1.90; AMD Zen 4, 1 thread).
        const Configuration measured = jit_configuration(alive[i].configuration, problem);
        detail::TunedConfiguration t{measured.generator, measured.parameters.to_string(), alive[i].median_ms(), {}};
        if (i == 0) {
            t.parallel = parallel;
            result.winner = t;
        } else {
            result.runners_up.push_back(t);
        }
    }
    report("done", tried);
    return result;
}

}  // namespace stridetune::tune
