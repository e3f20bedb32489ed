// The create-once operator, stridetune::Convolution: one operator run from
// many threads at once; bit-identical to convolve() with the same kernel (every
// general-purpose kernel at every level this CPU runs); the caller's filter
// copied at creation; every bad input of run() and of creation an Error
// naming the field, with the output untouched; what it reports (plan,
// problem, packed bytes); both constructors; moves; strided views. Every
// result is checked against the independent reference (reference.cpp).
#include <algorithm>
#include <array>
#include <atomic>
#include <cstdint>
#include <cstring>
#include <functional>
#include <limits>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "compare.h"
#include "conv_problem.h"
#include "problem_data.h"
#include "random_fill.h"
#include "random_problem.h"
#include "reference.h"
#include "schedule_isa.h"
#include "stridetune.h"
#include "test_buffer.h"
#include "thrown_message.h"

namespace stridetune_test {
namespace {

using stridetune::ConstTensor;
using stridetune::ConvDescriptor;
using stridetune::Convolution;
using stridetune::Isa;
using stridetune::Schedule;
using stridetune::Tensor;
using testing::HasSubstr;

// A non-null address no process maps (below vm.mmap_min_addr): a kernel that
// touched it would crash, so run() has to reject the tensor first.
template<typename T>
T *unmapped_address() {
    return reinterpret_cast<T *>(uintptr_t(4096));
}

// The sizes and geometry of a descriptor, in the tests' own terms (the
// output size from the reference's extent, not the library's).
ConvProblem problem_of(const ConvDescriptor &d) {
    ConvProblem p;
    p.n = d.mb;
    p.h = d.ih;
    p.w = d.iw;
    p.c = d.ic;
    p.k = d.oc;
    p.fh = d.kh;
    p.fw = d.kw;
    p.params = d.params;
    return p;
}

// A descriptor's problem with seeded random dense input and filter and the
// reference output.
struct DescribedData {
    ConvDescriptor descriptor;
    ProblemData data;
};

DescribedData described_data(const std::string &text, uint32_t seed) {
    DescribedData d;
    d.descriptor = stridetune::parse_descriptor(text);
    d.data = make_problem_data(problem_of(d.descriptor), seed);
    return d;
}


// Which tensor a message names first: "input", "output" or "".
std::string first_tensor_named(const std::string &message) {
    const size_t in = message.find("input"), out = message.find("output");
    if (in == std::string::npos && out == std::string::npos) return "";
    return in < out ? "input" : "output";
}

// Options forcing a schedule's general-purpose kernel at a level.
stridetune::Options forced(Schedule schedule, Isa isa) {
    stridetune::Options o;
    o.schedule = schedule;
    o.max_isa = isa;
    return o;
}

int64_t differing_floats(const std::vector<float> &a, const std::vector<float> &b) {
    int64_t n = 0;
    for (size_t i = 0; i < std::min(a.size(), b.size()); i++) n += !same_bits(a[i], b[i]);
    return n + int64_t(std::max(a.size(), b.size()) - std::min(a.size(), b.size()));
}

// ---------------------------------------------------------------------------
// 1. One operator, eight threads, each with its own input and output.

TEST(Threads, OneOperatorRunFromEightThreads) {
    constexpr int thread_count = 8, runs_per_thread = 4;
    const ConvDescriptor d = stridetune::parse_descriptor("mb2ic8ih24iw22oc19kh3sh1ph1");
    const ConvProblem p = problem_of(d);
    ASSERT_EQ(p.output_dims(), d.output_dims()) << p.describe();
    const ProblemData shared = make_problem_data(p, 5, /*with_reference=*/false);  // its filter
    const Convolution conv(d, shared.filter.cview());

    struct PerThread {
        TestBuffer input, output;
        ReferenceOutput reference;
    };
    std::vector<PerThread> work(thread_count);
    for (int t = 0; t < thread_count; t++) {
        std::mt19937 rng(uint32_t(1000 + t));
        work[size_t(t)].input = dense_buffer(p.input_dims());
        fill_random(work[size_t(t)].input.view, rng);
        work[size_t(t)].output = dense_buffer(p.output_dims());
        work[size_t(t)].reference =
            reference_convolution(work[size_t(t)].input.cview(), shared.filter.cview(), p.params);
    }
    // Different data: the threads' answers differ, so a thread that got another's output fails.
    ASSERT_NE(work[0].reference.value, work[1].reference.value);

    std::mutex mutex;
    std::vector<std::string> failures;
    std::atomic<int> ready{0}, runs{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < thread_count; t++) {
        threads.emplace_back([&, t] {
            PerThread &w = work[size_t(t)];
            ready++;
            while (ready.load() < thread_count) std::this_thread::yield();  // start together
            for (int r = 0; r < runs_per_thread; r++) {
                std::fill(w.output.storage.begin(), w.output.storage.end(), sentinel);
                testing::AssertionResult ok = testing::AssertionSuccess();
                try {
                    conv.run(w.input.cview(), w.output.view);
                    ok = matches_reference(w.output.view, w.reference);
                } catch (const std::exception &e) {
                    ok = testing::AssertionFailure() << "run() threw: " << e.what();
                }
                runs++;
                if (!ok) {
                    std::lock_guard<std::mutex> lock(mutex);
                    failures.push_back("thread " + std::to_string(t) + " run " + std::to_string(r) + ": " +
                                       ok.message());
                }
            }
        });
    }
    for (std::thread &t : threads) t.join();
    EXPECT_EQ(runs.load(), thread_count * runs_per_thread);
    EXPECT_TRUE(failures.empty()) << failures.size() << " runs failed (kernel " << conv.plan().kernel
                                  << ", parallel " << conv.plan().parallel << "); the first: " << failures.front();
}

// ---------------------------------------------------------------------------
// 2. Bit-identical to convolve() with the same kernel, for every
// general-purpose kernel at every level this CPU runs.

TEST(Operator, BitIdenticalToConvolveWithTheSameKernel) {
    const std::vector<DescribedData> problems = [] {
        std::vector<DescribedData> all;
        all.push_back(described_data("mb2ic5ih11iw13oc7kh3", 21));               // K < 16
        all.push_back(described_data("mb2ic4ih15iw14oc20kh3sh2ph1", 22));        // padding, stride 2
        all.push_back(described_data("mb1ic3ih17iw16oc16kh4kw4sh2", 23));        // C = 3, the seed's filter
        return all;
    }();
    int compared = 0;
    for (const DescribedData &pd : problems) {
        const ProblemData &d = pd.data;
        ASSERT_EQ(d.problem.output_dims(), pd.descriptor.output_dims()) << d.problem.describe();
        for (Schedule s : stridetune::all_schedules) {
            for (Isa isa : every_isa()) {
                if (!cpu_supports(isa)) continue;
                const ScheduleIsa k{s, isa};
                SCOPED_TRACE(test_name(k) + " on " + stridetune::to_string(pd.descriptor));
                const stridetune::Options options = forced(s, isa);

                std::unique_ptr<Convolution> conv;
                bool threw = false;
                const auto create = [&] {
                    conv = std::make_unique<Convolution>(pd.descriptor, d.filter.cview(), options);
                };
                const std::string created = thrown_message(create, threw);
                if (!conv) {
                    // A kernel whose tiles would pass the tensors' edges is
                    // refused (see may_refuse); convolve() refuses it alike.
                    const ConvDescriptor &problem = pd.descriptor;
                    EXPECT_TRUE(threw && may_refuse(kernel_parameters(s), problem.params, problem.oh, problem.ow) &&
                                created.find("cannot run") != std::string::npos)
                        << "creation failed: " << created;
                    TestBuffer output = d.fresh_output();
                    EXPECT_THROW(stridetune::convolve(d.input.cview(), d.filter.cview(), output.view,
                                                      d.problem.params, options),
                                 stridetune::Error)
                        << "convolve() runs the kernel the operator refused";
                    EXPECT_EQ(output.touched_anywhere(), 0);
                    continue;
                }
                const stridetune::Plan plan = conv->plan();
                EXPECT_EQ(plan.schedule, s);
                EXPECT_EQ(plan.isa, isa);
                EXPECT_EQ(plan.variant, schedule_name(s)) << "a schedule's general-purpose kernel";

                TestBuffer by_operator = d.fresh_output();
                ASSERT_NO_THROW(conv->run(d.input.cview(), by_operator.view));
                EXPECT_TRUE(matches_reference(by_operator.view, d.reference));

                stridetune::Options same_kernel;
                same_kernel.variant = plan.variant;
                same_kernel.max_isa = plan.isa;
                TestBuffer by_convolve = d.fresh_output();
                stridetune::Plan ran;
                ASSERT_NO_THROW(ran = stridetune::convolve(d.input.cview(), d.filter.cview(), by_convolve.view,
                                                           d.problem.params, same_kernel));
                EXPECT_EQ(ran.kernel, plan.kernel);
                EXPECT_TRUE(matches_reference(by_convolve.view, d.reference));

                ASSERT_EQ(by_operator.storage.size(), by_convolve.storage.size());
                EXPECT_EQ(std::memcmp(by_operator.storage.data(), by_convolve.storage.data(),
                                      by_operator.storage.size() * sizeof(float)),
                          0)
                    << differing_floats(by_operator.storage, by_convolve.storage)
                    << " floats differ between run() and convolve() with the same kernel " << plan.kernel;
                compared++;
            }
        }
    }
    // Every hand schedule ran every problem it serves at least at SSE4.1.
    int served = 0;
    for (const DescribedData &pd : problems) {
        for (Schedule s : stridetune::all_schedules) {
            const ConvDescriptor &problem = pd.descriptor;
            served += is_hand_schedule(s) && !may_refuse(kernel_parameters(s), problem.params, problem.oh, problem.ow);
        }
    }
    EXPECT_GE(compared, served);
}

// ---------------------------------------------------------------------------
// 3. The filter is copied at creation.

TEST(Operator, CallersFilterOverwrittenAndFreedAfterCreation) {
    const ConvDescriptor d = stridetune::parse_descriptor("mb2ic6ih13iw12oc10kh3kw2sh2ph1");
    const ConvProblem p = problem_of(d);
    ASSERT_EQ(p.output_dims(), d.output_dims()) << p.describe();
    const ProblemData data = make_problem_data(p, 31);  // the reference of data.filter

    std::unique_ptr<Convolution> conv;
    {
        // The caller's own copy of the filter, dense in a std::vector.
        std::vector<float> filter(data.filter.storage);
        conv = std::make_unique<Convolution>(d, stridetune::dense<const float>(filter.data(), p.filter_dims()));
        std::fill(filter.begin(), filter.end(), std::numeric_limits<float>::quiet_NaN());
        TestBuffer output = data.fresh_output();
        conv->run(data.input.cview(), output.view);
        EXPECT_TRUE(matches_reference(output.view, data.reference)) << "after the filter was overwritten with NaN";
        std::vector<float>().swap(filter);  // freed (and ASan would catch a later read)
    }
    {
        std::vector<float> reuse(data.filter.storage.size() * 4, std::numeric_limits<float>::quiet_NaN());
        TestBuffer output = data.fresh_output();
        conv->run(data.input.cview(), output.view);
        EXPECT_TRUE(matches_reference(output.view, data.reference)) << "after the filter was freed";
    }
}

// ---------------------------------------------------------------------------
// 4. Every bad input of run(): an Error naming the field; nothing written.

// The operator's problem: input 2x9x10x3, filter 3x3x3x4, stride 1 -> output
// 2x7x8x4. Each case spoils one tensor of a valid run. `spare` is storage for
// an output elsewhere; big_input and big_output hold views one larger in a dimension.
struct RunBuffers {
    TestBuffer input = dense_buffer({2, 9, 10, 3});
    TestBuffer output = dense_buffer({2, 7, 8, 4});
    TestBuffer spare = dense_buffer({1, 1, 1, 2048});
    TestBuffer big_input = dense_buffer({3, 10, 11, 4});
    TestBuffer big_output = dense_buffer({3, 8, 9, 5});
    ConstTensor input_view;
    Tensor output_view;

