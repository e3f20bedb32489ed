// stridetune::output_extent, the public size formula, against the
// reference's own: floor((in + pads - dilation*(filter-1) - 1) / stride) + 1,
// 0 when the padded input is shorter than the dilated filter.
#include <gtest/gtest.h>

#include "reference.h"
#include "stridetune.h"

namespace stridetune_test {
namespace {

TEST(OutputExtent, MatchesTheFormulaEverywhere) {
    int checked = 0;
    for (int64_t in = 1; in <= 30; in++)
        for (int64_t filter = 1; filter <= 7; filter++)
            for (int stride = 1; stride <= 4; stride++)
                for (int dilation = 1; dilation <= 3; dilation++)
                    for (int pad_begin = 0; pad_begin <= 3; pad_begin++)
                        for (int pad_end = 0; pad_end <= 3; pad_end++) {
                            const int64_t want =
                                reference_output_extent(in, filter, stride, dilation, pad_begin, pad_end);
                            ASSERT_EQ(stridetune::output_extent(in, filter, stride, dilation, pad_begin, pad_end),
                                      want)
                                << "in " << in << " filter " << filter << " stride " << stride << " dilation "
                                << dilation << " pads " << pad_begin << "," << pad_end;
                            checked++;
                        }
    EXPECT_EQ(checked, 30 * 7 * 4 * 3 * 4 * 4);
}

TEST(OutputExtent, KnownValues) {
    EXPECT_EQ(stridetune::output_extent(221, 4, 2, 1, 0, 0), 109);  // the seed problem
    EXPECT_EQ(stridetune::output_extent(5, 5, 1, 1, 0, 0), 1);
    EXPECT_EQ(stridetune::output_extent(4, 5, 1, 1, 0, 0), 0);      // empty effective input
    EXPECT_EQ(stridetune::output_extent(4, 3, 1, 2, 0, 0), 0);      // dilated filter spans 5
    EXPECT_EQ(stridetune::output_extent(4, 3, 1, 2, 1, 0), 1);
    EXPECT_EQ(stridetune::output_extent(1, 1, 4, 1, 3, 3), 2);      // padding only: rows -3 and 1
    EXPECT_EQ(stridetune::output_extent(224, 7, 2, 1, 3, 3), 112);  // ResNet-50's first layer
}

}  // namespace
}  // namespace stridetune_test
