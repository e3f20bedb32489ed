// Every kernel at every ISA level computes only on scratch memory it wrote.
// Tiles run whole past the output's edges, and what their edge lanes read
// must come from the staged copies, not from whatever the allocator left
// there: the results are discarded, but garbage that happens to be denormal
// slows each FMA by a microcode assist (a 13-pixel layer once ran 50x
// slower), so the outputs alone cannot show it. Every allocation a kernel
// makes is filled with a signalling NaN here, and a kernel that computes on
// one raises the invalid-operation flag. Flags are per thread: the kernels
// run on the calling thread alone.
#include <cfenv>
#include <cstdint>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include <HalideRuntime.h>
#include <gtest/gtest.h>

#include "compare.h"
#include "conv_problem.h"
#include "forced_convolution.h"
#include "random_fill.h"
#include "random_problem.h"
#include "reference.h"
#include "schedule_isa.h"
#include "stridetune.h"
#include "test_buffer.h"

namespace stridetune_test {
namespace {

constexpr int random_problems = 30;
constexpr uint32_t seed = 4417;
constexpr uint32_t signalling_nan = 0x7fa00000;

halide_malloc_t halide_default = nullptr;

void *poisoned_malloc(void *user_context, size_t bytes) {
    void *memory = halide_default(user_context, bytes);
    if (memory) {
        auto *words = static_cast<uint32_t *>(memory);
        for (size_t i = 0; i < bytes / sizeof(uint32_t); i++) words[i] = signalling_nan;
    }
    return memory;
}

struct ScratchCase {
    std::string name;
    ConvProblem problem;
    TestBuffer input, filter;
    ReferenceOutput reference;
};

ConvProblem one_row(int64_t w, int64_t c, int64_t k, int64_t fw, int stride, int pad) {
    ConvProblem p;
    p.n = 1, p.h = 1, p.w = w, p.c = c, p.k = k, p.fh = 1, p.fw = fw;
    p.params.stride_w = stride;
    p.params.pad_left = p.params.pad_right = pad;
    return p;
}

ConvProblem square(int64_t size, int64_t c, int64_t k, int64_t f, int stride, int pad) {
    ConvProblem p;
    p.n = 1, p.h = size, p.w = size, p.c = c, p.k = k, p.fh = f, p.fw = f;
    p.params.stride_h = p.params.stride_w = stride;
    p.params.pad_top = p.params.pad_left = p.params.pad_bottom = p.params.pad_right = pad;
    return p;
}

const std::vector<ScratchCase> &scratch_cases() {
    static const std::vector<ScratchCase> cases = [] {
        std::mt19937 rng(seed);
        std::vector<ConvProblem> problems = {
            // Outputs narrower and shorter than any tile, and a few tiles
            // with a ragged last one, padded and not.
            one_row(13, 23, 64, 3, 1, 1), one_row(13, 29, 32, 3, 1, 0), one_row(5, 3, 7, 2, 2, 0),
            one_row(37, 16, 17, 5, 1, 2), square(13, 19, 33, 3, 1, 1), square(7, 8, 48, 3, 1, 1),
            square(9, 5, 3, 3, 2, 0),     square(30, 3, 20, 7, 2, 3),
        };
        for (int i = 0; i < random_problems; i++) problems.push_back(draw_problem(rng));
        std::vector<ScratchCase> all;
        for (const ConvProblem &p : problems) {
            ScratchCase c{p.describe(), p, dense_buffer(p.input_dims()), dense_buffer(p.filter_dims()), {}};
            fill_random(c.input.view, rng);
            fill_random(c.filter.view, rng);
            c.reference = reference_convolution(c.input.cview(), c.filter.cview(), p.params);
            all.push_back(std::move(c));
        }
        return all;
    }();
    return cases;
}

class ScratchMemory : public testing::TestWithParam<ScheduleIsa> {
protected:
    static void SetUpTestSuite() {
        stridetune::set_num_threads(1);
        halide_default = halide_set_custom_malloc(poisoned_malloc);
    }
    static void TearDownTestSuite() { halide_set_custom_malloc(halide_default); }
};

TEST_P(ScratchMemory, NoKernelComputesOnUnwrittenScratch) {
    const ScheduleIsa &kernel = GetParam();
    if (!cpu_supports(kernel.isa)) GTEST_SKIP() << "CPU lacks " << isa_name(kernel.isa);
    for (const ScratchCase &c : scratch_cases()) {
        TestBuffer output = dense_buffer(c.problem.output_dims());
        std::feclearexcept(FE_ALL_EXCEPT);
        const testing::AssertionResult matches = forced_convolution_matches(
            c.input.cview(), c.filter.cview(), output.view, c.problem.params, c.reference, kernel);
        const bool invalid = std::fetestexcept(FE_INVALID) != 0;
        EXPECT_TRUE(matches) << c.name;
        EXPECT_FALSE(invalid) << c.name << ": computed on scratch memory it never wrote";
    }
}

INSTANTIATE_TEST_SUITE_P(EveryKernel, ScratchMemory, testing::ValuesIn(every_kernel_at_every_isa()),
                         [](const testing::TestParamInfo<ScheduleIsa> &info) { return test_name(info.param); });

}  // namespace
}  // namespace stridetune_test
