// stridetune-descriptor: checks benchdnn problem descriptors and prints their
// canonical form, the key of tuning files and kernel registrations. CMake
// cannot parse descriptors, so stridetune_add_kernels() runs this at the
// consumer's configure time.
#include <cstdio>
#include <iostream>
#include <string>
#include <vector>

#include "stridetune.h"

namespace {

constexpr const char *usage =
    "usage: stridetune-descriptor DESCRIPTOR...   canonical form of each, one a line\n"
    "       stridetune-descriptor --file PATH     the same for each descriptor of a benchdnn shapes file\n"
    "A grouped (g > 1) descriptor prints what one kernel call runs of it (one group's problem, or a\n"
    "depthwise problem whole), which the kernel is chosen, tuned and registered for. A descriptor\n"
    "that cannot be parsed is an error: its message names it, nothing is printed and the exit\n"
    "status is 1.\n";

// The key tuning files and registrations know the problem's kernel by.
std::string canonical(const stridetune::ConvDescriptor &d) {
    return stridetune::problem_key(d.one_call());
}

}  // namespace

int main(int argc, char **argv) {
    const std::vector<std::string> args(argv + 1, argv + argc);
    if (args.empty() || args[0] == "--help" || args[0] == "-h") {
        std::fputs(usage, args.empty() ? stderr : stdout);
        return args.empty() ? 2 : 0;
    }
    try {
        std::vector<std::string> lines;
        if (args[0] == "--file" && args.size() == 2) {
            for (const stridetune::DescriptorLine &l : stridetune::read_descriptor_file(args[1])) {
                lines.push_back(canonical(l.descriptor));
            }
        } else if (args[0].rfind("--", 0) == 0) {
            std::fprintf(stderr, "stridetune-descriptor: bad arguments\n%s", usage);
            return 2;
        } else {
            for (const std::string &text : args) {
                lines.push_back(canonical(stridetune::parse_descriptor(text)));
            }
        }
        for (const std::string &line : lines) std::cout << line << "\n";
    } catch (const stridetune::Error &e) {
        std::fprintf(stderr, "%s\n", e.what());
        return 1;
    }
    return 0;
}
