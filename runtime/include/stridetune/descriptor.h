// oneDNN benchdnn's convolution problem descriptors, e.g.
//   mb50ic3ih224oc64oh112kh7sh2ph3n"resnet_50:conv1"
// parsed into the sizes and ConvParams of a stridetune convolution.
//
// Syntax: fields `g` groups, `mb` minibatch, `ic`/`oc` channels, `ih`/`iw`
// input, `oh`/`ow` output, `kh`/`kw` kernel, `sh`/`sw` stride, `ph`/`pw`
// top/left padding, `dh`/`dw` dilation, each followed by a non-negative
// decimal number, in any order, each at most once; `_` may separate fields;
// then optional post-ops (below); last an optional name `n"text"` (or `ntext` to the end), whose trailing
// `*N` is the number of times the layer occurs. 3-D fields (`id`, `od`, `kd`,
// `sd`, `pd`, `dd`) are rejected.
//
// Rules (benchdnn's, with the differences marked *):
//  - defaults g1, mb2, stride 1, dilation 0. benchdnn's dilation counts the
//    gaps between taps: dh0 is dense (ConvParams::dilation_h 1), dh1 is
//    ConvParams::dilation_h 2.
//  - ic, oc and, per axis, the input size and the kernel size are required.
//  - no h-field at all (none of ih/kh/oh/dh, and sh only 1, ph only 0): a 1-D
//    problem along w, with H = KH = OH = 1, stride 1, no padding.
//  - no w-field at all: the w-axis copies the h-axis, output size and all
//    four of its values. * Some w-fields given: each missing one of iw, kw,
//    sw, dw copies its h-value (benchdnn rejects such a descriptor); missing
//    ow and pw both: pw copies ph, and ow copies oh when iw, kw, sw, dw equal
//    the h-values, else it is deduced.
//  - output size missing: deduced with the top padding at the bottom too
//    (missing padding: 0): oh = floor((ih + 2*ph - ((kh-1)*(dh+1)+1)) / sh) + 1.
//    * It must be at least 1 ("empty effective input"; benchdnn's truncating
//    division lets some of these through).
//  - output size given, padding missing: ph = ((oh-1)*sh - ih + (kh-1)*(dh+1) + 1) / 2,
//    * clamped to >= 0 (benchdnn keeps a negative value).
//  - bottom/right padding is what makes the output size come out:
//    pad_bottom = (oh-1)*sh + (kh-1)*(dh+1) + 1 - ih - ph.
//    benchdnn lets this be negative: the last -pad_bottom input rows are then
//    never read (every stride-2 1x1 layer of ResNet-50 has -1). stridetune's
//    pads are non-negative, so: -sh < pad_bottom < 0 is clamped to 0, which
//    gives the same output size and the same values (those rows are unread
//    either way); pad_bottom <= -sh means the given oh is smaller than the
//    one the input gives with no bottom padding at all, and is an error
//    ("inconsistent"; oneDNN rejects such a problem too).
//  - groups: any g >= 1 dividing ic and oc. Output channel k belongs to
//    group j = k / (oc / g), which reads input channels [j * ic / g,
//    (j + 1) * ic / g); the filter holds ic / g input channels
//    (filter_dims()).
//
// Post-ops (stridetune's, in the spirit of benchdnn's --attr-post-ops; see
// post_ops.h), after the fields and before the name, each at most once, in
// this order: `+bias`; `+sum:S` (the residual's scale); `+relu:A` (the
// negative slope, 0 for ReLU); `+clip:LO:HI` (LO <= HI; `inf`/`-inf`
// allowed). Numbers are decimal floats, e.g. mb1ic64ih56oc64oh56kh3ph1+bias+relu:0
// or ...+bias+sum:1+relu:0n"res2a_branch2c".
#pragma once

#include <array>
#include <cstdint>
#include <iosfwd>
#include <string>
#include <string_view>
#include <vector>

#include "conv_params.h"
#include "post_ops.h"

namespace stridetune {

struct ConvDescriptor {
    int64_t groups = 1, mb = 2, ic = 0, oc = 0, ih = 0, iw = 0, oh = 0, ow = 0, kh = 0, kw = 0;
    ConvParams params;         // strides, dilations (stridetune's: >= 1, 1 dense), the four pads
    PostOps post_ops;          // what the output does after the convolution (post_ops.h)
    std::string name;          // without the quotes and the *N suffix
    int64_t occurrences = 1;   // the name's *N suffix

    // stridetune's tensors for the problem:
    std::array<int64_t, 4> input_dims() const;   // {mb, ih, iw, ic}, NHWC
    // {kh, kw, ic / groups, oc}, HWIO: [FH][FW][C/g][K], TensorFlow's
    // depthwise [FH][FW][C][m] when g = ic and oc = m * ic.
    std::array<int64_t, 4> filter_dims() const;
    std::array<int64_t, 4> output_dims() const;  // {mb, oh, ow, oc}, NHWC
    double flops() const;                        // 2*mb*oh*ow*oc*kh*kw*ic/groups
    // One group's problem: ic / groups and oc / groups channels, groups 1.
    ConvDescriptor one_group() const;
    // Depthwise: g = C = K > 1, an output channel a group, reading the
    // input channel of its own index. A depthwise kernel runs every group
    // in one call.
    bool depthwise() const;
    // What the dispatcher runs in one kernel call, and so what is tuned and
    // registered for the problem: the whole of a depthwise problem, else
    // one group's (one_group()).
    ConvDescriptor one_call() const;
};

bool operator==(const ConvDescriptor &a, const ConvDescriptor &b);
bool operator!=(const ConvDescriptor &a, const ConvDescriptor &b);
// Its to_string form, followed by the four pads (for test failures and logs).
std::ostream &operator<<(std::ostream &s, const ConvDescriptor &d);

// Parses one descriptor (surrounding whitespace ignored; no comment). Throws
// Error naming the descriptor, the problem and, for a bad field, its column
// (1-based): an unknown field, a missing, negative, zero or too large number,
// a field given twice, a 3-D field, a required field missing, groups not
// dividing the channels, an empty effective input, an output size that does
// not fit, an unterminated name quote, text after the name.
ConvDescriptor parse_descriptor(std::string_view text);

// The canonical full descriptor, every 2-D field written (g only when not 1),
// e.g. mb64ic3ih221iw221oc5oh109ow109kh4kw4sh2sw2ph0pw0dh0dw0n"seed".
// parse_descriptor(to_string(d)) == d for every d parse_descriptor returns.
// pad_bottom/pad_right are not written: they follow from oh/ow. Throws Error
// for a name benchdnn's syntax cannot hold (a double quote or a line break)
// and for post-ops it would not parse back (a NaN, a clip's lower bound
// above its upper one).
std::string to_string(const ConvDescriptor &d);

// The key tuning files, kernel registrations and the dispatcher know a
// problem by: to_string without the name and the occurrence count, so every
// spelling of the same problem has one key.
std::string problem_key(ConvDescriptor d);

struct DescriptorLine {
    int line_number;  // 1-based
    ConvDescriptor descriptor;
};

// The descriptors of a benchdnn shapes file, one a line; blank lines and
// comments (`#` to the end of the line, outside a quoted name) skipped.
// Throws Error "<path>:<line>: ..." for a bad line, or if the file cannot be
// read. With skip_3d, lines that are well-formed 3-D descriptors are left out
// instead (five of benchdnn's shape files mix 3-D problems in).
std::vector<DescriptorLine> read_descriptor_file(const std::string &path, bool skip_3d = false);

}  // namespace stridetune
