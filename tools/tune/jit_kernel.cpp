#include "jit_kernel.h"

#include <optional>
#include <sstream>

#include "stridetune/build_settings.h"
#include "stridetune/error.h"

namespace stridetune::tune {

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

JitKernel::JitKernel(const Configuration &configuration, const Halide::Target &target) : target_(target) {
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
}

void JitKernel::run(const JitArguments &arguments, Halide::Buffer<float> &output) {
    bindings_->bind(arguments);
    pipeline_.realize(output, target_);
}

}  // namespace stridetune::tune
