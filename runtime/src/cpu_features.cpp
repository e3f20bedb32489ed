// Reads the CPU's ISA level once: cpuid for the instructions, xgetbv for the
// OS saving the wider registers (without it AVX state is lost on a context switch).
#include <cpuid.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <thread>

#include "cpu_caches.h"
#include "stridetune/error.h"
#include "stridetune/isa.h"

namespace stridetune {
namespace {

constexpr std::array<std::string_view, 3> isa_names{"sse41", "avx2", "avx512"};

bool has_bits(uint32_t reg, uint32_t bits) {
    return (reg & bits) == bits;
}

uint64_t xgetbv0() {
    uint32_t eax, edx;
    __asm__ volatile("xgetbv" : "=a"(eax), "=d"(edx) : "c"(0));
    return (uint64_t(edx) << 32) | eax;
}

Isa detect() {
    unsigned eax, ebx, ecx, edx;
    if (!__get_cpuid(1, &eax, &ebx, &ecx, &edx) || !(ecx & bit_SSE4_1)) {
        throw Error("this CPU lacks SSE4.1, the lowest ISA level stridetune is built for");
    }
    const uint32_t ecx1 = ecx;
    if (!has_bits(ecx1, bit_OSXSAVE | bit_AVX | bit_FMA | bit_F16C)) return Isa::sse41;
    const uint64_t xcr0 = xgetbv0();
    constexpr uint64_t xmm_ymm = 0x6, opmask_zmm = 0xe0;
    if (!has_bits(uint32_t(xcr0), xmm_ymm)) return Isa::sse41;
    if (!__get_cpuid_count(7, 0, &eax, &ebx, &ecx, &edx) || !(ebx & bit_AVX2)) return Isa::sse41;
    // Halide's avx512_skylake feature set: F, CD, BW, DQ, VL.
    const uint32_t skylake = bit_AVX512F | bit_AVX512CD | bit_AVX512BW | bit_AVX512DQ | bit_AVX512VL;
    if (has_bits(ebx, skylake) && has_bits(uint32_t(xcr0), opmask_zmm)) return Isa::avx512;
    return Isa::avx2;
}

std::string vendor() {
    unsigned eax, regs[3];
    __get_cpuid(0, &eax, &regs[0], &regs[2], &regs[1]);  // ebx, edx, ecx spell it
    char text[13] = {};
    std::memcpy(text, regs, 12);
    return text;
}

std::string brand() {
    unsigned eax, ebx, ecx, edx;
    if (!__get_cpuid(0x80000000, &eax, &ebx, &ecx, &edx) || eax < 0x80000004) return "unknown";
    char text[49] = {};
    for (unsigned leaf = 0; leaf < 3; leaf++) {
        unsigned *r = reinterpret_cast<unsigned *>(text + 16 * leaf);
        __get_cpuid(0x80000002 + leaf, &r[0], &r[1], &r[2], &r[3]);
    }
    std::string s = text;
    s.erase(0, s.find_first_not_of(' '));
    s.erase(s.find_last_not_of(' ') + 1);
    return s;
}

// Writes cpuid leaf 1's display family, model and stepping into `cpu`.
void read_signature(CpuIdentity &cpu) {
    unsigned eax, ebx, ecx, edx;
    if (!__get_cpuid(1, &eax, &ebx, &ecx, &edx)) return;
    const int base_family = int(eax >> 8) & 0xf, base_model = int(eax >> 4) & 0xf;
    cpu.stepping = int(eax) & 0xf;
    cpu.family = base_family == 0xf ? base_family + (int(eax >> 20) & 0xff) : base_family;
    cpu.model_number =
        base_family == 0x6 || base_family == 0xf ? base_model + ((int(eax >> 16) & 0xf) << 4) : base_model;
}

}  // namespace

bool operator==(const CpuIdentity &a, const CpuIdentity &b) {
    return a.vendor == b.vendor && a.model == b.model && a.isa == b.isa && a.cores == b.cores &&
           a.family == b.family && a.model_number == b.model_number && a.stepping == b.stepping;
}

bool same_microarchitecture(const CpuIdentity &a, const CpuIdentity &b) {
    return a.family != 0 && a.vendor == b.vendor && a.family == b.family && a.model_number == b.model_number &&
           a.isa == b.isa;
}

std::string to_string(const CpuIdentity &cpu) {
    std::string signature;
    if (cpu.family != 0) {
        signature = " family " + std::to_string(cpu.family) + " model " + std::to_string(cpu.model_number) +
                    " stepping " + std::to_string(cpu.stepping);
    }
    return cpu.model + " (" + cpu.vendor + signature + ") " + std::string(to_string(cpu.isa)) + " " +
           std::to_string(cpu.cores) + " cores";
}

const CpuIdentity &cpu_identity() {
    static const CpuIdentity cpu = [] {
        CpuIdentity c{vendor(), brand(), detected_isa(), int(std::max(1u, std::thread::hardware_concurrency()))};
        read_signature(c);
        return c;
    }();
    return cpu;
}

std::string_view to_string(Isa isa) {
    return isa_names[static_cast<size_t>(isa)];
}

std::optional<Isa> parse_isa(std::string_view name) {
    for (size_t i = 0; i < isa_names.size(); i++) {
        if (isa_names[i] == name) return static_cast<Isa>(i);
    }
    return std::nullopt;
}

Isa detected_isa() {
    static const Isa isa = detect();
    return isa;
}

namespace detail {

int64_t l2_cache_bytes() {
    static const int64_t bytes = [] {
        const long reported = sysconf(_SC_LEVEL2_CACHE_SIZE);
        return reported > 0 ? int64_t(reported) : int64_t(256) << 10;
    }();
    return bytes;
}

}  // namespace detail

}  // namespace stridetune
