// Runs every compiled-in peer on a few problems and compares each output with
// the tests' independent double-accumulating reference (tests/reference.h):
// |err| <= 1e-4 * (1 + sum of |terms|). The problems with post-ops (bias,
// residual sum, ReLU's slope, clip: stridetune/post_ops.h) take that
// reference through them (apply_post_ops), so each peer's fusing of them is
// checked where it accepts them.
// Each peer runs twice (output poisoned with NaN before each run, then its
// before_run()), so a run() that depends on prepare()-time side effects or
// skips elements is caught.
// Usage: stridetune_peer_check [threads]   (default: every core)
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <limits>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "peer.h"
#include "reference.h"
#include "test_buffer.h"

using stridetune::ConvParams;
using stridetune::PostOps;
using namespace stridetune::peers;

namespace {

struct Case {
    std::string label;
    stridetune::ConvDescriptor problem;
};

ConvParams params(int sh, int sw, int dh = 1, int dw = 1, int pt = 0, int pl = 0, int pb = 0, int pr = 0) {
    ConvParams q;
    q.stride_h = sh, q.stride_w = sw, q.dilation_h = dh, q.dilation_w = dw;
    q.pad_top = pt, q.pad_left = pl, q.pad_bottom = pb, q.pad_right = pr;
    return q;
}

stridetune::ConvDescriptor with_post_ops(stridetune::ConvDescriptor problem, const PostOps &post_ops) {
    problem.post_ops = post_ops;
    return problem;
}

std::vector<Case> cases() {
    return {
        {"seed_n2", make_problem(2, 221, 221, 3, 5, 4, 4, params(2, 2))},
        {"3x3_pad1_64", make_problem(1, 56, 56, 64, 64, 3, 3, params(1, 1, 1, 1, 1, 1, 1, 1))},
        {"1x1_s2", make_problem(1, 28, 28, 32, 48, 1, 1, params(2, 2))},
        {"dilated_d2", make_problem(1, 30, 30, 8, 16, 3, 3, params(1, 1, 2, 2, 2, 2, 2, 2))},
        {"odd_mixed", make_problem(3, 17, 13, 7, 11, 5, 3, params(3, 2, 1, 2, 1, 2, 0, 1))},
        {"odd_s2_pad", make_problem(1, 19, 23, 5, 9, 3, 3, params(2, 2, 1, 1, 1, 0, 1, 1))},
        {"groups_3", make_problem(2, 11, 9, 12, 9, 3, 2, params(2, 1, 1, 2, 1, 1, 0, 1), 3)},
        {"depthwise", make_problem(1, 15, 15, 24, 24, 3, 3, params(2, 2, 1, 1, 1, 1, 1, 1), 24)},
        {"multiplier_2", make_problem(1, 9, 10, 5, 10, 3, 3, params(1, 1, 2, 1, 2, 1, 2, 1), 5)},
        // Post-ops (bias, sum, relu, clip). A ResNet block's last 1x1.
        {"res_sum_relu", with_post_ops(make_problem(2, 14, 14, 32, 64, 1, 1, params(1, 1)), {true, 1.f, 0.f, {}})},
        // ReLU6 on a 3x3 stride 2, whose 288 taps reach past 6: both bounds bite.
        {"relu6_s2", with_post_ops(make_problem(1, 17, 17, 32, 24, 3, 3, params(2, 2, 1, 1, 1, 1, 1, 1)),
                                   {true, {}, 0.f, PostOps::Clip{0.f, 6.f}})},
        // All four, a scaled sum and a leaky slope (XNNPACK fuses neither).
        {"all_leaky", with_post_ops(make_problem(1, 12, 11, 8, 16, 3, 3, params(1, 1, 1, 1, 1, 1, 1, 1)),
                                    {true, 0.5f, 0.1f, PostOps::Clip{-0.5f, 2.f}})},
        // The bias of each group's channels.
        {"groups_bias", with_post_ops(make_problem(2, 11, 9, 12, 9, 3, 2, params(2, 1, 1, 2, 1, 1, 0, 1), 3),
                                      {true, {}, 0.f, {}})},
        // Depthwise with a residual and a clip alone (XNNPACK's clamp on its add).
        {"dw_sum_clip", with_post_ops(make_problem(1, 15, 15, 24, 24, 3, 3, params(2, 2, 1, 1, 1, 1, 1, 1), 24),
                                      {true, 1.f, {}, PostOps::Clip{-1.f, 1.f}})},
    };
}

}  // namespace

