// When the tuner's search stops before its budget (tools/tune/early_stop.h):
// the times below are screening medians, as the search feeds them.
#include <gtest/gtest.h>

#include "early_stop.h"

namespace stridetune_test {
namespace {

using stridetune::tune::EarlyStop;

constexpr bool pick = true, other = false;
constexpr bool local = true, general = false;

TEST(EarlyStop, StopsWhenThePickIsBestAndTheLocalSearchStalls) {
    EarlyStop stop;
    stop.measured(1.00, pick, general);
    stop.measured(1.20, other, general);
    for (size_t i = 0; i < EarlyStop::patience; i++) {
        EXPECT_FALSE(stop.reached()) << "after " << i << " local candidates";
        stop.measured(1.01, other, local);
    }
    EXPECT_TRUE(stop.reached()) << stop.reason();
}

TEST(EarlyStop, AnImprovementWithinNoiseIsNone) {
    EarlyStop stop;
    stop.measured(1.00, pick, general);
    for (size_t i = 0; i < EarlyStop::patience; i++) stop.measured(1.0 - 0.005 * double(i + 1), other, local);
    EXPECT_TRUE(stop.reached()) << stop.reason();
}

TEST(EarlyStop, NeverWhileAnotherKernelBeatsThePickBeyondNoise) {
    EarlyStop stop;
    stop.measured(1.10, pick, general);
    stop.measured(1.00, other, general);
    for (int i = 0; i < 20; i++) stop.measured(1.00, other, local);
    EXPECT_FALSE(stop.reached()) << stop.reason();
}

TEST(EarlyStop, ThePickRemeasuredLevelWithTheBestMayStop) {
    EarlyStop stop;
    stop.measured(1.10, pick, general);
    stop.pick_remeasured(1.01);
    stop.measured(1.00, other, general);
    for (size_t i = 0; i < EarlyStop::patience; i++) stop.measured(1.00, other, local);
    EXPECT_TRUE(stop.reached()) << stop.reason();
}

TEST(EarlyStop, ThePickRemeasuredSlowerStillDoesNotStop) {
    EarlyStop stop;
    stop.measured(1.00, pick, general);
    stop.measured(0.98, other, general);
    stop.pick_remeasured(1.10);
    for (size_t i = 0; i < 20; i++) stop.measured(1.00, other, local);
    EXPECT_FALSE(stop.reached()) << stop.reason();
}

TEST(EarlyStop, NeverWithoutThePickMeasured) {
    EarlyStop stop;  // e.g. the pick failed on the problem
    for (int i = 0; i < 20; i++) stop.measured(1.00, other, local);
    EXPECT_FALSE(stop.reached());
}

TEST(EarlyStop, OnlyTheLocalSearchSpendsPatience) {
    EarlyStop stop;
    stop.measured(1.00, pick, general);
    for (int i = 0; i < 20; i++) stop.measured(1.05, other, general);
    EXPECT_FALSE(stop.reached()) << "the general-purpose kernels are screened whole";
}

TEST(EarlyStop, ALocalImprovementBeyondNoiseRestartsThePatience) {
    EarlyStop stop;
    stop.measured(1.00, other, general);
    for (size_t i = 0; i + 1 < EarlyStop::patience; i++) stop.measured(1.00, other, local);
    stop.measured(0.90, other, local);
    // The pick measured last, level with the new best: patience starts again.
    stop.measured(0.90, pick, local);
    EXPECT_FALSE(stop.reached()) << stop.reason();
}

}  // namespace
}  // namespace stridetune_test
