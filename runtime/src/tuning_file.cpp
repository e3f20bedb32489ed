#include "tuning_file.h"

#include <climits>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>

#include "stridetune/build_settings.h"
#include "stridetune/error.h"
#include "stridetune/parameters.h"

namespace stridetune::detail {
namespace {

using nlohmann::json;

// Parameters are made canonical, the form the kernel registrations have,
// so that a file edited by hand matches them too.
TunedConfiguration configuration_from(const json &j) {
    TunedConfiguration c{j.at("generator").get<std::string>(),
                         Parameters::parse(j.at("parameters").get<std::string>()).to_string(),
                         j.at("median_ms").get<double>(),
                         {}};
    if (j.contains("parallel")) c.parallel = j.at("parallel").get<bool>();
    return c;
}

// json's get<int>() casts unchecked: a float out of int's range is undefined
// behaviour, a larger integer wraps (4294967297 would read as format 1).
int int_at(const json &object, const char *key, const std::string &origin) {
    const json &value = object.at(key);
    if (value.is_number() && !(value.get<double>() >= INT_MIN && value.get<double>() <= INT_MAX)) {
        throw Error("tuning file " + origin + ": " + key + " " + value.dump() + " is out of range");
    }
    return value.get<int>();
}

json to_json(const TunedConfiguration &c) {
    json j = {{"generator", c.generator}, {"parameters", c.parameters}, {"median_ms", c.median_ms}};
    if (c.parallel) j["parallel"] = *c.parallel;
    return j;
}

}  // namespace

TuningFile read_tuning_file(const std::string &path) {
    std::error_code error;
    if (!std::filesystem::is_regular_file(path, error)) {
        throw Error("tuning file " + path + ": cannot be read (" +
                    (std::filesystem::exists(path, error) ? "not a regular file" : "no such file") + ")");
    }
    std::ifstream in(path);
    if (!in) throw Error("tuning file " + path + ": cannot be read");
    std::string text;
    try {
        text.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    } catch (const std::ios_base::failure &e) {  // libstdc++'s filebuf throws on a read error
        throw Error("tuning file " + path + ": cannot be read: " + e.what());
    }
    return parse_tuning_file(text, path);
}

TuningFile parse_tuning_file(const std::string &text, const std::string &origin) {
    try {
        const json j = json::parse(text);
        if (int_at(j, "stridetune_tuning", origin) != build_settings::tuning_format) {
            throw Error("tuning file " + origin + ": format " + j.at("stridetune_tuning").dump() +
                        ", this build reads " + std::to_string(build_settings::tuning_format));
        }
        TuningFile f;
        const json &cpu = j.at("cpu");
        const auto isa = parse_isa(cpu.at("isa").get<std::string>());
        if (!isa) throw Error("tuning file " + origin + ": unknown isa " + cpu.at("isa").dump());
        f.cpu = {cpu.at("vendor").get<std::string>(), cpu.at("model").get<std::string>(), *isa,
                 int_at(cpu, "cores", origin)};
        if (cpu.contains("family")) {
            f.cpu.family = int_at(cpu, "family", origin);
            f.cpu.model_number = int_at(cpu, "model_number", origin);
            f.cpu.stepping = int_at(cpu, "stepping", origin);
        }
        f.halide_version = j.at("halide").get<std::string>();
        f.kernels = j.value("kernels", "");
        for (const auto &[problem, entry] : j.at("problems").items()) {
            TunedProblem p;
            p.name = entry.value("name", "");
            try {
                p.winner = configuration_from(entry.at("winner"));
                for (const json &r : entry.value("runners_up", json::array())) {
                    p.runners_up.push_back(configuration_from(r));
                }
            } catch (const Error &e) {
                throw Error("tuning file " + origin + ": problem " + problem + ": " + message_of(e));
            }
            f.problems[problem] = p;
        }
        return f;
    } catch (const json::exception &e) {
        throw Error("tuning file " + origin + ": " + e.what());
    }
}

std::string format_tuning_file(const TuningFile &f) {
    json problems = json::object();
    for (const auto &[key, p] : f.problems) {
        json runners = json::array();
        for (const TunedConfiguration &r : p.runners_up) runners.push_back(to_json(r));
        problems[key] = {{"name", p.name}, {"winner", to_json(p.winner)}, {"runners_up", runners}};
    }
    const json j = {{"stridetune_tuning", build_settings::tuning_format},
                    {"cpu",
                     {{"vendor", f.cpu.vendor},
                      {"model", f.cpu.model},
                      {"isa", std::string(to_string(f.cpu.isa))},
                      {"cores", f.cpu.cores},
                      {"family", f.cpu.family},
                      {"model_number", f.cpu.model_number},
                      {"stepping", f.cpu.stepping}}},
                    {"halide", f.halide_version},
                    {"kernels", f.kernels},
                    {"problems", problems}};
    return j.dump(2) + "\n";
}

void write_tuning_file(const TuningFile &f, const std::string &path) {
    const std::string text = format_tuning_file(f);
    const std::string temporary = path + ".partial";
    {
        std::ofstream out(temporary);
        out << text;
        if (!out.flush()) throw Error("tuning file " + temporary + ": cannot be written");
    }
    if (std::rename(temporary.c_str(), path.c_str()) != 0) {
        throw Error("tuning file " + path + ": cannot replace it with " + temporary);
    }
}

std::string halide_version() {
    return build_settings::halide_version;
}

std::string kernels_fingerprint() {
    return build_settings::kernels_fingerprint;
}

}  // namespace stridetune::detail