    RunBuffers() {
        std::mt19937 rng(41);
        fill_random(input.view, rng);
        fill_random(big_input.view, rng);
        input_view = input.cview();
        output_view = output.view;
    }

    std::vector<float> snapshot() const {
        std::vector<float> all;
        for (const TestBuffer *b : {&input, &output, &spare, &big_input, &big_output}) {
            all.insert(all.end(), b->storage.begin(), b->storage.end());
        }
        return all;
    }
};

struct BadRun {
    std::string name;
    std::function<void(RunBuffers &)> spoil;
    std::string tensor;                      // the tensor the message names first
    std::vector<std::string> message_parts;  // and substrings it must contain
};

std::vector<BadRun> bad_runs() {
    std::vector<BadRun> cases = {
        {"input_null", [](RunBuffers &b) { b.input_view.data = nullptr; }, "input", {"input", "null"}},
        {"output_null", [](RunBuffers &b) { b.output_view.data = nullptr; }, "output", {"output", "null"}},
        {"output_channel_stride_2",
         [](RunBuffers &b) { b.output_view = {b.spare.view.data, {2, 7, 8, 4}, {448, 64, 8, 2}}; },
         "output",
         {"output", "channel stride"}},
        {"output_channel_stride_negative",
         [](RunBuffers &b) { b.output_view = {b.spare.view.data + 3, {2, 7, 8, 4}, {448, 64, 8, -1}}; },
         "output",
         {"output", "channel stride"}},
        {"output_zero_stride_on_oh",  // OH 7 rows on one
         [](RunBuffers &b) { b.output_view.strides[1] = 0; },
         "output",
         {"output", "share memory"}},
        {"output_zero_stride_on_n",
         [](RunBuffers &b) { b.output_view.strides[0] = 0; },
         "output",
         {"output", "share memory"}},
        {"output_rows_overlap_columns",
         [](RunBuffers &b) { b.output_view.strides[1] = b.output_view.strides[2]; },
         "output",
         {"output", "share memory"}},
        {"output_is_input",  // 448 floats within the input's 540
         [](RunBuffers &b) { b.output_view.data = b.input.view.data; },
         "output",
         {"output", "overlaps the input"}},
        {"output_overlaps_last_input_element",
         [](RunBuffers &b) {
             // An input (540 floats) at spare's start, the output (448 floats) from its last element.
             std::copy(b.input.storage.begin(), b.input.storage.end(), b.spare.storage.begin());
             b.input_view = {b.spare.view.data, b.input_view.dims, b.input_view.strides};
             b.output_view.data = b.spare.view.data + 539;
         },
         "output",
         {"output", "overlaps the input"}},
        {"input_stride_2_pow_31",
         [](RunBuffers &b) {
             b.input_view = {unmapped_address<const float>(), {2, 9, 10, 3}, {int64_t(1) << 31, 30, 3, 1}};
         },
         "input",
         {"input", "32-bit"}},
        {"input_negative_stride_below_int32",
         [](RunBuffers &b) {
             b.input_view = {unmapped_address<const float>(), {2, 9, 10, 3}, {270, -(int64_t(1) << 31) - 1, 3, 1}};
         },
         "input",
         {"input", "32-bit"}},
        {"input_channel_stride_2_pow_31",
         [](RunBuffers &b) {
             b.input_view = {unmapped_address<const float>(), {2, 9, 10, 3}, {270, 30, 3, int64_t(1) << 31}};
         },
         "input",
         {"input", "32-bit"}},
        {"output_stride_2_pow_31",
         [](RunBuffers &b) {
             b.output_view = {unmapped_address<float>(), {2, 7, 8, 4}, {int64_t(1) << 31, 32, 4, 1}};
         },
         "output",
         {"output", "32-bit"}},
    };
    // Each of the four dims one smaller (a view inside the buffer) and one
    // larger (a view of the larger buffer).
    static const char *const dim_names[4] = {"n", "h", "w", "c"};
    for (int d = 0; d < 4; d++) {
        for (int delta : {-1, +1}) {
            const std::string suffix = std::string(dim_names[d]) + (delta < 0 ? "_smaller" : "_larger");
            cases.push_back({"input_dims_" + suffix,
                             [d, delta](RunBuffers &b) {
                                 if (delta > 0) b.input_view = b.big_input.cview();
                                 b.input_view.dims = {2, 9, 10, 3};
                                 b.input_view.dims[size_t(d)] += delta;
                             },
                             "input",
                             {"input"}});
            cases.push_back({"output_dims_" + suffix,
                             [d, delta](RunBuffers &b) {
                                 if (delta > 0) b.output_view = b.big_output.view;
                                 b.output_view.dims = {2, 7, 8, 4};
                                 b.output_view.dims[size_t(d)] += delta;
                             },
                             "output",
                             {"output", "dims"}});
        }
    }
    return cases;
}

TEST(Operator, EveryBadRunInputThrowsNamingTheFieldAndWritesNothing) {
    const ConvDescriptor d = stridetune::parse_descriptor("mb2ic3ih9iw10oc4kh3");
    ASSERT_EQ(d.output_dims(), (Dims{2, 7, 8, 4}));
    TestBuffer filter = dense_buffer(d.filter_dims());
    std::mt19937 rng(40);
    fill_random(filter.view, rng);
    const Convolution conv(d, filter.cview());

    for (const BadRun &bad : bad_runs()) {
        SCOPED_TRACE(bad.name);
        RunBuffers b;
        bad.spoil(b);
        const std::vector<float> before = b.snapshot();
        bool threw = false;
        const std::string message = thrown_message([&] { conv.run(b.input_view, b.output_view); }, threw);
        EXPECT_TRUE(threw) << message;
        EXPECT_THAT(message, testing::StartsWith("stridetune: "));
        for (const std::string &part : bad.message_parts) EXPECT_THAT(message, HasSubstr(part));
        EXPECT_EQ(first_tensor_named(message), bad.tensor) << message;
        EXPECT_EQ(differing_floats(before, b.snapshot()), 0) << "floats of the buffers changed";
        EXPECT_EQ(b.output.touched_anywhere(), 0) << "the output buffer was written";
        EXPECT_EQ(b.big_output.touched_anywhere(), 0);
    }

    // The run every case spoils is valid and right, so each error above
    // comes from the one spoiled tensor; and the operator still works.
    RunBuffers b;
    const ReferenceOutput ref = reference_convolution(b.input_view, filter.cview(), d.params);
    ASSERT_NO_THROW(conv.run(b.input_view, b.output_view));
    EXPECT_TRUE(matches_reference(b.output_view, ref));
}

// ---------------------------------------------------------------------------
// 5. Bad creation: an Error naming the field.

TEST(Operator, BadCreationThrowsNamingTheField) {
    const ConvDescriptor good = stridetune::parse_descriptor("mb2ic4ih9oc4kh3");
    TestBuffer filter = dense_buffer(good.filter_dims());
    std::mt19937 rng(50);
    fill_random(filter.view, rng);
    ASSERT_NO_THROW(Convolution(good, filter.cview())) << "the descriptor every case spoils is valid";

    const auto expect_error = [](const std::string &what, const std::function<void()> &create,
                                 const std::vector<std::string> &parts) {
        SCOPED_TRACE(what);
        bool threw = false;
        const std::string message = thrown_message(create, threw);
        EXPECT_TRUE(threw) << message;
        EXPECT_THAT(message, testing::StartsWith("stridetune: "));
        for (const std::string &part : parts) EXPECT_THAT(message, HasSubstr(part));
    };

    for (int64_t groups : {0, -1, 3}) {
        ConvDescriptor g = good;
        g.groups = groups;
        expect_error("groups " + std::to_string(groups), [&] { Convolution c(g, filter.cview()); },
                     {"problem.groups"});
    }
    {
        // Two groups read a filter of C/2 input channels, not C.
        ConvDescriptor g = good;
        g.groups = 2;
        expect_error("groups 2, the filter of one group", [&] { Convolution c(g, filter.cview()); },
                     {"filter", "C/g"});
    }
    for (int d = 0; d < 4; d++) {
        for (int delta : {-1, +1}) {
            Dims dims = good.filter_dims();
            dims[size_t(d)] += delta;
            TestBuffer f = dense_buffer(dims);
            fill_random(f.view, rng);
            expect_error("filter dims " + dims_string(dims), [&] { Convolution c(good, f.cview()); }, {"filter"});
            // The second constructor takes FH, FW and K from the filter: only
            // its channels can disagree (with the input's).
            if (d == 2) {
                expect_error("filter dims " + dims_string(dims) + ", second constructor",
                             [&] { Convolution c(good.input_dims(), f.cview(), good.params); }, {"filter"});
            }
        }
    }
    {
        ConstTensor null_filter = filter.cview();
        null_filter.data = nullptr;
        expect_error("null filter", [&] { Convolution c(good, null_filter); }, {"filter", "null"});
        expect_error("null filter, second constructor",
                     [&] { Convolution c(good.input_dims(), null_filter, good.params); }, {"filter", "null"});
    }
    {
        stridetune::Options unknown;
        unknown.variant = "no_such_kernel";
        expect_error("unknown variant", [&] { Convolution c(good, filter.cview(), unknown); },
                     {"variant", "no_such_kernel"});
        stridetune::Options empty;
        empty.variant = "";
        expect_error("empty variant", [&] { Convolution c(good, filter.cview(), empty); }, {"options.variant"});
    }
}

// ---------------------------------------------------------------------------
// 6. What an operator reports: packed bytes, plan, problem.

TEST(Operator, ReportsPackedBytesPlanAndCanonicalProblem) {
    const ConvDescriptor d = stridetune::parse_descriptor("mb1ic8ih12iw10oc32kh3kw3ph1");
    ASSERT_EQ(d.oc % 16, 0);
    const ConvProblem p = problem_of(d);
    ASSERT_EQ(p.output_dims(), d.output_dims()) << p.describe();
    const ProblemData data = make_problem_data(p, 61);
    const size_t filter_bytes = size_t(d.oc * d.ic * d.kh * d.kw) * sizeof(float);

    std::vector<stridetune::Options> choices(1);  // the dispatcher's pick, then every hand schedule
    for (Schedule s : stridetune::all_schedules) {
        if (is_hand_schedule(s) && !may_refuse(kernel_parameters(s), d.params, d.oh, d.ow)) {
            choices.push_back(forced(s, stridetune::detected_isa()));
        }
    }
    for (const stridetune::Options &options : choices) {
        const Convolution conv(d, data.filter.cview(), options);
        const stridetune::Plan &plan = conv.plan();
        SCOPED_TRACE("kernel " + plan.kernel);
        EXPECT_FALSE(plan.kernel.empty());
        EXPECT_FALSE(plan.variant.empty());
        EXPECT_FALSE(plan.target.empty());
        EXPECT_FALSE(plan.reason.empty());
        EXPECT_LE(plan.isa, stridetune::detected_isa());
        if (options.schedule) {
            EXPECT_EQ(plan.schedule, *options.schedule);
        }

        EXPECT_GE(conv.packed_bytes(), filter_bytes);
        EXPECT_LT(conv.packed_bytes(), 4 * filter_bytes + 64 * 1024);

        EXPECT_EQ(conv.problem(), d);
        EXPECT_EQ(conv.problem().oh, p.oh());
        EXPECT_EQ(conv.problem().ow, p.ow());
        EXPECT_EQ(conv.problem().output_dims(), p.output_dims());

        TestBuffer output = data.fresh_output();
        conv.run(data.input.cview(), output.view);
        EXPECT_TRUE(matches_reference(output.view, data.reference));
    }

    // A descriptor without its output sizes: problem() has them filled in.
    ConvDescriptor unfilled = d;
    unfilled.oh = unfilled.ow = 0;
    const Convolution conv(unfilled, data.filter.cview());
    EXPECT_EQ(conv.problem(), d);
    EXPECT_EQ(conv.problem().oh, p.oh());
    EXPECT_EQ(conv.problem().ow, p.ow());
}

// ---------------------------------------------------------------------------
// 7. The second constructor: the same problem as the descriptor's.

TEST(Operator, InputDimsConstructorGivesTheDescriptorsProblem) {
    const ConvDescriptor d = stridetune::parse_descriptor("mb2ic3ih13oc5kh3sh2ph1");
    ASSERT_EQ(d.params.pad_bottom, 1);
    ASSERT_EQ(d.params.pad_right, 1);
    const ConvProblem p = problem_of(d);
    const ProblemData data = make_problem_data(p, 71);

    stridetune::ConvParams params;
    params.stride_h = params.stride_w = 2;
    params.pad_top = params.pad_left = params.pad_bottom = params.pad_right = 1;
    const std::array<int64_t, 4> input_dims{2, 13, 13, 3};
    ASSERT_EQ(input_dims, d.input_dims());

    const Convolution from_descriptor(d, data.filter.cview());
    const Convolution from_dims(input_dims, data.filter.cview(), params);
    EXPECT_EQ(from_dims.problem(), from_descriptor.problem());
    EXPECT_EQ(from_dims.problem(), d);
    EXPECT_EQ(from_dims.plan().kernel, from_descriptor.plan().kernel);

    TestBuffer a = data.fresh_output(), b = data.fresh_output();
    from_descriptor.run(data.input.cview(), a.view);
    from_dims.run(data.input.cview(), b.view);
    EXPECT_TRUE(matches_reference(a.view, data.reference));
    EXPECT_TRUE(matches_reference(b.view, data.reference));

    // Options reach the second constructor too.
    for (Isa isa : every_isa()) {
        if (!cpu_supports(isa)) continue;
        const Convolution gemm(input_dims, data.filter.cview(), params, forced(Schedule::gemm_tile, isa));
        EXPECT_EQ(gemm.plan().schedule, Schedule::gemm_tile);
        EXPECT_EQ(gemm.plan().isa, isa);
        EXPECT_EQ(gemm.problem(), d);
    }
}

// ---------------------------------------------------------------------------
// 8. Moves: the moved-from operator throws, the moved-to one runs.

TEST(Operator, MovedFromOperatorThrowsMovedToRuns) {
    const DescribedData first = described_data("mb2ic5ih11iw9oc6kh3sh2ph1", 81);
    const DescribedData second = described_data("mb1ic4ih8oc17kh2", 82);
    for (const DescribedData *x : {&first, &second}) {
        ASSERT_EQ(x->data.problem.output_dims(), x->descriptor.output_dims());
    }
    const ProblemData &d1 = first.data, &d2 = second.data;

    Convolution a(first.descriptor, d1.filter.cview());
    Convolution b(std::move(a));
    {
        TestBuffer output = d1.fresh_output();
        bool threw = false;
        // NOLINTNEXTLINE(bugprone-use-after-move): the point of the test
        const std::string message = thrown_message([&] { a.run(d1.input.cview(), output.view); }, threw);
        EXPECT_TRUE(threw) << "run() of a moved-from operator: " << message;
        EXPECT_EQ(output.touched_anywhere(), 0);
    }
    {
        TestBuffer output = d1.fresh_output();
        ASSERT_NO_THROW(b.run(d1.input.cview(), output.view));
        EXPECT_TRUE(matches_reference(output.view, d1.reference));
        EXPECT_EQ(b.problem(), first.descriptor);
    }

    // Move assignment over an operator of another problem.
    Convolution c(second.descriptor, d2.filter.cview());
    c = std::move(b);
    EXPECT_EQ(c.problem(), first.descriptor);
    {
        TestBuffer output = d1.fresh_output();
        ASSERT_NO_THROW(c.run(d1.input.cview(), output.view));
        EXPECT_TRUE(matches_reference(output.view, d1.reference));
    }
    {
        TestBuffer output = d1.fresh_output();
        EXPECT_THROW(b.run(d1.input.cview(), output.view), stridetune::Error);  // NOLINT(bugprone-use-after-move)
        EXPECT_EQ(output.touched_anywhere(), 0);
    }
    // A moved-from operator can be assigned to again and then runs.
    a = Convolution(second.descriptor, d2.filter.cview());
    {
        TestBuffer output = d2.fresh_output();
        ASSERT_NO_THROW(a.run(d2.input.cview(), output.view));
        EXPECT_TRUE(matches_reference(output.view, d2.reference));
    }
}

// ---------------------------------------------------------------------------
// 9. Strided input and output views.

// Runs the operator for `descriptor` on dense tensors and on strided views
// of larger buffers, against the reference.
void runs_strided_views(const std::string &descriptor, uint32_t seed) {
    const ConvDescriptor d = stridetune::parse_descriptor(descriptor);
    const ConvProblem p = problem_of(d);
    ASSERT_EQ(p.output_dims(), d.output_dims()) << p.describe();
    const ProblemData data = make_problem_data(p, seed, /*with_reference=*/false);  // its filter
    const Convolution conv(d, data.filter.cview());
    const Dims in = p.input_dims(), out = p.output_dims();

    struct Layout {
        std::string name;
        TestBuffer input, output;
    };
    std::vector<Layout> layouts;
    layouts.push_back({"dense", dense_buffer(in), dense_buffer(out)});
    {
        // Channel stride 2 and gaps after every dimension, a margin either side;
        // the output a crop of a larger buffer.
        Dims s;
        s[3] = 2;
        s[2] = in[3] * s[3] + 3;
        s[1] = in[2] * s[2] + 5;
        s[0] = in[1] * s[1] + 7;
        layouts.push_back({"channel-strided input, cropped output", strided_buffer(in, s, 4),
                           cropped_buffer({out[0] + 1, out[1] + 3, out[2] + 4, out[3] + 5}, {1, 2, 1, 3}, out)});
    }
    {
        // A crop of a larger input, the output with gaps after each dimension.
        Dims s = dense_strides_of(out);
        s[2] = out[3] + 2;
        s[1] = out[2] * s[2] + 1;
        s[0] = out[1] * s[1] + 6;
        layouts.push_back({"cropped input, padded output",
                           cropped_buffer({in[0] + 2, in[1] + 4, in[2] + 3, in[3] + 2}, {1, 3, 2, 1}, in),
                           strided_buffer(out, s, 3)});
    }
    std::mt19937 rng(seed + 1);
    for (int i = 0; i < 4; i++) {
        // Random layouts: negative outer strides too.
        TestBuffer input = random_view(in, /*any_channel_stride=*/true, rng);
        TestBuffer output = random_view(out, /*any_channel_stride=*/false, rng);
        layouts.push_back({"random layout " + std::to_string(i) + " (input strides " +
                               dims_string(input.view.strides) + ", output strides " +
                               dims_string(output.view.strides) + ")",
                           std::move(input), std::move(output)});
    }

    for (Layout &l : layouts) {
        SCOPED_TRACE(l.name);
        fill_random(l.input.view, rng);
        const std::vector<float> input_before = l.input.storage;
        const ReferenceOutput ref = reference_convolution(l.input.cview(), data.filter.cview(), p.params);
        ASSERT_NO_THROW(conv.run(l.input.cview(), l.output.view));
        EXPECT_TRUE(matches_reference(l.output.view, ref));
        EXPECT_EQ(l.output.touched_outside_view(), 0) << "written outside the output view";
        EXPECT_EQ(differing_floats(input_before, l.input.storage), 0) << "the input changed";
    }
}

TEST(Operator, RunsStridedInputAndOutputViews) {
    runs_strided_views("mb2ic5ih12iw11oc9kh3kw2sh2sw1ph1pw0", 91);
}

// A 1x1 filter of stride 1 without padding runs with each image's pixels
// flattened into one row (kernel_geometry.h): views whose rows do not follow
// one another must give the same result.
TEST(Operator, RunsStridedViewsOfAPointwiseLayer) {
    runs_strided_views("mb2ic19ih5iw7oc33kh1kw1", 93);
}

}  // namespace
}  // namespace stridetune_test
