// A validated convolution call, in the terms the kernels and the dispatcher use.
#pragma once

#include <cstdint>
#include <string>

#include "stridetune/convolution.h"
#include "stridetune/descriptor.h"

namespace stridetune::detail {

struct Problem {
    int64_t n, h, w, c;    // input
    int64_t k, fh, fw;     // filter: fh x fw x c x k
    int64_t oh, ow;        // output
    ConvParams params;
    int64_t groups = 1;    // c and k are every group's (ConvDescriptor::groups)
    PostOps post_ops;      // a kernel call's are the problem's

    double flops() const { return 2.0 * n * oh * ow * k * fh * fw * c / groups; }
    ConvDescriptor descriptor() const;
    // One group's problem (ConvDescriptor::one_group()).
    Problem one_group() const;
    // `d`'s sizes and params, its output's included (unchecked).
    static Problem of(const ConvDescriptor &d);
    // problem_key(descriptor()): the key of tuned entries.
    std::string key() const;
};

// Each throws Error naming the first bad field.
// A tensor's pointer, dims and strides (any tensor).
void validate_tensor(const char *name, const ConstTensor &t);
// The sizes (oh and ow are ignored) and params: returns them with oh, ow.
Problem validate_problem(const Problem &sizes);
// The groups g of a one-shot call, as TensorFlow's conv2d counts them: a
// filter of C/g input channels (its dims[2]) over an input of C, dividing
// C and the filter's K.
int64_t groups_of(int64_t input_channels, const ConstTensor &filter);
// A filter for `problem`: its filter_dims(), HWIO.
void validate_filter(const ConstTensor &filter, const ConvDescriptor &problem);
// What may differ between runs of one operator: the tensors, against its
// problem; the residual (data null: none given) against its sum post-op.
void validate_run(const ConstTensor &input, const Tensor &output, const ConstTensor &residual,
                  const Problem &problem);
// The post-ops' values: no NaN, a clip's lower bound not above its upper.
void validate_post_ops(const PostOps &post_ops);
// The bias given at creation (data null: none) against the problem's post-ops.
void validate_bias(const ConstVector &bias, const ConvDescriptor &problem);
// Every argument of a one-shot call.
Problem validate(const ConstTensor &input, const ConstTensor &filter, const Tensor &output, const ConvParams &params);

}  // namespace stridetune::detail
