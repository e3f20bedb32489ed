// stridetune-tune: finds, per problem, the fastest kernel configuration on
// this CPU and records it in a tuning file that the build
// (-DSTRIDETUNE_TUNING_FILE) and the runtime (STRIDETUNE_TUNING_FILE) read.
//
//   stridetune-tune [DESCRIPTOR...] [--shapes FILE...] [--mb N] [--budget S]
//                   [--threads N] [--isa ISA] [--output FILE] [--fresh]
//                   [--no-autoschedulers] [--exhaustive] [--candidates CONFIG...]
//                   [--shard I/N]
//   stridetune-tune merge IN.json IN.json... --output OUT.json
//
// The output file is rewritten (atomically) after every problem; a run that
// is interrupted (Ctrl-C ends the current problem with what it measured)
// or fails keeps the problems done, and the next run resumes after them.
#include <CLI/CLI.hpp>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <thread>

#include "halide_environment.h"
#include "stridetune/build_settings.h"
#include "stridetune/descriptor.h"
#include "stridetune/error.h"
#include "thread_pool.h"
#include "tuner.h"
#include "tuning_file.h"

namespace {

using namespace stridetune;
using detail::TuningFile;

Halide::Target target_for(Isa isa) {
    for (const build_settings::IsaTarget &t : build_settings::isa_targets) {
        if (t.isa == isa) return Halide::Target(t.target);
    }
    throw Error("no kernels are built for " + std::string(to_string(isa)));
}

bool same_origin(const TuningFile &a, const TuningFile &b) {
    return a.cpu == b.cpu && a.halide_version == b.halide_version && a.kernels == b.kernels;
}

// Shards tuned on machines of one kind: the same microarchitecture (their
// brand strings and steppings may differ, stridetune/isa.h), core count,
// Halide and kernels.
bool same_kind(const TuningFile &a, const TuningFile &b) {
    return (a.cpu == b.cpu || same_microarchitecture(a.cpu, b.cpu)) && a.cpu.cores == b.cpu.cores &&
           a.halide_version == b.halide_version && a.kernels == b.kernels;
}

// merge: the union of the problems; where two files have the same problem,
// the faster winner (ties: the later file). Files must come from machines of
// one kind (same_kind); the merged file keeps the first one's CPU.
int merge(const std::vector<std::string> &inputs, const std::string &output) {
    TuningFile merged = detail::read_tuning_file(inputs.at(0));
    for (size_t i = 1; i < inputs.size(); i++) {
        const TuningFile f = detail::read_tuning_file(inputs[i]);
        if (!same_kind(merged, f)) {
            throw Error(inputs[i] + " was tuned on " + to_string(f.cpu) + " with Halide " + f.halide_version +
                        " against kernels " + f.kernels + ", " + inputs[0] + " on " + to_string(merged.cpu) +
                        " with Halide " + merged.halide_version + " against kernels " + merged.kernels);
        }
        for (const auto &[key, p] : f.problems) {
            auto it = merged.problems.find(key);
            if (it == merged.problems.end() || p.winner.median_ms <= it->second.winner.median_ms) {
                merged.problems[key] = p;
            }
        }
    }
    detail::write_tuning_file(merged, output);
    std::fprintf(stderr, "merged %zu files: %zu problems in %s\n", inputs.size(), merged.problems.size(),
                 output.c_str());
    return 0;
}

void on_interrupt(int) {
    tune::Tuner::interrupted = true;
    std::signal(SIGINT, SIG_DFL);  // a second Ctrl-C ends the process at once
}

// "I/N", 1 <= I <= N: every N-th problem of the list, from the I-th.
struct Shard {
    int index = 1, count = 1;
};

Shard parse_shard(const std::string &text) {
    Shard s;
    char slash = 0, rest = 0;
    if (std::sscanf(text.c_str(), "%d%c%d%c", &s.index, &slash, &s.count, &rest) != 3 || slash != '/' ||
        s.count < 1 || s.index < 1 || s.index > s.count) {
        throw Error("--shard " + text + ": give I/N with 1 <= I <= N, e.g. 2/4");
    }
    return s;
}

int tune_problems(const std::vector<std::string> &descriptors, const std::vector<std::string> &shape_files, int mb,
                  tune::TuneOptions options, int threads, const std::string &output, bool fresh, Shard shard) {
    std::vector<ConvDescriptor> problems;
    for (const std::string &text : descriptors) problems.push_back(parse_descriptor(text));
    for (const std::string &file : shape_files) {
        for (const DescriptorLine &line : read_descriptor_file(file, /*skip_3d=*/true)) {
            problems.push_back(line.descriptor);
        }
    }
    if (problems.empty()) throw Error("no problems: give descriptors or --shapes FILE");
    int grouped = 0;
    std::vector<ConvDescriptor> todo;
    for (ConvDescriptor d : problems) {
        if (mb > 0) d.mb = mb;
        if (d.groups != 1) {
            grouped++;
            d = d.one_call();
        }
        todo.push_back(d);
    }
    if (grouped) {
        std::fprintf(stderr, "%d grouped problems: tuning what one kernel call runs of each (one group's problem, "
                             "or a depthwise problem whole)\n", grouped);
    }

    // Duplicates (the same layer listed twice) are tuned once; the shard is
    // taken of the list without them, so that N shards cover it whatever
    // each has already done.
    std::vector<ConvDescriptor> unique;
    for (const ConvDescriptor &d : todo) {
        if (std::none_of(unique.begin(), unique.end(),
                         [&](const ConvDescriptor &u) { return problem_key(u) == problem_key(d); })) {
            unique.push_back(d);
        }
    }
    std::vector<ConvDescriptor> sharded;
    for (size_t i = size_t(shard.index - 1); i < unique.size(); i += size_t(shard.count)) sharded.push_back(unique[i]);
    if (shard.count > 1) {
        std::fprintf(stderr, "shard %d/%d: %zu of %zu problems\n", shard.index, shard.count, sharded.size(),
                     unique.size());
    }

    TuningFile file{cpu_identity(), detail::halide_version(), {}, detail::kernels_fingerprint()};
    if (!fresh && std::filesystem::exists(output)) {
        const TuningFile existing = detail::read_tuning_file(output);
        if (!same_origin(existing, file)) {
            throw Error(output + " holds tuning for " + to_string(existing.cpu) + " with Halide " +
                        existing.halide_version + " against kernels " + existing.kernels +
                        "; give another --output, or --fresh to replace it");
        }
        file.problems = existing.problems;
    }
    std::vector<ConvDescriptor> remaining;
    for (const ConvDescriptor &d : sharded) {
        if (!file.problems.count(problem_key(d))) remaining.push_back(d);
    }
    std::fprintf(stderr, "tuning %zu problems (%zu already in %s) on %s, %d threads, %.0f s each at most\n",
                 remaining.size(), sharded.size() - remaining.size(), output.c_str(), to_string(file.cpu).c_str(),
                 threads, options.budget_seconds);
    std::signal(SIGINT, on_interrupt);
    tune::Tuner tuner(options, target_for(options.isa));
    for (size_t i = 0; i < remaining.size() && !tune::Tuner::interrupted; i++) {
        const ConvDescriptor &d = remaining[i];
        try {
            file.problems[problem_key(d)] = tuner.tune(d, {int(i + 1), int(remaining.size())});
        } catch (const Error &e) {
            std::fprintf(stderr, "skipping %s: %s\n", to_string(d).c_str(), e.what());
            continue;
        }
        detail::write_tuning_file(file, output);
    }
    if (tune::Tuner::interrupted) {
        std::fprintf(stderr, "interrupted: %s keeps %zu problems; run again to resume\n", output.c_str(),
                     file.problems.size());
        return 130;
    }
    std::fprintf(stderr, "wrote %s: %zu problems\n", output.c_str(), file.problems.size());
    return 0;
}

}  // namespace

