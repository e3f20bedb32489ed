#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace stridetune {

// x86-64 ISA levels that kernels are built for, lowest first.
enum class Isa { sse41, avx2, avx512 };

// The register file the kernels' register tiles are sized from: floats per
// vector and vector registers (xmm, ymm: 16; zmm: 32).
inline constexpr int float_lanes(Isa isa) {
    return isa == Isa::avx512 ? 16 : isa == Isa::avx2 ? 8 : 4;
}
inline constexpr int vector_registers(Isa isa) {
    return isa == Isa::avx512 ? 32 : 16;
}

std::string_view to_string(Isa isa);
std::optional<Isa> parse_isa(std::string_view name);

// The best level this CPU and OS support (cpuid and xgetbv, read once).
// Throws Error on a CPU without SSE4.1.
Isa detected_isa();

// The level calls run at by default: detected_isa(), capped by
// STRIDETUNE_MAX_ISA=sse41|avx2|avx512 or set_max_isa().
Isa max_isa();
// Caps the level for later calls; a cap above the CPU's level has no effect.
void set_max_isa(Isa isa);

// The CPU a tuning result was measured on.
struct CpuIdentity {
    std::string vendor;  // cpuid's, e.g. AuthenticAMD
    std::string model;   // cpuid's brand string, trimmed
    Isa isa;             // detected_isa()
    int cores;           // hardware threads the OS reports
    // cpuid's family, model and stepping (leaf 1, the extended fields folded
    // in as Intel and AMD define them): the microarchitecture, whatever the
    // brand string says (a cloud's virtual CPU names itself). 0: not known
    // (a tuning file written before they were recorded).
    int family = 0, model_number = 0, stepping = 0;
};
bool operator==(const CpuIdentity &a, const CpuIdentity &b);
// Whether `a` and `b` are known to be one microarchitecture (vendor, family
// and model) at one ISA level, whatever their brand strings, steppings and
// core counts.
bool same_microarchitecture(const CpuIdentity &a, const CpuIdentity &b);
// "model (vendor family F model M stepping S) isa N cores": no commas, as it
// goes in the verbose CSV line.
std::string to_string(const CpuIdentity &cpu);
const CpuIdentity &cpu_identity();

}  // namespace stridetune
