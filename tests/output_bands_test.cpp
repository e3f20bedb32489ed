// Bands of the output (stridetune/kernel_geometry.h): a kernel that stages
// the padded image whole runs in bands, a few images a round, as many as
// stage within a core's private cache; the rule worked out by hand, and a
// minibatch run round by round against the reference.
#include <cmath>
#include <random>

#include <gtest/gtest.h>

#include "compare.h"
#include "conv_problem.h"
#include "cpu_caches.h"
#include "forced_convolution.h"
#include "random_fill.h"
#include "reference.h"
#include "schedule_isa.h"
#include "stridetune.h"
#include "stridetune/kernel_geometry.h"
#include "test_buffer.h"

namespace stridetune_test {
namespace {

TEST(OutputBands, ARoundHoldsTheImagesTheCacheStages) {
    // A 9x9 output of a 3x3 filter, padded by 1, reads 11x11 pixels; each
    // stages 5 channels rounded up to SSE4.1's vectors of 4 floats:
    // 11 * 11 * 8 floats of 4 bytes an image.
    const stridetune::ConvDescriptor d = stridetune::parse_descriptor("mb5ic5ih9iw9oc6kh3kw3sh1sw1ph1pw1");
    const stridetune::Parameters staged = stridetune::Parameters::parse("lanes=channels staged=image x_width=7");
    constexpr int64_t image = 11 * 11 * 8 * 4;
    const auto images = [&](int64_t cache) {
        const std::optional<stridetune::OutputBands> bands = output_bands(staged, stridetune::Isa::sse41, d, cache);
        return bands ? bands->images : 0;
    };
    EXPECT_EQ(images(image - 1), 0) << "one image past the cache: the kernel's own loop, no bands";
    EXPECT_EQ(images(image), 1);
    EXPECT_EQ(images(2 * image + image / 2), 2);
    EXPECT_EQ(images(100 * image), 5) << "the whole minibatch, no more";
    // Channel blocks outermost stay one call.
    EXPECT_EQ(output_bands(stridetune::Parameters::parse("lanes=channels outer=channels staged=image"),
                           stridetune::Isa::sse41, d, 100 * image),
              std::nullopt);
}

// Images of about 0.6 of this CPU's L2 cache staged: one a round, three
// rounds, on 2 threads.
TEST(OutputBands, AMinibatchRunsRoundByRound) {
    constexpr int64_t channels = 16;
    const int64_t side =
        int64_t(std::sqrt(0.6 * double(stridetune::detail::l2_cache_bytes()) / (channels * sizeof(float)))) - 2;
    ConvProblem p;
    p.n = 3;
    p.h = p.w = side;
    p.c = channels;
    p.fh = p.fw = 3;
    p.k = 8;
    p.params.pad_top = p.params.pad_left = p.params.pad_bottom = p.params.pad_right = 1;
    TestBuffer input = dense_buffer(p.input_dims()), filter = dense_buffer(p.filter_dims());
    std::mt19937 rng(7);
    fill_random(input.view, rng);
    fill_random(filter.view, rng);
    const ReferenceOutput ref = reference_convolution(input.cview(), filter.cview(), p.params);
    const int threads = stridetune::num_threads();
    stridetune::set_num_threads(2);
    for (stridetune::Schedule schedule : {stridetune::Schedule::direct_staged_image, stridetune::Schedule::direct_flat}) {
        SCOPED_TRACE(p.describe() + " on " + schedule_name(schedule));
        TestBuffer output = dense_buffer(p.output_dims());
        EXPECT_TRUE(forced_convolution_matches(input.cview(), filter.cview(), output.view, p.params, ref,
                                               {schedule, stridetune::detected_isa()}));
    }
    stridetune::set_num_threads(threads);
}

}  // namespace
}  // namespace stridetune_test
