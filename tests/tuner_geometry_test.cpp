// What the tuner compiles and times for a problem is the branch the library
// runs for it (geometry_cases.h, worked out by hand): its JIT candidate is
// compiled for that branch, accepts the geometry the library's kernel
// receives (a candidate compiled for one stride refuses any other), and
// computes the reference's result from it; the tuner's own search runs.
#include <algorithm>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "geometry_cases.h"
#include "jit_kernel.h"
#include "reference.h"
#include "search_space.h"
#include "stridetune/descriptor.h"
#include "stridetune/kernel_geometry.h"
#include "stridetune/parameters.h"
#include "tuner.h"

namespace stridetune_test {
namespace {

using stridetune::tune::Configuration;
using stridetune::tune::JitKernel;

// The lowest ISA level: every x86-64 CPU the library runs on has it.
Halide::Target sse41() {
    return Halide::Target("x86-64-linux-sse41");
}

// The candidate run in bands wherever the kernel can be, as if a core's
// private cache held `cache_bytes` whatever this CPU's.
void expect_candidate_runs_geometry(const char *candidate, const GeometryCase &c, int64_t cache_bytes = INT64_MAX) {
    const stridetune::ConvDescriptor d = stridetune::parse_descriptor(c.descriptor);
    const Configuration configuration = stridetune::tune::jit_configuration(Configuration::parse(candidate), d);
    JitKernel kernel(configuration, sse41());
    kernel.set_bands(stridetune::output_bands(configuration.parameters, stridetune::Isa::sse41,
                                              stridetune::kernel_problem(d), cache_bytes));
    Halide::Buffer<float> input(int(d.ic), int(d.iw), int(d.ih), int(d.mb));
    Halide::Buffer<float> filter(int(d.oc), int(d.ic), int(d.kw), int(d.kh));
    stridetune::JitArguments args;
    std::mt19937 rng(3);
    std::uniform_real_distribution<float> dist(-1.f, 1.f);
    input.for_each_value([&](float &v) { v = dist(rng); });
    filter.for_each_value([&](float &v) { v = dist(rng); });
    // Taps far apart reach the kernel gathered, as the library passes them.
    args.input = input;
    if (stridetune::gathered_axes(d)) {
        const stridetune::ConvDescriptor k = stridetune::gathered_problem(d);
        args.input = Halide::Buffer<float>(int(k.ic), int(k.iw), int(k.ih), int(k.mb));
        stridetune::gather_taps(d, stridetune::dense<const float>(input.data(), d.input_dims()), args.input.data());
    }
    args.stride_x = c.stride_x, args.stride_y = c.stride_y;
    args.dilation_x = c.dilation_x, args.dilation_y = c.dilation_y;
    const stridetune::ConvParams g = stridetune::kernel_geometry(d);
    args.pad_left = g.pad_left, args.pad_top = g.pad_top;
    args.out_width = int(d.ow);
    Halide::Buffer<float> output(int(d.oc), int(d.ow), int(d.oh), int(d.mb));
    stridetune::tune::FilterPacker packer(sse41());
    ASSERT_NO_THROW(args = kernel.with_packed_filter(args, filter, packer));
    ASSERT_NO_THROW(kernel.run(args, output));

    // Against the problem as written: the geometry the kernel got changes nothing.
    const ReferenceOutput expected = reference_convolution(
        stridetune::dense<const float>(input.data(), d.input_dims()),
        stridetune::dense<const float>(filter.data(), d.filter_dims()), d.params);
    EXPECT_EQ(first_mismatch(output.data(), expected), "");
}

// `kernel` run on `d`'s tensors, all ones, given strides `stride_x` and
// `stride_y`: throws Halide::RuntimeError where the kernel refuses them.
void run_on_ones(JitKernel &kernel, const stridetune::ConvDescriptor &d, int stride_x, int stride_y) {
    stridetune::JitArguments args;
    args.input = Halide::Buffer<float>(int(d.ic), int(d.iw), int(d.ih), int(d.mb));
    Halide::Buffer<float> filter(int(d.oc), int(d.ic), int(d.kw), int(d.kh));
    args.input.fill(1.f);
    filter.fill(1.f);
    args.stride_x = stride_x, args.stride_y = stride_y;
    args.out_width = int(d.ow);
    Halide::Buffer<float> output(int(d.oc), int(d.ow), int(d.oh), int(d.mb));
    stridetune::tune::FilterPacker packer(sse41());
    kernel.run(kernel.with_packed_filter(args, filter, packer), output);
}

class TunerGeometry : public testing::TestWithParam<GeometryCase> {};

TEST_P(TunerGeometry, CompilesTheBranchTheLibraryRuns) {
    const GeometryCase &c = GetParam();
    const stridetune::ConvDescriptor d = stridetune::parse_descriptor(c.descriptor);
    for (const char *candidate : {"direct lanes=channels", "copy_then_gemm lanes=pixels patches=tile"}) {
        const Configuration compiled = stridetune::tune::jit_configuration(Configuration::parse(candidate), d);
        EXPECT_EQ(compiled.parameters.get("only_stride").value_or("0"), std::to_string(c.branch)) << candidate;
    }
}

// Each candidate: tiles of rows in the kernel's own parallel loop, and
// flat tiles over the image staged once, run in bands of the output
// (stridetune::OutputBands), each band realized on a thread of its own.
TEST_P(TunerGeometry, ItsCandidateRunsTheKernelsGeometry) {
    for (const char *candidate :
         {"direct lanes=channels", "direct lanes=channels outer=tiles pixel_order=flat staged=image x_width=7"}) {
        SCOPED_TRACE(candidate);
        expect_candidate_runs_geometry(candidate, GetParam());
    }
}

// Bands a round of images at a time (three rounds: a cache of one staged
// image, 11 x 11 pixels of 8 floats at SSE4.1; output_bands_test.cpp).
TEST(TunerBands, AMinibatchRunsRoundByRound) {
    const GeometryCase three_images{"mb3ic5ih9iw9oc6kh3kw3sh1sw1ph1pw1", 1, 1, 1, 1, 1};
    for (const char *candidate : {"direct lanes=channels staged=image",
                                  "direct lanes=channels outer=tiles pixel_order=flat staged=image x_width=7"}) {
        SCOPED_TRACE(candidate);
        expect_candidate_runs_geometry(candidate, three_images, 11 * 11 * 8 * 4);
    }
}

TEST_P(TunerGeometry, ItsSearchRuns) {
    stridetune::tune::TuneOptions options;
    options.budget_seconds = 1;
    options.autoschedulers = false;
    options.only = {"direct lanes=pixels"};
    stridetune::tune::Tuner tuner(options, sse41());
    const stridetune::detail::TunedProblem result =
        tuner.tune(stridetune::parse_descriptor(GetParam().descriptor), {1, 1});
    EXPECT_EQ(result.winner.generator, "direct");
}

INSTANTIATE_TEST_SUITE_P(Cases, TunerGeometry, testing::ValuesIn(geometry_cases()),
                         [](const testing::TestParamInfo<GeometryCase> &info) {
                             return "case" + std::to_string(info.index);
                         });

// A candidate compiled for one branch refuses a geometry that runs another.
TEST(TunerGeometry, AStrideCandidateRefusesOtherGeometry) {
    const stridetune::ConvDescriptor d = stridetune::parse_descriptor("mb1ic3ih9iw9oc4kh3kw3sh2sw2ph1pw1");
    Configuration c = Configuration::parse("direct lanes=channels");
    c.parameters.set("only_stride", "2");
    JitKernel kernel(c, sse41());
    EXPECT_THROW(run_on_ones(kernel, d, 1, 2), Halide::RuntimeError);
}

// The in-place tiles (padding=none) the search lists for a problem: none
// where it is padded, and those its output holds where it is not; each
// listed one runs it, and one left out, wider than the output, fails.
TEST(TunerSearchSpace, ListsTheInPlaceTilesThatRunTheProblem) {
    const auto in_place = [](const char *descriptor) {
        const stridetune::ConvDescriptor k = stridetune::kernel_problem(stridetune::parse_descriptor(descriptor));
        std::vector<Configuration> listed;
        for (const Configuration &c : stridetune::tune::candidate_configurations(k, stridetune::Isa::sse41)) {
            if (c.parameters.get("padding") == "none") listed.push_back(c);
        }
        return listed;
    };
    EXPECT_TRUE(in_place("mb1ic8ih5iw5oc8kh3kw3sh1sw1ph1pw1").empty());
    const GeometryCase narrow{"mb1ic8ih5iw5oc8kh3kw3sh1sw1ph0pw0", 1, 1, 1, 1, 1};
    const std::vector<Configuration> listed = in_place(narrow.descriptor);
    EXPECT_FALSE(listed.empty());
    for (const Configuration &c : listed) {
        SCOPED_TRACE(c.to_string());
        expect_candidate_runs_geometry(c.to_string().c_str(), narrow);
    }

    const stridetune::ConvDescriptor d = stridetune::parse_descriptor(narrow.descriptor);
    JitKernel wide(stridetune::tune::jit_configuration(
                       Configuration::parse("direct lanes=channels outer=tiles padding=none x_width=7"), d),
                   sse41());
    EXPECT_THROW(run_on_ones(wide, d, 1, 1), Halide::RuntimeError);
}

// The local search around a kernel tries the tiles of its generator and
// lanes first, those one item away before farther ones, and then the rest
// as listed.
TEST(TunerSearchSpace, TriesTheNeighboursOfTheBestFirst) {
    const stridetune::ConvDescriptor p = stridetune::parse_descriptor("mb1ic64ih28oc128kh1sh2");
    const auto isa = stridetune::Isa::avx512;
    std::vector<Configuration> candidates = stridetune::tune::candidate_configurations(p, isa);
    const auto position = [&](const char *text) {
        const auto it = std::find(candidates.begin(), candidates.end(), Configuration::parse(text));
        EXPECT_NE(it, candidates.end()) << text << " is not a candidate";
        return it - candidates.begin();
    };
    // Listed before the in-place tiles.
    const auto gemm = position("copy_then_gemm lanes=channels patches=tile");
    const auto gemm_tiles = position("copy_then_gemm channel_width=4 lanes=channels patches=tile rows=2 x_width=3");
    ASSERT_LT(gemm, gemm_tiles);
    const Configuration best = Configuration::parse("direct lanes=channels outer=tiles padding=none x_width=7");
    stridetune::tune::order_around(candidates.begin(), candidates.end(), best, isa);
    // At AVX-512 the best's tile is 2 vectors of channels by 7 pixels by 1
    // row (stridetune/tile_shape.h): one item away, output rows outermost
    // or 8 pixels; four, 4 vectors by 3x2 pixels with rows outermost.
    EXPECT_LT(position("direct channel_width=2 lanes=channels padding=none rows=1 x_width=7"), 4);
    const auto wider = position("direct channel_width=2 lanes=channels outer=tiles padding=none rows=1 x_width=8");
    const auto farther = position("direct channel_width=4 lanes=channels padding=none rows=2 x_width=3");
    EXPECT_LT(wider, farther);
    EXPECT_LT(farther, position("copy_then_gemm lanes=channels patches=tile"));
    EXPECT_LT(position("copy_then_gemm lanes=channels patches=tile"),
              position("copy_then_gemm channel_width=4 lanes=channels patches=tile rows=2 x_width=3"));
}

}  // namespace
}  // namespace stridetune_test
