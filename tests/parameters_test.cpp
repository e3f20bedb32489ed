// Kernel parameters (stridetune::Parameters), the schedule a configuration
// belongs to, and the problem key, against values written out by hand.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "stridetune.h"

namespace stridetune_test {
namespace {

using stridetune::Parameters;
using stridetune::Schedule;
using testing::HasSubstr;

TEST(Parameters, AnyOrderGivesTheCanonicalText) {
    EXPECT_EQ(Parameters::parse("x_width=4 lanes=channels  rows=2\tchannel_width=1").to_string(),
              "channel_width=1 lanes=channels rows=2 x_width=4");
    EXPECT_EQ(Parameters::parse("").to_string(), "");
    EXPECT_EQ(Parameters::parse("  ").to_string(), "");
    // Values keep everything after the first '=' (an estimate is a descriptor).
    EXPECT_EQ(Parameters::parse("estimate=mb1ic3ih9oc4kh3 autoscheduler=Adams2019").get("estimate"), "mb1ic3ih9oc4kh3");
    EXPECT_EQ(Parameters::parse("a=b=c").get("a"), "b=c");
}

TEST(Parameters, SortsAsTheBuildDoes) {
    // cmake's list(SORT) orders whole "key=value" items: '=' sorts after digits.
    EXPECT_EQ(Parameters::parse("a=1 a1=2").to_string(), "a1=2 a=1");
}

TEST(Parameters, GetHasSetErase) {
    Parameters p = Parameters::parse("lanes=pixels x_width=2");
    EXPECT_TRUE(p.has("lanes"));
    EXPECT_FALSE(p.has("rows"));
    EXPECT_EQ(p.get("x_width"), "2");
    EXPECT_EQ(p.get("rows"), std::nullopt);
    p.set("rows", "3").set("x_width", "1");
    EXPECT_EQ(p.to_string(), "lanes=pixels rows=3 x_width=1");
    p.erase("lanes").erase("absent");
    EXPECT_EQ(p.to_string(), "rows=3 x_width=1");
    EXPECT_EQ(p, Parameters::parse("x_width=1 rows=3"));
    EXPECT_NE(p, Parameters::parse("x_width=1"));
}

TEST(Parameters, Includes) {
    const Parameters p = Parameters::parse("lanes=pixels patches=whole x_width=2");
    EXPECT_TRUE(p.includes(Parameters::parse("patches=whole")));
    EXPECT_TRUE(p.includes(Parameters()));
    EXPECT_FALSE(p.includes(Parameters::parse("patches=tile")));
    EXPECT_FALSE(p.includes(Parameters::parse("rows=1")));
}

void expect_bad(const char *text, const char *fault) {
    try {
        Parameters::parse(text);
        ADD_FAILURE() << "parsed \"" << text << "\"";
    } catch (const stridetune::Error &e) {
        EXPECT_THAT(e.what(), HasSubstr(fault)) << text;
    }
}

TEST(Parameters, MalformedItemsAreErrors) {
    expect_bad("lanes=pixels rows", "item \"rows\" is not key=value");
    expect_bad("=3", "item \"=3\" is not key=value");
    expect_bad("rows=1 rows=2", "rows is given twice");
}

// Tuned configurations have tile sizes of their own; the strategy items decide.
TEST(ScheduleOf, FollowsTheStrategyItems) {
    const auto of = [](const char *generator, const char *parameters) {
        return stridetune::schedule_of(generator, Parameters::parse(parameters));
    };
    EXPECT_EQ(of("direct", "lanes=channels"), Schedule::direct_channels);
    EXPECT_EQ(of("direct", "channel_width=3 lanes=channels rows=2 x_width=8"), Schedule::direct_channels);
    // The row with the most strategy items wins: direct_channels' are a subset.
    EXPECT_EQ(of("direct", "channel_width=1 lanes=channels outer=channels rows=4"), Schedule::direct_channel_blocks);
    EXPECT_EQ(of("direct", "lanes=channels outer=rows"), Schedule::direct_channels);
    EXPECT_EQ(of("direct", "channel_width=3 lanes=channels outer=channels padding=none x_width=5"),
              Schedule::direct_in_place_channel_blocks);
    // A row's own parameters are that row's, though its strategy is another's.
    EXPECT_EQ(of("direct", "channel_width=1 lanes=channels outer=tiles padding=none rows=2 x_width=7"),
              Schedule::direct_in_place_one_vector);
    EXPECT_EQ(of("direct", "channel_width=1 lanes=channels padding=none rows=1 x_width=7"), Schedule::direct_in_place);
    EXPECT_EQ(of("direct", "channel_width=4 lanes=channels outer=channels padding=none x_width=1"),
              Schedule::direct_in_place_one_pixel);
    EXPECT_EQ(of("direct", "channel_width=5 lanes=pixels vector_width=8"), Schedule::direct_pixels);
    EXPECT_EQ(of("direct", "lanes=pixels phases=staged x_width=2"), Schedule::direct_pixels_staged_phases);
    EXPECT_EQ(of("copy_then_gemm", "lanes=channels patches=tile rows=2"), Schedule::gemm_tile);
    EXPECT_EQ(of("copy_then_gemm", "lanes=pixels patches=tile x_width=2"), Schedule::gemm_tile_pixels);
    EXPECT_EQ(of("copy_then_gemm", "lanes=pixels patches=whole"), Schedule::gemm_whole);
    EXPECT_EQ(of("copy_then_gemm", "lanes=channels patches=whole"), Schedule::gemm_whole);
    EXPECT_EQ(of("autoscheduled", "autoscheduler=Mullapudi2016 estimate=mb1ic3ih9oc4kh3"), Schedule::mullapudi2016);
    EXPECT_EQ(of("autoscheduled", "autoscheduler=Adams2019 estimate=mb1ic3ih9oc4kh3"), Schedule::adams2019);
    // Without its strategy items: the generator's first schedule.
    EXPECT_EQ(of("direct", ""), Schedule::direct_channels);
}

TEST(ScheduleOf, StrategyItemsLeaveTheTileSizesOut) {
    EXPECT_EQ(stridetune::strategy_items(Parameters::parse("channel_width=3 lanes=channels patches=tile rows=2"))
                  .to_string(),
              "lanes=channels patches=tile");
    EXPECT_EQ(stridetune::strategy_items(Parameters::parse("autoscheduler=Adams2019 estimate=mb1ic3ih9oc4kh3"))
                  .to_string(),
              "autoscheduler=Adams2019");
}

TEST(ProblemKey, EverySpellingOfAProblemHasOne) {
    const std::string key = "mb1ic64ih56iw56oc128oh28ow28kh3kw3sh2sw2ph1pw1dh0dw0";
    EXPECT_EQ(stridetune::problem_key(stridetune::parse_descriptor("mb1ic64ih56oc128kh3sh2ph1")), key);
    EXPECT_EQ(stridetune::problem_key(stridetune::parse_descriptor("mb1_ic64oc128_ih56kh3sh2ph1n\"res3a*4\"")), key);
    EXPECT_EQ(stridetune::problem_key(stridetune::parse_descriptor(key)), key);
}

}  // namespace
}  // namespace stridetune_test
