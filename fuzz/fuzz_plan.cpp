// Validation and dispatch: the input is a problem (three tensor views, the
// geometry, the options), planned but never convolved. Only stridetune::Error
// may leave plan(), and a problem it accepts has the output dims the
// convolution defines and channels that make groups (the filter's C/g of
// the input's C, its K a multiple of g), worked out here independently of
// the library.
//
// Input layout (past its end every byte reads as 0):
//   flags         bit 0: output dims are the expected ones (not read);
//                 bits 1-3: input, filter, output strides dense (not read);
//                 bits 4-6: options.max_isa, schedule, variant given;
//                 bit 7: the views share one small real buffer (else each
//                 has its own far-apart address, never dereferenced)
//   input, filter 4 dims, 4 strides, as integers; with bit 7 an offset
//                 byte into the buffer
//   params        stride_h, stride_w, dilation_h, dilation_w, pad_top,
//                 pad_left, pad_bottom, pad_right, as integers
//   output        as input and filter
//   options       a byte each for max_isa and schedule; for the variant a
//                 byte choosing a built kernel's, or past them a length byte
//                 and that many characters
// An integer is one byte b: b < 128 is b - 32 (small, negative too);
// otherwise the next 8 bytes (4 for params), little-endian, are its value.
#include <array>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <iterator>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "oracle.h"
#include "stridetune/convolution.h"
#include "stridetune/error.h"

namespace stridetune_fuzz {
namespace {

using stridetune::ConvParams;
using stridetune::Options;
using Dims = std::array<int64_t, 4>;

// The first byte's bits.
enum Flag : uint8_t {
    output_dims_expected = 0x01,
    input_dense = 0x02,
    filter_dense = 0x04,
    output_dense = 0x08,
    max_isa_given = 0x10,
    schedule_given = 0x20,
    variant_given = 0x40,
    in_shared_buffer = 0x80,
};

// The input, front to back.
class Bytes {
public:
    Bytes(const uint8_t *data, size_t size) : data_(data), size_(size) {}

    uint8_t byte() { return next_ < size_ ? data_[next_++] : 0; }

    template<typename Int>
    Int integer() {
        const uint8_t b = byte();
        if (b < 128) return Int(b) - 32;
        uint64_t raw = 0;
        for (size_t i = 0; i < sizeof(Int); i++) raw |= uint64_t(byte()) << (8 * i);
        return Int(raw);
    }

