#include "packing.h"

#include <algorithm>

#include "stridetune/error.h"

namespace stridetune::detail {
namespace {

// Whole cache lines, so that a kernel's vector loads of the packed filter
// never straddle one.
constexpr size_t cache_line = 64;

PackFunction pack_function(Isa isa) {
    for (size_t i = 0; i < pack_filter_function_count; i++) {
        if (pack_filter_functions[i].isa == isa) return pack_filter_functions[i].pack;
    }
    throw Error("no filter packing is built for " + std::string(to_string(isa)));
}

}  // namespace

PackedFilter::PackedFilter(const Kernel &kernel, const PackedFilterView &shape, const ConstTensor &filter,
                           const float *bias)
    : extents_(shape.extents), depthwise_(shape.depthwise), bias_(size_t(shape.bias_extent()), 0.0f) {
    if (bias) std::copy(bias, bias + filter.dims[3], bias_.begin());
    size_t elements = 1;
    for (int32_t e : extents_) elements *= size_t(e);
    bytes_ = elements * sizeof(float);
    const size_t allocated = (bytes_ + cache_line - 1) / cache_line * cache_line;
    data_.reset(static_cast<float *>(std::aligned_alloc(cache_line, allocated)));
    if (!data_) throw Error("cannot allocate " + std::to_string(allocated) + " bytes for the packed filter");
    HalideBuffer source(filter);
    HalideBuffer packed(view());
    const int block = extents_[0];
    if (pack_function(kernel.isa)(&source.buffer, block, &packed.buffer) != 0) {
        throw Error("packing the filter for " + kernel.function + " failed: " + halide_error());
    }
}

}  // namespace stridetune::detail
