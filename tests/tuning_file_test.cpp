// The tuning file: what is written is read back; a file that cannot be used
// is an Error naming the file and the fault; writes are atomic.
#include <filesystem>
#include <fstream>
#include <string>

#include <unistd.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "stridetune/error.h"
#include "tuning_file.h"

namespace stridetune_test {
namespace {

using stridetune::detail::read_tuning_file;
using stridetune::detail::TunedConfiguration;
using stridetune::detail::TuningFile;
using stridetune::detail::write_tuning_file;
using testing::HasSubstr;

// Keyed by the process: ctest runs each test in its own, two at a time (a
// key taken from the clock, as gtest's random seed is, can be the same in
// both, and one test then reads the other's file).
std::string temporary_path(const std::string &name) {
    return (std::filesystem::temp_directory_path() / (name + "." + std::to_string(getpid()) + ".json")).string();
}

TuningFile sample() {
    TuningFile f{{"GenuineIntel", "Some \"quoted\" CPU", stridetune::Isa::avx2, 8, 6, 207, 2}, "14.0.0", {}, "0123abcd"};
    f.problems["mb1ic3ih9iw9oc4oh9ow9kh3kw3sh1sw1ph1pw1dh0dw0"] = {
        "a", {"direct", "lanes=pixels", 0.25, false}, {{"copy_then_gemm", "lanes=channels patches=tile", 0.5, {}}}};
    f.problems["mb2ic8ih5iw5oc8oh3ow3kh1kw1sh2sw2ph0pw0dh0dw0"] = {
        "", {"autoscheduled", "autoscheduler=Adams2019", 1.5, true}, {}};
    return f;
}

void expect_same(const TunedConfiguration &a, const TunedConfiguration &b) {
    EXPECT_EQ(a.generator, b.generator);
    EXPECT_EQ(a.parameters, b.parameters);
    EXPECT_DOUBLE_EQ(a.median_ms, b.median_ms);
    EXPECT_EQ(a.parallel, b.parallel);
}

TEST(TuningFile, RoundTrips) {
    const std::string path = temporary_path("round_trip");
    const TuningFile written = sample();
    write_tuning_file(written, path);
    const TuningFile read = read_tuning_file(path);
    EXPECT_TRUE(read.cpu == written.cpu);
    EXPECT_EQ(read.cpu.model_number, 207);
    EXPECT_EQ(read.kernels, written.kernels);
    EXPECT_EQ(read.halide_version, written.halide_version);
    ASSERT_EQ(read.problems.size(), written.problems.size());
    for (const auto &[key, p] : written.problems) {
        ASSERT_TRUE(read.problems.count(key)) << key;
        const auto &q = read.problems.at(key);
        EXPECT_EQ(q.name, p.name);
        expect_same(q.winner, p.winner);
        ASSERT_EQ(q.runners_up.size(), p.runners_up.size());
        for (size_t i = 0; i < p.runners_up.size(); i++) expect_same(q.runners_up[i], p.runners_up[i]);
    }
    EXPECT_FALSE(std::filesystem::exists(path + ".partial")) << "the temporary file is renamed over the target";
    std::filesystem::remove(path);
}

// Writes `text` and expects reading it to fail with a message naming the file and containing `fault`.
void expect_unusable(const std::string &text, const std::string &fault) {
    const std::string path = temporary_path("corrupt");
    std::ofstream(path) << text;
    try {
        read_tuning_file(path);
        ADD_FAILURE() << "read without error: " << text;
    } catch (const stridetune::Error &e) {
        EXPECT_THAT(e.what(), HasSubstr(path));
        EXPECT_THAT(e.what(), HasSubstr(fault));
    }
    std::filesystem::remove(path);
}

// With the "threads" field that files had before it was dropped: they still read.
const char *const good_header = R"("stridetune_tuning": 1, "halide": "14.0.0", "threads": 2,
    "cpu": {"vendor": "AuthenticAMD", "model": "X", "isa": "avx512", "cores": 2})";

TEST(TuningFile, CorruptFilesAreErrorsNamingTheFault) {
    expect_unusable("", "parse error");
    expect_unusable("{\"stridetune_tuning\": 1, ", "parse error");
    expect_unusable("[1, 2]", "");
    expect_unusable(std::string("{") + good_header + "}", "problems");
    expect_unusable(R"({"stridetune_tuning": 2, "problems": {}})", "format 2");
    expect_unusable(R"({"stridetune_tuning": 1, "halide": "14.0.0", "threads": 2, "problems": {},
        "cpu": {"vendor": "AuthenticAMD", "model": "X", "isa": "avx1024", "cores": 2}})",
                    "unknown isa");
    expect_unusable(std::string("{") + good_header + R"(, "problems": {"p": {"winner": {"generator": "direct"}}}})",
                    "parameters");
    expect_unusable(std::string("{") + good_header + R"(, "problems": {"p": {"winner": {"generator": 3,
        "parameters": "", "median_ms": 1}}}})",
                    "type");
}

