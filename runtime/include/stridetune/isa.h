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

// What a tuning result is valid for: the same CPU model, ISA level and core count.
struct CpuIdentity {
    std::string vendor;  // cpuid's, e.g. AuthenticAMD
    std::string model;   // cpuid's brand string, trimmed
    Isa isa;             // detected_isa()
    int cores;           // hardware threads the OS reports
};
bool operator==(const CpuIdentity &a, const CpuIdentity &b);
// "model (vendor) isa N cores": no commas, as it goes in the verbose CSV line.
std::string to_string(const CpuIdentity &cpu);
const CpuIdentity &cpu_identity();

}  // namespace stridetune
