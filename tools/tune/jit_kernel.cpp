#include "jit_kernel.h"

#include <algorithm>
#include <exception>
#include <mutex>
#include <optional>
#include <sstream>

#include "stridetune/build_settings.h"
#include "stridetune/error.h"
#include "stridetune/kernel_geometry.h"
#include "strided_conv.h"
#include "thread_pool.h"

namespace stridetune::tune {
namespace {

using JitTask = int (*)(Halide::JITUserContext *, int, uint8_t *);

int serial_do_par_for(Halide::JITUserContext *context, JitTask task, int min, int size, uint8_t *closure) {
    return detail::run_halide_loop(context, task, min, size, closure, false);
}

// The library's pool (thread_pool.h), so that the winner's parallel time is
// the library's.
int pool_do_par_for(Halide::JITUserContext *context, JitTask task, int min, int size, uint8_t *closure) {
    return detail::run_halide_loop(context, task, min, size, closure, true);
}

}  // namespace

std::string Configuration::to_string() const {
    const std::string items = parameters.to_string();
    return generator + (items.empty() ? "" : " " + items);
}

Configuration Configuration::parse(const std::string &text) {
    std::istringstream words(text);
    Configuration c;
    words >> c.generator;
    if (c.generator.empty()) throw Error("configuration \"" + text + "\": no generator");
    std::ostringstream rest;
    rest << words.rdbuf();
    c.parameters = Parameters::parse(rest.str());
    return c;
}

FilterPacker::FilterPacker(const Halide::Target &target) : target_(target) {
    const PackedFilter p = define_packed_filter(filter_, filter_.dim(0).extent(), block_);
    pipeline_ = Halide::Pipeline(p.packed);
    pipeline_.compile_jit(target_);
}

void FilterPacker::pack(const Halide::Buffer<float> &filter, Halide::Buffer<float> &packed) {
    filter_.set(filter);
    block_.set(packed.dim(0).extent());
    pipeline_.realize(packed, target_);
}

JitKernel::JitKernel(const Configuration &configuration, const Halide::Target &target)
    : target_(target),
      flat_output_(takes_flat_output(configuration.parameters)),
      depthwise_(computes_depthwise(configuration.parameters)) {
    const std::optional<std::string> autoscheduler = configuration.parameters.get("autoscheduler");
    Parameters generator_params = configuration.parameters;
    generator_params.erase("autoscheduler");
    Halide::Internal::GeneratorParamsMap params;
    for (const auto &[key, value] : generator_params.items()) params[key] = value;
    const Halide::GeneratorContext context(target, autoscheduler.has_value());
    generator_ = Halide::Internal::GeneratorRegistry::create("stridetune_" + configuration.generator, context);
    generator_->set_generator_param_values(params);
    bindings_ = dynamic_cast<JitBindings *>(generator_.get());
    if (!bindings_) throw Error("generator " + configuration.generator + " is not a stridetune convolution");
    pipeline_ = bindings_->build_for_jit();
    if (autoscheduler) {
        pipeline_.auto_schedule(*autoscheduler, target,
                                Halide::MachineParams(build_settings::autoscheduler_machine_params));
    }
    pipeline_.compile_jit(target);
    // Halide's own thread pool, the JIT's default, takes a thread a core
    // whatever --threads says.
    set_parallel(parallel_);
}

JitArguments JitKernel::with_packed_filter(JitArguments arguments, const Halide::Buffer<float> &filter,
                                           FilterPacker &packer) {
    // Every tile reads whole blocks of output channels, the last one zero
    // past K (strided_conv.h), and every tap: the runtime packs the same
    // shape (kernel_needs(); a bounds query here would fail Halide's check
    // of the filter's constraints where a kernel skips filter rows that
    // read only padding, as on a 1x1 input with a padded 3x3 filter).
    const int block = bindings_->filter_block(), out_channels = filter.dim(0).extent();
    const std::array<int, 5> order = packed_filter_storage_order(depthwise_);
    Halide::Buffer<float> packed(Halide::Runtime::Buffer<float>(
        {block, filter.dim(1).extent(), filter.dim(2).extent(), filter.dim(3).extent(),
         (out_channels + block - 1) / block},
        std::vector<int>(order.begin(), order.end())));
    packer.pack(filter, packed);
    arguments.filter = packed;
    // The bias likewise, zero past K (all zero where none is given).
    Halide::Buffer<float> bias(packed.dim(0).extent() * packed.dim(4).extent());
    bias.fill(0.0f);
    if (arguments.bias.defined()) std::copy_n(arguments.bias.data(), out_channels, bias.data());
    arguments.bias = bias;
    return arguments;
}

void JitKernel::set_parallel(bool parallel) {
    parallel_ = parallel;
    pipeline_.jit_handlers().custom_do_par_for = parallel ? pool_do_par_for : serial_do_par_for;
}

void JitKernel::set_bands(const std::optional<OutputBands> &bands) {
    bands_ = bands;
}

namespace {

// `count` images of `buffer` from its `first`, numbered from 0 as the
// kernels take them (conv_generator.h).
Halide::Buffer<float> images_of(const Halide::Buffer<float> &buffer, int first, int count) {
    return Halide::Buffer<float>(buffer.get()->cropped(3, buffer.dim(3).min() + first, count).translated(3, -first));
}

}  // namespace

void JitKernel::run(const JitArguments &arguments, Halide::Buffer<float> &output) {
    // The tuner's outputs are dense: a flat output's rows follow one another
    // (and the residual's, of the output's shape).
    const auto flat = [&](const Halide::Buffer<float> &b) {
        return flat_output_ ? Halide::Buffer<float>(b.data(), {b.dim(0).extent(), b.dim(1).extent() * b.dim(2).extent(),
                                                               1, b.dim(3).extent()})
                            : b;
    };
    Halide::Buffer<float> out = flat(output);
    // None given: zeros (what the library passes a problem without a residual).
    JitArguments with_residual = arguments;
    if (!arguments.residual.defined()) {
        with_residual.residual = Halide::Buffer<float>(output.dim(0).extent(), output.dim(1).extent(),
                                                       output.dim(2).extent(), output.dim(3).extent());
        with_residual.residual.fill(0.0f);
    }
    with_residual.residual = flat(with_residual.residual);
    // A bounds query (no data) asks for the whole output.
    if (!parallel_ || !bands_ || !output.data()) {
        bindings_->bind(with_residual);
        pipeline_.realize(out, target_);
        return;
    }
    // In bands, round by round as the library runs them: a few images of
    // the input and the output, as a problem of their own.
    const int images = out.dim(3).extent();
    for (int first = 0; first < images; first += bands_->images) {
        const int count = std::min(bands_->images, images - first);
        JitArguments round = with_residual;
        round.input = images_of(arguments.input, first, count);
        round.residual = images_of(with_residual.residual, first, count);
        bindings_->bind(round);
        realize_bands(images_of(out, first, count));
    }
}

void JitKernel::realize_bands(Halide::Buffer<float> output) {
    // The bands realize concurrently: the pipeline is compiled and its
    // arguments bound before, and none is changed until they finish. Each
    // runs its loops on its own thread (a loop inside a pool task does).
    // A failure is rethrown here, not across the pool's C code.
    struct Bands {
        JitKernel *kernel;
        Halide::Buffer<float> *output;
        std::mutex mutex;
        std::exception_ptr failure;
    } bands{this, &output, {}, nullptr};
    const int failed = detail::run_ranges_on_pool(
        output.dim(bands_->dimension).extent(), bands_->unit,
        [](void *bands_pointer, int64_t start, int64_t length) {
            Bands &b = *static_cast<Bands *>(bands_pointer);
            try {
                Halide::Buffer<float> band(b.output->get()->cropped(b.kernel->bands_->dimension, int(start),
                                                                    int(length)));
                b.kernel->pipeline_.realize(band, b.kernel->target_);
                return 0;
            } catch (...) {
                std::lock_guard<std::mutex> lock(b.mutex);
                if (!b.failure) b.failure = std::current_exception();
                return 1;
            }
        },
        &bands);
    if (failed) std::rethrow_exception(bands.failure);
}

}  // namespace stridetune::tune