// Files written before cpuid's signature and the kernels' fingerprint were
// recorded: not known (0, empty).
TEST(TuningFile, FilesWithoutTheSignatureRead) {
    const std::string path = temporary_path("unsigned");
    std::ofstream(path) << "{" << good_header << R"(, "problems": {}})";
    const TuningFile f = read_tuning_file(path);
    EXPECT_EQ(f.cpu.family, 0);
    EXPECT_EQ(f.cpu.model_number, 0);
    EXPECT_EQ(f.cpu.stepping, 0);
    EXPECT_EQ(f.kernels, "");
    std::filesystem::remove(path);
}

// Found by fuzz_tuning_file: numbers past int were cast (undefined) or wrapped (4294967297 read as 1).
TEST(TuningFile, NumbersPastIntAreErrors) {
    expect_unusable(R"({"stridetune_tuning": 4294967297, "problems": {}})", "stridetune_tuning 4294967297 is out of range");
    expect_unusable(R"({"stridetune_tuning": 118446744073709551615})", "out of range");
    expect_unusable(R"({"stridetune_tuning": 1, "halide": "14.0.0", "problems": {},
        "cpu": {"vendor": "AuthenticAMD", "model": "X", "isa": "avx512", "cores": 1e300}})",
                    "cores 1e+300 is out of range");
}

TEST(TuningFile, ParametersAreReadInCanonicalOrder) {
    const std::string path = temporary_path("canonical");
    std::ofstream(path) << "{" << good_header << R"(, "problems": {"p": {"winner": {"generator": "direct",
        "parameters": "x_width=4  lanes=channels rows=2", "median_ms": 1}}}})";
    EXPECT_EQ(read_tuning_file(path).problems.at("p").winner.parameters, "lanes=channels rows=2 x_width=4");
    std::filesystem::remove(path);
}

TEST(TuningFile, MalformedParametersAreErrorsNamingTheProblem) {
    expect_unusable(std::string("{") + good_header + R"(, "problems": {"p1": {"winner": {"generator": "direct",
        "parameters": "lanes=pixels rows", "median_ms": 1}}}})",
                    "problem p1: parameters \"lanes=pixels rows\": item \"rows\" is not key=value");
}

TEST(TuningFile, MissingFileIsAnError) {
    try {
        read_tuning_file("/nonexistent/tuning.json");
        ADD_FAILURE() << "read a missing file";
    } catch (const stridetune::Error &e) {
        EXPECT_THAT(e.what(), HasSubstr("/nonexistent/tuning.json: cannot be read"));
    }
}

TEST(TuningFile, UnwritablePathIsAnErrorAndLeavesNothing) {
    EXPECT_THROW(write_tuning_file(sample(), "/nonexistent/dir/tuning.json"), stridetune::Error);
}

}  // namespace
}  // namespace stridetune_test