int main(int argc, char **argv) {
    int threads = argc > 1 ? std::atoi(argv[1]) : int(std::thread::hardware_concurrency());
    if (threads < 1) threads = 1;

    const std::vector<Case> all = cases();
    std::vector<std::unique_ptr<Peer>> peers = available_peers();
    std::printf("stridetune_peer_check: %zu peers, %d threads\n", peers.size(), threads);
    for (const Case &c : all) std::printf("  %-12s %s\n", c.label.c_str(), stridetune::to_string(c.problem).c_str());

    // cell[peer][case]
    std::vector<std::vector<std::string>> cell(peers.size(), std::vector<std::string>(all.size()));
    std::vector<std::string> notes, details(peers.size());
    bool failed = false;
    std::mt19937 rng(1234);
    std::uniform_real_distribution<float> dist(-1.0f, 1.0f);

    for (size_t ci = 0; ci < all.size(); ++ci) {
        const stridetune::ConvDescriptor &p = all[ci].problem;
        std::vector<float> in(size_t(stridetune_test::element_count(p.input_dims()))),
            f(size_t(stridetune_test::element_count(p.filter_dims())));
        // The bias and residual only where the post-ops have them: a peer must not read them otherwise.
        std::vector<float> bias(p.post_ops.bias ? size_t(p.oc) : 0),
            residual(p.post_ops.sum ? size_t(stridetune_test::element_count(p.output_dims())) : 0);
        for (std::vector<float> *t : {&in, &f, &bias, &residual}) {
            for (float &v : *t) v = dist(rng);
        }
        stridetune_test::ReferenceOutput reference = stridetune_test::reference_convolution(
            stridetune::dense<const float>(in.data(), p.input_dims()),
            stridetune::dense<const float>(f.data(), p.filter_dims()), p.params, p.groups);
        const stridetune::ConstTensor residual_view = stridetune::dense<const float>(residual.data(), p.output_dims());
        stridetune_test::apply_post_ops(p.post_ops, bias.data(), &residual_view, reference);
        const std::vector<double> &ref = reference.value, &mag = reference.abs_sum;

        for (size_t pi = 0; pi < peers.size(); ++pi) {
            Peer &peer = *peers[pi];
            const std::string why = peer.unsupported_reason(p);
            if (!why.empty()) {
                cell[pi][ci] = "unsupported";
                notes.push_back(peer.name() + " / " + all[ci].label + ": unsupported: " + why);
                continue;
            }
            std::vector<float> out(ref.size(), std::numeric_limits<float>::quiet_NaN());
            double max_err = 0;
            bool ok = true;
            try {
                peer.prepare(p, in.data(), f.data(), bias.data(), residual.data(), out.data(), threads);
                for (int rep = 0; rep < 2 && ok; ++rep) {
                    std::fill(out.begin(), out.end(), std::numeric_limits<float>::quiet_NaN());
                    peer.before_run();
                    peer.run();
                    for (size_t i = 0; i < out.size(); ++i) {
                        const double err = std::fabs(double(out[i]) - ref[i]);
                        if (!(err <= 1e-4 * (1.0 + mag[i]))) {
                            if (ok)
                                notes.push_back(peer.name() + " / " + all[ci].label + ": run " +
                                                std::to_string(rep + 1) + " first bad element " +
                                                std::to_string(i) + ": got " + std::to_string(out[i]) +
                                                ", want " + std::to_string(ref[i]));
                            ok = false;
                        }
                        if (std::isnan(err) || err > max_err) max_err = std::isnan(err) ? INFINITY : err;
                    }
                }
                // The implementation may differ per problem: print when it changes.
                if (details[pi] != peer.details()) {
                    details[pi] = peer.details();
                    notes.push_back(peer.name() + " / " + all[ci].label + ": " + details[pi]);
                }
            } catch (const std::exception &e) {
                ok = false;
                notes.push_back(peer.name() + " / " + all[ci].label + ": exception: " + e.what());
            }
            char buf[64];
            std::snprintf(buf, sizeof buf, "%s %.1e", ok ? "PASS" : "FAIL", max_err);
            cell[pi][ci] = buf;
            failed |= !ok;
        }
    }

    std::printf("\n%-16s", "peer");
    for (const Case &c : all) std::printf(" | %-13s", c.label.c_str());
    std::printf("\n");
    for (size_t pi = 0; pi < peers.size(); ++pi) {
        std::printf("%-16s", peers[pi]->name().c_str());
        for (size_t ci = 0; ci < all.size(); ++ci) std::printf(" | %-13s", cell[pi][ci].c_str());
        std::printf("\n");
    }
    std::printf("(cells: result and max |error| over both runs)\n\n");
    for (const std::string &n : notes) std::printf("  %s\n", n.c_str());
    std::printf("\n%s\n", failed ? "FAIL" : "all PASS");
    return failed ? 1 : 0;
}
