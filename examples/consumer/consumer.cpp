// A stridetune consumer: convolves each problem of a benchdnn shapes file
// with the kernel the dispatcher picks, and with each of its own
// autoscheduled kernels for that problem, checks every result against a
// naive loop of its own and prints one line a run:
//   problem=<descriptor> variant=<variant> isa=<isa> check=ok|FAILED reason=<why this kernel>
// Exit status 1 if any result is wrong.
#include <cfloat>
#include <cmath>
#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include "stridetune.h"

namespace {

// The target made by stridetune_add_kernels() in CMakeLists.txt: the n-th
// problem's kernel planned by an autoscheduler is <target>_<schedule>_<n>.
const std::string kernels_target = "consumer_convs";

struct Reference {
    std::vector<double> value;    // the exact sum of products, NHWC
    std::vector<double> abs_sum;  // the sum of their magnitudes, for the rounding bound
};

// output[n][y][x][k] = sum over fy, fx, c of
//   input[n][y*sh + fy*dh - pt][x*sw + fx*dw - pl][c] * filter[fy][fx][c][k],
// zero outside the input; dense NHWC input and output, HWIO filter.
Reference naive_convolution(const stridetune::ConvDescriptor &d, const std::vector<float> &input,
                            const std::vector<float> &filter) {
    const stridetune::ConvParams &p = d.params;
    Reference r;
    r.value.assign(d.mb * d.oh * d.ow * d.oc, 0.0);
    r.abs_sum.assign(r.value.size(), 0.0);
    for (int64_t n = 0; n < d.mb; n++) {
        for (int64_t y = 0; y < d.oh; y++) {
            for (int64_t x = 0; x < d.ow; x++) {
                for (int64_t k = 0; k < d.oc; k++) {
                    double sum = 0, abs_sum = 0;
                    for (int64_t fy = 0; fy < d.kh; fy++) {
                        const int64_t iy = y * p.stride_h + fy * p.dilation_h - p.pad_top;
                        if (iy < 0 || iy >= d.ih) continue;
                        for (int64_t fx = 0; fx < d.kw; fx++) {
                            const int64_t ix = x * p.stride_w + fx * p.dilation_w - p.pad_left;
                            if (ix < 0 || ix >= d.iw) continue;
                            for (int64_t c = 0; c < d.ic; c++) {
                                const double term = double(input[((n * d.ih + iy) * d.iw + ix) * d.ic + c]) *
                                                    double(filter[((fy * d.kw + fx) * d.ic + c) * d.oc + k]);
                                sum += term;
                                abs_sum += std::fabs(term);
                            }
                        }
                    }
                    const int64_t i = ((n * d.oh + y) * d.ow + x) * d.oc + k;
                    r.value[i] = sum;
                    r.abs_sum[i] = abs_sum;
                }
            }
        }
    }
    return r;
}

// Within the worst-case rounding of a float sum of kh*kw*ic products, in any order.
bool matches(const std::vector<float> &output, const Reference &r, int64_t terms) {
    for (size_t i = 0; i < output.size(); i++) {
        const double bound = double(terms) * FLT_EPSILON * r.abs_sum[i] + DBL_MIN;
        if (!(std::fabs(double(output[i]) - r.value[i]) <= bound)) return false;
    }
    return true;
}

std::vector<float> random_values(size_t count, std::mt19937 &generator) {
    std::uniform_real_distribution<float> uniform(-1.0f, 1.0f);
    std::vector<float> values(count);
    for (float &v : values) v = uniform(generator);
    return values;
}

bool variant_exists(const std::string &variant) {
    for (const stridetune::KernelInfo &k : stridetune::kernels()) {
        if (k.variant == variant) return true;
    }
    return false;
}

}  // namespace

int main(int argc, char **argv) {
    if (argc != 2) {
        std::fprintf(stderr, "usage: %s SHAPES_FILE\n", argv[0]);
        return 2;
    }
    bool all_match = true;
    try {
        const std::vector<stridetune::DescriptorLine> problems = stridetune::read_descriptor_file(argv[1]);
        std::mt19937 generator(5);
        for (size_t n = 1; n <= problems.size(); n++) {
            const stridetune::ConvDescriptor &d = problems[n - 1].descriptor;
            const std::vector<float> input = random_values(d.mb * d.ih * d.iw * d.ic, generator);
            const std::vector<float> filter = random_values(d.kh * d.kw * d.ic * d.oc, generator);
            const Reference reference = naive_convolution(d, input, filter);

            std::vector<stridetune::Options> runs{{}};
            for (const char *schedule : {"adams2019", "mullapudi2016"}) {
                const std::string variant = kernels_target + "_" + schedule + "_" + std::to_string(n);
                if (variant_exists(variant)) runs.push_back({{}, {}, variant});
            }
            for (const stridetune::Options &options : runs) {
                std::vector<float> output(d.mb * d.oh * d.ow * d.oc, NAN);
                const stridetune::Plan plan = stridetune::convolve(
                    stridetune::dense(input.data(), d.input_dims()), stridetune::dense(filter.data(), d.filter_dims()),
                    stridetune::dense(output.data(), d.output_dims()), d.params, options);
                const bool match = matches(output, reference, d.kh * d.kw * d.ic);
                all_match = all_match && match;
                std::printf("problem=%s variant=%s isa=%s check=%s reason=%s\n", stridetune::problem_key(d).c_str(),
                            plan.variant.c_str(), std::string(stridetune::to_string(plan.isa)).c_str(),
                            match ? "ok" : "FAILED", plan.reason.c_str());
            }
        }
    } catch (const stridetune::Error &e) {
        std::fprintf(stderr, "%s\n", e.what());
        return 1;
    }
    return all_match ? 0 : 1;
}
