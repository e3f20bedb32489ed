// Tuned selection: a problem with a tuned entry for this CPU runs its tuned
// kernel; entries for another CPU or Halide version, or a file that cannot
// be used, fall back to the heuristic with one warning, never an error.
// Each test runs in its own process (ctest), so registrations and
// STRIDETUNE_TUNING_FILE do not leak between them.
#include <cstdlib>
#include <deque>
#include <filesystem>
#include <fstream>
#include <string>

#include <unistd.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "compare.h"
#include "problem_data.h"
#include "stridetune.h"
#include "stridetune/descriptor.h"
#include "stridetune/registry.h"
#include "tuning_file.h"

namespace stridetune_test {
namespace {

using stridetune::detail::TuningFile;
using testing::HasSubstr;
using testing::StartsWith;

// small_problem_data()'s problem as the tuning file keys it.
std::string small_problem_key() {
    return stridetune::to_string(small_problem_data().problem.descriptor());
}

stridetune::Plan plan_small(const stridetune::Options &options = {}) {
    const ProblemData &d = small_problem_data();
    TestBuffer output = d.fresh_output();
    return stridetune::plan(d.input.cview(), d.filter.cview(), output.view, d.problem.params, options);
}

// A general-purpose kernel the heuristic does not pick for the small
// problem, so that a tuned entry naming it shows.
std::string other_than_heuristic() {
    return plan_small().variant == "gemm_whole" ? "gemm_tile" : "gemm_whole";
}

std::string this_halide() {
    return stridetune::detail::halide_version();
}

void register_tuned(const std::string &problem, const std::string &variant, const stridetune::CpuIdentity &cpu,
                    const std::string &halide) {
    // The registry keeps the pointers: storage for the process's life, as
    // generated code's static data is, one a registration. Registrations
    // add up over a process: ctest runs each test in a process of its own.
    struct Storage {
        std::string problem, variant, vendor, model, isa, halide;
        stridetune::TunedRegistration tuned;
        stridetune::TuningOrigin origin;
    };
    static std::deque<Storage> registrations;
    Storage &s = registrations.emplace_back();
    s.problem = problem, s.variant = variant, s.vendor = cpu.vendor, s.model = cpu.model;
    s.isa = std::string(stridetune::to_string(cpu.isa)), s.halide = halide;
    s.tuned = {s.problem.c_str(), s.variant.c_str()};
    s.origin = {s.vendor.c_str(), s.model.c_str(), s.isa.c_str(), cpu.cores,
                s.halide.c_str(), cpu.family, cpu.model_number, cpu.stepping};
    stridetune::register_kernels(nullptr, 0, &s.tuned, 1, &s.origin);
}

TEST(TunedSelection, TunedEntryForThisCpuWins) {
    const std::string tuned = other_than_heuristic();
    register_tuned(small_problem_key(), tuned, stridetune::cpu_identity(), this_halide());
    const stridetune::Plan plan = plan_small();
    EXPECT_EQ(plan.variant, tuned);
    EXPECT_THAT(plan.reason, StartsWith("tuned"));
    // The tuned kernel computes the right thing.
    const ProblemData &d = small_problem_data();
    TestBuffer output = d.fresh_output();
    stridetune::convolve(d.input.cview(), d.filter.cview(), output.view, d.problem.params);
    EXPECT_TRUE(matches_reference(output.cview(), d.reference));
}

TEST(TunedSelection, OtherProblemsUseTheHeuristic) {
    const std::string heuristic = plan_small().variant;
    register_tuned("mb1ic1ih1iw1oc1oh1ow1kh1kw1sh1sw1ph0pw0dh0dw0", other_than_heuristic(), stridetune::cpu_identity(),
                   this_halide());
    const stridetune::Plan plan = plan_small();
    EXPECT_EQ(plan.variant, heuristic);
    EXPECT_THAT(plan.reason, StartsWith("heuristic"));
}

// Fake identities: this CPU's, changed.
stridetune::CpuIdentity another_microarchitecture() {
    stridetune::CpuIdentity other = stridetune::cpu_identity();
    other.model += " (another one)";
    other.model_number += 1;
    return other;
}

stridetune::CpuIdentity same_microarchitecture_other_brand() {
    stridetune::CpuIdentity other = stridetune::cpu_identity();
    other.model = "Another Cloud's Virtual CPU";
    other.stepping += 1;
    return other;
}

TEST(TunedSelection, EntriesForAnotherCpuAreIgnored) {
    const std::string heuristic = plan_small().variant;
    register_tuned(small_problem_key(), other_than_heuristic(), another_microarchitecture(), this_halide());
    const stridetune::Plan plan = plan_small();
    EXPECT_EQ(plan.variant, heuristic);
    EXPECT_THAT(plan.reason, HasSubstr("no tuning for this CPU"));
}

// A brand string is what the CPU calls itself; cpuid's family and model say
// what it is.
TEST(TunedSelection, EntriesForTheSameMicroarchitectureApplySayingSo) {
    const std::string tuned = other_than_heuristic();
    stridetune::CpuIdentity other = same_microarchitecture_other_brand();
    other.cores += 1;
    register_tuned(small_problem_key(), tuned, other, this_halide());
    const stridetune::Plan plan = plan_small();
    EXPECT_EQ(plan.variant, tuned);
    EXPECT_THAT(plan.reason, StartsWith("tuned (compiled-in tuning; tuned on Another Cloud's Virtual CPU"));
    EXPECT_THAT(plan.reason, HasSubstr("the same microarchitecture"));
}

// Tuning files written before cpuid's signature was recorded apply by the
// brand string, as they did.
stridetune::CpuIdentity unsigned_identity() {
    stridetune::CpuIdentity cpu = stridetune::cpu_identity();
    cpu.family = cpu.model_number = cpu.stepping = 0;
    return cpu;
}

TEST(TunedSelection, EntriesWithoutASignatureApplyByTheBrandString) {
    const std::string tuned = other_than_heuristic();
    register_tuned(small_problem_key(), tuned, unsigned_identity(), this_halide());
    EXPECT_EQ(plan_small().variant, tuned);
    EXPECT_EQ(plan_small().reason, "tuned (compiled-in tuning)");
}

TEST(TunedSelection, EntriesWithoutASignatureForAnotherBrandAreIgnored) {
    stridetune::CpuIdentity other = unsigned_identity();
    other.model += " (another one)";
    register_tuned(small_problem_key(), other_than_heuristic(), other, this_halide());
    EXPECT_THAT(plan_small().reason, HasSubstr("no tuning for this CPU"));
}

TEST(TunedSelection, EntriesForAnotherHalideAreIgnored) {
    const std::string heuristic = plan_small().variant;
    register_tuned(small_problem_key(), other_than_heuristic(), stridetune::cpu_identity(), "13.0.0");
    const stridetune::Plan plan = plan_small();
    EXPECT_EQ(plan.variant, heuristic);
    EXPECT_THAT(plan.reason, HasSubstr("Halide 13.0.0"));
}

TEST(TunedSelection, ExplicitOptionsWinOverTuning) {
    register_tuned(small_problem_key(), "gemm_whole", stridetune::cpu_identity(), this_halide());
    stridetune::Options options;
    options.schedule = stridetune::Schedule::direct_pixels;
    EXPECT_EQ(plan_small(options).variant, "direct_pixels");
}

TEST(TunedSelection, IgnoringTuningGivesTheDispatchersOwnPick) {
    const std::string heuristic = plan_small().variant;
    register_tuned(small_problem_key(), other_than_heuristic(), stridetune::cpu_identity(), this_halide());
    stridetune::Options options;
    options.ignore_tuning = true;
    const stridetune::Plan plan = plan_small(options);
    EXPECT_EQ(plan.variant, heuristic);
    EXPECT_THAT(plan.reason, StartsWith("heuristic"));
    EXPECT_THAT(plan.reason, HasSubstr("tuning ignored"));
    EXPECT_THAT(plan_small().reason, StartsWith("tuned"));
}

// --- STRIDETUNE_TUNING_FILE: re-ranks the compiled kernels without a rebuild.

// The file is removed when the test's process exits: the library reads it
// at the first call that looks for tuning, which may come after the test
// body's last statement.
struct TemporaryFile {
    std::string path;
    ~TemporaryFile() {
        std::error_code ignored;
        std::filesystem::remove(path, ignored);
    }
};

std::string write_runtime_file(const TuningFile &f) {
    static const TemporaryFile file{
        (std::filesystem::temp_directory_path() / ("runtime_tuning." + std::to_string(getpid()) + ".json")).string()};
    stridetune::detail::write_tuning_file(f, file.path);
    return file.path;
}

TuningFile file_for_this_machine() {
    return {stridetune::cpu_identity(), this_halide(), {}, stridetune::detail::kernels_fingerprint()};
}

// The small problem's winner gemm_whole, which the heuristic does not pick.
TuningFile file_with_gemm_whole_winner() {
    TuningFile f = file_for_this_machine();
    f.problems[small_problem_key()] = {"small", {"copy_then_gemm", "lanes=pixels patches=whole", 1.0}, {}};
    return f;
}

TEST(RuntimeTuningFile, ItsWinnerRuns) {
    TuningFile f = file_with_gemm_whole_winner();
    setenv("STRIDETUNE_TUNING_FILE", write_runtime_file(f).c_str(), 1);
    const stridetune::Plan plan = plan_small();
    EXPECT_EQ(plan.variant, "gemm_whole");
    EXPECT_EQ(plan.reason, "tuned (STRIDETUNE_TUNING_FILE rank 1)");
}

// The tuner's measured grain (on the worker threads or the calling thread
// alone) wins over the library's own rule: the entry says the opposite.
TEST(RuntimeTuningFile, ItsWinnersMeasuredGrainApplies) {
    stridetune::Options forced;
    forced.variant = "gemm_whole";
    const bool by_rule = plan_small(forced).parallel;
    TuningFile f = file_for_this_machine();
    f.problems[small_problem_key()] = {"small", {"copy_then_gemm", "lanes=pixels patches=whole", 1.0, !by_rule}, {}};
    setenv("STRIDETUNE_TUNING_FILE", write_runtime_file(f).c_str(), 1);
    const stridetune::Plan plan = plan_small();
    EXPECT_EQ(plan.variant, "gemm_whole");
    EXPECT_EQ(plan.parallel, !by_rule);
}

TEST(RuntimeTuningFile, AWinnerNotBuiltFallsToTheFirstBuiltRunnerUp) {
    TuningFile f = file_for_this_machine();
    f.problems[small_problem_key()] = {"small",
                                       {"direct", "channel_width=3 lanes=channels rows=2", 1.0},
                                       {{"copy_then_gemm", "lanes=channels patches=tile", 1.1}}};
    setenv("STRIDETUNE_TUNING_FILE", write_runtime_file(f).c_str(), 1);
    const stridetune::Plan plan = plan_small();
    EXPECT_EQ(plan.variant, "gemm_tile");
    EXPECT_EQ(plan.reason, "tuned (STRIDETUNE_TUNING_FILE rank 2)");
}

// The built-in adams2019 kernel tiles for the numpy answer's sizes and so
// refuses the small problem: a tuned entry naming it must not fail the call.
void expect_adams2019_refuses_the_small_problem() {
    stridetune::Options forced;
    forced.schedule = stridetune::Schedule::adams2019;
    ASSERT_THROW(plan_small(forced), stridetune::Error) << "the test needs a tuned kernel that refuses the problem";
}

TEST(RuntimeTuningFile, AWinnerThatRefusesTheProblemFallsToTheNextRanked) {
    expect_adams2019_refuses_the_small_problem();
    TuningFile f = file_for_this_machine();
    f.problems[small_problem_key()] = {"small",
                                       {"autoscheduled", "autoscheduler=Adams2019", 1.0},
                                       {{"copy_then_gemm", "lanes=channels patches=tile", 1.1}}};
    setenv("STRIDETUNE_TUNING_FILE", write_runtime_file(f).c_str(), 1);
    const stridetune::Plan plan = plan_small();
    EXPECT_EQ(plan.variant, "gemm_tile");
    EXPECT_THAT(plan.reason, StartsWith("tuned (STRIDETUNE_TUNING_FILE rank 2); stridetune_adams2019_"));
    EXPECT_THAT(plan.reason, HasSubstr("refused the problem"));
    EXPECT_EQ(plan.reason.find(','), std::string::npos) << "the verbose line's fields are comma-separated";
}

TEST(RuntimeTuningFile, WhenEveryTunedKernelRefusesTheHeuristicDecides) {
    expect_adams2019_refuses_the_small_problem();
    TuningFile f = file_for_this_machine();
    f.problems[small_problem_key()] = {"small", {"autoscheduled", "autoscheduler=Adams2019", 1.0}, {}};
    setenv("STRIDETUNE_TUNING_FILE", write_runtime_file(f).c_str(), 1);
    const ProblemData &d = small_problem_data();
    TestBuffer output = d.fresh_output();
    const stridetune::Plan plan = stridetune::convolve(d.input.cview(), d.filter.cview(), output.view, d.problem.params);
    EXPECT_THAT(plan.reason, StartsWith("heuristic: "));
    EXPECT_THAT(plan.reason, HasSubstr("no tuned kernel fits; stridetune_adams2019_"));
    EXPECT_TRUE(matches_reference(output.cview(), d.reference));
}

// Unusable runtime files: one warning on stderr, then the heuristic. (The
// variable is read at the first call that looks for tuning, so it is set
// before any.)
void expect_one_warning_and_fallback(const std::string &path, const std::string &fault) {
    setenv("STRIDETUNE_TUNING_FILE", path.c_str(), 1);
    testing::internal::CaptureStderr();
    const stridetune::Plan first = plan_small(), second = plan_small();
    const std::string err = testing::internal::GetCapturedStderr();
    EXPECT_THAT(first.reason, StartsWith("heuristic"));
    EXPECT_THAT(second.reason, StartsWith("heuristic"));
    EXPECT_THAT(err, HasSubstr("warning: ignoring STRIDETUNE_TUNING_FILE=" + path));
    EXPECT_THAT(err, HasSubstr(fault));
    EXPECT_EQ(err.find("warning", err.find("warning") + 1), std::string::npos) << "warned more than once:\n" << err;
}

TEST(RuntimeTuningFile, MissingFileWarnsOnceAndFallsBack) {
    expect_one_warning_and_fallback("/nonexistent/tuning.json", "cannot be read");
}

TEST(RuntimeTuningFile, ADirectoryWarnsOnceAndFallsBack) {
    expect_one_warning_and_fallback(std::filesystem::temp_directory_path().string(), "not a regular file");
}

TEST(RuntimeTuningFile, CorruptFileWarnsOnceAndFallsBack) {
    const std::string path = write_runtime_file(file_for_this_machine());
    std::ofstream(path) << "{\"stridetune_tuning\": 1, \"cpu\": ";
    expect_one_warning_and_fallback(path, "parse error");
}

TEST(RuntimeTuningFile, FileFromTheSameMicroarchitectureApplies) {
    TuningFile f = file_with_gemm_whole_winner();
    f.cpu = same_microarchitecture_other_brand();
    setenv("STRIDETUNE_TUNING_FILE", write_runtime_file(f).c_str(), 1);
    const stridetune::Plan plan = plan_small();
    EXPECT_EQ(plan.variant, "gemm_whole");
    EXPECT_THAT(plan.reason, HasSubstr("the same microarchitecture"));
}

TEST(RuntimeTuningFile, FileFromAnotherCpuWarnsOnceAndFallsBack) {
    TuningFile f = file_with_gemm_whole_winner();
    f.cpu = another_microarchitecture();
    expect_one_warning_and_fallback(write_runtime_file(f), "tuned on");
}

// A winner picked against other kernels may lose to this build's.
TEST(RuntimeTuningFile, FileTunedAgainstOtherKernelsWarnsOnceAndFallsBack) {
    TuningFile f = file_with_gemm_whole_winner();
    f.kernels = "0000000000000000";
    expect_one_warning_and_fallback(write_runtime_file(f), "tuned against other kernels (0000000000000000");
}

TEST(RuntimeTuningFile, FileWithoutTheKernelsFingerprintWarnsOnceAndFallsBack) {
    TuningFile f = file_with_gemm_whole_winner();
    f.kernels.clear();
    expect_one_warning_and_fallback(write_runtime_file(f), "tuned against other kernels (not recorded");
}

TEST(RuntimeTuningFile, FileFromAnotherHalideWarnsOnceAndFallsBack) {
    TuningFile f = file_with_gemm_whole_winner();
    f.halide_version = "13.0.0";
    expect_one_warning_and_fallback(write_runtime_file(f), "Halide 13.0.0");
}

// --- A file the tuner wrote (ctest runs stridetune-tune first, see
// CMakeLists.txt): every problem in it runs its tuned kernel, correctly.
TEST(TunerOutput, EveryProblemRunsItsTunedKernel) {
    const char *path = env_value("STRIDETUNE_TUNING_FILE");
    if (!path) GTEST_SKIP() << "STRIDETUNE_TUNING_FILE is not set";
    const TuningFile f = stridetune::detail::read_tuning_file(path);
    ASSERT_FALSE(f.problems.empty());
    for (const auto &[key, tuned] : f.problems) {
        const stridetune::ConvDescriptor d = stridetune::parse_descriptor(key);
        ConvProblem p;
        p.n = d.mb, p.h = d.ih, p.w = d.iw, p.c = d.ic, p.k = d.oc, p.fh = d.kh, p.fw = d.kw;
        p.params = d.params;
        const ProblemData data = make_problem_data(p, 3);
        TestBuffer output = data.fresh_output();
        const stridetune::Plan plan =
            stridetune::convolve(data.input.cview(), data.filter.cview(), output.view, p.params);
        EXPECT_THAT(plan.reason, StartsWith("tuned (STRIDETUNE_TUNING_FILE")) << key;
        // The winner as timed (compiled for the problem's stride alone), or,
        // not built so, the same configuration built for every stride.
        const std::string for_every_stride =
            stridetune::Parameters::parse(tuned.winner.parameters).erase("only_stride").to_string();
        EXPECT_THAT(plan.parameters, testing::AnyOf(tuned.winner.parameters, for_every_stride)) << key;
        EXPECT_TRUE(matches_reference(output.cview(), data.reference)) << key;
    }
}

}  // namespace
}  // namespace stridetune_test
