// benchdnn convolution descriptors: parsing, the deduced sizes and pads
// against values worked out by hand and against stridetune::output_extent,
// the post-op suffix, the round trip through to_string, the errors, and
// reading shapes files (every line of the shape files in bench/shapes,
// oneDNN's benchdnn inputs).
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <limits>
#include <optional>
#include <regex>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "stridetune.h"

namespace stridetune_test {
namespace {

using stridetune::ConvDescriptor;
using stridetune::parse_descriptor;
using testing::HasSubstr;

// The message of the Error parsing `text` throws, or "" (and a failure) when it parses.
std::string parse_error(const std::string &text) {
    try {
        const ConvDescriptor d = parse_descriptor(text);
        ADD_FAILURE() << "\"" << text << "\" parsed: " << d;
    } catch (const stridetune::Error &e) {
        return e.what();
    }
    return "";
}

// Whether the oh/ow of `d` are what its input, kernel, stride, dilation and
// four pads give, with every pad non-negative.
void expect_consistent(const ConvDescriptor &d) {
    const stridetune::ConvParams &p = d.params;
    EXPECT_GE(p.pad_top, 0) << d;
    EXPECT_GE(p.pad_left, 0) << d;
    EXPECT_GE(p.pad_bottom, 0) << d;
    EXPECT_GE(p.pad_right, 0) << d;
    EXPECT_EQ(stridetune::output_extent(d.ih, d.kh, p.stride_h, p.dilation_h, p.pad_top, p.pad_bottom), d.oh) << d;
    EXPECT_EQ(stridetune::output_extent(d.iw, d.kw, p.stride_w, p.dilation_w, p.pad_left, p.pad_right), d.ow) << d;
}

void expect_round_trip(const ConvDescriptor &d) {
    const std::string text = stridetune::to_string(d);
    EXPECT_EQ(parse_descriptor(text), d) << text;
    EXPECT_EQ(stridetune::to_string(parse_descriptor(text)), text);
}

TEST(Descriptor, SeedProblem) {
    const ConvDescriptor d = parse_descriptor("mb64ic3ih221iw221oc5kh4kw4sh2sw2ph0pw0n\"seed\"");
    EXPECT_EQ(d.oh, 109);
    EXPECT_EQ(d.ow, 109);
    EXPECT_EQ(d.input_dims(), (std::array<int64_t, 4>{64, 221, 221, 3}));
    EXPECT_EQ(d.filter_dims(), (std::array<int64_t, 4>{4, 4, 3, 5}));
    EXPECT_EQ(d.output_dims(), (std::array<int64_t, 4>{64, 109, 109, 5}));
    // benchdnn's bottom pad is 108*2 + 4 - 221 = -1: the last row is unread, so 0.
    EXPECT_EQ(d.params.pad_bottom, 0);
    EXPECT_EQ(d.params.pad_right, 0);
    EXPECT_EQ(d.name, "seed");
    EXPECT_DOUBLE_EQ(d.flops(), 2.0 * 64 * 109 * 109 * 5 * 4 * 4 * 3);
    EXPECT_EQ(stridetune::to_string(d), "mb64ic3ih221iw221oc5oh109ow109kh4kw4sh2sw2ph0pw0dh0dw0n\"seed\"");
    expect_consistent(d);
}

TEST(Descriptor, Defaults) {
    const ConvDescriptor d = parse_descriptor("ic3oc16ih5kh3");
    EXPECT_EQ(d.groups, 1);
    EXPECT_EQ(d.mb, 2);
    EXPECT_EQ(d.ic, 3);
    EXPECT_EQ(d.oc, 16);
    EXPECT_EQ(d.ih, 5);
    EXPECT_EQ(d.iw, 5);  // copies ih
    EXPECT_EQ(d.kw, 3);
    EXPECT_EQ(d.oh, 3);  // no padding
    EXPECT_EQ(d.ow, 3);
    const stridetune::ConvParams &p = d.params;
    EXPECT_EQ(p.stride_h, 1);
    EXPECT_EQ(p.stride_w, 1);
    EXPECT_EQ(p.dilation_h, 1);
    EXPECT_EQ(p.dilation_w, 1);
    EXPECT_EQ(p.pad_top + p.pad_left + p.pad_bottom + p.pad_right, 0);
    EXPECT_EQ(d.name, "");
    EXPECT_EQ(d.occurrences, 1);
    EXPECT_EQ(stridetune::to_string(d), "mb2ic3ih5iw5oc16oh3ow3kh3kw3sh1sw1ph0pw0dh0dw0");
}

TEST(Descriptor, SeparatorsAndSurroundingWhitespace) {
    const ConvDescriptor a = parse_descriptor("mb2_ic3oc16_ih5oh5kh3ph1_n\"x\"");
    const ConvDescriptor b = parse_descriptor("  __mb2ic3__oc16ih5_oh5_kh3ph1_n\"x\"\t\r");
    EXPECT_EQ(a, b);
    EXPECT_EQ(a.oh, 5);
}

TEST(Descriptor, MissingWValuesCopyTheHValues) {
    // The whole h-axis copied, pads and (given) output size too.
    ConvDescriptor d = parse_descriptor("ic4oc8ih10oh12kh3sh1ph2dh1");
    EXPECT_EQ(d.iw, 10);
    EXPECT_EQ(d.kw, 3);
    EXPECT_EQ(d.ow, 12);
    EXPECT_EQ(d.params.stride_w, 1);
    EXPECT_EQ(d.params.dilation_w, 2);
    EXPECT_EQ(d.params.pad_left, 2);
    EXPECT_EQ(d.params.pad_right, d.params.pad_bottom);
    expect_consistent(d);

    // Asymmetric pads deduced from oh (ph = (7-5+3)/2 = 2, bottom 3) are copied, not re-deduced.
    d = parse_descriptor("ic1oc1ih5oh8kh3");
    EXPECT_EQ(d.ow, 8);
    EXPECT_EQ(d.params.pad_left, 2);
    EXPECT_EQ(d.params.pad_right, 3);
    expect_consistent(d);

    // Only iw given: kw, sw, pw copy; ow deduced: (20 + 2 - 3) / 2 + 1 = 10.
    d = parse_descriptor("ic1oc1ih10iw20kh3sh2ph1");
    EXPECT_EQ(d.kw, 3);
    EXPECT_EQ(d.params.stride_w, 2);
    EXPECT_EQ(d.params.pad_left, 1);
    EXPECT_EQ(d.oh, 5);
    EXPECT_EQ(d.ow, 10);
    expect_consistent(d);

    // An explicit pw0 is kept: ow = 10 - 3 + 1 = 8, oh = 10.
    d = parse_descriptor("ic1oc1ih10kh3ph1pw0");
    EXPECT_EQ(d.oh, 10);
    EXPECT_EQ(d.ow, 8);
    EXPECT_EQ(d.params.pad_left, 0);
    expect_consistent(d);

    // ow given, pw missing: pw from ow = (9 - 10 + 3) / 2 = 1.
    d = parse_descriptor("ic1oc1ih10oh8kh3ow10");
    EXPECT_EQ(d.params.pad_top, 0);
    EXPECT_EQ(d.params.pad_left, 1);
    EXPECT_EQ(d.params.pad_right, 1);
    expect_consistent(d);
}

TEST(Descriptor, OneDimensional) {
    for (const char *text : {"ic3oc16_iw5ow5kw3pw1_n\"conv_basic_1d:1st\"", "ic3oc16iw5kw3pw1sh1ph0n\"conv_basic_1d:1st\""}) {
        const ConvDescriptor d = parse_descriptor(text);
        EXPECT_EQ(d.ih, 1) << text;
        EXPECT_EQ(d.kh, 1);
        EXPECT_EQ(d.oh, 1);
        EXPECT_EQ(d.params.stride_h, 1);
        EXPECT_EQ(d.params.dilation_h, 1);
        EXPECT_EQ(d.params.pad_top, 0);
        EXPECT_EQ(d.params.pad_bottom, 0);
        EXPECT_EQ(d.iw, 5);
        EXPECT_EQ(d.kw, 3);
        EXPECT_EQ(d.ow, 5);
        EXPECT_EQ(d.params.pad_left, 1);
        EXPECT_EQ(d.params.pad_right, 1);
        EXPECT_EQ(d.input_dims(), (std::array<int64_t, 4>{2, 1, 5, 3}));
        expect_consistent(d);
        expect_round_trip(d);
    }
    // Output deduced along w: (13 - 1) / 1 + 1.
    EXPECT_EQ(parse_descriptor("ic20oc32_iw13kw1pw0").ow, 13);
    // large_padding.txt: padding around a single input column.
    const ConvDescriptor d = parse_descriptor("ic16oc16_iw1kw3ow100pw100");
    EXPECT_EQ(d.params.pad_right, 1);  // 99 + 3 - 1 - 100
    expect_consistent(d);
}

TEST(Descriptor, DeductionsOfRealLines) {
    // ResNet-50 conv1: oh 112 given, bottom pad 111*2 + 7 - 224 - 3 = 2.
    ConvDescriptor d = parse_descriptor("g1mb50ic3ih224iw224oc64oh112ow112kh7kw7sh2sw2ph3pw3n\"resnet_50:conv1\"");
    EXPECT_EQ(d.params.pad_top, 3);
    EXPECT_EQ(d.params.pad_bottom, 2);
    EXPECT_EQ(d.params.pad_right, 2);
    EXPECT_EQ(stridetune::output_extent(224, 7, 2, 1, 3, 2), 112);
    EXPECT_DOUBLE_EQ(d.flops(), 2.0 * 50 * 112 * 112 * 64 * 7 * 7 * 3);
    expect_consistent(d);
    // The same with oh missing: deduced (224 + 6 - 7) / 2 + 1 = 112.
    EXPECT_EQ(parse_descriptor("mb50ic3ih224oc64kh7sh2ph3n\"resnet_50:conv1\""), d);

    // Pad deduced from the output size (basic.txt's gemm case without ph): ph = (7 - 5 + 3) / 2 = 2, bottom 3.
    d = parse_descriptor("g1ic16oc16_ih5oh8kh3");
    EXPECT_EQ(d.params.pad_top, 2);
    EXPECT_EQ(d.params.pad_bottom, 3);
    expect_consistent(d);

    // dilated.txt:1: dh1 spans 5 rows; bottom 2*2 + 5 - 8 - 1 = 0.
    d = parse_descriptor("mb20ic4ih8oc6oh3kh3sh2ph1dh1n\"dilated_conv:1\"");
    EXPECT_EQ(d.params.dilation_h, 2);
    EXPECT_EQ(d.params.pad_bottom, 0);
    expect_consistent(d);

    // dilated.txt:42/dw: w dilation 3 spans 7; right 55*2 + 7 - 112 - 1 = 4.
    d = parse_descriptor("g64mb1ic64ih112iw112oc64oh56ow56kh3kw3sh2sw2ph1pw1dh1dw2n\"dilated_conv:42/dw\"");
    EXPECT_EQ(d.groups, 64);
    EXPECT_EQ(d.params.pad_bottom, 2);
    EXPECT_EQ(d.params.pad_right, 4);
    EXPECT_DOUBLE_EQ(d.flops(), 2.0 * 1 * 56 * 56 * 64 * 3 * 3 * 64 / 64);
    expect_consistent(d);

    // large_padding.txt: span 29*3 + 1 = 88; bottom 17*3 + 88 - 55 - 29 = 55.
    d = parse_descriptor("ic1oc64_ih55oh18kh30sh3ph29dh2");
    EXPECT_EQ(d.params.dilation_h, 3);
    EXPECT_EQ(d.params.pad_bottom, 55);
    expect_consistent(d);

    // regression_padding.txt: ph larger than the kernel; oh = 10 + 14 - 5 + 1 = 20.
    d = parse_descriptor("mb1ic16oc16_ih10kh5_ph7sh1");
    EXPECT_EQ(d.oh, 20);
    EXPECT_EQ(d.params.pad_bottom, 7);
    expect_consistent(d);

    // regression_padding.txt, asymmetric: ph1 oh15 -> bottom 0; pw0 ow15 -> right 1.
    d = parse_descriptor("mb1ic16oc16_ih16kh3ph1oh15_iw16kw3pw0ow15");
    EXPECT_EQ(d.params.pad_bottom, 0);
    EXPECT_EQ(d.params.pad_right, 1);
    expect_consistent(d);
}

// benchdnn's end padding can be negative; within (-stride, 0) it is clamped
// to 0 (those rows are unread either way), at -stride or below the output
// size is inconsistent.
TEST(Descriptor, NegativeEndPadding) {
    // ResNet-50 res3a_branch2a: 27*2 + 1 - 56 = -1.
    ConvDescriptor d = parse_descriptor("g1mb50ic256ih56iw56oc128oh28ow28kh1kw1sh2sw2ph0pw0n\"resnet_50:res3a_branch2a\"");
    EXPECT_EQ(d.params.pad_bottom, 0);
    EXPECT_EQ(d.params.pad_right, 0);
    expect_consistent(d);
    // 1x1.txt generated_strided_conv:11: 11*12 + 1 - 144 = -11 > -12.
    d = parse_descriptor("ic265oc256_ih144oh12kh1sh12dh0ph0_iw32ow16kw1sw2dw0pw0");
    EXPECT_EQ(d.params.pad_bottom, 0);
    expect_consistent(d);
    // ph deduced negative ((13*4 - 56 + 1) / 2 < 0) is clamped to 0 too.
    d = parse_descriptor("ic1oc1ih56oh14kh1sh4");
    EXPECT_EQ(d.params.pad_top, 0);
    EXPECT_EQ(d.params.pad_bottom, 0);
    expect_consistent(d);

    // 26*2 + 1 - 56 = -3 <= -2: the input gives 28 rows, not 27.
    std::string e = parse_error("ic1oc1ih56oh27kh1sh2ph0");
    EXPECT_THAT(e, HasSubstr("oh 27 is inconsistent"));
    EXPECT_THAT(e, HasSubstr("give oh 28"));
    EXPECT_THAT(e, HasSubstr("cannot be expressed"));
    e = parse_error("ic1oc1ih10iw10oh10ow5kh3ph1");
    EXPECT_THAT(e, HasSubstr("ow 5 is inconsistent"));
    e = parse_error("ic1oc1ih10oh2kh3");  // pad deduced 0, still too small
    EXPECT_THAT(e, HasSubstr("oh 2 is inconsistent"));
}

TEST(Descriptor, DilationConvention) {
    ConvDescriptor d = parse_descriptor("ic1oc1ih9kh3dh0");
    EXPECT_EQ(d.params.dilation_h, 1);
    d = parse_descriptor("ic1oc1ih9kh3dh1");
    EXPECT_EQ(d.params.dilation_h, 2);
    EXPECT_EQ(d.params.dilation_w, 2);
    EXPECT_EQ(d.oh, 5);  // 9 - 5 + 1
    d = parse_descriptor("ic1oc1ih9iw9kh3kw3dh0dw3");
    EXPECT_EQ(d.params.dilation_h, 1);
    EXPECT_EQ(d.params.dilation_w, 4);
    EXPECT_EQ(d.ow, 1);  // span 9
    EXPECT_THAT(stridetune::to_string(d), HasSubstr("dh0dw3"));
}

TEST(Descriptor, NamesAndOccurrences) {
    ConvDescriptor d = parse_descriptor("mb50ic64ih56oc256oh56kh1ph0n\"resnet_50:res2a_branch1*4\"");
    EXPECT_EQ(d.name, "resnet_50:res2a_branch1");
    EXPECT_EQ(d.occurrences, 4);
    EXPECT_THAT(stridetune::to_string(d), HasSubstr("n\"resnet_50:res2a_branch1*4\""));
    expect_round_trip(d);

    d = parse_descriptor("ic1oc1ih5kh3n\"mobilenet:conv8*20\"");
    EXPECT_EQ(d.occurrences, 20);
    d = parse_descriptor("ic1oc1ih5kh3n\"a*b\"");  // not a count
    EXPECT_EQ(d.name, "a*b");
    EXPECT_EQ(d.occurrences, 1);
    d = parse_descriptor("ic1oc1ih5kh3n\"a*3*2\"");  // the last one is
    EXPECT_EQ(d.name, "a*3");
    EXPECT_EQ(d.occurrences, 2);
    d = parse_descriptor("ic1oc1ih5kh3nplain*3");  // unquoted, to the end
    EXPECT_EQ(d.name, "plain");
    EXPECT_EQ(d.occurrences, 3);
    d = parse_descriptor("ic1oc1ih5kh3n\"with # and spaces\"");
    EXPECT_EQ(d.name, "with # and spaces");
    expect_round_trip(d);

    // Names that would read back differently are written so that they do not.
    ConvDescriptor hand = parse_descriptor("ic1oc1ih5kh3");
    hand.name = "a*3";
    EXPECT_THAT(stridetune::to_string(hand), HasSubstr("n\"a*3*1\""));
    expect_round_trip(hand);
    hand.name = "";
    hand.occurrences = 5;
    expect_round_trip(hand);
    hand.name = "quote\"inside";
    EXPECT_THROW(stridetune::to_string(hand), stridetune::Error);
}

TEST(Descriptor, RoundTripOfHandWrittenDescriptors) {
    for (const char *text : {
             "ic3oc16ih5kh3",
             "g4mb7ic20oc20_ih8oh4kh3ph1sh2_n\"grouped\"",
             "mb1ic1iw300oc1kw7sw3dw2pw5",
             "mb3ic5oc7ih17iw23oh9ow4kh4kw2sh2sw6ph3pw2dh1dw0n\"mixed*9\"",
             "ic1oc1ih5oh8kh3",
             "ic1oc1ih4kh3dh1ph1",
             "ic1oc1ih1kh1sh4ph3",
             "mb2147483647ic1oc1ih1kh1",
         }) {
        const ConvDescriptor d = parse_descriptor(text);
        expect_consistent(d);
        expect_round_trip(d);
    }
}

// A grouped problem's group: its share of both channel counts, nothing else changed.
TEST(Descriptor, OneGroupHasItsShareOfTheChannels) {
    const ConvDescriptor grouped = parse_descriptor("g4mb7ic20oc12_ih8oh4kh3ph1sh2_n\"grouped\"");
    ConvDescriptor expected = parse_descriptor("mb7ic5oc3_ih8oh4kh3ph1sh2_n\"grouped\"");
    EXPECT_EQ(grouped.one_group(), expected);
    EXPECT_EQ(expected.one_group(), expected);
    const ConvDescriptor multiplier = parse_descriptor("g32ic32oc64ih14kh3");
    EXPECT_EQ(multiplier.one_group(), parse_descriptor("ic1oc2ih14kh3"));
}

// Depthwise is g = C = K > 1; one call runs such a problem whole, any other
// grouped problem's group.
TEST(Descriptor, OneCallRunsADepthwiseProblemWhole) {
    for (const char *text : {"g32ic32oc32ih14kh3", "g5mb2ic5oc5ih9kh2sh2"}) {
        const ConvDescriptor d = parse_descriptor(text);
        EXPECT_TRUE(d.depthwise()) << text;
        EXPECT_EQ(d.one_call(), d) << text;
    }
    for (const char *text : {"g32ic32oc64ih14kh3", "g4ic32oc32ih14kh3", "ic1oc1ih5kh3", "ic8oc8ih5kh3"}) {
        const ConvDescriptor d = parse_descriptor(text);
        EXPECT_FALSE(d.depthwise()) << text;
        EXPECT_EQ(d.one_call(), d.one_group()) << text;
    }
}

TEST(Descriptor, Errors) {
    struct Case {
        const char *text;
        const char *message;
    };
    const Case cases[] = {
        {"ic3oc16ih5kh3xy4", "unknown field \"xy\" at column 14"},
        {"ic3oc16ih5kh3x4", "unknown field \"x\" at column 14"},
        {"ic3oc16ih5kh3_7", "unknown field \"7\" at column 15"},
        {"ic3oc16ihkh3", "missing number after \"ih\" at column 8"},
        {"ic3oc16ih5kh", "missing number after \"kh\" at column 11"},
        {"ic3oc16ih5kh3ph-1", "\"ph\" at column 14 has a signed number"},
        {"ic0oc16ih5kh3", "\"ic\" at column 1 is 0, must be positive"},
        {"ic3oc16ih5kh0", "\"kh\" at column 11 is 0, must be positive"},
        {"ic3oc16ih0kh1", "\"ih\" at column 8 is 0"},
        {"ic3oc16ih5kh3sh0", "\"sh\" at column 14 is 0"},
        {"mb0ic3oc16ih5kh3", "\"mb\" at column 1 is 0"},
        {"g0ic3oc16ih5kh3", "\"g\" at column 1 is 0"},
        {"ic3oc16ih5oh0kh3", "\"oh\" at column 11 is 0"},
        {"ic99999999999oc1ih5kh3", "\"ic\" at column 1 is too large"},
        {"ic1oc1ih5kh3n\"x*99999999999\"", "occurrence count *99999999999 at column 16 is too large"},
        {"ic1oc1ih2147483647kh2147483647dh1", "the dilated kernel along h"},
        {"ic3ih5kh3", "oc missing"},
        {"oc3ih5kh3", "ic missing"},
        {"ic3oc16", "no spatial sizes"},
        {"ic3oc16kh3oh5", "ih missing"},
        {"ic3oc16ih5", "kh missing"},
        {"ic3oc16iw5", "kw missing"},
        {"ic3oc16kw5", "iw missing"},
        {"ic3oc16ih5ih6kh3", "\"ih\" given twice, at column 8 and column 11"},
        {"g3ic4oc6ih5kh3", "g 3 does not divide ic 4 and oc 6"},
        {"ic3oc16_id5od5kd3pd1", "\"id\" at column 9: 3-D (id/kd/...) problems are not supported"},
        {"ic3oc16ih5kh3kd1", "3-D (id/kd/...) problems are not supported"},
        {"ic3oc16ih5kh3sd1", "3-D (id/kd/...) problems are not supported"},
        {"ic1oc1ih4kh5", "empty effective input along h"},
        {"ic1oc1ih4kh3dh1", "shorter than the dilated kernel (5)"},
        {"ic1oc1ih6iw4kh3kw5", "empty effective input along w"},
        {"ic1oc1ih56oh27kh1sh2", "oh 27 is inconsistent"},
        {"ic1oc1ih5kh3n\"abc", "unterminated name: the quote at column 14 is not closed"},
        {"ic1oc1ih5kh3n\"abc\"kh3", "unexpected text after the name at column 19"},
        {"ic1oc1 ih5kh3", "unexpected whitespace at column 7"},
        {"ic1oc1ih5kh3n\"x*0\"", "occurrence count *0 at column 16 must be positive"},
        {"", "empty descriptor"},
        {"   ", "empty descriptor"},
    };
    for (const Case &c : cases) {
        const std::string e = parse_error(c.text);
        EXPECT_THAT(e, HasSubstr(c.message)) << c.text;
        EXPECT_THAT(e, HasSubstr(std::string("stridetune: descriptor \"")));
    }
}

// The canonical form of "ic3oc16ih5kh3", which the post-op tests extend.
const std::string bare = "mb2ic3ih5iw5oc16oh3ow3kh3kw3sh1sw1ph0pw0dh0dw0";

TEST(DescriptorPostOps, EachAlone) {
    ConvDescriptor d = parse_descriptor("ic3oc16ih5kh3");
    EXPECT_FALSE(d.post_ops.any());

    d = parse_descriptor("ic3oc16ih5kh3+bias");
    EXPECT_TRUE(d.post_ops.bias);
    EXPECT_FALSE(d.post_ops.sum);
    EXPECT_FALSE(d.post_ops.relu);
    EXPECT_FALSE(d.post_ops.clip);
    EXPECT_EQ(d.oh, 3);  // the fields are read as before
    EXPECT_EQ(stridetune::to_string(d), bare + "+bias");

    d = parse_descriptor("ic3oc16ih5kh3+sum:1");
    EXPECT_FALSE(d.post_ops.bias);
    EXPECT_EQ(d.post_ops.sum, 1.0f);
    EXPECT_FALSE(d.post_ops.relu);
    EXPECT_EQ(stridetune::to_string(d), bare + "+sum:1");

    d = parse_descriptor("ic3oc16ih5kh3+relu:0");
    EXPECT_EQ(d.post_ops.relu, 0.0f);
    EXPECT_FALSE(d.post_ops.sum);
    EXPECT_EQ(stridetune::to_string(d), bare + "+relu:0");

    d = parse_descriptor("ic3oc16ih5kh3+relu:0.1");
    EXPECT_EQ(d.post_ops.relu, 0.1f);

    d = parse_descriptor("ic3oc16ih5kh3+clip:0:6");
    ASSERT_TRUE(d.post_ops.clip);
    EXPECT_EQ(d.post_ops.clip->lower, 0.0f);
    EXPECT_EQ(d.post_ops.clip->upper, 6.0f);
    EXPECT_FALSE(d.post_ops.bias);
    EXPECT_EQ(stridetune::to_string(d), bare + "+clip:0:6");
}

TEST(DescriptorPostOps, CombinedAndNamed) {
    ConvDescriptor d = parse_descriptor("mb1ic64ih56oc64oh56kh3ph1+bias+sum:1+relu:0n\"res2a_branch2c\"");
    EXPECT_TRUE(d.post_ops.bias);
    EXPECT_EQ(d.post_ops.sum, 1.0f);
    EXPECT_EQ(d.post_ops.relu, 0.0f);
    EXPECT_FALSE(d.post_ops.clip);
    EXPECT_EQ(d.name, "res2a_branch2c");
    EXPECT_EQ(d.oh, 56);
    EXPECT_EQ(stridetune::to_string(d),
              "mb1ic64ih56iw56oc64oh56ow56kh3kw3sh1sw1ph1pw1dh0dw0+bias+sum:1+relu:0n\"res2a_branch2c\"");

    d = parse_descriptor("ic3oc16ih5kh3_+bias+sum:0.5+relu:-0.125+clip:-inf:6n\"all*3\"");
    EXPECT_TRUE(d.post_ops.bias);
    EXPECT_EQ(d.post_ops.sum, 0.5f);
    EXPECT_EQ(d.post_ops.relu, -0.125f);
    ASSERT_TRUE(d.post_ops.clip);
    EXPECT_EQ(d.post_ops.clip->lower, -std::numeric_limits<float>::infinity());
    EXPECT_EQ(d.post_ops.clip->upper, 6.0f);
    EXPECT_EQ(d.name, "all");
    EXPECT_EQ(d.occurrences, 3);
    EXPECT_EQ(stridetune::to_string(d), bare + "+bias+sum:0.5+relu:-0.125+clip:-inf:6n\"all*3\"");

    // Any subset, in order; the unquoted name follows a number or a keyword directly.
    d = parse_descriptor("ic3oc16ih5kh3+relu:0+clip:0:6nmobilenet:relu6*2");
    EXPECT_FALSE(d.post_ops.bias);
    EXPECT_FALSE(d.post_ops.sum);
    EXPECT_EQ(d.post_ops.relu, 0.0f);
    EXPECT_EQ(d.post_ops.clip->upper, 6.0f);
    EXPECT_EQ(d.name, "mobilenet:relu6");
    EXPECT_EQ(d.occurrences, 2);
    d = parse_descriptor("ic3oc16ih5kh3+biasn\"b\"");
    EXPECT_TRUE(d.post_ops.bias);
    EXPECT_EQ(d.name, "b");
    d = parse_descriptor("ic3oc16ih5kh3+bias+clip:0:inf");
    EXPECT_TRUE(d.post_ops.bias);
    EXPECT_EQ(d.post_ops.clip->upper, std::numeric_limits<float>::infinity());

    // Exponents, and the forms from_chars reads besides.
    d = parse_descriptor("ic3oc16ih5kh3+sum:2.5e3+relu:-1E-2+clip:-INF:.5");
    EXPECT_EQ(d.post_ops.sum, 2500.0f);
    EXPECT_EQ(d.post_ops.relu, -0.01f);
    EXPECT_EQ(d.post_ops.clip->lower, -std::numeric_limits<float>::infinity());
    EXPECT_EQ(d.post_ops.clip->upper, 0.5f);
    EXPECT_EQ(stridetune::to_string(d), bare + "+sum:2500+relu:-0.01+clip:-inf:0.5");
    EXPECT_EQ(parse_descriptor("ic3oc16ih5kh3+sum:1e+10+relu:0").post_ops.sum, 1e10f);
}

// Hand-built post-ops are written in the shortest form that reads back,
// the exponent without '+' or leading zeros, and parse back to themselves.
TEST(DescriptorPostOps, RoundTrip) {
    const float inf = std::numeric_limits<float>::infinity();
    struct Case {
        stridetune::PostOps post_ops;
        const char *suffix;
    };
    const Case cases[] = {
        {{true, std::nullopt, std::nullopt, std::nullopt}, "+bias"},
        {{false, 0.1f, std::nullopt, std::nullopt}, "+sum:0.1"},
        {{false, -1.0f, -0.01f, std::nullopt}, "+sum:-1+relu:-0.01"},
        {{false, std::nullopt, 0.2f, stridetune::PostOps::Clip{-0.1f, 0.3f}}, "+relu:0.2+clip:-0.1:0.3"},
        {{false, 1.0f / 3.0f, std::nullopt, std::nullopt}, "+sum:0.33333334"},
        {{false, 1e10f, 1e-5f, std::nullopt}, "+sum:1e10+relu:1e-5"},
        {{false, std::numeric_limits<float>::max(), std::numeric_limits<float>::denorm_min(), std::nullopt},
         "+sum:3.4028235e38+relu:1e-45"},
        {{true, 123456.79f, std::nullopt, stridetune::PostOps::Clip{-inf, inf}}, "+bias+sum:123456.79+clip:-inf:inf"},
        {{false, std::nullopt, std::nullopt, stridetune::PostOps::Clip{6.0f, 6.0f}}, "+clip:6:6"},
        {{false, std::nullopt, std::nullopt, stridetune::PostOps::Clip{-inf, -inf}}, "+clip:-inf:-inf"},
        // -0 equals 0, and is written as it.
        {{false, std::nullopt, -0.0f, std::nullopt}, "+relu:0"},
    };
    for (const Case &c : cases) {
        ConvDescriptor d = parse_descriptor("ic3oc16ih5kh3");
        d.post_ops = c.post_ops;
        EXPECT_EQ(stridetune::to_string(d), bare + c.suffix);
        expect_round_trip(d);
        d.name = "named";
        d.occurrences = 4;
        EXPECT_EQ(stridetune::to_string(d), bare + c.suffix + "n\"named*4\"");
        expect_round_trip(d);
    }
}

TEST(DescriptorPostOps, EqualityComparesThePostOps) {
    const ConvDescriptor bare_d = parse_descriptor("ic3oc16ih5kh3");
    EXPECT_NE(bare_d, parse_descriptor("ic3oc16ih5kh3+bias"));
    EXPECT_NE(parse_descriptor("ic3oc16ih5kh3+relu:0"), bare_d);
    EXPECT_NE(parse_descriptor("ic3oc16ih5kh3+relu:0"), parse_descriptor("ic3oc16ih5kh3+relu:0.1"));
    EXPECT_NE(parse_descriptor("ic3oc16ih5kh3+sum:1"), parse_descriptor("ic3oc16ih5kh3+relu:1"));
    EXPECT_NE(parse_descriptor("ic3oc16ih5kh3+clip:0:6"), parse_descriptor("ic3oc16ih5kh3+clip:0:7"));
    EXPECT_NE(parse_descriptor("ic3oc16ih5kh3+clip:0:6"), parse_descriptor("ic3oc16ih5kh3+clip:-1:6"));
    EXPECT_EQ(parse_descriptor("ic3oc16ih5kh3+clip:0:6"), parse_descriptor("ic3oc16ih5kh3+clip:0.0:6e0"));
    EXPECT_EQ(parse_descriptor("ic3oc16ih5kh3+relu:-0"), parse_descriptor("ic3oc16ih5kh3+relu:0"));

    stridetune::PostOps a, b;
    EXPECT_EQ(a, b);
    a.clip = stridetune::PostOps::Clip{0.0f, 6.0f};
    EXPECT_NE(a, b);
    b.clip = stridetune::PostOps::Clip{0.0f, 6.0f};
    EXPECT_EQ(a, b);
    b.bias = true;
    EXPECT_NE(a, b);
}

// A layer with post-ops is tuned apart from the bare one; the name still goes.
TEST(DescriptorPostOps, ProblemKeyKeepsThem) {
    const std::string key = stridetune::problem_key(parse_descriptor("ic3oc16ih5kh3+bias+relu:0n\"layer*3\""));
    EXPECT_EQ(key, bare + "+bias+relu:0");
    EXPECT_EQ(stridetune::problem_key(parse_descriptor("ic3oc16ih5kh3n\"layer*3\"")), bare);
    EXPECT_NE(stridetune::problem_key(parse_descriptor("ic3oc16ih5kh3+relu:0")),
              stridetune::problem_key(parse_descriptor("ic3oc16ih5kh3+relu:0.1")));
    EXPECT_EQ(parse_descriptor(key), parse_descriptor("ic3oc16ih5kh3+bias+relu:0"));
}

// Post-ops parsing would not give back are refused, as names are.
TEST(DescriptorPostOps, UnwritableRefused) {
    ConvDescriptor d = parse_descriptor("ic3oc16ih5kh3");
    d.post_ops.relu = std::numeric_limits<float>::quiet_NaN();
    try {
        stridetune::to_string(d);
        ADD_FAILURE() << "NaN written";
    } catch (const stridetune::Error &e) {
        EXPECT_THAT(e.what(), HasSubstr("post-ops +relu:nan"));
    }
    d.post_ops.relu.reset();
    d.post_ops.clip = stridetune::PostOps::Clip{6.0f, 0.0f};
    try {
        stridetune::to_string(d);
        ADD_FAILURE() << "clip 6:0 written";
    } catch (const stridetune::Error &e) {
        EXPECT_THAT(e.what(), HasSubstr("post-ops +clip:6:0"));
    }
    EXPECT_THROW(stridetune::problem_key(d), stridetune::Error);
}

TEST(DescriptorPostOps, Errors) {
    struct Case {
        const char *text;
        const char *message;
    };
    // "ic3oc16ih5kh3" is 13 characters: the first '+' is at column 14.
    const Case cases[] = {
        {"ic3oc16ih5kh3+gelu", "unknown post-op \"+gelu\" at column 14"},
        {"ic3oc16ih5kh3+", "unknown post-op \"+\" at column 14"},
        {"ic3oc16ih5kh3+bia", "unknown post-op \"+bia\" at column 14"},
        {"ic3oc16ih5kh3+bias+Relu:0", "unknown post-op \"+Relu\" at column 19"},
        {"ic3oc16ih5kh3+bias+bias", "\"+bias\" given twice, at column 14 and column 19"},
        {"ic3oc16ih5kh3+relu:0+relu:1", "\"+relu\" given twice, at column 14 and column 21"},
        {"ic3oc16ih5kh3+relu:0+sum:1", "\"+sum\" at column 21 comes after \"+relu\" at column 14"},
        {"ic3oc16ih5kh3+clip:0:6+bias", "\"+bias\" at column 23 comes after \"+clip\" at column 14"},
        {"ic3oc16ih5kh3+relu", "missing \":\" at column 19 in \"+relu\" at column 14 (+relu:A)"},
        {"ic3oc16ih5kh3+sum1", "missing \":\" at column 18 in \"+sum\" at column 14 (+sum:S)"},
        {"ic3oc16ih5kh3+clip:0", "missing \":\" at column 21 in \"+clip\" at column 14 (+clip:LO:HI)"},
        {"ic3oc16ih5kh3+clip:0+bias", "missing \":\" at column 21 in \"+clip\""},
        {"ic3oc16ih5kh3+relu:", "missing number at column 20 in \"+relu\" at column 14"},
        {"ic3oc16ih5kh3+relu:+bias", "missing number at column 20 in \"+relu\""},
        {"ic3oc16ih5kh3+clip::6", "missing number at column 20 in \"+clip\""},
        {"ic3oc16ih5kh3+clip:0:", "missing number at column 22 in \"+clip\""},
        {"ic3oc16ih5kh3+relu:n\"x\"", "missing number at column 20 in \"+relu\""},
        {"ic3oc16ih5kh3+relu:abc", "bad number \"abc\" at column 20 in \"+relu\" at column 14"},
        {"ic3oc16ih5kh3+sum:-", "bad number \"-\" at column 19 in \"+sum\""},
        {"ic3oc16ih5kh3+relu:nan", "number nan at column 20 in \"+relu\" at column 14 is NaN"},
        {"ic3oc16ih5kh3+clip:-NaN:0", "number -NaN at column 20 in \"+clip\" at column 14 is NaN"},
        {"ic3oc16ih5kh3+sum:1e50", "number 1e50 at column 19 in \"+sum\" at column 14 is out of the range of float"},
        {"ic3oc16ih5kh3+relu:0.5x", "unexpected \"x\" at column 23 after \"+relu\" at column 14"},
        {"ic3oc16ih5kh3+sum:1:2", "unexpected \":\" at column 20 after \"+sum\" at column 14"},
        {"ic3oc16ih5kh3+clip:0:6:7", "unexpected \":\" at column 23 after \"+clip\""},
        {"ic3oc16ih5kh3+bias:1", "unexpected \":\" at column 19 after \"+bias\" at column 14"},
        {"ic3oc16ih5kh3+relu:0_n\"x\"", "unexpected \"_\" at column 21 after \"+relu\""},
        {"ic3oc16ih5kh3+relu:0x1", "unexpected \"x\" at column 21 after \"+relu\""},
        {"ic3oc16ih5+biaskh3", "unexpected \"k\" at column 16 after \"+bias\" at column 11"},
        {"ic3oc16ih5kh3+clip:6:0", "clip lower bound 6 is above the upper bound 0 in \"+clip\" at column 14"},
        {"ic3oc16ih5kh3+clip:inf:-inf", "clip lower bound inf is above the upper bound -inf in \"+clip\""},
        {"ic3oc16ih5kh3+clip:0.5:0.25", "clip lower bound 0.5 is above the upper bound 0.25"},
        {"ic3oc16ih5kh3n\"x\"+bias", "unexpected text after the name at column 18"},
    };
    for (const Case &c : cases) {
        const std::string e = parse_error(c.text);
        EXPECT_THAT(e, HasSubstr(c.message)) << c.text;
        EXPECT_THAT(e, HasSubstr(std::string("stridetune: descriptor \"") + c.text + "\": ")) << c.text;
    }
}

// A file in the test's temporary directory, removed afterwards.
class TempFile {
public:
    explicit TempFile(const std::string &content) {
        const auto *info = testing::UnitTest::GetInstance()->current_test_info();
        path_ = testing::TempDir() + "stridetune_descriptor_" + info->name() + "_" + std::to_string(getpid()) + ".txt";
        std::ofstream(path_, std::ios::binary) << content;
    }
    ~TempFile() { std::filesystem::remove(path_); }
    const std::string &path() const { return path_; }

private:
    std::string path_;
};

TEST(DescriptorFile, CommentsBlankLinesAndLineNumbers) {
    const TempFile file("# a comment\n"
                        "\n"
                        "ic3oc16ih5kh3n\"first\"   # trailing comment\n"
                        "   \t\n"
                        "  mb4_ic8oc8_ih7kh3ph1n\"has # inside*2\"\r\n"
                        "#ic1oc1ih1kh1\n"
                        "ic1oc1iw9kw3");
    const std::vector<stridetune::DescriptorLine> lines = stridetune::read_descriptor_file(file.path());
    ASSERT_EQ(lines.size(), 3u);
    EXPECT_EQ(lines[0].line_number, 3);
    EXPECT_EQ(lines[0].descriptor.name, "first");
    EXPECT_EQ(lines[1].line_number, 5);
    EXPECT_EQ(lines[1].descriptor.name, "has # inside");
    EXPECT_EQ(lines[1].descriptor.occurrences, 2);
    EXPECT_EQ(lines[1].descriptor.mb, 4);
    EXPECT_EQ(lines[1].descriptor.oh, 7);
    EXPECT_EQ(lines[2].line_number, 7);
    EXPECT_EQ(lines[2].descriptor.ow, 7);
}

TEST(DescriptorFile, BadLineNamesFileAndLine) {
    const TempFile file("ic3oc16ih5kh3\n# fine so far\n\nic3oc16ih5kh3qq1  # bad\n");
    try {
        stridetune::read_descriptor_file(file.path());
        ADD_FAILURE() << "no error";
    } catch (const stridetune::Error &e) {
        EXPECT_THAT(e.what(), HasSubstr(file.path() + ":4: descriptor \"ic3oc16ih5kh3qq1\": unknown field \"qq\""));
    }
}

TEST(DescriptorFile, ThreeDLinesRejectedOrSkipped) {
    const TempFile file("ic3oc16ih5kh3\nic3oc16_id5od5kd3pd1_n\"conv_basic_3d:1st\"\nic3oc16ih7kh3\n");
    try {
        stridetune::read_descriptor_file(file.path());
        ADD_FAILURE() << "no error";
    } catch (const stridetune::Error &e) {
        EXPECT_THAT(e.what(), HasSubstr(file.path() + ":2: "));
        EXPECT_THAT(e.what(), HasSubstr("3-D (id/kd/...) problems are not supported"));
    }
    const auto lines = stridetune::read_descriptor_file(file.path(), /*skip_3d=*/true);
    ASSERT_EQ(lines.size(), 2u);
    EXPECT_EQ(lines[0].line_number, 1);
    EXPECT_EQ(lines[1].line_number, 3);

    // skip_3d skips 3-D lines only: other errors still throw.
    const TempFile bad("ic3oc16_id5od5kd3pd1\nic3oc16ih5\n");
    EXPECT_THROW(stridetune::read_descriptor_file(bad.path(), true), stridetune::Error);
}

TEST(DescriptorFile, MissingFile) {
    const std::string path = testing::TempDir() + "stridetune_descriptor_no_such_file.txt";
    try {
        stridetune::read_descriptor_file(path);
        ADD_FAILURE() << "no error";
    } catch (const stridetune::Error &e) {
        EXPECT_THAT(e.what(), HasSubstr(path));
        EXPECT_THAT(e.what(), HasSubstr("cannot be opened"));
    }
}

// Every line of every file in bench/shapes (oneDNN's benchdnn inputs):
// split here independently of the reader; each 2-D line parses, is
// consistent and round-trips, each 3-D line gives the 3-D error, and the
// reader (skip_3d) returns exactly the 2-D lines.
TEST(DescriptorShapeFiles, EveryLineParsesOrIsThreeD) {
    const std::filesystem::path dir(STRIDETUNE_SHAPES_DIR);
    ASSERT_TRUE(std::filesystem::is_directory(dir)) << dir;
    const std::regex three_d_field("(id|od|kd|sd|pd|dd)[0-9]");
    int files = 0, two_d = 0, three_d = 0;
    for (const auto &entry : std::filesystem::directory_iterator(dir)) {
        if (entry.path().extension() != ".txt") continue;
        files++;
        std::ifstream in(entry.path());
        std::string line;
        std::vector<int> two_d_lines;
        for (int number = 1; std::getline(in, line); number++) {
            const std::string text = line.substr(0, line.find('#'));  // no '#' in these names
            if (text.find_first_not_of(" \t\r") == std::string::npos) continue;
            const std::string fields = text.substr(0, text.find('n'));
            const std::string where = entry.path().filename().string() + ":" + std::to_string(number);
            if (std::regex_search(fields, three_d_field)) {
                three_d++;
                EXPECT_THAT(parse_error(text), HasSubstr("3-D (id/kd/...) problems are not supported")) << where;
                continue;
            }
            two_d++;
            two_d_lines.push_back(number);
            try {
                const ConvDescriptor d = parse_descriptor(text);
                expect_consistent(d);
                expect_round_trip(d);
                EXPECT_GE(d.occurrences, 1);
                EXPECT_EQ(d.ic % d.groups, 0);
            } catch (const stridetune::Error &e) {
                ADD_FAILURE() << where << ": " << e.what();
            }
        }
        std::vector<int> read;
        for (const auto &l : stridetune::read_descriptor_file(entry.path().string(), true)) read.push_back(l.line_number);
        EXPECT_EQ(read, two_d_lines) << entry.path();
    }
    EXPECT_GT(files, 0);
    EXPECT_GT(two_d, 0);
    RecordProperty("two_d_lines", two_d);
    RecordProperty("three_d_lines", three_d);
}

// The layer counts of the ResNet-50 file, a check of the *N reading on a real file.
TEST(DescriptorShapeFiles, ResNet50Occurrences) {
    const std::filesystem::path file = std::filesystem::path(STRIDETUNE_SHAPES_DIR) / "resnet_50.txt";
    const auto lines = stridetune::read_descriptor_file(file.string());
    int64_t layers = 0;
    for (const auto &l : lines) layers += l.descriptor.occurrences;
    EXPECT_EQ(lines.size(), 20u);
    EXPECT_EQ(layers, 53);  // ResNet-50's convolutions: 1 + 16*3 + 4 projection shortcuts
    EXPECT_EQ(lines.front().line_number, 3);
    EXPECT_EQ(lines.front().descriptor.name, "resnet_50:conv1");
    EXPECT_EQ(lines.front().descriptor.params.pad_bottom, 2);
}

}  // namespace
}  // namespace stridetune_test