    Dims dims() {
        Dims d;
        for (int64_t &v : d) v = integer<int64_t>();
        return d;
    }

private:
    const uint8_t *data_;
    size_t size_, next_ = 0;
};

// Wrapping: the dims may be huge, and validation refuses what wraps.
Dims dense_strides(const Dims &dims) {
    Dims strides;
    uint64_t stride = 1;
    for (int d = 3; d >= 0; d--) {
        strides[d] = int64_t(stride);
        stride *= uint64_t(dims[d]);
    }
    return strides;
}

// floor((in + pad_begin + pad_end - dilation * (filter - 1) - 1) / stride) + 1, or none if that overflows
// 64 bits or the stride is not positive.
std::optional<int64_t> output_extent(int64_t in, int64_t filter, int64_t stride, int64_t dilation, int64_t pad_begin,
                                     int64_t pad_end) {
    int64_t padded, taps, span, numerator, extent;
    if (stride <= 0 || __builtin_add_overflow(in, pad_begin, &padded) ||
        __builtin_add_overflow(padded, pad_end, &padded) || __builtin_sub_overflow(filter, 1, &taps) ||
        __builtin_mul_overflow(dilation, taps, &span) || __builtin_add_overflow(span, 1, &span) ||
        __builtin_sub_overflow(padded, span, &numerator)) {
        return std::nullopt;
    }
    const int64_t floor = numerator / stride - (numerator % stride < 0 ? 1 : 0);
    if (__builtin_add_overflow(floor, 1, &extent)) return std::nullopt;
    return extent;
}

std::optional<Dims> expected_output_dims(const Dims &input, const Dims &filter, const ConvParams &p) {
    const auto oh = output_extent(input[1], filter[0], p.stride_h, p.dilation_h, p.pad_top, p.pad_bottom);
    const auto ow = output_extent(input[2], filter[1], p.stride_w, p.dilation_w, p.pad_left, p.pad_right);
    if (!oh || !ow) return std::nullopt;
    return Dims{input[0], *oh, *ow, filter[3]};
}

std::string list_string(std::initializer_list<int64_t> values) {
    std::string s;
    for (int64_t v : values) s += (s.empty() ? "[" : ", ") + std::to_string(v);
    return s + "]";
}

std::string dims_string(const Dims &d) {
    return list_string({d[0], d[1], d[2], d[3]});
}

template<typename T>
std::string view_string(const char *name, const stridetune::TensorView<T> &v) {
    return std::string(name) + " dims " + dims_string(v.dims) + " strides " + dims_string(v.strides);
}

std::string params_string(const ConvParams &p) {
    return "params (strides, dilations, pads t l b r) " +
           list_string({p.stride_h, p.stride_w, p.dilation_h, p.dilation_w, p.pad_top, p.pad_left, p.pad_bottom,
                        p.pad_right});
}

// The variants the library has built, each once (it has one kernel per ISA level).
const std::vector<std::string> &built_variants() {
    static const std::vector<std::string> variants = [] {
        std::set<std::string> names;
        for (const stridetune::KernelInfo &k : stridetune::kernels()) names.insert(k.variant);
        return std::vector<std::string>(names.begin(), names.end());
    }();
    return variants;
}

std::string variant(Bytes &in) {
    const std::vector<std::string> &built = built_variants();
    const size_t choice = in.byte();
    if (choice < built.size()) return built[choice];
    std::string name(in.byte() % 16, ' ');
    for (char &c : name) c = char(in.byte());
    return name;
}

Options options(Bytes &in, uint8_t flags) {
    Options o;
    if (flags & max_isa_given) o.max_isa = static_cast<stridetune::Isa>(in.byte() % 3);
    if (flags & schedule_given) {
        o.schedule = stridetune::all_schedules[in.byte() % std::size(stridetune::all_schedules)];
    }
    if (flags & variant_given) o.variant = variant(in);
    return o;
}

// Distinct fake addresses are this far apart: further than any view validation accepts reaches (2^31 elements).
constexpr uintptr_t address_spacing = uintptr_t(1) << 40;
// Where views that share memory point, for the overlap checks.
float shared_buffer[4096];

// `index`: 0 input, 1 filter, 2 output.
template<typename T>
stridetune::TensorView<T> view(Bytes &in, int index, uint8_t flags, const std::optional<Dims> &known_dims) {
    constexpr Flag dense[] = {input_dense, filter_dense, output_dense};
    stridetune::TensorView<T> v;
    v.dims = known_dims ? *known_dims : in.dims();
    v.strides = flags & dense[index] ? dense_strides(v.dims) : in.dims();
    if (flags & in_shared_buffer) {
        v.data = shared_buffer + size_t(in.byte()) * 16;
    } else {
        v.data = reinterpret_cast<T *>(address_spacing * uintptr_t(index + 1));
    }
    return v;
}

void check(Bytes &in) {
    const uint8_t flags = in.byte();
    const stridetune::ConstTensor input = view<const float>(in, 0, flags, std::nullopt);
    const stridetune::ConstTensor filter = view<const float>(in, 1, flags, std::nullopt);
    ConvParams p;
    for (int *field : {&p.stride_h, &p.stride_w, &p.dilation_h, &p.dilation_w, &p.pad_top, &p.pad_left,
                       &p.pad_bottom, &p.pad_right}) {
        *field = in.integer<int32_t>();
    }
    const std::optional<Dims> expected = expected_output_dims(input.dims, filter.dims, p);
    const stridetune::Tensor output = view<float>(in, 2, flags, flags & output_dims_expected ? expected : std::nullopt);
    const Options o = options(in, flags);

    stridetune::Plan chosen;
    try {
        chosen = stridetune::plan(input, filter, output, p, o);
    } catch (const stridetune::Error &) {
        return;
    }
    const std::string problem = view_string("input", input) + ", " + view_string("filter", filter) + ", " +
                                view_string("output", output) + ", " + params_string(p);
    if (!expected) oracle_failure("accepted " + problem + ", whose output size is not defined");
    if (output.dims != *expected) {
        oracle_failure("accepted " + problem + ", whose output dims are " + dims_string(*expected));
    }
    // The filter's input channels (C/g) make g groups of the input's C, which its K must divide into.
    const int64_t group_channels = filter.dims[2], channels = input.dims[3];
    if (group_channels < 1 || channels % group_channels != 0 || filter.dims[3] % (channels / group_channels) != 0) {
        oracle_failure("accepted " + problem + ", whose filter's channels make no groups of the input's");
    }
    if (o.max_isa && chosen.isa > *o.max_isa) {
        oracle_failure(problem + ": " + chosen.kernel + " is above options.max_isa");
    }
    if (o.variant && chosen.variant != *o.variant) {
        oracle_failure(problem + ": " + chosen.kernel + " is not options.variant " + *o.variant);
    }
    if (!o.variant && o.schedule && chosen.schedule != *o.schedule) {
        oracle_failure(problem + ": " + chosen.kernel + " is not of options.schedule");
    }
}

}  // namespace
}  // namespace stridetune_fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    stridetune_fuzz::Bytes in(data, size);
    stridetune_fuzz::check(in);
    return 0;
}
