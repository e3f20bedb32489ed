// The data a benchmark runs a problem on.
#pragma once

#include <random>
#include <vector>

#include "reference.h"
#include "test_buffer.h"
#include "stridetune.h"

namespace stridetune_bench {

using stridetune::ConvDescriptor;

// One problem's tensors, random, and the reference output of its first image.
// With post-ops, also the bias (K values) and the residual (the output's
// dims) the problem has, drawn after the input and the filter, which so stay
// the bare problem's: a layer with post-ops and without run on the same data.
struct LayerData {
    ConvDescriptor d;
    std::vector<float> input, filter, output;
    std::vector<float> bias, residual;             // empty unless the post-ops have them
    stridetune_test::ReferenceOutput first_image;  // the reference for image 0, post-ops applied

    explicit LayerData(const ConvDescriptor &descriptor) : d(descriptor) {
        std::mt19937 rng(7);
        std::uniform_real_distribution<float> dist(-1.f, 1.f);
        input.resize(size_t(stridetune_test::element_count(d.input_dims())));
        filter.resize(size_t(stridetune_test::element_count(d.filter_dims())));
        output.resize(size_t(stridetune_test::element_count(d.output_dims())));
        if (d.post_ops.bias) bias.resize(size_t(d.oc));
        if (d.post_ops.sum) residual.resize(output.size());
        for (std::vector<float> *t : {&input, &filter, &bias, &residual}) {
            for (float &v : *t) v = dist(rng);
        }
        first_image = stridetune_test::reference_convolution(
            stridetune::dense<const float>(input.data(), {1, d.ih, d.iw, d.ic}),
            stridetune::dense<const float>(filter.data(), d.filter_dims()), d.params, d.groups);
        // Image 0's residual is the residual's first image.
        const stridetune::ConstTensor first_residual =
            stridetune::dense<const float>(residual.data(), {1, d.oh, d.ow, d.oc});
        stridetune_test::apply_post_ops(d.post_ops, bias.data(), &first_residual, first_image);
    }

    // The bytes a run must move at least once: every tensor it reads and the output.
    double bytes() const {
        return double(input.size() + filter.size() + bias.size() + residual.size() + output.size()) * sizeof(float);
    }
};

}  // namespace stridetune_bench
