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
struct LayerData {
    ConvDescriptor d;
    std::vector<float> input, filter, output;
    stridetune_test::ReferenceOutput first_image;  // the reference for image 0

    explicit LayerData(const ConvDescriptor &descriptor) : d(descriptor) {
        std::mt19937 rng(7);
        std::uniform_real_distribution<float> dist(-1.f, 1.f);
        input.resize(size_t(stridetune_test::element_count(d.input_dims())));
        filter.resize(size_t(stridetune_test::element_count(d.filter_dims())));
        output.resize(size_t(stridetune_test::element_count(d.output_dims())));
        for (float &v : input) v = dist(rng);
        for (float &v : filter) v = dist(rng);
        first_image = stridetune_test::reference_convolution(
            stridetune::dense<const float>(input.data(), {1, d.ih, d.iw, d.ic}),
            stridetune::dense<const float>(filter.data(), d.filter_dims()), d.params, d.groups);
    }
};

}  // namespace stridetune_bench
