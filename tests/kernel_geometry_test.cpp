// The geometry the runtime passes a kernel (geometry_cases.h, worked out by
// hand): observed through a kernel registered here that records its
// arguments, and the library's rule (kernel_geometry.h) itself.
#include <HalideRuntime.h>

#include <gtest/gtest.h>

#include "geometry_cases.h"
#include "stridetune.h"
#include "stridetune/kernel_geometry.h"
#include "stridetune/registry.h"
#include "test_buffer.h"

namespace stridetune_test {
namespace {

struct Received {
    int stride_x, stride_y, dilation_x, dilation_y;
};
thread_local Received received;

// Answers the runtime's bounds query as a kernel must: the packed filter
// it reads, here blocked by one output channel (kb, c, fx, fy, ko).
int record_geometry(halide_buffer_t *input, halide_buffer_t *filter, int stride_x, int stride_y, int dilation_x,
                    int dilation_y, int, int, int, halide_buffer_t *, halide_buffer_t *, bool, float, float, float,
                    float, halide_buffer_t *output) {
    if (input->host == nullptr || filter->host == nullptr || output->host == nullptr) {
        if (filter->host == nullptr) {
            filter->dim[0].extent = 1;
            filter->dim[4].extent = output->dim[0].extent;
        }
        return 0;
    }
    received = {stride_x, stride_y, dilation_x, dilation_y};
    return 0;
}

const halide_filter_metadata_t *recorder_metadata() {
    static const halide_filter_metadata_t metadata{halide_filter_metadata_t::VERSION, 0, nullptr, "x86-64-linux-sse41",
                                                   "geometry_recorder"};
    return &metadata;
}

const bool registered = [] {
    static const stridetune::KernelRegistration recorder{
        "geometry_recorder", "direct", "lanes=channels", stridetune::Isa::sse41, record_geometry,
        recorder_metadata, "geometry_recorder"};
    return stridetune::register_kernels(&recorder, 1, nullptr, 0, nullptr);
}();

class KernelGeometry : public testing::TestWithParam<GeometryCase> {};

TEST_P(KernelGeometry, TheKernelReceivesIt) {
    ASSERT_TRUE(registered);
    const GeometryCase &c = GetParam();
    const stridetune::ConvDescriptor d = stridetune::parse_descriptor(c.descriptor);
    TestBuffer input = dense_buffer(d.input_dims()), filter = dense_buffer(d.filter_dims()),
               output = dense_buffer(d.output_dims());
    stridetune::Options options;
    options.variant = "geometry_recorder";
    received = {};
    stridetune::convolve(input.cview(), filter.cview(), output.view, d.params, options);
    EXPECT_EQ(received.stride_x, c.stride_x);
    EXPECT_EQ(received.stride_y, c.stride_y);
    EXPECT_EQ(received.dilation_x, c.dilation_x);
    EXPECT_EQ(received.dilation_y, c.dilation_y);
}

TEST_P(KernelGeometry, TheRuleGivesItAndItsBranch) {
    const GeometryCase &c = GetParam();
    const stridetune::ConvParams g = stridetune::kernel_geometry(stridetune::parse_descriptor(c.descriptor));
    EXPECT_EQ(g.stride_w, c.stride_x);
    EXPECT_EQ(g.stride_h, c.stride_y);
    EXPECT_EQ(g.dilation_w, c.dilation_x);
    EXPECT_EQ(g.dilation_h, c.dilation_y);
    EXPECT_EQ(stridetune::specialized_stride(g), c.branch);
}

INSTANTIATE_TEST_SUITE_P(Cases, KernelGeometry, testing::ValuesIn(geometry_cases()),
                         [](const testing::TestParamInfo<GeometryCase> &info) {
                             return "case" + std::to_string(info.index);
                         });

}  // namespace
}  // namespace stridetune_test
