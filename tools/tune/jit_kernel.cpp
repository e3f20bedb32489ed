#include "jit_kernel.h"

#include <algorithm>
#include <sstream>

#include "stridetune/error.h"

namespace stridetune::tune {

std::string canonical_parameters(std::vector<std::string> items) {
    std::sort(items.begin(), items.end());
    std::string joined;
    for (const std::string &item : items) joined += (joined.empty() ? "" : " ") + item;
    return joined;
}

Configuration parse_configuration(const std::string &text) {
    std::istringstream words(text);
    Configuration c;
    words >> c.generator;
    std::vector<std::string> items;
    for (std::string item; words >> item;) items.push_back(item);
    c.parameters = canonical_parameters(items);
    return c;
}

JitKernel::JitKernel(const Configuration &configuration, const Halide::Target &target) : target_(target) {
    Halide::Internal::GeneratorParamsMap params;
    std::string autoscheduler;
    std::istringstream items(configuration.parameters);
    for (std::string item; items >> item;) {
        const size_t eq = item.find('=');
        if (eq == std::string::npos) throw Error("parameter " + item + " is not key=value");
        const std::string key = item.substr(0, eq), value = item.substr(eq + 1);
        if (key == "autoscheduler") {
            autoscheduler = value;
        } else {
            params[key] = value;
        }
    }
    const Halide::GeneratorContext context(target, !autoscheduler.empty());
    generator_ = Halide::Internal::GeneratorRegistry::create("stridetune_" + configuration.generator, context);
    generator_->set_generator_param_values(params);
    bindings_ = dynamic_cast<JitBindings *>(generator_.get());
    if (!bindings_) throw Error("generator " + configuration.generator + " is not a stridetune convolution");
    pipeline_ = bindings_->build_for_jit();
    if (!autoscheduler.empty()) {
        pipeline_.auto_schedule(autoscheduler, target, Halide::MachineParams(STRIDETUNE_AUTOSCHEDULER_MACHINE_PARAMS));
    }
    pipeline_.compile_jit(target);
}

void JitKernel::run(const JitArguments &arguments, Halide::Buffer<float> &output) {
    bindings_->bind(arguments);
    pipeline_.realize(output, target_);
}

}  // namespace stridetune::tune