int main(int argc, char **argv) {
    CLI::App app{"stridetune-tune: search kernel configurations per problem on this CPU"};
    std::vector<std::string> descriptors, shape_files;
    int mb = 0;
    tune::TuneOptions options;
    int threads = int(std::max(1u, std::thread::hardware_concurrency()));
    std::string isa_name(to_string(detected_isa()));
    std::string output = "stridetune-tuning.json";
    bool fresh = false, no_autoschedulers = false;
    app.add_option("descriptors", descriptors, "problems in benchdnn's syntax, e.g. mb1ic64ih56oc128kh3sh2ph1");
    app.add_option("--shapes", shape_files, "benchdnn shape files, one descriptor a line")->check(CLI::ExistingFile);
    app.add_option("--mb", mb, "minibatch for every problem (0: each descriptor's own)")->check(CLI::Range(0, 1 << 20));
    app.add_option("--budget", options.budget_seconds, "seconds per problem at most")
        ->check(CLI::Range(1.0, 3600.0))
        ->capture_default_str();
    app.add_option("--threads", threads, "worker threads, as the application will use")
        ->check(CLI::Range(1, 1024))
        ->capture_default_str();
    app.add_option("--isa", isa_name, "ISA level to tune for (sse41, avx2, avx512), at most the CPU's")
        ->capture_default_str();
    app.add_option("--output,-o", output, "the tuning file (resumed if it exists)")->capture_default_str();
    app.add_flag("--fresh", fresh, "start a new file instead of resuming");
    app.add_flag("--no-autoschedulers", no_autoschedulers, "hand schedules only");
    app.add_flag("--exhaustive", options.exhaustive, "screen every candidate, ignoring --budget until the final");
    app.add_option("--candidates", options.only,
                   "search only these configurations, each \"generator key=value ...\" (default: the whole space)");
    std::string shard_text = "1/1";
    app.add_option("--shard", shard_text,
                   "I/N: tune every N-th problem from the I-th (1 <= I <= N), one shard a machine; merge the files")
        ->capture_default_str();
    std::vector<std::string> merge_inputs;
    std::string merge_output;
    CLI::App *merge_cmd = app.add_subcommand(
        "merge", "merge tuning files of one kind of machine (microarchitecture, cores): the faster winner per problem");
    merge_cmd->add_option("inputs", merge_inputs, "tuning files")->required()->check(CLI::ExistingFile);
    merge_cmd->add_option("--output,-o", merge_output, "the merged file")->required();
    CLI11_PARSE(app, argc, argv);

    try {
        if (*merge_cmd) return merge(merge_inputs, merge_output);
        const Shard shard = parse_shard(shard_text);
        const auto isa = parse_isa(isa_name);
        if (!isa || *isa > detected_isa()) {
            throw Error("--isa " + isa_name + ": this CPU runs up to " + std::string(to_string(detected_isa())));
        }
        options.isa = *isa;
        options.threads = threads;
        options.autoschedulers = !no_autoschedulers;
        // Parallel loops run on the library's pool (jit_kernel.cpp).
        detail::set_pool_threads(threads);
        // Before the first pipeline is lowered, as the build's generators do.
        set_codegen_environment();
        set_autoscheduler_environment();
        if (options.autoschedulers) {
            Halide::load_plugin(build_settings::adams2019_plugin);
            Halide::load_plugin(build_settings::mullapudi2016_plugin);
        }
        return tune_problems(descriptors, shape_files, mb, options, threads, output, fresh, shard);
    } catch (const std::exception &e) {
        std::fprintf(stderr, "stridetune-tune: %s\n", e.what());
        return 1;
    }
}
